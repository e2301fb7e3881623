// How each system call of the language becomes a native call, and how its
// output arguments are checked. One entry per call name.
//
// The semantics and the failure texts are packetdrill's (its
// run_system_call.c): a handler evaluates the script's arguments into the
// op's arguments (an error there is "runtime error in X call: <text>"), and
// `check` compares what the call wrote back with the script once the engine
// has checked the return value and errno.

import type { Expr, FieldExpr, StructExpr, SyscallEvent } from '../script/ast.js';
import { nullBuffer, type NullBuffer } from '../syscalls/index.js';
import {
  CallError,
  decodeStruct,
  type CallContext,
  type CallResult,
  type Evaluator,
  type FdTable,
  type FieldLayout,
  type Value,
} from './calls.js';

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

// ---------------------------------------------------------------- arguments

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
/** `...` or `[...]`: "whatever it is". */
function isAny(e: Expr | undefined): boolean {
  return isEllipsis(e) || (e!.kind === 'array' && e!.items.length === 1 && e!.items[0]!.kind === 'ellipsis');
}
function intOr(env: Env, e: Expr | undefined, dflt: number): number {
  return isEllipsis(e) ? dflt : env.evalr.int(e as Expr);
}
/** `[N]` (packetdrill's bracketed argument) or a bare `N`; null for `...`/`[...]`. */
function bracketed(env: Env, e: Expr | undefined): number | null {
  if (isAny(e)) return null;
  const ex = e as Expr;
  if (ex.kind === 'array') {
    if (ex.items.length !== 1) throw new CallError('Expected [<element>] but got multiple elements', ex);
    return env.evalr.int(ex.items[0]!);
  }
  return env.evalr.int(ex);
}
function familyNumber(env: Env): number {
  return env.ctx.family === 6 ? env.consts.AF_INET6! : env.consts.AF_INET!;
}
function fieldOf(s: StructExpr, name: string): FieldExpr | undefined {
  return s.fields.find((f) => f.name === name);
}
function structArg(e: Expr | undefined, what: string): StructExpr {
  if (!e || e.kind !== 'struct') throw new CallError(`expected ${what}`, e);
  return e;
}

