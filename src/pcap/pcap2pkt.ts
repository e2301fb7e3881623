/**
 * pcap → .pkt: a packetdrill script for one TCP flow of a trace.
 *
 * One side of the flow is the kernel under test (the local side, `>`), the
 * other is played by the tool (the remote side, `<`). By default the local
 * side is the acceptor: the trace is read as a capture of a listener. The
 * script says what the trace says, packet for packet (pure ACKs included:
 * their delayed-ACK timing is real behaviour), and adds the socket calls the
 * local application must have made for the kernel to behave so:
 *
 * - a listener: socket, SO_REUSEADDR, bind, listen before the SYN; accept
 *   right after the segment that completes the handshake;
 * - a connector: socket, O_NONBLOCK, connect = -1 EINPROGRESS before the SYN;
 *   back to blocking once the handshake is done (so reads wait for data);
 * - local data: one `write` just before the first segment of each write, a
 *   write being a run of back-to-back new-data segments that ends at PSH (as
 *   Linux marks the last segment of every write) or where the peer speaks;
 * - remote data: one `read` of the bytes delivered in order, after the
 *   segments the kernel sent in the same instant (within 1 ms) and before
 *   anything later, any local write and any close;
 * - a local FIN: `close` before it, or `shutdown(SHUT_WR)` when the peer's
 *   later data is ACKed rather than reset; a local RST on an open connection:
 *   `SO_LINGER {0}` and `close`.
 *
 * Numbers are packetdrill's: sequence numbers relative to each side's ISN
 * (absolute for a local side that sent no SYN, as the engine reads them),
 * raw windows on every packet, the local side's TS val as in the trace and
 * every inbound TS ecr as the local TS val it echoes (the engine maps an ecr
 * by exact lookup of the TS vals the script gave outbound packets). Times are
 * relative to the previous event, the first at 0. Addresses are not in the
 * script (the tool maps its own); ports only as `--bind_port` /
 * `--connect_port` when not packetdrill's 8080.
 */
import { lettersFromFlags, renderOptions, type OptionText } from '../engine/render.js';
import { fail, ok, type Result } from '../packet/result.js';
import * as tcp from '../packet/tcp.js';
import { FLOW_LINK_TYPES, describeSkipped, endpointText, flowTuple, splitFlows, type Endpoint, type FlowSegment, type TcpFlow } from './flows.js';
import { readPcap, type PcapTrace } from './read.js';

export interface PcapToPktOptions {
  /** 1-based flow number (Wireshark's tcp.stream + 1). Default: the first flow (with `port`, the first on that port). */
  readonly flow?: number;
  /** Only flows with this port at either end. */
  readonly port?: number;
  /** Which side is the kernel under test. Default 'acceptor' (the trace is of a listener). */
  readonly localIs?: 'opener' | 'acceptor';
  /** The trace's name, for the header comment and messages. Default '<pcap>'. */
  readonly source?: string;
  /** Writes `--tolerance_usecs=N` at the top; none by default (the engine's 4000 µs). */
  readonly toleranceUsecs?: number;
  /** Replay faster (2) or slower (0.5) than recorded: every gap is divided by it. Default 1. */
  readonly speed?: number;
  /**
   * An init command written before the first event (`` `./defaults.sh` ``).
   * A trace does not show the kernel's sysctls; the SYN-ACK's options and
   * windows depend on them.
   */
  readonly init?: string;
}

export interface PcapToPktOutput {
  readonly script: string;
  /** Script line → the trace's packet number (1-based, as Wireshark shows it), for packet lines. */
  readonly packetOfLine: ReadonlyMap<number, number>;
  /** One line each, also written into the script as `// note:` comments. */
  readonly warnings: string[];
}

/** Packets this close after inbound data (µs) count as the kernel's immediate answer: the app's read goes after them. */
const INSTANT_USECS = 1000;

const DEFAULT_PORT = 8080;

/**
 * The script for one TCP flow of `trace`. Errors are one line naming the
 * trace: `TRACE: no flow 3 (the trace has 2 TCP flows)`.
 */
