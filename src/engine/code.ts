// packetdrill's `%{ python }%` code blocks.
//
// packetdrill's model (its code.c), kept here: when a code event's time
// comes, the tool reads TCP_INFO (and TCP_CC_INFO, SO_MEMINFO) of the
// "socket under test" -- the socket the last socket() made or accept()
// returned -- and keeps that snapshot with the block's text. Nothing runs
// yet. When the script's events are all done, every snapshot is written out
// as Python assignments (`tcpi_snd_cwnd = 10`), each followed by its block,
// into one file that `python3` runs. A failing assertion therefore fails the
// script at its end, naming the block's line (the line of its time, as
// packetdrill's exception hook prints it), not the failing statement's: the
// traceback, mapped to the script's lines, says which statement it was.
//
//   const code = new CodeBlocks(sys, file);
//   ... at a code event:   const m = code.snapshot(ev, fds.socketUnderTest)  // error text or null
//   ... after all events:  const f = await code.execute(dirname(file))        // CodeFailure or null

import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { CodeEvent, Span } from '../script/ast.js';
import { decodeStruct, type FieldLayout, type Syscalls } from './calls.js';

/** A code block that failed when the blocks ran. */
export interface CodeFailure {
  /** The failing block's line: the line of its time, where packetdrill reports it. */
  line: number;
  /** The script line of the failing statement, when Python named one. */
  statementLine: number | null;
  /** `error in Python code: AssertionError: ...` */
  message: string;
  /** Python's own last line (`AssertionError: ...`), when the message is Python's. */
  pythonError?: string;
  /** Python's traceback with lines mapped to the script, and packetdrill's closing line. */
  detail?: string;
}

/** What a snapshot or a run could not do (packetdrill's wording). */
export class CodeError extends Error {}

type Vars = Array<[string, number | bigint]>;

/** getsockopt buffer for struct tcp_info (the kernel returns what it has, up to this). */
const TCP_INFO_BYTES = 512;
/** Room for any TCP_CC_INFO struct (bbr's is the largest, 20 bytes). */
const CC_INFO_BYTES = 64;

/** The symbols packetdrill defines before each snapshot (kernel ABI values). */
const SYMBOLS: Array<[string, number]> = [
  ['TCP_ESTABLISHED', 1],
  ['TCP_SYN_SENT', 2],
  ['TCP_SYN_RECV', 3],
  ['TCP_FIN_WAIT1', 4],
  ['TCP_FIN_WAIT2', 5],
  ['TCP_TIME_WAIT', 6],
  ['TCP_CLOSE', 7],
  ['TCP_CLOSE_WAIT', 8],
  ['TCP_LAST_ACK', 9],
  ['TCP_LISTEN', 10],
  ['TCP_CLOSING', 11],
  ['TCP_CA_Open', 0],
  ['TCP_CA_Disorder', 1],
  ['TCP_CA_CWR', 2],
  ['TCP_CA_Recovery', 3],
  ['TCP_CA_Loss', 4],
  ['TCPI_OPT_TIMESTAMPS', 1],
  ['TCPI_OPT_SACK', 2],
  ['TCPI_OPT_WSCALE', 4],
  ['TCPI_OPT_ECN', 8],
  ['TCPI_OPT_ECN_SEEN', 16],
  ['TCPI_OPT_SYN_DATA', 32],
  ['TCPI_OPT_USEC_TS', 64],
  ['TCPI_OPT_TFO_CHILD', 128],
];

const MEMINFO = ['RMEM_ALLOC', 'RCVBUF', 'WMEM_ALLOC', 'SNDBUF', 'FWD_ALLOC', 'WMEM_QUEUED', 'OPTMEM', 'BACKLOG', 'DROPS'];

function symbols(consts: Record<string, number> | undefined): Vars {
  return SYMBOLS.map(([name, dflt]) => [name, consts?.[name] ?? dflt]);
}

function layoutOf(sys: Syscalls, name: string): Readonly<Record<string, FieldLayout>> | undefined {
  return sys.layouts?.[name]?.fields ?? (name === 'tcp_info' ? sys.tcp_info_layout : undefined);
}

