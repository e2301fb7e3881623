/**
 * pcap → .pkt: a packetdrill script for one TCP flow of a trace, or for all
 * the connections of a trace to one listener.
 *
 * One side of the flow is the kernel under test (the local side, `>`), the
 * other is played by the tool (the remote side, `<`). By default the local
 * side is the acceptor: the trace is read as a capture of a listener. The
 * script says what the trace says, packet for packet (pure ACKs included:
 * their delayed-ACK timing is real behaviour), and adds the socket calls the
 * local application must have made for the kernel to behave so:
 *
 * - a listener: socket, SO_REUSEADDR, bind, listen before the SYN; accept
 *   right after the segment that completes the handshake (the first final ACK
 *   the kernel kept: one followed by a retransmitted SYN-ACK was dropped, one
 *   answered by a reset was refused);
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
 * All flows to one listener (`allFlows`, the default for a trace whose
 * connections share their accepting address and port) make one script:
 * every packet names its ports (`< 41000>8080 S ...`, `> 8080>41000 S. ...`),
 * one listener serves them all, and `accept(3, ..., ...)` hands out fds 4, 5,
 * ... in the order the handshakes completed (Linux's accept queue is FIFO);
 * reads, writes and closes use the fd of their connection. A trace shows
 * neither the listen backlog nor when the application called accept(), and
 * an overflow of the accept or SYN queue depends on both. The rules:
 *
 * - accept() goes right after the segment that completed the connection,
 *   unless a later overflow (a final ACK dropped or reset, or a SYN not
 *   answered, with the accept queue full) needs the connection still in the
 *   queue: then it waits until the overflow has happened and goes just before
 *   the next segment that needs room in the queue (a handshake completing, a
 *   SYN answered) or the application's first use of the connection, or at the
 *   end. So a script never accepts earlier than the drop it reproduces, and
 *   makes room before the retransmitted SYN-ACK's answering ACK.
 * - the backlog (`backlog` sets it) is inferred as the smallest for which
 *   every SYN-ACK, drop and completion of the trace is what Linux would do
 *   with those accept() calls, each of its queues holding backlog + 1: a SYN
 *   answered with R requests pending needs backlog >= R; a final ACK dropped
 *   after K connections completed needs backlog <= K - 1 (the oldest
 *   K - 1 - backlog are accepted before the drop, the rest wait); a
 *   syncookie SYN-ACK or an unanswered SYN says that a queue was full. In
 *   the usual overflow (a burst the SYN queue just held) that is K - 1. A
 *   trace without an overflow gets 128.
 * - times stay relative to the previous line, except for a kernel packet that
 *   follows another flow's line and comes more than 8 × the tolerance after
 *   its own flow's last event (a timer: a SYN-ACK or data retransmission):
 *   it gets a window from the start, give or take an eighth of the time since
 *   its own flow's last event, as timers of different flows fire in either
 *   order and the previous line is no anchor for it.
 *
 * Numbers are packetdrill's: sequence numbers relative to each side's ISN
 * (absolute for a local side that sent no SYN, as the engine reads them),
 * raw windows on every packet, the local side's TS val as in the trace and
 * every inbound TS ecr as the local TS val it echoes (the engine maps an ecr
 * by exact lookup of the TS vals the script gave outbound packets). Times are
 * relative to the previous event, the first at 0. Addresses are not in the
 * script (the tool maps its own); ports only as `--bind_port` /
 * `--connect_port` when not packetdrill's 8080, and on every packet of a
 * multi-flow script.
 *
 * The text is the printer's (src/script/print.ts), as for every script the
 * tool writes: option lines, the init command, calls and packets are made
 * as AST nodes and printed, each packet line tagged with its trace packet
 * number (`packetOfLine`); only the header's comments are this module's own
 * words. A packet's or call's node is made as its line is written and let
 * go, so a script of half a million packets is never held as AST.
 */
import { DEFAULTS } from '../engine/config.js';
import { ecnOf, lettersFromFlags } from '../engine/packet-map.js';
import { fail, ok, type Result } from '../packet/result.js';
import * as tcp from '../packet/tcp.js';
import {
  FLOW_LINK_TYPES,
  acceptorOf,
  describeSkipped,
  endpointText,
  flowTuple,
  listenerGroups,
  openerOf,
  readFlows,
  splitFlows,
  type Endpoint,
  type FlowHead,
  type FlowSegments,
  type TcpFlow,
  type TraceFlows,
} from '../pcap/flows.js';
import type { PcapTrace } from '../pcap/read.js';
import {
  NO_SPAN,
  type Event,
  type EventTime,
  type Expr,
  type IpAttrsAst,
  type PacketEvent,
  type SyscallEvent,
  type TcpOptionAst,
  type TcpPacketAst,
} from '../script/ast.js';
import { printEvent, printOption, printSeconds, printTime } from '../script/print.js';

