/**
 * A trace split into TCP flows, for pcap → .pkt conversion.
 *
 * A flow is one connection: a 4-tuple, both directions. Flows are numbered
 * from 1 in order of first appearance, so flow N is Wireshark's
 * `tcp.stream == N-1` (Wireshark counts from 0). As in Wireshark, a 4-tuple
 * that is reused (a new SYN after the previous connection saw a FIN or RST)
 * starts a new flow.
 *
 * The opener is the side that sent the first SYN without ACK (or, failing
 * that, the side a SYN-ACK was sent to). A capture that starts mid-flow has
 * neither; the side of the flow's first packet is then taken as the opener
 * and `openerSeen` is false.
 *
 * Link layers: Ethernet (802.1Q/802.1ad tags skipped), raw IP, Linux cooked
 * (SLL, SLL2) and BSD loopback. A capture cut short by its snap length still
 * gives its TCP headers: lengths come from the IP header, the missing payload
 * reads as zeros. Packets that are not TCP over IP are counted by reason.
 * Nothing here throws.
 *
 * Memory: a `FlowSplitter` takes records one at a time (`readFlows` feeds it
 * as the file is read) and keeps, per segment, only what a script needs:
 * numbers, flags, window and the option bytes, no frame bytes and no
 * payload, in columns of typed arrays (`SegmentTable`: 38 bytes a segment,
 * no object each; an object a segment took 210). A flow whose segments are
 * not wanted (`keep`) costs its numbers and endpoints.
 */
import { decodeIp } from '../packet/frame.js';
import { fail, ok, type Result } from '../packet/result.js';
import * as tcp from '../packet/tcp.js';
import type { TcpSegment } from '../packet/tcp.js';
import { parseOptions, type TcpOption } from '../packet/tcp-options.js';
import { linkTypeName, scanPcap, type PcapRecord, type PcapTrace } from './read.js';

export interface Endpoint {
  readonly ip: string;
  readonly port: number;
}

/**
 * What a flow keeps of a TCP header: no ports (the flow has them), no
 * checksum, no payload; option bytes (a Fast Open cookie, an MD5 digest, an
 * unknown option's data) are copies, so nothing holds on to the frame.
 */
export interface FlowTcp {
  /** uint32 */
  readonly seq: number;
  /** uint32 */
  readonly ack: number;
  /** Bitmask of FIN..AE (9 bits). */
  readonly flags: number;
  readonly window: number;
  readonly urgentPointer: number;
  readonly options: readonly TcpOption[];
}

export interface FlowSegment {
  /** 1-based packet number in the trace, as Wireshark shows it. */
  readonly packet: number;
  /** Absolute capture time, µs since the epoch. */
  readonly timeUsecs: number;
  /** Sent by the flow's side `a` (else by `b`). */
  readonly fromA: boolean;
  /** IPv4 TOS or IPv6 traffic class (the low two bits are ECN). */
  readonly tos: number;
  /** TTL or hop limit. */
  readonly ttl: number;
  readonly tcp: FlowTcp;
  /** Payload bytes on the wire (from the IP length: right even when the capture was cut). */
  readonly payloadLength: number;
}

export interface TcpFlow {
  /** 1-based; Wireshark's tcp.stream is `number - 1`. */
  readonly number: number;
  readonly ipVersion: 4 | 6;
  /** The side that sent the flow's first packet. */
  readonly a: Endpoint;
  readonly b: Endpoint;
  /** The side that opened the connection (see the module comment). */
  readonly opener: 'a' | 'b';
  /** False when the capture starts mid-flow and `opener` is only the side of the first packet. */
  readonly openerSeen: boolean;
  /** Packets of the flow in the trace (its segments, whether kept or not). */
  readonly packets: number;
  /** Whether `segments` were kept (see `SplitOptions.keep`); if not, `segments` is empty. */
  readonly kept: boolean;
  readonly segments: FlowSegments;
}

export interface TraceFlows {
  readonly flows: TcpFlow[];
  /** Records in the trace. */
  readonly packets: number;
  /** Packets that are in no flow, by reason ("UDP", "non-IP", "IP fragment", "malformed", ...), in order of first appearance. */
  readonly skipped: ReadonlyMap<string, number>;
}

