// Running one script from the outside: parse and check it here (bad input
// never reaches a namespace), then run it in a sandboxed process of its own
// and collect its verdict.

import type { ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import type { ChildJob } from './sandbox/child.js';
import { fileURLToPath } from 'node:url';
import { parseScript } from './script/parse.js';
import { readScriptSource } from './script/source.js';
import { checkScript, checkSymbols, MAX_TIMELINE_SECS } from './script/check.js';
import { CallError, Evaluator, type Syscalls } from './engine/calls.js';
import { KERNEL_CALLS } from './engine/kernel-calls.js';
import { native, nativeAvailable } from './syscalls/index.js';
import { timerMs } from './engine/clock.js';
import type { Expr, Script } from './script/ast.js';
import { formatSourceError, formatSourceErrorMessage, sourceErrorWhere, type SourceError } from './script/errors.js';
import type { RunConfig } from './engine/config.js';
import { applyOption, finishConfig, newConfig } from './engine/options.js';
import type { TraceEntry, Verdict } from './engine/verdict.js';
import { adoptSandbox, holdSandbox, SANDBOX_SETUP_REFUSED, spawnSandbox, spawnWaitingSandbox, takeEarlySandbox } from './sandbox/spawn.js';
import { childUsage, mark, marks } from './phases.js';

export type RunStatus = 'pass' | 'fail' | 'error';

export interface RunResult {
  file: string;
  status: RunStatus;
  /** For 'error': one clear line (file:line:col: what; expected what) and maybe the source line. */
  error?: string;
  /** The script line `error` is about, when it is about one (reports take it from here, not from the text). */
  errorLine?: number;
  /** `error` without the `file:line:col: ` it starts with (reports' headlines take it from here, not from the text). */
  errorMessage?: string;
  verdict?: Verdict;
  /** What the script's process wrote to stderr (libpcap warnings, crashes). */
  stderr?: string;
  /** The run's capture, when one was written. */
  pcap?: string;
  /** The address family of this run when a corpus runs in several. */
  variant?: string;
  durationMs: number;
  /**
   * The failures of earlier runs of this script that failed on timing alone
   * and were run again (RunOptions.timingRetries), oldest first.
   */
  timingRetried?: string[];
}

export interface RunOptions {
  /** `--name[=value]` options from the command line; they win over the script's. */
  options?: Array<{ name: string; value: string | null }>;
  verbose?: boolean;
  onTrace?: (file: string, t: TraceEntry) => void;
  /** Parse and check only. */
  dryRun?: boolean;
  /** Write the run's capture (every frame both ways) to this file. */
  pcap?: string;
  /** Where the script's commands run (default: the script's directory). */
  commandDir?: string;
  /** Keep a failing run's capture in this directory (default: the system's temp dir; null: keep none). */
  keepFailedPcapIn?: string | null;
  /**
   * Start the sandbox of the next script while this one runs (a corpus, with
   * a core to spare); it waits for its job (prestartSandbox).
   */
  prestart?: boolean;
  /**
   * Run a script again when it failed on timing alone (every failure a
   * `timing error`), up to this many times: a shared or virtual machine can
   * stall a process for milliseconds now and then (steal time), which says
   * nothing about the kernel under test. Default: PKTDRILL_TIMING_RETRIES
   * from the environment, else 0.
   */
  timingRetries?: number;
}

/** Whether every failure of a run is a timing error (and there is one). */
export function failedOnTimingAlone(r: RunResult): boolean {
  const fs = r.status === 'fail' ? (r.verdict?.failures ?? []) : [];
  return fs.length > 0 && fs.every((f) => f.kind === 'timing');
}

export interface PreparedScript {
  file: string;
  source: string;
  script: Script;
  config: RunConfig;
}

/** An error's text (`where: message`) and its message alone; `line`: the script line it is about. */
interface RunError {
  readonly error: string;
  readonly message: string;
  readonly line?: number;
}

/** The error `message` at `where` (`a.pkt`, `a.pkt:3`, `a.pkt:3:12`). */
function errorAt(where: string, message: string, line?: number): RunError {
  return line === undefined ? { error: `${where}: ${message}`, message } : { error: `${where}: ${message}`, message, line };
}

/** Source errors, one after the other, about the first one's line. */
function sourceErrors(errors: readonly SourceError[], source: string): RunError {
  const [first, ...rest] = errors;
  const more = rest.map((e) => `\n${formatSourceError(e, source)}`).join('');
  const message = formatSourceErrorMessage(first!, source) + more;
  return { error: `${sourceErrorWhere(first!)}: ${message}`, message, line: first!.span.line };
}

function errorResult(file: string, e: RunError, started: number): RunResult {
  const r: RunResult = { file, status: 'error', error: e.error, errorMessage: e.message, durationMs: Date.now() - started };
  if (e.line !== undefined) r.errorLine = e.line;
  return r;
}

/** Parse, check and configure a script; an error line on bad input. */
export function prepareScript(file: string, opts: RunOptions = {}): { ok: true; value: PreparedScript } | ({ ok: false } & RunError) {
  const read = readScriptSource(file);
  if (!read.ok) return { ok: false, ...errorAt(file, read.error) };
  const source = read.value;
  const parsed = parseScript(source, file);
  if (!parsed.ok) return { ok: false, ...sourceErrors([parsed.error], source) };
  let problems: SourceError[];
  try {
    problems = checkScript(parsed.value, file);
  } catch (e) {
    // A checker bug still gives this file its own result line.
    return { ok: false, ...errorAt(`${file}:1:1`, `internal error in the checks: ${e instanceof Error ? e.message : String(e)}`, 1) };
  }
  if (problems.length > 0) return { ok: false, ...sourceErrors(problems, source) };
  const cfg = newConfig();
  const explicit = new Set<string>();
  for (const o of parsed.value.options) {
    const err = applyOption(cfg, o.name, o.value, explicit);
    if (err) return { ok: false, ...sourceErrors([{ file, span: o.span, message: err }], source) };
  }
  for (const o of opts.options ?? []) {
    const err = applyOption(cfg, o.name, o.value, explicit);
    // About the command line, not the file: the whole text is the message.
    if (err) return { ok: false, error: `pktdrill: ${err}`, message: `pktdrill: ${err}` };
  }
  finishConfig(cfg, explicit);
  const unknown = unknownSymbols(parsed.value, file, cfg.defines);
  if (unknown.length > 0) return { ok: false, ...sourceErrors(unknown, source) };
  if (opts.commandDir) cfg.commandDir = resolve(opts.commandDir);
  if (cfg.seed === 0) cfg.seed = (Math.random() * 2 ** 32) >>> 0;
  if (cfg.defaultRemotePort === 0) cfg.defaultRemotePort = 40000 + (cfg.seed % 20000);
  return { ok: true, value: { file, source, script: parsed.value, config: cfg } };
}

/** The capture the script's process wrote (or kept) from `started` on, if
 * any: a script stopped at its deadline still names what it left behind. */
function captureWrittenSince(job: ChildJob, seed: number, started: number): string | undefined {
  const path = job.pcap ?? (job.keepFailedPcapIn ? join(job.keepFailedPcapIn, `${basename(job.file, '.pkt')}-${seed}.pcap`) : null);
  try {
    return path && statSync(path).mtimeMs >= started - 1000 ? path : undefined;
  } catch {
    return undefined;
  }
}

/** Names in call arguments the run could not resolve, by the run's own
 * Evaluator (the addon's constants and -D defines); none without the addon. */
function unknownSymbols(script: Script, file: string, defines: Record<string, string>): SourceError[] {
  if (!nativeAvailable()) return [];
  const sys = native();
  const evalr = new Evaluator({ constants: sys.constants } as unknown as Syscalls, defines);
  const resolves = (e: Expr): boolean => {
    try {
      evalr.value(e);
      return true;
    } catch (err) {
      if (err instanceof CallError) return false;
      throw err;
    }
  };
  return checkSymbols(script, file, resolves, [...Object.keys(sys.constants), ...Object.keys(defines)], KERNEL_CALLS);
}

/**
 * The child's verdict as the parent may rely on it: the script's process is
 * another program whose JSON is checked at this boundary, so a malformed
 * failure (a message that is not text) becomes a readable one for this
 * script instead of an internal error that ends the whole run.
 */
export function wellFormedVerdict(v: unknown, file: string, seed: number): Verdict {
  const bad = (what: string): Verdict => ({
    file,
    passed: false,
    failures: [{ kind: 'setup', span: null, message: `internal error: the script's process sent ${what}` }],
    trace: [],
    durationMs: 0,
    seed,
  });
  if (typeof v !== 'object' || v === null) return bad('no verdict');
  const verdict = v as Verdict;
  if (!Array.isArray(verdict.failures)) return bad('a verdict without failures');
  verdict.failures = verdict.failures.map((f) => {
    if (typeof f !== 'object' || f === null) return { kind: 'setup', span: null, message: `internal error: the script's process sent the failure ${JSON.stringify(f)}` };
    if (typeof f.message !== 'string') {
      return { ...f, message: `internal error: a failure whose message is not text: ${JSON.stringify(f.message) ?? String(f.message)}` };
    }
    return f;
  });
  if (!Array.isArray(verdict.trace)) verdict.trace = [];
  verdict.passed = verdict.passed === true && verdict.failures.length === 0;
  return verdict;
}

/** Roughly how long a script runs, in seconds: the sum of its times. */
export function estimateSeconds(script: Script): number {
  let t = 0;
  for (const ev of script.events) {
    const time = ev.time;
    if (!time) continue;
    switch (time.kind) {
      case 'absolute':
        t = Math.max(t, time.usecs / 1e6);
        break;
      case 'relative':
        t += time.usecs / 1e6;
        break;
      case 'range':
        t = time.end.kind === 'absolute' ? Math.max(t, time.end.usecs / 1e6) : t + time.end.usecs / 1e6;
        break;
      case 'blocking':
        t = time.end.kind === 'absolute' && time.start.kind === 'absolute' ? Math.max(t, time.end.usecs / 1e6) : t + time.end.usecs / 1e6;
        break;
      case 'any':
        t += 1;
        break;
    }
  }
  return t;
}

/**
 * A sandbox started ahead for a corpus' next script: its process starts
 * Node and loads its program while the current script runs (on a core the
 * corpus leaves free), then takes its job on stdin when its turn comes, so
 * that start (about 85 ms a script, bench/RESULTS.md) leaves the corpus'
 * critical path. It is started once the current script's clock runs (its
 * first 'at' message), not with it, so the two starts do not overlap.
 */
let spare: ChildProcess | null = null;

/** Start a sandbox for the next script now, unless one is waiting already. */
export function prestartSandbox(): void {
  if (spare && spare.exitCode === null && spare.signalCode === null) return;
  spare = spawnWaitingSandbox();
}

/** The waiting sandbox, if any, goes (a corpus' end). */
export function discardSpareSandbox(): void {
  spare?.kill('SIGKILL');
  spare = null;
}

/** Ours, or the one bin/pktdrill.js started before the CLI was loaded, if it still lives. */
function takeSpare(): ChildProcess | null {
  const c = spare ?? takeEarlySandbox();
  spare = null;
  return adoptSandbox(c);
}

let runCounter = 0;

/** CPU time the hypervisor took from this machine so far (steal), in ms; null where /proc/stat does not say. */
function stealMs(): number | null {
  try {
    const cpu = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/);
    const ticks = Number(cpu[8]);
    return Number.isFinite(ticks) ? ticks * 10 : null; // USER_HZ is 100 on Linux
  } catch {
    return null;
  }
}