export interface PcapToPktOptions {
  /** 1-based flow number (Wireshark's tcp.stream + 1). Default: the first flow (with `port`, the first on that port). */
  readonly flow?: number;
  /** Only flows with this port at either end. */
  readonly port?: number;
  /** Which side is the kernel under test. Default 'acceptor' (the trace is of a listener). */
  readonly localIs?: 'opener' | 'acceptor';
  /**
   * One script for every connection to the listener of the chosen flow
   * (`flow`, `port`, else the first), with explicit ports on every packet.
   * Default: true when neither `flow` nor `port` is given and several flows
   * of the trace share their accepting address and port; false gives the
   * one-flow script.
   */
  readonly allFlows?: boolean;
  /**
   * The listen backlog. Default: 1 for one flow; for all flows, inferred from
   * the queue overflows the trace shows, 128 when it shows none.
   */
  readonly backlog?: number;
  /** The trace's name, for the header comment and messages. Default '<pcap>'. */
  readonly source?: string;
  /** Writes `--tolerance_usecs=N` at the top; none by default (the engine's 4000 µs). */
  readonly toleranceUsecs?: number;
  /** Replay faster (2) or slower (0.5) than recorded: every gap is divided by it. Default 1. */
  readonly speed?: number;
  /**
   * An init command written before the first event (`` `./defaults.sh` ``);
   * several are run one after the other. A trace does not show the kernel's
   * sysctls; the SYN-ACK's options and windows depend on them, and queue
   * overflows on tcp_syncookies and tcp_abort_on_overflow.
   */
  readonly init?: string | readonly string[];
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

/** The engine's default ports: a script says --bind_port/--connect_port only when a trace differs. */
const DEFAULT_BIND_PORT = DEFAULTS.bindPort;
const DEFAULT_CONNECT_PORT = DEFAULTS.connectPort;

/** The engine's --tolerance_percent, as a share: how far a kernel timer may stray, relative to its timeout. */
const TOLERANCE_SHARE = DEFAULTS.tolerancePercent / 100;

/** Backlogs tried past the least the SYNs allow. */
const MAX_BACKLOG_TRIES = 64;

/** Flows a multi-flow script's header lists one by one. */
const MAX_LISTED = 12;

/** The backlog of a listener trace that shows no overflow. */
const PLAIN_BACKLOG = 128;

/**
 * The script for one TCP flow of `trace`, or for all flows to its listener.
 * Errors are one line naming the trace: `TRACE: no flow 3 (the trace has 2 TCP flows)`.
 */
export function pcapToPkt(trace: PcapTrace, opts: PcapToPktOptions = {}): Result<PcapToPktOutput> {
  const name = opts.source ?? '<pcap>';
  const bad = badOptions(name, opts);
  if (bad) return bad;
  const split = splitFlows(trace, name, { keep: segmentsNeeded(opts) });
  if (!split.ok) return split;
  return convertFlows(split.value, trace.warnings, name, opts);
}

/**
 * Reads `path` (any link type `splitFlows` knows) and converts it; never
 * rejects. The flows are split as the file is read: only the segments the
 * script is made of are kept (the chosen flow's; for all flows to a
 * listener, every flow's, as the listener is known at the end).
 */
export async function pcapFileToPkt(path: string, opts: PcapToPktOptions = {}): Promise<Result<PcapToPktOutput>> {
  const r = await readForConversion(path, opts);
  if (!r.ok) return r;
  const { o, name, split } = r.value;
  return convertFlows(split, split.warnings, name, o);
}

/** The options checked and the file's flows split, keeping only what the conversion needs. */
async function readForConversion(
  path: string,
  opts: PcapToPktOptions,
): Promise<Result<{ o: PcapToPktOptions & { source: string }; name: string; split: TraceFlows & { readonly warnings: string[] } }>> {
  const o = { source: path, ...opts };
  const name = o.source;
  const bad = badOptions(name, o);
  if (bad) return bad;
  const split = await readFlows(path, { keep: segmentsNeeded(o) });
  if (!split.ok) return split;
  return ok({ o, name, split: split.value });
}

function badOptions(name: string, opts: PcapToPktOptions): Result<never> | null {
  if (opts.flow !== undefined && !(Number.isInteger(opts.flow) && opts.flow >= 1)) {
    return fail(`${name}: bad flow number ${opts.flow} (flows are numbered from 1)`);
  }
  if (opts.port !== undefined && !(Number.isInteger(opts.port) && opts.port >= 0 && opts.port <= 0xffff)) {
    return fail(`${name}: bad port ${opts.port}`);
  }
  if (opts.backlog !== undefined && !(Number.isInteger(opts.backlog) && opts.backlog >= 0)) {
    return fail(`${name}: bad backlog ${opts.backlog}`);
  }
  if (opts.allFlows === true && opts.localIs === 'opener') {
    return fail(`${name}: all flows make a script for one listener: the local side must be the acceptor`);
  }
  return null;
}

/** Whether the options may make a script of all flows to a listener (which one is known only at the trace's end). */
function mayConvertAll(opts: PcapToPktOptions): boolean {
  if (opts.allFlows !== undefined) return opts.allFlows;
  return opts.flow === undefined && opts.port === undefined && opts.localIs !== 'opener';
}

/**
 * Which flows' segments the conversion needs (see `SplitOptions.keep`): for
 * one flow, that flow's alone (`flow`, else the first on `port`, else the
 * first); else every flow's.
 */
function segmentsNeeded(opts: PcapToPktOptions): ((f: FlowHead) => boolean) | undefined {
  if (mayConvertAll(opts)) return undefined;
  if (opts.flow !== undefined) return (f) => f.number === opts.flow;
  let chosen = false;
  return (f) => {
    if (chosen || (opts.port !== undefined && f.a.port !== opts.port && f.b.port !== opts.port)) return false;
    chosen = true;
    return true;
  };
}

/** What a trace converts to: one flow, or the flows of a listener (and the warnings so far). */
type Chosen = { readonly flow: TcpFlow; readonly group?: undefined; readonly warnings: string[] } | { readonly group: TcpFlow[]; readonly warnings: string[] };

function chooseFlows(split: TraceFlows, readWarnings: readonly string[], name: string, opts: PcapToPktOptions): Result<Chosen> {
  const { flows, packets, skipped } = split;
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

  const groups = listenerGroups(flows);
  let group: TcpFlow[] | undefined;
  if (opts.allFlows === true) {
    const chosen = flow;
    group =
      opts.flow === undefined && opts.port !== undefined
        ? (groups.find((g) => acceptorOf(g[0]!).port === opts.port) ?? groups.find((g) => g.includes(chosen)))
        : groups.find((g) => g.includes(chosen));
    if (!group) return fail(`${name}: flow ${flow.number} starts mid-flow: no listener to convert all flows of`);
  } else if (opts.allFlows === undefined && opts.flow === undefined && opts.port === undefined && opts.localIs !== 'opener') {
    group = groups.find((g) => g.length >= 2);
  }

  const warnings = [...readWarnings];
  const skippedText = describeSkipped(skipped);
  if (skippedText) warnings.push(`${name}: skipped ${plural([...skipped.values()].reduce((a, b) => a + b, 0), 'packet')} that are not TCP: ${skippedText}`);
  return ok(group ? { group, warnings } : { flow, warnings });
}

function convertFlows(split: TraceFlows, readWarnings: readonly string[], name: string, opts: PcapToPktOptions): Result<PcapToPktOutput> {
  const c = chooseFlows(split, readWarnings, name, opts);
  if (!c.ok) return c;
  const { group, warnings } = c.value;
  if (group) return ok(new ListenerConversion(group, group, split.flows, name, opts, warnings).run());
  return ok(new OneFlowConversion(c.value.flow!, split.flows.length, name, opts, warnings).run());
}

/**
 * A trace's conversion in parts, one script each, for a replay that starts
 * at once: the flows of a listener are cut into parts where no connection
 * of theirs is open (every earlier flow's last packet comes before the next
 * flow's first), each part at least `partPackets` packets when the trace
 * allows it, each converted when asked for (its own listener, backlog and
 * accept() calls, its times from its first packet). One flow, or a
 * listener's flows that fit one part, make one part: the script
 * `pcapFileToPkt` writes.
 */
export interface PcapToPktParts {
  readonly count: number;
  /** The listener's address and port (`192.168.0.1:8080`) when the parts are its flows; null for one flow. */
  readonly listener: string | null;
  /** Flows in part `k`. */
  flows(k: number): number;
  /** `flows 1-4000 (packets 1-40000)`: what part `k` (0-based) covers. */
  describe(k: number): string;
  /** The script of part `k` (0-based), once. */
  script(k: number): PcapToPktOutput;
}

/** `pcapFileToPkt` in parts (see `PcapToPktParts`); never rejects. */
export async function pcapFileToPktParts(path: string, opts: PcapToPktOptions, partPackets: number): Promise<Result<PcapToPktParts>> {
  const r = await readForConversion(path, opts);
  if (!r.ok) return r;
  const { o, name, split } = r.value;
  const c = chooseFlows(split, split.warnings, name, o);
  if (!c.ok) return c;
  const { group, warnings } = c.value;
  const all = split.flows;
  if (!group) {
    const flow = c.value.flow!;
    return ok({
      count: 1,
      listener: null,
      flows: () => 1,
      describe: () => `flow ${flow.number}`,
      script: () => new OneFlowConversion(flow, all.length, name, o, warnings).run(),
    });
  }
  const parts = cutAtQuietPoints(group, partPackets);
  const described = parts.map((p) => {
    const last = p.reduce((m, f) => Math.max(m, lastPacketOf(f)), 0);
    return `flows ${numberList(p.map((f) => f.number))} (packets ${p[0]!.segments.packet(0)}-${last})`;
  });
  const made = new Set<number>();
  return ok({
    count: parts.length,
    listener: endpointText(acceptorOf(group[0]!)),
    flows: (k) => parts[k]!.length,
    describe: (k) => described[k]!,
    script: (k) => {
      if (made.has(k)) throw new Error(`part ${k} was converted already`);
      made.add(k);
      return new ListenerConversion(parts[k]!, group, all, name, o, k === 0 ? warnings : []).run();
    },
  });
}

/** A listener's flows (in order of their first packet) cut where none is open, into parts of at least `packets` packets. */
function cutAtQuietPoints(group: readonly TcpFlow[], packets: number): TcpFlow[][] {
  const parts: TcpFlow[][] = [];
  let part: TcpFlow[] = [];
  let inPart = 0;
  let openUntil = -Infinity; // the last packet number of the part's flows
  for (const f of group) {
    const first = f.segments.packet(0);
    if (inPart >= packets && first > openUntil) {
      parts.push(part);
      part = [];
      inPart = 0;
    }
    part.push(f);
    inPart += f.segments.length;
    openUntil = Math.max(openUntil, lastPacketOf(f));
  }
  if (part.length > 0) parts.push(part);
  return parts;
}

/** The trace's number of a flow's last kept packet (0: none kept). */
function lastPacketOf(f: TcpFlow): number {
  const n = f.segments.length;
  return n === 0 ? 0 : f.segments.packet(n - 1);
}

function plural(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? '' : 's'}`;
}

/** `1, 2 and 5`. */
function listText(items: readonly (string | number)[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

// ---------------------------------------------------------------- the script being written

/** Where an event comes from: its trace packet, and in a multi-flow script its flow and direction. */
interface EventSource {
  readonly packet?: number;
  readonly flow?: number;
  readonly outbound?: boolean;
}

/** Script lines joined into one string at a time (a big script is not held as lines and text at once). */
const LINES_PER_CHUNK = 4096;

/** A growing column of numbers, 4 bytes each (8 for `Float64Array`). */
class Column<A extends Int32Array | Float64Array> {
  private data: A;
  private count = 0;

  constructor(private readonly make: (n: number) => A) {
    this.data = make(1024);
  }

  get length(): number {
    return this.count;
  }

  push(v: number): void {
    if (this.count === this.data.length) {
      const bigger = this.make(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.count++] = v;
  }

  at(i: number): number {
    return this.data[i]!;
  }
}

/** Script line → trace packet number, 4 bytes a line (a Map of 555 560 packet lines took 25 MB). */
class PacketOfLine implements ReadonlyMap<number, number> {
  /** Packet of line `i + 1`, 0 for none. */
  private readonly packets = new Column((n) => new Int32Array(n));
  size = 0;

  /** Lines come in order (ScriptBody.text writes them so). */
  set(line: number, packet: number): void {
    if (line <= this.packets.length) throw new Error(`packet line ${line} after line ${this.packets.length}`);
    while (this.packets.length < line - 1) this.packets.push(0);
    this.packets.push(packet);
    this.size++;
  }

  get(line: number): number | undefined {
    if (!Number.isInteger(line) || line < 1 || line > this.packets.length) return undefined;
    const p = this.packets.at(line - 1);
    return p === 0 ? undefined : p;
  }

  has(line: number): boolean {
    return this.get(line) !== undefined;
  }

  *entries(): MapIterator<[number, number]> {
    for (let i = 0; i < this.packets.length; i++) {
      const p = this.packets.at(i);
      if (p !== 0) yield [i + 1, p];
    }
  }

  *keys(): MapIterator<number> {
    for (const [line] of this.entries()) yield line;
  }

  *values(): MapIterator<number> {
    for (const [, packet] of this.entries()) yield packet;
  }

  [Symbol.iterator](): MapIterator<[number, number]> {
    return this.entries();
  }

  forEach(fn: (packet: number, line: number, map: ReadonlyMap<number, number>) => void): void {
    for (const [line, packet] of this.entries()) fn(packet, line, this);
  }
}

/**
 * What makes a line's event when the script is written, from the line's two
 * numbers: a flow makes its segment's packet (`a`: the segment's index), a
 * `Call` a socket call (`a`: the fd, `b`: the count or result). Events are
 * made one at a time as they are printed, so a big script never holds them
 * all.
 */
interface EventMaker {
  event(time: EventTime, a: number, b: number): Event;
}

/**
 * The script's events and notes, shared by the flows written into it. The
 * lines are kept column by column (a script of all flows to a listener has
 * a line per packet of the trace): what makes the event and its two numbers
 * (`EventMaker`), null for a blank line, and for an event its trace time
 * (µs), its packet and flow (0: none) and whether it is outbound. The text
 * is the printer's (src/script/print.ts): events are made as AST, printed,
 * and each packet line tagged with its trace packet number.
 */
class ScriptBody {
  private readonly makers: Array<EventMaker | null> = [];
  private readonly times = new Column((n) => new Float64Array(n));
  private readonly packets = new Column((n) => new Int32Array(n));
  private readonly as = new Column((n) => new Int32Array(n));
  private readonly bs = new Column((n) => new Int32Array(n));
  private readonly flows = new Column((n) => new Int32Array(n));
  private readonly outbound = new Column((n) => new Int32Array(n));
  private lastEventTime: number;
  readonly notes: string[] = [];
  /** Filled by text(): script line → trace packet number. */
  readonly packetOfLine = new PacketOfLine();

  constructor(startUsecs: number) {
    this.lastEventTime = startUsecs;
  }

  /** A call at `time` on `fd`, with its count or result `n`. */
  call(time: number, call: Call, fd: number, n: number, from: EventSource = {}): void {
    this.line(time, call, fd, n, from);
  }

  /** Segment `segment` of a flow at `time`: its packet is made when the script is written. */
  packet(time: number, flow: EventMaker, segment: number, from: EventSource): void {
    this.line(time, flow, segment, 0, from);
  }

  private line(time: number, maker: EventMaker, a: number, b: number, from: EventSource): void {
    this.makers.push(maker);
    this.times.push(time);
    this.packets.push(from.packet ?? 0);
    this.as.push(a);
    this.bs.push(b);
    this.flows.push(from.flow ?? 0);
    this.outbound.push(from.outbound === true ? 1 : 0);
    this.lastEventTime = time;
  }

  blank(): void {
    const n = this.makers.length;
    if (n === 0 || this.makers[n - 1] === null) return;
    this.makers.push(null);
    this.times.push(0);
    this.packets.push(0);
    this.as.push(0);
    this.bs.push(0);
    this.flows.push(0);
    this.outbound.push(0);
  }

  lastTime(): number {
    return this.lastEventTime;
  }

  note(text: string): void {
    this.notes.push(text);
  }

  /** The whole script: `header` (comments and option lines), the init command, then the events. Once: it lets the lines go. */
  text(header: string[], opts: PcapToPktOptions): string {
    const lines = [...header];
    const init = initCommands(opts);
    if (init.length > 0) lines.push(printEvent({ kind: 'command', time: null, command: init.join('\n').replace(/`/g, '\\`'), span: NO_SPAN }));
    lines.push('');

    // Times: the first event at 0, then relative to the previous event. In a
    // multi-flow script, a kernel's packet that comes long after its own
    // flow's last event but follows another flow's (a retransmission timer
    // firing) gets a window from the start instead: timers of different
    // flows fire in either order, and the previous line is no anchor for it.
    const { makers, times, packets, as, bs, flows, outbound } = this;
    let end = makers.length;
    while (end > 0 && makers[end - 1] === null) end--;
    const speed = opts.speed ?? 1;
    const tolerance = opts.toleranceUsecs ?? 4000;
    const scaled = (usecs: number) => Math.max(0, Math.round(usecs / speed));
    /** Each event's time, in order (run twice: for the column's width, then for the lines; not kept). */
    const eachTime = (fn: (i: number, time: EventTime) => void): void => {
      let prev = -1;
      let start = 0;
      let lastWindowStart: number | null = null;
      const lastOfFlow = new Map<number, number>();
      for (let i = 0; i < end; i++) {
        if (makers[i] === null) continue;
        let time: EventTime;
        const t = times.at(i);
        const flow = flows.at(i);
        const anchor = flow === 0 ? undefined : lastOfFlow.get(flow);
        if (prev < 0) {
          time = FIRST_TIME;
          start = t;
        } else if (outbound.at(i) && anchor !== undefined && flows.at(prev) !== flow && scaled(t - anchor) * TOLERANCE_SHARE > tolerance) {
          const at = scaled(t - start);
          const spread = Math.round(scaled(t - anchor) * TOLERANCE_SHARE);
          // Whole milliseconds, outward.
          const from = Math.max(0, Math.floor((at - spread) / 1000) * 1000, lastWindowStart ?? 0);
          time = { kind: 'range', start: absolute(from), end: absolute(Math.ceil((at + spread) / 1000) * 1000), span: NO_SPAN };
          lastWindowStart = from;
        } else {
          time = { kind: 'relative', usecs: scaled(t - times.at(prev)), span: NO_SPAN };
          lastWindowStart = null;
        }
        prev = i;
        if (flow !== 0) lastOfFlow.set(flow, t);
        fn(i, time);
      }
    };
    let width = 4;
    eachTime((_i, time) => {
      const length = printTime(time).length;
      if (length > width) width = length;
    });
    const chunks: string[] = [];
    let line = lines.length;
    let next = 0;
    const flush = () => {
      if (lines.length >= LINES_PER_CHUNK) {
        chunks.push(lines.join('\n'));
        lines.length = 0;
      }
    };
    eachTime((i, time) => {
      for (; next < i; next++) {
        lines.push(''); // a blank line
        line++;
        flush();
      }
      lines.push(printEvent(makers[i]!.event(time, as.at(i), bs.at(i)), width));
      line++;
      if (packets.at(i) !== 0) this.packetOfLine.set(line, packets.at(i));
      next = i + 1;
      flush();
    });
    if (lines.length > 0) chunks.push(lines.join('\n'));
    // The lines' texts are in the chunks now: let their makers go before the whole is made.
    makers.length = 0;
    // The last line's newline, as an empty last chunk: the join is then the
    // whole text, one flat string (a `+ '\n'` after it would be another,
    // made again when the text is written).
    chunks.push('');
    return chunks.join('\n');
  }
}

