// Frames the kernel sent, decoded once on capture.

import * as ethernet from '../packet/ethernet.js';
import * as ipv4 from '../packet/ipv4.js';
import * as ipv6 from '../packet/ipv6.js';
import * as tcp from '../packet/tcp.js';
import type { Ipv4Packet } from '../packet/ipv4.js';
import type { Ipv6Packet } from '../packet/ipv6.js';
import type { TcpSegment } from '../packet/tcp.js';
import * as udp from '../packet/udp.js';
import * as icmp from '../packet/icmp.js';
import * as icmpv6 from '../packet/icmpv6.js';
import type { UdpDatagram } from '../packet/udp.js';

export interface LiveIcmp {
  type: number;
  code: number;
  restOfHeader: number;
  /** The quoted datagram's transport ports, as it went (src>dst), when readable. */
  quotedPorts: { src: number; dst: number } | null;
}

export interface LiveSegment {
  /** CLOCK_MONOTONIC ns when captured. */
  timeNs: bigint;
  frame: Uint8Array;
  ip: Ipv4Packet | Ipv6Packet;
  proto: 'tcp' | 'udp' | 'icmp';
  tcp: TcpSegment | null;
  udp: UdpDatagram | null;
  icmp: LiveIcmp | null;
  /** A TSO/GSO super-segment's segment size (what TCP cut it for), when the wire knows it. */
  gsoSize?: number;
  /** Ports as seen from the kernel: its own, and the remote's. */
  localPort: number;
  remotePort: number;
}

/**
 * Decode a captured frame. Returns null for what is not the script's business
 * (ARP, neighbour discovery, MLD, other protocols) or a reason string for a
 * frame that is broken.
 */
export function decodeLive(bytes: Uint8Array, timeNs: bigint): LiveSegment | null | string {
  const eth = ethernet.parse(bytes);
  if (!eth.ok) return `bad Ethernet frame: ${eth.error}`;
  let ip: Ipv4Packet | Ipv6Packet;
  let l4: Uint8Array;
  let proto: number;
  if (eth.value.etherType === ethernet.ETHERTYPE_IPV4) {
    const p = ipv4.parse(eth.value.payload);
    if (!p.ok) return `bad IPv4 packet: ${p.error}`;
    ip = p.value;
    l4 = p.value.payload;
    proto = p.value.protocol;
  } else if (eth.value.etherType === ethernet.ETHERTYPE_IPV6) {
    const p = ipv6.parse(eth.value.payload);
    if (!p.ok) return `bad IPv6 packet: ${p.error}`;
    ip = p.value;
    l4 = p.value.upperPayload;
    proto = p.value.protocol;
  } else {
    return null;
  }
  if (proto === 17) {
    const u = udp.parse(l4);
    if (!u.ok) return `bad UDP datagram: ${u.error}`;
    return { timeNs, frame: bytes, ip, proto: 'udp', tcp: null, udp: u.value, icmp: null, localPort: u.value.srcPort, remotePort: u.value.dstPort };
  }
  if (proto === 1 || proto === 58) {
    const m = proto === 1 ? icmp.parse(l4) : icmpv6.parse(l4);
    if (!m.ok) return `bad ICMP message: ${m.error}`;
    if (proto === 58 && icmpv6.isNeighbourDiscoveryOrMld(m.value.type)) return null;
    // The quoted datagram: an IP header, then at least 8 bytes of transport header.
    const q = m.value.payload;
    let quotedPorts: { src: number; dst: number } | null = null;
    const qoff = q.length >= 1 && q[0]! >> 4 === 4 ? (q[0]! & 0xf) * 4 : q.length >= 1 && q[0]! >> 4 === 6 ? 40 : -1;
    if (qoff > 0 && q.length >= qoff + 4) quotedPorts = { src: (q[qoff]! << 8) | q[qoff + 1]!, dst: (q[qoff + 2]! << 8) | q[qoff + 3]! };
    const live: LiveIcmp = { type: m.value.type, code: m.value.code, restOfHeader: m.value.restOfHeader, quotedPorts };
    // A kernel's ICMP quotes what the tool sent: its source is the remote port.
    return {
      timeNs,
      frame: bytes,
      ip,
      proto: 'icmp',
      tcp: null,
      udp: null,
      icmp: live,
      localPort: quotedPorts?.dst ?? 0,
      remotePort: quotedPorts?.src ?? 0,
    };
  }
  if (proto !== 6) return null;
  const t = tcp.parse(l4);
  if (!t.ok) return `bad TCP segment: ${t.error}`;
  return { timeNs, frame: bytes, ip, proto: 'tcp', tcp: t.value, udp: null, icmp: null, localPort: t.value.srcPort, remotePort: t.value.dstPort };
}