export function pcapToPkt(trace: PcapTrace, opts: PcapToPktOptions = {}): Result<PcapToPktOutput> {
  const name = opts.source ?? '<pcap>';
  if (opts.flow !== undefined && !(Number.isInteger(opts.flow) && opts.flow >= 1)) {
    return fail(`${name}: bad flow number ${opts.flow} (flows are numbered from 1)`);
  }
  if (opts.port !== undefined && !(Number.isInteger(opts.port) && opts.port >= 0 && opts.port <= 0xffff)) {
    return fail(`${name}: bad port ${opts.port}`);
  }
  const split = splitFlows(trace, name);
  if (!split.ok) return split;
  const { flows, packets, skipped } = split.value;
  if (packets === 0) return fail(`${name}: no packets`);
  if (flows.length === 0) {
    const why = describeSkipped(skipped);
    return fail(`${name}: no TCP flows (${plural(packets, 'packet')}${why ? `: ${why}` : ''})`);
  }
  const has = `the trace has ${plural(flows.length, 'TCP flow')}`;
  const onPort = (f: TcpFlow) => opts.port === undefined || f.a.port === opts.port || f.b.port === opts.port;
  let flow: TcpFlow | undefined;
  if (opts.flow !== undefined) {
    flow = flows[opts.flow - 1];
    if (!flow) return fail(`${name}: no flow ${opts.flow} (${has})`);
    if (!onPort(flow)) return fail(`${name}: flow ${flow.number} is not on port ${opts.port} (${flowTuple(flow)})`);
  } else {
    flow = flows.find(onPort);
    if (!flow) return fail(`${name}: no TCP flow on port ${opts.port} (${has})`);
  }
  const warnings = [...trace.warnings];
  const skippedText = describeSkipped(skipped);
  if (skippedText) warnings.push(`${name}: skipped ${plural([...skipped.values()].reduce((a, b) => a + b, 0), 'packet')} that are not TCP: ${skippedText}`);
  return ok(new Conversion(flow, flows.length, name, opts, warnings).run());
}

/** Reads `path` (any link type `splitFlows` knows) and converts it; never rejects. */
export async function pcapFileToPkt(path: string, opts: PcapToPktOptions = {}): Promise<Result<PcapToPktOutput>> {
  const trace = await readPcap(path, { linkTypes: FLOW_LINK_TYPES });
  if (!trace.ok) return trace;
  return pcapToPkt(trace.value, { source: path, ...opts });
}

