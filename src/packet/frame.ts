/**
 * Whole frames, as the engine sees them: decode a captured Ethernet frame down
 * to its transport header, and build complete frames (Ethernet + IP + TCP/UDP/
 * ICMP, every checksum right) for injection.
 *
 * Defaults for fields an encoder is not given are packetdrill's for inbound
 * packets: TTL / hop limit 255, TOS / traffic class 0, IP id 0, DF clear,
 * no fragmentation, flow label 0, no IP options.
 */
import { sum16 } from './checksum.js';
import * as ethernet from './ethernet.js';
import { ETHERNET_HEADER_LEN, ETHERTYPE_ARP, ETHERTYPE_IPV4, ETHERTYPE_IPV6, type EthernetFrame } from './ethernet.js';
import * as icmp from './icmp.js';
import * as icmpv6 from './icmpv6.js';
import { IPPROTO_ICMP, IPPROTO_ICMPV6, IPPROTO_TCP, IPPROTO_UDP } from './ip.js';
import * as ipv4 from './ipv4.js';
import * as ipv6 from './ipv6.js';
import { fail, ok, type Result } from './result.js';
import * as tcp from './tcp.js';
import * as udp from './udp.js';

export type DecodedIp = ipv4.Ipv4Packet | ipv6.Ipv6Packet;

/** The transport layer. `checksumOk` is verified against the IP pseudo header (ICMPv4: over the message alone). */
export type DecodedL4 =
  | { proto: 'tcp'; tcp: tcp.TcpSegment; checksumOk: boolean }
  | { proto: 'udp'; udp: udp.UdpDatagram; checksumOk: boolean }
  | { proto: 'icmp'; icmp: icmp.IcmpMessage; checksumOk: boolean }
  | { proto: 'icmpv6'; icmpv6: icmpv6.Icmpv6Message; checksumOk: boolean }
  /** Any other protocol, and any fragment (whose transport header cannot be read alone). */
  | { proto: 'other'; number: number; payload: Uint8Array };

export interface DecodedIpPacket {
  ip: DecodedIp;
  l4: DecodedL4;
  /** True for a real fragment: MF set or a non-zero offset (IPv4 flags, or an IPv6 fragment header). */
  fragment: boolean;
}

export type DecodedFrame =
  | ({ kind: 'ip'; eth: EthernetFrame } & DecodedIpPacket)
  /** ARP, 802.1Q-tagged, or any other ethertype: reported, not decoded. */
  | { kind: 'non-ip'; eth: EthernetFrame };

/**
 * Decode an Ethernet frame. Malformed IP or transport headers are an error
 * value naming the layer; a frame whose ethertype is not IPv4/IPv6 decodes as
 * `kind: 'non-ip'`. Byte arrays in the result are views into `bytes`.
 */
export function decodeFrame(bytes: Uint8Array): Result<DecodedFrame> {
  const e = ethernet.parse(bytes);
  if (!e.ok) return e;
  const eth = e.value;
  let version: 4 | 6;
  if (eth.etherType === ETHERTYPE_IPV4) version = 4;
  else if (eth.etherType === ETHERTYPE_IPV6) version = 6;
  else return ok({ kind: 'non-ip', eth });
  const d = decodeIpAs(eth.payload, version);
  if (!d.ok) return d;
  const v = d.value;
  return ok({ kind: 'ip', eth, ip: v.ip, l4: v.l4, fragment: v.fragment });
}

/** Decode a bare IP packet (no link header, e.g. pcap LINKTYPE_RAW), the version taken from its first nibble. */
export function decodeIp(bytes: Uint8Array): Result<DecodedIpPacket> {
  if (bytes.length === 0) return fail('ip: empty packet');
  const v = bytes[0]! >>> 4;
  if (v !== 4 && v !== 6) return fail(`ip: version ${v}, expected 4 or 6`);
  return decodeIpAs(bytes, v);
}

