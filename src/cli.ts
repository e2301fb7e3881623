// pktdrill's command line.
//
//   pktdrill run [options] FILE|DIR...   run scripts; exit 0 all passed, 1 a script failed, 2 usage/parse/set-up
//   pktdrill check FILE|DIR...           parse and check only (= run --dry_run)

import { mkdirSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { availableParallelism } from 'node:os';
import { ALL_IP_VERSIONS, collectScripts, corpusJobs, runCorpus, shardJobs, type CorpusJob, type IpVersion } from './corpus.js';
import { formatResult, formatSummary, formatTrace } from './report/text.js';
import { formatHtml, formatJson, formatJunit, formatTap } from './report/index.js';
import { prepareScript } from './runner.js';
import { pcapFileToPkt } from './tools/pcap2pkt.js';
import { renderScriptToPcap } from './tools/render.js';
import { replayTrace } from './tools/replay.js';
import { findOption, OPTIONS } from './engine/options.js';
import { closest } from './script/known.js';
import { probeCommand, PROBE_USAGE } from './probe/cli.js';

const USAGE = `usage: pktdrill run [options] FILE|DIR...
       pktdrill check FILE|DIR...
       pktdrill replay TRACE.pcap [--flow N | --port P] [--speed X] [--local acceptor|opener]
                       [--init CMD]... [--server CMD] [--all-flows | --no-all-flows] [--backlog N] [run options]
       pktdrill pcap2pkt TRACE.pcap [--flow N | --port P] [--local acceptor|opener] [--init CMD]...
                       [--all-flows | --no-all-flows] [--backlog N] [-o OUT.pkt]
       pktdrill render SCRIPT.pkt -o OUT.pcap
${PROBE_USAGE}

Runs packetdrill scripts against this machine's kernel, each in a network
namespace of its own. Exit status: 0 all passed, 1 a script failed,
2 usage, parse or set-up error.

options:
  -v, --verbose            print every packet, call and command with its time
  -j N, --jobs=N           run N scripts at once, each in its own namespace
                           (default: the number of cores; -v runs one at a time)
  --shard=i/n              run the i-th of n slices of the runs (for CI matrices)
  --timing_retries=N       run a script that failed on timing alone again, up to
                           N times (default 0, or PKTDRILL_TIMING_RETRIES); the
                           earlier failures are shown
  --ip_version=all         run each script as ipv4, ipv6 and ipv4-mapped-ipv6
                           (*v4.pkt and *v6.pkt only in their own family)
  --pcap FILE              write the run's packets, both ways, as a pcap (one script)
  --pcap-dir DIR           one pcap per script, named after it
  --tap                    TAP on stdout (the usual lines go to stderr)
  --junit FILE, --json FILE, --html FILE
                           reports; the JSON schema is src/report/report.schema.json
  -D NAME=value            define a symbol (also --define=NAME=value)
${OPTIONS.filter((o) => !o.help.startsWith('accepted') && !o.help.startsWith('remote mode'))
  .map((o) => `  --${o.name}${o.value ? '=...' : ''}`.padEnd(27) + o.help)
  .join('\n')}
`;

class UsageError extends Error {}

/** Re-exported: it lives with the corpus runner, where the library takes it from. */
export { collectScripts } from './corpus.js';

interface Parsed {
  command: string;
  files: string[];
  options: Array<{ name: string; value: string | null }>;
  verbose: boolean;
  jobs: number;
  /** Report outputs: --tap (stdout), --junit/--json/--html FILE. */
  tap: boolean;
  junit: string | null;
  json: string | null;
  html: string | null;
  pcap: string | null;
  pcapDir: string | null;
  shard: { index: number; count: number } | undefined;
  ipVersions: IpVersion[] | undefined;
  timingRetries: number | undefined;
}

/** pktdrill's own options that take a file or directory. */
const OUTPUTS = ['junit', 'json', 'html', 'pcap', 'pcap-dir'] as const;

function parseArgs(argv: string[]): Parsed {
  const [command, ...rest] = argv;
  if (command === '-h' || command === '--help' || command === 'help') throw new UsageError('');
  if (!command) throw new UsageError('no command given: pktdrill run FILE|DIR...');
  if (command !== 'run' && command !== 'check') {
    const near = closest(command, ['run', 'check', 'replay', 'pcap2pkt', 'render', 'probe']);
    throw new UsageError(`unknown command '${command}'${near ? `; did you mean '${near}'?` : ''}`);
  }
  const p: Parsed = {
    command,
    files: [],
    options: [],
    verbose: false,
    jobs: availableParallelism(),
    tap: false,
    junit: null,
    json: null,
    html: null,
    pcap: null,
    pcapDir: null,
    shard: undefined,
    ipVersions: undefined,
    timingRetries: undefined,
  };
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i]!;
    if (a === '-v' || a === '--verbose') {
      p.verbose = true;
    } else if (a === '-j' || a.startsWith('-j') || a.startsWith('--jobs')) {
      const v = a === '-j' || a === '--jobs' ? rest[++i] : a.startsWith('-j') ? a.slice(2) : a.slice('--jobs='.length);
      if (!v || !/^\d+$/.test(v) || Number(v) < 1) throw new UsageError(`-j takes a number of scripts to run at once, got '${v ?? ''}'`);
      p.jobs = Number(v);
    } else if (a === '--shard' || a.startsWith('--shard=')) {
      const v = a === '--shard' ? rest[++i] : a.slice('--shard='.length);
      const m = /^(\d+)\/(\d+)$/.exec(v ?? '');
      if (!m || Number(m[1]) < 1 || Number(m[1]) > Number(m[2])) throw new UsageError(`--shard takes i/n with 1 <= i <= n, e.g. --shard=2/4; got '${v ?? ''}'`);
      p.shard = { index: Number(m[1]), count: Number(m[2]) };
    } else if (a === '--timing_retries' || a.startsWith('--timing_retries=')) {
      const v = a === '--timing_retries' ? rest[++i] : a.slice('--timing_retries='.length);
      if (!v || !/^\d+$/.test(v)) throw new UsageError(`--timing_retries takes a number of re-runs, got '${v ?? ''}'`);
      p.timingRetries = Number(v);
    } else if (a === '--ip_version=all') {
      p.ipVersions = [...ALL_IP_VERSIONS];
    } else if (a === '--tap') {
      p.tap = true;
    } else if (OUTPUTS.some((o) => a === `--${o}` || a.startsWith(`--${o}=`))) {
      const eq = a.indexOf('=');
      const name = (eq >= 0 ? a.slice(2, eq) : a.slice(2)) as (typeof OUTPUTS)[number];
      const v = eq >= 0 ? a.slice(eq + 1) : rest[++i];
      if (!v) throw new UsageError(`--${name} needs a file name`);
      if (name === 'pcap-dir') p.pcapDir = v;
      else p[name] = v;
    } else if (a === '-D') {
      const v = rest[++i];
      if (v === undefined) throw new UsageError('-D needs NAME=value');
      p.options.push({ name: 'define', value: v });
    } else if (a.startsWith('-D')) {
      p.options.push({ name: 'define', value: a.slice(2) });
    } else if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq >= 0 ? a.slice(2, eq) : a.slice(2);
      let value: string | null = eq >= 0 ? a.slice(eq + 1) : null;
      const spec = findOption(name);
      if (!spec) {
        const near = closest(name, OPTIONS.map((o) => o.name));
        throw new UsageError(`unknown option --${name}${near ? `; did you mean --${near}?` : ''}`);
      }
      if (spec.value && value === null) {
        value = rest[++i] ?? null;
        if (value === null) throw new UsageError(`option --${name} needs a value`);
      }
      p.options.push({ name: spec.name, value });
    } else if (a.startsWith('-') && a !== '-') {
      throw new UsageError(`unknown option ${a}`);
    } else {
      p.files.push(a);
    }
  }
  if (p.files.length === 0) throw new UsageError('no script given');
  return p;
}

