#!/usr/bin/env node
// Side by side: pktdrill's verdict against packetdrill's, script by script, on
// a corpus of upstream packetdrill scripts (google/packetdrill gtests/net/tcp).
//
// Each script runs from its own folder (so `../common/defaults.sh` resolves),
// one at a time, with the options packetdrill's run_all.py gives its family.
// One line per script while running, then a markdown summary table, the
// scripts whose verdicts differ, and the both-fail scripts whose first failing
// lines differ.
//
// Two modes:
//   live packetdrill (as root; each run is `unshare -n $PACKETDRILL OPTIONS x.pkt`):
//     PACKETDRILL=/path/to/packetdrill node bench/sidebyside.mjs [--runs N] /tmp/pd/tcp
//   recorded packetdrill results (no packetdrill needed):
//     node bench/sidebyside.mjs --oracle /work/shared/oracle/gtests-tcp-v4-cubic.tsv /tmp/pd/tcp
//     (TSV header: script  packetdrill_exit  seconds  first_failure)
//
// All options:
//   node bench/sidebyside.mjs [--family ipv4|ipv6] [--runs N] [--oracle FILE.tsv]
//        [--only REGEX] [--out results.tsv] [--pktdrill-args "..."] [--timeout S] CORPUS_DIR
//
// The packetdrill binary is taken from the environment (PACKETDRILL) and is
// never part of this repository. Nothing here sends traffic anywhere: both
// tools run in network namespaces of their own (packetdrill under
// `unshare -n`, pktdrill in the namespace it makes per script); this script
// only spawns them. --runs N runs each script N times per tool, interleaved
// (pd, pk, pd, pk, ...), and counts as flaky the runs whose verdict differs
// from that tool's majority verdict. Each process is killed after --timeout
// seconds (default 120) and counted as a failure "timeout".
//
// Exit status: 0 every verdict agreed, 1 some differed, 2 usage or set-up error.

import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FAMILY_OPTIONS } from './families.mjs';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const PKTDRILL_JS = join(REPO, 'bin', 'pktdrill.js');

const PD_FAILURE = /^[^:\s]+\.pkt:(\d+): /;
const PK_FAILURE = /^\S+\.pkt:(\d+):/;

function die(msg) {
  process.stderr.write(`sidebyside: ${msg}\n`);
  process.exit(2);
}

/** Split a string into words the way a shell would for simple quoting. */
function shellWords(s) {
  const out = [];
  let cur = null;
  let q = null;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (q) {
      if (c === q) q = null;
      else if (c === '\\' && q === '"' && i + 1 < s.length) cur += s[++i];
      else cur += c;
    } else if (c === '"' || c === "'") {
      q = c;
      cur ??= '';
    } else if (/\s/.test(c)) {
      if (cur !== null) out.push(cur);
      cur = null;
    } else if (c === '\\' && i + 1 < s.length) {
      cur = (cur ?? '') + s[++i];
    } else {
      cur = (cur ?? '') + c;
    }
  }
  if (q) die(`unbalanced quote in --pktdrill-args: ${s}`);
  if (cur !== null) out.push(cur);
  return out;
}

function parseArgs(argv) {
  const o = { family: 'ipv4', runs: 1, oracle: null, only: null, out: null, pktdrillArgs: [], timeout: 120, corpus: null };
  let familyGiven = false;
  for (let i = 0; i < argv.length; i++) {
    let a = argv[i];
    let v;
    const eq = a.startsWith('--') ? a.indexOf('=') : -1;
    if (eq > 0) {
      v = a.slice(eq + 1);
      a = a.slice(0, eq);
    }
    const val = () => {
      if (v !== undefined) return v;
      if (i + 1 >= argv.length) die(`${a} needs a value`);
      return argv[++i];
    };
    switch (a) {
      case '--family':
        o.family = val();
        familyGiven = true;
        if (!(o.family in FAMILY_OPTIONS)) die(`--family is ipv4 or ipv6, got '${o.family}'`);
        break;
      case '--runs':
        o.runs = Number(val());
        if (!Number.isInteger(o.runs) || o.runs < 1) die('--runs takes a whole number >= 1');
        break;
      case '--timeout':
        o.timeout = Number(val());
        if (!(o.timeout > 0)) die('--timeout takes a number of seconds > 0');
        break;
      case '--oracle':
        o.oracle = val();
        break;
      case '--only':
        try {
          o.only = new RegExp(val());
        } catch (e) {
          die(`--only: ${e.message}`);
        }
        break;
      case '--out':
        o.out = val();
        break;
      case '--pktdrill-args':
        o.pktdrillArgs.push(...shellWords(val()));
        break;
      case '-h':
      case '--help':
        process.stdout.write(
          'usage: node bench/sidebyside.mjs [--family ipv4|ipv6] [--runs N] [--oracle FILE.tsv] [--only REGEX]\n' +
            '         [--out results.tsv] [--pktdrill-args "..."] [--timeout S] CORPUS_DIR\n' +
            '  packetdrill is $PACKETDRILL unless --oracle gives its recorded results\n',
        );
        process.exit(0);
      default:
        if (a.startsWith('-')) die(`unknown option ${argv[i]}`);
        if (o.corpus) die(`one CORPUS_DIR only (got ${o.corpus} and ${a})`);
        o.corpus = a;
    }
  }
  if (!o.corpus) die('no CORPUS_DIR given (e.g. /tmp/pd/tcp)');
  if (o.oracle && !familyGiven && /v6/i.test(basename(o.oracle))) {
    process.stderr.write(`sidebyside: note: oracle ${basename(o.oracle)} looks like ipv6; running --family ipv4 (pass --family ipv6?)\n`);
  }
  return o;
}