/** A sockaddr argument: `...` means the natural address; a struct names one; an int is a bare family (AF_UNSPEC). */
function sockaddr(env: Env, e: Expr | undefined, natural: { ip: string; port: number }): [number, string, number] {
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
function sized(bytes: Buffer, len: number): Buffer {
  if (bytes.length === len) return bytes;
  const b = Buffer.alloc(len);
  bytes.copy(b, 0, 0, Math.min(len, bytes.length));
  return b;
}
function int32(v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(v >>> 0, 0);
  return b;
}

/** The bytes of a setsockopt value: `[1]` an int, a string, `{l_onoff=.., l_linger=..}`. */
function optval(env: Env, e: Expr, lenExpr: Expr | undefined): Buffer {
  const len = isEllipsis(lenExpr) ? undefined : env.evalr.int(lenExpr as Expr);
  let natural: Buffer;
  if (e.kind === 'struct' && fieldOf(e, 'l_onoff')) {
    natural = Buffer.alloc(8);
    natural.writeInt32LE(env.evalr.int(fieldOf(e, 'l_onoff')!.value), 0);
    const l = fieldOf(e, 'l_linger');
    natural.writeInt32LE(l ? env.evalr.int(l.value) : 0, 4);
  } else {
    const v = env.evalr.value(e);
    if (typeof v === 'string') natural = Buffer.from(v, 'latin1');
    else if (Array.isArray(v) && v.length === 1 && typeof v[0] === 'number') natural = int32(v[0]);
    else if (typeof v === 'number') natural = int32(v);
    else throw new CallError(`unsupported setsockopt value type: ${e.kind}`, e);
  }
  return len === undefined ? natural : sized(natural, len);
}

/**
 * What a buffer argument is, as packetdrill's buffer_arg reads it: `...` a
 * buffer of the call's length, `NULL` (any integer expression worth 0) a
 * NULL pointer with that length, which the kernel gets as is and faults on
 * (EFAULT); anything else is an error in packetdrill's words. Where the call
 * sends the bytes, a string gives them (pktdrill only).
 */
type BufferSpec = { kind: 'natural' } | { kind: 'null' } | { kind: 'string'; bytes: Buffer };

function bufferSpec(env: Env, e: Expr | undefined, sends: boolean): BufferSpec {
  if (isEllipsis(e)) return { kind: 'natural' };
  const ex = e as Expr;
  if (ex.kind === 'int' || ex.kind === 'symbol' || ex.kind === 'string') {
    const v = env.evalr.value(ex);
    if (v === 0) return { kind: 'null' };
    if (sends && typeof v === 'string') return { kind: 'string', bytes: Buffer.from(v, 'latin1') };
  }
  throw new CallError('Expected ... or NULL for buffer', ex);
}

function dataLen(env: Env, spec: BufferSpec, lenExpr: Expr | undefined): number {
  if (!isEllipsis(lenExpr)) return env.evalr.int(lenExpr as Expr);
  if (spec.kind === 'string') return spec.bytes.length;
  throw new CallError(`${env.ev.name}(): give the length`);
}
/** The bytes a call sends, len of them: zeros, the string's (cut or padded), or NULL. */
function dataBuf(spec: BufferSpec, len: number): Buffer | NullBuffer {
  if (spec.kind === 'null') return nullBuffer(len);
  if (spec.kind === 'string') return sized(spec.bytes, len);
  return Buffer.alloc(len);
}
/** The buffer and length arguments (1 and 2) of write, send and sendto. */
function sentData(env: Env): Buffer | NullBuffer {
  const spec = bufferSpec(env, optArg(env, 1), true);
  return dataBuf(spec, dataLen(env, spec, optArg(env, 2)));
}
/** The buffer and length arguments (1 and 2) of read, recv and recvfrom: the room to read into, or NULL. */
function readRoom(env: Env): number | NullBuffer {
  const spec = bufferSpec(env, optArg(env, 1), false);
  const len = dataLen(env, spec, optArg(env, 2));
  return spec.kind === 'null' ? nullBuffer(len) : len;
}

// ---------------------------------------------------------------- iovecs

interface IovSpec {
  len: number;
  /** The iov_base expression: `...`, `NULL`, or a string (its bytes are sent). */
  base: Expr | undefined;
}

/** `[{iov_base=..., iov_len=N}, ...]`, or packetdrill's older `[{..., N}, ...]`. */
function iovecs(env: Env, e: Expr | undefined): IovSpec[] {
  if (!e || e.kind !== 'array') throw new CallError('expected an iovec array: [{iov_base=..., iov_len=N}, ...]', e);
  return e.items.map((item) => {
    if (item.kind !== 'struct') throw new CallError('expected an iovec: {iov_base=..., iov_len=N}', item);
    const lenExpr = fieldOf(item, 'iov_len')?.value ?? item.items?.[1];
    const base = fieldOf(item, 'iov_base')?.value ?? item.items?.[0];
    if (!lenExpr) throw new CallError('iovec needs iov_len', item);
    return { len: env.evalr.int(lenExpr), base };
  });
}
function iovBuffers(env: Env, iov: IovSpec[]): Array<Buffer | NullBuffer> {
  return iov.map((v) => dataBuf(bufferSpec(env, v.base, true), v.len));
}
function iovRooms(env: Env, iov: IovSpec[]): Array<number | NullBuffer> {
  return iov.map((v) => (bufferSpec(env, v.base, false).kind === 'null' ? nullBuffer(v.len) : v.len));
}
function checkIovCount(count: number | null, n: number, what: string): void {
  if (count !== null && count !== n) throw new CallError(`${what} ${count} does not match ${n}-element iovec array`);
}

// ---------------------------------------------------------------- msghdr and cmsgs

/** The layout of control messages on this ABI (LP64 Linux: a 16-byte header, 8-byte alignment). */
const CMSG_HDR = 16;
const CMSG_ALIGN = 8;
const cmsgLen = (n: number): number => CMSG_HDR + n;
const cmsgSpace = (n: number): number => CMSG_HDR + Math.ceil(n / CMSG_ALIGN) * CMSG_ALIGN;

const EE_FIELDS = ['ee_errno', 'ee_origin', 'ee_type', 'ee_code', 'ee_info', 'ee_data'] as const;
const SOCKADDR_IN_LEN = 16;
const SOCKADDR_IN6_LEN = 28;

/** struct scm_timestamping: three struct timespec (software, deprecated, hardware). */
const SCM_TIMESTAMPING_LEN = 3 * 16;

interface CmsgSpec {
  level: number;
  type: number;
  data:
    | { kind: 'int'; value: number }
    | { kind: 'ee'; fields: Record<(typeof EE_FIELDS)[number], number> }
    /** Script times (µs since the start) of ts[0..2]; 0: not checked. */
    | { kind: 'timestamping'; usecs: [number, number, number] };
  /** Bytes of cmsg data packetdrill sizes the message for. */
  dataLen: number;
}

interface MsgHdrSpec {
  /** msg_name(...)=... was written: the natural remote address. */
  name: boolean;
  iov: IovSpec[];
  iovlen: number | null;
  flags: number;
  control: CmsgSpec[];
}

function cmsgs(env: Env, e: Expr | undefined): CmsgSpec[] {
  if (!e) return [];
  if (e.kind !== 'array') throw new CallError('expected msg_control=[{cmsg_level=..., cmsg_type=..., cmsg_data=...}, ...]', e);
  return e.items.map((item) => {
    const s = structArg(item, '{cmsg_level=..., cmsg_type=..., cmsg_data=...}');
    const level = env.evalr.int(fieldOf(s, 'cmsg_level')?.value ?? s);
    const type = env.evalr.int(fieldOf(s, 'cmsg_type')?.value ?? s);
    const d = fieldOf(s, 'cmsg_data')?.value;
    if (!d) throw new CallError('cmsg needs cmsg_data', s);
    if (d.kind === 'struct' && fieldOf(d, 'ee_errno')) {
      const fields = {} as Record<(typeof EE_FIELDS)[number], number>;
      for (const name of EE_FIELDS) {
        const f = fieldOf(d, name);
        fields[name] = f ? env.evalr.int(f.value) : 0;
      }
      // packetdrill sizes an extended error as the kernel writes it: the
      // struct followed by the offender's address.
      const eeSize = env.evalr.layout('sock_extended_err')?.size ?? 16;
      const addrLen = level === env.consts.SOL_IP ? SOCKADDR_IN_LEN : SOCKADDR_IN6_LEN;
      return { level, type, data: { kind: 'ee', fields }, dataLen: eeSize + addrLen };
    }
    if (d.kind === 'struct' && (fieldOf(d, 'scm_sec') || fieldOf(d, 'scm_nsec'))) {
      // packetdrill's {scm_sec=S, scm_nsec=N}: the software timestamp
      // (ts[0]) at script time S s + N ns; the other two are not checked.
      const sec = fieldOf(d, 'scm_sec');
      const nsec = fieldOf(d, 'scm_nsec');
      const usecs = (sec ? env.evalr.int(sec.value) : 0) * 1e6 + Math.trunc((nsec ? env.evalr.int(nsec.value) : 0) / 1000);
      return { level, type, data: { kind: 'timestamping', usecs: [usecs, 0, 0] }, dataLen: SCM_TIMESTAMPING_LEN };
    }
    if (d.kind === 'struct' || d.kind === 'array' || d.kind === 'string') throw new CallError('Unrecognized type for cmsg_data', d);
    return { level, type, data: { kind: 'int', value: env.evalr.int(d) }, dataLen: 4 };
  });
}

function msghdr(env: Env, e: Expr | undefined): MsgHdrSpec {
  const s = structArg(e, 'a msghdr: {msg_name(...)=..., msg_iov(1)=[{iov_base=..., iov_len=N}], msg_flags=0}');
  const iovField = fieldOf(s, 'msg_iov');
  const iov = iovField ? iovecs(env, iovField.value) : [];
  const lenArg = iovField?.args?.[0];
  const iovlen = lenArg && !isEllipsis(lenArg) ? env.evalr.int(lenArg) : null;
  if (iovlen !== null && iovlen !== iov.length) {
    throw new CallError(`msg_iovlen ${iovlen} does not match ${iov.length}-element iovec array`, iovField);
  }
  const flagsField = fieldOf(s, 'msg_flags');
  return {
    name: !!fieldOf(s, 'msg_name'),
    iov,
    iovlen,
    flags: flagsField ? env.evalr.int(flagsField.value) : 0,
    control: cmsgs(env, fieldOf(s, 'msg_control')?.value),
  };
}

function hex8(v: number): string {
  return (v >>> 0).toString(16).toUpperCase().padStart(8, '0');
}

/** packetdrill's cmsg_expect_eq, in its words. */
function checkCmsgs(env: Env, expected: CmsgSpec[], actual: NonNullable<CallResult['cmsgs']>): string | null {
  let i = 0;
  for (; i < expected.length && i < actual.length; i++) {
    const e = expected[i]!;
    const a = actual[i]!;
    if (a.level !== e.level) return `Bad level in cmsg ${i}: expected=${e.level} actual=${a.level}`;
    if (a.type !== e.type) return `Bad type in cmsg ${i}: expected=${e.type} actual=${a.type}`;
    const elen = cmsgLen(e.dataLen);
    if (a.len !== elen) return `Bad len in cmsg ${i}: expected=${elen} actual=${a.len}`;
    if (e.data.kind === 'timestamping') {
      const start = env.ctx.startRealtimeUsecs();
      const tolerance = env.ctx.toleranceUsecs;
      for (let t = 0; t < 3; t++) {
        const want = e.data.usecs[t]!;
        if (want === 0) continue;
        const exp = start + want;
        const act = a.data.length >= (t + 1) * 16 ? Number(a.data.readBigInt64LE(t * 16)) * 1e6 + Math.trunc(Number(a.data.readBigInt64LE(t * 16 + 8)) / 1000) : 0;
        if (Math.abs(exp - act) > tolerance) {
          return `Bad timestamp ${t} in scm_timestamping ${i}: expected=${exp} (${exp - start}) actual=${act} (${act - start}) start=${start}`;
        }
      }
    } else if (e.data.kind === 'ee') {
      const layout = env.evalr.layout('sock_extended_err');
      const got = layout ? decodeStruct(a.data, layout.fields) : {};
      for (const name of EE_FIELDS) {
        const want = e.data.fields[name] >>> 0;
        const have = Number(got[name] ?? 0);
        if (have !== want) return `Bad ${name.slice(3)} in extended err ${i}: expected=${want} actual=${have}`;
      }
    } else {
      const have = a.data.length >= 4 ? a.data.readInt32LE(0) : NaN;
      if (have !== e.data.value) return `Bad data in cmsg ${i}: expected=${e.data.value} actual=${a.data.length >= 4 ? have : `0x${a.data.toString('hex')}`}`;
    }
  }
  if (i < actual.length) return `received more than ${i} cmsgs`;
  if (i < expected.length) return `received only ${i} cmsgs`;
  return null;
}

// ---------------------------------------------------------------- poll and epoll

/** packetdrill's names for poll bits, in its table's order (first match wins). */
const POLL_NAMES = [
  'POLLIN',
  'POLLPRI',
  'POLLOUT',
  'POLLRDNORM',
  'POLLRDBAND',
  'POLLWRNORM',
  'POLLWRBAND',
  'POLLMSG',
  'POLLREMOVE',
  'POLLRDHUP',
  'POLLERR',
  'POLLHUP',
  'POLLNVAL',
];

/** packetdrill's flags_to_string: each set bit, low to high, by name ("???" if unnamed), joined by |; "" for none. */
export function pollFlagsToString(flags: number, consts: Record<string, number>): string {
  const out: string[] = [];
  for (let bit = 0; bit < 32; bit++) {
    const mask = 2 ** bit;
    if (Math.floor(flags / mask) % 2 === 0) continue;
    out.push(POLL_NAMES.find((n) => consts[n] === mask) ?? '???');
  }
  return out.join('|');
}

interface EpollEventSpec {
  events: number;
  /** Which member of epoll_data the script named. */
  kind: 'fd' | 'ptr' | 'u32' | 'u64';
  /** The script's value: a script fd for `fd`. */
  value: bigint;
}

function epollEvent(env: Env, e: Expr | undefined): EpollEventSpec {
  const s = structArg(e, 'an epoll_event: {events=..., fd=N}');
  const ev = fieldOf(s, 'events');
  if (!ev) throw new CallError('epoll_event specified incorrectly', s);
  const events = env.evalr.int(ev.value) >>> 0;
  for (const kind of ['ptr', 'fd', 'u32', 'u64'] as const) {
    const f = fieldOf(s, kind);
    if (!f) continue;
    const v = env.evalr.value(f.value);
    if (typeof v !== 'number' && typeof v !== 'bigint') throw new CallError(`epoll_event ${kind} must be an integer`, f);
    return { events, kind, value: BigInt(v) };
  }
  throw new CallError('epoll_event specified incorrectly', s);
}

/** The epoll_data the kernel holds for a script event: fds become live fds. */
function epollData(env: Env, spec: EpollEventSpec): bigint {
  if (spec.kind === 'fd') return BigInt(env.fds.live(Number(spec.value)) >>> 0);
  if (spec.kind === 'u32') return spec.value & 0xffffffffn;
  return BigInt.asUintN(64, spec.value);
}

// ---------------------------------------------------------------- getsockopt values

/** getsockopt(TCP_INFO) and %{ }% read at most this much of struct tcp_info. */
export const TCP_INFO_MAX = 512;

type OptvalKind =
  | { kind: 'any' }
  | { kind: 'int'; expr: Expr }
  | { kind: 'string'; bytes: Buffer }
  | { kind: 'linger'; onoff: number; linger: number }
  | { kind: 'tcp_info'; fields: Array<{ name: string; value: bigint; expr: Expr }> };

function getsockoptValue(env: Env, e: Expr | undefined): OptvalKind {
  if (isAny(e)) return { kind: 'any' };
  const ex = e as Expr;
  if (ex.kind === 'string' || ex.kind === 'symbol') {
    const v = env.evalr.value(ex);
    if (typeof v === 'string') return { kind: 'string', bytes: Buffer.from(v, 'latin1') };
  }
  if (ex.kind === 'array') {
    if (ex.items.length !== 1) throw new CallError('Expected [<element>] but got multiple elements', ex);
    return { kind: 'int', expr: ex.items[0]! };
  }
  if (ex.kind === 'struct' && fieldOf(ex, 'l_onoff')) {
    const l = fieldOf(ex, 'l_linger');
    return { kind: 'linger', onoff: env.evalr.int(fieldOf(ex, 'l_onoff')!.value), linger: l ? env.evalr.int(l.value) : 0 };
  }
  if (ex.kind === 'struct' && ex.fields.length > 0 && ex.fields.every((f) => f.name.startsWith('tcpi_'))) {
    const layout = env.evalr.layout('tcp_info')?.fields;
    const fields = ex.fields.map((f) => {
      if (layout && !layout[f.name]) throw new CallError(`unknown struct tcp_info field '${f.name}'`, f);
      const v = env.evalr.value(f.value);
      if (typeof v !== 'number' && typeof v !== 'bigint') throw new CallError(`${f.name} must be an integer`, f);
      return { name: f.name, value: BigInt(v), expr: f as Expr };
    });
    return { kind: 'tcp_info', fields };
  }
  throw new CallError(`unsupported getsockopt value type: ${ex.kind}`, ex);
}

/** packetdrill's to_printable_string: printable ASCII as is, the rest as \xhh; a final NUL dropped. */
function printable(b: Buffer): string {
  let s = '';
  for (let i = 0; i < b.length; i++) {
    const c = b[i]!;
    if (c === 0 && i === b.length - 1) break;
    s += c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : `\\x${c.toString(16).padStart(2, '0')}`;
  }
  return s;
}

function checkGetsockopt(env: Env, val: OptvalKind, scriptOptlen: number | null, res: CallResult): string | null {
  if (res.ret < 0 || !res.data) return null;
  if (scriptOptlen !== null && res.optlen !== scriptOptlen) {
    return `Bad getsockopt optlen: expected: ${scriptOptlen} actual: ${res.optlen}`;
  }
  const data = res.data;
  switch (val.kind) {
    case 'any':
      return null;
    case 'string': {
      const want = printable(val.bytes);
      if (scriptOptlen !== null && scriptOptlen !== val.bytes.length) {
        return `Bad getsockopt optval: expected optlen (${scriptOptlen} bytes) does not match length of expected optval string '${want}' (${val.bytes.length} bytes)`;
      }
      // Without an optlen to hold it to, the kernel's trailing NULs do not count.
      const have = scriptOptlen !== null ? data.subarray(0, scriptOptlen) : data.subarray(0, data.length - (/\0*$/.exec(data.toString('latin1'))?.[0].length ?? 0));
      if (!have.equals(val.bytes)) return `Bad getsockopt optval: expected: '${want}' actual: '${printable(have)}'`;
      return null;
    }
    case 'int': {
      if (scriptOptlen !== null && scriptOptlen !== 4) return `Unsupported getsockopt optlen: ${scriptOptlen}`;
      if (isAny(val.expr)) return null;
      const want = env.evalr.int(val.expr);
      const have = data.length >= 4 ? data.readInt32LE(0) : data.length > 0 ? data.readUIntLE(0, data.length) : 0;
      // Compared as 32-bit values, as the C int they are: [0xffffffff] is -1.
      if (have >>> 0 !== want >>> 0) return `Bad getsockopt optval: expected: ${want} actual: ${have}`;
      return null;
    }
    case 'linger': {
      const onoff = data.length >= 4 ? data.readInt32LE(0) : 0;
      const linger = data.length >= 8 ? data.readInt32LE(4) : 0;
      if (onoff !== val.onoff || linger !== val.linger) {
        return `Bad getsockopt optval: expected: {l_onoff=${val.onoff}, l_linger=${val.linger}} actual: {l_onoff=${onoff}, l_linger=${linger}}`;
      }
      return null;
    }
    case 'tcp_info': {
      const layout = env.evalr.layout('tcp_info');
      if (!layout) return 'struct tcp_info layout unknown (native addon too old)';
      const info = decodeStruct(data, layout.fields);
      for (const f of val.fields) {
        const have = info[f.name];
        if (have === undefined) return `Bad getsockopt TCP_INFO ${f.name}: the kernel returned ${data.length} bytes of struct tcp_info, without it`;
        if (BigInt(have) !== f.value) return `Bad getsockopt TCP_INFO ${f.name}: expected: ${f.value} actual: ${have}`;
      }
      return null;
    }
  }
}

// ---------------------------------------------------------------- the table

/** socket() and accept() make the socket under test (what %{ }% code reads). */
function underTest(env: Env): (res: CallResult) => null {
  return (res) => {
    if (res.ret >= 0) env.fds.socketUnderTest = res.ret;
    return null;
  };
}

const handlers: Record<string, Handler> = {
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
  // read(fd, ..., len); the buffer of these six calls is `...`, or `NULL`
  // for a NULL pointer with that length (EFAULT); a write's may be a string.
  read: (env) => ({ op: 'read', args: [fd(env), readRoom(env)] }),
  write: (env) => ({ op: 'write', args: [fd(env), sentData(env)] }),
  send: (env) => ({ op: 'send', args: [fd(env), sentData(env), intOr(env, optArg(env, 3), 0)] }),
  recv: (env) => ({ op: 'recv', args: [fd(env), readRoom(env), intOr(env, optArg(env, 3), 0)] }),
  // sendto(fd, ..., len, flags, ..., ...): the address is the remote one, so
  // MSG_FASTOPEN on a new socket connects with data.
  sendto: (env) => ({
    op: 'sendto',
    args: [fd(env), sentData(env), intOr(env, optArg(env, 3), 0), ...sockaddr(env, optArg(env, 4), { ip: env.ctx.remoteIp, port: env.ctx.connectPort })],
  }),
  recvfrom: (env) => ({ op: 'recvfrom', args: [fd(env), readRoom(env), intOr(env, optArg(env, 3), 0)] }),

  // readv(fd, [{iov_base=..., iov_len=N}, ...], iovcnt)
  readv: (env) => {
    const iov = iovecs(env, optArg(env, 1));
    checkIovCount(bracketed(env, optArg(env, 2)), iov.length, 'iov_count');
    return { op: 'readv', args: [fd(env), iovRooms(env, iov)] };
  },
  writev: (env) => {
    const iov = iovecs(env, optArg(env, 1));
    checkIovCount(bracketed(env, optArg(env, 2)), iov.length, 'iov_count');
    return { op: 'writev', args: [fd(env), iovBuffers(env, iov)] };
  },

  // sendmsg(fd, {msg_name(...)=..., msg_iov(1)=[...], msg_flags=0[, msg_control=[...]]}, flags)
  sendmsg: (env) => {
    const msg = msghdr(env, optArg(env, 1));
    if (msg.flags !== 0) throw new CallError('sendmsg ignores msg_flags field in msghdr', optArg(env, 1));
    const control = msg.control.map((c) => {
      if (c.data.kind !== 'int') throw new CallError('sendmsg: only integer cmsg_data is supported', optArg(env, 1));
      return { level: c.level, type: c.type, data: int32(c.data.value) };
    });
    const args: unknown[] = [fd(env), iovBuffers(env, msg.iov), intOr(env, optArg(env, 2), 0), control];
    if (msg.name) args.push(...sockaddr(env, undefined, { ip: env.ctx.remoteIp, port: env.ctx.connectPort }));
    return { op: 'sendmsg', args };
  },
  // recvmsg(fd, {...}, flags): msg_flags and the control messages are checked.
  recvmsg: (env) => {
    const msg = msghdr(env, optArg(env, 1));
    const controllen = msg.control.reduce((n, c) => n + cmsgSpace(c.dataLen), 0);
    return {
      op: 'recvmsg',
      args: [fd(env), iovRooms(env, msg.iov), intOr(env, optArg(env, 2), 0), controllen],
      check: (res) => {
        if (res.ret < 0) return null;
        const flags = res.msgFlags ?? 0;
        if (flags !== msg.flags) return `Expected msg_flags 0x${hex8(msg.flags)} but got 0x${hex8(flags)}`;
        return checkCmsgs(env, msg.control, res.cmsgs ?? []);
      },
    };
  },

  setsockopt: (env) => ({
    op: 'setsockopt',
    args: [fd(env), env.evalr.int(arg(env, 1)), env.evalr.int(arg(env, 2)), optval(env, arg(env, 3), optArg(env, 4))],
  }),
  // getsockopt(fd, level, name, value, [optlen]): optlen first, then the
  // value: [int], "string", {l_onoff=.., l_linger=..}, or for TCP_INFO the
  // struct tcp_info members the script names, each compared.
  getsockopt: (env) => {
    const scriptOptlen = bracketed(env, optArg(env, 4));
    const val = getsockoptValue(env, optArg(env, 3));
    const natural = val.kind === 'tcp_info' ? TCP_INFO_MAX : val.kind === 'linger' ? 8 : val.kind === 'string' ? Math.max(val.bytes.length, 4) : 4;
    return {
      op: 'getsockopt',
      args: [fd(env), env.evalr.int(arg(env, 1)), env.evalr.int(arg(env, 2)), scriptOptlen ?? natural],
      check: (res) => checkGetsockopt(env, val, scriptOptlen, res),
    };
  },
  fcntl: (env) => ({ op: 'fcntl', args: [fd(env), env.evalr.int(arg(env, 1)), intOr(env, optArg(env, 2), 0)] }),
  // ioctl(fd, SIOCINQ, [N]): the int the kernel wrote is checked.
  ioctl: (env) => {
    const want = env.ev.args.length >= 3 ? bracketed(env, optArg(env, 2)) : null;
    return {
      op: 'ioctl_int',
      args: [fd(env), env.evalr.int(arg(env, 1))],
      check: (res) => (res.ret < 0 || want === null || res.value === want ? null : `Bad ioctl optval: expected: ${want} actual: ${res.value}`),
    };
  },

  // poll([{fd=3, events=POLLIN, revents=POLLIN}, ...], nfds, timeout)
  poll: (env) => {
    const list = arg(env, 0);
    if (list.kind !== 'array') throw new CallError('expected a pollfd array: [{fd=N, events=..., revents=...}, ...]', list);
    const pollfds = list.items.map((item) => {
      const s = structArg(item, 'a pollfd: {fd=N, events=..., revents=...}');
      const f = fieldOf(s, 'fd');
      const ev = fieldOf(s, 'events');
      if (!f || !ev) throw new CallError('a pollfd needs fd and events', s);
      const rev = fieldOf(s, 'revents');
      return { fd: env.fds.live(env.evalr.int(f.value)), events: env.evalr.int(ev.value), revents: rev ? env.evalr.int(rev.value) : 0 };
    });
    const nfds = env.evalr.int(arg(env, 1));
    if (nfds !== pollfds.length) throw new CallError(`nfds ${nfds} does not match ${pollfds.length}-element pollfd array`, arg(env, 1));
    return {
      op: 'poll',
      args: [pollfds.map((p) => ({ fd: p.fd, events: p.events })), env.evalr.int(arg(env, 2))],
      check: (res) => {
        const got = res.revents ?? [];
        for (let i = 0; i < pollfds.length; i++) {
          const want = pollfds[i]!.revents;
          const have = got[i] ?? 0;
          if (have !== want) {
            return `Expected revents of ${pollFlagsToString(want, env.consts)} but got ${pollFlagsToString(have, env.consts)} for pollfd ${i}`;
          }
        }
        return null;
      },
    };
  },

  epoll_create: (env) => ({ op: 'epoll_create', args: [env.evalr.int(arg(env, 0))] }),
  // epoll_ctl(epfd, op, fd, {events=..., fd=fd}): the data is the live fd.
  epoll_ctl: (env) => {
    const scriptFd = env.evalr.int(arg(env, 2));
    const ev = epollEvent(env, arg(env, 3));
    if (ev.kind === 'fd' && Number(ev.value) !== scriptFd) throw new CallError('wrong fd specified in epoll_event', arg(env, 3));
    return { op: 'epoll_ctl', args: [fd(env), env.evalr.int(arg(env, 1)), env.fds.live(scriptFd), ev.events, epollData(env, ev)] };
  },
  // epoll_wait(epfd, {events=..., fd=N}, maxevents, timeout): the first
  // event returned (zeros if none) must match.
  epoll_wait: (env) => {
    const ev = epollEvent(env, arg(env, 1));
    const want = epollData(env, ev);
    return {
      op: 'epoll_wait',
      args: [fd(env), env.evalr.int(arg(env, 2)), env.evalr.int(arg(env, 3))],
      check: (res) => {
        const first = res.events?.[0] ?? { events: 0, data: 0n };
        const events = first.events >>> 0;
        if (events !== ev.events) {
          return `epoll_event->events does not match script: expected: 0x${ev.events.toString(16)} actual: 0x${events.toString(16)}`;
        }
        const data = BigInt(first.data);
        switch (ev.kind) {
          case 'fd': {
            // Shown as script fds (packetdrill shows its live ones).
            const live = Number(BigInt.asIntN(32, data));
            if (live !== Number(want)) {
              const shown = env.fds.scriptFd(live) ?? live;
              return `epoll_event->data does not match script: expected: ${ev.value} actual: ${shown}`;
            }
            return null;
          }
          case 'u32':
            if ((data & 0xffffffffn) !== want) return `epoll_event->data does not match script: expected: ${want} actual: ${data & 0xffffffffn}`;
            return null;
          case 'ptr':
            if (data !== want) return `epoll_event->data does not match script: expected: 0x${want.toString(16)} actual: 0x${data.toString(16)}`;
            return null;
          case 'u64':
            if (data !== want) return `epoll_event->data does not match script: expected: ${want} actual: ${data}`;
            return null;
        }
      },
    };
  },

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

export function prepareCall(ev: SyscallEvent, ctx: CallContext, fds: FdTable, evalr: Evaluator, consts: Record<string, number>): PreparedCall {
  const h = handlers[ev.name];
  if (!h) throw new CallError(`system call '${ev.name}' is not supported yet`);
  return h({ ev, ctx, fds, evalr, consts });
}

export function supportedCalls(): string[] {
  return Object.keys(handlers);
}

export type { FieldLayout };