function writeReport(path: string, text: string): void {
  try {
    writeFileSync(path, text);
  } catch (e) {
    process.stderr.write(`pktdrill: cannot write ${path}: ${(e as Error).message}\n`);
    process.exitCode = 2;
  }
}

/** `--name value` / `--name=value` options of the trace commands; the rest is left for `run`. */
function takeOptions(argv: string[], names: readonly string[], flags: readonly string[] = []): { values: Record<string, string>; rest: string[] } {
  const values: Record<string, string> = {};
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (flags.includes(a)) {
      values[a] = 'true';
      continue;
    }
    const name = names.find((n) => a === n || a.startsWith(`${n}=`));
    if (!name) {
      rest.push(a);
      continue;
    }
    const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[++i];
    if (v === undefined) throw new UsageError(`${name} needs a value`);
    // A repeated option adds a line (--init twice: two commands).
    values[name] = values[name] === undefined ? v : `${values[name]}\n${v}`;
  }
  return { values, rest };
}

function numberOption(values: Record<string, string>, name: string, positive = false): number | undefined {
  const v = values[name];
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || (positive && n <= 0)) throw new UsageError(`${name} takes a ${positive ? 'positive ' : ''}number, got '${v}'`);
  return n;
}

function allFlowsOption(values: Record<string, string>): boolean | undefined {
  if (values['--all-flows']) return true;
  if (values['--no-all-flows']) return false;
  return undefined;
}

