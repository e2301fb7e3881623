#!/usr/bin/env node
// Per-script overhead: wall time of runScriptFile on a one-event script.
//   node bench/overhead.mjs [--runs N]
import { runScriptFile } from '../dist/runner.js';

const i = process.argv.indexOf('--runs');
const runs = i >= 0 ? Number(process.argv[i + 1]) : 20;
const ms = [];
for (let r = 0; r < runs; r++) {
  const t0 = process.hrtime.bigint();
  const res = await runScriptFile('bench/trivial.pkt');
  ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
  if (res.status !== 'pass') console.error(res.error ?? res.verdict?.failures[0]?.message);
}
ms.sort((a, b) => a - b);
const q = (p) => ms[Math.min(ms.length - 1, Math.floor(p * ms.length))].toFixed(0);
console.log(`bench/trivial.pkt, ${runs} runs one after another: per-script wall time ms p50 ${q(0.5)} p90 ${q(0.9)} max ${ms[ms.length - 1].toFixed(0)}`);
