// The machine-readable report, and the result model the other reports share.
//
// Schema `pktdrill-report/1` (JSON Schema: src/report/report.schema.json):
//
//   {
//     "schema": "pktdrill-report/1",
//     "generated": "2025-01-01T00:00:00.000Z",       ISO 8601, UTC
//     "summary": { "total", "passed", "failed", "errors", "skipped",
//                  "durationMs" },                     durationMs: sum over scripts
//     "scripts": [{
//       "file": "scripts-tcp/x.pkt",
//       "verdict": "pass" | "fail" | "error" | "skip",
//       "line": 13 | null,                             line of the first failure
//       "message": "error handling packet: ..." | null,
//                                                      first failure's message, without
//                                                      the `file:line: ` prefix; for an
//                                                      error, the error; for a skip, why
//       "text": "x.pkt:13: error handling ...\nscript packet: ..." | null,
//                                                      packetdrill's failure text, as printed
//       "failures": [{ "kind", "line", "message", "scriptPacket", "scriptPacketUsecs",
//                      "actualPacket", "actualPacketUsecs", "detail" }],
//                                                      packets rendered packetdrill's way
//                                                      (`S. 0:0(0) ack 1 <...>`), times in µs
//       "durationMs": 812,
//       "pcap": "out/x.pcap" | null,
//       "seed": 12345 | null,                          null when the script never ran
//       "stderr": "..." | null,                        what the script's process wrote
//       "congestionControl": [{ "line", "algorithm" }],
//                                                      what each connection ran (after
//                                                      accept or connect), in order
//       "trace": [{ "timeUsecs", "expectedUsecs", "line", "kind", "text", "packet", "ok" }]
//     }]
//   }
//
// Compatibility: within `pktdrill-report/1` fields are only ever added, never
// removed or retyped; a consumer must ignore fields it does not know. Any other
// change bumps the number.

import type { RunResult, RunStatus } from '../runner.js';
import type { Failure, TraceEntry } from '../engine/verdict.js';
import { renderPacket } from '../engine/render.js';
import { formatFailure } from './text.js';

export const REPORT_SCHEMA = 'pktdrill-report/1';

/** A status the reports know: the runner's, plus 'skip' (a script not run on purpose). */
export type ReportStatus = RunStatus | 'skip';

/** What the reports take: a runner result, maybe with its capture, maybe skipped. */
export type ReportResult = Omit<RunResult, 'status'> & {
  status: ReportStatus;
  /** Path of the run's capture, when one was written. */
  pcap?: string;
  /** Why a 'skip' was skipped (falls back to `error`). */
  skipReason?: string;
};

export interface ReportSummary {
  total: number;
  passed: number;
  failed: number;
  errors: number;
  skipped: number;
  /** Sum of the scripts' durations (they may have run in parallel). */
  durationMs: number;
}

export function summarize(results: readonly ReportResult[]): ReportSummary {
  const count = (s: ReportStatus) => results.filter((r) => r.status === s).length;
  return {
    total: results.length,
    passed: count('pass'),
    failed: count('fail'),
    errors: count('error'),
    skipped: count('skip'),
    durationMs: results.reduce((a, r) => a + (Number.isFinite(r.durationMs) ? r.durationMs : 0), 0),
  };
}

/** The failures a result reports: a failed verdict's, or none. */
export function failuresOf(r: ReportResult): Failure[] {
  return r.status === 'fail' || r.status === 'error' ? (r.verdict?.failures ?? []) : [];
}

/** A skip's reason. */
export function skipReason(r: ReportResult): string | null {
  return r.skipReason ?? r.error ?? null;
}

/** Lone surrogates (which no encoder can write) → U+FFFD. */
export function wellFormed(s: string): string {
  return s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
}

/** The headline of a result: [line, message] (message without the file prefix). */
export function headline(r: ReportResult): { line: number | null; message: string | null } {
  if (r.status === 'skip') return { line: null, message: skipReason(r) };
  const f = failuresOf(r)[0];
  if (r.status === 'error' && r.error) {
    const line = r.errorLine ?? f?.span?.line ?? null;
    return { line, message: r.errorMessage ?? r.error };
  }
  if (f) return { line: f.span?.line ?? null, message: f.message };
  if (r.status === 'fail' || r.status === 'error') return { line: null, message: r.error ?? null };
  return { line: null, message: null };
}

