/** TCP header (RFC 9293), with the AccECN AE bit (RFC 9768). */
import { IPPROTO_TCP } from './ip.js';
import { finishChecksum, fold16, pseudoAddressSum, pseudoHeaderSum, sum16, type PseudoHeader } from './checksum.js';
import { checkUint, fail, ok, type Result } from './result.js';
import { parseOptions, paddedOptionsLength, writeOptions, type TcpOption } from './tcp-options.js';

export const FIN = 0x01;
export const SYN = 0x02;
export const RST = 0x04;
export const PSH = 0x08;
export const ACK = 0x10;
export const URG = 0x20;
export const ECE = 0x40;
export const CWR = 0x80;
export const AE = 0x100;

export const TCP_MIN_HEADER_LEN = 20;

/** What `emit` takes. */
export interface TcpFields {
  srcPort: number;
  dstPort: number;
  /** uint32 */
  seq: number;
  /** uint32 */
  ack: number;
  /** Bitmask of FIN..AE (9 bits). */
  flags: number;
  window: number;
  urgentPointer: number;
  options: TcpOption[];
  payload: Uint8Array;
  /** Written as is when `emit` is given no pseudo header; ignored (computed) otherwise. */
  checksum?: number;
}

/** What `parse` returns. Byte arrays are views into the parsed buffer. */
export interface TcpSegment extends TcpFields {
  checksum: number;
  /** Data offset in bytes. */
  headerLength: number;
  /** The raw option area (padding included), for byte-exact comparison. */
  optionBytes: Uint8Array;
}

export function parse(bytes: Uint8Array): Result<TcpSegment> {
  if (bytes.length < TCP_MIN_HEADER_LEN) return fail(`tcp: ${bytes.length} bytes is shorter than the 20-byte header`);
  const headerLength = (bytes[12]! >>> 4) * 4;
  if (headerLength < TCP_MIN_HEADER_LEN) return fail(`tcp: data offset ${headerLength} bytes < 20`);
  if (headerLength > bytes.length) return fail(`tcp: data offset ${headerLength} bytes > ${bytes.length} bytes available`);
  const optionBytes = bytes.subarray(TCP_MIN_HEADER_LEN, headerLength);
  const options = parseOptions(optionBytes);
  if (!options.ok) return fail(`tcp: ${options.error}`);
  return ok({
    srcPort: (bytes[0]! << 8) | bytes[1]!,
    dstPort: (bytes[2]! << 8) | bytes[3]!,
    seq: ((bytes[4]! << 24) | (bytes[5]! << 16) | (bytes[6]! << 8) | bytes[7]!) >>> 0,
    ack: ((bytes[8]! << 24) | (bytes[9]! << 16) | (bytes[10]! << 8) | bytes[11]!) >>> 0,
    flags: ((bytes[12]! & 0x01) << 8) | bytes[13]!,
    window: (bytes[14]! << 8) | bytes[15]!,
    checksum: (bytes[16]! << 8) | bytes[17]!,
    urgentPointer: (bytes[18]! << 8) | bytes[19]!,
    options: options.value,
    payload: bytes.subarray(headerLength),
    headerLength,
    optionBytes,
  });
}

/** Header length `emit` will produce (options padded to 4). */
export function headerLength(fields: Pick<TcpFields, 'options'>): number {
  return TCP_MIN_HEADER_LEN + paddedOptionsLength(fields.options);
}

/**
 * Write header and payload at `offset`; returns the segment length. With
 * `pseudoAddrSum` (`sum16` over the pseudo header's two addresses) the
 * checksum is computed; without it `fields.checksum ?? 0` is written as is.
 * Throws RangeError on a field that cannot be represented.
 */
export function emitInto(fields: TcpFields, out: Uint8Array, offset: number, pseudoAddrSum?: number): number {
  checkUint('tcp: srcPort', fields.srcPort, 0xffff);
  checkUint('tcp: dstPort', fields.dstPort, 0xffff);
  checkUint('tcp: seq', fields.seq, 0xffffffff);
  checkUint('tcp: ack', fields.ack, 0xffffffff);
  checkUint('tcp: flags', fields.flags, 0x1ff);
  checkUint('tcp: window', fields.window, 0xffff);
  checkUint('tcp: urgentPointer', fields.urgentPointer, 0xffff);
  const hl = TCP_MIN_HEADER_LEN + writeOptions(fields.options, out, offset + TCP_MIN_HEADER_LEN);
  const o = offset;
  out[o] = fields.srcPort >>> 8;
  out[o + 1] = fields.srcPort & 0xff;
  out[o + 2] = fields.dstPort >>> 8;
  out[o + 3] = fields.dstPort & 0xff;
  out[o + 4] = fields.seq >>> 24;
  out[o + 5] = (fields.seq >>> 16) & 0xff;
  out[o + 6] = (fields.seq >>> 8) & 0xff;
  out[o + 7] = fields.seq & 0xff;
  out[o + 8] = fields.ack >>> 24;
  out[o + 9] = (fields.ack >>> 16) & 0xff;
  out[o + 10] = (fields.ack >>> 8) & 0xff;
  out[o + 11] = fields.ack & 0xff;
  out[o + 12] = ((hl >>> 2) << 4) | (fields.flags >>> 8);
  out[o + 13] = fields.flags & 0xff;
  out[o + 14] = fields.window >>> 8;
  out[o + 15] = fields.window & 0xff;
  out[o + 18] = fields.urgentPointer >>> 8;
  out[o + 19] = fields.urgentPointer & 0xff;
  out.set(fields.payload, o + hl);
  const len = hl + fields.payload.length;
  let c: number;
  if (pseudoAddrSum === undefined) {
    c = fields.checksum ?? 0;
    checkUint('tcp: checksum', c, 0xffff);
  } else {
    out[o + 16] = 0;
    out[o + 17] = 0;
    c = finishChecksum(pseudoHeaderSum(pseudoAddrSum, IPPROTO_TCP, len) + sum16(out, o, o + len));
  }
  out[o + 16] = c >>> 8;
  out[o + 17] = c & 0xff;
  return len;
}

/**
 * The segment as bytes. With `pseudo` the checksum is computed over the
 * pseudo header; without it `fields.checksum ?? 0` is written.
 */
export function emit(fields: TcpFields, pseudo?: PseudoHeader): Uint8Array {
  const out = new Uint8Array(headerLength(fields) + fields.payload.length);
  emitInto(fields, out, 0, pseudo ? pseudoAddressSum(pseudo) : undefined);
  return out;
}

/** Whether the checksum of the segment `bytes` (header and payload) is right for `pseudo`. */
export function verifyChecksum(bytes: Uint8Array, pseudo: PseudoHeader): boolean {
  return verifyChecksumWithSum(bytes, pseudoAddressSum(pseudo));
}

/** `verifyChecksum` with the pseudo header's address sum already computed. */
export function verifyChecksumWithSum(bytes: Uint8Array, pseudoAddrSum: number): boolean {
  return fold16(pseudoHeaderSum(pseudoAddrSum, IPPROTO_TCP, bytes.length) + sum16(bytes)) === 0xffff;
}
