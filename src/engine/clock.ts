// The script clock: script time 0 is the moment the first event runs.
// All times are CLOCK_MONOTONIC (process.hrtime.bigint); script times are
// microseconds since the start.

/**
 * How close to an event the timer wait stops and the precise wait begins.
 * Measured here (bench/RESULTS.md): Node's timers wake up to ~1-2 ms late at
 * p99, while clock_nanosleep on the (real-time) main thread is on time to
 * tens of microseconds and, unlike a spin, leaves the core to other scripts.
 */
const PRECISE_NS = 2_000_000n;

const COLLECT_NS = 20_000_000n;

type Gc = (opts?: { type: 'minor' | 'major'; execution: 'sync' }) => void;

/** Collect now, where the process allows it (--expose-gc); else nothing. */
export function collectGarbage(minor: boolean): void {
  const gc = (globalThis as { gc?: Gc }).gc;
  if (gc) gc({ type: minor ? 'minor' : 'major', execution: 'sync' });
}

/** A precise blocking sleep until an absolute CLOCK_MONOTONIC time, if one is available. */
export type PreciseSleep = (monotonicNs: bigint) => void;

export class Clock {
  private startNs = 0n;

  constructor(
    private readonly preciseSleep: PreciseSleep | null = null,
    /** Never wait (a rehearsal of the script: Engine.rehearse). */
    private readonly noWait = false,
  ) {
    // Node loads `performance` on first use (about 2 ms, measured here):
    // not at time 0, where start() needs it.
    void performance.timeOrigin;
    performance.now();
  }

  private startRealtime = 0;

  start(): void {
    // What start-up and the init commands left in the young generation is
    // collected now, not at the script's first events (measured: a 1.4 ms
    // scavenge between a SYN and the SYN-ACK that answers it).
    if (!this.noWait) collectGarbage(true);
    this.startNs = process.hrtime.bigint();
    // The same instant on CLOCK_REALTIME, to the microsecond: kernel
    // timestamps handed to the socket (SCM_TIMESTAMPING) are realtime.
    this.startRealtime = Math.round((performance.timeOrigin + performance.now()) * 1000);
  }

  /** The script's start as CLOCK_REALTIME microseconds since the epoch. */
  get startRealtimeUsecs(): number {
    return this.startRealtime;
  }

  get started(): boolean {
    return this.startNs !== 0n;
  }

  nowNs(): bigint {
    return process.hrtime.bigint();
  }

  /** Microseconds of script time now. */
  nowUsecs(): number {
    return this.toUsecs(process.hrtime.bigint());
  }

  toUsecs(ns: bigint): number {
    return Number(ns - this.startNs) / 1000;
  }

  toNs(usecs: number): bigint {
    return this.startNs + BigInt(Math.round(usecs * 1000));
  }

  /**
   * Resolve at script time `usecs`: a timer for the bulk of the wait (the
   * event loop keeps capturing meanwhile), then a precise sleep (or, without
   * one, a spin) for the last stretch. Returns how late it woke, in ns.
   */
  async until(usecs: number): Promise<bigint> {
    if (this.noWait) {
      // A rehearsal: the timer path is set up and torn down once, so that
      // its first real use is not a cold one (about 1 ms, measured).
      clearTimeout(setTimeout(() => undefined, 1000));
      return 0n;
    }
    const target = this.toNs(usecs);
    // A wait of 20 ms or more is where the young generation is collected
    // (about 1 ms), so that a collection never falls between two events
    // that are close together (child processes run with --expose-gc).
    if (target - process.hrtime.bigint() > COLLECT_NS) collectGarbage(true);
    for (;;) {
      const left = target - process.hrtime.bigint();
      if (left <= PRECISE_NS) break;
      const ms = Number(left - PRECISE_NS) / 1e6;
      await new Promise<void>((r) => setTimeout(r, timerMs(ms)));
    }
    let now = process.hrtime.bigint();
    if (now < target && this.preciseSleep) {
      this.preciseSleep(target);
      now = process.hrtime.bigint();
    }
    while (now < target) now = process.hrtime.bigint();
    return now - target;
  }
}

/** The longest delay setTimeout takes (longer ones fire at once, with a warning). */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** A delay for setTimeout: whole ms in 0..MAX_TIMER_MS (a longer wait is made of several). */
export function timerMs(ms: number): number {
  return Number.isFinite(ms) ? Math.min(MAX_TIMER_MS, Math.max(0, Math.floor(ms))) : MAX_TIMER_MS;
}