function decodeIpAs(bytes: Uint8Array, version: 4 | 6): Result<DecodedIpPacket> {
  let ip: DecodedIp;
  let protocol: number;
  let body: Uint8Array;
  let fragment: boolean;
  let addrSum: number;
  if (version === 4) {
    const r = ipv4.parse(bytes);
    if (!r.ok) return r;
    ip = r.value;
    protocol = ip.protocol;
    body = ip.payload;
    fragment = ip.mf || ip.fragOffset !== 0;
    addrSum = sum16(bytes, 12, 20);
  } else {
    const r = ipv6.parse(bytes);
    if (!r.ok) return r;
    ip = r.value;
    protocol = ip.protocol;
    body = ip.upperPayload;
    // An atomic fragment (offset 0, M clear; RFC 6946) carries the whole packet: decode it.
    fragment = ip.fragment !== null && (ip.fragment.offset !== 0 || ip.fragment.more);
    addrSum = sum16(bytes, 8, 40);
  }
  if (fragment) return ok({ ip, l4: { proto: 'other', number: protocol, payload: body }, fragment });
  let l4: DecodedL4;
  switch (protocol) {
    case IPPROTO_TCP: {
      const t = tcp.parse(body);
      if (!t.ok) return t;
      l4 = { proto: 'tcp', tcp: t.value, checksumOk: tcp.verifyChecksumWithSum(body, addrSum) };
      break;
    }
    case IPPROTO_UDP: {
      const u = udp.parse(body);
      if (!u.ok) return u;
      // Verify over the datagram's own length (body may carry trailing bytes past UDP Length).
      const dgram = body.subarray(0, u.value.length);
      l4 = { proto: 'udp', udp: u.value, checksumOk: udp.verifyChecksumWithSum(dgram, addrSum, version) };
      break;
    }
    case IPPROTO_ICMP:
      if (version === 4) {
        const m = icmp.parse(body);
        if (!m.ok) return m;
        l4 = { proto: 'icmp', icmp: m.value, checksumOk: m.value.checksumOk };
      } else {
        l4 = { proto: 'other', number: protocol, payload: body };
      }
      break;
    case IPPROTO_ICMPV6:
      if (version === 6) {
        const m = icmpv6.parse(body);
        if (!m.ok) return m;
        l4 = { proto: 'icmpv6', icmpv6: m.value, checksumOk: icmpv6.verifyChecksumWithSum(body, addrSum) };
      } else {
        l4 = { proto: 'other', number: protocol, payload: body };
      }
      break;
    default:
      l4 = { proto: 'other', number: protocol, payload: body };
  }
  return ok({ ip, l4, fragment });
}

/** ARP, or ICMPv6 neighbour discovery / MLD: link housekeeping that a capture should not treat as the stack's output. */
export function isNeighbourTraffic(frame: DecodedFrame): boolean {
  if (frame.kind === 'non-ip') return frame.eth.etherType === ETHERTYPE_ARP;
  return frame.l4.proto === 'icmpv6' && icmpv6.isNeighbourDiscoveryOrMld(frame.l4.icmpv6.type);
}

// ---------------------------------------------------------------- encoding

/** IPv4 header fields for an injected packet; omitted ones take packetdrill's defaults. */
export interface Ipv4Spec {
  version: 4;
  src: string;
  dst: string;
  /** Default 0. */
  tos?: number;
  /** Default 255. */
  ttl?: number;
  /** Default 0. */
  id?: number;
  /** Default false. */
  df?: boolean;
  /** Default false. */
  mf?: boolean;
  /** Bytes; default 0. */
  fragOffset?: number;
  /** Raw option bytes, zero-padded to 4; default none. */
  options?: Uint8Array;
}

/** IPv6 header fields for an injected packet; omitted ones take packetdrill's defaults. */
export interface Ipv6Spec {
  version: 6;
  src: string;
  dst: string;
  /** Default 0. */
  trafficClass?: number;
  /** Default 255. */
  hopLimit?: number;
  /** Default 0. */
  flowLabel?: number;
}

export type IpSpec = Ipv4Spec | Ipv6Spec;

export interface LinkSpec {
  srcMac: string;
  dstMac: string;
}

export const INBOUND_DEFAULTS = Object.freeze({
  tos: 0,
  ttl: 255,
  id: 0,
  df: false,
  mf: false,
  fragOffset: 0,
  trafficClass: 0,
  hopLimit: 255,
  flowLabel: 0,
});

const NO_BYTES = new Uint8Array(0);

/** Transport header sizes known up front; `write` fills it in at `offset` given the pseudo header's address sum. */
interface L4Writer {
  protocol: number;
  length: number;
  write(out: Uint8Array, offset: number, addrSum: number): void;
}