/** `3 UDP, 1 ARP`, or '' when nothing was skipped. */
export function describeSkipped(skipped: ReadonlyMap<string, number>): string {
  return [...skipped].map(([reason, n]) => `${n} ${reason}`).join(', ');
}

/** `192.0.2.1:40000 > 192.168.0.1:8080`: the opener first. */
export function flowTuple(f: TcpFlow): string {
  const [o, p] = f.opener === 'a' ? [f.a, f.b] : [f.b, f.a];
  return `${endpointText(o)} > ${endpointText(p)}`;
}

/** `flow 1: 192.0.2.1:40000 > 192.168.0.1:8080, 10 packets` (for a listing of a trace's flows). */
export function describeFlow(f: TcpFlow): string {
  const n = f.packets;
  return `flow ${f.number}: ${flowTuple(f)}, ${n} packet${n === 1 ? '' : 's'}${f.openerSeen ? '' : ' (starts mid-flow)'}`;
}

export function endpointText(e: Endpoint): string {
  return e.ip.includes(':') ? `[${e.ip}]:${e.port}` : `${e.ip}:${e.port}`;
}

// ---------------------------------------------------------------- link layers

const LINKTYPE_NULL = 0;
const LINKTYPE_ETHERNET = 1;
const LINKTYPE_RAW = 101;
const LINKTYPE_LOOP = 108;
const LINKTYPE_LINUX_SLL = 113;
const LINKTYPE_IPV4 = 228;
const LINKTYPE_IPV6 = 229;
const LINKTYPE_LINUX_SLL2 = 276;

/** Link types `splitFlows` reads: pass them to `readPcap` as `linkTypes`. */
export const FLOW_LINK_TYPES: readonly number[] = Object.freeze([
  LINKTYPE_ETHERNET,
  LINKTYPE_RAW,
  LINKTYPE_IPV4,
  LINKTYPE_IPV6,
  LINKTYPE_LINUX_SLL,
  LINKTYPE_LINUX_SLL2,
  LINKTYPE_NULL,
  LINKTYPE_LOOP,
]);

const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_ARP = 0x0806;
const ETHERTYPE_IPV6 = 0x86dd;
const VLAN_TAGS = new Set([0x8100, 0x88a8, 0x9100]);

/** Where the IP packet starts in a frame, or why there is none. */
type Unwrapped = { ok: true; offset: number } | { ok: false; reason: string };

const be16 = (b: Uint8Array, i: number): number => (b[i]! << 8) | b[i + 1]!;

function byEtherType(type: number, offset: number): Unwrapped {
  if (type === ETHERTYPE_IPV4 || type === ETHERTYPE_IPV6) return { ok: true, offset };
  return { ok: false, reason: type === ETHERTYPE_ARP ? 'ARP' : 'non-IP' };
}