// ---------------------------------------------------------------- events as AST

const FIRST_TIME: EventTime = Object.freeze({ kind: 'absolute', usecs: 0, span: NO_SPAN });

const absolute = (usecs: number): EventTime & { kind: 'absolute' } => ({ kind: 'absolute', usecs, span: NO_SPAN });

const ELLIPSIS: Expr = Object.freeze({ kind: 'ellipsis', span: NO_SPAN });
const int = (n: number): Expr => ({ kind: 'int', value: BigInt(n), radix: 10, span: NO_SPAN });
const sym = (name: string): Expr => ({ kind: 'symbol', name, span: NO_SPAN });

/** What a socket call says, from its line's two numbers (`a`: the fd, `b`: a count or the result). */
type CallParts = Pick<SyscallEvent, 'name' | 'args' | 'result' | 'errno'>;

/** A socket call the script makes, written as the printer writes calls. */
class Call implements EventMaker {
  constructor(private readonly parts: (a: number, b: number) => CallParts) {}

  event(time: EventTime, a: number, b: number): SyscallEvent {
    return { kind: 'syscall', time, nameSpan: NO_SPAN, span: NO_SPAN, ...this.parts(a, b) };
  }
}

const call = (name: string, args: Expr[], result: number, errno: SyscallEvent['errno'] = null): CallParts => ({ name, args, result: int(result), errno });

/** The calls a converted script makes. */
const CALLS = {
  /** `socket(..., SOCK_STREAM, IPPROTO_TCP) = b` */
  socket: new Call((_a, b) => call('socket', [ELLIPSIS, sym('SOCK_STREAM'), sym('IPPROTO_TCP')], b)),
  /** `setsockopt(a, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0` */
  reuseAddress: new Call((a) => call('setsockopt', [int(a), sym('SOL_SOCKET'), sym('SO_REUSEADDR'), { kind: 'array', items: [int(1)], span: NO_SPAN }, int(4)], 0)),
  /** `bind(a, ..., ...) = 0` */
  bind: new Call((a) => call('bind', [int(a), ELLIPSIS, ELLIPSIS], 0)),
  /** `listen(a, b) = 0` */
  listen: new Call((a, b) => call('listen', [int(a), int(b)], 0)),
  /** `accept(a, ..., ...) = b` */
  accept: new Call((a, b) => call('accept', [int(a), ELLIPSIS, ELLIPSIS], b)),
  /** `connect(a, ..., ...) = -1 EINPROGRESS (Operation now in progress)` */
  connect: new Call((a) => call('connect', [int(a), ELLIPSIS, ELLIPSIS], -1, { name: 'EINPROGRESS', note: 'Operation now in progress', span: NO_SPAN })),
  /** `fcntl(a, F_SETFL, O_RDWR|O_NONBLOCK) = 0` */
  nonblocking: new Call((a) =>
    call('fcntl', [int(a), sym('F_SETFL'), { kind: 'or', left: sym('O_RDWR'), right: sym('O_NONBLOCK'), span: NO_SPAN }], 0),
  ),
  /** `fcntl(a, F_SETFL, O_RDWR) = 0` */
  blocking: new Call((a) => call('fcntl', [int(a), sym('F_SETFL'), sym('O_RDWR')], 0)),
  /** `write(a, ..., b) = b` */
  write: new Call((a, b) => call('write', [int(a), ELLIPSIS, int(b)], b)),
  /** `read(a, ..., b) = b` */
  read: new Call((a, b) => call('read', [int(a), ELLIPSIS, int(b)], b)),
  /** `setsockopt(a, SOL_SOCKET, SO_LINGER, {l_onoff=1, l_linger=0}, 8) = 0` */
  lingerZero: new Call((a) => {
    const field = (name: string, v: number): Expr & { kind: 'field' } => ({ kind: 'field', name, value: int(v), span: NO_SPAN });
    const linger: Expr = { kind: 'struct', fields: [field('l_onoff', 1), field('l_linger', 0)], span: NO_SPAN };
    return call('setsockopt', [int(a), sym('SOL_SOCKET'), sym('SO_LINGER'), linger, int(8)], 0);
  }),
  /** `shutdown(a, SHUT_WR) = 0` */
  shutdownWrite: new Call((a) => call('shutdown', [int(a), sym('SHUT_WR')], 0)),
  /** `close(a) = 0` */
  close: new Call((a) => call('close', [int(a)], 0)),
};

/** The fd of the script's first socket (the listener, or the connector's socket), as packetdrill's scripts have it. */
const LISTEN_FD = 3;

/** The init commands, one a line. */
function initCommands(opts: PcapToPktOptions): string[] {
  return typeof opts.init === 'string' ? [opts.init] : [...(opts.init ?? [])];
}

/** Option lines every script may need, printed. */
function optionLines(ipVersion: 4 | 6, opts: PcapToPktOptions, bindPort: number | null, connectPort: number | null): string[] {
  const options: Array<[string, string]> = [];
  if (ipVersion === 6) options.push(['ip_version', 'ipv6']);
  if (bindPort !== null && bindPort !== DEFAULT_BIND_PORT) options.push(['bind_port', String(bindPort)]);
  if (connectPort !== null && connectPort !== DEFAULT_CONNECT_PORT) options.push(['connect_port', String(connectPort)]);
  if (opts.toleranceUsecs !== undefined) options.push(['tolerance_usecs', String(opts.toleranceUsecs)]);
  return options.map(([name, value]) => printOption({ kind: 'option', name, value, span: NO_SPAN }));
}

// ---------------------------------------------------------------- one flow's part of the script

type Mode = 'listener' | 'connector' | 'none';

/** A packet's IP attributes by its TOS byte's ECN bits: nothing for Not-ECT, else the codepoint's name. */
const IP_OF_ECN: readonly IpAttrsAst[] = [0, 1, 2, 3].map((bits) => Object.freeze(bits === 0 ? {} : { ecn: ecnOf(bits) }));

