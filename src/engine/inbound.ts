// Inbound script packets → Ethernet frames on the wire, with relative
// numbers mapped to live ones.

import type { IcmpPacketAst, IpAttrsAst, TcpOptionAst, TcpPacketAst, UdpPacketAst } from '../script/ast.js';
import * as udp from '../packet/udp.js';
import * as icmp from '../packet/icmp.js';
import * as icmpv6 from '../packet/icmpv6.js';
import { icmpCode } from './icmp-names.js';
import * as ethernet from '../packet/ethernet.js';
import * as ipv4 from '../packet/ipv4.js';
import * as ipv6 from '../packet/ipv6.js';
import * as tcp from '../packet/tcp.js';
import type { TcpOption } from '../packet/tcp-options.js';
import type { RunConfig } from './config.js';
import type { Flow } from './flow.js';
import { flagsFromLetters, tosOf, wireOption } from './packet-map.js';

export interface LinkAddrs {
  /** MAC of the kernel's interface (destination of inbound frames). */
  kernelMac: string;
  /** MAC of the tool's side (source of inbound frames). */
  wireMac: string;
}

type Result<T> = { ok: true; value: T } | { ok: false; error: string };

/** Script option → wire option, mapping SACK blocks and TS ecr into live numbers. */
function mapOption(o: TcpOptionAst, flow: Flow, hasAck: boolean, scaled: boolean): Result<TcpOption> {
  switch (o.kind) {
    case 'sack':
      return { ok: true, value: { kind: 'sack', blocks: o.blocks.map((b) => ({ start: flow.localSeq(b.start), end: flow.localSeq(b.end) })) } };
    case 'timestamp': {
      let ecr = o.ecr >>> 0;
      if (hasAck) {
        const live = flow.liveTsVal(ecr, scaled);
        if (live === null) {
          return { ok: false, error: `unable to infer live TS ecr for script TS ecr ${o.ecr};  no matching or preceding outbound TS val` };
        }
        ecr = live;
      }
      return { ok: true, value: { kind: 'timestamp', val: o.val >>> 0, ecr } };
    }
    default:
      return { ok: true, value: wireOption(o) };
  }
}

export function buildInbound(p: TcpPacketAst, flow: Flow, cfg: RunConfig, link: LinkAddrs): Result<Uint8Array> {
  if (p.win === null) return { ok: false, error: 'window must be specified for inbound packets' };
  if (p.options === 'any') return { ok: false, error: '<...> for TCP options can only be used with outbound packets' };
  const flags = flagsFromLetters(p.flags);
  const hasAck = (flags & tcp.ACK) !== 0;
  const options: TcpOption[] = [];
  for (const o of p.options ?? []) {
    const m = mapOption(o, flow, hasAck, cfg.tsEcrScaled);
    if (!m.ok) return m;
    options.push(m.value);
  }
  const segment: tcp.TcpFields = {
    srcPort: flow.remotePort!,
    dstPort: flow.localPort!,
    seq: flow.remoteSeq(p.seq.start, (flags & tcp.SYN) !== 0),
    ack: p.ack === null ? 0 : flow.localSeq(p.ack, (flags & tcp.SYN) !== 0),
    flags,
    window: p.win,
    urgentPointer: p.urg ?? 0,
    options,
    payload: new Uint8Array(p.seq.len),
  };
  const v6 = cfg.ipVersion === 'ipv6';
  const tos = tosOf(p.ip);
  let l4: Uint8Array;
  let l3: Uint8Array;
  try {
    l4 = tcp.emit(segment, { src: cfg.remoteIp, dst: cfg.localIp, version: v6 ? 6 : 4 });
    l3 = v6
      ? ipv6.emit({ trafficClass: tos, flowLabel: p.ip.flowlabel ?? 0, hopLimit: p.ip.ttl ?? 255, nextHeader: 6, src: cfg.remoteIp, dst: cfg.localIp, payload: l4 })
      : ipv4.emit({ tos, id: 0, df: false, mf: false, fragOffset: 0, ttl: p.ip.ttl ?? 255, protocol: 6, src: cfg.remoteIp, dst: cfg.localIp, options: new Uint8Array(0), payload: l4 });
  } catch (e) {
    return { ok: false, error: (e as Error).message };
  }
  const frame = ethernet.emit({ dst: link.kernelMac, src: link.wireMac, etherType: v6 ? ethernet.ETHERTYPE_IPV6 : ethernet.ETHERTYPE_IPV4, payload: l3 });
  return { ok: true, value: frame };
}