function plural(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? '' : 's'}`;
}

// ---------------------------------------------------------------- the conversion

interface Seg extends FlowSegment {
  /** Sent by the local side (an outbound packet in the script). */
  readonly out: boolean;
}

type Item = { kind: 'event'; time: number; text: string; packet?: number } | { kind: 'blank' };

type Mode = 'listener' | 'connector' | 'none';

const ECN_NAMES = ['', 'ect1', 'ect0', 'ce'] as const;

class Conversion {
  private readonly segs: Seg[];
  private readonly local: Endpoint;
  private readonly remote: Endpoint;
  private readonly localIsOpener: boolean;
  private readonly localBase: number;
  private readonly remoteBase: number;
  private readonly mode: Mode;
  private readonly items: Item[] = [];
  private readonly notes: string[] = [];

  // Socket state as the script goes.
  private fd: number | null = null;
  private closed = false;
  private shut = false;
  private blocking = true;
  private synAckIn = false;
  private synAckOut = false;
  private established = false;
  // Local data: the highest sequence number sent, and whether a write is still being sent.
  private sndMax: number | null = null;
  private writeOpen = false;
  // Remote data: what the kernel can deliver in order, and what the app has not read yet.
  private rcvNxt: number | null = null;
  private ooo: Array<[number, number]> = [];
  private unread = 0;
  private lastDeliveryUsecs = 0;
  // TS vals the local side has sent so far (what an inbound ecr may echo).
  private readonly localTsVals = new Set<number>();
  private unpushedWrites = 0;
  private readonly badEcr: string[] = [];
  /** What the language cannot say, and the packets it was left out of. */
  private readonly leftOut = new Map<string, number[]>();

  constructor(
    private readonly flow: TcpFlow,
    private readonly flowCount: number,
    private readonly source: string,
    private readonly opts: PcapToPktOptions,
    private readonly warnings: string[],
  ) {
    const localIsA = (opts.localIs === 'opener') === (flow.opener === 'a');
    this.local = localIsA ? flow.a : flow.b;
    this.remote = localIsA ? flow.b : flow.a;
    this.localIsOpener = opts.localIs === 'opener';
    this.segs = flow.segments.map((s) => ({ ...s, out: s.fromA === localIsA }));
    const anySyn = this.segs.some((s) => s.tcp.flags & tcp.SYN);
    this.localBase = this.base(true, anySyn);
    this.remoteBase = this.base(false, anySyn);
    this.mode = this.chooseMode();
  }

  /** The ISN a side's relative numbers count from. */
  private base(local: boolean, anySyn: boolean): number {
    const mine = this.segs.filter((s) => s.out === local);
    const syn = mine.find((s) => s.tcp.flags & tcp.SYN);
    if (syn) return syn.tcp.seq;
    // The engine reads a local side that sent no SYN in absolute numbers.
    if (local && anySyn) return 0;
    const first = mine[0];
    if (first) return first.tcp.flags & tcp.RST ? first.tcp.seq : (first.tcp.seq - 1) >>> 0;
    const acked = this.segs.find((s) => s.out !== local && s.tcp.flags & tcp.ACK);
    return acked ? (acked.tcp.ack - 1) >>> 0 : 0;
  }

  private chooseMode(): Mode {
    const pureSyn = (s: Seg) => (s.tcp.flags & (tcp.SYN | tcp.ACK)) === tcp.SYN;
    if (!this.segs.some(pureSyn)) {
      this.note(`flow ${this.flow.number}: the capture starts mid-flow (no SYN): no socket calls, and the script cannot run as it is`);
      return 'none';
    }
    if (this.localIsOpener) return 'connector';
    const answered = this.segs.some((s) => s.out && (s.tcp.flags & (tcp.SYN | tcp.ACK)) === (tcp.SYN | tcp.ACK));
    if (!answered && this.segs.some((s) => s.out && s.tcp.flags & tcp.RST)) {
      this.note(`flow ${this.flow.number}: the local side answered the SYN with a reset: no listener in the script`);
      return 'none';
    }
    return 'listener';
  }

  private note(text: string): void {
    this.notes.push(text);
  }

  // ------------------------------------------------------------ numbers

  private rel(seq: number, local: boolean): number {
    return (seq - (local ? this.localBase : this.remoteBase)) >>> 0;
  }

  /** Sequence range of a segment's data: [start, end), SYN excluded. */
  private dataRange(s: Seg): [number, number] {
    const start = (this.rel(s.tcp.seq, s.out) + (s.tcp.flags & tcp.SYN ? 1 : 0)) >>> 0;
    return [start, start + s.payloadLength];
  }

  /** Bytes of `s` the local side sends for the first time, given the highest sequence sent so far. */
  private newLocalBytes(s: Seg, sndMax: number | null): { bytes: number; sndMax: number } {
    const [start, end] = this.dataRange(s);
    const from = sndMax ?? start;
    const next = Math.max(from, end + (s.tcp.flags & tcp.FIN ? 1 : 0));
    // Data on a SYN (Fast Open) needs sendto(MSG_FASTOPEN), not a write.
    if (s.tcp.flags & tcp.SYN) return { bytes: 0, sndMax: next };
    return { bytes: Math.max(0, end - from), sndMax: next };
  }

  // ------------------------------------------------------------ output

  private event(time: number, text: string, packet?: number): void {
    this.items.push({ kind: 'event', time, text, packet });
  }

  private blank(): void {
    const last = this.items[this.items.length - 1];
    if (last && last.kind !== 'blank') this.items.push({ kind: 'blank' });
  }

  private lastTime(): number {
    for (let i = this.items.length - 1; i >= 0; i--) {
      const it = this.items[i]!;
      if (it.kind === 'event') return it.time;
    }
    return this.segs[0]!.timeUsecs;
  }

  private call(time: number, text: string): void {
    this.event(time, text);
  }

  // ------------------------------------------------------------ the walk

  run(): PcapToPktOutput {
    const segs = this.segs;
    const t0 = segs[0]!.timeUsecs;
    if (this.mode === 'listener') {
      this.call(t0, 'socket(..., SOCK_STREAM, IPPROTO_TCP) = 3');
      this.call(t0, 'setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0');
      this.call(t0, 'bind(3, ..., ...) = 0');
      this.call(t0, 'listen(3, 1) = 0');
      this.blank();
    } else if (this.mode === 'connector') {
      this.call(t0, 'socket(..., SOCK_STREAM, IPPROTO_TCP) = 3');
      this.call(t0, 'fcntl(3, F_SETFL, O_RDWR|O_NONBLOCK) = 0');
      this.call(t0, 'connect(3, ..., ...) = -1 EINPROGRESS (Operation now in progress)');
      this.fd = 3;
      this.blocking = false;
    }
    const shutdownOnFin = this.peerSendsAfterLocalFin();
    let teardown = false;
    let previous = t0;
    let backwards = false;

    for (let i = 0; i < segs.length; i++) {
      const s = segs[i]!;
      let t = s.timeUsecs;
      if (t < previous) {
        backwards = true;
        t = previous;
      }
      previous = t;
      const f = s.tcp.flags;
      const usable = this.fd !== null && !this.closed;

      // What the app must do before this packet.
      let write = 0;
      if (s.out) {
        const n = this.newLocalBytes(s, this.sndMax);
        if (f & tcp.SYN && s.payloadLength > 0) this.note(`flow ${this.flow.number}, packet ${s.packet}: data on a SYN (TCP Fast Open) is not scripted`);
        if (n.bytes > 0 && !this.writeOpen) write = this.scanWrite(i);
      }
      const closing = s.out && usable && this.established && ((f & tcp.FIN && !this.shut) || f & tcp.RST);
      if (this.unread > 0 && (t - this.lastDeliveryUsecs > INSTANT_USECS || write > 0 || closing)) this.flushRead();
      if (!teardown && f & (tcp.FIN | tcp.RST)) {
        teardown = true;
        this.blank();
      }
      if (write > 0) {
        if (usable && this.established) {
          this.ensureBlocking(t);
          this.call(t, `write(${this.fd}, ..., ${write}) = ${write}`);
        } else if (this.mode !== 'none') {
          this.note(`flow ${this.flow.number}, packet ${s.packet}: local data before the connection is established: no write for it`);
        }
        this.writeOpen = true;
      }
      if (closing) {
        this.ensureBlocking(t);
        if (f & tcp.RST) {
          this.call(t, `setsockopt(${this.fd}, SOL_SOCKET, SO_LINGER, {l_onoff=1, l_linger=0}, 8) = 0`);
          this.call(t, `close(${this.fd}) = 0`);
          this.closed = true;
        } else if (shutdownOnFin) {
          this.call(t, `shutdown(${this.fd}, SHUT_WR) = 0`);
          this.shut = true;
        } else {
          this.call(t, `close(${this.fd}) = 0`);
          this.closed = true;
        }
      }

      this.event(t, this.packetText(s), s.packet);

      // What follows from it.
      if (s.out) {
        const n = this.newLocalBytes(s, this.sndMax);
        if (n.bytes > 0 && f & (tcp.PSH | tcp.FIN)) this.writeOpen = false;
        this.sndMax = n.sndMax;
        if (f & tcp.SYN && f & tcp.ACK) this.synAckOut = true;
        for (const o of s.tcp.options) if (o.kind === 'timestamp') this.localTsVals.add(o.val);
        if (this.mode === 'connector' && this.synAckIn && !this.established && !(f & (tcp.SYN | tcp.RST))) {
          this.established = true;
          this.ensureBlocking(t);
          this.blank();
        }
      } else {
        this.writeOpen = false;
        this.deliver(s, t);
        if (f & tcp.SYN && f & tcp.ACK) this.synAckIn = true;
        if (this.mode === 'listener' && this.synAckOut && !this.established && f & tcp.ACK && !(f & (tcp.SYN | tcp.RST)) && !this.resetNext(i)) {
          this.established = true;
          this.call(t, 'accept(3, ..., ...) = 4');
          this.fd = 4;
          this.blank();
        }
      }
    }
    if (this.unread > 0) this.flushRead();
    if (backwards) this.note(`flow ${this.flow.number}: the trace's timestamps go backwards; those events are at +0`);
    if (this.unpushedWrites > 0) {
      this.note(
        `flow ${this.flow.number}: ${plural(this.unpushedWrites, 'write')} end${this.unpushedWrites === 1 ? 's' : ''} without PSH in the trace ` +
          `(the application wrote more than one flight at once); the kernel will set PSH at the end of each scripted write`,
      );
    }
    if (this.badEcr.length > 0) {
      this.note(
        `flow ${this.flow.number}: inbound TS ecr echoes no earlier local TS val in packet${this.badEcr.length === 1 ? '' : 's'} ${this.badEcr.join(', ')} ` +
          `(the engine cannot map it)`,
      );
    }
    for (const [what, packets] of this.leftOut) {
      this.note(`flow ${this.flow.number}: ${what} cannot be written in a script; left out of packet${packets.length === 1 ? '' : 's'} ${packets.join(', ')}`);
    }
    this.warnings.push(...this.notes);
    const script = this.text();
    return { script, packetOfLine: this.packetOfLine, warnings: this.warnings };
  }

  /** The bytes of the write that starts at local segment `i` (see the module comment). */
  private scanWrite(i: number): number {
    let sndMax = this.sndMax;
    let bytes = 0;
    let pushed = false;
    for (let j = i; j < this.segs.length; j++) {
      const s = this.segs[j]!;
      if (!s.out) break;
      const n = this.newLocalBytes(s, sndMax);
      sndMax = n.sndMax;
      if (n.bytes === 0) continue;
      bytes += n.bytes;
      if (s.tcp.flags & (tcp.PSH | tcp.FIN)) {
        pushed = true;
        break;
      }
    }
    if (!pushed) this.unpushedWrites++;
    return bytes;
  }

  /** Whether the local side's next packet after segment `i` is a reset (the kernel refusing what came in). */
  private resetNext(i: number): boolean {
    const next = this.segs.slice(i + 1).find((s) => s.out);
    return next !== undefined && (next.tcp.flags & tcp.RST) !== 0;
  }

  /** Whether the peer's first data after the local FIN is ACKed (a half close: shutdown) rather than reset (close). */
  private peerSendsAfterLocalFin(): boolean {
    const fin = this.segs.findIndex((s) => s.out && s.tcp.flags & tcp.FIN);
    if (fin < 0) return false;
    const data = this.segs.findIndex((s, j) => j > fin && !s.out && s.payloadLength > 0 && !(s.tcp.flags & tcp.RST));
    if (data < 0) return false;
    const answer = this.segs.find((s, j) => j > data && s.out);
    return answer !== undefined && !(answer.tcp.flags & tcp.RST);
  }

  private ensureBlocking(t: number): void {
    if (this.blocking || this.fd === null) return;
    this.call(t, `fcntl(${this.fd}, F_SETFL, O_RDWR) = 0`);
    this.blocking = true;
  }

  /** In-order delivery of a remote segment's data. */
  private deliver(s: Seg, t: number): void {
    const [start, end] = this.dataRange(s);
    if (this.rcvNxt === null) this.rcvNxt = start;
    if (end <= this.rcvNxt || s.payloadLength === 0) return;
    this.ooo.push([Math.max(start, this.rcvNxt), end]);
    this.ooo.sort((a, b) => a[0] - b[0]);
    const before = this.rcvNxt;
    const rest: Array<[number, number]> = [];
    for (const [a, b] of this.ooo) {
      if (a <= this.rcvNxt) this.rcvNxt = Math.max(this.rcvNxt, b);
      else rest.push([a, b]);
    }
    this.ooo = rest;
    const delivered = this.rcvNxt - before;
    // Data that comes before accept is read once the socket is accepted.
    if (delivered > 0 && this.mode !== 'none' && !this.closed) {
      this.unread += delivered;
      this.lastDeliveryUsecs = t;
    }
  }

  private flushRead(): void {
    if (this.fd === null) return; // not accepted yet: keep it for later
    const n = this.unread;
    this.unread = 0;
    if (this.closed) return;
    const t = this.lastTime();
    this.ensureBlocking(t);
    this.call(t, `read(${this.fd}, ..., ${n}) = ${n}`);
  }

  // ------------------------------------------------------------ packets

  private packetText(s: Seg): string {
    const t = s.tcp;
    const words: string[] = [s.out ? '>' : '<'];
    const ecn = ECN_NAMES[s.tos & 3]!;
    if (ecn) words.push(`[${ecn}]`);
    if (t.flags & tcp.AE) this.unwritten('the AE flag', s);
    words.push(lettersFromFlags(t.flags & 0xff) || '-');
    const start = this.rel(t.seq, s.out);
    words.push(`${start}:${(start + s.payloadLength) >>> 0}(${s.payloadLength})`);
    if (t.flags & tcp.ACK) words.push(`ack ${this.rel(t.ack, !s.out)}`);
    words.push(`win ${t.window}`);
    if (t.flags & tcp.URG || t.urgentPointer !== 0) words.push(`urg ${t.urgentPointer}`);
    const opts = this.optionsText(s);
    if (opts) words.push(opts);
    return words.join(' ');
  }

  private unwritten(what: string, s: Seg): void {
    const list = this.leftOut.get(what) ?? [];
    if (list[list.length - 1] !== s.packet) list.push(s.packet);
    this.leftOut.set(what, list);
  }

  private optionsText(s: Seg): string | null {
    const t = s.tcp;
    if (t.options.length === 0) return null;
    const out: OptionText[] = [];
    for (const o of t.options) {
      switch (o.kind) {
        case 'unknown':
          if (s.out) return '<...>';
          this.unwritten(`TCP option ${o.type}`, s);
          continue;
        case 'sack':
          // SACK blocks are in the other side's sequence space.
          out.push({ kind: 'sack', blocks: o.blocks.map((b) => ({ start: this.rel(b.start, !s.out), end: this.rel(b.end, !s.out) })) });
          continue;
        case 'timestamp':
          if (!s.out && t.flags & tcp.ACK && !this.localTsVals.has(o.ecr)) this.badEcr.push(String(s.packet));
          out.push({ kind: 'timestamp', val: o.val, ecr: o.ecr });
          continue;
        default:
          out.push(o as unknown as OptionText);
      }
    }
    return out.length > 0 ? renderOptions(out) : null;
  }

  // ------------------------------------------------------------ text

  /** Filled by text(): script line → trace packet number. */
  readonly packetOfLine = new Map<number, number>();

  private text(): string {
    const f = this.flow;
    const segs = this.segs;
    const duration = segs[segs.length - 1]!.timeUsecs - segs[0]!.timeUsecs;
    const role =
      this.mode === 'listener' ? 'the acceptor (a listener)' : this.mode === 'connector' ? 'the opener (a connector)' : this.localIsOpener ? 'the opener' : 'the acceptor';
    const lines: string[] = [
      `// ${this.source}, flow ${f.number} of ${this.flowCount} (Wireshark tcp.stream ${f.number - 1}), converted by pktdrill:`,
      `//   ${flowTuple(f)}, IPv${f.ipVersion}, ${plural(segs.length, 'packet')} in ${formatSeconds(Math.max(0, duration))} s`,
      `//   the kernel under test (>) is ${endpointText(this.local)}, ${role}; the tool (<) plays ${endpointText(this.remote)}`,
    ];
    for (const n of this.notes) lines.push(`// note: ${n}`);
    const options: string[] = [];
    if (f.ipVersion === 6) options.push('--ip_version=ipv6');
    if (this.mode === 'listener' && this.local.port !== DEFAULT_PORT) options.push(`--bind_port=${this.local.port}`);
    if (this.mode === 'connector' && this.remote.port !== DEFAULT_PORT) options.push(`--connect_port=${this.remote.port}`);
    if (this.opts.toleranceUsecs !== undefined) options.push(`--tolerance_usecs=${this.opts.toleranceUsecs}`);
    lines.push(...options);
    if (this.opts.init !== undefined) lines.push(`\`${this.opts.init.replace(/`/g, '\\`')}\``);
    lines.push('');

    // Times: the first event at 0, then relative to the previous event.
    const events: Array<{ time: string; text: string; packet?: number } | null> = [];
    const speed = this.opts.speed ?? 1;
    let prev: number | null = null;
    for (const it of this.items) {
      if (it.kind === 'blank') {
        events.push(null);
        continue;
      }
      const time = prev === null ? '0' : `+${formatSeconds(Math.max(0, Math.round((it.time - prev) / speed)))}`;
      prev = it.time;
      events.push({ time, text: it.text, packet: it.packet });
    }
    while (events.length > 0 && events[events.length - 1] === null) events.pop();
    const width = Math.max(4, ...events.map((e) => (e ? e.time.length : 0))) + 1;
    for (const e of events) {
      lines.push(e ? `${e.time.padEnd(width)}${e.text}` : '');
      if (e?.packet !== undefined) this.packetOfLine.set(lines.length, e.packet);
    }
    return lines.join('\n') + '\n';
  }
}

/** µs as seconds, trailing zeros dropped: 0, 0.01, 0.012345, 1.5. */
function formatSeconds(usecs: number): string {
  const whole = Math.floor(usecs / 1e6);
  const frac = String(usecs % 1e6).padStart(6, '0').replace(/0+$/, '');
  return frac ? `${whole}.${frac}` : `${whole}`;
}