const isPureSyn = (flags: number): boolean => (flags & (tcp.SYN | tcp.ACK)) === tcp.SYN;
const isSynAck = (flags: number): boolean => (flags & (tcp.SYN | tcp.ACK)) === (tcp.SYN | tcp.ACK);

/** What the trace says about a flow's handshake (indices into the flow's segments). */
interface Handshake {
  /** The segment that completed the handshake: the first final ACK the kernel kept. */
  readonly complete: number | null;
  /** Final ACKs the kernel did not keep: dropped (its SYN-ACK came again) or answered with a reset. */
  readonly refusedAcks: ReadonlyArray<{ readonly index: number; readonly reset: boolean }>;
  /** Inbound SYNs and what answered each: a SYN-ACK (its index), a reset, or nothing. */
  readonly syns: ReadonlyArray<{ readonly index: number; readonly answer: number | 'reset' | null }>;
}

const NONE: readonly never[] = Object.freeze([]);

/** Reads the handshake of a flow from its segments (see `Handshake`). */
function readHandshake(segs: FlowSegments, isOut: (i: number) => boolean): Handshake {
  let syns: Array<{ index: number; answer: number | 'reset' | null }> | null = null;
  let refusedAcks: Array<{ index: number; reset: boolean }> | null = null;
  let complete: number | null = null;
  let synAckOut = false;
  let reset = false;
  const n = segs.length;
  for (let i = 0; i < n; i++) {
    const f = segs.flags(i);
    const out = isOut(i);
    if (!out && isPureSyn(f)) {
      const next = i + 1 < n ? i + 1 : -1;
      const answer = next >= 0 && isOut(next) ? (isSynAck(segs.flags(next)) ? next : segs.flags(next) & tcp.RST ? 'reset' : null) : null;
      (syns ??= []).push({ index: i, answer });
    }
    if (out && isSynAck(f)) synAckOut = true;
    if (!out && synAckOut && complete === null && !reset && f & tcp.ACK && !(f & (tcp.SYN | tcp.RST))) {
      let next = i + 1;
      while (next < n && !isOut(next)) next++;
      if (next < n && segs.flags(next) & tcp.RST) {
        (refusedAcks ??= []).push({ index: i, reset: true });
        reset = true;
      } else if (next < n && isSynAck(segs.flags(next))) {
        (refusedAcks ??= []).push({ index: i, reset: false });
      } else {
        complete = i;
      }
    }
  }
  return { complete, refusedAcks: refusedAcks ?? NONE, syns: syns ?? NONE };
}

/** A socket call the application must make on the flow's socket before a segment. */
interface Plan {
  /** Bytes of a write that starts at this segment. */
  readonly write: number;
  /** The segment is the local FIN or RST of an open connection: close or shutdown before it. */
  readonly closing: boolean;
}

const NO_PLAN: Plan = Object.freeze({ write: 0, closing: false });
const CLOSING: Plan = Object.freeze({ write: 0, closing: true });

/**
 * One flow's part of the script. Its segments are read by index from the
 * split's table (`FlowSegments`); a packet line's event is made only when
 * the script is written (`event`), what it tells the notes as the script is
 * walked (`checkPacket`).
 */
class FlowScript implements EventMaker {
  readonly segs: FlowSegments;
  readonly local: Endpoint;
  readonly remote: Endpoint;
  readonly localIsOpener: boolean;
  /** The local side is the flow's side `a`. */
  private readonly localIsA: boolean;
  private readonly localBase: number;
  private readonly remoteBase: number;
  readonly mode: Mode;
  readonly handshake: Handshake;

  // Socket state as the script goes.
  fd: number | null = null;
  private closed = false;
  private shut = false;
  private blocking = true;
  private synAckIn = false;
  established = false;
  private teardown = false;
  private readonly shutdownOnFin: boolean;
  // Local data: the highest sequence number sent, and whether a write is still being sent.
  private sndMax: number | null = null;
  private writeOpen = false;
  // Remote data: what the kernel can deliver in order, and what the app has not read yet.
  private rcvNxt: number | null = null;
  private ooo: Array<[number, number]> | null = null;
  private unread = 0;
  private lastDeliveryUsecs = 0;
  // TS vals the local side has sent so far (what an inbound ecr may echo).
  private localTsVals: Set<number> | null = null;
  private unpushedWrites = 0;
  private badEcr: string[] | null = null;
  /** What the language cannot say, and the packets it was left out of. */
  private leftOut: Map<string, number[]> | null = null;

  constructor(
    readonly flow: TcpFlow,
    localIs: 'opener' | 'acceptor',
    private readonly body: ScriptBody,
    /** Ports written on every packet (a multi-flow script), else none. */
    readonly ports: { readonly remote: number; readonly local: number } | null = null,
  ) {
    const localIsA = (localIs === 'opener') === (flow.opener === 'a');
    this.local = localIsA ? flow.a : flow.b;
    this.remote = localIsA ? flow.b : flow.a;
    this.localIsOpener = localIs === 'opener';
    this.localIsA = localIsA;
    this.segs = flow.segments;
    let anySyn = false;
    for (let i = 0; i < this.segs.length && !anySyn; i++) anySyn = (this.segs.flags(i) & tcp.SYN) !== 0;
    this.localBase = this.base(true, anySyn);
    this.remoteBase = this.base(false, anySyn);
    this.handshake = readHandshake(this.segs, (i) => this.isOut(i));
    this.mode = this.chooseMode();
    this.shutdownOnFin = this.peerSendsAfterLocalFin();
  }

  /** The ISN a side's relative numbers count from. */
  private base(local: boolean, anySyn: boolean): number {
    const segs = this.segs;
    const n = segs.length;
    let first = -1;
    for (let i = 0; i < n; i++) {
      if (this.isOut(i) !== local) continue;
      if (segs.flags(i) & tcp.SYN) return segs.seq(i);
      if (first < 0) first = i;
    }
    // The engine reads a local side that sent no SYN in absolute numbers.
    if (local && anySyn) return 0;
    if (first >= 0) return segs.flags(first) & tcp.RST ? segs.seq(first) : (segs.seq(first) - 1) >>> 0;
    for (let i = 0; i < n; i++) if (this.isOut(i) !== local && segs.flags(i) & tcp.ACK) return (segs.ack(i) - 1) >>> 0;
    return 0;
  }

  /** Whether some segment passes `test` (`out`: sent by the local side; any side when undefined). */
  private any(test: (flags: number) => boolean, out?: boolean): boolean {
    for (let i = 0; i < this.segs.length; i++) if ((out === undefined || this.isOut(i) === out) && test(this.segs.flags(i))) return true;
    return false;
  }

  private chooseMode(): Mode {
    if (!this.any(isPureSyn)) {
      this.note(`flow ${this.flow.number}: the capture starts mid-flow (no SYN): no socket calls, and the script cannot run as it is`);
      return 'none';
    }
    if (this.localIsOpener) return 'connector';
    const answered = this.any(isSynAck, true);
    if (!answered && this.any((f) => (f & tcp.RST) !== 0, true)) {
      if (!this.ports) this.note(`flow ${this.flow.number}: the local side answered the SYN with a reset: no listener in the script`);
      return 'none';
    }
    return 'listener';
  }

  /** Whether the flow has a pure SYN. */
  get hasSyn(): boolean {
    return this.any(isPureSyn);
  }

  /** Segment `i` was sent by the local side (an outbound packet in the script). */
  isOut(i: number): boolean {
    return this.segs.fromA(i) === this.localIsA;
  }

  private note(text: string): void {
    this.body.note(text);
  }

  /** The flow's key in a multi-flow script (for timing), else none. */
  private get key(): number | undefined {
    return this.ports ? this.flow.number : undefined;
  }

  private call(t: number, call: Call, fd: number, n = 0): void {
    this.body.call(t, call, fd, n, { flow: this.key });
  }

  // ------------------------------------------------------------ numbers

  rel(seq: number, local: boolean): number {
    return (seq - (local ? this.localBase : this.remoteBase)) >>> 0;
  }

  /** Where segment `i`'s data starts, SYN excluded (it ends `payloadLength` later). */
  private dataStart(i: number): number {
    return (this.rel(this.segs.seq(i), this.isOut(i)) + (this.segs.flags(i) & tcp.SYN ? 1 : 0)) >>> 0;
  }

  /** Bytes of local segment `i` sent for the first time, given the highest sequence sent before it. */
  private newLocalBytes(i: number, sndMax: number | null): number {
    // Data on a SYN (Fast Open) needs sendto(MSG_FASTOPEN), not a write.
    if (this.segs.flags(i) & tcp.SYN) return 0;
    const start = this.dataStart(i);
    return Math.max(0, start + this.segs.payloadLength(i) - (sndMax ?? start));
  }

  /** The highest sequence sent after local segment `i`, given the highest before it. */
  private sndMaxAfter(i: number, sndMax: number | null): number {
    const start = this.dataStart(i);
    const end = start + this.segs.payloadLength(i) + (this.segs.flags(i) & tcp.FIN ? 1 : 0);
    return Math.max(sndMax ?? start, end);
  }

  // ------------------------------------------------------------ the walk, one segment at a time

  /** Connect's calls, for a connector, before its first segment. */
  start(t: number): void {
    if (this.mode !== 'connector') return;
    const fd = LISTEN_FD;
    this.call(t, CALLS.socket, 0, fd);
    this.call(t, CALLS.nonblocking, fd);
    this.call(t, CALLS.connect, fd);
    this.fd = fd;
    this.blocking = false;
  }

  /** What the application must do on the socket before segment `i` (called once per segment, in order). */
  plan(i: number): Plan {
    const f = this.segs.flags(i);
    const out = this.isOut(i);
    let write = 0;
    if (out) {
      const bytes = this.newLocalBytes(i, this.sndMax);
      if (f & tcp.SYN && this.segs.payloadLength(i) > 0) this.note(`flow ${this.flow.number}, packet ${this.segs.packet(i)}: data on a SYN (TCP Fast Open) is not scripted`);
      if (bytes > 0 && !this.writeOpen) write = this.scanWrite(i);
    }
    const open = this.established && !this.closed && (this.fd !== null || this.mode === 'listener');
    const closing = out && open && ((f & tcp.FIN && !this.shut) || (f & tcp.RST) !== 0);
    if (write === 0) return closing ? CLOSING : NO_PLAN;
    return { write, closing };
  }

