/** ICMPv4 (RFC 792): type, code, checksum, the 32-bit rest of header, then the body (usually the quoted datagram). */
import { finishChecksum, sum16 } from './checksum.js';
import { checkUint, fail, ok, type Result } from './result.js';

export const ICMP_HEADER_LEN = 8;

export const ICMP_ECHO_REPLY = 0;
export const ICMP_DEST_UNREACH = 3;
export const ICMP_SOURCE_QUENCH = 4;
export const ICMP_REDIRECT = 5;
export const ICMP_ECHO_REQUEST = 8;
export const ICMP_TIME_EXCEEDED = 11;
export const ICMP_PARAMETER_PROBLEM = 12;

/** Codes of ICMP_DEST_UNREACH. */
export const ICMP_NET_UNREACH = 0;
export const ICMP_HOST_UNREACH = 1;
export const ICMP_PROT_UNREACH = 2;
export const ICMP_PORT_UNREACH = 3;
export const ICMP_FRAG_NEEDED = 4;

export interface IcmpFields {
  type: number;
  code: number;
  /**
   * The 32-bit word after the checksum: echo id/sequence, the next-hop MTU
   * of frag-needed in its low 16 bits (RFC 1191), a redirect's gateway, ...
   */
  restOfHeader: number;
  /** The body: for errors, the quoted IP header and leading bytes of the offending datagram. */
  payload: Uint8Array;
}

export interface IcmpMessage extends IcmpFields {
  checksum: number;
  checksumOk: boolean;
}

export function parse(bytes: Uint8Array): Result<IcmpMessage> {
  const h = readHeader(bytes, 'icmp');
  return h.ok ? ok({ ...h.value, checksumOk: sum16(bytes) === 0xffff }) : h;
}

/** Write header and body at `offset`, checksum computed; returns the message length. */
export function emitInto(fields: IcmpFields, out: Uint8Array, offset: number): number {
  writeHeader(fields, out, offset, 'icmp');
  out.set(fields.payload, offset + ICMP_HEADER_LEN);
  const len = ICMP_HEADER_LEN + fields.payload.length;
  const c = finishChecksum(sum16(out, offset, offset + len));
  out[offset + 2] = c >>> 8;
  out[offset + 3] = c & 0xff;
  return len;
}

export function emit(fields: IcmpFields): Uint8Array {
  const out = new Uint8Array(ICMP_HEADER_LEN + fields.payload.length);
  emitInto(fields, out, 0);
  return out;
}

export function verifyChecksum(bytes: Uint8Array): boolean {
  return bytes.length >= ICMP_HEADER_LEN && sum16(bytes) === 0xffff;
}

/** The next-hop MTU of a "fragmentation needed" message (type 3 code 4), else null. */
export function fragNeededMtu(m: IcmpFields): number | null {
  return m.type === ICMP_DEST_UNREACH && m.code === ICMP_FRAG_NEEDED ? m.restOfHeader & 0xffff : null;
}

/** @internal shared by icmpv6: type, code, checksum, rest of header, and the body after them. */
export function readHeader(bytes: Uint8Array, layer: string): Result<IcmpFields & { checksum: number }> {
  if (bytes.length < ICMP_HEADER_LEN) return fail(`${layer}: ${bytes.length} bytes is shorter than the 8-byte header`);
  return ok({
    type: bytes[0]!,
    code: bytes[1]!,
    checksum: (bytes[2]! << 8) | bytes[3]!,
    restOfHeader: ((bytes[4]! << 24) | (bytes[5]! << 16) | (bytes[6]! << 8) | bytes[7]!) >>> 0,
    payload: bytes.subarray(ICMP_HEADER_LEN),
  });
}

/** @internal shared by icmpv6: type, code, zero checksum, rest of header. */
export function writeHeader(fields: IcmpFields, out: Uint8Array, o: number, layer: string): void {
  checkUint(`${layer}: type`, fields.type, 0xff);
  checkUint(`${layer}: code`, fields.code, 0xff);
  checkUint(`${layer}: restOfHeader`, fields.restOfHeader, 0xffffffff);
  out[o] = fields.type;
  out[o + 1] = fields.code;
  out[o + 2] = 0;
  out[o + 3] = 0;
  out[o + 4] = fields.restOfHeader >>> 24;
  out[o + 5] = (fields.restOfHeader >>> 16) & 0xff;
  out[o + 6] = (fields.restOfHeader >>> 8) & 0xff;
  out[o + 7] = fields.restOfHeader & 0xff;
}