function localSide(values: Record<string, string>): 'acceptor' | 'opener' | undefined {
  const v = values['--local'];
  if (v === undefined) return undefined;
  if (v !== 'acceptor' && v !== 'opener') throw new UsageError(`--local takes acceptor or opener, got '${v}'`);
  return v;
}

async function traceCommand(command: string, argv: string[]): Promise<number> {
  if (command === 'render') {
    const { values, rest } = takeOptions(argv, ['-o', '--seed']);
    const [file, ...extra] = rest;
    if (!file || extra.length || !values['-o']) throw new UsageError('render takes one script and -o OUT.pcap');
    const prep = prepareScript(file, { options: [{ name: 'seed', value: values['--seed'] ?? '1' }] });
    if (!prep.ok) {
      process.stderr.write(prep.error + '\n');
      return 2;
    }
    const r = renderScriptToPcap(prep.value.script, prep.value.config, { file });
    if (!r.ok) {
      process.stderr.write(r.error + '\n');
      return 2;
    }
    for (const w of r.value.warnings) process.stderr.write(`pktdrill: warning: ${w}\n`);
    writeFileSync(values['-o'], r.value.pcap);
    return 0;
  }
  if (command === 'pcap2pkt') {
    const { values, rest } = takeOptions(argv, ['-o', '--flow', '--port', '--local', '--init', '--backlog'], ['--all-flows', '--no-all-flows']);
    const [trace, ...extra] = rest;
    if (!trace || extra.length) throw new UsageError('pcap2pkt takes one trace');
    const r = await pcapFileToPkt(trace, {
      flow: numberOption(values, '--flow'),
      port: numberOption(values, '--port'),
      localIs: localSide(values),
      init: values['--init']?.split('\n'),
      source: trace,
      allFlows: allFlowsOption(values),
      backlog: numberOption(values, '--backlog', true),
    });
    if (!r.ok) {
      process.stderr.write(r.error + '\n');
      return 2;
    }
    for (const w of r.value.warnings) process.stderr.write(`pktdrill: warning: ${w}\n`);
    if (values['-o']) writeFileSync(values['-o'], r.value.script);
    else process.stdout.write(r.value.script);
    return 0;
  }
  // replay
  const { values, rest } = takeOptions(argv, ['--flow', '--port', '--speed', '--local', '--init', '--server', '--backlog'], ['--all-flows', '--no-all-flows']);
  const parsed = parseArgs(['run', ...rest]);
  if (parsed.files.length !== 1) throw new UsageError('replay takes one trace');
  const trace = parsed.files[0]!;
  const r = await replayTrace(trace, {
    flow: numberOption(values, '--flow'),
    port: numberOption(values, '--port'),
    speed: numberOption(values, '--speed', true),
    localIs: localSide(values),
    init: values['--init']?.split('\n'),
    server: values['--server'],
    allFlows: allFlowsOption(values),
    backlog: numberOption(values, '--backlog', true),
    run: { options: parsed.options, verbose: parsed.verbose, onTrace: parsed.verbose ? (f, t) => process.stdout.write(formatTrace(f, t) + '\n') : undefined },
  });
  if (r.error) {
    process.stderr.write(r.error + '\n');
    return 2;
  }
  const res = r.result!;
  const tag = res.status === 'pass' ? 'PASS ' : res.status === 'fail' ? 'FAIL ' : 'ERROR';
  process.stdout.write(`${tag} ${trace} (replay, ${(res.durationMs / 1000).toFixed(2)} s)\n`);
  if (res.pcap && res.status !== 'pass') process.stdout.write(`  capture: ${res.pcap}\n`);
  for (const m of r.messages) process.stdout.write(m + '\n');
  return res.status === 'pass' ? 0 : res.status === 'fail' ? 1 : 2;
}

