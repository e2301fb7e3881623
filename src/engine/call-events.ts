// System calls: one at a time, as packetdrill's single system-call thread.
// A call is prepared (syscall-table.ts), made at its time, and its result,
// errno and output arguments checked. A blocking call (`+0...0.2`) runs on
// the pool while the script goes on (RunState.pending) and is checked when
// it returns; the next call waits for it. Kernel-state calls (nstat, ...)
// are kernel-probes.ts.

import type { Span, SyscallEvent } from '../script/ast.js';
import { CallError, FD_RETURNING, type CallResult } from './calls.js';
import { prepareCall } from './syscall-table.js';
import { KERNEL_CALLS } from './kernel-calls.js';
import { kernelCallEvent } from './kernel-probes.js';
import { Stop, type RunState } from './state.js';
import { resolveTime, timingError, type TimedEvent } from './timing.js';

// linux/in.h, linux/tcp.h, asm-generic/errno.h
const IPPROTO_TCP = 6;
const TCP_CONGESTION = 13;
const EINPROGRESS = 115;

/** Wait for a blocking call still running; what follows counts from its return. */
export async function finishPending(s: RunState): Promise<void> {
  if (s.pending) {
    const p = s.pending;
    s.pending = null;
    await p.promise;
    if (s.lastEvent) s.lastEvent.doneAt = Math.max(s.lastEvent.doneAt, s.lastCallEnd);
  }
}

/**
 * A call at time 0 starts the clock itself once it is prepared (its
 * arguments evaluated, its code compiled on first use): time 0 is when
 * the call is made, as under packetdrill, whose preparing takes
 * microseconds. Every other event starts it in runEvents.
 */
function startClockAtFirstCall(s: RunState): void {
  if (!s.clock.started) s.clock.start();
}

/** A call line: made at its time, its result checked (a blocking one's when it returns). */
export async function runSyscall(s: RunState, ev: SyscallEvent): Promise<void> {
  // One call at a time, as packetdrill's single system-call thread: a new
  // call waits for a blocking one to return.
  await finishPending(s);
  const te = resolveTime(s, ev, false);
  if (KERNEL_CALLS.has(ev.name)) {
    startClockAtFirstCall(s);
    await kernelCallEvent(s, ev, te);
    return;
  }
  let prepared;
  try {
    prepared = prepareCall(ev, s.ctx, s.fds, s.evalr, s.sys.constants);
  } catch (e) {
    startClockAtFirstCall(s);
    if (e instanceof CallError) {
      callFailure(s, ev, e.message, e.expr?.span ?? ev.nameSpan);
      return;
    }
    throw e;
  }
  startClockAtFirstCall(s);
  await s.clock.until(te.time);
  const startUsecs = s.clock.nowUsecs();
  const terr = timingError(s.cfg, te, startUsecs, 'system call start', ev);
  if (terr) s.fail({ kind: 'timing', span: ev.span, message: terr });
  // A blocking call (`...`) runs on the pool while the script goes on; any
  // other call runs inline, as packetdrill runs it on its main thread.
  let promise: Promise<CallResult>;
  if (te.blockingEnd !== null) {
    promise = s.sys.invokeAsync(prepared.op, prepared.args);
  } else {
    try {
      promise = Promise.resolve(s.sys.invoke(prepared.op, prepared.args));
    } catch (e) {
      promise = Promise.reject(e);
    }
  }
  const finish = async (): Promise<void> => {
    let res: CallResult;
    try {
      res = await promise;
    } catch (e) {
      callFailure(s, ev, (e as Error).message);
      return;
    }
    const endUsecs = s.clock.toUsecs(res.endNs);
    s.lastCallEnd = endUsecs;
    noteCongestionControl(s, ev, prepared.args, res);
    checkResult(s, ev, res, prepared.check, endUsecs);
    if (ev.name === 'socket' && res.ret >= 0) s.flows.newSocketUnderTest();
    if (te.blockingEnd !== null) {
      const bte: TimedEvent = { time: te.blockingEnd, end: te.blockingEnd, any: false, lastTime: te.time, blockingEnd: null };
      const e2 = timingError(s.cfg, bte, endUsecs, 'system call return', ev);
      if (e2) s.fail({ kind: 'timing', span: ev.span, message: e2 });
    }
  };
  if (te.blockingEnd !== null) {
    const p = finish().catch((e) => {
      if (!(e instanceof Stop)) throw e;
      s.stopFromPending = true;
    });
    s.pending = { ev, promise: p.then(() => rethrowIfStopped(s)) };
    s.lastEvent = { time: te.time, inbound: false, doneAt: startUsecs };
    return;
  }
  s.lastCallEnd = startUsecs;
  await finish();
  if (ev.name === 'listen') s.listenedSinceSyn = true;
  s.lastEvent = { time: te.time, inbound: false, doneAt: s.lastCallEnd };
}

