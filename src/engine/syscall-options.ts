// The calls that set and read socket and file options: setsockopt,
// getsockopt (its value and optlen checked as packetdrill checks them),
// fcntl and ioctl.

import type { Expr } from '../script/ast.js';
import { CallError, decodeStruct, type CallResult } from './calls.js';
import { arg, bracketed, fd, fieldOf, int32, intOr, isAny, isEllipsis, optArg, sized, type Env, type Handler } from './syscall-args.js';

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

// ---------------------------------------------------------------- the calls

export const optionCalls: Record<string, Handler> = {
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
};
