// How each system call of the language becomes a native call, and how its
// output arguments are checked. One entry per call name.

import type { Expr, SyscallEvent } from '../script/ast.js';
import { CallError, type CallContext, type CallResult, type Evaluator, type FdTable, type Value } from './calls.js';

export interface PreparedCall {
  op: string;
  args: unknown[];
  /** Check output arguments once the call returned; a message on mismatch. */
  check?: (res: CallResult) => string | null;
}

interface Env {
  ev: SyscallEvent;
  ctx: CallContext;
  fds: FdTable;
  evalr: Evaluator;
  consts: Record<string, number>;
}

type Handler = (env: Env) => PreparedCall;

function arg(env: Env, i: number): Expr {
  const a = env.ev.args[i];
  if (!a) throw new CallError(`${env.ev.name}() needs at least ${i + 1} arguments`);
  return a;
}
function optArg(env: Env, i: number): Expr | undefined {
  return env.ev.args[i];
}
function fd(env: Env, i = 0): number {
  return env.fds.live(env.evalr.int(arg(env, i)));
}
function isEllipsis(e: Expr | undefined): boolean {
  return !e || e.kind === 'ellipsis';
}
function intOr(env: Env, e: Expr | undefined, dflt: number): number {
  return isEllipsis(e) ? dflt : env.evalr.int(e as Expr);
}
function familyNumber(env: Env): number {
  return env.ctx.family === 6 ? env.consts.AF_INET6! : env.consts.AF_INET!;
}

/** A sockaddr argument: `...` means the natural address; a struct names one. */
function sockaddr(env: Env, e: Expr | undefined, natural: { ip: string; port: number }): [number, string, number] {
  if (isEllipsis(e)) return [familyNumber(env), natural.ip, natural.port];
  const v = env.evalr.value(e as Expr);
  if (v && typeof v === 'object' && !Array.isArray(v) && !Buffer.isBuffer(v)) {
    const o = v as Record<string, Value>;
    const fam = typeof o.sa_family === 'number' ? o.sa_family : typeof o.sin6_family === 'number' ? o.sin6_family : familyNumber(env);
    const port = (o.sin_port ?? o.sin6_port ?? natural.port) as number;
    const ip = (o.sin_addr ?? o.sin6_addr ?? natural.ip) as string;
    return [fam, String(ip), Number(port)];
  }
  throw new CallError('expected a socket address: ... or {sa_family=..., sin_port=htons(...), sin_addr=inet_addr("...")}', e);
}

/** The bytes of an option value: `[1]` an int, a struct, a string. */
function optval(env: Env, e: Expr, lenExpr: Expr | undefined): Buffer {
  const v = env.evalr.value(e);
  const len = isEllipsis(lenExpr) ? undefined : env.evalr.int(lenExpr as Expr);
  if (Array.isArray(v) && v.length === 1 && typeof v[0] === 'number') {
    const b = Buffer.alloc(len && len >= 4 ? len : 4);
    b.writeInt32LE(v[0], 0);
    return b;
  }
  if (typeof v === 'number') {
    const b = Buffer.alloc(4);
    b.writeInt32LE(v, 0);
    return b;
  }
  if (typeof v === 'string') return Buffer.from(v, 'latin1');
  if (v && typeof v === 'object' && !Array.isArray(v) && !Buffer.isBuffer(v)) {
    const o = v as Record<string, Value>;
    if ('l_onoff' in o) {
      const b = Buffer.alloc(8);
      b.writeInt32LE(Number(o.l_onoff), 0);
      b.writeInt32LE(Number(o.l_linger ?? 0), 4);
      return b;
    }
  }
  throw new CallError('unsupported option value', e);
}

function dataLen(env: Env, bufExpr: Expr | undefined, lenExpr: Expr | undefined): number {
  if (!isEllipsis(lenExpr)) return env.evalr.int(lenExpr as Expr);
  if (bufExpr && bufExpr.kind === 'string') return bufExpr.value.length;
  throw new CallError(`${env.ev.name}(): give the length`);
}
function dataBuf(env: Env, bufExpr: Expr | undefined, len: number): Buffer {
  if (bufExpr && bufExpr.kind === 'string') {
    const b = Buffer.alloc(len);
    b.write(bufExpr.value, 'latin1');
    return b;
  }
  return Buffer.alloc(len);
}

function checkInt(env: Env, e: Expr | undefined, actual: number | undefined, what: string): string | null {
  if (isEllipsis(e) || actual === undefined) return null;
  const v = env.evalr.value(e as Expr);
  const expected = Array.isArray(v) && v.length === 1 ? v[0] : v;
  if (typeof expected !== 'number' && typeof expected !== 'bigint') return null;
  if (Number(expected) !== actual) return `Bad ${what}: expected: ${expected} actual: ${actual}`;
  return null;
}

