/** IPv6 header (RFC 8200), walking extension headers to the upper-layer protocol. */
import { ipv6FromBytes, writeIPv6 } from './addr.js';
import { checkUint, fail, ok, truncated, type Result } from './result.js';

export const IPV6_HEADER_LEN = 40;

export const NEXT_HOP_BY_HOP = 0;
export const NEXT_ROUTING = 43;
export const NEXT_FRAGMENT = 44;
export const NEXT_ESP = 50;
export const NEXT_AH = 51;
export const NEXT_NONE = 59;
export const NEXT_DEST_OPTS = 60;

/** What `emit` takes. Extension headers, if any, are the caller's bytes at the start of `payload`. */
export interface Ipv6Fields {
  /** 8 bits: DSCP (high 6) and ECN (low 2). */
  trafficClass: number;
  /** 20 bits. */
  flowLabel: number;
  hopLimit: number;
  /** The Next Header field of the fixed header. */
  nextHeader: number;
  src: string;
  dst: string;
  /** Everything after the fixed header (extension headers included). */
  payload: Uint8Array;
}

export type Ipv6Header = Omit<Ipv6Fields, 'payload'>;

export interface Ipv6Fragment {
  /** Offset in bytes. */
  offset: number;
  more: boolean;
  id: number;
}

/** What `parse` returns. Byte arrays are views into the parsed buffer. */
export interface Ipv6Packet extends Ipv6Fields {
  version: 6;
  payloadLength: number;
  /** The upper-layer protocol after skipping hop-by-hop, routing, fragment, destination options and AH headers. */
  protocol: number;
  /** Bytes after the last skipped extension header. */
  upperPayload: Uint8Array;
  /** Types of the extension headers skipped, in order (empty when none). */
  extensionHeaders: readonly number[];
  /** Set when a fragment header was seen; walking stops after it. */
  fragment: Ipv6Fragment | null;
  /** The 40-byte fixed header (what an ICMPv6 error quotes first). */
  header: Uint8Array;
}

const NO_EXTENSIONS: readonly number[] = Object.freeze([]);

export function parse(bytes: Uint8Array): Result<Ipv6Packet> {
  if (bytes.length < IPV6_HEADER_LEN) return fail(`ipv6: ${bytes.length} bytes is shorter than the 40-byte header`);
  const version = bytes[0]! >>> 4;
  if (version !== 6) return fail(`ipv6: version ${version}, expected 6`);
  const payloadLength = (bytes[4]! << 8) | bytes[5]!;
  if (IPV6_HEADER_LEN + payloadLength > bytes.length)
    return truncated(`ipv6: payload length ${payloadLength} > ${bytes.length - IPV6_HEADER_LEN} bytes available (truncated)`);
  const payload = bytes.subarray(IPV6_HEADER_LEN, IPV6_HEADER_LEN + payloadLength);
  const nextHeader = bytes[6]!;

  let protocol = nextHeader;
  let off = 0;
  let extensionHeaders = NO_EXTENSIONS;
  let fragment: Ipv6Fragment | null = null;
  walk: for (;;) {
    let len: number;
    switch (protocol) {
      case NEXT_HOP_BY_HOP:
      case NEXT_ROUTING:
      case NEXT_DEST_OPTS:
        if (off + 2 > payload.length) return truncated(`ipv6: extension header ${protocol} truncated`);
        len = (payload[off + 1]! + 1) * 8;
        break;
      case NEXT_AH:
        if (off + 2 > payload.length) return truncated(`ipv6: extension header ${protocol} truncated`);
        len = (payload[off + 1]! + 2) * 4;
        break;
      case NEXT_FRAGMENT: {
        len = 8;
        if (off + len > payload.length) return truncated(`ipv6: fragment header truncated`);
        const w = (payload[off + 2]! << 8) | payload[off + 3]!;
        fragment = {
          offset: w & 0xfff8,
          more: (w & 1) !== 0,
          id: ((payload[off + 4]! << 24) | (payload[off + 5]! << 16) | (payload[off + 6]! << 8) | payload[off + 7]!) >>> 0,
        };
        break;
      }
      default:
        break walk;
    }
    if (off + len > payload.length) return truncated(`ipv6: extension header ${protocol} of ${len} bytes truncated`);
    if (extensionHeaders === NO_EXTENSIONS) extensionHeaders = [];
    (extensionHeaders as number[]).push(protocol);
    protocol = payload[off]!;
    off += len;
    if (fragment) break;
  }

  const b1 = bytes[1]!;
  return ok({
    version: 6,
    trafficClass: ((bytes[0]! & 0x0f) << 4) | (b1 >>> 4),
    flowLabel: ((b1 & 0x0f) << 16) | (bytes[2]! << 8) | bytes[3]!,
    payloadLength,
    nextHeader,
    hopLimit: bytes[7]!,
    src: ipv6FromBytes(bytes, 8),
    dst: ipv6FromBytes(bytes, 24),
    payload,
    protocol,
    upperPayload: off === 0 ? payload : payload.subarray(off),
    extensionHeaders,
    fragment,
    header: bytes.subarray(0, IPV6_HEADER_LEN),
  });
}

/** Write the 40-byte header for a payload of `payloadLength` bytes at `offset`. Throws RangeError on a field that cannot be represented. */
export function emitHeaderInto(fields: Ipv6Header, payloadLength: number, out: Uint8Array, offset: number): number {
  checkUint('ipv6: payload length', payloadLength, 0xffff);
  checkUint('ipv6: trafficClass', fields.trafficClass, 0xff);
  checkUint('ipv6: flowLabel', fields.flowLabel, 0xfffff);
  checkUint('ipv6: hopLimit', fields.hopLimit, 0xff);
  checkUint('ipv6: nextHeader', fields.nextHeader, 0xff);
  out[offset] = 0x60 | (fields.trafficClass >>> 4);
  out[offset + 1] = ((fields.trafficClass & 0x0f) << 4) | (fields.flowLabel >>> 16);
  out[offset + 2] = (fields.flowLabel >>> 8) & 0xff;
  out[offset + 3] = fields.flowLabel & 0xff;
  out[offset + 4] = payloadLength >>> 8;
  out[offset + 5] = payloadLength & 0xff;
  out[offset + 6] = fields.nextHeader;
  out[offset + 7] = fields.hopLimit;
  if (!writeIPv6(fields.src, out, offset + 8)) throw new RangeError(`ipv6: bad source address '${fields.src}'`);
  if (!writeIPv6(fields.dst, out, offset + 24)) throw new RangeError(`ipv6: bad destination address '${fields.dst}'`);
  return IPV6_HEADER_LEN;
}

export function emit(fields: Ipv6Fields): Uint8Array {
  const out = new Uint8Array(IPV6_HEADER_LEN + fields.payload.length);
  emitHeaderInto(fields, fields.payload.length, out, 0);
  out.set(fields.payload, IPV6_HEADER_LEN);
  return out;
}