/** All *.pkt under dir, as './sub/name.pkt', sorted by code point. */
function findScripts(corpus, family) {
  const out = [];
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const full = join(d, e.name);
      if (e.isDirectory()) walk(full);
      else if (e.name.endsWith('.pkt')) out.push('./' + relative(corpus, full).split(sep).join('/'));
    }
  };
  walk(corpus);
  const skip = family === 'ipv4' ? 'v6.pkt' : 'v4.pkt';
  return out.filter((s) => !s.endsWith(skip)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

function readOracle(file) {
  let text;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    die(`cannot read oracle ${file}: ${e.message}`);
  }
  const lines = text.split('\n').filter((l) => l.length > 0);
  const head = (lines.shift() ?? '').split('\t');
  const col = (n) => {
    const k = head.indexOf(n);
    if (k < 0) die(`oracle ${file}: no '${n}' column in header (want script, packetdrill_exit, seconds, first_failure)`);
    return k;
  };
  const [cs, ce, ct, cf] = ['script', 'packetdrill_exit', 'seconds', 'first_failure'].map(col);
  const m = new Map();
  for (const l of lines) {
    const f = l.split('\t');
    let script = f[cs];
    if (!script.startsWith('./')) script = './' + script;
    const message = (f[cf] ?? '').trim();
    const exit = Number(f[ce]);
    const lm = /^:(\d+):/.exec(message);
    m.set(script, {
      exit,
      pass: exit === 0,
      line: lm ? Number(lm[1]) : null,
      message: exit === 0 ? '' : message,
      seconds: Number(f[ct]) || 0,
    });
  }
  return m;
}

let current = null; // the child running now, killed on SIGINT

/** Run one process; resolve with exit status, output lines in arrival order, wall seconds. */
function runProcess(cmd, args, cwd, timeoutS) {
  return new Promise((resolveRun) => {
    const t0 = process.hrtime.bigint();
    const lines = [];
    const partial = { stdout: '', stderr: '' };
    let timedOut = false;
    let child;
    try {
      child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    } catch (e) {
      resolveRun({ exit: 127, lines: [`spawn failed: ${e.message}`], seconds: 0, timedOut: false });
      return;
    }
    current = child;
    const killGroup = () => {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        try {
          child.kill('SIGKILL');
        } catch {}
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, timeoutS * 1000);
    for (const name of ['stdout', 'stderr']) {
      child[name].setEncoding('utf8');
      child[name].on('data', (d) => {
        const parts = (partial[name] + d).split('\n');
        partial[name] = parts.pop();
        lines.push(...parts);
      });
    }
    let spawnError = null;
    child.on('error', (e) => {
      spawnError = e;
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      current = null;
      for (const name of ['stdout', 'stderr']) if (partial[name]) lines.push(partial[name]);
      if (spawnError) lines.push(`spawn failed: ${spawnError.message}`);
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      resolveRun({ exit: code ?? (signal ? 128 : 127), lines, seconds, timedOut });
    });
  });
}

/** One tool run reduced to verdict, exit, first failure line and message. */
function verdictOf(r, re) {
  if (r.timedOut) return { pass: false, exit: r.exit, line: null, message: 'timeout', seconds: r.seconds };
  if (r.exit === 0) return { pass: true, exit: 0, line: null, message: '', seconds: r.seconds };
  for (const l of r.lines) {
    const m = re.exec(l);
    if (m) return { pass: false, exit: r.exit, line: Number(m[1]), message: l.slice(l.indexOf(':')).trim(), seconds: r.seconds };
  }
  const last = r.lines.map((l) => l.trim()).filter(Boolean).pop() ?? '';
  return { pass: false, exit: r.exit, line: null, message: last ? `(exit ${r.exit}) ${last}` : `(exit ${r.exit})`, seconds: r.seconds };
}

