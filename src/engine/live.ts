// Frames the kernel sent, decoded once on capture.

import * as ethernet from '../packet/ethernet.js';
import * as ipv4 from '../packet/ipv4.js';
import * as ipv6 from '../packet/ipv6.js';
import * as tcp from '../packet/tcp.js';
import type { Ipv4Packet } from '../packet/ipv4.js';
import type { Ipv6Packet } from '../packet/ipv6.js';
import type { TcpSegment } from '../packet/tcp.js';

export interface LiveSegment {
  /** CLOCK_MONOTONIC ns when captured. */
  timeNs: bigint;
  frame: Uint8Array;
  ip: Ipv4Packet | Ipv6Packet;
  tcp: TcpSegment | null;
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
  if (proto !== 6) return null; // UDP/ICMP: not handled by the engine yet
  const t = tcp.parse(l4);
  if (!t.ok) return `bad TCP segment: ${t.error}`;
  return { timeNs, frame: bytes, ip, tcp: t.value, localPort: t.value.srcPort, remotePort: t.value.dstPort };
}