/** A run, with a note on a timing failure when the machine lost CPU time to its hypervisor meanwhile. */
async function runNotingSteal(file: string, opts: RunOptions): Promise<RunResult> {
  const before = stealMs();
  const r = await runScriptOnce(file, opts);
  const after = stealMs();
  const timing = r.verdict?.failures.find((f) => f.kind === 'timing');
  if (timing && before !== null && after !== null && after > before) {
    const note = `while this script ran, the machine lost ${after - before} ms of CPU time to its hypervisor (steal time, all CPUs): a late event may be the machine's, not the kernel's`;
    timing.detail = timing.detail ? `${timing.detail}\n${note}` : note;
  }
  return r;
}

/** Run one script in its own namespaces (again, on timing alone, as opts.timingRetries says). Never throws on bad input. */
export async function runScriptFile(file: string, opts: RunOptions = {}): Promise<RunResult> {
  const retries = opts.timingRetries ?? (Number(process.env.PKTDRILL_TIMING_RETRIES) || 0);
  let r = await runNotingSteal(file, opts);
  const earlier: string[] = [];
  while (earlier.length < retries && failedOnTimingAlone(r)) {
    earlier.push(r.verdict!.failures.map((f) => (f.span ? `${file}:${f.span.line}: ${f.message}` : f.message)).join('\n'));
    r = await runNotingSteal(file, opts);
  }
  if (earlier.length) r.timingRetried = earlier;
  return r;
}

