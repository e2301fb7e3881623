// The script clock: script time 0 is the moment the first event runs.
// All times are CLOCK_MONOTONIC (process.hrtime.bigint); script times are
// microseconds since the start.

/**
 * Sleep by timer until this close to the target, then spin the rest.
 * Measured here (bench/RESULTS.md): Node's timers wake up to ~1 ms late at
 * p99, and a pool-thread clock_nanosleep woke the main thread later still
 * (uv_async hand-off), so a short spin is what buys sub-250 µs injection.
 */
const SPIN_NS = 1_000_000n;

export class Clock {
  private startNs = 0n;

  start(): void {
    this.startNs = process.hrtime.bigint();
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
   * Resolve at script time `usecs`: a timer for the bulk of the wait, then a
   * short spin so the event runs within a few microseconds of its time.
   * Returns the overshoot in nanoseconds (how late we woke).
   */
  async until(usecs: number): Promise<bigint> {
    const target = this.toNs(usecs);
    for (;;) {
      const left = target - process.hrtime.bigint();
      if (left <= SPIN_NS) break;
      const ms = Number(left - SPIN_NS) / 1e6;
      await new Promise<void>((r) => setTimeout(r, Math.max(0, Math.floor(ms))));
    }
    let now = process.hrtime.bigint();
    while (now < target) now = process.hrtime.bigint();
    return now - target;
  }
}