/**
 * A rehearsal's stand-in for what the kernel would send for an outbound
 * script packet: the script's own fields, from the local side to the remote,
 * as a frame that the capture path decodes like a real one (Engine.rehearse).
 * Only the code path matters; numbers that need the live connection are
 * taken as written.
 */
export function buildStandInOutbound(p: TcpPacketAst, flow: Flow, cfg: RunConfig, link: LinkAddrs): Result<Uint8Array> {
  const flags = flagsFromLetters(p.flags);
  const syn = (flags & tcp.SYN) !== 0;
  const options: TcpOption[] = p.options === 'any' ? [] : (p.options ?? []).map(wireOption);
  const v6 = cfg.ipVersion === 'ipv6';
  try {
    const l4 = tcp.emit(
      {
        srcPort: flow.localPort ?? 40_000,
        dstPort: flow.remotePort ?? cfg.connectPort,
        seq: flow.localSeq(p.seq.start, syn),
        ack: p.ack === null ? 0 : flow.remoteSeq(p.ack, syn),
        flags,
        window: p.win ?? 0,
        urgentPointer: p.urg ?? 0,
        options,
        payload: new Uint8Array(p.seq.len),
      },
      { src: cfg.localIp, dst: cfg.remoteIp, version: v6 ? 6 : 4 },
    );
    const tos = tosOf(p.ip);
    const l3 = v6
      ? ipv6.emit({ trafficClass: tos, flowLabel: p.ip.flowlabel ?? 0, hopLimit: p.ip.ttl ?? 64, nextHeader: 6, src: cfg.localIp, dst: cfg.remoteIp, payload: l4 })
      : ipv4.emit({ tos, id: 0, df: true, mf: false, fragOffset: 0, ttl: p.ip.ttl ?? 64, protocol: 6, src: cfg.localIp, dst: cfg.remoteIp, options: new Uint8Array(0), payload: l4 });
    return { ok: true, value: ethernet.emit({ dst: link.wireMac, src: link.kernelMac, etherType: v6 ? ethernet.ETHERTYPE_IPV6 : ethernet.ETHERTYPE_IPV4, payload: l3 }) };
  } catch (e) {
    return { ok: false, error: (e as Error).message };
  }
}

function ipLayer(cfg: RunConfig, ip: IpAttrsAst, protocol: number, l4: Uint8Array): Uint8Array {
  const v6 = cfg.ipVersion === 'ipv6';
  const tos = tosOf(ip);
  return v6
    ? ipv6.emit({ trafficClass: tos, flowLabel: ip.flowlabel ?? 0, hopLimit: ip.ttl ?? 255, nextHeader: protocol, src: cfg.remoteIp, dst: cfg.localIp, payload: l4 })
    : ipv4.emit({ tos, id: 0, df: false, mf: false, fragOffset: 0, ttl: ip.ttl ?? 255, protocol, src: cfg.remoteIp, dst: cfg.localIp, options: new Uint8Array(0), payload: l4 });
}

function frameOf(cfg: RunConfig, link: LinkAddrs, l3: Uint8Array): Uint8Array {
  const v6 = cfg.ipVersion === 'ipv6';
  return ethernet.emit({ dst: link.kernelMac, src: link.wireMac, etherType: v6 ? ethernet.ETHERTYPE_IPV6 : ethernet.ETHERTYPE_IPV4, payload: l3 });
}

