// JUnit XML, the dialect GitLab, GitHub (test-reporter actions) and Jenkins
// all read: <testsuites> around one <testsuite>, one <testcase> per script
// (classname = its directory, name = its file name, time in seconds),
// <failure>/<error>/<skipped> children, and the trace in <system-out>.
// The failure's body is packetdrill's text, exactly as the plain report
// prints it.

import { basename, dirname } from 'node:path';
import { formatTrace } from './text.js';
import { failuresOf, failureText, skipReason, summarize, wellFormed, type ReportResult } from './json.js';

/** Terminal colour sequences carry nothing a report wants. */
const ANSI = /\u001b\[[0-9;?]*[ -/]*[@-~]/g;

/**
 * Text that every XML 1.0 (and HTML) parser accepts: colour sequences dropped,
 * characters XML 1.0 forbids (C0 controls but tab/newline/return, lone
 * surrogates, U+FFFE/U+FFFF) written visibly as `\xNN` or U+FFFD.
 */
export function xmlSafe(s: string): string {
  return wellFormed(s)
    .replace(ANSI, '')
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
    .replace(/[\ufffe\uffff]/g, '\ufffd');
}

/** Escape for element content. */
export function escapeText(s: string): string {
  return xmlSafe(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Escape for an attribute value in double (or single) quotes; keeps newlines and tabs as they are. */
export function escapeAttr(s: string): string {
  return escapeText(s).replace(/"/g, '&quot;').replace(/'/g, '&#39;').replace(/\t/g, '&#9;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;');
}

function seconds(ms: number): string {
  return ((Number.isFinite(ms) ? Math.max(0, ms) : 0) / 1000).toFixed(3);
}

function firstLine(s: string | null): string {
  return (s ?? '').split('\n')[0] ?? '';
}

export interface JunitOptions {
  /** The suite's timestamp (default: now). */
  generated?: Date;
  /** Put the trace in <system-out> (default true). */
  trace?: boolean;
}

function testcase(r: ReportResult, opts: JunitOptions): string {
  const dir = dirname(r.file);
  const attrs = `classname="${escapeAttr(dir === '' ? '.' : dir)}" name="${escapeAttr(basename(r.file))}" file="${escapeAttr(r.file)}" time="${seconds(r.durationMs)}"`;
  const body: string[] = [];
  const text = failureText(r);
  const fs = failuresOf(r);
  switch (r.status) {
    case 'pass':
      break;
    case 'skip': {
      const why = skipReason(r);
      body.push(why ? `      <skipped message="${escapeAttr(firstLine(why))}"/>` : '      <skipped/>');
      break;
    }
    case 'fail':
      body.push(`      <failure message="${escapeAttr(firstLine(text) || 'failed')}" type="${escapeAttr(fs[0]?.kind ?? 'fail')}">${escapeText(text ?? '')}</failure>`);
      break;
    case 'error':
      body.push(`      <error message="${escapeAttr(firstLine(text) || 'error')}" type="${escapeAttr(fs[0]?.kind ?? 'error')}">${escapeText(text ?? '')}</error>`);
      break;
  }
  const out: string[] = [];
  const trace = opts.trace === false ? [] : (r.verdict?.trace ?? []);
  if (trace.length > 0 || r.pcap) {
    const lines = trace.map((t) => formatTrace(r.file, t));
    // GitLab and Jenkins' attachments plugin link this form.
    if (r.pcap) lines.push(`[[ATTACHMENT|${r.pcap}]]`);
    out.push(`      <system-out>${escapeText(lines.join('\n') + '\n')}</system-out>`);
  }
  if (r.stderr && r.stderr.trim() !== '') out.push(`      <system-err>${escapeText(r.stderr)}</system-err>`);
  const children = [...body, ...out];
  if (children.length === 0) return `    <testcase ${attrs}/>`;
  return `    <testcase ${attrs}>\n${children.join('\n')}\n    </testcase>`;
}

export function formatJunit(results: readonly ReportResult[], suiteName = 'pktdrill', opts: JunitOptions = {}): string {
  const s = summarize(results);
  const counts = `tests="${s.total}" failures="${s.failed}" errors="${s.errors}" skipped="${s.skipped}" time="${seconds(s.durationMs)}"`;
  const stamp = (opts.generated ?? new Date()).toISOString().replace(/\.\d+Z$/, '');
  const name = escapeAttr(suiteName);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${name}" ${counts}>`,
    `  <testsuite name="${name}" ${counts} timestamp="${stamp}">`,
    ...results.map((r) => testcase(r, opts)),
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
