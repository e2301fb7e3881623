// What a script asks of the wire, read from its packets: whether it expects
// super-segments (so the kernel's side needs TSO, as packetdrill's tun has),
// and whether it injects frames larger than the MTU (so the link must take
// them, as packetdrill's tun takes GSO writes).

import type { PacketAst, Script } from './ast.js';

export interface WireNeeds {
  /**
   * An outbound TCP segment carries more payload than one segment can: the
   * script was written for a device with TSO (packetdrill's tun has it).
   */
  superSegments: boolean;
  /** The largest inbound IP packet the script injects, in bytes. */
  largestInbound: number;
}

const IPV4_TCP = 20 + 20;
const IPV6_TCP = 40 + 20;

/** Size of an inbound packet on the wire, options counted roughly (40 bytes at most). */
function inboundBytes(p: PacketAst, ipHeader: number): number {
  if (p.kind === 'tcp') {
    const opts = Array.isArray(p.options) ? 40 : 0;
    return ipHeader + 20 + opts + p.seq.len;
  }
  if (p.kind === 'udp') return ipHeader + 8 + p.len;
  return 0;
}

/**
 * Read the script's packets. `mtu` is the configured MTU and `family` the
 * wire's IP version: a segment is "super" when its payload is larger than
 * the MTU allows or the MSS the remote side announces.
 */
export function wireNeeds(script: Script, mtu: number, family: 4 | 6): WireNeeds {
  const perSegment = mtu - (family === 6 ? IPV6_TCP : IPV4_TCP);
  // The MSS the remote side announces in its SYN or SYN-ACK (536 without
  // the option, as TCP assumes); with several flows, the largest.
  let announced = 0;
  for (const ev of script.events) {
    if (ev.kind !== 'packet' || ev.packet.kind !== 'tcp' || ev.packet.direction !== 'inbound') continue;
    if (!ev.packet.flags.includes('S')) continue;
    const opts = Array.isArray(ev.packet.options) ? ev.packet.options : [];
    const mss = opts.find((o) => o.kind === 'mss');
    announced = Math.max(announced, mss && mss.kind === 'mss' ? mss.value : 536);
  }
  const limit = announced > 0 ? Math.min(perSegment, announced) : perSegment;
  let superSegments = false;
  let largestInbound = 0;
  for (const ev of script.events) {
    if (ev.kind !== 'packet') continue;
    const p = ev.packet;
    if (p.direction === 'outbound') {
      if (p.kind === 'tcp' && p.seq.len > limit) superSegments = true;
    } else {
      largestInbound = Math.max(largestInbound, inboundBytes(p, family === 6 ? 40 : 20));
    }
  }
  return { superSegments, largestInbound };
}