const handlers: Record<string, Handler> = {
  socket: (env) => {
    const dom = isEllipsis(optArg(env, 0)) ? familyNumber(env) : env.evalr.int(arg(env, 0));
    return { op: 'socket', args: [dom, env.evalr.int(arg(env, 1)), intOr(env, optArg(env, 2), 0)] };
  },
  bind: (env) => ({ op: 'bind', args: [fd(env), ...sockaddr(env, optArg(env, 1), { ip: env.ctx.localIp, port: env.ctx.bindPort })] }),
  connect: (env) => ({ op: 'connect', args: [fd(env), ...sockaddr(env, optArg(env, 1), { ip: env.ctx.remoteIp, port: env.ctx.connectPort })] }),
  listen: (env) => ({ op: 'listen', args: [fd(env), env.evalr.int(arg(env, 1))] }),
  accept: (env) => ({ op: 'accept', args: [fd(env)] }),
  accept4: (env) => ({ op: 'accept4', args: [fd(env), intOr(env, optArg(env, 3), 0)] }),
  close: (env) => ({ op: 'close', args: [fd(env)] }),
  shutdown: (env) => ({ op: 'shutdown', args: [fd(env), env.evalr.int(arg(env, 1))] }),
  read: (env) => ({ op: 'read', args: [fd(env), dataLen(env, optArg(env, 1), optArg(env, 2))] }),
  write: (env) => {
    const len = dataLen(env, optArg(env, 1), optArg(env, 2));
    return { op: 'write', args: [fd(env), dataBuf(env, optArg(env, 1), len)] };
  },
  send: (env) => {
    const len = dataLen(env, optArg(env, 1), optArg(env, 2));
    return { op: 'send', args: [fd(env), dataBuf(env, optArg(env, 1), len), intOr(env, optArg(env, 3), 0)] };
  },
  recv: (env) => ({ op: 'recv', args: [fd(env), dataLen(env, optArg(env, 1), optArg(env, 2)), intOr(env, optArg(env, 3), 0)] }),
  sendto: (env) => {
    const len = dataLen(env, optArg(env, 1), optArg(env, 2));
    return {
      op: 'sendto',
      args: [fd(env), dataBuf(env, optArg(env, 1), len), intOr(env, optArg(env, 3), 0), ...sockaddr(env, optArg(env, 4), { ip: env.ctx.remoteIp, port: env.ctx.connectPort })],
    };
  },
  recvfrom: (env) => ({ op: 'recvfrom', args: [fd(env), dataLen(env, optArg(env, 1), optArg(env, 2)), intOr(env, optArg(env, 3), 0)] }),
  setsockopt: (env) => ({
    op: 'setsockopt',
    args: [fd(env), env.evalr.int(arg(env, 1)), env.evalr.int(arg(env, 2)), optval(env, arg(env, 3), optArg(env, 4))],
  }),
  getsockopt: (env) => {
    const lenExpr = optArg(env, 4);
    let optlen = 4;
    if (!isEllipsis(lenExpr)) optlen = env.evalr.int(lenExpr as Expr);
    const valExpr = optArg(env, 3);
    return {
      op: 'getsockopt',
      args: [fd(env), env.evalr.int(arg(env, 1)), env.evalr.int(arg(env, 2)), Math.max(optlen, 4)],
      check: (res) => {
        if (res.ret < 0 || !res.data) return null;
        if (valExpr && valExpr.kind === 'array' && valExpr.items.length === 1 && valExpr.items[0]!.kind !== 'string' && res.data.length >= 4) {
          const m = checkInt(env, valExpr, res.data.readInt32LE(0), 'getsockopt optval');
          if (m) return m;
        } else if (valExpr && valExpr.kind === 'string') {
          const actual = res.data.toString('latin1').replace(/\0.*$/s, '');
          if (actual !== valExpr.value) return `Bad getsockopt optval: expected: "${valExpr.value}" actual: "${actual}"`;
        }
        return checkInt(env, lenExpr, res.optlen, 'getsockopt optlen');
      },
    };
  },
  fcntl: (env) => ({ op: 'fcntl', args: [fd(env), env.evalr.int(arg(env, 1)), intOr(env, optArg(env, 2), 0)] }),
  ioctl: (env) => ({
    op: 'ioctl_int',
    args: [fd(env), env.evalr.int(arg(env, 1))],
    check: (res) => (res.ret < 0 ? null : checkInt(env, optArg(env, 2), res.value, 'ioctl value')),
  }),
};

export function prepareCall(ev: SyscallEvent, ctx: CallContext, fds: FdTable, evalr: Evaluator, consts: Record<string, number>): PreparedCall {
  const h = handlers[ev.name];
  if (!h) throw new CallError(`system call '${ev.name}' is not supported yet`);
  return h({ ev, ctx, fds, evalr, consts });
}

export function supportedCalls(): string[] {
  return Object.keys(handlers);
}
