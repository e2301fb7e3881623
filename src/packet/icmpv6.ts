/** ICMPv6 (RFC 4443): like ICMPv4 but checksummed over the IPv6 pseudo header. */
import { IPPROTO_ICMPV6 } from './ip.js';
import { finishChecksum, fold16, pseudoAddressSum, pseudoHeaderSum, sum16 } from './checksum.js';
import { ICMP_HEADER_LEN, readHeader, writeHeader, type IcmpFields } from './icmp.js';
import type { Result } from './result.js';

export const ICMPV6_HEADER_LEN = ICMP_HEADER_LEN;

export const ICMPV6_DEST_UNREACH = 1;
export const ICMPV6_PACKET_TOO_BIG = 2;
export const ICMPV6_TIME_EXCEEDED = 3;
export const ICMPV6_PARAMETER_PROBLEM = 4;
export const ICMPV6_ECHO_REQUEST = 128;
export const ICMPV6_ECHO_REPLY = 129;
export const ICMPV6_MLD_QUERY = 130;
export const ICMPV6_MLD_REPORT = 131;
export const ICMPV6_MLD_DONE = 132;
export const ICMPV6_ROUTER_SOLICIT = 133;
export const ICMPV6_ROUTER_ADVERT = 134;
export const ICMPV6_NEIGHBOUR_SOLICIT = 135;
export const ICMPV6_NEIGHBOUR_ADVERT = 136;
export const ICMPV6_REDIRECT = 137;
export const ICMPV6_MLD2_REPORT = 143;

/** Same shape as ICMPv4: `restOfHeader` holds e.g. the 32-bit MTU of Packet Too Big. */
export type Icmpv6Fields = IcmpFields;

export interface Icmpv6Message extends Icmpv6Fields {
  checksum: number;
}

/** An IPv6 pseudo header's addresses, as text. */
export interface Ipv6Pseudo {
  src: string;
  dst: string;
}

/** Checksum is not checked here (it needs the pseudo header): see `verifyChecksum`. */
export function parse(bytes: Uint8Array): Result<Icmpv6Message> {
  return readHeader(bytes, 'icmpv6');
}

/** Write header and body at `offset`, checksum computed from `pseudoAddrSum` (`sum16` over both IPv6 addresses). */
export function emitInto(fields: Icmpv6Fields, out: Uint8Array, offset: number, pseudoAddrSum: number): number {
  writeHeader(fields, out, offset, 'icmpv6');
  out.set(fields.payload, offset + ICMPV6_HEADER_LEN);
  const len = ICMPV6_HEADER_LEN + fields.payload.length;
  const c = finishChecksum(pseudoHeaderSum(pseudoAddrSum, IPPROTO_ICMPV6, len) + sum16(out, offset, offset + len));
  out[offset + 2] = c >>> 8;
  out[offset + 3] = c & 0xff;
  return len;
}

export function emit(fields: Icmpv6Fields, pseudo: Ipv6Pseudo): Uint8Array {
  const out = new Uint8Array(ICMPV6_HEADER_LEN + fields.payload.length);
  emitInto(fields, out, 0, pseudoAddressSum({ ...pseudo, version: 6 }));
  return out;
}

export function verifyChecksum(bytes: Uint8Array, pseudo: Ipv6Pseudo): boolean {
  return verifyChecksumWithSum(bytes, pseudoAddressSum({ ...pseudo, version: 6 }));
}

export function verifyChecksumWithSum(bytes: Uint8Array, pseudoAddrSum: number): boolean {
  if (bytes.length < ICMPV6_HEADER_LEN) return false;
  return fold16(pseudoHeaderSum(pseudoAddrSum, IPPROTO_ICMPV6, bytes.length) + sum16(bytes)) === 0xffff;
}

/** Neighbour Discovery (RFC 4861: 133-137) or Multicast Listener Discovery (130-132, MLDv2 143): link housekeeping a capture ignores. */
export function isNeighbourDiscoveryOrMld(type: number): boolean {
  return (type >= ICMPV6_MLD_QUERY && type <= ICMPV6_REDIRECT) || type === ICMPV6_MLD2_REPORT;
}

/** The MTU of a Packet Too Big message, else null. */
export function packetTooBigMtu(m: Icmpv6Fields): number | null {
  return m.type === ICMPV6_PACKET_TOO_BIG ? m.restOfHeader : null;
}
