// Outbound matching: a live segment against the script packet, field by
// field in packetdrill's order, with packetdrill's wording:
//   live packet field tcp_seq: expected: 1 (0x1) vs actual: 2 (0x2)
// Comparing changes nothing: matchOutbound returns the difference and what
// the segment taught (its TS val mapping), and the caller keeps that on the
// flow (keepLearned).

import type { IcmpPacketAst, PortsAst, TcpPacketAst, UdpPacketAst } from '../script/ast.js';
import { icmpCode, icmpName } from './icmp-names.js';
import { ACK, SYN } from '../packet/tcp.js';
import { paddedOptionsLength, type TcpOption } from '../packet/tcp-options.js';
import type { RunConfig } from './config.js';
import { rebaseTsVal, type Flow } from './flow.js';
import type { LiveSegment } from './live.js';
import { ECN_CODEPOINTS, flagsFromLetters, lettersFromFlags, TCP_FLAGS, wireOption } from './packet-map.js';
import { renderOptions, scriptOptionsText, type OptionText } from './render.js';
import type { PacketView } from './verdict.js';

export type { LiveSegment } from './live.js';

function field(name: string, expected: number, actual: number): string | null {
  if (expected >>> 0 === actual >>> 0) return null;
  const e = expected >>> 0;
  const a = actual >>> 0;
  return `live packet field ${name}: expected: ${e} (0x${e.toString(16)}) vs actual: ${a} (0x${a.toString(16)})`;
}

/** Script options as wire options (numbers still script-relative); null when not checked. */
function scriptWireOptions(p: TcpPacketAst): TcpOption[] | null {
  if (p.options === 'any') return null;
  return (p.options ?? []).map(wireOption);
}

/** What comparing a live segment learned about its flow, for the caller to keep. */
export interface Learned {
  /** Script TS val → the kernel's live TS val, for each timestamp option compared (Flow.recordTs). */
  tsVals: Array<{ script: number; live: number }>;
}

/** The outcome of comparing a live segment with the script packet. */
export interface OutboundMatch {
  /** The first difference in packetdrill's words, or null when they match. */
  mismatch: string | null;
  /** What the segment taught, whether or not it matched (see keepLearned). */
  learned: Learned;
}

/** Keep on the flow what a compare learned: the TS val mappings, in the order they were seen. */
export function keepLearned(flow: Flow, learned: Learned): void {
  for (const ts of learned.tsVals) flow.recordTs(ts.script, ts.live);
}

/** A live TS val in script terms, counting a mapping this compare learned and the flow does not hold yet (as Flow.scriptTsVal will once it is kept). */
function scriptTsVal(flow: Flow, learned: Learned, liveVal: number): number {
  const first = learned.tsVals[0];
  return rebaseTsVal(flow.tsBase ?? (first ? { script: first.script >>> 0, live: first.live >>> 0 } : null), liveVal);
}

/** Compare options in lockstep; TS val is rebased, ecr is not checked (packetdrill's rules). */
function compareOptions(expected: TcpOption[], actual: TcpOption[], flow: Flow, cfg: RunConfig, learned: Learned): string | null {
  if (expected.length !== actual.length) return 'bad outbound TCP options';
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i]!;
    const a = actual[i]!;
    if (e.kind !== a.kind) return 'bad outbound TCP options';
    switch (e.kind) {
      case 'nop':
      case 'eol':
      case 'sackOK':
        break;
      case 'timestamp': {
        const av = a as Extract<TcpOption, { kind: 'timestamp' }>;
        learned.tsVals.push({ script: e.val, live: av.val });
        const tick = cfg.tsTickUsecs ?? 0;
        if (tick > 0) {
          const diff = Math.abs(((scriptTsVal(flow, learned, av.val) - e.val) | 0));
          if (diff * tick > cfg.toleranceUsecs) return `bad outbound TCP timestamp value, tolerance ${cfg.toleranceUsecs}`;
        }
        break;
      }
      case 'mss':
        if ((a as typeof e).value !== e.value) return `bad value outbound TCP option 2`;
        break;
      case 'wscale':
        if ((a as typeof e).value !== e.value) return `bad value outbound TCP option 3`;
        break;
      case 'sack': {
        const ab = (a as typeof e).blocks;
        if (ab.length !== e.blocks.length) return 'bad lengths for outbound TCP option 5';
        for (let j = 0; j < ab.length; j++) {
          if (flow.relRemote(ab[j]!.start) !== e.blocks[j]!.start >>> 0 || flow.relRemote(ab[j]!.end) !== e.blocks[j]!.end >>> 0) {
            return 'bad value outbound TCP option 5';
          }
        }
        break;
      }
      case 'fastopen': {
        const ac = (a as typeof e).cookie;
        if (ac.length !== e.cookie.length) return `bad lengths for outbound TCP option ${e.exp ? 254 : 34}`;
        if (Buffer.compare(Buffer.from(ac), Buffer.from(e.cookie)) !== 0) return `bad value outbound TCP option ${e.exp ? 254 : 34}`;
        break;
      }
      case 'md5':
        break;
      case 'unknown': {
        const ad = (a as typeof e).data;
        if (ad.length !== e.data.length || (a as typeof e).type !== e.type) return `bad lengths for outbound TCP option ${e.type}`;
        if (Buffer.compare(Buffer.from(ad), Buffer.from(e.data)) !== 0) return `bad value outbound TCP option ${e.type}`;
        break;
      }
    }
  }
  return null;
}