/** Majority verdict of several runs (ties go to the first run's), the flaky count, mean seconds. */
function combine(runs) {
  const passes = runs.filter((r) => r.pass).length;
  const fails = runs.length - passes;
  const majorityPass = passes === fails ? runs[0].pass : passes > fails;
  const rep = runs.find((r) => r.pass === majorityPass);
  return {
    ...rep,
    seconds: runs.reduce((s, r) => s + r.seconds, 0) / runs.length,
    totalSeconds: runs.reduce((s, r) => s + r.seconds, 0),
    flaky: runs.filter((r) => r.pass !== majorityPass).length,
    runs: runs.length,
  };
}

const show = (v) => (v ? (v.pass ? 'PASS' : `FAIL:${v.line ?? (v.message === 'timeout' ? 'timeout' : '?')}`) : 'n/a');
const tsvCell = (s) => String(s ?? '').replace(/[\t\r\n]+/g, ' ');
const mdCell = (s) => String(s ?? '').replace(/\|/g, '\\|');

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const corpus = resolve(o.corpus);
  if (!existsSync(corpus) || !statSync(corpus).isDirectory()) die(`${o.corpus} is not a folder`);
  if (!existsSync(PKTDRILL_JS)) die(`${PKTDRILL_JS} not found`);
  let oracle = null;
  const packetdrill = process.env.PACKETDRILL;
  if (o.oracle) {
    oracle = readOracle(o.oracle);
  } else {
    if (!packetdrill) die('set PACKETDRILL=/path/to/packetdrill, or give --oracle FILE.tsv with its recorded results');
    if (!existsSync(packetdrill)) die(`PACKETDRILL=${packetdrill}: no such file`);
    if (process.getuid && process.getuid() !== 0) die('running packetdrill under unshare -n needs root');
  }

  let scripts = findScripts(corpus, o.family);
  if (o.only) scripts = scripts.filter((s) => o.only.test(s));
  if (scripts.length === 0) die(`no .pkt scripts in ${o.corpus}${o.only ? ` matching /${o.only.source}/` : ''}`);

  const famOpts = FAMILY_OPTIONS[o.family];
  const pdMode = oracle ? `oracle ${basename(o.oracle)}` : `packetdrill ${packetdrill}`;
  process.stdout.write(
    `# ${scripts.length} scripts, ${o.family}, ${pdMode}, runs=${o.runs}` +
      (o.pktdrillArgs.length ? `, pktdrill args: ${o.pktdrillArgs.join(' ')}` : '') +
      '\n',
  );

  const rows = [];
  let interrupted = false;
  process.on('SIGINT', () => {
    interrupted = true;
    if (current) {
      try {
        process.kill(-current.pid, 'SIGKILL');
      } catch {}
    }
  });

  const width = Math.max(...scripts.map((s) => s.length));
  for (const script of scripts) {
    if (interrupted) break;
    const cwd = join(corpus, dirname(script));
    const file = basename(script);
    const pdRuns = [];
    const pkRuns = [];
    for (let n = 0; n < o.runs && !interrupted; n++) {
      if (!oracle) {
        const r = await runProcess('unshare', ['-n', packetdrill, ...famOpts, file], cwd, o.timeout);
        pdRuns.push(verdictOf(r, PD_FAILURE));
      }
      if (interrupted) break;
      const r = await runProcess(
        process.execPath,
        [PKTDRILL_JS, 'run', '--timing_retries=0', ...famOpts, ...o.pktdrillArgs, file],
        cwd,
        o.timeout,
      );
      pkRuns.push(verdictOf(r, PK_FAILURE));
    }
    if (interrupted || pkRuns.length === 0) break;
    let pd;
    if (oracle) {
      const rec = oracle.get(script);
      pd = rec ? { ...rec, totalSeconds: rec.seconds, flaky: 0, runs: 1 } : null;
    } else {
      pd = combine(pdRuns);
    }
    const pk = combine(pkRuns);
    const sameVerdict = pd ? pd.pass === pk.pass : null;
    const bothFail = pd && !pd.pass && !pk.pass;
    const sameLine = bothFail ? pd.line !== null && pd.line === pk.line : null;
    rows.push({ script, pd, pk, sameVerdict, sameLine });

    const tag = sameVerdict === null ? 'N/A ' : sameVerdict ? 'SAME' : 'DIFF';
    let line = `${tag}  ${script.padEnd(width)}  pd=${show(pd).padEnd(12)} pk=${show(pk).padEnd(12)}`;
    if (bothFail) line += sameLine ? ' same line' : ' lines differ';
    line += `  (pd ${pd ? pd.seconds.toFixed(1) : '?'} s, pk ${pk.seconds.toFixed(1)} s)`;
    if (o.runs > 1) line += `  flaky pd ${oracle ? '-' : `${pd.flaky}/${pd.runs}`}, pk ${pk.flaky}/${pk.runs}`;
    if (!pd) line += '  (not in oracle)';
    process.stdout.write(line + '\n');
  }

  // Summary.
  const known = rows.filter((r) => r.pd);
  const bothFail = known.filter((r) => !r.pd.pass && !r.pk.pass);
  const sum = (xs) => xs.reduce((s, x) => s + x, 0);
  const pdWall = sum(known.map((r) => r.pd.totalSeconds));
  const pkWall = sum(rows.map((r) => r.pk.totalSeconds));
  const label = `${o.family}${oracle ? ` (oracle ${basename(o.oracle)})` : ''}${o.runs > 1 ? `, ${o.runs} runs` : ''}`;
  const flakyPd = oracle ? '–' : String(sum(known.map((r) => r.pd.flaky)));
  const flakyPk = String(sum(rows.map((r) => r.pk.flaky)));
  process.stdout.write(
    `\n${interrupted ? '(interrupted: partial results)\n\n' : ''}` +
      '| | scripts | packetdrill passes | pktdrill passes | same verdict | same failing line where both fail | flaky runs pd / pk | wall pd / pk |\n' +
      '|---|---|---|---|---|---|---|---|\n' +
      `| ${label} | ${rows.length}${known.length < rows.length ? ` (${rows.length - known.length} not in oracle)` : ''}` +
      ` | ${known.filter((r) => r.pd.pass).length} | ${rows.filter((r) => r.pk.pass).length}` +
      ` | ${known.filter((r) => r.sameVerdict).length} / ${known.length}` +
      ` | ${bothFail.filter((r) => r.sameLine).length} / ${bothFail.length}` +
      ` | ${flakyPd} / ${flakyPk}` +
      ` | ${pdWall.toFixed(1)} s${oracle ? ' (recorded)' : ''} / ${pkWall.toFixed(1)} s${pdWall > 0 ? ` (${(pkWall / pdWall).toFixed(2)}×)` : ''} |\n`,
  );

  const diff = known.filter((r) => !r.sameVerdict);
  process.stdout.write(`\nDifferent verdict (${diff.length}):\n`);
  for (const r of diff) {
    process.stdout.write(`- \`${r.script}\`: packetdrill ${r.pd.pass ? 'PASS' : mdCell(r.pd.message || 'FAIL')}; pktdrill ${r.pk.pass ? 'PASS' : mdCell(r.pk.message || 'FAIL')}\n`);
  }
  const lineDiff = bothFail.filter((r) => !r.sameLine);
  process.stdout.write(`\nBoth fail, different first failing line (${lineDiff.length}):\n`);
  for (const r of lineDiff) {
    process.stdout.write(`- \`${r.script}\`: packetdrill ${mdCell(r.pd.message || 'FAIL')}; pktdrill ${mdCell(r.pk.message || 'FAIL')}\n`);
  }

  if (o.out) {
    const head = ['script', 'pd_exit', 'pd_line', 'pd_first_failure', 'pk_exit', 'pk_line', 'pk_first_failure', 'pd_seconds', 'pk_seconds', 'same_verdict', 'same_line'];
    const body = rows.map((r) =>
      [
        r.script,
        r.pd ? r.pd.exit : '',
        r.pd?.line ?? '',
        r.pd?.message ?? '',
        r.pk.exit,
        r.pk.line ?? '',
        r.pk.message,
        r.pd ? r.pd.seconds.toFixed(2) : '',
        r.pk.seconds.toFixed(2),
        r.sameVerdict === null ? '' : r.sameVerdict ? 1 : 0,
        r.sameLine === null ? '' : r.sameLine ? 1 : 0,
      ]
        .map(tsvCell)
        .join('\t'),
    );
    writeFileSync(o.out, [head.join('\t'), ...body].join('\n') + '\n');
    process.stdout.write(`\nwrote ${o.out}\n`);
  }

  process.exit(interrupted ? 130 : diff.length > 0 ? 1 : 0);
}

main().catch((e) => die(e.stack ?? String(e)));