  /** Whether the plan needs the socket while the connection is not accepted yet. */
  needsAccept(plan: Plan): boolean {
    return this.mode === 'listener' && this.established && this.fd === null && !this.closed && (plan.write > 0 || plan.closing);
  }

  /** The calls before segment `i` at time `t`, then the segment. */
  emit(i: number, t: number, plan: Plan): void {
    const f = this.segs.flags(i);
    const { write, closing } = plan;
    if (this.unread > 0 && (t - this.lastDeliveryUsecs > INSTANT_USECS || write > 0 || closing)) this.flushRead();
    if (!this.teardown && f & (tcp.FIN | tcp.RST)) {
      this.teardown = true;
      this.body.blank();
    }
    if (write > 0) {
      if (this.fd !== null && !this.closed && this.established) {
        this.ensureBlocking(t);
        this.call(t, CALLS.write, this.fd, write);
      } else if (this.mode !== 'none') {
        this.note(`flow ${this.flow.number}, packet ${this.segs.packet(i)}: local data before the connection is established: no write for it`);
      }
      this.writeOpen = true;
    }
    if (closing && this.fd !== null) {
      this.ensureBlocking(t);
      if (f & tcp.RST) {
        this.call(t, CALLS.lingerZero, this.fd);
        this.call(t, CALLS.close, this.fd);
        this.closed = true;
      } else if (this.shutdownOnFin) {
        this.call(t, CALLS.shutdownWrite, this.fd);
        this.shut = true;
      } else {
        this.call(t, CALLS.close, this.fd);
        this.closed = true;
      }
    }
    this.checkPacket(i);
    this.body.packet(t, this, i, { packet: this.segs.packet(i), flow: this.key, outbound: this.isOut(i) });
  }

  /** What follows from segment `i`; true when it completed the handshake of a listener's connection. */
  after(i: number, t: number): boolean {
    const f = this.segs.flags(i);
    if (this.isOut(i)) {
      if (f & (tcp.PSH | tcp.FIN) && this.newLocalBytes(i, this.sndMax) > 0) this.writeOpen = false;
      this.sndMax = this.sndMaxAfter(i, this.sndMax);
      if (this.segs.hasOptions(i)) for (const o of this.segs.options(i)) if (o.kind === 'timestamp') (this.localTsVals ??= new Set()).add(o.val);
      if (this.mode === 'connector' && this.synAckIn && !this.established && !(f & (tcp.SYN | tcp.RST))) {
        this.established = true;
        this.ensureBlocking(t);
        this.body.blank();
      }
      return false;
    }
    this.writeOpen = false;
    this.deliver(i, t);
    if (f & tcp.SYN && f & tcp.ACK) this.synAckIn = true;
    if (this.mode === 'listener' && i === this.handshake.complete) {
      this.established = true;
      return true;
    }
    return false;
  }

  /** The listener handed this connection to the application as `fd`. */
  accepted(fd: number, t: number): void {
    this.call(t, CALLS.accept, LISTEN_FD, fd);
    this.fd = fd;
  }

  /** Data delivered that the application has not read yet. */
  get waitingRead(): boolean {
    return this.unread > 0;
  }

  /** Reads what has waited long enough (a multi-flow script asks before every segment). */
  readIfDue(t: number): void {
    if (this.unread > 0 && this.fd !== null && t - this.lastDeliveryUsecs > INSTANT_USECS) this.flushRead();
  }

  /** The end of the trace: the last read, and the flow's notes. */
  finish(): void {
    if (this.unread > 0) this.flushRead();
    const n = this.flow.number;
    if (this.unpushedWrites > 0) {
      this.note(
        `flow ${n}: ${plural(this.unpushedWrites, 'write')} end${this.unpushedWrites === 1 ? 's' : ''} without PSH in the trace ` +
          `(the application wrote more than one flight at once); the kernel will set PSH at the end of each scripted write`,
      );
    }
    if (this.badEcr) {
      this.note(
        `flow ${n}: inbound TS ecr echoes no earlier local TS val in packet${this.badEcr.length === 1 ? '' : 's'} ${this.badEcr.join(', ')} ` +
          `(the engine cannot map it)`,
      );
    }
    for (const [what, packets] of this.leftOut ?? []) {
      this.note(`flow ${n}: ${what} cannot be written in a script; left out of packet${packets.length === 1 ? '' : 's'} ${packets.join(', ')}`);
    }
  }

  /** The bytes of the write that starts at local segment `i` (see the module comment). */
  private scanWrite(i: number): number {
    let sndMax = this.sndMax;
    let bytes = 0;
    let pushed = false;
    for (let j = i; j < this.segs.length; j++) {
      if (!this.isOut(j)) break;
      const more = this.newLocalBytes(j, sndMax);
      sndMax = this.sndMaxAfter(j, sndMax);
      if (more === 0) continue;
      bytes += more;
      if (this.segs.flags(j) & (tcp.PSH | tcp.FIN)) {
        pushed = true;
        break;
      }
    }
    if (!pushed) this.unpushedWrites++;
    return bytes;
  }

  /** Whether the peer's first data after the local FIN is ACKed (a half close: shutdown) rather than reset (close). */
  private peerSendsAfterLocalFin(): boolean {
    const segs = this.segs;
    const n = segs.length;
    let fin = 0;
    while (fin < n && !(this.isOut(fin) && segs.flags(fin) & tcp.FIN)) fin++;
    if (fin >= n) return false;
    let data = fin + 1;
    while (data < n && !(!this.isOut(data) && segs.payloadLength(data) > 0 && !(segs.flags(data) & tcp.RST))) data++;
    if (data >= n) return false;
    let answer = data + 1;
    while (answer < n && !this.isOut(answer)) answer++;
    return answer < n && !(segs.flags(answer) & tcp.RST);
  }

  private ensureBlocking(t: number): void {
    if (this.blocking || this.fd === null) return;
    this.call(t, CALLS.blocking, this.fd);
    this.blocking = true;
  }

  /** In-order delivery of remote segment `i`'s data. */
  private deliver(i: number, t: number): void {
    const length = this.segs.payloadLength(i);
    const start = this.dataStart(i);
    const end = start + length;
    if (this.rcvNxt === null) this.rcvNxt = start;
    if (end <= this.rcvNxt || length === 0) return;
    const ooo = (this.ooo ??= []);
    ooo.push([Math.max(start, this.rcvNxt), end]);
    ooo.sort((a, b) => a[0] - b[0]);
    const before = this.rcvNxt;
    const rest: Array<[number, number]> = [];
    for (const [a, b] of ooo) {
      if (a <= this.rcvNxt) this.rcvNxt = Math.max(this.rcvNxt, b);
      else rest.push([a, b]);
    }
    this.ooo = rest.length > 0 ? rest : null;
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
    const t = this.body.lastTime();
    this.ensureBlocking(t);
    this.call(t, CALLS.read, this.fd, n);
  }

  // ------------------------------------------------------------ packets

  /**
   * What segment `i`'s line cannot say, as the walk reaches it (the notes
   * are written before the lines): the AE flag, inbound options the
   * language has no words for, an inbound TS ecr that echoes no TS val the
   * local side had sent by then.
   */
  private checkPacket(i: number): void {
    const segs = this.segs;
    const flags = segs.flags(i);
    if (flags & tcp.AE) this.unwritten('the AE flag', i);
    if (this.isOut(i) || !segs.hasOptions(i)) return;
    for (const o of segs.options(i)) {
      if (o.kind === 'unknown') this.unwritten(`TCP option ${o.type}`, i);
      else if (o.kind === 'timestamp' && flags & tcp.ACK && !this.localTsVals?.has(o.ecr)) (this.badEcr ??= []).push(String(segs.packet(i)));
    }
  }

  /** Segment `i`'s line at `time` (see `checkPacket` for what it leaves out). */
  event(time: EventTime, i: number): PacketEvent {
    return { kind: 'packet', time, packet: this.packet(i), span: NO_SPAN };
  }

  /** Segment `i` as the script writes it: numbers relative to each side's ISN, the raw window, every option the language has. */
  packet(i: number): TcpPacketAst {
    const segs = this.segs;
    const out = this.isOut(i);
    const flags = segs.flags(i);
    const length = segs.payloadLength(i);
    const start = this.rel(segs.seq(i), out);
    const urgent = segs.urgentPointer(i);
    const ports = this.ports;
    return {
      kind: 'tcp',
      direction: out ? 'outbound' : 'inbound',
      ports: ports && {
        src: out ? ports.local : ports.remote,
        dst: out ? ports.remote : ports.local,
        srcEnd: null,
        dstEnd: null,
        span: NO_SPAN,
      },
      flags: lettersFromFlags(flags & 0xff),
      seq: { start, end: (start + length) >>> 0, len: length },
      ack: flags & tcp.ACK ? this.rel(segs.ack(i), !out) : null,
      win: segs.window(i),
      urg: flags & tcp.URG || urgent !== 0 ? urgent : null,
      options: segs.hasOptions(i) ? this.options(i) : null,
      ip: IP_OF_ECN[segs.tos(i) & 3]!,
      span: NO_SPAN,
    };
  }

  private unwritten(what: string, i: number): void {
    const packet = this.segs.packet(i);
    this.leftOut ??= new Map();
    const list = this.leftOut.get(what) ?? [];
    if (list[list.length - 1] !== packet) list.push(packet);
    this.leftOut.set(what, list);
  }