function getsockopt(sys: Syscalls, fd: number, level: string, name: string, len: number): Buffer | null {
  const lv = sys.constants[level];
  const nm = sys.constants[name];
  if (lv === undefined || nm === undefined) return null;
  const r = sys.invoke('getsockopt', [fd, lv, nm, len]);
  if (r.ret < 0 || !r.data) return null;
  return r.data;
}

/** struct tcp_info of a live socket, member by member; throws CodeError if getsockopt fails. */
export function tcpInfoOf(sys: Syscalls, liveFd: number): Record<string, number | bigint> {
  const layout = layoutOf(sys, 'tcp_info');
  const data = getsockopt(sys, liveFd, 'SOL_TCP', 'TCP_INFO', TCP_INFO_BYTES);
  if (!layout || !data) throw new CodeError("can't find getsockopt to get TCP info");
  return decodeStruct(data, layout);
}

/** The variables packetdrill emits for TCP_CC_INFO: each struct whose members the returned length covers. */
function ccInfoVars(sys: Syscalls, data: Buffer): Vars {
  const out: Vars = [];
  const covers = (fields: Readonly<Record<string, FieldLayout>> | undefined, last: string): boolean =>
    !!fields?.[last] && data.length >= fields[last]!.offset + fields[last]!.size;
  const bbr = layoutOf(sys, 'tcp_bbr_info');
  if (covers(bbr, 'bbr_cwnd_gain')) {
    const v = decodeStruct(data, bbr!);
    out.push(['bbr_bw_lo', v.bbr_bw_lo!], ['bbr_bw_hi', v.bbr_bw_hi!]);
    out.push(['bbr_bw', (BigInt(v.bbr_bw_hi!) << 32n) + BigInt(v.bbr_bw_lo!)]);
    out.push(['bbr_min_rtt', v.bbr_min_rtt!], ['bbr_pacing_gain', v.bbr_pacing_gain!], ['bbr_cwnd_gain', v.bbr_cwnd_gain!]);
  }
  const dctcp = layoutOf(sys, 'tcp_dctcp_info');
  if (covers(dctcp, 'dctcp_ab_tot')) {
    const v = decodeStruct(data, dctcp!);
    for (const n of ['dctcp_enabled', 'dctcp_ce_state', 'dctcp_alpha', 'dctcp_ab_ecn', 'dctcp_ab_tot']) out.push([n, v[n]!]);
  }
  const vegas = layoutOf(sys, 'tcpvegas_info');
  if (covers(vegas, 'tcpv_minrtt')) {
    const v = decodeStruct(data, vegas!);
    // packetdrill's names for the last two.
    out.push(['tcpv_enabled', v.tcpv_enabled!], ['tcpv_rttcnt', v.tcpv_rttcnt!], ['tcp_rtt', v.tcpv_rtt!], ['tcp_minrtt', v.tcpv_minrtt!]);
  }
  return out;
}

/** Everything packetdrill records at a code event, as Python variables, in its order. */
function snapshotVars(sys: Syscalls, liveFd: number): Vars {
  const info = tcpInfoOf(sys, liveFd);
  const vars: Vars = [...symbols(sys.constants), ...Object.entries(info)];
  const cc = getsockopt(sys, liveFd, 'SOL_TCP', 'TCP_CC_INFO', CC_INFO_BYTES);
  if (!cc) throw new CodeError("can't find getsockopt to get TCP_CC_INFO");
  vars.push(...ccInfoVars(sys, cc));
  const n = sys.constants.SK_MEMINFO_VARS ?? MEMINFO.length;
  const mem = getsockopt(sys, liveFd, 'SOL_SOCKET', 'SO_MEMINFO', 4 * n);
  if (!mem) throw new CodeError("can't find getsockopt to get sk_meminfo");
  for (const name of MEMINFO) {
    const i = sys.constants[`SK_MEMINFO_${name}`] ?? MEMINFO.indexOf(name);
    if (4 * i + 4 <= mem.length) vars.push([`SK_MEMINFO_${name}`, mem.readUInt32LE(4 * i)]);
  }
  return vars;
}

// ---------------------------------------------------------------- the Python file