/**
 * Compare the live segment with the script packet, in packetdrill's order:
 * the first difference (null when they match) and what the segment taught
 * about the flow. The flow is read, never changed.
 */
export function matchOutbound(p: TcpPacketAst, seg: LiveSegment, flow: Flow, cfg: RunConfig): OutboundMatch {
  const learned: Learned = { tsVals: [] };
  return { mismatch: firstDifference(p, seg, flow, cfg, learned), learned };
}

function firstDifference(p: TcpPacketAst, seg: LiveSegment, flow: Flow, cfg: RunConfig, learned: Learned): string | null {
  const t = seg.tcp!;
  const ip = seg.ip;
  const wantOpts = scriptWireOptions(p);
  const optLen = wantOpts === null ? t.headerLength - 20 : paddedOptionsLength(wantOpts);
  const tcpLen = 20 + optLen + p.seq.len;
  if (ip.version === 4) {
    const m = field('ipv4_total_length', ip.headerLength + tcpLen, ip.totalLength);
    if (m) return m;
  } else {
    const m = field('ipv6_payload_len', ip.payloadLength - ip.upperPayload.length + tcpLen, ip.payloadLength);
    if (m) return m;
  }
  const tos = ip.version === 4 ? ip.tos : ip.trafficClass;
  if (p.ip.ecn === 'ect01') {
    const ecn = tos & 3;
    if (ecn !== 1 && ecn !== 2) return `live packet field ip_ecn: expected: 0x1 or 0x2 vs actual: 0x${ecn.toString(16)}`;
  } else if (p.ip.ecn) {
    const m = field('ip_ecn', ECN_CODEPOINTS[p.ip.ecn], tos & 3);
    if (m) return m;
  }
  if (p.ip.tos !== undefined) {
    const m = field('tos', p.ip.tos, tos);
    if (m) return m;
  }
  if (p.ip.ttl !== undefined) {
    const m = field('ttl', p.ip.ttl, ip.version === 4 ? ip.ttl : ip.hopLimit);
    if (m) return m;
  }
  let m = field('tcp_data_offset', (20 + optLen) / 4, t.headerLength / 4);
  if (m) return m;
  const want = flagsFromLetters(p.flags);
  for (const f of TCP_FLAGS) {
    m = field(f.field, want & f.bit ? 1 : 0, t.flags & f.bit ? 1 : 0);
    if (m) return m;
  }
  const syn = (t.flags & SYN) !== 0;
  m = field('tcp_seq', p.seq.start, flow.relLocal(t.seq, syn));
  if (m) return m;
  const liveAck = t.flags & ACK ? flow.relRemote(t.ack, syn) : t.ack;
  m = field('tcp_ack_seq', p.ack ?? 0, liveAck);
  if (m) return m;
  if (p.win !== null) {
    m = field('tcp_window', p.win, t.window);
    if (m) return m;
  }
  m = field('tcp_urg_ptr', p.urg ?? 0, t.urgentPointer);
  if (m) return m;
  if (wantOpts !== null) {
    m = compareOptions(wantOpts, t.options, flow, cfg, learned);
    if (m) return m;
  }
  if (t.payload.length !== p.seq.len) {
    return `live packet payload: expected ${p.seq.len} bytes vs actual ${t.payload.length} bytes`;
  }
  return null;
}

