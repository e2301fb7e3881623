// Where the engine reads the kernel's state: the kernel-state calls a script
// makes (nstat, listen_queue, syncookie, socket_state, sysctl: kernel-calls.ts
// reads them), the counters -v lists, and the wait for a separate listener
// to listen.

import type { Event, SyscallEvent } from '../script/ast.js';
import { runKernelCall } from './kernel-calls.js';
import { diffCounters, readCounters, type Counters } from '../kernel/counters.js';
import { listenerReaches, listeningSockets } from '../kernel/listeners.js';
import type { RunState } from './state.js';
import type { ListenerWait } from './verdict.js';
import type { TimedEvent } from './timing.js';

/** A kernel-state call at its time: what it read goes in the trace, a difference from the script fails its line. */
export async function kernelCallEvent(s: RunState, ev: SyscallEvent, te: TimedEvent): Promise<void> {
  await s.clock.until(te.time);
  let m: string | null;
  let value: string | undefined;
  let fields: Record<string, string> | undefined;
  try {
    ({ error: m, value, fields } = runKernelCall(ev, { evalr: s.evalr, flows: s.flows, bindPort: s.cfg.bindPort, family: s.ctx.family }));
  } catch (e) {
    m = (e as Error).message;
  }
  // What the call read goes in the trace (-v, reports, the probe): `= 2`.
  const read = value === undefined ? '' : ` = ${value}`;
  const reading = value === undefined ? undefined : { text: value, fields: fields ?? { value: value.trim() } };
  s.record({ timeUsecs: s.clock.nowUsecs(), expectedUsecs: te.time, line: ev.span.line, kind: 'syscall', text: `${ev.name}()${m ? `: ${m}` : ` ok${read}`}`, read: reading, ok: !m });
  s.lastEvent = { time: te.time, inbound: false, doneAt: s.clock.nowUsecs() };
  if (m) s.fail({ kind: 'syscall', span: ev.span, message: m });
}

/**
 * A script with no socket() call that started a program tests that program
 * as a separate listener: wait, bounded, until something listens on the
 * bind port. (A script with neither tests the kernel with no listener, as
 * in packetdrill.)
 */
export async function awaitListener(s: RunState, ev: Event): Promise<void> {
  if (s.hooks.rehearsal) return;
  const port = s.cfg.bindPort;
  const started = Date.now();
  const deadline = started + 10_000;
  const local = s.cfg.localIp;
  for (;;) {
    const here = listeningSockets().filter((l) => l.port === port);
    if (here.some((l) => listenerReaches(l.address, local))) return;
    const elsewhere = listeningSockets().filter((l) => !listenerReaches(l.address, local) || l.port !== port);
    const shown = [...new Set(elsewhere.map((l) => `${l.address.includes(':') ? `[${l.address}]` : l.address}:${l.port}`))];
    const listensElsewhere = shown.length ? `; what listens: ${shown.join(', ')}` : '';
    const wait = (outcome: ListenerWait['outcome']): ListenerWait => ({ outcome, addresses: here.map((l) => l.address), elsewhere: shown });
    // A program that ended (its pipes closed) will not listen any more.
    if (s.background.length > 0 && s.background.every((b) => b.ended)) {
      const b = s.background[0]!;
      s.fail({ kind: 'setup', span: ev.span, message: `the program started at line ${b.line} ended before anything listened on ${local}:${port}${listensElsewhere}`, listener: wait('ended') });
      return;
    }
    // Listening on the port, but not where the script's packets go.
    if (here.length > 0 && Date.now() - started > 1000) {
      s.fail({ kind: 'setup', span: ev.span, message: `port ${port} listens on ${here.map((l) => l.address).join(', ')} only, not on ${local} (the script's local address)`, listener: wait('wrong-address') });
      return;
    }
    if (Date.now() > deadline) {
      s.fail({
        kind: 'setup',
        span: ev.span,
        message: `nothing listens on ${local}:${port} after 10 s (a script without socket() tests a listener that a command starts, e.g. \`python3 -m http.server ${port} --bind ${local} &\`)${listensElsewhere}`,
        listener: wait('none'),
      });
      return;
    }
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** -v: the kernel counters an event changed. */
export function noteCounters(s: RunState, line: number): void {
  let now: Counters;
  try {
    now = readCounters();
  } catch {
    return;
  }
  if (s.counters) {
    const changed = diffCounters(s.counters, now).filter((c) => !/^(Ip|Ip6|IpExt)/.test(c.name) || c.name === 'IpExtInOctets');
    if (changed.length) {
      s.note(line, `counters: ${changed.map((c) => `${c.name} ${c.delta > 0n ? '+' : ''}${c.delta}`).join(', ')}`);
    }
  }
  s.counters = now;
}