interface Fragment {
  vars: Vars;
  code: string;
  /** The block's line: its event's (the line of its time). */
  line: number;
  /** Script line of the block's first code line (for mapping Python's line numbers). */
  codeLine: number;
}

/** The hook that makes an uncaught exception name the script's file and block line first. */
const PREAMBLE = [
  'import sys',
  'import traceback',
  'def _pktdrill_excepthook(etype, value, tb):',
  '    sys.stderr.write("%s:%d: error in Python code\\n" % (_file, _line))',
  '    traceback.print_exception(etype, value, tb)',
  'sys.excepthook = _pktdrill_excepthook',
  '',
];

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A Python string literal (JSON's escapes are Python's). */
function pyString(s: string): string {
  return JSON.stringify(s);
}

interface Program {
  text: string;
  /** For each fragment: the file line its code starts on (1-based) and how many lines it has. */
  spans: Array<{ start: number; lines: number; fragment: Fragment }>;
}

function program(file: string, fragments: Fragment[]): Program {
  const lines = [...PREAMBLE];
  const spans: Program['spans'] = [];
  for (const f of fragments) {
    for (const [name, value] of f.vars) lines.push(`${name} = ${value}`);
    lines.push('');
    lines.push(`_file = ${pyString(file)}`);
    lines.push(`_line = ${f.line}`);
    const codeLines = f.code.split('\n');
    spans.push({ start: lines.length + 1, lines: codeLines.length, fragment: f });
    lines.push(...codeLines, '', '');
  }
  return { text: lines.join('\n'), spans };
}

interface PythonRun {
  status: number | null;
  signal: NodeJS.Signals | null;
  output: string;
  error?: Error;
}

