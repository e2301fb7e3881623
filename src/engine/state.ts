// One run of a script as the engine's parts share it: the clock, the flows,
// the fds, what was captured and not yet matched, the previous event (the
// anchor of the next relative time), and what happened (failures, trace).
//
// The Engine (run.ts) holds one and hands it to the parts, each a module of
// functions: timing.ts (when an event is due, the tolerance), inbound-events.ts
// (injecting, floods), outbound-events.ts (waiting for and matching what the
// kernel sent), call-events.ts (system calls, blocking and pending ones),
// commands.ts (shell commands and the programs they leave running),
// kernel-probes.ts (kernel-state calls, counters, the wait for a listener).

import type { Script, SyscallEvent } from '../script/ast.js';
import { Clock } from './clock.js';
import type { RunConfig } from './config.js';
import { Flows, type Flow } from './flow.js';
import { Evaluator, FdTable, type CallContext, type Syscalls } from './calls.js';
import type { Failure, TraceEntry } from './verdict.js';
import type { LinkAddrs } from './inbound.js';
import type { LiveSegment } from './live.js';
import { CodeBlocks } from './code.js';
import type { Counters } from '../kernel/counters.js';

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

/** Thrown by RunState.fail to end the run at its first failure (unless --non_fatal). */
export class Stop extends Error {}

/**
 * The previous event: its script time, whether it was an inbound packet,
 * and when it was done (the anchor of a relative time: script µs, a
 * packet's kernel time, a call's return, an injection's write), as
 * packetdrill counts from the moment it finished the previous event; what
 * JavaScript does after that (recording, -v counters) moves nothing. After
 * a flood (a line with a port range), `burst` has when each flow's packet
 * went.
 */
export interface LastEvent {
  time: number;
  inbound: boolean;
  doneAt: number;
  burst?: Map<Flow, number>;
}

/** A blocking call still running while the script goes on. */
export interface PendingCall {
  ev: SyscallEvent;
  promise: Promise<void>;
}

/** A program a command left running (a server under test), or one written to, and its last words. */
export interface BackgroundProgram {
  command: string;
  line: number;
  text: string;
  ended: boolean;
}

export class RunState {
  readonly clock: Clock;
  readonly flows: Flows;
  readonly fds = new FdTable();
  readonly evalr: Evaluator;
  /** %{ }% blocks: snapshots at their times, Python at the end (as packetdrill). */
  readonly code: CodeBlocks;
  readonly ctx: CallContext;
  readonly failures: Failure[] = [];
  readonly trace: TraceEntry[] = [];
  /** Captured segments not yet matched, oldest first. */
  readonly captured: LiveSegment[] = [];
  /** Wakes a wait for a captured segment (outbound-events.ts). */
  wake: (() => void) | null = null;
  pending: PendingCall | null = null;
  lastEvent: LastEvent | null = null;
  readonly startedAt = Date.now();
  /** Whether the script makes its own sockets (else it tests a separate listener). */
  readonly hasSocketCall: boolean;
  /** When the last system call returned (script µs). */
  lastCallEnd = 0;
  /** A listen() call since the default flow's last SYN: the next SYN is a new connection (Flows.renewDefault). */
  listenedSinceSyn = false;
  /** The congestion control of each connection the script made. */
  readonly congestion: Array<{ line: number; algorithm: string }> = [];
  /** A blocking call's check failed while the script went on: the run stops when it is awaited. */
  stopFromPending = false;
  /** -v: the kernel counters as last read. */
  counters: Counters | null = null;
  /** Output of programs that commands left running (servers under test). */
  readonly background: BackgroundProgram[] = [];

  constructor(
    readonly file: string,
    readonly script: Script,
    readonly cfg: RunConfig,
    readonly sys: Syscalls,
    readonly wire: EngineWire,
    readonly link: LinkAddrs,
    readonly hooks: EngineHooks = {},
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

  fail(f: Failure): void {
    this.failures.push(f);
    if (!this.cfg.nonFatal) throw new Stop();
  }

  record(t: TraceEntry): void {
    this.trace.push(t);
    this.hooks.onTrace?.(t);
  }

  note(line: number | null, text: string): void {
    this.record({ timeUsecs: this.clock.started ? this.clock.nowUsecs() : 0, line, kind: 'note', text, ok: true });
  }
}
