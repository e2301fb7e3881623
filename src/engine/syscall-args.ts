// The arguments of a system call as the script writes them, for the call
// families' handlers (syscall-sockets.ts, syscall-data.ts, syscall-options.ts,
// syscall-poll.ts, syscall-files.ts): the environment a handler gets, and how
// an argument becomes an int, an fd, a socket address or bytes.

import type { Expr, FieldExpr, StructExpr, SyscallEvent } from '../script/ast.js';
import { CallError, type CallContext, type CallResult, type Evaluator, type FdTable, type Value } from './calls.js';

export interface PreparedCall {
  op: string;
  args: unknown[];
  /** Check output arguments once the call returned; a message on mismatch. */
  check?: (res: CallResult) => string | null;
}

export interface Env {
  ev: SyscallEvent;
  ctx: CallContext;
  fds: FdTable;
  evalr: Evaluator;
  consts: Record<string, number>;
}

export type Handler = (env: Env) => PreparedCall;

// ---------------------------------------------------------------- arguments

export function arg(env: Env, i: number): Expr {
  const a = env.ev.args[i];
  if (!a) throw new CallError(`${env.ev.name}() needs at least ${i + 1} arguments`);
  return a;
}
export function optArg(env: Env, i: number): Expr | undefined {
  return env.ev.args[i];
}
export function fd(env: Env, i = 0): number {
  return env.fds.live(env.evalr.int(arg(env, i)));
}
export function isEllipsis(e: Expr | undefined): boolean {
  return !e || e.kind === 'ellipsis';
}
/** `...` or `[...]`: "whatever it is". */
export function isAny(e: Expr | undefined): boolean {
  return isEllipsis(e) || (e!.kind === 'array' && e!.items.length === 1 && e!.items[0]!.kind === 'ellipsis');
}
export function intOr(env: Env, e: Expr | undefined, dflt: number): number {
  return isEllipsis(e) ? dflt : env.evalr.int(e as Expr);
}
/** `[N]` (packetdrill's bracketed argument) or a bare `N`; null for `...`/`[...]`. */
export function bracketed(env: Env, e: Expr | undefined): number | null {
  if (isAny(e)) return null;
  const ex = e as Expr;
  if (ex.kind === 'array') {
    if (ex.items.length !== 1) throw new CallError('Expected [<element>] but got multiple elements', ex);
    return env.evalr.int(ex.items[0]!);
  }
  return env.evalr.int(ex);
}
export function familyNumber(env: Env): number {
  return env.ctx.family === 6 ? env.consts.AF_INET6! : env.consts.AF_INET!;
}
export function fieldOf(s: StructExpr, name: string): FieldExpr | undefined {
  return s.fields.find((f) => f.name === name);
}
export function structArg(e: Expr | undefined, what: string): StructExpr {
  if (!e || e.kind !== 'struct') throw new CallError(`expected ${what}`, e);
  return e;
}

/** A sockaddr argument: `...` means the natural address; a struct names one; an int is a bare family (AF_UNSPEC). */
export function sockaddr(env: Env, e: Expr | undefined, natural: { ip: string; port: number }): [number, string, number] {
  if (isEllipsis(e)) return [familyNumber(env), natural.ip, natural.port];
  const v = env.evalr.value(e as Expr);
  if (typeof v === 'number') return [v, natural.ip, natural.port];
  if (v && typeof v === 'object' && !Array.isArray(v) && !Buffer.isBuffer(v)) {
    const o = v as Record<string, Value>;
    const fam = typeof o.sa_family === 'number' ? o.sa_family : typeof o.sin6_family === 'number' ? o.sin6_family : familyNumber(env);
    const port = (o.sin_port ?? o.sin6_port ?? natural.port) as number;
    const ip = (o.sin_addr ?? o.sin6_addr ?? natural.ip) as string;
    return [fam, String(ip), Number(port)];
  }
  throw new CallError('expected a socket address: ... or {sa_family=..., sin_port=htons(...), sin_addr=inet_addr("...")}', e);
}

/** `bytes` zero-padded or cut to `len`. */
export function sized(bytes: Buffer, len: number): Buffer {
  if (bytes.length === len) return bytes;
  const b = Buffer.alloc(len);
  bytes.copy(b, 0, 0, Math.min(len, bytes.length));
  return b;
}
export function int32(v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(v >>> 0, 0);
  return b;
}