/** packetdrill's failure text for a result, or null when it passed. */
export function failureText(r: ReportResult): string | null {
  if (r.status === 'pass') return null;
  if (r.status === 'skip') return skipReason(r);
  const fs = failuresOf(r);
  const parts: string[] = [];
  if (r.status === 'error' && r.error) parts.push(r.error);
  // An error's setup failure is already its `error` line.
  for (const f of fs) {
    if (r.status === 'error' && f.kind === 'setup' && f.span === null && r.error?.includes(f.message)) continue;
    parts.push(formatFailure(r.file, f));
  }
  if (parts.length === 0) return r.error ?? null;
  return parts.join('\n');
}

// ------------------------------------------------------------------ the document

export interface JsonFailure {
  kind: string;
  line: number | null;
  message: string;
  scriptPacket: string | null;
  scriptPacketUsecs: number | null;
  actualPacket: string | null;
  actualPacketUsecs: number | null;
  detail: string | null;
}

export interface JsonTraceEntry {
  timeUsecs: number;
  expectedUsecs: number | null;
  line: number | null;
  kind: TraceEntry['kind'];
  text: string;
  packet: string | null;
  ok: boolean;
}

export interface JsonScript {
  file: string;
  verdict: ReportStatus;
  line: number | null;
  message: string | null;
  text: string | null;
  failures: JsonFailure[];
  durationMs: number;
  pcap: string | null;
  seed: number | null;
  stderr: string | null;
  congestionControl: Array<{ line: number; algorithm: string }>;
  trace: JsonTraceEntry[];
}

export interface JsonReport {
  schema: typeof REPORT_SCHEMA;
  generated: string;
  summary: ReportSummary;
  scripts: JsonScript[];
}

export interface JsonOptions {
  /** The report's time stamp (default: now). */
  generated?: Date;
  /** Leave the traces out (default false). */
  omitTrace?: boolean;
}

function finiteOr(n: number | undefined, d: number): number {
  return typeof n === 'number' && Number.isFinite(n) ? n : d;
}

function jsonFailure(f: Failure): JsonFailure {
  return {
    kind: f.kind,
    line: f.span?.line ?? null,
    message: f.message,
    scriptPacket: f.scriptPacket ? renderPacket(f.scriptPacket) : null,
    scriptPacketUsecs: f.scriptPacket ? finiteOr(f.scriptPacket.timeUsecs, 0) : null,
    actualPacket: f.actualPacket ? renderPacket(f.actualPacket) : null,
    actualPacketUsecs: f.actualPacket ? finiteOr(f.actualPacket.timeUsecs, 0) : null,
    detail: f.detail ?? null,
  };
}

function jsonTrace(t: TraceEntry): JsonTraceEntry {
  return {
    timeUsecs: finiteOr(t.timeUsecs, 0),
    expectedUsecs: t.expectedUsecs === undefined ? null : finiteOr(t.expectedUsecs, 0),
    line: t.line ?? null,
    kind: t.kind,
    text: t.text,
    packet: t.packet ? renderPacket(t.packet) : null,
    ok: t.ok,
  };
}

export function toJsonReport(results: readonly ReportResult[], opts: JsonOptions = {}): JsonReport {
  return {
    schema: REPORT_SCHEMA,
    generated: (opts.generated ?? new Date()).toISOString(),
    summary: summarize(results),
    scripts: results.map((r) => {
      const h = headline(r);
      return {
        file: r.file,
        verdict: r.status,
        line: h.line,
        message: h.message,
        text: failureText(r),
        failures: failuresOf(r).map(jsonFailure),
        durationMs: finiteOr(r.durationMs, 0),
        pcap: r.pcap ?? null,
        seed: r.verdict ? r.verdict.seed : null,
        stderr: r.stderr ? r.stderr : null,
        congestionControl: r.verdict?.congestionControl ?? [],
        trace: opts.omitTrace ? [] : (r.verdict?.trace ?? []).map(jsonTrace),
      };
    }),
  };
}

/** The report as JSON text (two-space indented, newline at the end, well-formed UTF-16 only). */
export function formatJson(results: readonly ReportResult[], opts: JsonOptions = {}): string {
  // Lone surrogates would become `\ud800` escapes, which strict decoders reject.
  return JSON.stringify(toJsonReport(results, opts), (_k, v: unknown) => (typeof v === 'string' ? wellFormed(v) : v), 2) + '\n';
}