function runPython(command: string, path: string, cwd: string): Promise<PythonRun> {
  return new Promise((resolve) => {
    // Through the shell, as packetdrill's system("<code_command> <file>").
    const child = spawn('sh', ['-c', `${command} "$1"`, 'sh', path], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const take = (b: Buffer): void => {
      if (output.length < 1 << 20) output += b.toString('utf8');
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.on('error', (error) => resolve({ status: null, signal: null, output, error }));
    child.on('close', (status, signal) => resolve({ status, signal, output }));
  });
}

/**
 * Turn Python's complaint into a failure: the last traceback line that is in
 * the generated file names the statement; its line maps back to the script.
 */
function failureOf(file: string, path: string, prog: Program, run: PythonRun, command: string): CodeFailure {
  const status = run.error
    ? `error running '${command}': ${run.error.message}`
    : run.signal
      ? `'${command}' got signal ${run.signal}`
      : `'${command}' returned non-zero status ${run.status}`;
  // The last place in the generated file that the traceback names.
  const found: { line: number | null; fragment: Fragment | null } = { line: null, fragment: null };
  const where = new RegExp(`File "${escapeRegExp(path)}", line (\\d+)`, 'g');
  const shown = run.output.replace(where, (_m, n: string) => {
    const at = Number(n);
    const s = prog.spans.find((sp) => at >= sp.start && at < sp.start + sp.lines);
    if (!s) return `File "${basename(path)}", line ${n}`;
    found.line = s.fragment.codeLine + (at - s.start);
    found.fragment = s.fragment;
    return `File "${file}", line ${found.line}`;
  });
  const lines = run.output.split('\n').filter((l) => l.trim() !== '');
  const last = lines.length ? lines[lines.length - 1]!.trim() : '';
  // The block line packetdrill's hook printed (the block that was running);
  // without it (a syntax error stops Python before any block runs), the
  // block holding the statement Python named, else the last block.
  const hook = /^.*:(\d+): error in Python code$/m.exec(run.output);
  const line = hook ? Number(hook[1]) : (found.fragment?.line ?? prog.spans[prog.spans.length - 1]?.fragment.line ?? 0);
  // Python's own complaint (a traceback, or a syntax error naming the file),
  // else only the exit status says what went wrong.
  const fromPython = !run.error && (found.line !== null || hook !== null || /^Traceback \(most recent call last\):$/m.test(run.output));
  const what = fromPython && last ? `error in Python code: ${last}` : `error executing code: ${status}`;
  return { line, statementLine: found.line, message: what, pythonError: fromPython && last ? last : undefined, detail: `${shown.trimEnd()}\n${file}: error executing code: ${status}`.trim() };
}

async function runProgram(file: string, prog: Program, cwd: string, command: string): Promise<{ failure: CodeFailure | null; output: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'pktdrill-code-'));
  const path = join(dir, 'code.py');
  try {
    writeFileSync(path, prog.text);
    const run = await runPython(command, path, cwd);
    if (!run.error && run.status === 0) return { failure: null, output: run.output };
    return { failure: failureOf(file, path, prog, run, command), output: run.output };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The script line the code after `%{` starts on. */
function codeStartLine(source: string | null, span: Span): number {
  if (source === null) return span.line;
  const lines = source.split('\n');
  let offset = 0;
  for (let i = 0; i < span.line - 1 && i < lines.length; i++) offset += lines[i]!.length + 1;
  offset += span.column - 1;
  const open = source.indexOf('%{', offset);
  if (open < 0) return span.line;
  let line = span.line;
  for (let i = offset; i < open; i++) if (source[i] === '\n') line++;
  // The grammar strips spaces and tabs after `%{`, not newlines: the code's
  // first line is the rest of the `%{` line.
  return line;
}

// ---------------------------------------------------------------- the API

/**
 * Run one block now with these tcp_info values (null: none) and
 * packetdrill's symbols defined, in `cwd`. Null when it ran cleanly; else
 * `error in Python code (line N of the block): <Python's last line>`, or
 * `error executing code: 'python3' returned non-zero status N` when Python
 * itself said nothing (an exit status, a missing interpreter).
 */
export async function runCodeBlock(
  code: string,
  tcpInfo: Record<string, number | bigint> | null,
  cwd: string,
  opts: { command?: string; constants?: Record<string, number> } = {},
): Promise<string | null> {
  const fragment: Fragment = { vars: [...symbols(opts.constants), ...Object.entries(tcpInfo ?? {})], code, line: 1, codeLine: 1 };
  const prog = program('code', [fragment]);
  const { failure } = await runProgram('code', prog, cwd, opts.command ?? 'python3');
  if (!failure) return null;
  return failure.pythonError !== undefined ? `error in Python code (line ${failure.statementLine ?? 1} of the block): ${failure.pythonError}` : failure.message;
}

/** The code blocks of one script run: snapshots as their times come, Python at the end. */
export class CodeBlocks {
  private readonly fragments: Fragment[] = [];
  private source: string | null | undefined;
  /** What Python printed on its last run (for -v). */
  output = '';

  constructor(
    private readonly sys: Syscalls,
    private readonly file: string,
    private readonly opts: { command?: string; source?: string } = {},
  ) {}

  /** Whether any block waits to run. */
  get pending(): boolean {
    return this.fragments.length > 0;
  }

  /**
   * At the block's time: record the socket under test's state with the
   * block. Returns packetdrill's error text, or null.
   */
  snapshot(ev: CodeEvent, liveFd: number | null): string | null {
    if (liveFd === null) return 'runtime error in code: no socket to use for code';
    let vars: Vars;
    try {
      vars = snapshotVars(this.sys, liveFd);
    } catch (e) {
      if (e instanceof CodeError) return `runtime error in code: ${e.message}`;
      throw e;
    }
    this.fragments.push({ vars, code: ev.code, line: ev.span.line, codeLine: codeStartLine(this.sourceText(), ev.span) });
    return null;
  }

  /** After the last event: run every block, in order, in one Python process. */
  async execute(cwd: string): Promise<CodeFailure | null> {
    if (this.fragments.length === 0) return null;
    const prog = program(this.file, this.fragments);
    const { failure, output } = await runProgram(this.file, prog, cwd, this.opts.command ?? 'python3');
    this.output = output;
    return failure;
  }

  private sourceText(): string | null {
    if (this.source === undefined) {
      if (this.opts.source !== undefined) this.source = this.opts.source;
      else {
        try {
          this.source = readFileSync(this.file, 'utf8');
        } catch {
          this.source = null;
        }
      }
    }
    return this.source;
  }
}