/** `< udp (N)`: N zero bytes from the flow's remote port to its local one. */
export function buildInboundUdp(p: UdpPacketAst, flow: Flow, cfg: RunConfig, link: LinkAddrs): Result<Uint8Array> {
  try {
    const v6 = cfg.ipVersion === 'ipv6';
    const l4 = udp.emit({ srcPort: flow.remotePort!, dstPort: flow.localPort!, payload: new Uint8Array(p.len) }, { src: cfg.remoteIp, dst: cfg.localIp, version: v6 ? 6 : 4 });
    return { ok: true, value: frameOf(cfg, link, ipLayer(cfg, p.ip, 17, l4)) };
  } catch (e) {
    return { ok: false, error: (e as Error).message };
  }
}

/** What an ICMP message quotes when the script names nothing: as packetdrill, `[0:0(0)]`. */
const DEFAULT_ECHOED = { kind: 'tcp', seq: { start: 0, end: 0, len: 0 } } as const;

/**
 * The start of a datagram the kernel sent (local → remote), as an ICMP error
 * quotes it: its IP header and the first 8 bytes of its transport header
 * (ports, and a TCP segment's seq mapped to the live one).
 */
function quotedDatagram(e: TcpPacketAst | UdpPacketAst | typeof DEFAULT_ECHOED, flow: Flow, cfg: RunConfig, family: 4 | 6): Uint8Array {
  const head = new Uint8Array(8);
  const dv = new DataView(head.buffer);
  dv.setUint16(0, flow.localPort ?? cfg.bindPort);
  dv.setUint16(2, flow.remotePort ?? cfg.connectPort);
  let proto = 17;
  let len = 8;
  if (e.kind === 'tcp') {
    proto = 6;
    dv.setUint32(4, flow.localSeq(e.seq.start));
    len = 20 + e.seq.len;
  } else {
    dv.setUint16(4, 8 + e.len);
    len = 8 + e.len;
  }
  // The quoted IP header says what the kernel's datagram looked like.
  const ipHeader = family === 6
    ? ipv6.emit({ trafficClass: 0, flowLabel: 0, hopLimit: 64, nextHeader: proto, src: cfg.localIp, dst: cfg.remoteIp, payload: new Uint8Array(len) }).subarray(0, 40)
    : ipv4.emit({ tos: 0, id: 0, df: true, mf: false, fragOffset: 0, ttl: 64, protocol: proto, src: cfg.localIp, dst: cfg.remoteIp, options: new Uint8Array(0), payload: new Uint8Array(len) }).subarray(0, 20);
  const quoted = new Uint8Array(ipHeader.length + 8);
  quoted.set(ipHeader, 0);
  quoted.set(head, ipHeader.length);
  return quoted;
}

/**
 * `< icmp unreachable frag_needed mtu 1200 [1:1461(1460)]`: an ICMP message
 * from the path, quoting a datagram the kernel sent, numbers mapped. Without
 * the bracketed part the quote is still there, as in packetdrill: a TCP
 * segment at script seq 0 (the kernel's ISN, which a SYN_SENT or SYN_RECV
 * socket requires of the quote before it takes the error). `id N` is the
 * echo identifier (the high half of the rest of the header), `mtu N` the
 * next-hop MTU (its low half in ICMPv4, all of it in ICMPv6).
 */
export function buildInboundIcmp(p: IcmpPacketAst, flow: Flow, cfg: RunConfig, link: LinkAddrs): Result<Uint8Array> {
  const family = cfg.ipVersion === 'ipv6' ? 6 : 4;
  const tc = icmpCode(family, p.type, p.code);
  if (typeof tc === 'string') return { ok: false, error: tc };
  try {
    const quoted = quotedDatagram(p.echoed ?? DEFAULT_ECHOED, flow, cfg, family);
    const id = ((p.id ?? 0) & 0xffff) << 16;
    const rest = p.mtu !== null ? (family === 4 ? (id | (p.mtu & 0xffff)) >>> 0 : p.mtu >>> 0) : id >>> 0;
    const l4 =
      family === 6
        ? icmpv6.emit({ type: tc.type, code: tc.code, restOfHeader: rest, payload: quoted }, { src: cfg.remoteIp, dst: cfg.localIp })
        : icmp.emit({ type: tc.type, code: tc.code, restOfHeader: rest, payload: quoted });
    return { ok: true, value: frameOf(cfg, link, ipLayer(cfg, p.ip, family === 6 ? 58 : 1, l4)) };
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  }
}
