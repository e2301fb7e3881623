/** IPv4 header (RFC 791). */
import { ipv4FromBytes, writeIPv4 } from './addr.js';
import { finishChecksum, sum16 } from './checksum.js';
import { checkUint, fail, ok, truncated, type Result } from './result.js';

export const IPV4_MIN_HEADER_LEN = 20;

/** What `emit` takes. */
export interface Ipv4Fields {
  /** The whole second byte: DSCP (high 6 bits) and ECN (low 2 bits). */
  tos: number;
  id: number;
  /** Don't Fragment. */
  df: boolean;
  /** More Fragments. */
  mf: boolean;
  /** Fragment offset in bytes (a multiple of 8), not in 8-byte units. */
  fragOffset: number;
  ttl: number;
  protocol: number;
  src: string;
  dst: string;
  /** Raw option bytes; `emit` pads them with zeros (EOL) to a multiple of 4. */
  options: Uint8Array;
  payload: Uint8Array;
}

export type Ipv4Header = Omit<Ipv4Fields, 'payload'>;

/** What `parse` returns. Byte arrays are views into the parsed buffer. */
export interface Ipv4Packet extends Ipv4Fields {
  version: 4;
  /** Header length in bytes (IHL * 4). */
  headerLength: number;
  /** The Total Length field; bytes past it (Ethernet padding) are not part of `payload`. */
  totalLength: number;
  checksum: number;
  checksumOk: boolean;
  /** The header bytes, options included (what an ICMP error quotes). */
  header: Uint8Array;
}

export function parse(bytes: Uint8Array): Result<Ipv4Packet> {
  if (bytes.length < IPV4_MIN_HEADER_LEN) return fail(`ipv4: ${bytes.length} bytes is shorter than the 20-byte header`);
  const version = bytes[0]! >>> 4;
  if (version !== 4) return fail(`ipv4: version ${version}, expected 4`);
  const headerLength = (bytes[0]! & 0x0f) * 4;
  if (headerLength < IPV4_MIN_HEADER_LEN) return fail(`ipv4: header length ${headerLength} < 20`);
  if (headerLength > bytes.length) return fail(`ipv4: header length ${headerLength} > ${bytes.length} bytes available`);
  const totalLength = (bytes[2]! << 8) | bytes[3]!;
  if (totalLength < headerLength) return fail(`ipv4: total length ${totalLength} < header length ${headerLength}`);
  if (totalLength > bytes.length) return truncated(`ipv4: total length ${totalLength} > ${bytes.length} bytes available (truncated)`);
  const fragWord = (bytes[6]! << 8) | bytes[7]!;
  return ok({
    version: 4,
    tos: bytes[1]!,
    id: (bytes[4]! << 8) | bytes[5]!,
    df: (fragWord & 0x4000) !== 0,
    mf: (fragWord & 0x2000) !== 0,
    fragOffset: (fragWord & 0x1fff) * 8,
    ttl: bytes[8]!,
    protocol: bytes[9]!,
    checksum: (bytes[10]! << 8) | bytes[11]!,
    checksumOk: sum16(bytes, 0, headerLength) === 0xffff,
    src: ipv4FromBytes(bytes, 12),
    dst: ipv4FromBytes(bytes, 16),
    options: bytes.subarray(IPV4_MIN_HEADER_LEN, headerLength),
    payload: bytes.subarray(headerLength, totalLength),
    headerLength,
    totalLength,
    header: bytes.subarray(0, headerLength),
  });
}

/** Header length `emit` will produce: 20 plus options rounded up to 4. */
export function headerLength(fields: Pick<Ipv4Fields, 'options'>): number {
  return IPV4_MIN_HEADER_LEN + ((fields.options.length + 3) & ~3);
}

/**
 * Write the header for a payload of `payloadLength` bytes at `offset`,
 * computing IHL, total length and the header checksum. Returns the header
 * length. Throws RangeError on a field that cannot be represented.
 */
export function emitHeaderInto(fields: Ipv4Header, payloadLength: number, out: Uint8Array, offset: number): number {
  if (fields.options.length > 40) throw new RangeError(`ipv4: ${fields.options.length} option bytes > 40`);
  const hl = headerLength(fields);
  const total = hl + payloadLength;
  if (total > 0xffff) throw new RangeError(`ipv4: total length ${total} > 65535`);
  checkUint('ipv4: tos', fields.tos, 0xff);
  checkUint('ipv4: id', fields.id, 0xffff);
  checkUint('ipv4: ttl', fields.ttl, 0xff);
  checkUint('ipv4: protocol', fields.protocol, 0xff);
  checkUint('ipv4: fragOffset', fields.fragOffset, 0x1fff * 8);
  if (fields.fragOffset % 8 !== 0) throw new RangeError(`ipv4: fragOffset ${fields.fragOffset} is not a multiple of 8`);
  out[offset] = 0x40 | (hl >>> 2);
  out[offset + 1] = fields.tos;
  out[offset + 2] = total >>> 8;
  out[offset + 3] = total & 0xff;
  out[offset + 4] = fields.id >>> 8;
  out[offset + 5] = fields.id & 0xff;
  const fragWord = (fields.df ? 0x4000 : 0) | (fields.mf ? 0x2000 : 0) | (fields.fragOffset / 8);
  out[offset + 6] = fragWord >>> 8;
  out[offset + 7] = fragWord & 0xff;
  out[offset + 8] = fields.ttl;
  out[offset + 9] = fields.protocol;
  out[offset + 10] = 0;
  out[offset + 11] = 0;
  if (!writeIPv4(fields.src, out, offset + 12)) throw new RangeError(`ipv4: bad source address '${fields.src}'`);
  if (!writeIPv4(fields.dst, out, offset + 16)) throw new RangeError(`ipv4: bad destination address '${fields.dst}'`);
  out.set(fields.options, offset + IPV4_MIN_HEADER_LEN);
  out.fill(0, offset + IPV4_MIN_HEADER_LEN + fields.options.length, offset + hl);
  const c = finishChecksum(sum16(out, offset, offset + hl));
  out[offset + 10] = c >>> 8;
  out[offset + 11] = c & 0xff;
  return hl;
}

/** The packet as bytes, header checksum computed. Throws RangeError on a field that cannot be represented. */
export function emit(fields: Ipv4Fields): Uint8Array {
  const hl = headerLength(fields);
  const out = new Uint8Array(hl + fields.payload.length);
  emitHeaderInto(fields, fields.payload.length, out, 0);
  out.set(fields.payload, hl);
  return out;
}

/** Whether `payload` is a fragment (not the whole datagram): MF set or a non-zero offset. */
export function isFragment(p: Pick<Ipv4Fields, 'mf' | 'fragOffset'>): boolean {
  return p.mf || p.fragOffset !== 0;
}
