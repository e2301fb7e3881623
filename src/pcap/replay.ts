// Verified replay: one recorded TCP flow becomes a script (pcap2pkt), the
// tool plays the recorded remote side against the local stack with the
// recorded timing, and the first place the kernel answers differently is
// reported like a script failure, with the trace's packet number.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runScriptFile, type RunOptions, type RunResult } from '../runner.js';
import { pcapFileToPkt, type PcapToPktOptions } from './pcap2pkt.js';
import { formatFailure } from '../report/text.js';

export interface ReplayOptions extends PcapToPktOptions {
  /**
   * A program to replay against instead of sockets the tool opens: started in
   * the namespace before the first packet (it must listen on the trace's
   * port); the script then makes no calls of its own.
   */
  server?: string;
  run?: RunOptions;
}

export interface ReplayResult {
  /** One clear line when the trace cannot be replayed at all. */
  error?: string;
  result?: RunResult;
  /** The generated script, for a look when something differs. */
  script?: string;
  /** Failure lines with the trace's packet numbers instead of script lines. */
  messages: string[];
  warnings: string[];
}

const CALL = /^(\S+)(\s+)(socket|setsockopt|bind|listen|accept|connect|read|write|readv|writev|send|recv|close|shutdown|fcntl)\(/;

/**
 * The script without its system calls, for replay against a program: a
 * removed call's relative time moves to the next event, so timing is kept.
 * Returns the new text and old line → new line.
 */
export function withoutCalls(script: string): { text: string; lineMap: Map<number, number> } {
  const out: string[] = [];
  const lineMap = new Map<number, number>();
  let carry = 0;
  script.split('\n').forEach((line, i) => {
    const m = CALL.exec(line);
    if (m) {
      const t = m[1]!;
      if (t.startsWith('+')) carry += Number(t.slice(1));
      return;
    }
    // An absolute time (a timer's window) needs no carry: it is not relative to what was removed.
    if (/^[0-9.]+(~[0-9.]+)?\s/.test(line)) carry = 0;
    const tm = /^(\+)([0-9.]+)(\s+)/.exec(line);
    if (tm && carry > 0) {
      const t = (Number(tm[2]) + carry).toFixed(6).replace(/0+$/, '').replace(/\.$/, '');
      line = `+${t}${tm[3]}${line.slice(tm[0].length)}`;
      carry = 0;
    }
    out.push(line);
    lineMap.set(i + 1, out.length);
  });
  return { text: out.join('\n'), lineMap };
}

export async function replayTrace(trace: string, opts: ReplayOptions = {}): Promise<ReplayResult> {
  const conv = await pcapFileToPkt(trace, { ...opts, source: opts.source ?? trace });
  if (!conv.ok) return { error: conv.error, messages: [], warnings: [] };
  let text = conv.value.script;
  let packetOfLine = new Map(conv.value.packetOfLine);
  if (opts.server) {
    const stripped = withoutCalls(text);
    const remapped = new Map<number, number>();
    for (const [oldLine, pkt] of packetOfLine) {
      const n = stripped.lineMap.get(oldLine);
      if (n !== undefined) remapped.set(n, pkt);
    }
    // The program goes first, in the background; the engine waits for its listener.
    const lines = stripped.text.split('\n');
    const firstEvent = lines.findIndex((l) => /^(0|\+|\d)/.test(l));
    lines.splice(firstEvent, 0, `\`${opts.server.replace(/`/g, '\\`')} &\``);
    text = lines.join('\n');
    packetOfLine = new Map([...remapped].map(([l, p]) => [l >= firstEvent + 1 ? l + 1 : l, p]));
  }
  const dir = mkdtempSync(join(tmpdir(), 'pktdrill-replay-'));
  const file = join(dir, 'replay.pkt');
  try {
    writeFileSync(file, text);
    const result = await runScriptFile(file, { commandDir: process.cwd(), ...opts.run });
    const messages: string[] = [];
    if (result.status === 'error') messages.push(`${trace}: ${(result.error ?? '').replace(`${file}:`, 'replay script line ')}`);
    for (const f of result.verdict?.failures ?? []) {
      const line = f.span?.line;
      const pkt = line !== undefined ? packetOfLine.get(line) : undefined;
      const where = pkt !== undefined ? `${trace}: packet ${pkt}` : line !== undefined ? `${trace}: replay script line ${line}` : trace;
      // packetdrill's text, with the trace's packet number for the script line.
      const text = formatFailure(file, f);
      messages.push(text.replace(line !== undefined ? `${file}:${line}` : file, where));
    }
    return { result, script: text, messages, warnings: conv.value.warnings };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
