// The calls that move data: read, write, send, recv, sendto, recvfrom, their
// iovec forms readv and writev, and sendmsg and recvmsg with their control
// messages (checked in packetdrill's words).

import type { Expr } from '../script/ast.js';
import { nullBuffer, type NullBuffer } from '../syscalls/index.js';
import { CallError, decodeStruct, type CallResult } from './calls.js';
import { bracketed, fd, fieldOf, int32, intOr, isEllipsis, optArg, sized, sockaddr, structArg, type Env, type Handler } from './syscall-args.js';

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

// ---------------------------------------------------------------- the calls

export const dataCalls: Record<string, Handler> = {
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
};
