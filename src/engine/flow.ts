// Flows: one remote port each, with its own sequence-number mapping.
//
// Script sequence numbers are relative. Inbound, the tool picks the remote ISN
// and adds it; outbound, the local ISN is learned from the flow's first SYN or
// SYN-ACK and subtracted. Without explicit ports a script has one flow, as in
// packetdrill; packets that name ports (`< 40001>8080 S ...`) make one flow per
// remote port.

import type { SynAckSeen, SynSeen } from '../kernel/syncookie.js';
import type { PortsAst } from '../script/ast.js';

export const DEFAULT_FLOW = -1;

/** The ports of each packet a script packet stands for: one, or each of a flood's range (`41000..41199>8080`) on the remote side. */
export function expandPorts(ports: PortsAst | null, side: 'src' | 'dst'): Array<{ src: number; dst: number } | null> {
  if (!ports) return [null];
  const end = side === 'src' ? ports.srcEnd : ports.dstEnd;
  if (end === null || end === undefined) return [{ src: ports.src, dst: ports.dst }];
  const out: Array<{ src: number; dst: number }> = [];
  for (let p = side === 'src' ? ports.src : ports.dst; p <= end; p++) {
    out.push(side === 'src' ? { src: p, dst: ports.dst } : { src: ports.src, dst: p });
  }
  return out;
}

/** A live TS val in script terms, rebased on `base` (the first script/live pair seen); as it is without one. */
export function rebaseTsVal(base: { script: number; live: number } | null, liveVal: number): number {
  if (!base) return liveVal >>> 0;
  return (base.script + liveVal - base.live) >>> 0;
}

export class Flow {
  /** The remote (tool's) port, or null until known. */
  remotePort: number | null;
  /** The local (kernel's) port, or null until known. */
  localPort: number | null;
  /** Our ISN for this flow: added to inbound seq and outbound ack. */
  readonly remoteIsn: number;
  /** The kernel's ISN, learned from its first SYN or SYN-ACK. */
  localIsn: number | null = null;
  /** The last SYN the tool sent on this flow, as it went on the wire (for syncookie checks). */
  lastSyn: SynSeen | null = null;
  /** The last SYN-ACK the kernel sent on this flow. */
  lastSynAck: SynAckSeen | null = null;
  /** The largest segment (payload + option bytes) the kernel sent after the handshake. */
  maxSentSegment = 0;
  /** Script TS val → the kernel's live TS val, from matched outbound packets. */
  private readonly tsVals = new Map<number, number>();
  /** The first (script, live) TS val pair: the baseline for rebasing. */
  tsBase: { script: number; live: number } | null = null;
  /**
   * A later socket() made a new socket under test while this flow carried a
   * connection: what the old socket still sends (the ACK of a late FIN, a
   * retransmission) is no longer the script's, as under packetdrill, which
   * matches outbound packets against the socket under test's tuple only.
   * Cleared when the new socket opens (its SYN) or the script injects on
   * the flow again.
   */
  superseded = false;

  constructor(
    readonly key: number,
    remotePort: number | null,
    localPort: number | null,
    remoteIsn: number,
  ) {
    this.remotePort = remotePort;
    this.localPort = localPort;
    this.remoteIsn = remoteIsn >>> 0;
  }

  /** Remember which live TS val an outbound script TS val stood for. */
  recordTs(scriptVal: number, liveVal: number): void {
    if (!this.tsBase) this.tsBase = { script: scriptVal >>> 0, live: liveVal >>> 0 };
    this.tsVals.set(scriptVal >>> 0, liveVal >>> 0);
  }
  /** The live TS val for a script TS val, for an inbound ecr (null: unknown). */
  liveTsVal(scriptVal: number, scaled = false): number | null {
    const exact = this.tsVals.get(scriptVal >>> 0);
    if (exact !== undefined) return exact;
    if (scaled && this.tsBase) return (scriptVal - this.tsBase.script + this.tsBase.live) >>> 0;
    return null;
  }
  /** A live TS val in script terms (rebased on the first one seen). */
  scriptTsVal(liveVal: number): number {
    return rebaseTsVal(this.tsBase, liveVal);
  }

  // Sequence numbers as packetdrill (and tcpdump) write them: on a packet
  // that carries SYN they are absolute, the SYN's seq declaring the sender's
  // ISN in script terms (usually 0); on every other packet they count from
  // that ISN (1 is the first byte). The live ISNs differ: the tool picks the
  // remote one, the kernel the local one.

  /** The remote side's ISN as the script wrote it (the seq of its SYN). */
  scriptRemoteIsn = 0;
  /** The local side's ISN as the script wrote it (the seq of the kernel's SYN or SYN-ACK). */
  scriptLocalIsn = 0;

