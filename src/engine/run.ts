// The engine: one script, one clock, run against the live kernel.
// It runs inside the script's own network namespace (see src/sandbox/).
//
// The Engine coordinates: it holds the run's state (state.ts), steps through
// the events, and hands each to its part: timing.ts (when an event is due:
// packetdrill's rules), inbound-events.ts, outbound-events.ts,
// call-events.ts, commands.ts, kernel-probes.ts. Before the clock starts it
// can warm up and rehearse the script, so that its first events do not pay
// for V8 compiling the code they run.

import { dirname } from 'node:path';
import type { Event, Script, Span } from '../script/ast.js';
import type { RunConfig } from './config.js';
import { Flows } from './flow.js';
import { FdTable, type Syscalls } from './calls.js';
import { prepareCall } from './syscall-table.js';
import type { PacketView, Verdict } from './verdict.js';
import { buildInbound, buildInboundIcmp, buildInboundUdp, type LinkAddrs } from './inbound.js';
import { keepLearned, matchOutbound, matchOutboundIcmp, matchOutboundUdp, viewOfLive, viewOfLiveOther, viewOfScript, type LiveSegment } from './match.js';
import { renderPacket } from './render.js';
import { decodeLive } from './live.js';
import { KERNEL_CALLS } from './kernel-calls.js';
import { RunState, Stop, type EngineHooks, type EngineWire } from './state.js';
import { resolveTime, waitsAfter } from './timing.js';
import { runInbound } from './inbound-events.js';
import { runOutbound, takeCaptured } from './outbound-events.js';
import { finishPending, runSyscall } from './call-events.js';
import { backgroundOutputs, runCommand, startedServer } from './commands.js';
import { awaitListener, noteCounters } from './kernel-probes.js';

export type { EngineHooks, EngineWire } from './state.js';

export class Engine {
  private readonly s: RunState;