  /** Segment `i`'s options; `<...>` for an outbound one the language has no words for (an inbound one is left out). */
  private options(i: number): TcpOptionAst[] | 'any' | null {
    const out = this.isOut(i);
    const options: TcpOptionAst[] = [];
    for (const o of this.segs.options(i)) {
      switch (o.kind) {
        case 'unknown':
          if (out) return 'any';
          continue;
        case 'sack':
          // SACK blocks are in the other side's sequence space.
          options.push({ kind: 'sack', blocks: o.blocks.map((b) => ({ start: this.rel(b.start, !out), end: this.rel(b.end, !out) })), span: NO_SPAN });
          continue;
        case 'fastopen':
          options.push({ kind: 'fastopen', cookie: Buffer.from(o.cookie).toString('hex'), exp: o.exp, span: NO_SPAN });
          continue;
        case 'md5':
          // The digest is the segment's own: `md5` alone.
          options.push({ kind: 'md5', span: NO_SPAN });
          continue;
        default:
          options.push({ ...o, span: NO_SPAN });
      }
    }
    return options.length > 0 ? options : null;
  }
}

/** Socket, SO_REUSEADDR, bind and listen at time `t`. */
function listenCalls(body: ScriptBody, t: number, backlog: number): void {
  body.call(t, CALLS.socket, 0, LISTEN_FD);
  body.call(t, CALLS.reuseAddress, LISTEN_FD, 0);
  body.call(t, CALLS.bind, LISTEN_FD, 0);
  body.call(t, CALLS.listen, LISTEN_FD, backlog);
  body.blank();
}

// ---------------------------------------------------------------- one flow

class OneFlowConversion {
  private readonly body: ScriptBody;
  private readonly fs: FlowScript;

  constructor(
    private readonly flow: TcpFlow,
    private readonly flowCount: number,
    private readonly source: string,
    private readonly opts: PcapToPktOptions,
    private readonly warnings: string[],
  ) {
    this.body = new ScriptBody(flow.segments.timeUsecs(0));
    this.fs = new FlowScript(flow, opts.localIs ?? 'acceptor', this.body);
  }

  run(): PcapToPktOutput {
    const fs = this.fs;
    const segs = fs.segs;
    const t0 = segs.timeUsecs(0);
    if (fs.mode === 'listener') listenCalls(this.body, t0, this.opts.backlog ?? 1);
    fs.start(t0);
    let previous = t0;
    let backwards = false;
    for (let i = 0; i < segs.length; i++) {
      let t = segs.timeUsecs(i);
      if (t < previous) {
        backwards = true;
        t = previous;
      }
      previous = t;
      fs.emit(i, t, fs.plan(i));
      if (fs.after(i, t)) {
        fs.accepted(4, t);
        this.body.blank();
      }
    }
    if (backwards) this.body.note(`flow ${this.flow.number}: the trace's timestamps go backwards; those events are at +0`);
    fs.finish();
    const notes = this.body.notes;
    this.warnings.push(...notes);
    const script = this.body.text(this.header(), this.opts);
    return { script, packetOfLine: this.body.packetOfLine, warnings: this.warnings };
  }

  private header(): string[] {
    const f = this.flow;
    const fs = this.fs;
    const segs = fs.segs;
    const duration = segs.timeUsecs(segs.length - 1) - segs.timeUsecs(0);
    const role =
      fs.mode === 'listener' ? 'the acceptor (a listener)' : fs.mode === 'connector' ? 'the opener (a connector)' : fs.localIsOpener ? 'the opener' : 'the acceptor';
    const lines: string[] = [
      `// ${this.source}, flow ${f.number} of ${this.flowCount} (Wireshark tcp.stream ${f.number - 1}), converted by pktdrill:`,
      `//   ${flowTuple(f)}, IPv${f.ipVersion}, ${plural(segs.length, 'packet')} in ${printSeconds(Math.max(0, duration))} s`,
      `//   the kernel under test (>) is ${endpointText(fs.local)}, ${role}; the tool (<) plays ${endpointText(fs.remote)}`,
    ];
    for (const n of this.body.notes) lines.push(`// note: ${n}`);
    lines.push(...optionLines(f.ipVersion, this.opts, fs.mode === 'listener' ? fs.local.port : null, fs.mode === 'connector' ? fs.remote.port : null));
    return lines;
  }
}

// ---------------------------------------------------------------- a listener's queues

/**
 * What a segment says about the listener's queues:
 * - `syn`: a SYN answered with a SYN-ACK, a new request (the SYN queue and the accept queue had room);
 * - `cookie`: a SYN answered with a syncookie (the SYN queue was full, the accept queue had room);
 * - `syn-dropped`: a SYN that got no answer (the SYN queue or the accept queue was full);
 * - `ack-dropped`, `ack-reset`: a final ACK the kernel dropped (its SYN-ACK came again) or reset
 *   (tcp_abort_on_overflow=1): the accept queue was full;
 * - `complete`: a handshake completed (the accept queue had room);
 * - `gone`: a pending request reset.
 */
type QueueEventKind = 'syn' | 'cookie' | 'syn-dropped' | 'ack-dropped' | 'ack-reset' | 'complete' | 'gone';

interface QueueEvent {
  /** Position in the script's order of segments. */
  readonly pos: number;
  readonly kind: QueueEventKind;
  /** The flow (index in the listener's flows). */
  readonly flow: number;
  readonly packet: number;
  /** Requests pending (SYN-ACK sent, handshake not done) just before. */
  readonly requests: number;
  /** Connections completed just before. */
  readonly completed: number;
  /** For a SYN: the packet that answered it. */
  readonly answer?: number;
}

const OVERFLOWS: ReadonlySet<QueueEventKind> = new Set(['cookie', 'syn-dropped', 'ack-dropped', 'ack-reset']);
const NEEDS_ROOM: ReadonlySet<QueueEventKind> = new Set(['syn', 'cookie', 'complete']);

/** The kinds of options of a flow's segment `i`. */
const optionKinds = (segs: FlowSegments, i: number): Set<string> => new Set(segs.options(i).map((o) => o.kind));

/**
 * SYN-ACKs that are syncookies, as far as a trace shows (their packet
 * numbers): to a SYN without timestamps (a cookie then has nowhere to keep
 * SACK and window scaling), one that leaves out SACK or window scaling the
 * SYN offered while another SYN-ACK of the listener gives it.
 */
function cookieSynAcks(flows: readonly FlowScript[]): Set<number> {
  const given = new Set<string>();
  for (const fs of flows) {
    const segs = fs.segs;
    for (let i = 0; i < segs.length; i++) {
      if (fs.isOut(i) && isSynAck(segs.flags(i)) && segs.hasOptions(i)) for (const o of segs.options(i)) given.add(o.kind);
    }
  }
  const gives = (kind: string) => given.has(kind);
  const cookies = new Set<number>();
  for (const fs of flows) {
    for (const syn of fs.handshake.syns) {
      if (typeof syn.answer !== 'number') continue;
      const offered = optionKinds(fs.segs, syn.index);
      const echoed = optionKinds(fs.segs, syn.answer);
      if (offered.has('timestamp')) continue;
      const missing = (kind: string) => offered.has(kind) && !echoed.has(kind) && gives(kind);
      if (missing('sackOK') || missing('wscale')) cookies.add(fs.segs.packet(syn.answer));
    }
  }
  return cookies;
}

/** The queue events of a listener's flows, `order` being the script's order of segments; in order of position, one at most at each. */
function queueEvents(flows: readonly FlowScript[], order: SegmentOrder, cookies: ReadonlySet<number>): QueueEvent[] {
  const state = flows.map(() => ({ request: false, cookie: false, done: false }));
  // Each flow's next SYN and refused ACK (the walk meets a flow's segments in order).
  const nextSyn = new Int32Array(flows.length);
  const nextRefused = new Int32Array(flows.length);
  const events: QueueEvent[] = [];
  let requests = 0;
  let completed = 0;
  order.forEach((flow, index, pos) => {
    const fs = flows[flow]!;
    const segs = fs.segs;
    const st = state[flow]!;
    const push = (kind: QueueEventKind, answer?: number) => events.push({ pos, kind, flow, packet: segs.packet(index), requests, completed, answer });
    const { syns, refusedAcks } = fs.handshake;
    const syn = syns[nextSyn[flow]!];
    const refused = refusedAcks[nextRefused[flow]!];
    if (syn?.index === index) {
      nextSyn[flow]!++;
      const answer = syn.answer;
      if (answer === 'reset' || st.request || st.done || st.cookie) return;
      if (answer === null) push('syn-dropped');
      else if (cookies.has(segs.packet(answer))) {
        push('cookie', segs.packet(answer));
        st.cookie = true;
      } else {
        push('syn');
        st.request = true;
        requests++;
      }
    } else if (refused?.index === index) {
      nextRefused[flow]!++;
      const reset = refused.reset;
      push(reset ? 'ack-reset' : 'ack-dropped');
      if (reset && st.request) {
        st.request = false;
        requests--;
      }
    } else if (index === fs.handshake.complete && fs.mode === 'listener') {
      push('complete');
      if (st.request) {
        st.request = false;
        requests--;
      }
      st.done = true;
      completed++;
    } else if (segs.flags(index) & tcp.RST && st.request) {
      push('gone');
      st.request = false;
      requests--;
    }
  });
  return events;
}

const connections = (n: number) => `${plural(n, 'connection')} waiting for accept()`;
const pending = (n: number) => `${plural(n, 'request')} pending`;

/**
 * The accept queue of a listener with a given backlog, and when the
 * application accepts (see the module comment): right after a completion,
 * unless a later overflow of the accept queue needs the connection still
 * waiting; then just before the next segment that needs room. Checks every
 * queue event against Linux's rules (each queue holds backlog + 1).
 */
class AcceptQueue {
  /** What the trace shows that Linux would not do with this backlog and these accept() calls. */
  readonly inconsistent: string[] = [];
  /** The overflows, as this backlog explains them, with the queue that overflowed. */
  readonly overflows: Array<{ queue: string; text: string }> = [];
  accepted = 0;
  completed = 0;
  /** Overflows of the accept queue: before each, at most `cap` connections may have been accepted. */
  private readonly holds: Array<{ pos: number; packet: number; cap: number }>;
  /** For each hold, the smallest cap from it on, and the packet of that hold. */
  private readonly capFrom: Array<{ cap: number; packet: number }>;

