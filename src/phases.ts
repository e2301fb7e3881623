// Where a run's start-up time goes, for bench/wholeproc.mjs: with
// PKTDRILL_PHASES=1 each process notes the moments it reaches (wall-clock
// milliseconds, comparable across processes) and the CLI prints them all
// on stderr at exit. Without it, mark() does nothing. The notes live on
// globalThis: bin/pktdrill.js and a bundled CLI each hold a copy of this
// module, and both must see the same notes.

export const phasesOn = process.env.PKTDRILL_PHASES === '1';

interface Phases {
  /** [what, epoch ms], in order; the first is the process's own start. */
  marks: Array<[string, number]>;
  /** Each script process's peak RSS (KiB) and CPU time (µs) when it sent its verdict. */
  childUsage: Array<{ maxRssKb: number; cpuUs: number }>;
}

const g = globalThis as { pktdrillPhases?: Phases };
const state: Phases = (g.pktdrillPhases ??= { marks: phasesOn ? [[`${process.pid} start`, performance.timeOrigin]] : [], childUsage: [] });

export const marks = state.marks;
export const childUsage = state.childUsage;

export function mark(what: string): void {
  if (phasesOn) marks.push([what, performance.timeOrigin + performance.now()]);
}
