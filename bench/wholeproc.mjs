#!/usr/bin/env node
// Whole-process cost of one script, as a user meets it: `pktdrill run X.pkt`
// from exec to exit, and (given PACKETDRILL) `unshare -n packetdrill X.pkt`
// beside it, pair by pair (pd, pk, pd, pk, ...), then the medians, the ratios
// and where pktdrill's time goes.
//
//   node bench/wholeproc.mjs [--runs N] [--script FILE.pkt] [-- PKTDRILL RUN OPTIONS]
//   PACKETDRILL=/path/to/packetdrill node bench/wholeproc.mjs --runs 10
//
// Wall: from spawn to the process's exit (hrtime), /usr/bin/time's own fork
// included for both. CPU: user + system. packetdrill is one process (time's
// rusage); pktdrill is two, the CLI (time's rusage) and the script's process,
// which reports its own CPU time and peak RSS at its verdict (PKTDRILL_PHASES=1,
// src/phases.ts): pktdrill does not wait for it to exit. For both tools the
// network namespace's teardown after exit runs in a kernel worker and is not
// counted. Peak memory: the largest process's peak RSS.
//
// Needs root (namespaces) and an idle machine: other work on the cores
// shows up in every figure.

import { spawn } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const dash = argv.indexOf('--');
const own = dash >= 0 ? argv.slice(0, dash) : argv;
const runOptions = dash >= 0 ? argv.slice(dash + 1) : [];
const opt = (name, dflt) => {
  const i = own.indexOf(name);
  return i >= 0 ? own[i + 1] : dflt;
};
const runs = Number(opt('--runs', '10'));
const script = resolve(opt('--script', join(REPO, 'bench', 'trivial.pkt')));
const packetdrill = process.env.PACKETDRILL;
if (!Number.isInteger(runs) || runs < 1) {
  process.stderr.write('wholeproc: --runs takes a whole number\n');
  process.exit(2);
}

/** Runs `cmd` under /usr/bin/time; resolves with wall ms, time's fields and stderr. */
function timed(cmd, args, env) {
  return new Promise((done) => {
    const t0 = process.hrtime.bigint();
    const child = spawn('/usr/bin/time', ['-f', 'TIME %U %S %M', cmd, ...args], { cwd: dirname(script), env, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (b) => (err += b));
    child.on('exit', (code) => {
      const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
      const m = /TIME ([\d.]+) ([\d.]+) (\d+)/.exec(err);
      done({ code, wallMs, cpuMs: m ? (Number(m[1]) + Number(m[2])) * 1000 : NaN, rssKb: m ? Number(m[3]) : NaN, stderr: err });
    });
  });
}

async function runPk() {
  const r = await timed(process.execPath, [join(REPO, 'bin', 'pktdrill.js'), 'run', ...runOptions, script], { ...process.env, PKTDRILL_PHASES: '1' });
  const line = r.stderr.split('\n').find((l) => l.startsWith('phases: '));
  const phases = line ? JSON.parse(line.slice('phases: '.length)) : null;
  const kids = phases?.usage.children ?? [];
  // time's CPU for the CLI is rounded to 10 ms; the CLI's own report is exact.
  const parentCpu = phases ? phases.usage.parent.cpuUs / 1000 : r.cpuMs;
  return {
    ...r,
    cpuMs: parentCpu + kids.reduce((a, k) => a + k.cpuUs / 1000, 0),
    rssKb: Math.max(r.rssKb, ...kids.map((k) => k.maxRssKb)),
    marks: phases?.marks ?? [],
  };
}

function runPd() {
  return timed('unshare', ['-n', packetdrill, script], process.env);
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : NaN;
};

const pk = [];
const pd = [];
for (let i = 0; i < runs; i++) {
  if (packetdrill) pd.push(await runPd());
  pk.push(await runPk());
}
const bad = pk.filter((r) => r.code !== 0).length + pd.filter((r) => r.code !== 0).length;

const row = (name, rs) => [name, median(rs.map((r) => r.wallMs)), median(rs.map((r) => r.cpuMs)), median(rs.map((r) => r.rssKb)) / 1024];
const rows = [row('pktdrill', pk)];
if (packetdrill) rows.unshift(row('packetdrill', pd));
console.log(`# ${script}, ${runs} run${runs === 1 ? '' : 's'} each${packetdrill ? ', pair by pair' : ''}${bad ? `; ${bad} run(s) exited non-zero` : ''}`);
console.log('| | wall, median | CPU (user + sys), median | peak RSS, largest process |');
console.log('|---|---|---|---|');
for (const [name, w, c, m] of rows) console.log(`| ${name} | ${(w / 1000).toFixed(3)} s | ${(c / 1000).toFixed(3)} s | ${m.toFixed(0)} MiB |`);
if (packetdrill) {
  const [, pw, pc] = rows[0];
  const [, kw, kc] = rows[1];
  console.log(`| ratio pktdrill / packetdrill | ${(kw / pw).toFixed(2)}x | ${(kc / pc).toFixed(2)}x | |`);
}

// Where pktdrill's time goes: each mark's median time from the CLI's start.
const names = [];
for (const r of pk) for (const [what] of r.marks) if (!names.includes(what) && !/ start$/.test(what)) names.push(what);
const at = (r, what) => r.marks.find(([w]) => w === what)?.[1];
const childStart = (r) => r.marks.find(([w], i) => i > 0 && / start$/.test(w))?.[1];
const timeline = [['parent: process start', 0], ...names.map((n) => [n, median(pk.map((r) => at(r, n)).filter((x) => x !== undefined))])];
const cs = median(pk.map(childStart).filter((x) => x !== undefined));
if (Number.isFinite(cs)) timeline.push(['child: process start (exec of node)', cs]);
timeline.sort((a, b) => a[1] - b[1]);
console.log('\npktdrill, median ms from the CLI process\'s start (PKTDRILL_PHASES=1):');
let prev = 0;
for (const [what, t] of timeline) {
  console.log(`  ${t.toFixed(1).padStart(7)}  (+${(t - prev).toFixed(1).padStart(5)})  ${what}`);
  prev = t;
}
