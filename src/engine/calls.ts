// System call events: evaluate the script's arguments, make the real call
// through the native addon, and compare what came back with the script.

import type { Expr } from '../script/ast.js';

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
  /** readv, recvmsg: the bytes read, split over the iovecs. */
  iov?: Buffer[];
  /** recvmsg: msg_flags as the kernel left it. */
  msgFlags?: number;
  /** recvmsg: each control message (`len` is its cmsg_len). */
  cmsgs?: Array<{ level: number; type: number; len: number; data: Buffer }>;
}

/** Where one member of a kernel struct lives (the addon's layouts). */
export interface FieldLayout {
  offset: number;
  size: number;
  shift?: number;
  bits?: number;
}

/** The addon as the engine sees it (src/syscalls/index.ts provides it). */
export interface Syscalls {
  invoke(op: string, args: unknown[]): CallResult;
  invokeAsync(op: string, args: unknown[]): Promise<CallResult>;
  constants: Record<string, number>;
  strerror(errno: number): string;
  errnoName(errno: number): string;
  /** struct tcp_info member by member, from the kernel headers (the addon provides it). */
  tcp_info_layout?: Readonly<Record<string, FieldLayout>>;
  /** tcp_info, tcp_bbr_info, tcp_dctcp_info, tcpvegas_info, sock_extended_err. */
  layouts?: Readonly<Record<string, { size: number; fields: Readonly<Record<string, FieldLayout>> }>>;
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
  /** The script's start as CLOCK_REALTIME µs (kernel timestamps are realtime), once the clock runs. */
  startRealtimeUsecs: () => number;
  /** The timing tolerance, for timestamps the kernel reports (SCM_TIMESTAMPING). */
  toleranceUsecs: number;
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
  /**
   * packetdrill's "socket under test" (the socket %{ }% code blocks read
   * TCP_INFO from), as a live fd: the last socket that socket() created or
   * accept() returned. A close does not change it.
   */
  socketUnderTest: number | null = null;

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
  /** The script fd a live fd is known by, if any. */
  scriptFd(liveFd: number): number | undefined {
    for (const [script, live] of this.toLive) if (live === liveFd) return script;
    return undefined;
  }
}

/**
 * packetdrill's unescaping of a string argument: `\\ \" \f \n \r \t \v`
 * and `\xHH`; anything else after a backslash is an error, in packetdrill's
 * words. The result holds one char per byte (latin1).
 *
 * (packetdrill's own switch falls through from `\\` and `\"` to `\f`, so
 * there both become a form feed; here they mean what they say.)
 */
export function unescapeString(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const e = text[++i];
    switch (e) {
      case '\\':
        out += '\\';
        break;
      case '"':
        out += '"';
        break;
      case 'f':
        out += '\f';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 't':
        out += '\t';
        break;
      case 'v':
        out += '\v';
        break;
      case 'x': {
        const hex = text.slice(i + 1, i + 3);
        if (!/^[0-9a-fA-F]{2}$/.test(hex)) throw new CallError(`invalid hex escape (\\xhh): '\\x${text.slice(i + 1)}'`);
        out += String.fromCharCode(parseInt(hex, 16));
        i += 2;
        break;
      }
      default:
        throw new CallError(`unsupported escape code: '${e ?? ''}'`);
    }
  }
  return out;
}

export type Value = number | bigint | string | Buffer | Value[] | { [k: string]: Value } | null;

/**
 * A kernel struct's members from its bytes, by layout: u8/u16/u32 as
 * numbers, u64 as bigints, bit-fields as their value. Members the buffer
 * does not reach (an older kernel returned a shorter struct) are left out.
 */
export function decodeStruct(buf: Buffer, fields: Readonly<Record<string, FieldLayout>>): Record<string, number | bigint> {
  const out: Record<string, number | bigint> = {};
  for (const [name, f] of Object.entries(fields)) {
    if (f.offset + f.size > buf.length) continue;
    switch (f.size) {
      case 1: {
        const byte = buf.readUInt8(f.offset);
        out[name] = f.bits ? (byte >> (f.shift ?? 0)) & ((1 << f.bits) - 1) : byte;
        break;
      }
      case 2:
        out[name] = buf.readUInt16LE(f.offset);
        break;
      case 4:
        out[name] = buf.readUInt32LE(f.offset);
        break;
      case 8:
        out[name] = buf.readBigUInt64LE(f.offset);
        break;
    }
  }
  return out;
}

export class Evaluator {
  constructor(
    private readonly sys: Syscalls,
    private readonly defines: Record<string, string>,
  ) {}

  /** A kernel struct's layout from the addon (undefined if it has none). */
  layout(name: string): { size: number; fields: Readonly<Record<string, FieldLayout>> } | undefined {
    const l = this.sys.layouts?.[name];
    if (l) return l;
    if (name === 'tcp_info' && this.sys.tcp_info_layout) return { size: 0, fields: this.sys.tcp_info_layout };
    return undefined;
  }

  symbol(name: string, expr?: Expr): number {
    const c = this.sys.constants[name];
    if (c !== undefined) return c;
    const d = this.defines[name];
    if (d !== undefined) {
      const n = Number(d);
      if (Number.isFinite(n)) return n;
      // -D PROTO=IPPROTO_TCP: a define naming a constant.
      const named = this.sys.constants[d];
      if (named !== undefined) return named;
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
        try {
          return unescapeString(e.value);
        } catch (err) {
          if (err instanceof CallError) throw new CallError(err.message, e);
          throw err;
        }
      case 'symbol': {
        // packetdrill's -D NAME="text" defines a string symbol.
        const d = this.sys.constants[e.name] === undefined ? this.defines[e.name] : undefined;
        if (d !== undefined && d.length >= 2 && d.startsWith('"') && d.endsWith('"')) {
          return this.value({ kind: 'string', value: d.slice(1, -1), ellipsis: false, span: e.span });
        }
        return this.symbol(e.name, e);
      }
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
