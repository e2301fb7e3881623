// The calls on pipes and files, and those that move data between
// descriptors: pipe, open, sendfile, splice.

import type { Expr } from '../script/ast.js';
import { CallError } from './calls.js';
import { arg, bracketed, fd, intOr, isAny, optArg, type Env, type Handler } from './syscall-args.js';

export const fileCalls: Record<string, Handler> = {
  // pipe([3, 4]) = 0: both script fds are mapped to the live ones.
  pipe: (env) => {
    const list = arg(env, 0);
    if (list.kind !== 'array') throw new CallError('expected pipe([read fd, write fd])', list);
    if (list.items.length !== 2) throw new CallError(`${list.items.length} pipe file descriptors instead of 2`, list);
    const [r, w] = list.items.map((i) => env.evalr.int(i)) as [number, number];
    return {
      op: 'pipe',
      args: [],
      check: (res) => {
        if (res.ret === 0 && res.fds) {
          env.fds.bind(r, res.fds[0]!);
          env.fds.bind(w, res.fds[1]!);
        }
        return null;
      },
    };
  },
  // open("path", flags[, mode]) = fd
  open: (env) => {
    const path = env.evalr.value(arg(env, 0));
    if (typeof path !== 'string') throw new CallError('open() takes a path string', arg(env, 0));
    return { op: 'open', args: [path, env.evalr.int(arg(env, 1)), intOr(env, optArg(env, 2), 0)] };
  },
  // sendfile(out_fd, in_fd, [offset], count); `NULL` or `...` for no offset.
  sendfile: (env) => {
    const off = offset(env, optArg(env, 2));
    return { op: 'sendfile', args: [fd(env, 0), fd(env, 1), env.evalr.int(arg(env, 3)), off] };
  },
  // splice(fd_in, off_in, fd_out, off_out, len, flags); offsets NULL (0) for sockets and pipes.
  splice: (env) => ({
    op: 'splice',
    args: [fd(env, 0), offset(env, optArg(env, 1)), fd(env, 2), offset(env, optArg(env, 3)), env.evalr.int(arg(env, 4)), intOr(env, optArg(env, 5), 0)],
  }),
};

/** An offset argument: `[N]` is N; `NULL`, `0`, `...` mean no offset (a NULL pointer). */
function offset(env: Env, e: Expr | undefined): number | undefined {
  if (isAny(e)) return undefined;
  const ex = e as Expr;
  if (ex.kind === 'array') return bracketed(env, ex) ?? undefined;
  const v = env.evalr.int(ex);
  return v === 0 ? undefined : v;
}