async function runScriptOnce(file: string, opts: RunOptions): Promise<RunResult> {
  const started = Date.now();
  const prep = prepareScript(file, opts);
  mark('parent: script checked');
  if (!prep.ok) return errorResult(file, prep, started);
  if (opts.dryRun || (opts.options ?? []).some((o) => o.name === 'dry_run')) {
    return { file, status: 'pass', durationMs: Date.now() - started };
  }
  const { config, script } = prep.value;
  const deadlineSecs = config.deadlineSecs || Math.min(30 + 3 * MAX_TIMELINE_SECS, Math.ceil(30 + 3 * estimateSeconds(script)));
  const job: ChildJob = {
    runId: process.pid * 1000 + (runCounter++ % 1000),
    file,
    config,
    verbose: !!opts.verbose,
    pcap: opts.pcap ? resolve(opts.pcap) : null,
    keepFailedPcapIn: opts.keepFailedPcapIn === undefined ? tmpdir() : opts.keepFailedPcapIn,
  };
  return new Promise<RunResult>((done) => {
    let child: ChildProcess;
    try {
      const ready = takeSpare();
      if (ready) {
        ready.stdin!.end(`${JSON.stringify(job)}\n`);
        child = ready;
      } else {
        child = spawnSandbox([JSON.stringify(job)]);
      }
      mark('parent: sandbox spawned');
    } catch (e) {
      done(errorResult(file, errorAt(file, `cannot start the sandbox: ${(e as Error).message}`), started));
      return;
    }
    let stderr = '';
    let buf = '';
    let verdict: Verdict | undefined;
    let timedOut = false;
    let at: { line: number; what: string } | null = null;
    let prestarted = false;
    child.stdout!.on('data', (b: Buffer) => (stderr += b.toString()));
    child.stderr!.on('data', (b: Buffer) => {
      if (stderr.length < 1 << 16) stderr += b.toString();
    });
    const out = child.stdio[3] as NodeJS.ReadableStream;
    out.on('data', (b: Buffer) => {
      buf += b.toString();
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        try {
          const msg = JSON.parse(line) as { type: string; entry?: TraceEntry; verdict?: Verdict; line?: number; what?: string; phases?: Array<[string, number]>; maxRssKb?: number; cpuUs?: number };
          if (msg.type === 'at') {
            at = { line: msg.line!, what: msg.what! };
            // The script's clock runs: its start-up is over, the next sandbox may start.
            if (opts.prestart && !prestarted) {
              prestarted = true;
              prestartSandbox();
            }
          }
          else if (msg.type === 'trace' && msg.entry) opts.onTrace?.(file, msg.entry);
          else if (msg.type === 'verdict') {
            mark('parent: verdict received');
            if (Array.isArray(msg.phases)) marks.push(...msg.phases);
            if (typeof msg.maxRssKb === 'number') childUsage.push({ maxRssKb: msg.maxRssKb, cpuUs: msg.cpuUs ?? 0 });
            verdict = wellFormedVerdict(msg.verdict, file, config.seed);
            // Answer now: the namespaces' teardown (tens of ms in the kernel)
            // finishes in the background while the next script starts.
            clearTimeout(timer);
            settle(fromVerdict(verdict!));
            // Nor does pktdrill's own exit wait for it (40 ms of a one-call
            // script, bench/RESULTS.md): the script's process has nothing
            // left to say, and it dies with its launcher when pktdrill exits.
            release();
          }
        } catch {
          stderr += line + '\n';
        }
      }
    });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timerMs(deadlineSecs * 1000));
    child.on('error', (e) => {
      clearTimeout(timer);
      done(errorResult(file, errorAt(file, `cannot start the sandbox: ${e.message}`), started));
    });
    const release = (): void => holdSandbox(child, false);
    let settled = false;
    const settle = (r: RunResult): void => {
      if (settled) return;
      settled = true;
      done(r);
    };
    const fromVerdict = (v: Verdict): RunResult => {
      const setup = v.failures.find((f) => f.kind === 'setup' && f.span === null);
      return {
        file,
        status: v.passed ? 'pass' : setup ? 'error' : 'fail',
        error: setup ? `${file}: ${setup.message}` : undefined,
        errorMessage: setup?.message,
        verdict: v,
        stderr,
        pcap: v.pcap,
        durationMs: Date.now() - started,
      };
    };
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (settled) return;
      const durationMs = Date.now() - started;
      if (timedOut) {
        const late = at
          ? errorAt(`${file}:${at.line}`, `script still running after its deadline of ${deadlineSecs} s, at ${at.what} (a call that never returns? set --deadline=N)`, at.line)
          : errorAt(file, `script still running after its deadline of ${deadlineSecs} s (set --deadline=N)`);
        settle({
          ...errorResult(file, late, started),
          verdict: {
            file,
            passed: false,
            failures: [{ kind: 'deadline', span: null, message: `script still running after its deadline of ${deadlineSecs} s (set --deadline=N)` }],
            trace: [],
            durationMs,
            seed: config.seed,
          },
          stderr,
          durationMs,
          pcap: captureWrittenSince(job, config.seed, started),
        });
        return;
      }
      if (!verdict) {
        const last = stderr.trim().split('\n').pop() ?? '';
        const why = code === SANDBOX_SETUP_REFUSED
          ? `${last} (pktdrill needs root, or unprivileged user namespaces)`
          : `the script's process ended (${signal ?? `exit ${code}`}) without a verdict${last ? `: ${last}` : ''}`;
        settle(errorResult(file, errorAt(file, `sandbox: ${why}`), started));
        return;
      }
      settle(fromVerdict(verdict));
    });
  });
}
