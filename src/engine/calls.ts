// System call events: evaluate the script's arguments, make the real call
// through the native addon, and compare what came back with the script.

import type { Expr, SyscallEvent } from '../script/ast.js';

/** What the native addon returns for one call. */
export interface CallResult {
  ret: number;
  errno: number;
  startNs: bigint;
  endNs: bigint;
  data?: Buffer;
  addr?: { family: 'inet' | 'inet6'; address: string; port: number };
  value?: number;
  revents?: number[];
  fds?: number[];
  events?: Array<{ events: number; data: bigint }>;
  optlen?: number;
}

/** The addon as the engine sees it (src/syscalls/index.ts provides it). */
export interface Syscalls {
  invoke(op: string, args: unknown[]): CallResult;
  invokeAsync(op: string, args: unknown[]): Promise<CallResult>;
  constants: Record<string, number>;
  strerror(errno: number): string;
  errnoName(errno: number): string;
}

/** What a call needs from the rest of the run. */
export interface CallContext {
  family: 4 | 6;
  /** Address strings as the socket API sees them (IPv4-mapped in that mode). */
  localIp: string;
  remoteIp: string;
  bindPort: number;
  connectPort: number;
  defines: Record<string, string>;
}

export class CallError extends Error {
  constructor(
    message: string,
    readonly expr?: Expr,
  ) {
    super(message);
  }
}

/** An invalid fd for script fds that were never opened: the kernel answers EBADF. */
const INVALID_FD = 1 << 20;

/** Script fd numbers ↔ live fds. Script fds are what the script wrote (3, 4, ...). */
export class FdTable {
  private readonly toLive = new Map<number, number>();

  live(scriptFd: number): number {
    return this.toLive.get(scriptFd) ?? (scriptFd < 0 ? scriptFd : INVALID_FD);
  }
  bind(scriptFd: number, liveFd: number): void {
    this.toLive.set(scriptFd, liveFd);
  }
  forget(scriptFd: number): void {
    this.toLive.delete(scriptFd);
  }
  liveFds(): number[] {
    return [...this.toLive.values()];
  }
}

export type Value = number | bigint | string | Buffer | Value[] | { [k: string]: Value } | null;

export class Evaluator {
  constructor(
    private readonly sys: Syscalls,
    private readonly defines: Record<string, string>,
  ) {}

  symbol(name: string, expr?: Expr): number {
    const c = this.sys.constants[name];
    if (c !== undefined) return c;
    const d = this.defines[name];
    if (d !== undefined) {
      const n = Number(d);
      if (Number.isFinite(n)) return n;
    }
    throw new CallError(`unknown symbol '${name}'`, expr);
  }

  /** Evaluate to a plain value; `...` yields null (the caller fills it in). */
  value(e: Expr): Value {
    switch (e.kind) {
      case 'int':
        return e.value >= BigInt(Number.MIN_SAFE_INTEGER) && e.value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(e.value) : e.value;
      case 'ellipsis':
        return null;
      case 'string':
        return e.value;
      case 'symbol':
        return this.symbol(e.name, e);
      case 'or': {
        const l = this.int(e.left);
        const r = this.int(e.right);
        return Number(BigInt(l) | BigInt(r));
      }
      case 'array':
        return e.items.map((i) => this.value(i));
      case 'struct': {
        const o: { [k: string]: Value } = {};
        for (const f of e.fields) o[f.name] = this.value(f.value);
        return o;
      }
      case 'field':
        return this.value(e.value);
      case 'call':
        return this.fn(e.name, e.args, e);
    }
  }

  int(e: Expr): number {
    const v = this.value(e);
    if (typeof v === 'number') return v;
    if (typeof v === 'bigint') return Number(v);
    if (Array.isArray(v) && v.length === 1 && typeof v[0] === 'number') return v[0];
    throw new CallError('expected an integer', e);
  }

  private fn(name: string, args: Expr[], e: Expr): Value {
    switch (name) {
      case 'htons':
      case 'htonl':
      case 'ntohs':
      case 'ntohl':
        // Values stay in host order here; sockaddr building does the byte order.
        return this.int(args[0] as Expr);
      case 'inet_addr':
      case 'inet6_addr':
      case 'inet_pton': {
        const a = args[args.length - 1];
        const v = a ? this.value(a) : null;
        if (typeof v !== 'string') throw new CallError(`${name}() takes an address string`, e);
        return v;
      }
      default:
        throw new CallError(`unknown function '${name}'`, e);
    }
  }
}

/** Which calls hand out a new fd that the script numbers. */
export const FD_RETURNING = new Set(['socket', 'accept', 'accept4', 'open', 'epoll_create', 'epoll_create1']);

export function isBlockingTime(ev: SyscallEvent): boolean {
  return ev.time.kind === 'blocking';
}
