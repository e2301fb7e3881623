// How each system call of the language becomes a native call, and how its
// output arguments are checked. One entry per call name.
//
// The semantics and the failure texts are packetdrill's (its
// run_system_call.c): a handler evaluates the script's arguments into the
// op's arguments (an error there is "runtime error in X call: <text>"), and
// `check` compares what the call wrote back with the script once the engine
// has checked the return value and errno.
//
// The handlers live with their family of calls: syscall-sockets.ts,
// syscall-data.ts, syscall-options.ts, syscall-poll.ts, syscall-files.ts;
// what they share (the arguments) is in syscall-args.ts.

import type { SyscallEvent } from '../script/ast.js';
import { CallError, type CallContext, type Evaluator, type FdTable } from './calls.js';
import type { Handler, PreparedCall } from './syscall-args.js';
import { dataCalls } from './syscall-data.js';
import { fileCalls } from './syscall-files.js';
import { optionCalls } from './syscall-options.js';
import { pollCalls } from './syscall-poll.js';
import { socketCalls } from './syscall-sockets.js';

export type { PreparedCall } from './syscall-args.js';
export { pollFlagsToString } from './syscall-poll.js';

/** One entry per call name, in the order of the families above. */
const handlers: Record<string, Handler> = { ...socketCalls, ...dataCalls, ...optionCalls, ...pollCalls, ...fileCalls };

export function prepareCall(ev: SyscallEvent, ctx: CallContext, fds: FdTable, evalr: Evaluator, consts: Record<string, number>): PreparedCall {
  const h = handlers[ev.name];
  if (!h) throw new CallError(`system call '${ev.name}' is not supported yet`);
  return h({ ev, ctx, fds, evalr, consts });
}

export function supportedCalls(): string[] {
  return Object.keys(handlers);
}