  constructor(file: string, script: Script, cfg: RunConfig, sys: Syscalls, wire: EngineWire, link: LinkAddrs, hooks: EngineHooks = {}) {
    this.s = new RunState(file, script, cfg, sys, wire, link, hooks);
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
    const scratch = new Flows({ bindPort: this.s.cfg.bindPort, connectPort: this.s.cfg.connectPort, defaultRemotePort: this.s.cfg.defaultRemotePort }, 1);
    const seen = new Set<string>();
    // Every kind of call the script makes, prepared once (its arguments
    // evaluated, nothing called), on a table of no live fds: a script's
    // first setsockopt() took 1.3 ms cold, 0.2 ms warm.
    const scratchFds = new FdTable();
    for (const ev of this.s.script.events) {
      if (ev.kind !== 'syscall' || KERNEL_CALLS.has(ev.name) || seen.has(ev.name)) continue;
      seen.add(ev.name);
      try {
        prepareCall(ev, this.s.ctx, scratchFds, this.s.evalr, this.s.sys.constants);
      } catch {
        // A warm-up only: the real call reports any problem.
      }
    }
    for (const ev of this.s.script.events) {
      if (ev.kind !== 'packet') continue;
      const p = ev.packet;
      const key = `${p.kind} ${p.direction}`;
      if (seen.has(key)) continue;
      seen.add(key);
      try {
        const flow = scratch.forInbound(null);
        const built =
          p.kind === 'tcp' ? buildInbound(p, flow, this.s.cfg, this.s.link) : p.kind === 'udp' ? buildInboundUdp(p, flow, this.s.cfg, this.s.link) : buildInboundIcmp(p, flow, this.s.cfg, this.s.link);
        if (!built.ok) continue;
        const seg = decodeLive(built.value, 0n);
        if (seg === null || typeof seg === 'string') continue;
        if (p.kind === 'tcp') {
          keepLearned(flow, matchOutbound(p, seg, flow, this.s.cfg).learned);
          renderPacket(viewOfLive(seg, flow, 0));
          renderPacket(viewOfScript(p, 0));
        } else {
          if (p.kind === 'udp') matchOutboundUdp(p, seg);
          else matchOutboundIcmp(p, seg, this.s.ctx.family);
          renderPacket(viewOfLiveOther(seg, 0, this.s.ctx.family));
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
      ...this.s.sys,
      invoke: () => ({ ret: 0, errno: 0, startNs: now(), endNs: now() }),
      invokeAsync: () => Promise.resolve({ ret: 0, errno: 0, startNs: now(), endNs: now() }),
    };
    const wire: EngineWire = { send: () => now() };
    const script = { ...this.s.script, events: this.s.script.events.slice(0, 300) };
    try {
      const stand = new Engine(this.s.file, script, { ...this.s.cfg, nonFatal: true }, sys, wire, this.s.link, { rehearsal: true, onEvent: this.s.hooks.onEvent });
      stand.warmUp();
      await stand.run();
    } catch {
      // A rehearsal only: the real run reports any problem.
    }
  }

  /** A frame the kernel sent, already decoded; called by the capture. */
  onCaptured(seg: LiveSegment): void {
    takeCaptured(this.s, seg);
  }

  async run(): Promise<Verdict> {
    let stopped = false;
    try {
      await this.runEvents();
      await finishPending(this.s);
    } catch (e) {
      if (!(e instanceof Stop)) throw e;
      stopped = true;
    } finally {
      this.s.hooks.onTimedDone?.();
    }
    if (!stopped && !this.s.hooks.rehearsal) {
      try {
        const cf = await this.s.code.execute(this.s.cfg.commandDir ?? dirname(this.s.file));
        if (cf) this.s.fail({ kind: 'code', span: { line: cf.line, column: 1, endLine: cf.line, endColumn: 1 }, message: cf.message, detail: cf.detail });
      } catch (e) {
        if (!(e instanceof Stop)) throw e;
      }
    }
    if (this.s.captured.length > 0) {
      this.s.note(null, `${this.s.captured.length} outbound packet(s) after the last outbound event were not checked (packetdrill does not check them either)`);
    }
    const f = this.s.failures[0];
    if (f) {
      const outputs = backgroundOutputs(this.s);
      if (outputs.length) f.detail = [f.detail, ...outputs].filter(Boolean).join('\n');
    }
    return {
      file: this.s.file,
      passed: this.s.failures.length === 0,
      failures: this.s.failures,
      trace: this.s.trace,
      durationMs: Date.now() - this.s.startedAt,
      seed: this.s.cfg.seed,
      congestionControl: this.s.congestion,
    };
  }

  private async runEvents(): Promise<void> {
    const events = this.s.script.events;
    let first = true;
    let waitedForListener = false;
    if (this.s.hooks.onTrace) noteCounters(this.s, 0);
    for (const [i, ev] of events.entries()) {
      this.s.hooks.onEvent?.(ev.span.line, ev.kind === 'syscall' ? `${ev.name}()` : ev.kind === 'packet' ? `${ev.packet.direction} packet` : ev.kind);
      if (first && ev.time !== null) {
        first = false;
        if ((ev.time.kind === 'absolute' && ev.time.usecs !== 0) || (ev.time.kind === 'range' && ev.time.start.usecs !== 0)) {
          this.s.fail({ kind: 'setup', span: ev.span, message: 'first event should be at time 0' });
        }
        // A call starts the clock itself (startClockAtFirstCall).
        if (ev.kind !== 'syscall') this.s.clock.start();
      }
      if (!this.s.clock.started && ev.kind === 'command' && ev.time === null) {
        // packetdrill's init command(s): before the clock starts.
        await runCommand(this.s, ev, { time: 0, end: 0, any: true, lastTime: null, blockingEnd: null });
        continue;
      }
      if (!this.s.clock.started && ev.kind !== 'syscall') this.s.clock.start();
      const touchesListener = ev.kind === 'packet' || (ev.kind === 'syscall' && KERNEL_CALLS.has(ev.name));
      if (touchesListener && !waitedForListener && !this.s.hasSocketCall && startedServer(this.s)) {
        waitedForListener = true;
        await awaitListener(this.s, ev);
        // The wait for the listener is the previous event's end.
        if (this.s.lastEvent) this.s.lastEvent.doneAt = this.s.clock.nowUsecs();
      }
      try {
        await this.runEvent(ev);
      } finally {
        // -v: reading the counters takes milliseconds, so only where the
        // script waits anyway (the next event 10 ms or more away, or none):
        // what changed is listed after the last event before the wait.
        if (this.s.hooks.onTrace && waitsAfter(this.s.clock, events[i + 1])) noteCounters(this.s, ev.span.line);
      }
    }
  }

  private async runEvent(ev: Event): Promise<void> {
    {
      switch (ev.kind) {
        case 'packet':
          if (ev.packet.direction === 'inbound') await runInbound(this.s, ev);
          else await runOutbound(this.s, ev);
          break;
        case 'syscall':
          await runSyscall(this.s, ev);
          break;
        case 'command': {
          const te = resolveTime(this.s, ev, false);
          await this.s.clock.until(te.time);
          await runCommand(this.s, ev, te);
          this.s.lastEvent = { time: te.time, inbound: false, doneAt: this.s.clock.nowUsecs() };
          break;
        }
        case 'code': {
          const te = resolveTime(this.s, ev, false);
          await this.s.clock.until(te.time);
          const m = this.s.hooks.rehearsal ? null : this.s.code.snapshot(ev, this.s.fds.socketUnderTest);
          this.s.record({ timeUsecs: this.s.clock.nowUsecs(), expectedUsecs: te.time, line: ev.span.line, kind: 'code', text: m ?? 'TCP_INFO snapshot taken; the code runs at the end', ok: !m });
          this.s.lastEvent = { time: te.time, inbound: false, doneAt: this.s.clock.nowUsecs() };
          if (m) this.s.fail({ kind: 'code', span: ev.span, message: m });
          break;
        }
      }
    }
  }

  /** For tests and reports: where the run stands. */
  get liveFds(): number[] {
    return this.s.fds.liveFds();
  }
}

export type { Span, PacketView };
