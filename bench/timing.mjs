#!/usr/bin/env node
// Injection timing error: how late each inbound packet left compared with its
// scheduled time, p50/p99/max, with N copies of a script running at once.
//   node bench/timing.mjs [-j N] [--runs R] [script.pkt]
import { runScriptFile } from '../dist/runner.js';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const jobs = Number(opt('-j', '1'));
const runs = Number(opt('--runs', '1'));
const script = args.find((a) => a.endsWith('.pkt')) ?? 'bench/inject.pkt';

const late = [];
let failed = 0;
for (let r = 0; r < runs; r++) {
  const results = await Promise.all(Array.from({ length: jobs }, () => runScriptFile(script)));
  for (const res of results) {
    if (res.status !== 'pass') {
      failed++;
      console.error(res.error ?? res.verdict?.failures.map((f) => f.message).join('\n'));
    }
    for (const t of res.verdict?.trace ?? []) {
      if (t.kind === 'inbound' && t.expectedUsecs !== undefined) late.push(t.timeUsecs - t.expectedUsecs);
    }
  }
}
late.sort((a, b) => a - b);
const q = (p) => late[Math.min(late.length - 1, Math.floor(p * late.length))].toFixed(0);
console.log(`${script} x${jobs} at once, ${runs} run(s): ${late.length} injections, late by µs: p50 ${q(0.5)} p99 ${q(0.99)} max ${late[late.length - 1].toFixed(0)}; failed runs ${failed}`);
