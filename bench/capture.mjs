#!/usr/bin/env node
// Capture latency: from the end of a write() to the moment the segment it
// caused reached pktdrill through libpcap, p50/p99/max.
//   node bench/capture.mjs [-j N]
import { runScriptFile } from '../dist/runner.js';

const i = process.argv.indexOf('-j');
const jobs = i >= 0 ? Number(process.argv[i + 1]) : 1;
const lat = [];
let failed = 0;
const results = await Promise.all(Array.from({ length: jobs }, () => runScriptFile('bench/capture.pkt')));
for (const r of results) {
  if (r.status !== 'pass') failed++;
  let writeEnd = null;
  for (const t of r.verdict?.trace ?? []) {
    if (t.kind === 'syscall' && t.text.startsWith('write(')) writeEnd = t.timeUsecs;
    else if (t.kind === 'outbound' && writeEnd !== null) {
      lat.push(t.timeUsecs - writeEnd);
      writeEnd = null;
    }
  }
}
lat.sort((a, b) => a - b);
const q = (p) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))].toFixed(0);
console.log(`bench/capture.pkt x${jobs} at once: ${lat.length} segments, write() end → capture µs: p50 ${q(0.5)} p99 ${q(0.99)} max ${lat[lat.length - 1].toFixed(0)}; failed runs ${failed}`);