export async function main(argv: string[]): Promise<void> {
  if (argv[0] === 'probe') {
    process.exitCode = await probeCommand(argv.slice(1));
    return;
  }
  if (argv[0] === 'replay' || argv[0] === 'pcap2pkt' || argv[0] === 'render') {
    try {
      process.exitCode = await traceCommand(argv[0], argv.slice(1));
    } catch (e) {
      if (!(e instanceof UsageError)) throw e;
      process.stderr.write(`pktdrill: ${e.message} (pktdrill --help for usage)\n`);
      process.exitCode = 2;
    }
    return;
  }
  let args: Parsed;
  try {
    args = parseArgs(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      if (e.message) process.stderr.write(`pktdrill: ${e.message} (pktdrill --help for usage)\n`);
      else process.stdout.write(USAGE);
      process.exitCode = e.message ? 2 : 0;
      return;
    }
    throw e;
  }
  const files = collectScripts(args.files);
  if (files.length === 0) {
    process.stderr.write(`pktdrill: no .pkt scripts in ${args.files.join(' ')}\n`);
    process.exitCode = 2;
    return;
  }
  const dryRun = args.command === 'check';
  if (args.pcap && files.length > 1) {
    process.stderr.write(`pktdrill: --pcap takes one script (${files.length} given); use --pcap-dir DIR (pktdrill --help for usage)\n`);
    process.exitCode = 2;
    return;
  }
  if (args.pcapDir) mkdirSync(args.pcapDir, { recursive: true });
  // With --tap, stdout is TAP alone; the usual lines go to stderr.
  const out = (text: string): void => {
    (args.tap ? process.stderr : process.stdout).write(text);
  };
  // -v interleaves nothing: traces of parallel scripts would be unreadable.
  const jobs = args.verbose ? 1 : args.jobs;
  if (!dryRun && jobs > availableParallelism()) {
    process.stderr.write(`pktdrill: -j ${jobs} is above the ${availableParallelism()} cores here; timing verdicts may be late\n`);
  }
  // On a terminal, one status line at the bottom says what is running.
  const tty = !args.tap && !args.verbose && process.stdout.isTTY === true;
  const running = new Set<string>();
  let done = 0;
  let total = 0;
  const status = (): void => {
    if (!tty) return;
    const names = [...running].map((f) => basename(f)).join(', ');
    process.stdout.write(`\r\x1b[K[${done}/${total}] running: ${names}`.slice(0, (process.stdout.columns || 80) + 4));
  };
  const label = (j: CorpusJob): string => (j.ipVersion ? `${j.file} [${j.ipVersion}]` : j.file);
  total = shardJobs(corpusJobs(files, args.ipVersions), args.shard).length;
  const results = await runCorpus(files, {
    options: args.options,
    verbose: args.verbose,
    dryRun,
    jobs,
    shard: args.shard,
    timingRetries: args.timingRetries,
    ipVersions: args.ipVersions,
    pcap: args.pcap ?? undefined,
    pcapDir: args.pcapDir ?? undefined,
    onTrace: args.verbose ? (f, t) => out(formatTrace(f, t) + '\n') : undefined,
    onStart: (j) => {
      running.add(label(j));
      status();
    },
    onResult: (r, j) => {
      running.delete(label(j));
      done++;
      if (tty) process.stdout.write('\r\x1b[K');
      out(formatResult(r) + '\n');
      if (args.verbose && r.status !== 'pass' && r.stderr?.trim()) {
        out(r.stderr.trim().split('\n').filter((l) => !/no IPv4 address assigned/.test(l)).map((l) => `  stderr| ${l}`).join('\n') + '\n');
      }
      status();
    },
  });
  if (tty) process.stdout.write('\r\x1b[K');
  if (results.length > 1 || args.shard) out(formatSummary(results) + '\n');
  if (args.tap) process.stdout.write(formatTap(results));
  if (args.junit) writeReport(args.junit, formatJunit(results));
  if (args.json) writeReport(args.json, formatJson(results));
  if (args.html) writeReport(args.html, formatHtml(results));
  if (process.exitCode !== 2) {
    process.exitCode = results.some((r) => r.status === 'error') ? 2 : results.some((r) => r.status === 'fail') ? 1 : 0;
  }
}