/** The script packet for printing; `ports` picks one port out of a flood. */
export function viewOfScript(p: TcpPacketAst, timeUsecs: number, ports?: { src: number; dst: number } | null): PacketView {
  return {
    timeUsecs,
    direction: p.direction,
    proto: 'tcp',
    srcPort: ports ? ports.src : p.ports?.src,
    dstPort: ports ? ports.dst : p.ports?.dst,
    portsText: !ports && p.ports ? portsText(p.ports) : undefined,
    flags: lettersFromFlags(flagsFromLetters(p.flags)),
    seq: p.seq.start,
    end: p.seq.end,
    len: p.seq.len,
    ack: p.ack,
    win: p.win,
    urg: p.urg,
    options: scriptOptionsText(p),
  };
}

function portsText(p: PortsAst): string {
  return `${p.src}${p.srcEnd !== null && p.srcEnd !== undefined ? `..${p.srcEnd}` : ''}>${p.dst}${p.dstEnd !== null && p.dstEnd !== undefined ? `..${p.dstEnd}` : ''}`;
}

/** The live segment in script terms: relative seq/ack/SACK, rebased TS val; ports shown when the script names them. */
export function viewOfLive(seg: LiveSegment, flow: Flow, timeUsecs: number, withPorts = false): PacketView {
  const t = seg.tcp!;
  const syn = (t.flags & SYN) !== 0;
  const seq = flow.relLocal(t.seq, syn);
  const opts: OptionText[] = t.options.map((o) => {
    if (o.kind === 'sack') return { kind: 'sack', blocks: o.blocks.map((b) => ({ start: flow.relRemote(b.start), end: flow.relRemote(b.end) })) };
    if (o.kind === 'timestamp') return { kind: 'timestamp', val: flow.scriptTsVal(o.val), ecr: o.ecr };
    return o as unknown as OptionText;
  });
  return {
    timeUsecs,
    direction: 'outbound',
    proto: 'tcp',
    srcPort: withPorts ? seg.localPort : undefined,
    dstPort: withPorts ? seg.remotePort : undefined,
    flags: lettersFromFlags(t.flags),
    seq,
    end: (seq + t.payload.length) >>> 0,
    len: t.payload.length,
    ack: t.flags & ACK ? flow.relRemote(t.ack, syn) : null,
    win: t.window,
    urg: t.urgentPointer || null,
    options: opts.length ? renderOptions(opts) : null,
    frame: seg.frame,
  };
}

/** An outbound UDP datagram against `> udp (N)`: lengths, as packetdrill checks them. */
export function matchOutboundUdp(p: UdpPacketAst, seg: LiveSegment): string | null {
  if (!seg.udp) return `live packet header layer 2: expected: udp header vs actual: ${seg.proto} header`;
  const ip = seg.ip;
  const m =
    ip.version === 4
      ? field('ipv4_total_length', ip.headerLength + 8 + p.len, ip.totalLength)
      : field('ipv6_payload_len', ip.payloadLength - ip.upperPayload.length + 8 + p.len, ip.payloadLength);
  if (m) return m;
  return field('udp_len', 8 + p.len, seg.udp.length);
}

/** An outbound ICMP message against `> icmp TYPE CODE`: type and code. */
export function matchOutboundIcmp(p: IcmpPacketAst, seg: LiveSegment, family: 4 | 6): string | null {
  if (!seg.icmp) return `live packet header layer 2: expected: icmp header vs actual: ${seg.proto} header`;
  const tc = icmpCode(family, p.type, p.code);
  if (typeof tc === 'string') return tc;
  return field('icmp_type', tc.type, seg.icmp.type) ?? field('icmp_code', tc.code, seg.icmp.code);
}

/** UDP and ICMP packets for printing (script side). */
export function viewOfOther(p: UdpPacketAst | IcmpPacketAst, timeUsecs: number): PacketView {
  if (p.kind === 'udp') {
    return { timeUsecs, direction: p.direction, proto: 'udp', len: p.len, srcPort: p.ports?.src, dstPort: p.ports?.dst };
  }
  return { timeUsecs, direction: p.direction, proto: 'icmp', len: 0, extra: `${p.type}${p.code ? ` ${p.code}` : ''}${p.mtu !== null ? ` mtu ${p.mtu}` : ''}` };
}

/** UDP and ICMP packets for printing (what the kernel sent). */
export function viewOfLiveOther(seg: LiveSegment, timeUsecs: number, family: 4 | 6): PacketView {
  if (seg.udp) return { timeUsecs, direction: 'outbound', proto: 'udp', len: seg.udp.payload.length, frame: seg.frame };
  const i = seg.icmp!;
  return { timeUsecs, direction: 'outbound', proto: 'icmp', len: 0, extra: icmpName(family, i.type, i.code), frame: seg.frame };
}