  /** Remote sequence space: script → wire. */
  remoteSeq(n: number, onSyn = false): number {
    return (this.remoteIsn + n - (onSyn ? this.scriptRemoteIsn : 0)) >>> 0;
  }
  /** Local sequence space: script → wire (the kernel's ISN counts as 0 until known). */
  localSeq(n: number, onSyn = false): number {
    return ((this.localIsn ?? 0) + n - (onSyn ? this.scriptLocalIsn : 0)) >>> 0;
  }
  /** Local sequence space: wire → script, for matching and printing what the kernel sent. */
  relLocal(abs: number, onSyn = false): number {
    return (abs - (this.localIsn ?? 0) + (onSyn ? this.scriptLocalIsn : 0)) >>> 0;
  }
  /** Remote sequence space: wire → script. */
  relRemote(abs: number, onSyn = false): number {
    return (abs - this.remoteIsn + (onSyn ? this.scriptRemoteIsn : 0)) >>> 0;
  }
}

/** A small deterministic generator (mulberry32), so a run can be reproduced with its seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface FlowDefaults {
  /** Local port a listener binds (packetdrill's --bind_port). */
  bindPort: number;
  /** Remote port an active open connects to (packetdrill's --connect_port). */
  connectPort: number;
  /** Remote port of the default flow when the remote side opens. */
  defaultRemotePort: number;
}

export class Flows {
  private readonly byKey = new Map<number, Flow>();
  private readonly rand: () => number;

  constructor(
    private readonly defaults: FlowDefaults,
    seed: number,
  ) {
    this.rand = seededRandom(seed);
  }

  all(): Flow[] {
    return [...this.byKey.values()];
  }

  /** The flow of a remote port (DEFAULT_FLOW for the default one), if it exists. */
  get(key: number): Flow | undefined {
    return this.byKey.get(key);
  }

  private make(key: number, remotePort: number | null, localPort: number | null): Flow {
    // Keep the ISN away from 0 and from wrapping in the first gigabyte, so
    // relative numbers in a script never land on a confusing boundary.
    const isn = (0x10000000 + Math.floor(this.rand() * 0xc0000000)) >>> 0;
    const f = new Flow(key, remotePort, localPort, isn);
    this.byKey.set(key, f);
    return f;
  }

  /** The flow an inbound script packet belongs to (creating it on first use). */
  forInbound(ports: { src: number; dst: number } | null): Flow {
    if (ports) {
      return this.byKey.get(ports.src) ?? this.make(ports.src, ports.src, ports.dst);
    }
    let f = this.byKey.get(DEFAULT_FLOW);
    if (!f) f = this.make(DEFAULT_FLOW, null, null);
    f.superseded = false;
    if (f.localPort === null) f.localPort = this.defaults.bindPort;
    if (f.remotePort === null) f.remotePort = this.defaults.defaultRemotePort;
    return f;
  }

  /**
   * A new connection to a new listener: packetdrill gives each SYN that
   * reaches a listening socket a child socket with a fresh ephemeral remote
   * port, so after a second listen() the default flow starts over on
   * another port, with its own ISNs. The old connection's packets are then
   * of no flow (not the script's business).
   */
  renewDefault(): Flow {
    const old = this.byKey.get(DEFAULT_FLOW);
    let port: number;
    do port = 32768 + Math.floor(this.rand() * 28232);
    while (old && port === old.remotePort);
    return this.make(DEFAULT_FLOW, port, this.defaults.bindPort);
  }

  /** The flow an outbound script packet belongs to (creating it on first use). */
  forOutbound(ports: { src: number; dst: number } | null): Flow {
    if (ports) {
      return this.byKey.get(ports.dst) ?? this.make(ports.dst, ports.dst, ports.src);
    }
    return this.byKey.get(DEFAULT_FLOW) ?? this.make(DEFAULT_FLOW, null, null);
  }

  /**
   * The flow a captured segment belongs to: by remote port, else the default
   * flow while its ports are still unknown (an active open's first SYN). A
   * SYN (without ACK) to the default flow's remote port from another local
   * port is the script's next active open (a new socket connects, as in
   * packetdrill, where each socket has its own tuple): the default flow
   * follows it. A superseded default flow takes nothing but that SYN.
   */
  forCaptured(localPort: number, remotePort: number, pureSyn = false): Flow | null {
    const byPort = this.byKey.get(remotePort);
    if (byPort) return byPort;
    const d = this.byKey.get(DEFAULT_FLOW);
    if (!d) return null;
    if (d.superseded) {
      if (!pureSyn || (d.remotePort !== null && d.remotePort !== remotePort)) return null;
      d.superseded = false;
      d.localPort = localPort;
      return d;
    }
    if ((d.remotePort === null || d.remotePort === remotePort) && (d.localPort === null || d.localPort === localPort)) {
      return d;
    }
    if (pureSyn && d.remotePort === remotePort) {
      d.localPort = localPort;
      return d;
    }
    return null;
  }

  /**
   * socket() made a new socket under test (packetdrill's model: one socket
   * at a time, the last one made). A default flow that carried a TCP
   * connection stops taking the old socket's segments (Flow.superseded);
   * flows with explicit ports are the script's own and stay as they are.
   */
  newSocketUnderTest(): void {
    const d = this.byKey.get(DEFAULT_FLOW);
    if (d && d.localIsn !== null) d.superseded = true;
  }

  /** The default remote port for connect(): the script's connect port. */
  get connectPort(): number {
    return this.defaults.connectPort;
  }
}
