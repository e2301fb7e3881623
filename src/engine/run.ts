// The engine: one script, one clock, run against the live kernel.
// It runs inside the script's own network namespace (see src/sandbox/).
//
// Timing follows packetdrill: an absolute time is from the script's start; a
// relative one (and `*`) is from the moment the previous event finished,
// except that consecutive inbound packets are anchored to each other's script
// times so processing costs do not accumulate. A blocking call `+a...b` with
// a relative start has its end shifted by the same offset.

import { spawn } from 'node:child_process';
import { dirname } from 'node:path';
import type { Event, PacketEvent, Script, SyscallEvent, CommandEvent, Span, PointTime, TcpPacketAst } from '../script/ast.js';
import { Clock, timerMs } from './clock.js';
import type { RunConfig } from './config.js';
import { expandPorts, Flows, type Flow } from './flow.js';
import { CallError, Evaluator, FdTable, FD_RETURNING, type CallContext, type CallResult, type Syscalls } from './calls.js';
import { prepareCall } from './syscall-table.js';
import type { Failure, PacketView, TraceEntry, Verdict } from './verdict.js';
import { buildStandInOutbound, buildInbound, buildInboundIcmp, buildInboundUdp, type LinkAddrs } from './inbound.js';
import { matchOutbound, matchOutboundIcmp, matchOutboundUdp, viewOfLive, viewOfLiveOther, viewOfOther, viewOfScript, type LiveSegment } from './match.js';
import { renderPacket, secs } from './render.js';
import { decodeLive } from './live.js';
import { ACK, ECE, SYN } from '../packet/tcp.js';
import { aggregate, fragmentMismatch } from './aggregate.js';
import { KERNEL_CALLS, runKernelCall } from './kernel-calls.js';
import { CodeBlocks } from './code.js';
import type { SynAckSeen, SynSeen } from '../kernel/syncookie.js';
import { diffCounters, readCounters, type Counters } from '../kernel/counters.js';
import { listenerReaches, listeningSockets } from '../kernel/listeners.js';

// linux/in.h, linux/tcp.h, asm-generic/errno.h
const IPPROTO_TCP = 6;
const TCP_CONGESTION = 13;
const EINPROGRESS = 115;

/** The wire as the engine sees it (src/link/wire.ts provides it). */
export interface EngineWire {
  send(frame: Uint8Array): bigint;
  /** Deliver what the kernel has sent so far, before the engine waits. */
  pump?(): void;
}

export interface EngineHooks {
  /** Called for every trace entry as it happens (for -v). */
  onTrace?: (t: TraceEntry) => void;
  /** Called as each event starts: lets the parent name the line a stuck script is on. */
  onEvent?: (line: number, what: string) => void;
  /**
   * Called once when the timed part is over (the last event ran, or the
   * script stopped): what follows (code blocks, the verdict, the capture)
   * needs no precise timing and must not hold the CPU from parallel scripts.
   */
  onTimedDone?: () => void;
  /**
   * A rehearsal (Engine.rehearse): no waits, no commands, no code blocks,
   * no packets awaited; calls and the wire are stand-ins.
   */
  rehearsal?: boolean;
}

/** One frame of an inbound line, built for its flow. */
interface BuiltFrame {
  flow: Flow;
  frame: Uint8Array;
  ports: { src: number; dst: number } | null;
}

interface TimedEvent {
  /** Window start (script µs), or the point. */
  time: number;
  /** Window end for ranges; equals time otherwise. */
  end: number;
  /** `*`: no timing check. */
  any: boolean;
  /** The time of the last event, for --tolerance_percent. */
  lastTime: number | null;
  /** For blocking calls: when the call is expected to return. */
  blockingEnd: number | null;
}

class Stop extends Error {}

/** The SYN as the tool put it on the wire, for syncookie judgement. */
function synSeen(p: TcpPacketAst): SynSeen {
  const opts = Array.isArray(p.options) ? p.options : [];
  const syn: SynSeen = { sackOK: false, ecn: p.flags.includes('E') && p.flags.includes('W') };
  for (const o of opts) {
    if (o.kind === 'mss') syn.mss = o.value;
    else if (o.kind === 'wscale') syn.wscale = o.value;
    else if (o.kind === 'sackOK') syn.sackOK = true;
    else if (o.kind === 'timestamp') syn.ts = { val: o.val >>> 0, ecr: o.ecr >>> 0 };
  }
  return syn;
}

/** Remember what the kernel sent on a flow: its SYN-ACK, its largest segment. */
function noteSent(flow: Flow, seg: LiveSegment, family: 4 | 6): void {
  const t = seg.tcp!;
  if ((t.flags & (SYN | ACK)) === (SYN | ACK)) {
    const sa: SynAckSeen = { sackOK: false, ece: (t.flags & ECE) !== 0, family };
    for (const o of t.options) {
      if (o.kind === 'mss') sa.mss = o.value;
      else if (o.kind === 'wscale') sa.wscale = o.value;
      else if (o.kind === 'sackOK') sa.sackOK = true;
      else if (o.kind === 'timestamp') sa.ts = { val: o.val, ecr: o.ecr };
    }
    flow.lastSynAck = sa;
  } else if (t.payload.length > 0) {
    // A super-segment stands for segments of its GSO size.
    const payload = seg.gsoSize && seg.gsoSize < t.payload.length ? seg.gsoSize : t.payload.length;
    flow.maxSentSegment = Math.max(flow.maxSentSegment, payload + t.headerLength - 20);
  }
}

