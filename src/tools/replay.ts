// Verified replay: one recorded TCP flow becomes a script (pcap2pkt), the
// tool plays the recorded remote side against the local stack with the
// recorded timing, and the first place the kernel answers differently is
// reported like a script failure, with the trace's packet number.
//
// A big trace of many connections to one listener is replayed in parts
// (pcapFileToPktParts): cut where none of its connections is open, each
// part at least REPLAY_PART_PACKETS packets, each a script run in a fresh
// namespace of its own, one after the other, the first as soon as the trace
// is split. One script of them all would have to be parsed whole (twice:
// checked here, run in the sandbox) before its first packet: 17 s and 1.9 GB
// for the 555 560 packets of a 100 MB trace. What a part does not carry over
// from the one before: the kernel state that outlives a connection (TIME_WAIT
// sockets, cached route metrics, the listener itself) and the time between
// the parts' packets (the next part starts when its namespace is up).

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runScriptFile, type RunOptions, type RunResult } from '../runner.js';
import { pcapFileToPktParts, type PcapToPktOptions, type PcapToPktParts } from './pcap2pkt.js';
import { MAX_SCRIPT_BYTES } from '../script/source.js';
import { formatFailureAt } from '../report/text.js';
import { NO_SPAN, type CommandEvent, type Event, type EventTime, type PointTime, type Script } from '../script/ast.js';
import { parseScript } from '../script/parse.js';
import { printScript } from '../script/print.js';

export interface ReplayOptions extends PcapToPktOptions {
  /**
   * A program to replay against instead of sockets the tool opens: started in
   * the namespace before the first packet (it must listen on the trace's
   * port); the script then makes no calls of its own.
   */
  server?: string;
  run?: RunOptions;
  /** Packets a part of a listener's many flows holds at least (see the module comment). Default REPLAY_PART_PACKETS. */
  partPackets?: number;
  /** The largest script a part may be: a run reads no more (MAX_SCRIPT_BYTES, the default). */
  maxScriptBytes?: number;
}

/** A part's packets, at least: its script parses in about 0.5 s (twice: checked, then run). */
export const REPLAY_PART_PACKETS = 20_000;

export interface ReplayResult {
  /** One clear line when the trace cannot be replayed at all. */
  error?: string;
  result?: RunResult;
  /** The generated script (of the last part run), for a look when something differs. */
  script?: string;
  /** The parts the trace was replayed in, and how many of them ran. */
  parts?: { count: number; ran: number };
  /** Failure lines with the trace's packet numbers instead of script lines. */
  messages: string[];
  warnings: string[];
}

/** Moves a relative time later by `usecs`. */
function later<T extends PointTime>(t: T, usecs: number): T {
  return t.kind === 'relative' ? { ...t, usecs: t.usecs + usecs } : t;
}

/**
 * The script without its system calls, for replay against a program: a
 * removed call's relative time moves to the next timed event, so timing is
 * kept; an absolute time (a timer's window) needs no carry, as it is not
 * relative to what was removed. Events keep their source spans.
 */
export function withoutCalls(script: Script): Script {
  const events: Event[] = [];
  let carry = 0;
  for (const ev of script.events) {
    if (ev.kind === 'syscall') {
      const t = ev.time;
      const start = t.kind === 'range' || t.kind === 'blocking' ? t.start : t.kind === 'any' ? null : t;
      if (start?.kind === 'relative') carry += start.usecs;
      continue;
    }
    const t = ev.time;
    if (t === null || t.kind === 'any') {
      events.push(ev);
      continue;
    }
    const start = t.kind === 'range' || t.kind === 'blocking' ? t.start : t;
    if (start.kind === 'absolute' || carry === 0) {
      carry = 0;
      events.push(ev);
      continue;
    }
    const time: EventTime = t.kind === 'range' ? { ...t, start: later(t.start, carry), end: later(t.end, carry) } : t.kind === 'blocking' ? { ...t, start: later(t.start, carry) } : later(t, carry);
    events.push({ ...ev, time } as Event);
    carry = 0;
  }
  return { ...script, events };
}

/**
 * A part's script for replay against a program (`--server`): its calls
 * removed, the program started in the background before the first timed
 * event (the engine waits for its listener), printed; the packets' lines
 * follow the events to their printed lines.
 */
