// TAP version 13 (read by prove, tap-parser, Jenkins' TAP plugin and TAP 14
// consumers alike): a plan, one `ok`/`not ok` line per script, and a YAML
// block under each one that did not pass, holding packetdrill's failure text.
//
//   TAP version 13
//   1..2
//   ok 1 - scripts-tcp/a.pkt
//   not ok 2 - scripts-tcp/b.pkt
//     ---
//     message: "error handling packet: live packet field tcp_seq: ..."
//     severity: fail
//     ...
//   # 1 passed, 1 failed, 0 errors, 0 skipped

import { renderPacket, secs } from '../engine/render.js';
import type { Failure } from '../engine/verdict.js';
import { failuresOf, failureText, headline, skipReason, summarize, wellFormed, type ReportResult } from './json.js';

/** A YAML scalar that is always safe: a JSON string is a YAML double-quoted scalar. */
function yamlString(s: string): string {
  // JSON escapes C0 controls; YAML also wants DEL, C1, U+2028/29 and non-characters
  // escaped, and no surrogate escapes at all.
  return JSON.stringify(wellFormed(s)).replace(/[\u007f-\u009f\u2028\u2029\ufffe\uffff]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
}

/** A test point's description: one line, no `#` (it would start a directive). */
function description(s: string): string {
  return wellFormed(s).replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ').replace(/\\/g, '\\\\').replace(/#/g, '\\#');
}

function yamlFailure(f: Failure, indent: string): string[] {
  const out = [`${indent}- kind: ${f.kind}`, `${indent}  line: ${f.span ? f.span.line : 'null'}`, `${indent}  message: ${yamlString(f.message)}`];
  if (f.scriptPacket) out.push(`${indent}  script_packet: ${yamlString(`${secs(f.scriptPacket.timeUsecs)} ${renderPacket(f.scriptPacket)}`)}`);
  if (f.actualPacket) out.push(`${indent}  actual_packet: ${yamlString(`${secs(f.actualPacket.timeUsecs)} ${renderPacket(f.actualPacket)}`)}`);
  if (f.detail) out.push(`${indent}  detail: ${yamlString(f.detail)}`);
  return out;
}

function diagnostics(r: ReportResult): string[] {
  const h = headline(r);
  const fs = failuresOf(r);
  const first = fs[0];
  const y: string[] = ['  ---'];
  y.push(`  message: ${yamlString(h.message ?? (r.status === 'fail' ? 'failed' : 'error'))}`);
  y.push(`  severity: ${r.status === 'error' ? 'error' : 'fail'}`);
  y.push(`  file: ${yamlString(r.file)}`);
  y.push(`  line: ${h.line ?? 'null'}`);
  if (first) {
    y.push(`  kind: ${first.kind}`);
    if (first.scriptPacket) y.push(`  script_packet: ${yamlString(`${secs(first.scriptPacket.timeUsecs)} ${renderPacket(first.scriptPacket)}`)}`);
    if (first.actualPacket) y.push(`  actual_packet: ${yamlString(`${secs(first.actualPacket.timeUsecs)} ${renderPacket(first.actualPacket)}`)}`);
  }
  y.push(`  duration_ms: ${Math.round(Number.isFinite(r.durationMs) ? r.durationMs : 0)}`);
  if (r.verdict) y.push(`  seed: ${r.verdict.seed}`);
  if (r.pcap) y.push(`  pcap: ${yamlString(r.pcap)}`);
  const text = failureText(r);
  if (text) y.push(`  text: ${yamlString(text)}`);
  if (fs.length > 1) {
    y.push('  failures:');
    for (const f of fs) y.push(...yamlFailure(f, '    '));
  }
  if (r.stderr && r.stderr.trim() !== '') y.push(`  stderr: ${yamlString(r.stderr)}`);
  y.push('  ...');
  return y;
}

export function formatTap(results: readonly ReportResult[]): string {
  const out = ['TAP version 13', `1..${results.length}`];
  results.forEach((r, i) => {
    const n = i + 1;
    const name = description(r.file);
    switch (r.status) {
      case 'pass':
        out.push(`ok ${n} - ${name}`);
        break;
      case 'skip': {
        const why = skipReason(r);
        out.push(`ok ${n} - ${name} # SKIP${why ? ' ' + description(why) : ''}`);
        break;
      }
      default:
        out.push(`not ok ${n} - ${name}`);
        out.push(...diagnostics(r));
    }
  });
  const s = summarize(results);
  out.push(`# ${s.passed} passed, ${s.failed} failed, ${s.errors} errors, ${s.skipped} skipped (${(s.durationMs / 1000).toFixed(2)} s)`);
  return out.join('\n') + '\n';
}
