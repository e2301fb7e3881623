// When an event is due, and whether it was on time: packetdrill's rules.
//
// An absolute time is from the script's start; a relative one (and `*`) is
// from the moment the previous event finished (RunState.lastEvent.doneAt),
// except that consecutive inbound packets are anchored to each other's
// script times so processing costs do not accumulate. After a flood (a line
// with a port range) what follows is timed from its last packet. A blocking
// call `+a...b` with a relative start has its end shifted by the same offset.

import type { Event, PointTime } from '../script/ast.js';
import type { Clock } from './clock.js';
import type { RunConfig } from './config.js';
import { secs } from './render.js';
import type { RunState } from './state.js';

export interface TimedEvent {
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

export function resolveTime(s: RunState, ev: Event, isInbound: boolean): TimedEvent {
  const t = ev.time;
  const lastTime = s.lastEvent ? s.lastEvent.time : null;
  // Before the clock starts it is 0: a first event written `+0` is at 0.
  const now = (): number => (s.lastEvent ? s.lastEvent.doneAt : s.clock.started ? s.clock.nowUsecs() : 0);
  // Inbound after inbound keeps the script's spacing (packetdrill's rule),
  // except after a flood: its packets take the tool milliseconds to send,
  // so what follows it is timed from its last packet.
  const offset = (): number => (s.lastEvent && s.lastEvent.inbound && isInbound && !s.lastEvent.burst ? s.lastEvent.time : now());
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

export function tolerance(cfg: RunConfig, te: TimedEvent): number {
  let tol = cfg.toleranceUsecs;
  if (te.lastTime !== null && cfg.tolerancePercent > 0) {
    tol = Math.max(tol, (cfg.tolerancePercent / 100) * (te.time - te.lastTime));
  }
  return tol;
}

/** packetdrill's timing check; returns the error text or null. */
export function timingError(cfg: RunConfig, te: TimedEvent, actual: number, what: string, ev: Event): string | null {
  if (te.any) return null;
  const tol = tolerance(cfg, te);
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

/** How long `*` waits for an outbound packet. */
function anyWaitUsecs(): number {
  return 10_000_000;
}

/**
 * How long an outbound event waits for its packet. packetdrill waits for the
 * next packet however long it takes, so a late packet is a timing error
 * rather than a missing one. We wait past the window by a grace (half the
 * gap since the last event, at least 1 s) to report it the same way, and
 * call it missing after that; `*` waits anyWaitUsecs().
 */
export function outboundDeadline(s: RunState, te: TimedEvent): number {
  const tol = tolerance(s.cfg, te);
  const gap = te.lastTime === null ? 0 : Math.max(0, te.time - te.lastTime);
  return te.any ? s.clock.nowUsecs() + anyWaitUsecs() : te.end + tol + Math.max(1_000_000, gap / 2);
}

/** Whether the script leaves time after the current event before `next`. */
export function waitsAfter(clock: Clock, next: Event | undefined): boolean {
  const t = next?.time;
  if (!next || !t) return true;
  if (t.kind === 'relative') return t.usecs >= 10_000;
  if (t.kind === 'absolute') return t.usecs - (clock.started ? clock.nowUsecs() : 0) >= 10_000;
  return false;
}