function againstServer(text: string, packetOfLine: ReadonlyMap<number, number>, server: string): { text: string; packetOfLine: Map<number, number> } {
  const parsed = parseScript(text, 'replay.pkt');
  if (!parsed.ok) throw new Error(`replay: the converted script does not parse: ${parsed.error.message}`);
  const script = withoutCalls(parsed.value);
  const firstTimed = script.events.findIndex((e) => e.time !== null);
  const start: CommandEvent = { kind: 'command', time: null, command: `${server.replace(/`/g, '\\`')} &`, span: NO_SPAN };
  const events = [...script.events];
  events.splice(firstTimed < 0 ? events.length : firstTimed, 0, start);
  const remapped = new Map<number, number>();
  events.forEach((ev, i) => {
    const pkt = ev === start ? undefined : packetOfLine.get(ev.span.line);
    // printScript writes the option lines, then one event a line.
    if (pkt !== undefined) remapped.set(script.options.length + i + 1, pkt);
  });
  return { text: printScript({ ...script, events }), packetOfLine: remapped };
}

/** `16 MiB`, `34.3 MiB`, `900 bytes`. */
function size(bytes: number): string {
  const m = bytes / (1024 * 1024);
  if (m < 1) return `${bytes} bytes`;
  return `${Number.isInteger(m) ? m : m.toFixed(1)} MiB`;
}

/**
 * Why part `k` cannot be replayed, and what to do: its script is larger than
 * a run reads, and a listener's flows are cut into parts only where none of
 * them is open.
 */
function tooBig(parts: PcapToPktParts, k: number, bytes: number, maxBytes: number): string {
  const over = `(a script may have ${size(maxBytes)})`;
  if (parts.listener === null) {
    return `too big to replay: ${parts.describe(k)} makes a script of ${size(bytes)} ${over}; replay a shorter piece of the trace (editcap -r TRACE PIECE.pcap 1-N)`;
  }
  const n = parts.flows(k);
  const what =
    parts.count === 1
      ? `its ${n} connection${n === 1 ? '' : 's'} to ${parts.listener} make one script of ${size(bytes)} ${over}, and there is no moment free of open connections to cut it into parts at`
      : `part ${k + 1} of ${parts.count} (${parts.describe(k)}) makes a script of ${size(bytes)} ${over}, and there is no moment free of open connections to cut it smaller at`;
  return `too big to replay: ${what}; replay one connection with --flow N or --port P`;
}

export async function replayTrace(trace: string, opts: ReplayOptions = {}): Promise<ReplayResult> {
  const conv = await pcapFileToPktParts(trace, { ...opts, source: opts.source ?? trace }, opts.partPackets ?? REPLAY_PART_PACKETS);
  if (!conv.ok) return { error: conv.error, messages: [], warnings: [] };
  const parts = conv.value;
  const maxBytes = opts.maxScriptBytes ?? MAX_SCRIPT_BYTES;
  const dir = mkdtempSync(join(tmpdir(), 'pktdrill-replay-'));
  const file = join(dir, 'replay.pkt');
  const warnings: string[] = [];
  const messages: string[] = [];
  let durationMs = 0;
  let ran = 0;
  let last: { result: RunResult; script: string } | null = null;
  try {
    for (let k = 0; k < parts.count; k++) {
      const part = parts.script(k);
      for (const w of part.warnings) if (!warnings.includes(w)) warnings.push(w);
      const { text, packetOfLine } = opts.server ? againstServer(part.script, part.packetOfLine, opts.server) : { text: part.script, packetOfLine: part.packetOfLine };
      const bytes = Buffer.byteLength(text);
      if (bytes > maxBytes) return { error: `${trace}: ${tooBig(parts, k, bytes, maxBytes)}`, parts: { count: parts.count, ran }, messages, warnings };
      writeFileSync(file, text);
      const result = await runScriptFile(file, { commandDir: process.cwd(), ...opts.run });
      durationMs += result.durationMs;
      ran++;
      last = { result, script: text };
      if (result.status === 'pass') continue;
      const script = parts.count > 1 ? `replay script (part ${k + 1} of ${parts.count}: ${parts.describe(k)})` : 'replay script';
      if (result.status === 'error') {
        const at = result.errorLine !== undefined ? `${script} line ${result.errorLine}` : script;
        messages.push(`${trace}: ${at}: ${result.errorMessage ?? result.error ?? ''}`);
      }
      for (const f of result.verdict?.failures ?? []) {
        const line = f.span?.line;
        const pkt = line !== undefined ? packetOfLine.get(line) : undefined;
        const where = pkt !== undefined ? `${trace}: packet ${pkt}` : line !== undefined ? `${trace}: ${script} line ${line}` : trace;
        // packetdrill's text, with the trace's packet number for the script line.
        messages.push(formatFailureAt(where, f));
      }
      break;
    }
    return {
      result: { ...last!.result, durationMs },
      script: last!.script,
      parts: { count: parts.count, ran },
      messages,
      warnings,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
