/**
 * TCP options (RFC 9293 §3.2 and the option registry), as a discriminated union.
 *
 * Parsing is lossless: an option of a known kind with a length that kind never
 * has comes back as `{ kind: 'unknown', type, data }`, so re-emitting it gives
 * the same bytes. Structural damage (a length byte of 0 or 1, an option running
 * past the end, a missing length byte) is an error value.
 *
 * Padding: `emitOptions` pads to a multiple of 4 with NOP (kind 1), as Linux
 * does after a Fast Open cookie, so the padding stays visible as options on
 * re-parse; if the list ends in EOL, the padding after it is zeros (RFC 9293:
 * the padding is composed of zeros). packetdrill itself never pads: a script
 * option list whose length is not a multiple of 4 is a semantic error there;
 * a checker that wants that rule can test `optionsLength(list) % 4`.
 */
import { checkUint, fail, ok, type Result } from './result.js';

export const TCPOPT_EOL = 0;
export const TCPOPT_NOP = 1;
export const TCPOPT_MSS = 2;
export const TCPOPT_WSCALE = 3;
export const TCPOPT_SACK_PERMITTED = 4;
export const TCPOPT_SACK = 5;
export const TCPOPT_TIMESTAMP = 8;
export const TCPOPT_MD5 = 19;
export const TCPOPT_FASTOPEN = 34;
/** RFC 6994 shared experimental kind; with magic 0xF989 it carries a Fast Open cookie (pre-RFC 7413 form). */
export const TCPOPT_EXP = 254;
export const TCPOPT_FASTOPEN_MAGIC = 0xf989;

/** The most option bytes a TCP header can carry (data offset 15 → 60 - 20). */
export const MAX_TCP_OPTION_BYTES = 40;

export interface SackBlock {
  start: number;
  end: number;
}

export type TcpOption =
  | { kind: 'eol' }
  | { kind: 'nop' }
  | { kind: 'mss'; value: number }
  | { kind: 'wscale'; value: number }
  | { kind: 'sackOK' }
  | { kind: 'sack'; blocks: SackBlock[] }
  | { kind: 'timestamp'; val: number; ecr: number }
  /** `exp`: sent as kind 254 with magic 0xF989 rather than kind 34. */
  | { kind: 'fastopen'; cookie: Uint8Array; exp: boolean }
  | { kind: 'md5'; digest: Uint8Array }
  | { kind: 'unknown'; type: number; data: Uint8Array };