  constructor(
    events: readonly QueueEvent[],
    readonly backlog: number,
    private readonly portOf: (flow: number) => number,
  ) {
    this.holds = events
      .filter((e) => e.kind === 'ack-dropped' || e.kind === 'ack-reset' || (e.kind === 'syn-dropped' && e.requests <= backlog))
      .map((e) => ({ pos: e.pos, packet: e.packet, cap: e.completed - backlog - 1 }));
    this.capFrom = new Array(this.holds.length);
    let min = { cap: Infinity, packet: 0 };
    for (let k = this.holds.length - 1; k >= 0; k--) {
      const h = this.holds[k]!;
      if (h.cap <= min.cap) min = { cap: h.cap, packet: h.packet };
      this.capFrom[k] = min;
    }
  }

  /** The first hold at or after the position last asked about. */
  private nextHold = 0;

  /**
   * The most connections the application may have accepted before position
   * `pos`, and the overflow that limits it. Positions asked about never go back.
   */
  private limit(pos: number): { cap: number; packet: number } {
    while (this.nextHold < this.holds.length && this.holds[this.nextHold]!.pos < pos) this.nextHold++;
    return this.nextHold < this.holds.length ? this.capFrom[this.nextHold]! : { cap: Infinity, packet: 0 };
  }

  /** Accepts as many as the later overflows allow; how many more were accepted. */
  private release(pos: number): number {
    const target = Math.min(this.completed, this.limit(pos).cap);
    const n = Math.max(0, target - this.accepted);
    this.accepted += n;
    return n;
  }

  /** Before the segment at `pos` (with its event, if any): accepts to make now. Checks the event. */
  before(pos: number, ev: QueueEvent | undefined): number {
    if (!ev) return 0;
    const n = NEEDS_ROOM.has(ev.kind) ? this.release(pos) : 0;
    this.check(ev);
    return n;
  }

  /** After the segment at `pos`: accepts to make now (a completed connection). */
  after(pos: number, ev: QueueEvent | undefined): number {
    if (ev?.kind !== 'complete') return 0;
    this.completed++;
    return this.release(pos + 1);
  }

  /** The application uses connection `n` (1-based, in accept order) before `pos`: accepts to make now. */
  force(pos: number, n: number, packet: number, port: number): number {
    if (n <= this.accepted) return 0;
    const { cap, packet: hold } = this.limit(pos);
    if (n > cap) {
      this.inconsistent.push(
        `packet ${packet}: the application uses the connection from port ${port}, so it had accepted it, but the overflow at packet ${hold} needs it still waiting`,
      );
    }
    const more = n - this.accepted;
    this.accepted = n;
    return more;
  }

  /** The end of the trace: the application accepts what is left. */
  end(): number {
    const n = this.completed - this.accepted;
    this.accepted = this.completed;
    return n;
  }

  private overflow(queue: string, text: string): void {
    this.overflows.push({ queue, text });
  }

  /** The overflows, the first of each kind with a count of the rest. */
  overflowSummary(): string[] {
    const kinds = new Map<string, { text: string; more: number }>();
    for (const o of this.overflows) {
      const k = kinds.get(o.queue);
      if (k) k.more++;
      else kinds.set(o.queue, { text: o.text, more: 0 });
    }
    return [...kinds.values()].map((k) => (k.more > 0 ? `${k.text} (and ${k.more} more like it)` : k.text));
  }

  private check(ev: QueueEvent): void {
    const b = this.backlog;
    const a = this.completed - this.accepted;
    const r = ev.requests;
    const at = `packet ${ev.packet}: the`;
    const port = this.portOf(ev.flow);
    const bad = (text: string) => this.inconsistent.push(text);
    switch (ev.kind) {
      case 'syn':
        if (a > b) bad(`${at} SYN from port ${port} was answered with ${connections(a)}: a full accept queue drops it`);
        else if (r > b) bad(`${at} SYN from port ${port} was answered with ${pending(r)}: a full SYN queue does not keep it`);
        break;
      case 'cookie': {
        const synAck = `packet ${ev.answer}: the`;
        if (a > b) bad(`${at} SYN from port ${port} got a syncookie with ${connections(a)}: a full accept queue drops it`);
        else if (r <= b) bad(`${synAck} SYN-ACK to port ${port} is a syncookie with only ${pending(r)}: the SYN queue was not full`);
        else this.overflow('cookie', `${synAck} SYN-ACK to port ${port} is a syncookie: the SYN queue was full with ${pending(r)}`);
        break;
      }
      case 'syn-dropped':
        if (a > b) this.overflow('accept queue', `${at} SYN from port ${port} got no answer: the accept queue was full with ${connections(a)}`);
        else if (r > b) this.overflow('SYN queue', `${at} SYN from port ${port} got no answer: the SYN queue was full with ${pending(r)}`);
        else bad(`${at} SYN from port ${port} got no answer with ${connections(a)} and ${pending(r)}: neither queue was full`);
        break;
      case 'ack-dropped':
      case 'ack-reset': {
        const what = ev.kind === 'ack-reset' ? 'answered with a reset' : 'dropped (its SYN-ACK came again)';
        if (a > b) this.overflow(ev.kind, `${at} final ACK from port ${port} was ${what}: the accept queue was full with ${connections(a)}`);
        else bad(`${at} final ACK from port ${port} was ${what} with only ${connections(a)}: the accept queue was not full`);
        break;
      }
      case 'complete':
        if (a > b) bad(`${at} handshake of port ${port} completed with ${connections(a)}: a full accept queue drops its final ACK`);
        break;
      case 'gone':
        break;
    }
  }
}

/** Runs the queue over the events alone (no forced accepts): what a backlog explains and what it cannot. */
function tryBacklog(events: readonly QueueEvent[], backlog: number, portOf: (flow: number) => number): AcceptQueue {
  const q = new AcceptQueue(events, backlog, portOf);
  for (const ev of events) {
    q.before(ev.pos, ev);
    q.after(ev.pos, ev);
  }
  return q;
}

/** The backlog, and the comment lines that say where it comes from. */
function chooseBacklog(events: readonly QueueEvent[], given: number | undefined, portOf: (flow: number) => number): { backlog: number; why: string[] } {
  if (given !== undefined) return { backlog: given, why: [`listen backlog ${given}, as given`] };
  // A SYN answered with R requests pending needs R <= backlog, whatever the application does.
  const least = events.reduce((m, e) => (e.kind === 'syn' ? Math.max(m, e.requests) : m), 0);
  if (!events.some((e) => OVERFLOWS.has(e.kind))) {
    const backlog = Math.max(PLAIN_BACKLOG, least);
    return { backlog, why: [`listen backlog ${backlog}: the trace shows no queue overflow, and cannot show the backlog (--backlog sets it)`] };
  }
  // Past the connections and requests there ever were, a larger backlog changes nothing.
  const most = Math.min(
    least + MAX_BACKLOG_TRIES,
    events.reduce((m, e) => Math.max(m, e.requests + 1, e.completed + 1), least),
  );
  let best: { backlog: number; q: AcceptQueue } | null = null;
  for (let b = least; b <= most; b++) {
    const q = tryBacklog(events, b, portOf);
    if (!best || q.inconsistent.length < best.q.inconsistent.length) best = { backlog: b, q };
    if (q.inconsistent.length === 0) break;
  }
  const { backlog, q } = best!;
  const why =
    q.inconsistent.length === 0
      ? [
          `listen backlog ${backlog}: inferred (a trace cannot show it; --backlog sets it) as the smallest for which Linux, whose`,
          `  SYN queue and accept queue each hold backlog + 1, does what the trace shows with the accept() calls below:`,
        ]
      : [
          `listen backlog ${backlog}: inferred (a trace cannot show it; --backlog sets it) as the one for which Linux, whose`,
          `  SYN queue and accept queue each hold backlog + 1, does the most of what the trace shows (see the note):`,
        ];
  why.push(...q.overflowSummary().map((o) => `  ${o}`));
  if (backlog > 0) {
    const smaller = tryBacklog(events, backlog - 1, portOf);
    if (smaller.inconsistent.length > 0) why.push(`  not ${backlog - 1}: ${smaller.inconsistent[0]}`);
  }
  return { backlog, why };
}

// ---------------------------------------------------------------- all flows to one listener

/**
 * The segments of a listener's flows in trace order: at each position, the
 * flow (its index in the group) and the segment's index in that flow. Packet
 * numbers are unique in a trace and rise within a flow, so the order is
 * read off by packet number (no sort) into two arrays of numbers.
 */
class SegmentOrder {
  private readonly flows: Int32Array;
  private readonly indices: Int32Array;

  constructor(group: readonly TcpFlow[]) {
    let count = 0;
    let lastPacket = 0;
    for (const f of group) {
      count += f.segments.length;
      lastPacket = Math.max(lastPacket, lastPacketOf(f));
    }
    const flowOfPacket = new Int32Array(lastPacket + 1).fill(-1);
    group.forEach((f, k) => {
      for (let i = 0; i < f.segments.length; i++) flowOfPacket[f.segments.packet(i)] = k;
    });
    this.flows = new Int32Array(count);
    this.indices = new Int32Array(count);
    const next = new Int32Array(group.length);
    let pos = 0;
    for (let p = 1; p <= lastPacket; p++) {
      const k = flowOfPacket[p]!;
      if (k < 0) continue;
      this.flows[pos] = k;
      this.indices[pos] = next[k]!++;
      pos++;
    }
  }

  forEach(fn: (flow: number, index: number, pos: number) => void): void {
    for (let pos = 0; pos < this.flows.length; pos++) fn(this.flows[pos]!, this.indices[pos]!, pos);
  }

  /** The first position whose flow passes `test`, or -1. */
  findPos(test: (flow: number) => boolean): number {
    for (let pos = 0; pos < this.flows.length; pos++) if (test(this.flows[pos]!)) return pos;
    return -1;
  }
}

class ListenerConversion {
  private readonly body: ScriptBody;
  private readonly flows: FlowScript[];
  private readonly local: Endpoint;
  /** Segments in trace order. */
  private readonly order: SegmentOrder;