/** After accept() or connect(): which algorithm the connection runs (one getsockopt, after the call's time is taken). */
function noteCongestionControl(s: RunState, ev: SyscallEvent, args: readonly unknown[], res: CallResult): void {
  let fd: number | null = null;
  if ((ev.name === 'accept' || ev.name === 'accept4') && res.ret >= 0) fd = res.ret;
  else if (ev.name === 'connect' && (res.ret === 0 || res.errno === EINPROGRESS) && typeof args[0] === 'number') fd = args[0];
  if (fd === null) return;
  const r = s.sys.invoke('getsockopt', [fd, IPPROTO_TCP, TCP_CONGESTION, 16]);
  if (r.ret !== 0 || !r.data) return;
  // By hand, not through Buffer: this runs between timed events, and a
  // first Buffer decode there cost about 1 ms (measured).
  let algorithm = '';
  for (const b of r.data as Uint8Array) {
    if (b === 0) break;
    algorithm += String.fromCharCode(b);
  }
  if (!algorithm) return;
  s.congestion.push({ line: ev.span.line, algorithm });
  s.note(ev.span.line, `congestion control: ${algorithm}`);
}

function rethrowIfStopped(s: RunState): void {
  if (s.stopFromPending) throw new Stop();
}

function callFailure(s: RunState, ev: SyscallEvent, message: string, span: Span = ev.span): void {
  s.fail({ kind: 'syscall', span, message: `runtime error in ${ev.name} call: ${message}` });
}

function checkResult(s: RunState, ev: SyscallEvent, res: CallResult, check: ((r: CallResult) => string | null) | undefined, endUsecs: number): void {
  const expectedRet = ev.result.kind === 'ellipsis' ? null : s.evalr.int(ev.result);
  const name = ev.name;
  const errText = res.ret < 0 ? ` errno ${res.errno} (${s.sys.strerror(res.errno)})` : '';
  s.record({
    timeUsecs: endUsecs,
    line: ev.span.line,
    kind: 'syscall',
    text:
      FD_RETURNING.has(name) && res.ret >= 0 && expectedRet !== null && expectedRet >= 0
        ? `${name}() = ${expectedRet} (live fd ${res.ret})`
        : `${name}() = ${res.ret}${res.ret < 0 ? ` ${s.sys.errnoName(res.errno)} (${s.sys.strerror(res.errno)})` : ''}`,
    ok: true,
  });
  if (expectedRet !== null) {
    if (FD_RETURNING.has(name) && expectedRet >= 0) {
      if (res.ret < 0) {
        callFailure(s, ev, `Expected non-negative result but got ${res.ret} with${errText}`);
        return;
      }
      s.fds.bind(expectedRet, res.ret);
    } else if (res.ret !== expectedRet) {
      const got = res.ret < 0 ? `${res.ret} with${errText}` : `${res.ret}`;
      callFailure(s, ev, `Expected result ${expectedRet} but got ${got}`);
      return;
    }
  }
  if (ev.errno) {
    const want = s.sys.constants[ev.errno.name];
    if (want === undefined) {
      callFailure(s, ev, `unknown symbol: '${ev.errno.name}'`, ev.errno.span);
      return;
    }
    if (res.ret >= 0 || res.errno !== want) {
      callFailure(s, ev, `Expected errno ${want} (${s.sys.strerror(want)}) but got ${res.ret < 0 ? `${res.errno} (${s.sys.strerror(res.errno)})` : `success (result ${res.ret})`}`);
      return;
    }
  } else if (expectedRet !== null && expectedRet >= 0 && res.ret < 0) {
    callFailure(s, ev, `Expected result ${expectedRet} but got ${res.ret} with${errText}`);
    return;
  }
  if (name === 'close' && res.ret === 0) {
    const fdArg = ev.args[0];
    if (fdArg && fdArg.kind === 'int') s.fds.forget(Number(fdArg.value));
  }
  if (check) {
    const m = check(res);
    if (m) callFailure(s, ev, m);
  }
}