function encodeFrame(link: LinkSpec, ip: IpSpec, l4: L4Writer): Uint8Array {
  const ipOptions = ip.version === 4 ? (ip.options ?? NO_BYTES) : NO_BYTES;
  const ipHeaderLen = ip.version === 4 ? ipv4.headerLength({ options: ipOptions }) : ipv6.IPV6_HEADER_LEN;
  const out = new Uint8Array(ETHERNET_HEADER_LEN + ipHeaderLen + l4.length);
  ethernet.emitHeaderInto(
    { dst: link.dstMac, src: link.srcMac, etherType: ip.version === 4 ? ETHERTYPE_IPV4 : ETHERTYPE_IPV6 },
    out,
    0,
  );
  const ipOff = ETHERNET_HEADER_LEN;
  let addrSum: number;
  if (ip.version === 4) {
    const d = INBOUND_DEFAULTS;
    ipv4.emitHeaderInto(
      {
        tos: ip.tos ?? d.tos,
        id: ip.id ?? d.id,
        df: ip.df ?? d.df,
        mf: ip.mf ?? d.mf,
        fragOffset: ip.fragOffset ?? d.fragOffset,
        ttl: ip.ttl ?? d.ttl,
        protocol: l4.protocol,
        src: ip.src,
        dst: ip.dst,
        options: ipOptions,
      },
      l4.length,
      out,
      ipOff,
    );
    addrSum = sum16(out, ipOff + 12, ipOff + 20);
  } else {
    const d = INBOUND_DEFAULTS;
    ipv6.emitHeaderInto(
      {
        trafficClass: ip.trafficClass ?? d.trafficClass,
        flowLabel: ip.flowLabel ?? d.flowLabel,
        hopLimit: ip.hopLimit ?? d.hopLimit,
        nextHeader: l4.protocol,
        src: ip.src,
        dst: ip.dst,
      },
      l4.length,
      out,
      ipOff,
    );
    addrSum = sum16(out, ipOff + 8, ipOff + 40);
  }
  l4.write(out, ipOff + ipHeaderLen, addrSum);
  return out;
}

function guarded(build: () => Uint8Array): Result<Uint8Array> {
  try {
    return ok(build());
  } catch (e) {
    if (e instanceof RangeError) return fail(e.message);
    throw e;
  }
}

export interface TcpFrameSpec extends LinkSpec {
  ip: IpSpec;
  /** `checksum` is ignored: it is always computed. */
  tcp: tcp.TcpFields;
}

/** A complete Ethernet/IP/TCP frame with correct checksums; an error value when a field cannot be represented. */
export function encodeTcpFrame(spec: TcpFrameSpec): Result<Uint8Array> {
  return guarded(() =>
    encodeFrame(spec, spec.ip, {
      protocol: IPPROTO_TCP,
      length: tcp.headerLength(spec.tcp) + spec.tcp.payload.length,
      write: (out, off, sum) => tcp.emitInto(spec.tcp, out, off, sum),
    }),
  );
}

export interface UdpFrameSpec extends LinkSpec {
  ip: IpSpec;
  /** `checksum` is ignored: it is always computed. */
  udp: udp.UdpFields;
}

export function encodeUdpFrame(spec: UdpFrameSpec): Result<Uint8Array> {
  return guarded(() =>
    encodeFrame(spec, spec.ip, {
      protocol: IPPROTO_UDP,
      length: udp.UDP_HEADER_LEN + spec.udp.payload.length,
      write: (out, off, sum) => udp.emitInto(spec.udp, out, off, sum),
    }),
  );
}

export interface IcmpFrameSpec extends LinkSpec {
  ip: IpSpec;
  /** ICMPv4 over IPv4, ICMPv6 over IPv6 (same fields; type numbers differ by family). */
  icmp: icmp.IcmpFields;
}

export function encodeIcmpFrame(spec: IcmpFrameSpec): Result<Uint8Array> {
  const v6 = spec.ip.version === 6;
  return guarded(() =>
    encodeFrame(spec, spec.ip, {
      protocol: v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP,
      length: icmp.ICMP_HEADER_LEN + spec.icmp.payload.length,
      write: v6
        ? (out, off, sum) => icmpv6.emitInto(spec.icmp, out, off, sum)
        : (out, off) => icmp.emitInto(spec.icmp, out, off),
    }),
  );
}
