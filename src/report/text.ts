// Plain text: one result line per script, packetdrill's failure text below a
// failing one, and a closing `N passed, M failed` line.

import type { RunResult } from '../runner.js';
import type { Failure, PacketView, TraceEntry } from '../engine/verdict.js';
import { renderPacket, secs } from '../engine/render.js';

function packetLine(label: string, p: PacketView): string {
  return `${label} packet: ${secs(p.timeUsecs).padStart(9)} ${renderPacket(p)}`;
}

/** packetdrill's shape: `file:line: message`, then the packets. */
export function formatFailure(file: string, f: Failure): string {
  return formatFailureAt(f.span ? `${file}:${f.span.line}` : file, f);
}

/** `formatFailure` with its place said by the caller (replay: `trace.pcap: packet 7`). */
export function formatFailureAt(where: string, f: Failure): string {
  const lines = [`${where}: ${f.message}`];
  if (f.scriptPacket) lines.push(packetLine('script', f.scriptPacket));
  if (f.actualPacket) lines.push(packetLine('actual', f.actualPacket));
  if (f.detail) lines.push(...f.detail.split('\n').map((l) => `  | ${l}`));
  return lines.join('\n');
}

export function formatResultLine(r: RunResult): string {
  const tag = r.status === 'pass' ? 'PASS ' : r.status === 'fail' ? 'FAIL ' : 'ERROR';
  return `${tag} ${r.file}${r.variant ? ` [${r.variant}]` : ''} (${(r.durationMs / 1000).toFixed(2)} s)`;
}

export function formatResult(r: RunResult): string {
  const lines = [formatResultLine(r)];
  if (r.status !== 'pass' && r.pcap) lines.push(`  capture: ${r.pcap}`);
  if (r.status === 'error' && r.error) lines.push(r.error);
  for (const [i, earlier] of (r.timingRetried ?? []).entries()) {
    lines.push(`  run ${i + 1} failed on timing alone and ran again:`, ...earlier.split('\n').map((l) => `  | ${l}`));
  }
  if (r.status === 'fail' && r.verdict) {
    for (const f of r.verdict.failures) lines.push(formatFailure(r.file, f));
  }
  return lines.join('\n');
}

export function formatTrace(file: string, t: TraceEntry): string {
  const at = secs(t.timeUsecs).padStart(10);
  const line = t.line !== null ? `${file}:${t.line}` : file;
  switch (t.kind) {
    case 'inbound':
      return `${at} ${line}: < ${t.packet ? renderPacket(t.packet) : t.text}`;
    case 'outbound':
      return `${at} ${line}: > ${t.packet ? renderPacket(t.packet) : t.text}${t.ok ? '' : '  (differs)'}`;
    case 'syscall':
      return `${at} ${line}: ${t.text}`;
    case 'command':
      return `${at} ${line}: \`${t.text}\`${t.ok ? '' : ' failed'}`;
    default:
      return `${at} ${line}: ${t.text}`;
  }
}

/** The closing line CI log parsers read: `N passed, M failed` (`, K skipped` when any). */
export function formatSummary(results: ReadonlyArray<{ status: string }>): string {
  const passed = results.filter((r) => r.status === 'pass').length;
  const skipped = results.filter((r) => r.status === 'skip').length;
  const failed = results.length - passed - skipped;
  return `${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`;
}