function unwrap(linkType: number, b: Uint8Array): Unwrapped {
  const short: Unwrapped = { ok: false, reason: 'truncated' };
  switch (linkType) {
    case LINKTYPE_ETHERNET: {
      let off = 12;
      if (b.length < off + 2) return short;
      while (VLAN_TAGS.has(be16(b, off))) {
        off += 4;
        if (b.length < off + 2) return short;
      }
      return byEtherType(be16(b, off), off + 2);
    }
    case LINKTYPE_RAW:
    case LINKTYPE_IPV4:
    case LINKTYPE_IPV6:
      return { ok: true, offset: 0 };
    case LINKTYPE_LINUX_SLL:
      return b.length < 16 ? short : byEtherType(be16(b, 14), 16);
    case LINKTYPE_LINUX_SLL2:
      return b.length < 20 ? short : byEtherType(be16(b, 0), 20);
    case LINKTYPE_NULL:
    case LINKTYPE_LOOP: {
      if (b.length < 4) return short;
      // The address family, in the capturing host's byte order (NULL) or network order (LOOP).
      const le = b[0]! | (b[1]! << 8) | (b[2]! << 16) | (b[3]! << 24);
      const be = (b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!;
      const family = linkType === LINKTYPE_LOOP ? be : le !== 0 && le < 256 ? le : be;
      // AF_INET is 2 everywhere; AF_INET6 is 10 (Linux), 24, 28 or 30 (the BSDs, macOS).
      return family === 2 || family === 10 || family === 24 || family === 28 || family === 30 ? { ok: true, offset: 4 } : { ok: false, reason: 'non-IP' };
    }
    default:
      return { ok: false, reason: 'non-IP' };
  }
}

// ---------------------------------------------------------------- decoding one record

interface Decoded {
  version: 4 | 6;
  src: string;
  dst: string;
  tos: number;
  ttl: number;
  /** A view into the frame: `SegmentColumns.add` keeps what is needed of it. */
  tcp: TcpSegment;
  payloadLength: number;
}

/** An option with its bytes copied out of the frame (`Uint8Array.from`: a Buffer's slice would be a view). */
function ownOption(o: TcpOption): TcpOption {
  switch (o.kind) {
    case 'fastopen':
      return { ...o, cookie: Uint8Array.from(o.cookie) };
    case 'md5':
      return { ...o, digest: Uint8Array.from(o.digest) };
    case 'unknown':
      return { ...o, data: Uint8Array.from(o.data) };
    default:
      return o;
  }
}

const PROTOCOL_NAMES: Readonly<Record<number, string>> = { 1: 'ICMP', 17: 'UDP', 58: 'ICMPv6', 132: 'SCTP', 47: 'GRE', 50: 'ESP' };

function decodeRecord(linkType: number, frame: Uint8Array, origLen: number): Decoded | string {
  const link = unwrap(linkType, frame);
  if (!link.ok) return link.reason;
  const captured = frame.length - link.offset;
  let ipBytes = frame.subarray(link.offset);
  if (origLen > frame.length) {
    // Cut by the snap length: pad to the wire length so the IP lengths hold;
    // the headers must still be whole (checked below).
    // (No IP packet is longer than 65535 + 40 bytes: a corrupt length costs nothing.)
    const padded = new Uint8Array(Math.min(origLen - link.offset, 65535 + 40));
    padded.set(ipBytes);
    ipBytes = padded;
  }
  if (ipBytes.length === 0) return 'truncated';
  const version = ipBytes[0]! >>> 4;
  if (version !== 4 && version !== 6) return 'non-IP';
  const d = decodeIp(ipBytes);
  if (!d.ok) return d.truncated ? 'truncated' : 'malformed';
  const { ip, l4, fragment } = d.value;
  if (fragment) return 'IP fragment';
  if (l4.proto !== 'tcp') {
    const number = l4.proto === 'other' ? l4.number : l4.proto === 'udp' ? 17 : l4.proto === 'icmp' ? 1 : 58;
    return PROTOCOL_NAMES[number] ?? `IP protocol ${number}`;
  }
  const t = l4.tcp;
  // Where the TCP header ends inside ipBytes: it must have been captured.
  const tcpStart = ip.version === 4 ? ip.headerLength : 40 + (ip.payload.length - ip.upperPayload.length);
  if (tcpStart + t.headerLength > captured) return 'truncated';
  return {
    version: ip.version,
    src: ip.src,
    dst: ip.dst,
    tos: ip.version === 4 ? ip.tos : ip.trafficClass,
    ttl: ip.version === 4 ? ip.ttl : ip.hopLimit,
    tcp: t,
    payloadLength: t.payload.length,
  };
}

// ---------------------------------------------------------------- the kept segments, column by column

const NO_OPTIONS: readonly TcpOption[] = Object.freeze([]);

/**
 * The kept segments of a trace, column by column (38 bytes a segment, no
 * object each). A segment is its index in the table; a flow's segments are
 * consecutive, in trace order (`FlowSegments`). Options are kept as their
 * bytes and parsed again when asked for: they parsed once, as the record was
 * split, and parse the same again.
 */
export class SegmentTable {
  /** @internal Built by the splitter (`SegmentColumns.table`). */
  constructor(
    readonly packet: Uint32Array,
    readonly timeUsecs: Float64Array,
    /** 1: sent by the flow's side `a`. */
    readonly fromA: Uint8Array,
    readonly tos: Uint8Array,
    readonly ttl: Uint8Array,
    readonly seq: Uint32Array,
    readonly ack: Uint32Array,
    readonly flags: Uint16Array,
    readonly window: Uint16Array,
    readonly urgentPointer: Uint16Array,
    readonly payloadLength: Uint32Array,
    /** Where segment g's option bytes start in `optionBytes`, and how many there are. */
    private readonly optionStart: Uint32Array,
    private readonly optionLength: Uint8Array,
    private readonly optionBytes: Uint8Array,
  ) {}

  get length(): number {
    return this.packet.length;
  }

  /** Whether segment `g` has options (without parsing them). */
  hasOptions(g: number): boolean {
    return this.optionLength[g]! > 0;
  }

  /** Segment `g`'s options; their byte arrays (a cookie, a digest) are views into the table. */
  options(g: number): readonly TcpOption[] {
    const n = this.optionLength[g]!;
    if (n === 0) return NO_OPTIONS;
    const start = this.optionStart[g]!;
    const parsed = parseOptions(this.optionBytes.subarray(start, start + n));
    return parsed.ok ? parsed.value : NO_OPTIONS;
  }

  /** Segment `g` as an object of its own (its option bytes copied). */
  segment(g: number): FlowSegment {
    const options = this.options(g);
    return {
      packet: this.packet[g]!,
      timeUsecs: this.timeUsecs[g]!,
      fromA: this.fromA[g] === 1,
      tos: this.tos[g]!,
      ttl: this.ttl[g]!,
      tcp: {
        seq: this.seq[g]!,
        ack: this.ack[g]!,
        flags: this.flags[g]!,
        window: this.window[g]!,
        urgentPointer: this.urgentPointer[g]!,
        options: options.length === 0 ? NO_OPTIONS : options.map(ownOption),
      },
      payloadLength: this.payloadLength[g]!,
    };
  }
}

/**
 * A flow's kept segments, in trace order: segment `i` of the flow is
 * segment `start + i` of the table. Fields are read one at a time
 * (`flags(i)`); `at(i)` makes an object of one segment.
 */
export class FlowSegments implements Iterable<FlowSegment> {
  constructor(
    readonly table: SegmentTable,
    readonly start: number,
    readonly length: number,
  ) {}

  packet(i: number): number {
    return this.table.packet[this.start + i]!;
  }
  timeUsecs(i: number): number {
    return this.table.timeUsecs[this.start + i]!;
  }
  fromA(i: number): boolean {
    return this.table.fromA[this.start + i] === 1;
  }
  tos(i: number): number {
    return this.table.tos[this.start + i]!;
  }
  seq(i: number): number {
    return this.table.seq[this.start + i]!;
  }
  ack(i: number): number {
    return this.table.ack[this.start + i]!;
  }
  flags(i: number): number {
    return this.table.flags[this.start + i]!;
  }
  window(i: number): number {
    return this.table.window[this.start + i]!;
  }
  urgentPointer(i: number): number {
    return this.table.urgentPointer[this.start + i]!;
  }
  payloadLength(i: number): number {
    return this.table.payloadLength[this.start + i]!;
  }
  options(i: number): readonly TcpOption[] {
    return this.table.options(this.start + i);
  }
  hasOptions(i: number): boolean {
    return this.table.hasOptions(this.start + i);
  }

  /** Segment `i` as an object of its own. */
  at(i: number): FlowSegment {
    if (!(i >= 0 && i < this.length)) throw new RangeError(`no segment ${i} in a flow of ${this.length}`);
    return this.table.segment(this.start + i);
  }

  toArray(): FlowSegment[] {
    return Array.from({ length: this.length }, (_, i) => this.table.segment(this.start + i));
  }

  *[Symbol.iterator](): Iterator<FlowSegment> {
    for (let i = 0; i < this.length; i++) yield this.table.segment(this.start + i);
  }
}

const EMPTY_TABLE = new SegmentTable(
  new Uint32Array(0),
  new Float64Array(0),
  new Uint8Array(0),
  new Uint8Array(0),
  new Uint8Array(0),
  new Uint32Array(0),
  new Uint32Array(0),
  new Uint16Array(0),
  new Uint16Array(0),
  new Uint16Array(0),
  new Uint32Array(0),
  new Uint32Array(0),
  new Uint8Array(0),
  new Uint8Array(0),
);

/** A flow whose segments were not kept. */
const NO_SEGMENTS = new FlowSegments(EMPTY_TABLE, 0, 0);

/** Segments a chunk of the splitter's columns holds. */
const CHUNK = 1 << 14;

/** CHUNK segments as the splitter adds them, in trace order, each with its flow (0-based). */
class SegmentChunk {
  readonly flow = new Int32Array(CHUNK);
  readonly packet = new Uint32Array(CHUNK);
  readonly timeUsecs = new Float64Array(CHUNK);
  readonly fromA = new Uint8Array(CHUNK);
  readonly tos = new Uint8Array(CHUNK);
  readonly ttl = new Uint8Array(CHUNK);
  readonly seq = new Uint32Array(CHUNK);
  readonly ack = new Uint32Array(CHUNK);
  readonly flags = new Uint16Array(CHUNK);
  readonly window = new Uint16Array(CHUNK);
  readonly urgentPointer = new Uint16Array(CHUNK);
  readonly payloadLength = new Uint32Array(CHUNK);
  readonly optionStart = new Uint32Array(CHUNK);
  readonly optionLength = new Uint8Array(CHUNK);
}

/**
 * The segments as the splitter adds them, in chunks (nothing is copied as
 * they grow); `table` puts each flow's together, in trace order within it.
 */
class SegmentColumns {
  private chunks: SegmentChunk[] = [];
  private count = 0;
  /** The option bytes of every segment, one after the other. */
  private optionBytes = new Uint8Array(4096);
  private optionEnd = 0;

  /** A segment of flow `flow` (0-based); its option bytes are copied. */
  add(flow: number, packet: number, timeUsecs: number, fromA: boolean, d: Decoded): void {
    const j = this.count % CHUNK;
    if (j === 0) this.chunks.push(new SegmentChunk());
    const c = this.chunks[this.chunks.length - 1]!;
    const t = d.tcp;
    c.flow[j] = flow;
    c.packet[j] = packet;
    c.timeUsecs[j] = timeUsecs;
    c.fromA[j] = fromA ? 1 : 0;
    c.tos[j] = d.tos;
    c.ttl[j] = d.ttl;
    c.seq[j] = t.seq;
    c.ack[j] = t.ack;
    c.flags[j] = t.flags;
    c.window[j] = t.window;
    c.urgentPointer[j] = t.urgentPointer;
    c.payloadLength[j] = d.payloadLength;
    const bytes = t.options.length === 0 ? 0 : t.optionBytes.length;
    c.optionStart[j] = this.optionEnd;
    c.optionLength[j] = bytes;
    if (bytes > 0) {
      if (this.optionEnd + bytes > this.optionBytes.length) {
        const bigger = new Uint8Array(this.optionBytes.length * 2);
        bigger.set(this.optionBytes.subarray(0, this.optionEnd));
        this.optionBytes = bigger;
      }
      this.optionBytes.set(t.optionBytes, this.optionEnd);
      this.optionEnd += bytes;
    }
    this.count++;
  }

  /**
   * The table, each flow's segments together in flow order, and where each
   * flow's start (`starts[k]` for flow k, 0-based; `starts[flows]` is the
   * end). The chunks are let go.
   */
  table(flows: number): { table: SegmentTable; starts: Uint32Array } {
    const n = this.count;
    const starts = new Uint32Array(flows + 1);
    for (let g = 0; g < n; g++) {
      const k = this.chunks[(g / CHUNK) | 0]!.flow[g % CHUNK]! + 1;
      starts[k] = starts[k]! + 1;
    }
    for (let k = 0; k < flows; k++) starts[k + 1] = starts[k + 1]! + starts[k]!;
    const next = starts.slice(0, flows);
    const packet = new Uint32Array(n);
    const timeUsecs = new Float64Array(n);
    const fromA = new Uint8Array(n);
    const tos = new Uint8Array(n);
    const ttl = new Uint8Array(n);
    const seq = new Uint32Array(n);
    const ack = new Uint32Array(n);
    const flags = new Uint16Array(n);
    const window = new Uint16Array(n);
    const urgentPointer = new Uint16Array(n);
    const payloadLength = new Uint32Array(n);
    const optionStart = new Uint32Array(n);
    const optionLength = new Uint8Array(n);
    for (let g = 0; g < n; g++) {
      const c = this.chunks[(g / CHUNK) | 0]!;
      const j = g % CHUNK;
      const k = c.flow[j]!;
      const to = next[k]!;
      next[k] = to + 1;
      packet[to] = c.packet[j]!;
      timeUsecs[to] = c.timeUsecs[j]!;
      fromA[to] = c.fromA[j]!;
      tos[to] = c.tos[j]!;
      ttl[to] = c.ttl[j]!;
      seq[to] = c.seq[j]!;
      ack[to] = c.ack[j]!;
      flags[to] = c.flags[j]!;
      window[to] = c.window[j]!;
      urgentPointer[to] = c.urgentPointer[j]!;
      payloadLength[to] = c.payloadLength[j]!;
      optionStart[to] = c.optionStart[j]!;
      optionLength[to] = c.optionLength[j]!;
    }
    const optionBytes = this.optionBytes.slice(0, this.optionEnd);
    this.chunks = [];
    this.count = 0;
    this.optionBytes = new Uint8Array(0);
    this.optionEnd = 0;
    const table = new SegmentTable(packet, timeUsecs, fromA, tos, ttl, seq, ack, flags, window, urgentPointer, payloadLength, optionStart, optionLength, optionBytes);
    return { table, starts };
  }
}

// ---------------------------------------------------------------- splitting

/** A flow as it begins (its first packet): enough to choose whether to keep its segments. */
export interface FlowHead {
  readonly number: number;
  readonly ipVersion: 4 | 6;
  /** The side that sent the flow's first packet. */
  readonly a: Endpoint;
  readonly b: Endpoint;
}

export interface SplitOptions {
  /**
   * Whether to keep a flow's segments, asked once per flow as its first
   * packet is read, in flow order. Default: every flow's. A flow not kept
   * still has its endpoints, opener and packet count.
   */
  readonly keep?: (flow: FlowHead) => boolean;
}

interface Building {
  number: number;
  version: 4 | 6;
  a: Endpoint;
  b: Endpoint;
  opener: 'a' | 'b' | null;
  /** Sequence number of the first pure SYN of this connection (retransmissions share it), or null. */
  synSeq: number | null;
  /** Those of later pure SYNs with other numbers, when there are any. */
  moreSynSeqs: Set<number> | null;
  ended: boolean;
  packets: number;
  /** Whether the flow's segments are kept. */
  kept: boolean;
}

function hasSynSeq(f: Building, seq: number): boolean {
  return f.synSeq === seq || (f.moreSynSeqs?.has(seq) ?? false);
}

function addSynSeq(f: Building, seq: number): void {
  if (f.synSeq === null) f.synSeq = seq;
  else if (f.synSeq !== seq) (f.moreSynSeqs ??= new Set()).add(seq);
}

function sameEndpoint(e: Endpoint, ip: string, port: number): boolean {
  return e.port === port && e.ip === ip;
}

/**
 * Splits records into TCP flows as they come (`add`, one record at a time,
 * in trace order), each decoded once; `result` gives the flows. The record's
 * frame is not kept: it may be a reader's buffer, reused after the call.
 */
export class FlowSplitter {
  private readonly skipped = new Map<string, number>();
  private readonly open = new Map<string, Building>();
  private readonly all: Building[] = [];
  private readonly segments = new SegmentColumns();
  private packets = 0;

  /** `linkType` must be one of FLOW_LINK_TYPES (`splitFlows` and `readFlows` check). */
  constructor(
    private readonly linkType: number,
    private readonly opts: SplitOptions = {},
  ) {}

  add(r: PcapRecord): void {
    this.packets++;
    const d = decodeRecord(this.linkType, r.frame, r.origLen);
    if (typeof d === 'string') {
      this.skipped.set(d, (this.skipped.get(d) ?? 0) + 1);
      return;
    }
    const t = d.tcp;
    const k1 = `${d.src}|${t.srcPort}`;
    const k2 = `${d.dst}|${t.dstPort}`;
    const key = k1 < k2 ? `${k1}|${k2}` : `${k2}|${k1}`;
    const pureSyn = (t.flags & (tcp.SYN | tcp.ACK)) === tcp.SYN;
    let f = this.open.get(key);
    if (f && pureSyn && f.ended && !hasSynSeq(f, t.seq)) f = undefined; // the 4-tuple reused
    if (!f) {
      const head: FlowHead = {
        number: this.all.length + 1,
        ipVersion: d.version,
        a: { ip: d.src, port: t.srcPort },
        b: { ip: d.dst, port: t.dstPort },
      };
      f = {
        number: head.number,
        version: head.ipVersion,
        a: head.a,
        b: head.b,
        opener: null,
        synSeq: null,
        moreSynSeqs: null,
        ended: false,
        packets: 0,
        kept: this.opts.keep?.(head) ?? true,
      };
      this.open.set(key, f);
      this.all.push(f);
    }
    const fromA = sameEndpoint(f.a, d.src, t.srcPort) && sameEndpoint(f.b, d.dst, t.dstPort);
    if (pureSyn) {
      addSynSeq(f, t.seq);
      f.opener ??= fromA ? 'a' : 'b';
    } else if (t.flags & tcp.SYN) {
      f.opener ??= fromA ? 'b' : 'a'; // a SYN-ACK goes to the opener
    }
    if (t.flags & (tcp.FIN | tcp.RST)) f.ended = true;
    f.packets++;
    if (f.kept) this.segments.add(f.number - 1, r.index, r.timeUsecs, fromA, d);
  }

  private done: TraceFlows | null = null;

  /** The flows, at the end (the segments' columns become their table: a record added after this is not kept). */
  result(): TraceFlows {
    if (this.done) return this.done;
    const { table, starts } = this.segments.table(this.all.length);
    const flows: TcpFlow[] = this.all.map((f, k) => ({
      number: f.number,
      ipVersion: f.version,
      a: f.a,
      b: f.b,
      opener: f.opener ?? 'a',
      openerSeen: f.opener !== null,
      packets: f.packets,
      kept: f.kept,
      segments: f.kept ? new FlowSegments(table, starts[k]!, starts[k + 1]! - starts[k]!) : NO_SEGMENTS,
    }));
    this.done = { flows, packets: this.packets, skipped: this.skipped };
    return this.done;
  }
}

function unsupported(linkType: number, name: string): Result<never> {
  const n = linkTypeName(linkType);
  return fail(`${name}: link type ${linkType}${n ? ` (${n})` : ''} is not supported`);
}

/**
 * Every TCP flow of the trace. An error only for a link type it cannot read
 * (`TRACE: link type 105 (IEEE802_11) is not supported`); `name` prefixes it.
 */
export function splitFlows(trace: PcapTrace, name = '<pcap>', opts: SplitOptions = {}): Result<TraceFlows> {
  if (!FLOW_LINK_TYPES.includes(trace.linkType)) return unsupported(trace.linkType, name);
  const splitter = new FlowSplitter(trace.linkType, opts);
  for (const r of trace.records) splitter.add(r);
  return ok(splitter.result());
}

/** The flows of a pcap file, split as it is read; with the reader's warnings (a truncated last record). Never rejects. */
export async function readFlows(path: string, opts: SplitOptions = {}): Promise<Result<TraceFlows & { readonly warnings: string[] }>> {
  let splitter: FlowSplitter | null = null;
  const scan = await scanPcap(path, { linkTypes: FLOW_LINK_TYPES }, (header) => {
    const s = new FlowSplitter(header.linkType, opts);
    splitter = s;
    return (r) => s.add(r);
  });
  if (!scan.ok) return scan;
  return ok({ ...splitter!.result(), warnings: scan.value.warnings });
}

// ---------------------------------------------------------------- listeners

/** The side that received the opening SYN (for a listener trace: the listener's address and port). */
export function acceptorOf(f: TcpFlow): Endpoint {
  return f.opener === 'a' ? f.b : f.a;
}

/** The side that sent the opening SYN. */
export function openerOf(f: TcpFlow): Endpoint {
  return f.opener === 'a' ? f.a : f.b;
}

/**
 * The flows of a listener: those whose opening was seen, grouped by the
 * endpoint that accepted them, groups in order of their first flow and flows
 * in order within a group. Flows that start mid-flow are in no group.
 */
export function listenerGroups(flows: readonly TcpFlow[]): TcpFlow[][] {
  const groups = new Map<string, TcpFlow[]>();
  for (const f of flows) {
    if (!f.openerSeen) continue;
    const e = acceptorOf(f);
    const key = `${e.ip}|${e.port}`;
    const g = groups.get(key);
    if (g) g.push(f);
    else groups.set(key, [f]);
  }
  return [...groups.values()];
}
