// The reports: plain text (what the CLI prints), TAP, JUnit XML, JSON
// (schema `pktdrill-report/1`, src/report/report.schema.json) and one
// self-contained HTML page with a ladder diagram per script.

export { formatFailure, formatResult, formatResultLine, formatSummary, formatTrace } from './text.js';
export { formatTap } from './tap.js';
export { formatJunit, escapeAttr as escapeXmlAttr, escapeText as escapeXmlText, type JunitOptions } from './junit.js';
export {
  formatJson,
  toJsonReport,
  summarize,
  REPORT_SCHEMA,
  type ReportResult,
  type ReportStatus,
  type ReportSummary,
  type JsonReport,
  type JsonScript,
  type JsonFailure,
  type JsonTraceEntry,
  type JsonOptions,
} from './json.js';
export { formatHtml, ladderRows, gapPixels, type HtmlOptions, type LadderRow } from './html.js';
