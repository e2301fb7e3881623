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
// included for both. CPU: user + system of every process of the run (a
// cpuacct cgroup per run, entered before the exec, read when its last
// process is gone): the CLI, the launcher, the script's process and what it
// runs (`ip`) for pktdrill, packetdrill and what it runs. pktdrill does not
// wait for its script process to exit, so the cgroup is also what sees that
// process's last milliseconds. The network namespace's teardown runs in a
// kernel worker for both and is not counted. Peak memory: the largest
// process's peak RSS (pktdrill's script process reports its own at its
// verdict, PKTDRILL_PHASES=1, src/phases.ts).
//
// Needs root (namespaces) and an idle machine: other work on the cores
// shows up in every figure.

import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmdirSync } from 'node:fs';
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

// CPU of every process a run starts, wherever it ends up (the CLI, the
// launcher, the script's process, `ip`; packetdrill and what it runs): a
// cgroup v1 cpuacct group per run, entered before the exec, read once its
// last process is gone. Without one (cgroup v2 only, or no rights), the
// figures above are used and the line says so.
const CPUACCT = '/sys/fs/cgroup/cpuacct';
let groupSeq = 0;
function newGroup() {
  const dir = join(CPUACCT, `pktdrill-bench-${process.pid}-${groupSeq++}`);
  try {
    mkdirSync(dir);
    return dir;
  } catch {
    return null;
  }
}
async function groupCpuMs(dir) {
  for (let i = 0; i < 200 && readFileSync(join(dir, 'cgroup.procs'), 'utf8').trim() !== ''; i++) await new Promise((r) => setTimeout(r, 10));
  const ns = Number(readFileSync(join(dir, 'cpuacct.usage'), 'utf8'));
  try {
    rmdirSync(dir);
  } catch {
    // a process still in it: left for the next boot, named after this bench
  }
  return ns / 1e6;
}
let groupsUsed = true;

/** Runs `cmd` under /usr/bin/time; resolves with wall ms, time's fields and stderr. */
function timed(cmd, args, env) {
  return new Promise((done) => {
    const group = newGroup();
    if (!group) groupsUsed = false;
    const argv = ['-f', 'TIME %U %S %M', cmd, ...args];
    const [prog, progArgs] = group ? ['sh', ['-c', 'echo $$ > "$0/cgroup.procs" && exec "$@"', group, '/usr/bin/time', ...argv]] : ['/usr/bin/time', argv];
    const t0 = process.hrtime.bigint();
    const child = spawn(prog, progArgs, { cwd: dirname(script), env, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (b) => (err += b));
    child.on('exit', async (code) => {
      const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
      const m = /TIME ([\d.]+) ([\d.]+) (\d+)/.exec(err);
      const treeCpuMs = group ? await groupCpuMs(group) : NaN;
      done({ code, wallMs, cpuMs: m ? (Number(m[1]) + Number(m[2])) * 1000 : NaN, treeCpuMs, rssKb: m ? Number(m[3]) : NaN, stderr: err });
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
    cpuMs: Number.isFinite(r.treeCpuMs) ? r.treeCpuMs : parentCpu + kids.reduce((a, k) => a + k.cpuUs / 1000, 0),
    rssKb: Math.max(r.rssKb, ...kids.map((k) => k.maxRssKb)),
    marks: phases?.marks ?? [],
  };
}

async function runPd() {
  const r = await timed('unshare', ['-n', packetdrill, script], process.env);
  return Number.isFinite(r.treeCpuMs) ? { ...r, cpuMs: r.treeCpuMs } : r;
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
console.log(groupsUsed ? '# CPU: every process of each run (a cpuacct cgroup per run)' : '# CPU: no cpuacct cgroup here: the tools\' own figures (pktdrill: the CLI and the script process only)');
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
