/** Ethernet II frames. 802.1Q tagged frames are reported with etherType 0x8100 and not unwrapped. */
import { macFromBytes, writeMac } from './addr.js';
import { checkUint, fail, ok, type Result } from './result.js';

export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_ARP = 0x0806;
export const ETHERTYPE_VLAN = 0x8100;
export const ETHERTYPE_IPV6 = 0x86dd;

export const ETHERNET_HEADER_LEN = 14;

export interface EthernetFrame {
  /** `aa:bb:cc:dd:ee:ff` */
  dst: string;
  src: string;
  etherType: number;
  /** Everything after the 14-byte header, trailing padding included (the IP layer trims it). A view into the parsed bytes. */
  payload: Uint8Array;
}

export function parse(bytes: Uint8Array): Result<EthernetFrame> {
  if (bytes.length < ETHERNET_HEADER_LEN) return fail(`ethernet: frame of ${bytes.length} bytes is shorter than the 14-byte header`);
  return ok({
    dst: macFromBytes(bytes, 0),
    src: macFromBytes(bytes, 6),
    etherType: (bytes[12]! << 8) | bytes[13]!,
    payload: bytes.subarray(ETHERNET_HEADER_LEN),
  });
}

/** The ethertype of a frame without decoding it, or -1 when too short. */
export function peekEtherType(bytes: Uint8Array): number {
  return bytes.length < ETHERNET_HEADER_LEN ? -1 : (bytes[12]! << 8) | bytes[13]!;
}

/**
 * Write the 14-byte header at `offset`. Throws RangeError on a malformed MAC
 * text or ethertype (a bad representation is a bug in the caller, not a wire condition).
 */
export function emitHeaderInto(
  fields: Pick<EthernetFrame, 'dst' | 'src' | 'etherType'>,
  out: Uint8Array,
  offset: number,
): number {
  if (!writeMac(fields.dst, out, offset)) throw new RangeError(`ethernet: bad destination MAC '${fields.dst}'`);
  if (!writeMac(fields.src, out, offset + 6)) throw new RangeError(`ethernet: bad source MAC '${fields.src}'`);
  checkUint('ethernet: etherType', fields.etherType, 0xffff);
  out[offset + 12] = fields.etherType >>> 8;
  out[offset + 13] = fields.etherType & 0xff;
  return ETHERNET_HEADER_LEN;
}

/** The frame as bytes: header then payload. No padding to the 60-byte minimum is added (tun0 takes the IP packet alone; a pcap does not need it). */
export function emit(fields: EthernetFrame): Uint8Array {
  const out = new Uint8Array(ETHERNET_HEADER_LEN + fields.payload.length);
  emitHeaderInto(fields, out, 0);
  out.set(fields.payload, ETHERNET_HEADER_LEN);
  return out;
}