  constructor(
    /** The flows written: the listener's, or a part of them (`pcapFileToPktParts`). */
    private readonly group: readonly TcpFlow[],
    /** All the listener's flows. */
    private readonly listener: readonly TcpFlow[],
    private readonly all: readonly TcpFlow[],
    private readonly source: string,
    private readonly opts: PcapToPktOptions,
    private readonly warnings: string[],
  ) {
    this.local = acceptorOf(group[0]!);
    this.order = new SegmentOrder(group);
    this.body = new ScriptBody(group[0]!.segments.timeUsecs(0));
    // The tool plays every client from one address, each remote port a flow: ports must differ.
    const used = new Set(group.map((f) => openerOf(f).port));
    const taken = new Set<number>();
    let spare = [...used].reduce((m, p) => Math.max(m, p), 1023);
    this.flows = group.map((f) => {
      let port = openerOf(f).port;
      if (taken.has(port)) {
        // The next port no flow uses, from above the highest, wrapping to 1024.
        for (let tries = 0; tries < 0x10000 && (spare === port || used.has(spare) || taken.has(spare)); tries++) {
          spare = spare >= 0xffff ? 1024 : spare + 1;
        }
        if (!used.has(spare) && !taken.has(spare)) {
          this.body.note(`flow ${f.number}: remote port ${port} is also another flow's; the script uses ${spare}`);
          port = spare;
        } else {
          this.body.note(`flow ${f.number}: remote port ${port} is also another flow's, and no port is left for it`);
        }
      }
      taken.add(port);
      return new FlowScript(f, 'acceptor', this.body, { remote: port, local: this.local.port });
    });
  }

  run(): PcapToPktOutput {
    const { body, flows, order } = this;
    const portOf = (flow: number) => flows[flow]!.ports!.remote;
    const events = queueEvents(flows, order, cookieSynAcks(flows));
    const { backlog, why } = chooseBacklog(events, this.opts.backlog, portOf);
    /** The next event, by position (events come in order of position, one at most at each). */
    let nextEvent = 0;
    const eventAt = (pos: number): QueueEvent | undefined => {
      while (nextEvent < events.length && events[nextEvent]!.pos < pos) nextEvent++;
      const e = events[nextEvent];
      return e?.pos === pos ? e : undefined;
    };
    const queue = new AcceptQueue(events, backlog, portOf);
    const acceptOrder: number[] = [];
    /** Flow → its place in acceptOrder (1-based), 0 for none yet. */
    const acceptRank = new Int32Array(flows.length);
    /** Flow → its fd, 0 for none. */
    const fds = new Int32Array(flows.length);
    let handedOut = 0;
    const unread = new Set<FlowScript>();
    const accept = (n: number, t: number) => {
      for (let k = 0; k < n; k++) {
        // fds 4, 5, ... in the order of accept().
        const flow = acceptOrder[handedOut]!;
        fds[flow] = 4 + handedOut++;
        flows[flow]!.accepted(fds[flow]!, t);
      }
      if (n > 0) body.blank();
    };

    // The listener is there from the first connection it answered: a SYN
    // before it that was reset found none.
    const firstServed = order.findPos((flow) => flows[flow]!.mode === 'listener');
    order.forEach((flow, index, pos) => {
      const fs = flows[flow]!;
      if (index !== 0 || fs.mode !== 'none' || !fs.hasSyn) return;
      body.note(
        pos < firstServed || firstServed < 0
          ? `flow ${fs.flow.number}: the local side answered the SYN with a reset: the script listens only after it`
          : `flow ${fs.flow.number}: the local side answered the SYN with a reset while it listened: the script's listener will answer it`,
      );
    });
    let previous = this.group[0]!.segments.timeUsecs(0);
    let backwards = false;
    order.forEach((flow, index, pos) => {
      const fs = flows[flow]!;
      let t = fs.segs.timeUsecs(index);
      if (t < previous) {
        backwards = true;
        t = previous;
      }
      previous = t;
      if (pos === firstServed) listenCalls(body, t, backlog);
      for (const other of unread) {
        other.readIfDue(t);
        if (!other.waitingRead) unread.delete(other);
      }
      const ev = eventAt(pos);
      accept(queue.before(pos, ev), t);
      const plan = fs.plan(index);
      if (fs.needsAccept(plan)) accept(queue.force(pos, acceptRank[flow]!, fs.segs.packet(index), portOf(flow)), t);
      fs.emit(index, t, plan);
      if (fs.after(index, t)) acceptRank[flow] = acceptOrder.push(flow);
      if (fs.waitingRead) unread.add(fs);
      accept(queue.after(pos, ev), t);
    });
    accept(queue.end(), body.lastTime());
    if (backwards) body.note(`the trace's timestamps go backwards; those events are at +0`);
    for (const fs of flows) fs.finish();

    const init = initCommands(this.opts).join('\n');
    if (events.some((e) => e.kind === 'ack-reset') && !/tcp_abort_on_overflow\s*=\s*1/.test(init)) {
      body.note('the kernel reset a final ACK when its accept queue was full: the init command must set net.ipv4.tcp_abort_on_overflow=1');
    }
    if (queue.overflows.some((o) => o.queue === 'SYN queue') && !/tcp_syncookies\s*=\s*0/.test(init)) {
      body.note('a SYN got no answer when the SYN queue was full: the init command must set net.ipv4.tcp_syncookies=0 (else the kernel sends a syncookie)');
    }
    if (queue.inconsistent.length > 0) {
      body.note(`with listen backlog ${backlog} and these accept() calls, Linux would not do what the trace shows: ${firstFew(queue.inconsistent).join('; ')}`);
    }
    const mine = new Set(this.listener);
    const here = (e: Endpoint) => e.ip === this.local.ip && e.port === this.local.port;
    const left = this.all.filter((f) => !mine.has(f));
    const midFlow = left.filter((f) => here(f.a) || here(f.b)).map((f) => f.number);
    const elsewhere = left.filter((f) => !here(f.a) && !here(f.b)).map((f) => f.number);
    if (midFlow.length > 0) {
      body.note(`${flowsText(midFlow)} ${midFlow.length === 1 ? 'starts' : 'start'} mid-flow (no SYN): left out (--flow N converts one)`);
    }
    if (elsewhere.length > 0) {
      body.note(
        `${flowsText(elsewhere)} ${elsewhere.length === 1 ? 'is' : 'are'} not a connection to ${endpointText(this.local)}: left out (--flow N converts one)`,
      );
    }
    this.warnings.push(...body.notes);
    const header = this.headerLines(why, fds, events);
    const script = body.text(header, this.opts);
    return { script, packetOfLine: body.packetOfLine, warnings: this.warnings };
  }

  private headerLines(why: string[], fds: Int32Array, events: readonly QueueEvent[]): string[] {
    const g = this.group;
    const numbers = g.map((f) => f.number);
    const first = g[0]!.segments.timeUsecs(0);
    const last = g.reduce((m, f) => Math.max(m, f.segments.timeUsecs(f.segments.length - 1)), first);
    const packets = g.reduce((n, f) => n + f.packets, 0);
    const clients = [...new Set(g.map((f) => openerOf(f).ip))];
    const lines = [
      `// ${this.source}, flow${g.length === 1 ? '' : 's'} ${numberList(numbers)} of ${this.all.length} ` +
        `(Wireshark tcp.stream ${numberList(numbers.map((n) => n - 1))}), converted by pktdrill:`,
      `//   ${plural(g.length, 'connection')} to ${endpointText(this.local)}, IPv${g[0]!.ipVersion}, ${plural(packets, 'packet')} in ${printSeconds(Math.max(0, last - first))} s`,
      `//   the kernel under test (>) is ${endpointText(this.local)}, a listener; the tool (<) plays ${clients.length === 1 ? clients[0] : `${listText(clients)} from one address`}, ` +
        `one flow per remote port`,
    ];
    this.flows.forEach((fs, k) => {
      if (k === MAX_LISTED && this.flows.length > MAX_LISTED + 1) lines.push(`//   (and ${this.flows.length - MAX_LISTED} more flows)`);
      if (k >= MAX_LISTED && this.flows.length > MAX_LISTED + 1) return;
      const f = fs.flow;
      const fd = fds[k]!;
      const fate = fd !== 0 ? `accept() = ${fd}` : fs.mode !== 'listener' ? 'refused' : events.some((e) => e.flow === k && e.kind === 'complete') ? 'not accepted' : 'handshake not completed';
      const as = fs.ports!.remote === openerOf(f).port ? '' : ` as port ${fs.ports!.remote}`;
      lines.push(`//   flow ${f.number}: ${endpointText(openerOf(f))} > ${endpointText(this.local)}${as}, ${plural(f.packets, 'packet')}, ${fate}`);
    });
    for (const w of why) lines.push(`// ${w}`);
    if (events.some((e) => OVERFLOWS.has(e.kind) && e.kind !== 'cookie')) {
      lines.push(
        `// accept() goes right after the segment that completed the connection unless a later overflow needs it still`,
        `//   waiting; then after that overflow, just before the next segment that needs room in the accept queue (or`,
        `//   where the application first uses the connection, or at the end)`,
      );
    }
    if (events.some((e) => e.kind === 'cookie')) lines.push('// syncookies need net.ipv4.tcp_syncookies=1 (Linux\'s default) in the init command');
    for (const n of this.body.notes) lines.push(`// note: ${n}`);
    lines.push(...optionLines(g[0]!.ipVersion, this.opts, this.local.port, null));
    return lines;
  }
}

/** The first few lines of a list, and how many more there are. */
function firstFew(lines: readonly string[], few = 3): string[] {
  if (lines.length <= few + 1) return [...lines];
  return [...lines.slice(0, few), `(and ${lines.length - few} more)`];
}

/** `flow 3`, `flows 1, 4 and 6`, `flows 1, 4, 6, 7, 9 and 20 more`. */
function flowsText(ns: readonly number[]): string {
  const word = ns.length === 1 ? 'flow' : 'flows';
  if (ns.length <= 6) return `${word} ${listText(ns)}`;
  return `${word} ${ns.slice(0, 5).join(', ')} and ${ns.length - 5} more`;
}

/** `1-3` for a run, else `1, 2 and 5`. */
function numberList(ns: readonly number[]): string {
  if (ns.length > 2 && ns.every((n, k) => k === 0 || n === ns[k - 1]! + 1)) return `${ns[0]}-${ns[ns.length - 1]}`;
  if (ns.length > 6) return `${ns.slice(0, 5).join(', ')} and ${ns.length - 5} more`;
  return listText(ns);
}
