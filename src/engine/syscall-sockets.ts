// The calls that make, name, connect and end sockets: socket, bind,
// connect, listen, accept, accept4, close, shutdown.

import type { CallResult } from './calls.js';
import { arg, familyNumber, fd, intOr, isEllipsis, optArg, sockaddr, type Env, type Handler } from './syscall-args.js';

/** socket() and accept() make the socket under test (what %{ }% code reads). */
function underTest(env: Env): (res: CallResult) => null {
  return (res) => {
    if (res.ret >= 0) env.fds.socketUnderTest = res.ret;
    return null;
  };
}

export const socketCalls: Record<string, Handler> = {
  socket: (env) => {
    const dom = isEllipsis(optArg(env, 0)) ? familyNumber(env) : env.evalr.int(arg(env, 0));
    return { op: 'socket', args: [dom, env.evalr.int(arg(env, 1)), intOr(env, optArg(env, 2), 0)], check: underTest(env) };
  },
  bind: (env) => ({ op: 'bind', args: [fd(env), ...sockaddr(env, optArg(env, 1), { ip: env.ctx.localIp, port: env.ctx.bindPort })] }),
  connect: (env) => ({ op: 'connect', args: [fd(env), ...sockaddr(env, optArg(env, 1), { ip: env.ctx.remoteIp, port: env.ctx.connectPort })] }),
  listen: (env) => ({ op: 'listen', args: [fd(env), env.evalr.int(arg(env, 1))] }),
  accept: (env) => ({ op: 'accept', args: [fd(env)], check: underTest(env) }),
  accept4: (env) => ({ op: 'accept4', args: [fd(env), intOr(env, optArg(env, 3), 0)], check: underTest(env) }),
  close: (env) => ({ op: 'close', args: [fd(env)] }),
  shutdown: (env) => ({ op: 'shutdown', args: [fd(env), env.evalr.int(arg(env, 1))] }),
};