const be32 = (b: Uint8Array, i: number): number =>
  ((b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!) >>> 0;

/**
 * Parse an option area. Stops at EOL (reported as `{ kind: 'eol' }`; what
 * follows it is padding and is not reported). Byte arrays in the result are
 * views into `bytes`.
 */
export function parseOptions(bytes: Uint8Array): Result<TcpOption[]> {
  const out: TcpOption[] = [];
  let i = 0;
  const n = bytes.length;
  while (i < n) {
    const type = bytes[i]!;
    if (type === TCPOPT_EOL) {
      out.push({ kind: 'eol' });
      break;
    }
    if (type === TCPOPT_NOP) {
      out.push({ kind: 'nop' });
      i++;
      continue;
    }
    if (i + 1 >= n) return fail(`tcp option ${type} at offset ${i}: no length byte`);
    const len = bytes[i + 1]!;
    if (len < 2) return fail(`tcp option ${type} at offset ${i}: length ${len} < 2`);
    if (i + len > n) return fail(`tcp option ${type} at offset ${i}: length ${len} runs past the ${n}-byte option area`);
    const d = i + 2; // data start
    let opt: TcpOption | null = null;
    switch (type) {
      case TCPOPT_MSS:
        if (len === 4) opt = { kind: 'mss', value: (bytes[d]! << 8) | bytes[d + 1]! };
        break;
      case TCPOPT_WSCALE:
        if (len === 3) opt = { kind: 'wscale', value: bytes[d]! };
        break;
      case TCPOPT_SACK_PERMITTED:
        if (len === 2) opt = { kind: 'sackOK' };
        break;
      case TCPOPT_SACK:
        if ((len - 2) % 8 === 0) {
          const blocks: SackBlock[] = [];
          for (let k = d; k < i + len; k += 8) blocks.push({ start: be32(bytes, k), end: be32(bytes, k + 4) });
          opt = { kind: 'sack', blocks };
        }
        break;
      case TCPOPT_TIMESTAMP:
        if (len === 10) opt = { kind: 'timestamp', val: be32(bytes, d), ecr: be32(bytes, d + 4) };
        break;
      case TCPOPT_MD5:
        opt = { kind: 'md5', digest: bytes.subarray(d, i + len) };
        break;
      case TCPOPT_FASTOPEN:
        opt = { kind: 'fastopen', cookie: bytes.subarray(d, i + len), exp: false };
        break;
      case TCPOPT_EXP:
        if (len >= 4 && ((bytes[d]! << 8) | bytes[d + 1]!) === TCPOPT_FASTOPEN_MAGIC)
          opt = { kind: 'fastopen', cookie: bytes.subarray(d + 2, i + len), exp: true };
        break;
    }
    out.push(opt ?? { kind: 'unknown', type, data: bytes.subarray(d, i + len) });
    i += len;
  }
  return ok(out);
}

/** Bytes one option takes on the wire. */
export function optionLength(o: TcpOption): number {
  switch (o.kind) {
    case 'eol':
    case 'nop':
      return 1;
    case 'mss':
      return 4;
    case 'wscale':
      return 3;
    case 'sackOK':
      return 2;
    case 'sack':
      return 2 + 8 * o.blocks.length;
    case 'timestamp':
      return 10;
    case 'fastopen':
      return (o.exp ? 4 : 2) + o.cookie.length;
    case 'md5':
      return 2 + o.digest.length;
    case 'unknown':
      return 2 + o.data.length;
  }
}

/** Bytes the list takes before padding. */
export function optionsLength(options: readonly TcpOption[]): number {
  let n = 0;
  for (const o of options) n += optionLength(o);
  return n;
}

/** Bytes the list takes after padding to a multiple of 4. */
export function paddedOptionsLength(options: readonly TcpOption[]): number {
  return (optionsLength(options) + 3) & ~3;
}

const put32 = (b: Uint8Array, i: number, v: number): void => {
  b[i] = v >>> 24;
  b[i + 1] = (v >>> 16) & 0xff;
  b[i + 2] = (v >>> 8) & 0xff;
  b[i + 3] = v & 0xff;
};

/**
 * Write the options, then the padding, at `offset`; returns the padded length.
 * Throws RangeError on a value that cannot be represented or when the padded
 * list exceeds 40 bytes.
 */
export function writeOptions(options: readonly TcpOption[], out: Uint8Array, offset: number): number {
  const padded = paddedOptionsLength(options);
  if (padded > MAX_TCP_OPTION_BYTES) throw new RangeError(`tcp options: ${padded} bytes > ${MAX_TCP_OPTION_BYTES}`);
  let i = offset;
  for (const o of options) {
    switch (o.kind) {
      case 'eol':
        out[i++] = TCPOPT_EOL;
        break;
      case 'nop':
        out[i++] = TCPOPT_NOP;
        break;
      case 'mss':
        checkUint('tcp option mss', o.value, 0xffff);
        out[i] = TCPOPT_MSS;
        out[i + 1] = 4;
        out[i + 2] = o.value >>> 8;
        out[i + 3] = o.value & 0xff;
        i += 4;
        break;
      case 'wscale':
        checkUint('tcp option wscale', o.value, 0xff);
        out[i] = TCPOPT_WSCALE;
        out[i + 1] = 3;
        out[i + 2] = o.value;
        i += 3;
        break;
      case 'sackOK':
        out[i] = TCPOPT_SACK_PERMITTED;
        out[i + 1] = 2;
        i += 2;
        break;
      case 'sack':
        out[i] = TCPOPT_SACK;
        out[i + 1] = 2 + 8 * o.blocks.length;
        i += 2;
        for (const b of o.blocks) {
          checkUint('tcp option sack start', b.start, 0xffffffff);
          checkUint('tcp option sack end', b.end, 0xffffffff);
          put32(out, i, b.start);
          put32(out, i + 4, b.end);
          i += 8;
        }
        break;
      case 'timestamp':
        checkUint('tcp option TS val', o.val, 0xffffffff);
        checkUint('tcp option TS ecr', o.ecr, 0xffffffff);
        out[i] = TCPOPT_TIMESTAMP;
        out[i + 1] = 10;
        put32(out, i + 2, o.val);
        put32(out, i + 6, o.ecr);
        i += 10;
        break;
      case 'fastopen':
        i = o.exp ? putBytes(out, i, TCPOPT_EXP, o.cookie, FASTOPEN_EXP_MAGIC) : putBytes(out, i, TCPOPT_FASTOPEN, o.cookie);
        break;
      case 'md5':
        i = putBytes(out, i, TCPOPT_MD5, o.digest);
        break;
      case 'unknown':
        checkUint('tcp option type', o.type, 0xff);
        if (o.type === TCPOPT_EOL || o.type === TCPOPT_NOP)
          throw new RangeError(`tcp option type ${o.type} is single-byte; use { kind: '${o.type ? 'nop' : 'eol'}' }`);
        i = putBytes(out, i, o.type, o.data);
        break;
    }
  }
  const endsWithEol = options.length > 0 && options[options.length - 1]!.kind === 'eol';
  out.fill(endsWithEol ? TCPOPT_EOL : TCPOPT_NOP, i, offset + padded);
  return padded;
}

/** The experimental Fast Open option's first two bytes of data (RFC 7413's ExID). */
const FASTOPEN_EXP_MAGIC = Uint8Array.of(TCPOPT_FASTOPEN_MAGIC >>> 8, TCPOPT_FASTOPEN_MAGIC & 0xff);

/** An option of kind, length and bytes (`prefix`, then `data`) at `i`; the index after it. */
function putBytes(out: Uint8Array, i: number, kind: number, data: Uint8Array, prefix: Uint8Array = NO_BYTES): number {
  const length = 2 + prefix.length + data.length;
  out[i] = kind;
  out[i + 1] = length;
  out.set(prefix, i + 2);
  out.set(data, i + 2 + prefix.length);
  return i + length;
}

const NO_BYTES = new Uint8Array(0);

/** The option area as bytes, padded to a multiple of 4 (see the module comment). */
export function emitOptions(options: readonly TcpOption[]): Uint8Array {
  const out = new Uint8Array(paddedOptionsLength(options));
  writeOptions(options, out, 0);
  return out;
}