/** `41000..41003, 41007` */
function portList(ports: number[]): string {
  const sorted = [...ports].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(i === j ? `${sorted[i]}` : `${sorted[i]}..${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(', ');
}

interface PendingCall {
  ev: SyscallEvent;
  promise: Promise<void>;
}

export class Engine {
  private readonly clock: Clock;
  private readonly flows: Flows;
  private readonly fds = new FdTable();
  private readonly evalr: Evaluator;
  /** %{ }% blocks: snapshots at their times, Python at the end (as packetdrill). */
  private readonly code: CodeBlocks;
  private readonly ctx: CallContext;
  private readonly failures: Failure[] = [];
  private readonly trace: TraceEntry[] = [];
  /** Captured segments not yet matched, oldest first. */
  private readonly captured: LiveSegment[] = [];
  private wake: (() => void) | null = null;
  private pending: PendingCall | null = null;
  /**
   * The last event: its script time, whether it was inbound, and when it
   * was actually done (script µs: a packet's kernel time, a call's return,
   * an injection's write). The next relative time counts from `doneAt`, as
   * packetdrill's counts from the moment it finished the previous event;
   * what JavaScript does after that (recording, -v counters) moves nothing.
   */
  /**
   * The previous event: its script time, whether it was an inbound packet,
   * and when it was done (the anchor of a relative time). After a flood (a
   * line with a port range), `burst` has when each flow's packet went.
   */
  private lastEvent: { time: number; inbound: boolean; doneAt: number; burst?: Map<Flow, number> } | null = null;
  private readonly startedAt = Date.now();
  /** Whether the script makes its own sockets (else it tests a separate listener). */
  private readonly hasSocketCall: boolean;

  constructor(
    private readonly file: string,
    private readonly script: Script,
    private readonly cfg: RunConfig,
    private readonly sys: Syscalls,
    private readonly wire: EngineWire,
    private readonly link: LinkAddrs,
    private readonly hooks: EngineHooks = {},
  ) {
    this.clock = new Clock((ns) => {
      sys.invoke('sleep_until', [ns]);
    }, hooks.rehearsal === true);
    this.flows = new Flows(
      { bindPort: cfg.bindPort, connectPort: cfg.connectPort, defaultRemotePort: cfg.defaultRemotePort },
      cfg.seed,
    );
    this.evalr = new Evaluator(sys, cfg.defines);
    this.code = new CodeBlocks(sys, file);
    this.hasSocketCall = script.events.some((e) => e.kind === 'syscall' && (e.name === 'socket' || e.name === 'connect'));
    const mapped = cfg.ipVersion === 'ipv4-mapped-ipv6';
    this.ctx = {
      family: cfg.ipVersion === 'ipv4' ? 4 : 6,
      localIp: mapped ? `::ffff:${cfg.localIp}` : cfg.localIp,
      remoteIp: mapped ? `::ffff:${cfg.remoteIp}` : cfg.remoteIp,
      bindPort: cfg.bindPort,
      connectPort: cfg.connectPort,
      defines: cfg.defines,
      startRealtimeUsecs: () => this.clock.startRealtimeUsecs,
      toleranceUsecs: cfg.toleranceUsecs,
    };
  }

  /**
   * Run the script's first packets through the code that builds, decodes,
   * matches and shows them, on throwaway flows, sending nothing. V8 compiles
   * a function when it first runs; done here, before the clock starts and
   * at normal priority, that costs the script's first events nothing
   * (measured: the first outbound-to-inbound step took 2.2 ms cold, 1.1 ms
   * with all code compiled ahead).
   */
  warmUp(): void {
    const scratch = new Flows({ bindPort: this.cfg.bindPort, connectPort: this.cfg.connectPort, defaultRemotePort: this.cfg.defaultRemotePort }, 1);
    const seen = new Set<string>();
    // Every kind of call the script makes, prepared once (its arguments
    // evaluated, nothing called), on a table of no live fds: a script's
    // first setsockopt() took 1.3 ms cold, 0.2 ms warm.
    const scratchFds = new FdTable();
    for (const ev of this.script.events) {
      if (ev.kind !== 'syscall' || KERNEL_CALLS.has(ev.name) || seen.has(ev.name)) continue;
      seen.add(ev.name);
      try {
        prepareCall(ev, this.ctx, scratchFds, this.evalr, this.sys.constants);
      } catch {
        // A warm-up only: the real call reports any problem.
      }
    }
    for (const ev of this.script.events) {
      if (ev.kind !== 'packet') continue;
      const p = ev.packet;
      const key = `${p.kind} ${p.direction}`;
      if (seen.has(key)) continue;
      seen.add(key);
      try {
        const flow = scratch.forInbound(null);
        const built =
          p.kind === 'tcp' ? buildInbound(p, flow, this.cfg, this.link) : p.kind === 'udp' ? buildInboundUdp(p, flow, this.cfg, this.link) : buildInboundIcmp(p, flow, this.cfg, this.link);
        if (!built.ok) continue;
        const seg = decodeLive(built.value, 0n);
        if (seg === null || typeof seg === 'string') continue;
        if (p.kind === 'tcp') {
          matchOutbound(p, seg, flow, this.cfg);
          renderPacket(viewOfLive(seg, flow, 0));
          renderPacket(viewOfScript(p, 0));
        } else {
          if (p.kind === 'udp') matchOutboundUdp(p, seg);
          else matchOutboundIcmp(p, seg, this.ctx.family);
          renderPacket(viewOfLiveOther(seg, 0, this.ctx.family));
        }
      } catch {
        // A warm-up only: the real event reports any problem.
      }
    }
  }

  /**
   * Run the script once with stand-ins, before the clock starts: every
   * event's code path (calls prepared and checked, inbound packets built,
   * outbound waits set up, failures recorded) has then run once, so V8 has
   * compiled it and the script's own first events pay nothing for it
   * (measured: a first setsockopt 0.9 ms after socket(), a first inbound
   * SYN 1 ms after listen(), where warm events take 0.05-0.2 ms). Nothing
   * reaches the kernel: calls return 0 and packets go nowhere. Bounded to
   * the script's first 300 events. It reports its events to onEvent (where
   * the parent only notes the line a script is at), not to onTrace.
   */
  async rehearse(): Promise<void> {
    const now = (): bigint => process.hrtime.bigint();
    const sys: Syscalls = {
      ...this.sys,
      invoke: () => ({ ret: 0, errno: 0, startNs: now(), endNs: now() }),
      invokeAsync: () => Promise.resolve({ ret: 0, errno: 0, startNs: now(), endNs: now() }),
    };
    const wire: EngineWire = { send: () => now() };
    const script = { ...this.script, events: this.script.events.slice(0, 300) };
    try {
      const stand = new Engine(this.file, script, { ...this.cfg, nonFatal: true }, sys, wire, this.link, { rehearsal: true, onEvent: this.hooks.onEvent });
      stand.warmUp();
      await stand.run();
    } catch {
      // A rehearsal only: the real run reports any problem.
    }
  }

  /** A frame the kernel sent, already decoded; called by the capture. */
  onCaptured(seg: LiveSegment): void {
    const flow = this.flows.forCaptured(seg.localPort, seg.remotePort, seg.tcp !== undefined && seg.tcp !== null && (seg.tcp.flags & (SYN | ACK)) === SYN);
    if (flow && seg.tcp) noteSent(flow, seg, this.ctx.family);
    this.captured.push(seg);
    const w = this.wake;
    this.wake = null;
    w?.();
  }

  async run(): Promise<Verdict> {
    let stopped = false;
    try {
      await this.runEvents();
      await this.finishPending();
    } catch (e) {
      if (!(e instanceof Stop)) throw e;
      stopped = true;
    } finally {
      this.hooks.onTimedDone?.();
    }
    if (!stopped && !this.hooks.rehearsal) {
      try {
        const cf = await this.code.execute(this.cfg.commandDir ?? dirname(this.file));
        if (cf) this.fail({ kind: 'code', span: { line: cf.line, column: 1, endLine: cf.line, endColumn: 1 }, message: cf.message, detail: cf.detail });
      } catch (e) {
        if (!(e instanceof Stop)) throw e;
      }
    }
    if (this.captured.length > 0) {
      this.note(null, `${this.captured.length} outbound packet(s) after the last outbound event were not checked (packetdrill does not check them either)`);
    }
    const f = this.failures[0];
    if (f) {
      const outputs = this.background
        .filter((b) => b.text.trim())
        .map((b) => {
          const first = b.command.split('\n')[0]!;
          const shown = first.length > 60 || b.command.includes('\n') ? `${first.slice(0, 60)} ...` : first;
          return `output of \`${shown}\` (line ${b.line}), ${b.ended ? 'ended' : 'still running'}:\n${b.text.trimEnd()}`;
        });
      if (outputs.length) f.detail = [f.detail, ...outputs].filter(Boolean).join('\n');
    }
    return {
      file: this.file,
      passed: this.failures.length === 0,
      failures: this.failures,
      trace: this.trace,
      durationMs: Date.now() - this.startedAt,
      seed: this.cfg.seed,
      congestionControl: this.congestion,
    };
  }

  // ------------------------------------------------------------ bookkeeping

  private fail(f: Failure): void {
    this.failures.push(f);
    if (!this.cfg.nonFatal) throw new Stop();
  }

  private record(t: TraceEntry): void {
    this.trace.push(t);
    this.hooks.onTrace?.(t);
  }

  private note(line: number | null, text: string): void {
    this.record({ timeUsecs: this.clock.started ? this.clock.nowUsecs() : 0, line, kind: 'note', text, ok: true });
  }

  // ------------------------------------------------------------ time

  private resolveTime(ev: Event, isInbound: boolean): TimedEvent {
    const t = ev.time;
    const lastTime = this.lastEvent ? this.lastEvent.time : null;
    // Before the clock starts it is 0: a first event written `+0` is at 0.
    const now = (): number => (this.lastEvent ? this.lastEvent.doneAt : this.clock.started ? this.clock.nowUsecs() : 0);
    // Inbound after inbound keeps the script's spacing (packetdrill's rule),
    // except after a flood: its packets take the tool milliseconds to send,
    // so what follows it is timed from its last packet.
    const offset = (): number => (this.lastEvent && this.lastEvent.inbound && isInbound && !this.lastEvent.burst ? this.lastEvent.time : now());
    if (t === null) {
      const at = now();
      return { time: at, end: at, any: true, lastTime, blockingEnd: null };
    }
    const point = (p: PointTime, off: number): number => (p.kind === 'absolute' ? p.usecs : off + p.usecs);
    switch (t.kind) {
      case 'absolute':
        return { time: t.usecs, end: t.usecs, any: false, lastTime, blockingEnd: null };
      case 'relative': {
        const at = offset() + t.usecs;
        return { time: at, end: at, any: false, lastTime, blockingEnd: null };
      }
      case 'any': {
        const at = offset();
        return { time: at, end: at, any: true, lastTime, blockingEnd: null };
      }
      case 'range': {
        const off = t.start.kind === 'relative' ? offset() : 0;
        return { time: point(t.start, off), end: point(t.end, t.end.kind === 'relative' ? off : 0), any: false, lastTime, blockingEnd: null };
      }
      case 'blocking': {
        const off = t.start.kind === 'relative' ? offset() : 0;
        const start = point(t.start, off);
        // packetdrill shifts the end by the start's offset when the start is relative.
        const end = t.start.kind === 'relative' ? off + t.end.usecs : t.end.usecs;
        return { time: start, end: start, any: false, lastTime, blockingEnd: end };
      }
    }
  }

  private tolerance(te: TimedEvent): number {
    let tol = this.cfg.toleranceUsecs;
    if (te.lastTime !== null && this.cfg.tolerancePercent > 0) {
      tol = Math.max(tol, (this.cfg.tolerancePercent / 100) * (te.time - te.lastTime));
    }
    return tol;
  }

  /** packetdrill's timing check; returns the error text or null. */
  private timingError(te: TimedEvent, actual: number, what: string, ev: Event): string | null {
    if (te.any) return null;
    const tol = this.tolerance(te);
    if (te.end !== te.time) {
      if (actual < te.time - tol || actual > te.end + tol) {
        return `timing error: expected ${what} in time range ${secs(te.time)}~${secs(te.end)} sec but happened at ${secs(actual)} sec`;
      }
      return null;
    }
    if (actual < te.time - tol || actual > te.time + tol) {
      return `timing error: expected ${what} at ${secs(te.time)} sec but happened at ${secs(actual)} sec; tolerance ${secs(tol)} sec`;
    }
    void ev;
    return null;
  }

  // ------------------------------------------------------------ events

  private async runEvents(): Promise<void> {
    const events = this.script.events;
    let first = true;
    let waitedForListener = false;
    if (this.hooks.onTrace) this.noteCounters(0);
    for (const [i, ev] of events.entries()) {
      this.hooks.onEvent?.(ev.span.line, ev.kind === 'syscall' ? `${ev.name}()` : ev.kind === 'packet' ? `${ev.packet.direction} packet` : ev.kind);
      if (first && ev.time !== null) {
        first = false;
        if ((ev.time.kind === 'absolute' && ev.time.usecs !== 0) || (ev.time.kind === 'range' && ev.time.start.usecs !== 0)) {
          this.fail({ kind: 'setup', span: ev.span, message: 'first event should be at time 0' });
        }
        // A call starts the clock itself (startClockAtFirstCall).
        if (ev.kind !== 'syscall') this.clock.start();
      }
      if (!this.clock.started && ev.kind === 'command' && ev.time === null) {
        // packetdrill's init command(s): before the clock starts.
        await this.runCommand(ev, { time: 0, end: 0, any: true, lastTime: null, blockingEnd: null });
        continue;
      }
      if (!this.clock.started && ev.kind !== 'syscall') this.clock.start();
      const touchesListener = ev.kind === 'packet' || (ev.kind === 'syscall' && KERNEL_CALLS.has(ev.name));
      if (touchesListener && !waitedForListener && !this.hasSocketCall && this.startedServer()) {
        waitedForListener = true;
        await this.awaitListener(ev);
        // The wait for the listener is the previous event's end.
        if (this.lastEvent) this.lastEvent.doneAt = this.clock.nowUsecs();
      }
      try {
        await this.runEvent(ev);
      } finally {
        // -v: reading the counters takes milliseconds, so only where the
        // script waits anyway (the next event 10 ms or more away, or none):
        // what changed is listed after the last event before the wait.
        if (this.hooks.onTrace && this.waitsAfter(events[i + 1])) this.noteCounters(ev.span.line);
      }
    }
  }

  /** Whether the script leaves time after the current event before `next`. */
  private waitsAfter(next: Event | undefined): boolean {
    const t = next?.time;
    if (!next || !t) return true;
    if (t.kind === 'relative') return t.usecs >= 10_000;
    if (t.kind === 'absolute') return t.usecs - (this.clock.started ? this.clock.nowUsecs() : 0) >= 10_000;
    return false;
  }

  private counters: Counters | null = null;
  /** Output of programs that commands left running (servers under test). */
  private readonly background: Array<{ command: string; line: number; text: string; ended: boolean }> = [];

  /**
   * Whether a command left a program running: one that kept our pipes open,
   * or one written to run in the background (`... &`).
   */
  private startedServer(): boolean {
    if (this.background.length > 0) return true;
    return this.script.events.some((e) => e.kind === 'command' && /&\s*$/m.test(e.command.trim()));
  }

  /**
   * A script with no socket() call that started a program tests that program
   * as a separate listener: wait, bounded, until something listens on the
   * bind port. (A script with neither tests the kernel with no listener, as
   * in packetdrill.)
   */
  private async awaitListener(ev: Event): Promise<void> {
    if (this.hooks.rehearsal) return;
    const port = this.cfg.bindPort;
    const started = Date.now();
    const deadline = started + 10_000;
    const local = this.cfg.localIp;
    for (;;) {
      const here = listeningSockets().filter((l) => l.port === port);
      if (here.some((l) => listenerReaches(l.address, local))) return;
      const elsewhere = listeningSockets().filter((l) => !listenerReaches(l.address, local) || l.port !== port);
      const shown = elsewhere.map((l) => `${l.address.includes(':') ? `[${l.address}]` : l.address}:${l.port}`);
      const listensElsewhere = shown.length ? `; what listens: ${[...new Set(shown)].join(', ')}` : '';
      // A program that ended (its pipes closed) will not listen any more.
      if (this.background.length > 0 && this.background.every((b) => b.ended)) {
        const b = this.background[0]!;
        this.fail({ kind: 'setup', span: ev.span, message: `the program started at line ${b.line} ended before anything listened on ${local}:${port}${listensElsewhere}` });
        return;
      }
      // Listening on the port, but not where the script's packets go.
      if (here.length > 0 && Date.now() - started > 1000) {
        this.fail({ kind: 'setup', span: ev.span, message: `port ${port} listens on ${here.map((l) => l.address).join(', ')} only, not on ${local} (the script's local address)` });
        return;
      }
      if (Date.now() > deadline) {
        this.fail({
          kind: 'setup',
          span: ev.span,
          message: `nothing listens on ${local}:${port} after 10 s (a script without socket() tests a listener that a command starts, e.g. \`python3 -m http.server ${port} --bind ${local} &\`)${listensElsewhere}`,
        });
        return;
      }
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** -v: the kernel counters an event changed. */
  private noteCounters(line: number): void {
    let now: Counters;
    try {
      now = readCounters();
    } catch {
      return;
    }
    if (this.counters) {
      const changed = diffCounters(this.counters, now).filter((c) => !/^(Ip|Ip6|IpExt)/.test(c.name) || c.name === 'IpExtInOctets');
      if (changed.length) {
        this.note(line, `counters: ${changed.map((c) => `${c.name} ${c.delta > 0n ? '+' : ''}${c.delta}`).join(', ')}`);
      }
    }
    this.counters = now;
  }

  private async runEvent(ev: Event): Promise<void> {
    {
      switch (ev.kind) {
        case 'packet':
          if (ev.packet.direction === 'inbound') await this.inbound(ev);
          else await this.outbound(ev);
          break;
        case 'syscall':
          await this.syscall(ev);
          break;
        case 'command': {
          const te = this.resolveTime(ev, false);
          await this.clock.until(te.time);
          await this.runCommand(ev, te);
          this.lastEvent = { time: te.time, inbound: false, doneAt: this.clock.nowUsecs() };
          break;
        }
        case 'code': {
          const te = this.resolveTime(ev, false);
          await this.clock.until(te.time);
          const m = this.hooks.rehearsal ? null : this.code.snapshot(ev, this.fds.socketUnderTest);
          this.record({ timeUsecs: this.clock.nowUsecs(), expectedUsecs: te.time, line: ev.span.line, kind: 'code', text: m ?? 'TCP_INFO snapshot taken; the code runs at the end', ok: !m });
          this.lastEvent = { time: te.time, inbound: false, doneAt: this.clock.nowUsecs() };
          if (m) this.fail({ kind: 'code', span: ev.span, message: m });
          break;
        }
      }
    }
  }

  /** Put a frame on the wire; a frame the link refuses fails the script's line. */
  private inject(ev: PacketEvent, frame: Uint8Array): bigint {
    try {
      return this.wire.send(frame);
    } catch (e) {
      const why = (e as Error).message;
      const hint = /too long/i.test(why) ? ` (a ${frame.length}-byte frame; the test interface's MTU is ${this.cfg.mtu}: raise it with --mtu)` : '';
      this.fail({ kind: 'packet', span: ev.span, message: `error handling packet: cannot inject the packet: ${why}${hint}` });
      throw new Stop();
    }
  }

  /** `< udp (N)`, `< icmp ...`: one datagram on the flow (the default one without ports). */
  private async inboundOther(ev: PacketEvent, te: TimedEvent): Promise<void> {
    const pkt = ev.packet;
    if (pkt.kind === 'tcp') return;
    const ports = pkt.kind === 'udp' && pkt.ports ? { src: pkt.ports.src, dst: pkt.ports.dst } : null;
    const flow = this.flows.forInbound(ports);
    const built = pkt.kind === 'udp' ? buildInboundUdp(pkt, flow, this.cfg, this.link) : buildInboundIcmp(pkt, flow, this.cfg, this.link);
    if (!built.ok) {
      this.fail({ kind: 'packet', span: ev.span, message: `error handling packet: ${built.error}` });
      return;
    }
    await this.clock.until(te.time);
    const actual = this.clock.toUsecs(this.inject(ev, built.value));
    const view = viewOfOther(pkt, actual);
    view.frame = built.value;
    this.record({ timeUsecs: actual, expectedUsecs: te.time, line: ev.span.line, kind: 'inbound', text: '', packet: view, ok: true });
    const terr = this.timingError(te, actual, 'inbound packet', ev);
    this.lastEvent = { time: te.time, inbound: true, doneAt: actual };
    if (terr) this.fail({ kind: 'timing', span: ev.span, message: terr, scriptPacket: viewOfOther(pkt, te.time) });
  }

  /** `> udp (N)`, `> icmp ...`: the next datagram of the flow. */
  private async outboundOther(ev: PacketEvent, te: TimedEvent): Promise<void> {
    const pkt = ev.packet;
    if (pkt.kind === 'tcp') return;
    const ports = pkt.kind === 'udp' && pkt.ports ? { src: pkt.ports.src, dst: pkt.ports.dst } : null;
    const flow = this.flows.forOutbound(ports);
    const tol = this.tolerance(te);
    const gap = te.lastTime === null ? 0 : Math.max(0, te.time - te.lastTime);
    const deadline = te.any ? this.clock.nowUsecs() + this.anyWaitUsecs() : te.end + tol + Math.max(1_000_000, gap / 2);
    // Without ports, a datagram of the socket under test may go to any port
    // (sendto, connect): the next one of its protocol is the one.
    const got = await this.nextSegment(new Set([flow]), deadline, pkt.kind, !ports);
    if (!got) {
      this.fail({
        kind: 'missing',
        span: ev.span,
        message: `error handling packet: timed out waiting for packet: expected outbound packet at ${secs(te.time)} sec; none came by ${secs(deadline)} sec`,
        scriptPacket: viewOfOther(pkt, te.time),
      });
      return;
    }
    const { seg } = got;
    if (!ports && seg.proto === 'udp') {
      // The socket under test's latest peer: inbound datagrams and ICMP errors answer it.
      flow.localPort = seg.localPort;
      flow.remotePort = seg.remotePort;
    }
    const actual = this.clock.toUsecs(seg.timeNs);
    const mismatch = pkt.kind === 'udp' ? matchOutboundUdp(pkt, seg) : matchOutboundIcmp(pkt, seg, this.ctx.family);
    const liveView = viewOfLiveOther(seg, actual, this.ctx.family);
    const terr = mismatch ? null : this.timingError(te, actual, 'outbound packet', ev);
    this.record({ timeUsecs: actual, expectedUsecs: te.time, line: ev.span.line, kind: 'outbound', text: '', packet: liveView, ok: !mismatch && !terr });
    this.lastEvent = { time: actual, inbound: false, doneAt: actual };
    if (mismatch) this.fail({ kind: 'packet', span: ev.span, message: `error handling packet: ${mismatch}`, scriptPacket: viewOfOther(pkt, te.time), actualPacket: liveView });
    else if (terr) this.fail({ kind: 'timing', span: ev.span, message: terr, scriptPacket: viewOfOther(pkt, te.time), actualPacket: liveView });
  }

  private async inbound(ev: PacketEvent): Promise<void> {
    const te = this.resolveTime(ev, true);
    const pkt = ev.packet;
    if (pkt.kind !== 'tcp') return this.inboundOther(ev, te);
    // A line with a port range is a flood: its frames are built ahead while
    // there is time before the line's time, and the rest built and sent one
    // by one after the first has gone. Building takes the tool about 4 µs a
    // frame (514 SYNs: 2.0-2.4 ms, 6.7 ms under a loaded test run), so a
    // flood right after the previous event, built whole first, went late by
    // that much; now its first frame goes at its time and the others follow
    // at the building's pace.
    const pureSyn = pkt.flags.includes('S') && !pkt.flags.includes('.');
    const all = expandPorts(pkt.ports, 'src');
    const build = (ports: { src: number; dst: number } | null): BuiltFrame | null => {
      let flow = this.flows.forInbound(ports);
      if (pureSyn && ports === null) {
        if (this.listenedSinceSyn && flow.lastSyn !== null) flow = this.flows.renewDefault();
        this.listenedSinceSyn = false;
      }
      // A SYN declares the remote ISN in script terms (see Flow).
      if (pkt.flags.includes('S')) flow.scriptRemoteIsn = pkt.seq.start >>> 0;
      if (pkt.ack !== null && flow.localIsn === null && pkt.flags.includes('.')) {
        this.fail({
          kind: 'packet',
          span: ev.span,
          message: 'error handling packet: inbound packet acks data before the local ISN is known (no outbound SYN or SYN-ACK yet)',
        });
        return null;
      }
      const built = buildInbound(pkt, flow, this.cfg, this.link);
      if (!built.ok) {
        this.fail({ kind: 'packet', span: ev.span, message: `error handling packet: ${built.error}` });
        return null;
      }
      if (pureSyn) flow.lastSyn = synSeen(pkt);
      return { flow, frame: built.value, ports };
    };
    const ahead: BuiltFrame[] = [];
    let next = 0;
    // Stop building ahead 0.2 ms before the line's time (checked every 16 frames).
    const stopAhead = te.time - 200;
    while (next < all.length && (next === 0 || next % 16 !== 0 || this.clock.nowUsecs() < stopAhead)) {
      const f = build(all[next]!);
      if (!f) return;
      ahead.push(f);
      next++;
    }
    await this.clock.until(te.time);
    let first: number | null = null;
    let lastSent = 0;
    const burst = all.length > 1 ? new Map<Flow, number>() : undefined;
    const send = (f: BuiltFrame): void => {
      const actual = this.clock.toUsecs(this.inject(ev, f.frame));
      first ??= actual;
      lastSent = actual;
      burst?.set(f.flow, actual);
      const view = viewOfScript(pkt, actual, f.ports);
      view.frame = f.frame;
      this.record({ timeUsecs: actual, expectedUsecs: te.time, line: ev.span.line, kind: 'inbound', text: '', packet: view, ok: true });
    };
    for (const f of ahead) send(f);
    for (; next < all.length; next++) {
      const f = build(all[next]!);
      if (!f) return;
      send(f);
    }
    const terr = this.timingError(te, first!, 'inbound packet', ev);
    this.lastEvent = { time: te.time, inbound: true, doneAt: lastSent, burst };
    if (terr) this.fail({ kind: 'timing', span: ev.span, message: terr, scriptPacket: viewOfScript(pkt, te.time) });
  }

  /**
   * Wait for the next captured segment of one of `flows` until
   * `deadlineUsecs` (script time). Segments of other flows stay queued for
   * their own events; those of no flow at all are never the script's
   * business (packetdrill skips other 4-tuples too).
   */
  private async nextSegment(
    flows: ReadonlySet<Flow>,
    deadlineUsecs: number,
    proto: LiveSegment['proto'] = 'tcp',
    anyPorts = false,
  ): Promise<{ seg: LiveSegment; flow: Flow } | null> {
    // What came while JavaScript was busy is here now, not when the event
    // loop next polls (measured: up to 0.8 ms later).
    this.wire.pump?.();
    for (;;) {
      for (let i = 0; i < this.captured.length; i++) {
        const s = this.captured[i]!;
        if (s.proto !== proto) continue;
        const f = anyPorts ? [...flows][0]! : this.flows.forCaptured(s.localPort, s.remotePort);
        if (f && flows.has(f)) {
          this.captured.splice(i, 1);
          return { seg: s, flow: f };
        }
      }
      const left = deadlineUsecs - this.clock.nowUsecs();
      if (left <= 0) return null;
      if (this.hooks.rehearsal) {
        // Nothing more comes: the wait is set up and torn down once.
        clearTimeout(setTimeout(() => undefined, 1000));
        return null;
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => {
          this.wake = null;
          resolve();
        }, timerMs(Math.ceil(left / 1000) + 1));
        this.wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
    }
  }

  private async outbound(ev: PacketEvent): Promise<void> {
    const te = this.resolveTime(ev, false);
    const pkt = ev.packet;
    if (pkt.kind !== 'tcp') return this.outboundOther(ev, te);
    const expected = new Set(expandPorts(pkt.ports, 'dst').map((ports) => this.flows.forOutbound(ports)));
    const tol = this.tolerance(te);
    // packetdrill waits for the next packet however long it takes, so a late
    // packet is a timing error rather than a missing one. We wait past the
    // window by a grace (half the gap since the last event, at least 1 s) to
    // report it the same way, and call it missing after that.
    const gap = te.lastTime === null ? 0 : Math.max(0, te.time - te.lastTime);
    const deadline = te.any ? this.clock.nowUsecs() + this.anyWaitUsecs() : te.end + tol + Math.max(1_000_000, gap / 2);
    let last = this.clock.nowUsecs();
    // After a flood, an answer at a relative time is due that long after its
    // own flow's packet, not after the flood's last one: a flood of 514 SYNs
    // takes the tool 2-4 ms to send, and the first SYN-ACK comes while the
    // last SYNs are still going.
    const burst = this.lastEvent?.burst;
    const relative = ev.time !== null && (ev.time.kind === 'relative' || (ev.time.kind === 'range' && ev.time.start.kind === 'relative'));
    const burstDoneAt = this.lastEvent?.doneAt ?? 0;
    const dueFor = (flow: Flow): TimedEvent => {
      const sent = relative && !te.any ? burst?.get(flow) : undefined;
      if (sent === undefined) return te;
      const shift = sent - burstDoneAt;
      return { ...te, time: te.time + shift, end: te.end + shift };
    };
    if (this.hooks.rehearsal) this.standIns(pkt, expected);
    while (expected.size > 0) {
      const got = await this.nextSegment(expected, deadline);
      if (!got) {
        const missing = [...expected];
        const scriptView = viewOfScript(pkt, te.time, missing.length === 1 && pkt.ports ? { src: pkt.ports.src, dst: missing[0]!.key } : undefined);
        this.record({ timeUsecs: this.clock.nowUsecs(), expectedUsecs: te.time, line: ev.span.line, kind: 'outbound', text: 'missing', packet: scriptView, ok: false });
        const which =
          missing.length > 1 || (pkt.ports && pkt.ports.dstEnd !== null)
            ? ` (${missing.length} of the flood never came, to port${missing.length > 1 ? 's' : ''} ${portList(missing.map((f) => f.key))})`
            : '';
        this.fail({
          kind: 'missing',
          span: ev.span,
          message: `error handling packet: timed out waiting for packet: expected outbound packet at ${secs(te.time)} sec; none came by ${secs(deadline)} sec${which}`,
          scriptPacket: viewOfScript(pkt, te.time),
        });
        this.lastEvent = { time: this.clock.nowUsecs(), inbound: false, doneAt: this.clock.nowUsecs() };
        return;
      }
      const { flow } = got;
      expected.delete(flow);
      this.learn(flow, got.seg, pkt);
      const { seg, error: gathered } = await this.gatherFragments(got.seg, flow, pkt.seq.len, deadline);
      const actual = this.clock.toUsecs(seg.timeNs);
      last = actual;
      const mismatch = gathered ?? matchOutbound(pkt, seg, flow, this.cfg);
      const liveView = viewOfLive(seg, flow, actual, !!pkt.ports);
      const due = dueFor(flow);
      const terr = mismatch ? null : this.timingError(due, actual, 'outbound packet', ev);
      this.record({ timeUsecs: actual, expectedUsecs: due.time, line: ev.span.line, kind: 'outbound', text: '', packet: liveView, ok: !mismatch && !terr });
      const scriptView = viewOfScript(pkt, due.time, pkt.ports ? { src: pkt.ports.src, dst: flow.key } : undefined);
      if (mismatch) {
        this.fail({ kind: 'packet', span: ev.span, message: `error handling packet: ${mismatch}`, scriptPacket: scriptView, actualPacket: liveView });
      } else if (terr) {
        this.fail({ kind: 'timing', span: ev.span, message: terr, scriptPacket: scriptView, actualPacket: liveView });
      }
    }
    this.lastEvent = { time: last, inbound: false, doneAt: last };
  }

  /**
   * A rehearsal: what the kernel would send for `pkt` on each flow, decoded
   * and handed in as the capture does, so that the real packet's path
   * (capture, match, aggregation, views) has run once before the clock.
   */
  private standIns(pkt: TcpPacketAst, flows: ReadonlySet<Flow>): void {
    for (const flow of flows) {
      const built = buildStandInOutbound(pkt, flow, this.cfg, this.link);
      if (!built.ok) continue;
      const seg = decodeLive(built.value, process.hrtime.bigint());
      if (seg !== null && typeof seg !== 'string') this.onCaptured(seg);
    }
  }

  /**
   * packetdrill's aggregation: while the payload so far is less than the
   * script's, the flow's next segments are added (src/engine/aggregate.ts).
   * Returns the segment to match, and packetdrill's reason when the
   * fragments do not fit together or the payload comes out different.
   */
  private async gatherFragments(
    first: LiveSegment,
    flow: Flow,
    expectedPayload: number,
    deadline: number,
  ): Promise<{ seg: LiveSegment; error: string | null }> {
    const fragments = [first];
    let sniffed = first.tcp!.payload.length;
    if (!this.cfg.strictSegments) {
      while (sniffed < expectedPayload) {
        const next = await this.nextSegment(new Set([flow]), deadline);
        if (!next) break;
        const why = fragmentMismatch(next.seg, fragments[fragments.length - 1]!, sniffed, expectedPayload);
        if (why) return { seg: next.seg, error: why };
        fragments.push(next.seg);
        sniffed += next.seg.tcp!.payload.length;
      }
    }
    const seg = aggregate(fragments);
    const error = sniffed !== expectedPayload ? `live packet payload: expected ${expectedPayload} bytes vs actual ${sniffed} bytes` : null;
    return { seg, error };
  }

  /** How long `*` waits for an outbound packet. */
  private anyWaitUsecs(): number {
    return 10_000_000;
  }

  /** Learn the flow's ports and the kernel's ISN from what it sent. */
  private learn(flow: Flow, seg: LiveSegment, pkt: TcpPacketAst): void {
    if (flow.localPort === null) flow.localPort = seg.localPort;
    if (flow.remotePort === null) flow.remotePort = seg.remotePort;
    if (seg.tcp && seg.tcp.flags & SYN) {
      // Every SYN or SYN-ACK (re)declares the kernel's ISN: a new connection
      // on the same ports (TIME_WAIT reuse, a second connect()) starts afresh.
      flow.localIsn = seg.tcp.seq >>> 0;
      flow.scriptLocalIsn = pkt.seq.start >>> 0;
    }
  }

  // ------------------------------------------------------------ calls

  /** When the last system call returned (script µs). */
  private lastCallEnd = 0;

  /** Wait for a blocking call still running; what follows counts from its return. */
  private async finishPending(): Promise<void> {
    if (this.pending) {
      const p = this.pending;
      this.pending = null;
      await p.promise;
      if (this.lastEvent) this.lastEvent.doneAt = Math.max(this.lastEvent.doneAt, this.lastCallEnd);
    }
  }

  /**
   * A call at time 0 starts the clock itself once it is prepared (its
   * arguments evaluated, its code compiled on first use): time 0 is when
   * the call is made, as under packetdrill, whose preparing takes
   * microseconds. Every other event starts it in runEvents.
   */
  private startClockAtFirstCall(): void {
    if (!this.clock.started) this.clock.start();
  }

  private async syscall(ev: SyscallEvent): Promise<void> {
    // One call at a time, as packetdrill's single system-call thread: a new
    // call waits for a blocking one to return.
    await this.finishPending();
    const te = this.resolveTime(ev, false);
    if (KERNEL_CALLS.has(ev.name)) {
      this.startClockAtFirstCall();
      await this.clock.until(te.time);
      let m: string | null;
      let value: string | undefined;
      try {
        ({ error: m, value } = runKernelCall(ev, { evalr: this.evalr, flows: this.flows, bindPort: this.cfg.bindPort, family: this.ctx.family }));
      } catch (e) {
        m = (e as Error).message;
      }
      // What the call read goes in the trace (-v, reports, the probe): `= 2`.
      const read = value === undefined ? '' : ` = ${value}`;
      this.record({ timeUsecs: this.clock.nowUsecs(), expectedUsecs: te.time, line: ev.span.line, kind: 'syscall', text: `${ev.name}()${m ? `: ${m}` : ` ok${read}`}`, ok: !m });
      this.lastEvent = { time: te.time, inbound: false, doneAt: this.clock.nowUsecs() };
      if (m) this.fail({ kind: 'syscall', span: ev.span, message: m });
      return;
    }
    let prepared;
    try {
      prepared = prepareCall(ev, this.ctx, this.fds, this.evalr, this.sys.constants);
    } catch (e) {
      this.startClockAtFirstCall();
      if (e instanceof CallError) {
        this.callFailure(ev, e.message, e.expr?.span ?? ev.nameSpan);
        return;
      }
      throw e;
    }
    this.startClockAtFirstCall();
    await this.clock.until(te.time);
    const startUsecs = this.clock.nowUsecs();
    const terr = this.timingError(te, startUsecs, 'system call start', ev);
    if (terr) this.fail({ kind: 'timing', span: ev.span, message: terr });
    // A blocking call (`...`) runs on the pool while the script goes on; any
    // other call runs inline, as packetdrill runs it on its main thread.
    let promise: Promise<CallResult>;
    if (te.blockingEnd !== null) {
      promise = this.sys.invokeAsync(prepared.op, prepared.args);
    } else {
      try {
        promise = Promise.resolve(this.sys.invoke(prepared.op, prepared.args));
      } catch (e) {
        promise = Promise.reject(e);
      }
    }
    const finish = async (): Promise<void> => {
      let res: CallResult;
      try {
        res = await promise;
      } catch (e) {
        this.callFailure(ev, (e as Error).message);
        return;
      }
      const endUsecs = this.clock.toUsecs(res.endNs);
      this.lastCallEnd = endUsecs;
      this.noteCongestionControl(ev, prepared.args, res);
      this.checkResult(ev, res, prepared.check, endUsecs);
      if (ev.name === 'socket' && res.ret >= 0) this.flows.newSocketUnderTest();
      if (te.blockingEnd !== null) {
        const bte: TimedEvent = { time: te.blockingEnd, end: te.blockingEnd, any: false, lastTime: te.time, blockingEnd: null };
        const e2 = this.timingError(bte, endUsecs, 'system call return', ev);
        if (e2) this.fail({ kind: 'timing', span: ev.span, message: e2 });
      }
    };
    if (te.blockingEnd !== null) {
      const p = finish().catch((e) => {
        if (!(e instanceof Stop)) throw e;
        this.stopFromPending = true;
      });
      this.pending = { ev, promise: p.then(() => this.rethrowIfStopped()) };
      this.lastEvent = { time: te.time, inbound: false, doneAt: startUsecs };
      return;
    }
    this.lastCallEnd = startUsecs;
    await finish();
    if (ev.name === 'listen') this.listenedSinceSyn = true;
    this.lastEvent = { time: te.time, inbound: false, doneAt: this.lastCallEnd };
  }

  /** A listen() call since the default flow's last SYN: the next SYN is a new connection (Flows.renewDefault). */
  private listenedSinceSyn = false;

  /** The congestion control of each connection the script made. */
  private readonly congestion: Array<{ line: number; algorithm: string }> = [];

  /** After accept() or connect(): which algorithm the connection runs (one getsockopt, after the call's time is taken). */
  private noteCongestionControl(ev: SyscallEvent, args: readonly unknown[], res: CallResult): void {
    let fd: number | null = null;
    if ((ev.name === 'accept' || ev.name === 'accept4') && res.ret >= 0) fd = res.ret;
    else if (ev.name === 'connect' && (res.ret === 0 || res.errno === EINPROGRESS) && typeof args[0] === 'number') fd = args[0];
    if (fd === null) return;
    const r = this.sys.invoke('getsockopt', [fd, IPPROTO_TCP, TCP_CONGESTION, 16]);
    if (r.ret !== 0 || !r.data) return;
    // By hand, not through Buffer: this runs between timed events, and a
    // first Buffer decode there cost about 1 ms (measured).
    let algorithm = '';
    for (const b of r.data as Uint8Array) {
      if (b === 0) break;
      algorithm += String.fromCharCode(b);
    }
    if (!algorithm) return;
    this.congestion.push({ line: ev.span.line, algorithm });
    this.note(ev.span.line, `congestion control: ${algorithm}`);
  }

  private stopFromPending = false;
  private rethrowIfStopped(): void {
    if (this.stopFromPending) throw new Stop();
  }

  private callFailure(ev: SyscallEvent, message: string, span: Span = ev.span): void {
    this.fail({ kind: 'syscall', span, message: `runtime error in ${ev.name} call: ${message}` });
  }

  private checkResult(ev: SyscallEvent, res: CallResult, check: ((r: CallResult) => string | null) | undefined, endUsecs: number): void {
    const expectedRet = ev.result.kind === 'ellipsis' ? null : this.evalr.int(ev.result);
    const name = ev.name;
    const errText = res.ret < 0 ? ` errno ${res.errno} (${this.sys.strerror(res.errno)})` : '';
    this.record({
      timeUsecs: endUsecs,
      line: ev.span.line,
      kind: 'syscall',
      text:
        FD_RETURNING.has(name) && res.ret >= 0 && expectedRet !== null && expectedRet >= 0
          ? `${name}() = ${expectedRet} (live fd ${res.ret})`
          : `${name}() = ${res.ret}${res.ret < 0 ? ` ${this.sys.errnoName(res.errno)} (${this.sys.strerror(res.errno)})` : ''}`,
      ok: true,
    });
    if (expectedRet !== null) {
      if (FD_RETURNING.has(name) && expectedRet >= 0) {
        if (res.ret < 0) {
          this.callFailure(ev, `Expected non-negative result but got ${res.ret} with${errText}`);
          return;
        }
        this.fds.bind(expectedRet, res.ret);
      } else if (res.ret !== expectedRet) {
        const got = res.ret < 0 ? `${res.ret} with${errText}` : `${res.ret}`;
        this.callFailure(ev, `Expected result ${expectedRet} but got ${got}`);
        return;
      }
    }
    if (ev.errno) {
      const want = this.sys.constants[ev.errno.name];
      if (want === undefined) {
        this.callFailure(ev, `unknown symbol: '${ev.errno.name}'`, ev.errno.span);
        return;
      }
      if (res.ret >= 0 || res.errno !== want) {
        this.callFailure(ev, `Expected errno ${want} (${this.sys.strerror(want)}) but got ${res.ret < 0 ? `${res.errno} (${this.sys.strerror(res.errno)})` : `success (result ${res.ret})`}`);
        return;
      }
    } else if (expectedRet !== null && expectedRet >= 0 && res.ret < 0) {
      this.callFailure(ev, `Expected result ${expectedRet} but got ${res.ret} with${errText}`);
      return;
    }
    if (name === 'close' && res.ret === 0) {
      const fdArg = ev.args[0];
      if (fdArg && fdArg.kind === 'int') this.fds.forget(Number(fdArg.value));
    }
    if (check) {
      const m = check(res);
      if (m) this.callFailure(ev, m);
    }
  }

  // ------------------------------------------------------------ commands

  private runCommand(ev: CommandEvent, te: TimedEvent): Promise<void> {
    if (this.hooks.rehearsal) return Promise.resolve();
    const startUsecs = this.clock.started ? this.clock.nowUsecs() : 0;
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const [k, v] of Object.entries(this.cfg.defines)) env[k] = v;
    return new Promise((resolve, reject) => {
      const child = spawn('sh', ['-c', ev.command], { cwd: this.cfg.commandDir ?? dirname(this.file), env, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      const take = (b: Buffer) => {
        if (out.length < 65536) out += b.toString('utf8');
      };
      child.stdout.on('data', take);
      child.stderr.on('data', take);
      // 'exit', not 'close': a command that leaves a server running in the
      // background keeps the pipes open, and must not hold the script up.
      // Whatever that server writes later is kept (its last 8 KiB) and shown
      // if the script fails.
      let closed = false;
      let bg: (typeof this.background)[number] | null = null;
      child.on('close', () => {
        closed = true;
        if (bg) bg.ended = true;
      });
      child.on('exit', async (code, signal) => {
        // A failed command's last words may still be in the pipe: give them
        // a moment (its pipes close at once unless it left a program running).
        if (code !== 0) await new Promise<void>((r) => (closed ? r() : (child.once('close', () => r()), setTimeout(r, 100))));
        child.stdout.removeListener('data', take);
        child.stderr.removeListener('data', take);
        if (closed || (child.stdout.readableEnded && child.stderr.readableEnded)) {
          child.stdout.destroy();
          child.stderr.destroy();
          // A program written to run in the background (`... &`) that is
          // gone already: its words are what a failure will want to show.
          if (/&\s*$/.test(ev.command.trim())) this.background.push({ command: ev.command.trim(), line: ev.span.line, text: out.slice(-8192), ended: true });
        } else {
          const running = { command: ev.command.trim(), line: ev.span.line, text: out.slice(-8192), ended: false };
          bg = running;
          const keep = (b: Buffer) => {
            running.text = (running.text + b.toString('utf8')).slice(-8192);
          };
          child.stdout.on('data', keep);
          child.stderr.on('data', keep);
          this.background.push(running);
        }
        this.record({ timeUsecs: startUsecs, expectedUsecs: te.time, line: ev.span.line, kind: 'command', text: ev.command.trim(), ok: code === 0 });
        if (code !== 0) {
          const status = signal ? `got signal ${signal}` : `non-zero status ${code}`;
          try {
            this.fail({
              kind: 'command',
              span: ev.span,
              message: `error executing \`${ev.command.trim()}\` command: ${status}`,
              detail: out.trim() || undefined,
            });
          } catch (e) {
            reject(e);
            return;
          }
        }
        resolve();
      });
      child.on('error', (e) => {
        try {
          this.fail({ kind: 'command', span: ev.span, message: `error executing \`${ev.command.trim()}\` command: ${e.message}` });
        } catch (e2) {
          reject(e2);
          return;
        }
        resolve();
      });
    });
  }

  /** For tests and reports: where the run stands. */
  get liveFds(): number[] {
    return this.fds.liveFds();
  }
}

export type { Span, PacketView };
