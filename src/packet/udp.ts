/** UDP header (RFC 768; IPv6 rules from RFC 8200 §8.1). */
import { IPPROTO_UDP } from './ip.js';
import { finishChecksum, fold16, pseudoAddressSum, pseudoHeaderSum, sum16, type PseudoHeader } from './checksum.js';
import { checkUint, fail, ok, truncated, type Result } from './result.js';

export const UDP_HEADER_LEN = 8;

export interface UdpFields {
  srcPort: number;
  dstPort: number;
  payload: Uint8Array;
  /** Written as is when `emit` is given no pseudo header; ignored (computed) otherwise. */
  checksum?: number;
}

export interface UdpDatagram extends UdpFields {
  checksum: number;
  /** The Length field; bytes past it are not part of `payload`. */
  length: number;
}

export function parse(bytes: Uint8Array): Result<UdpDatagram> {
  if (bytes.length < UDP_HEADER_LEN) return fail(`udp: ${bytes.length} bytes is shorter than the 8-byte header`);
  const length = (bytes[4]! << 8) | bytes[5]!;
  if (length < UDP_HEADER_LEN) return fail(`udp: length ${length} < 8`);
  if (length > bytes.length) return truncated(`udp: length ${length} > ${bytes.length} bytes available (truncated)`);
  return ok({
    srcPort: (bytes[0]! << 8) | bytes[1]!,
    dstPort: (bytes[2]! << 8) | bytes[3]!,
    length,
    checksum: (bytes[6]! << 8) | bytes[7]!,
    payload: bytes.subarray(UDP_HEADER_LEN, length),
  });
}

/**
 * Write header and payload at `offset`; returns the datagram length. With
 * `pseudoAddrSum` the checksum is computed (a computed 0 is sent as 0xffff);
 * without it `fields.checksum ?? 0` is written. Throws RangeError on a field
 * that cannot be represented.
 */
export function emitInto(fields: UdpFields, out: Uint8Array, offset: number, pseudoAddrSum?: number): number {
  checkUint('udp: srcPort', fields.srcPort, 0xffff);
  checkUint('udp: dstPort', fields.dstPort, 0xffff);
  const len = UDP_HEADER_LEN + fields.payload.length;
  checkUint('udp: length', len, 0xffff);
  const o = offset;
  out[o] = fields.srcPort >>> 8;
  out[o + 1] = fields.srcPort & 0xff;
  out[o + 2] = fields.dstPort >>> 8;
  out[o + 3] = fields.dstPort & 0xff;
  out[o + 4] = len >>> 8;
  out[o + 5] = len & 0xff;
  out[o + 6] = 0;
  out[o + 7] = 0;
  out.set(fields.payload, o + UDP_HEADER_LEN);
  let c: number;
  if (pseudoAddrSum === undefined) {
    c = fields.checksum ?? 0;
    checkUint('udp: checksum', c, 0xffff);
  } else {
    c = finishChecksum(pseudoHeaderSum(pseudoAddrSum, IPPROTO_UDP, len) + sum16(out, o, o + len));
    if (c === 0) c = 0xffff;
  }
  out[o + 6] = c >>> 8;
  out[o + 7] = c & 0xff;
  return len;
}

export function emit(fields: UdpFields, pseudo?: PseudoHeader): Uint8Array {
  const out = new Uint8Array(UDP_HEADER_LEN + fields.payload.length);
  emitInto(fields, out, 0, pseudo ? pseudoAddressSum(pseudo) : undefined);
  return out;
}

/**
 * Whether the checksum of the datagram `bytes` is right for `pseudo`. Over
 * IPv4 a zero checksum means "none" and passes; over IPv6 it is invalid.
 */
export function verifyChecksum(bytes: Uint8Array, pseudo: PseudoHeader): boolean {
  return verifyChecksumWithSum(bytes, pseudoAddressSum(pseudo), pseudo.version);
}

export function verifyChecksumWithSum(bytes: Uint8Array, pseudoAddrSum: number, version: 4 | 6): boolean {
  if (bytes.length < UDP_HEADER_LEN) return false;
  if (bytes[6] === 0 && bytes[7] === 0) return version === 4;
  return fold16(pseudoHeaderSum(pseudoAddrSum, IPPROTO_UDP, bytes.length) + sum16(bytes)) === 0xffff;
}
