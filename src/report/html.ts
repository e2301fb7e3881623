// One self-contained HTML page: a summary, then one section per script
// (failed ones first and open), each with a ladder diagram of what happened
// on the wire: the kernel's lane on the left, pktdrill's (the remote peer's)
// on the right, time running down, every packet an arrow between them.
//
// Nothing is fetched at view time: styles, the SVG and the one small script
// (open every section before printing) are inline, and a Content-Security-
// Policy that names them by hash forbids everything else.
//
// Time scale: one row per event, equally spaced, with the real script time
// printed beside each row. A handshake happens within microseconds while a
// retransmission schedule spans seconds; on a linear scale either the
// handshake collapses into one smudge or the page is metres long. Rows keep
// every label legible and the order exact; what the eye would lose, the
// length of a wait, comes back as extra space before a row: a few pixels
// (logarithmic) below 50 ms, and from 50 ms on a dotted lane break labelled
// with the gap (`+1.000 s`) whose height grows with the square root of the
// wait, so a 1 s, 2 s, 4 s backoff still reads as growing (see gapPixels).

import { createHash } from 'node:crypto';
import { renderPacket, secs } from '../engine/render.js';
import type { Failure, PacketView, TraceEntry } from '../engine/verdict.js';
import { formatTrace } from './text.js';
import { escapeAttr, escapeText } from './junit.js';
import { failuresOf, failureText, headline, skipReason, summarize, type ReportResult, type ReportStatus } from './json.js';

export interface HtmlOptions {
  /** The page's title (default "pktdrill report"). */
  title?: string;
  /** The report's time stamp (default: now). */
  generated?: Date;
}

// ------------------------------------------------------------------ helpers

const esc = escapeText;
const attr = escapeAttr;

const STATUS: Record<ReportStatus, { icon: string; word: string; order: number }> = {
  fail: { icon: '✗', word: 'FAIL', order: 0 },
  error: { icon: '⚠', word: 'ERROR', order: 1 },
  skip: { icon: '↷', word: 'SKIP', order: 3 },
  pass: { icon: '✓', word: 'PASS', order: 2 },
};

function fmtSecs(ms: number): string {
  const s = (Number.isFinite(ms) ? ms : 0) / 1000;
  return s < 10 ? `${s.toFixed(2)} s` : `${s.toFixed(1)} s`;
}

/** A gap between events, short: `+850 µs`, `+4.2 ms`, `+1.000 s`. */
function fmtGap(usecs: number): string {
  const a = Math.abs(usecs);
  const sign = usecs < 0 ? '−' : '+';
  if (a < 1000) return `${sign}${Math.round(a)} µs`;
  if (a < 1_000_000) return `${sign}${(a / 1000).toFixed(1)} ms`;
  return `${sign}${(a / 1e6).toFixed(3)} s`;
}

/** Greedy wrap at spaces; hard breaks for words longer than a line. */
function wrap(s: string, width: number): string[] {
  const out: string[] = [];
  for (const para of s.split('\n')) {
    let line = '';
    for (const word of para.split(' ')) {
      let w = word;
      while (w.length > width) {
        if (line) {
          out.push(line);
          line = '';
        }
        out.push(w.slice(0, width));
        w = w.slice(width);
      }
      if (line === '') line = w;
      else if (line.length + 1 + w.length <= width) line += ' ' + w;
      else {
        out.push(line);
        line = w;
      }
    }
    out.push(line);
  }
  return out;
}

function clip(s: string, width: number): string {
  return s.length <= width ? s : s.slice(0, Math.max(1, width - 1)) + '…';
}

/** Which tokens of `a` are not in a longest common subsequence with `b`. */
function changedTokens(a: string[], b: string[]): boolean[] {
  const n = a.length;
  const m = b.length;
  const L: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) L[i]![j] = a[i] === b[j] ? L[i + 1]![j + 1]! + 1 : Math.max(L[i + 1]![j]!, L[i]![j + 1]!);
  const changed = new Array<boolean>(n).fill(true);
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      changed[i] = false;
      i++;
      j++;
    } else if (L[i + 1]![j]! >= L[i]![j + 1]!) i++;
    else j++;
  }
  return changed;
}

/** `text` as tspans, the tokens that differ from `other` marked. */
function diffSpans(text: string, other: string | null): string {
  if (other === null) return esc(text);
  const a = text.split(' ');
  const changed = changedTokens(a, other.split(' '));
  return a.map((tok, i) => (changed[i] ? `<tspan class="diff">${esc(tok)}</tspan>` : esc(tok))).join(' ');
}

// ------------------------------------------------------------------ ladder model

type RowKind = TraceEntry['kind'] | 'stop';

/** One event of a ladder diagram. */
export interface LadderRow {
  kind: RowKind;
  /** Where the row sits in time (a missing packet: when it was due). */
  t: number;
  /** When it was due, if the script said. */
  due: number | null;
  line: number | null;
  text: string;
  packet?: PacketView;
  failure?: Failure;
  missing?: boolean;
  /** For a missing packet: how long pktdrill waited. */
  waitedUntil?: number;
  ok: boolean;
}

function finite(n: number | undefined | null): n is number {
  return typeof n === 'number' && Number.isFinite(n);
}

function rowFromTrace(t: TraceEntry): LadderRow {
  const missing = t.kind === 'outbound' && !t.ok && t.text === 'missing';
  const due = finite(t.expectedUsecs) ? t.expectedUsecs : null;
  return {
    kind: t.kind,
    t: missing && due !== null ? due : finite(t.timeUsecs) ? t.timeUsecs : 0,
    due,
    line: t.line ?? null,
    text: t.text,
    packet: t.packet,
    missing,
    waitedUntil: missing ? t.timeUsecs : undefined,
    ok: t.ok,
  };
}

function rowFromFailure(f: Failure): LadderRow {
  const line = f.span?.line ?? null;
  if (f.span === null && !f.scriptPacket && !f.actualPacket) return { kind: 'stop', t: Number.POSITIVE_INFINITY, due: null, line, text: f.message, failure: f, ok: false };
  const p = f.actualPacket ?? f.scriptPacket;
  if (p) {
    const missing = f.kind === 'missing';
    return {
      kind: p.direction === 'inbound' ? 'inbound' : 'outbound',
      t: finite(p.timeUsecs) ? p.timeUsecs : 0,
      due: f.scriptPacket && finite(f.scriptPacket.timeUsecs) ? f.scriptPacket.timeUsecs : null,
      line,
      text: missing ? 'missing' : '',
      packet: p,
      failure: f,
      missing,
      ok: false,
    };
  }
  const kind: RowKind = f.kind === 'command' ? 'command' : f.kind === 'code' ? 'code' : 'syscall';
  return { kind, t: Number.NaN, due: null, line, text: '', failure: f, ok: false };
}

/** The rows of a ladder: the trace, each failure pinned to its event (or added where it belongs). */
export function ladderRows(r: ReportResult): LadderRow[] {
  const rows = (r.verdict?.trace ?? []).map(rowFromTrace);
  const extra: LadderRow[] = [];
  for (const f of failuresOf(r)) {
    const line = f.span?.line ?? null;
    let at = -1;
    if (line !== null) {
      for (let i = rows.length - 1; i >= 0; i--) {
        const row = rows[i]!;
        if (row.line !== line || row.failure || row.kind === 'note') continue;
        if (at < 0) at = i;
        if (!row.ok) {
          at = i;
          break;
        }
      }
    }
    if (at >= 0) {
      const row = rows[at]!;
      row.failure = f;
      row.ok = false;
      if (f.kind === 'missing') {
        row.missing = true;
        if (f.scriptPacket && !row.packet) row.packet = f.scriptPacket;
      }
    } else extra.push(rowFromFailure(f));
  }
  for (const row of extra) {
    if (row.kind === 'stop' || !finite(row.t)) {
      // After everything that happened: a call's failure without a trace, or the run's end.
      if (!finite(row.t)) row.t = rows.length > 0 ? rows[rows.length - 1]!.t : 0;
      rows.push(row);
      continue;
    }
    let i = rows.length;
    while (i > 0 && rows[i - 1]!.t > row.t) i--;
    rows.splice(i, 0, row);
  }
  return rows;
}

// ------------------------------------------------------------------ ladder drawing

const CW = 7.3; // width of a 12 px monospace character
const LH = 15; // line height of detail lines
const X_TIME = 12;
const X_LOCAL = 210;
const TOP = 64;
const GAP_MARK_USECS = 50_000;
/** A difference between due and actual time worth drawing. */
const TICK_USECS = 1000;

/**
 * Extra space before a row, from the time since the previous one: a little
 * (logarithmic) up to 50 ms, then the square root of the wait, so that each
 * doubling of a backoff still looks ×1.4 longer: 1 s → 40 px, 2 s → 52 px,
 * 4 s → 70 px, 8 s → 95 px; capped at 160 px.
 */
export function gapPixels(usecs: number): number {
  if (!(usecs >= 1000)) return 0;
  if (usecs < GAP_MARK_USECS) return Math.round(4 + 4 * Math.log10(usecs / 1000));
  return Math.round(Math.min(160, Math.max(26, 10 + 30 * Math.sqrt(usecs / 1e6))));
}

function packetLabel(row: LadderRow): string {
  const arrow = row.kind === 'inbound' ? '<' : '>';
  return `${arrow} ${row.packet ? renderPacket(row.packet) : row.text}`;
}

function localLabel(row: LadderRow): string {
  switch (row.kind) {
    case 'command':
      return row.text ? `\`${row.text}\`` : 'shell command';
    case 'code':
      return row.text || 'code block';
    case 'syscall':
      return row.text || 'system call';
    default:
      return row.text;
  }
}

function isPacketRow(row: LadderRow): boolean {
  return row.kind === 'inbound' || row.kind === 'outbound';
}

function rowText(row: LadderRow): string {
  return isPacketRow(row) ? packetLabel(row) : localLabel(row);
}

/** The detail lines under a failing row. */
function failureLines(row: LadderRow): Array<{ cls: string; html: string; plain: string }> {
  const f = row.failure;
  if (!f) return [];
  const out: Array<{ cls: string; html: string; plain: string }> = [];
  const where = f.span ? `line ${f.span.line}: ` : '';
  if (row.missing) {
    const waited = finite(row.waitedUntil) ? ` (waited until ${secs(row.waitedUntil)} s)` : '';
    out.push({ cls: 'msg', html: '', plain: `✗ expected, never came${waited}` });
  }
  if (f.scriptPacket && f.actualPacket) {
    // Right under the actual packet's label, word for word in the same columns.
    const dir = f.scriptPacket.direction === 'inbound' ? '<' : '>';
    const s = `${dir} ${renderPacket(f.scriptPacket)}`;
    const a = `${dir} ${renderPacket(f.actualPacket)}`;
    // Same packet, wrong time: the due time beside the row says it all.
    if (s !== a) out.push({ cls: 'cmp', html: `<tspan class="tag">script </tspan>${diffSpans(s, a)}`, plain: `script ${s}` });
  }
  out.push({ cls: 'msg', html: '', plain: `✗ ${where}${f.message}` });
  if (f.detail) for (const l of f.detail.split('\n')) out.push({ cls: 'detail', html: '', plain: `| ${l}` });
  return out;
}

interface Laid {
  row: LadderRow;
  y: number;
  /** The y of the arrow / marker. */
  ay: number;
  height: number;
  gapBefore: number;
  gapUsecs: number;
  lines: Array<{ cls: string; html: string; plain: string }>;
}

function ladderSvg(r: ReportResult, rows: LadderRow[], id: string): string {
  // Geometry from the longest packet label, within bounds.
  let longest = 40;
  for (const row of rows) if (isPacketRow(row)) longest = Math.max(longest, packetLabel(row).length);
  const laneGap = Math.round(Math.min(1000, Math.max(560, longest * CW + 60)));
  const xRemote = X_LOCAL + laneGap;
  // Room for a failure's message on one line, within reason.
  let longestMsg = 0;
  for (const row of rows) for (const l of failureLines(row)) longestMsg = Math.max(longestMsg, l.plain.length);
  const width = Math.ceil(Math.max(xRemote + 130, Math.min(X_LOCAL + 24 + (longestMsg + 1) * CW, 1500)));
  const labelChars = Math.floor((laneGap - 28) / CW);
  const detailChars = Math.floor((width - X_LOCAL - 24) / CW);

  // Pass 1: vertical layout.
  const laid: Laid[] = [];
  let y = TOP;
  let prevT: number | null = null;
  for (const row of rows) {
    const lines = failureLines(row).flatMap((l) => (l.html ? [l] : wrap(l.plain, detailChars).map((p) => ({ cls: l.cls, html: '', plain: p }))));
    let gapBefore = 0;
    let gapUsecs = 0;
    if (prevT !== null && finite(row.t) && finite(prevT)) {
      gapUsecs = row.t - prevT;
      gapBefore = gapPixels(gapUsecs);
    }
    y += gapBefore;
    const head = row.kind === 'note' ? 22 : row.kind === 'stop' ? 26 : 32;
    const showDue = row.due !== null && (Math.abs(row.t - row.due) >= TICK_USECS || row.failure?.kind === 'timing') && !row.missing;
    const height = head + lines.length * LH + (lines.length ? 6 : 0) + (showDue && lines.length === 0 ? 8 : 0);
    laid.push({ row, y, ay: y + (row.kind === 'note' ? 14 : 21), height, gapBefore, gapUsecs, lines });
    y += height;
    if (finite(row.t)) prevT = row.t;
  }
  const bottom = y + 14;
  const height = bottom + 10;

  const svg: string[] = [];
  const failing = rows.filter((x) => x.failure).length;
  const desc = `${rows.filter(isPacketRow).length} packets and ${rows.filter((x) => !isPacketRow(x) && x.kind !== 'stop').length} other events` + (failing ? `; ${failing} failing, marked ✗` : '; none failing');
  svg.push(`<svg class="ladder" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-labelledby="${id}-t ${id}-d">`);
  svg.push(`<title id="${id}-t">Ladder diagram of ${esc(r.file)}</title><desc id="${id}-d">${esc(desc)}</desc>`);
  svg.push(
    `<defs>` +
      `<marker id="${id}-ah" class="ah" viewBox="0 0 10 10" refX="10" refY="5" markerUnits="userSpaceOnUse" markerWidth="11" markerHeight="11" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z"/></marker>` +
      `<marker id="${id}-ahi" class="ah ah-in" viewBox="0 0 10 10" refX="10" refY="5" markerUnits="userSpaceOnUse" markerWidth="11" markerHeight="11" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z"/></marker>` +
      `<marker id="${id}-ahf" class="ah ah-fail" viewBox="0 0 10 10" refX="10" refY="5" markerUnits="userSpaceOnUse" markerWidth="11" markerHeight="11" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z"/></marker>` +
      `<marker id="${id}-ahm" class="ah ah-miss" viewBox="0 0 10 10" refX="10" refY="5" markerUnits="userSpaceOnUse" markerWidth="11" markerHeight="11" orient="auto-start-reverse"><path d="M1,1 L10,5 L1,9" fill="none"/></marker>` +
      `</defs>`,
  );

  // Lane heads.
  svg.push(`<text class="colhead" x="${X_TIME}" y="30">time (s)</text>`);
  svg.push(`<text class="colhead" x="${X_TIME}" y="44">line</text>`);
  for (const [x, name, sub] of [
    [X_LOCAL, 'local stack (kernel)', '192.168.0.1'],
    [xRemote, 'remote peer (pktdrill)', '192.0.2.1'],
  ] as const) {
    svg.push(`<rect class="lanehead" x="${x - 92}" y="12" width="184" height="36" rx="5"/>`);
    svg.push(`<text class="lanename" x="${x}" y="27" text-anchor="middle">${esc(name)}</text>`);
    svg.push(`<text class="lanesub" x="${x}" y="41" text-anchor="middle">${esc(sub)}</text>`);
  }
  // Lanes, dotted across long waits.
  const breaks = laid.filter((l) => l.gapUsecs >= GAP_MARK_USECS).map((l) => [l.y - l.gapBefore + 3, l.y - 3] as const);
  for (const x of [X_LOCAL, xRemote]) {
    let from = 48;
    for (const [a, b] of breaks) {
      svg.push(`<line class="lane" x1="${x}" y1="${from}" x2="${x}" y2="${a}"/>`);
      svg.push(`<line class="lane lane-gap" x1="${x}" y1="${a}" x2="${x}" y2="${b}"/>`);
      from = b;
    }
    svg.push(`<line class="lane" x1="${x}" y1="${from}" x2="${x}" y2="${bottom}"/>`);
  }
  for (const l of laid) {
    if (l.gapUsecs < GAP_MARK_USECS) continue;
    const gy = l.y - l.gapBefore / 2 + 4;
    svg.push(`<text class="gap" x="${X_TIME}" y="${gy}">⋮ ${esc(fmtGap(l.gapUsecs))}</text>`);
  }

  // Events.
  for (const l of laid) {
    const { row, ay } = l;
    const fail = !!row.failure;
    const cls = ['ev', `ev-${row.kind}`, fail ? 'ev-fail' : 'ev-ok', row.missing ? 'ev-missing' : ''].filter(Boolean).join(' ');
    const full = rowText(row);
    const title = `${row.line !== null ? `line ${row.line}: ` : ''}${full}${row.failure ? ` — ✗ ${row.failure.message}` : ''}`;
    svg.push(`<g class="${cls}" data-kind="${row.kind}"${row.line !== null ? ` data-line="${row.line}"` : ''}><title>${esc(title)}</title>`);
    if (fail) svg.push(`<rect class="failband" x="4" y="${l.y - 2}" width="${width - 8}" height="${l.height}" rx="4"/>`);

    // Time column.
    if (row.kind !== 'stop') {
      const shown = row.missing && row.due !== null ? row.due : row.t;
      svg.push(`<text class="time" x="${X_TIME}" y="${ay + 4}">${esc(finite(shown) ? secs(shown) : '')}</text>`);
      if (row.missing) svg.push(`<text class="due due-bad" x="${X_TIME}" y="${ay + 17}">due; never came</text>`);
      if (row.line !== null) svg.push(`<text class="lineno" x="${X_TIME + 74}" y="${ay + 4}">${fail ? '✗ ' : ''}${row.line}</text>`);
      if (row.due !== null && !row.missing && (Math.abs(row.t - row.due) >= TICK_USECS || row.failure?.kind === 'timing')) {
        svg.push(`<text class="due${row.failure?.kind === 'timing' ? ' due-bad' : ''}" x="${X_TIME}" y="${ay + 17}">due ${esc(secs(row.due))} (${esc(fmtGap(row.t - row.due))})</text>`);
      }
    }

    if (isPacketRow(row)) {
      const inbound = row.kind === 'inbound';
      const [x1, x2] = inbound ? [xRemote - 2, X_LOCAL + 2] : [X_LOCAL + 2, xRemote - 2];
      const marker = row.missing ? 'ahm' : fail ? 'ahf' : inbound ? 'ahi' : 'ah';
      const acls = row.missing ? 'arrow arrow-missing' : fail ? 'arrow arrow-fail' : inbound ? 'arrow arrow-in' : 'arrow arrow-out';
      svg.push(`<line class="${acls}" x1="${x1}" y1="${ay}" x2="${x2}" y2="${ay}" marker-end="url(#${id}-${marker})"/>`);
      // Due-time tick on the sender's lane: above the arrow when it was due earlier.
      if (row.due !== null && !row.missing && Math.abs(row.t - row.due) >= TICK_USECS) {
        const d = row.t - row.due;
        const off = Math.min(16, 5 + 3 * Math.log10(Math.abs(d) / TICK_USECS + 1)) * (d > 0 ? -1 : 1);
        const xs = inbound ? xRemote : X_LOCAL;
        // Outside the lanes, clear of the label.
        const [t1, t2] = inbound ? [xs - 3, xs + 16] : [xs - 16, xs + 3];
        svg.push(`<line class="tick${row.failure?.kind === 'timing' ? ' tick-bad' : ''}" x1="${t1}" y1="${ay + off}" x2="${t2}" y2="${ay + off}"><title>due at ${esc(secs(row.due))} s, happened at ${esc(secs(row.t))} s</title></line>`);
        svg.push(`<line class="tickjoin" x1="${xs}" y1="${ay + off}" x2="${xs}" y2="${ay}"/>`);
      }
      const label = clip(packetLabel(row), labelChars);
      const other = row.failure?.scriptPacket && row.failure.actualPacket && !row.missing ? `${inbound ? '<' : '>'} ${renderPacket(row.failure.scriptPacket)}` : null;
      const labelHtml = other !== null && label === packetLabel(row) ? diffSpans(label, other) : esc(label);
      const prefix = fail && !row.missing && row.failure?.actualPacket ? 'actual ' : row.missing ? 'script ' : '';
      svg.push(`<text class="plabel" x="${X_LOCAL + 14}" y="${ay - 6}">${prefix ? `<tspan class="tag">${esc(prefix)}</tspan>` : ''}${labelHtml}</text>`);
    } else if (row.kind === 'note') {
      svg.push(`<text class="note" x="${X_LOCAL + 14}" y="${ay + 4}">ⓘ ${esc(clip(row.text, detailChars - 2))}</text>`);
    } else if (row.kind === 'stop') {
      svg.push(`<line class="stopline" x1="${X_LOCAL - 60}" y1="${ay}" x2="${xRemote + 60}" y2="${ay}"/>`);
      svg.push(`<text class="time stoptag" x="${X_TIME}" y="${ay + 4}">✗ stopped</text>`);
    } else {
      // Calls, commands, code: a mark on the kernel's lane, text beside it.
      const shape =
        row.kind === 'command'
          ? `<path class="mark" d="M${X_LOCAL},${ay - 7} L${X_LOCAL + 7},${ay} L${X_LOCAL},${ay + 7} L${X_LOCAL - 7},${ay} z"/>`
          : row.kind === 'code'
            ? `<circle class="mark" cx="${X_LOCAL}" cy="${ay}" r="6"/>`
            : `<rect class="mark" x="${X_LOCAL - 6}" y="${ay - 6}" width="12" height="12"/>`;
      svg.push(shape);
      const failedCmd = row.kind === 'command' && !row.ok && !row.failure ? ' (failed)' : '';
      svg.push(`<text class="clabel" x="${X_LOCAL + 14}" y="${ay + 4}">${esc(clip(localLabel(row) + failedCmd, detailChars - 2))}</text>`);
    }
    // Failure lines, under the arrow (or the stop line).
    let dy = row.kind === 'stop' ? ay + 18 : ay + 20;
    const x = row.kind === 'stop' ? X_LOCAL - 60 : X_LOCAL + 14;
    for (const line of l.lines) {
      svg.push(`<text class="fl fl-${line.cls}" x="${x}" y="${dy}">${line.html || esc(line.plain)}</text>`);
      dy += LH;
    }
    svg.push(`</g>`);
  }
  svg.push(`</svg>`);
  return svg.join('\n');
}

// ------------------------------------------------------------------ page

const CSS = `
:root { --fail:#b33a00; --fail-line:#d55e00; --fail-bg:#fff1e8; --pass:#00704a; --err:#8b2f72; --skip:#555; --in:#0072b2; --out:#222; --muted:#5a5a5a; --rule:#c8c8c8; }
* { box-sizing: border-box; }
body { margin: 24px; color: #111; background: #fff; font: 14px/1.45 system-ui, "Segoe UI", "DejaVu Sans", "Liberation Sans", Arial, sans-serif; }
pre, code, .mono, svg text { font-family: ui-monospace, "DejaVu Sans Mono", "Liberation Mono", Menlo, Consolas, monospace; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 16px; margin: 0; display: inline; }
.meta { color: var(--muted); margin: 0 0 12px; }
.counts { display: flex; gap: 10px; flex-wrap: wrap; margin: 12px 0; }
.badge { display: inline-block; border: 2px solid currentColor; border-radius: 4px; padding: 1px 8px; font-weight: 600; white-space: nowrap; }
.badge.fail { color: var(--fail); } .badge.error { color: var(--err); } .badge.pass { color: var(--pass); } .badge.skip { color: var(--skip); } .badge.none { color: #999; border-style: dashed; }
table.summary { border-collapse: collapse; margin: 8px 0 20px; max-width: 100%; }
table.summary th, table.summary td { text-align: left; padding: 3px 10px 3px 0; border-bottom: 1px solid #e4e4e4; vertical-align: top; }
table.summary td.msg { max-width: 70ch; overflow-wrap: anywhere; }
table.summary td.num { text-align: right; font-variant-numeric: tabular-nums; }
section.script { border: 1px solid var(--rule); border-left: 6px solid var(--rule); border-radius: 4px; margin: 14px 0; padding: 0; }
section.script.fail { border-left-color: var(--fail-line); }
section.script.error { border-left-color: var(--err); }
section.script.pass { border-left-color: var(--pass); }
section.script > details > summary { cursor: pointer; padding: 8px 12px; list-style-position: inside; }
section.script > details > summary .why { color: var(--fail); font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 13px; display: block; margin-left: 1.4em; overflow-wrap: anywhere; }
section.script.error > details > summary .why { color: var(--err); }
section.script.skip > details > summary .why { color: var(--skip); }
.body { padding: 0 12px 12px; }
pre.failure { background: var(--fail-bg); border: 1px solid var(--fail-line); border-radius: 4px; padding: 8px 10px; white-space: pre-wrap; overflow-wrap: anywhere; margin: 6px 0 10px; }
section.error pre.failure { background: #f8eef6; border-color: var(--err); }
pre.log { background: #f5f5f5; border: 1px solid #ddd; border-radius: 4px; padding: 8px 10px; white-space: pre-wrap; overflow-wrap: anywhere; font-size: 12px; }
.facts { color: var(--muted); margin: 4px 0 8px; }
.facts span + span::before { content: " · "; }
.legend { display: flex; flex-wrap: wrap; gap: 4px 18px; font-size: 12px; color: #333; margin: 4px 0 6px; }
.legend svg { vertical-align: middle; }
.ladderbox { overflow-x: auto; border: 1px solid #e2e2e2; border-radius: 4px; background: #fff; }
.empty { color: var(--muted); font-style: italic; }
svg.ladder text { font-size: 12px; white-space: pre; paint-order: stroke; stroke: #fff; stroke-width: 3px; stroke-linejoin: round; fill: #111; }
svg.ladder .colhead { fill: var(--muted); font-size: 11px; }
svg.ladder .lanehead { fill: #f2f2f2; stroke: #777; }
svg.ladder .lanename { font-weight: 700; font-family: system-ui, "DejaVu Sans", sans-serif; font-size: 12.5px; }
svg.ladder .lanesub { fill: var(--muted); font-size: 11px; }
svg.ladder .lane { stroke: #666; stroke-width: 2; }
svg.ladder .lane-gap { stroke-dasharray: 2 4; stroke: #999; }
svg.ladder .gap { fill: var(--muted); font-size: 11px; font-style: italic; }
svg.ladder .time { fill: #222; }
svg.ladder .lineno { fill: var(--muted); }
svg.ladder .due { fill: var(--muted); font-size: 10.5px; }
svg.ladder .due-bad, svg.ladder .ev-fail .lineno, svg.ladder .stoptag { fill: var(--fail); font-weight: 700; }
svg.ladder .arrow { stroke-width: 1.6; }
svg.ladder .arrow-in { stroke: var(--in); }
svg.ladder .arrow-out { stroke: var(--out); }
svg.ladder .arrow-fail { stroke: var(--fail-line); stroke-width: 3; }
svg.ladder .arrow-missing { stroke: var(--fail-line); stroke-width: 2.2; stroke-dasharray: 8 5; }
svg.ladder .ah path { fill: var(--out); stroke: none; }
svg.ladder .ah-in path { fill: var(--in); }
svg.ladder .ah-fail path { fill: var(--fail-line); }
svg.ladder .ah-miss path { fill: none; stroke: var(--fail-line); stroke-width: 1.6; }
svg.ladder .plabel { fill: #111; }
svg.ladder .ev-inbound.ev-ok .plabel { fill: #004f7c; }
svg.ladder .ev-fail .plabel { fill: var(--fail); font-weight: 700; }
svg.ladder .tag { font-weight: 400; font-style: italic; }
svg.ladder .diff { text-decoration: underline; font-weight: 700; fill: var(--fail); }
svg.ladder .fl-cmp .diff { fill: #111; }
svg.ladder .failband { fill: var(--fail-bg); stroke: var(--fail-line); stroke-width: 1; stroke-dasharray: 3 2; }
svg.ladder .fl { fill: var(--fail); }
svg.ladder .fl-msg { font-weight: 700; }
svg.ladder .fl-cmp { fill: #333; }
svg.ladder .fl-detail { fill: #333; font-size: 11px; }
svg.ladder .mark { fill: #fff; stroke: #222; stroke-width: 1.6; }
svg.ladder .ev-fail .mark { fill: var(--fail-line); stroke: var(--fail); }
svg.ladder .clabel { fill: #222; }
svg.ladder .ev-fail .clabel { fill: var(--fail); font-weight: 700; }
svg.ladder .note { fill: var(--muted); font-style: italic; }
svg.ladder .tick { stroke: #555; stroke-width: 2; }
svg.ladder .tick-bad { stroke: var(--fail-line); stroke-width: 2.5; }
svg.ladder .tickjoin { stroke: #888; stroke-width: 1; stroke-dasharray: 1 2; }
svg.ladder .stopline { stroke: var(--fail-line); stroke-width: 2; stroke-dasharray: 2 3; }
@media print {
  body { margin: 0; font-size: 11px; }
  section.script { break-inside: auto; }
  .ladderbox { overflow: visible; border: none; }
  svg.ladder { max-width: 100%; height: auto; }
  a { color: inherit; text-decoration: none; }
}
`;

// Open every section before printing, so paper shows all of them.
const SCRIPT = `addEventListener('beforeprint',function(){document.querySelectorAll('details').forEach(function(d){d.open=true})});`;

function sha256(s: string): string {
  return createHash('sha256').update(s, 'utf8').digest('base64');
}

function legend(): string {
  const item = (svg: string, text: string) => `<span><svg width="46" height="14" aria-hidden="true">${svg}</svg> ${esc(text)}</span>`;
  return (
    `<div class="legend" aria-label="legend">` +
    item('<line x1="44" y1="7" x2="4" y2="7" stroke="#0072b2" stroke-width="1.6"/><path d="M2,7 L10,3 L10,11 z" fill="#0072b2"/>', '< inbound: pktdrill → kernel') +
    item('<line x1="2" y1="7" x2="42" y2="7" stroke="#222" stroke-width="1.6"/><path d="M44,7 L36,3 L36,11 z" fill="#222"/>', '> outbound: kernel → pktdrill') +
    item('<line x1="2" y1="7" x2="42" y2="7" stroke="#d55e00" stroke-width="3"/><path d="M44,7 L36,3 L36,11 z" fill="#d55e00"/>', '✗ differs from the script (differing words underlined)') +
    item('<line x1="2" y1="7" x2="42" y2="7" stroke="#d55e00" stroke-width="2.2" stroke-dasharray="8 5"/>', '✗ expected, never came') +
    item('<rect x="17" y="1" width="12" height="12" fill="#fff" stroke="#222" stroke-width="1.6"/>', 'system call') +
    item('<path d="M23,0 L30,7 L23,14 L16,7 z" fill="#fff" stroke="#222" stroke-width="1.6"/>', 'shell command') +
    item('<line x1="14" y1="3" x2="32" y2="3" stroke="#555" stroke-width="2"/><line x1="23" y1="3" x2="23" y2="11" stroke="#888" stroke-dasharray="1 2"/><line x1="2" y1="11" x2="44" y2="11" stroke="#222" stroke-width="1.6"/>', 'tick: when it was due (shown from 1 ms off)') +
    item('<line x1="23" y1="0" x2="23" y2="14" stroke="#999" stroke-width="2" stroke-dasharray="2 4"/>', 'lane break: a wait of 50 ms or more') +
    `</div>`
  );
}

function pcapLink(p: string): string {
  // Plain paths only: never a scheme (javascript:, http:) in an href.
  if (/^[a-z][a-z0-9+.-]*:/i.test(p) && !/^[a-z]:[\\/]/i.test(p)) return `<code>${esc(p)}</code>`;
  return `<a href="${attr(p.split('/').map(encodeURIComponent).join('/'))}"><code>${esc(p)}</code></a>`;
}

function section(r: ReportResult, idx: number): string {
  const st = STATUS[r.status];
  const id = `s${idx}`;
  const h = headline(r);
  const open = r.status === 'fail' || r.status === 'error';
  const why = h.message ? `${h.line !== null ? `line ${h.line}: ` : ''}${h.message.split('\n')[0]}` : '';
  const out: string[] = [];
  out.push(`<section class="script ${r.status}" id="${id}" aria-labelledby="${id}-h">`);
  out.push(`<details${open ? ' open' : ''}>`);
  out.push(
    `<summary><span class="badge ${r.status}">${st.icon} ${st.word}</span> <h2 id="${id}-h" class="mono">${esc(r.file)}</h2> <span class="meta">${esc(fmtSecs(r.durationMs))}</span>` +
      (why && r.status !== 'pass' ? `<span class="why">${esc(why)}</span>` : '') +
      `</summary>`,
  );
  out.push(`<div class="body">`);
  const facts: string[] = [];
  if (r.verdict) facts.push(`<span>seed ${r.verdict.seed}</span>`);
  facts.push(`<span>ran ${esc(fmtSecs(r.durationMs))}</span>`);
  if (r.pcap) facts.push(`<span>capture ${pcapLink(r.pcap)}</span>`);
  out.push(`<div class="facts">${facts.join('')}</div>`);
  const text = failureText(r);
  if (r.status === 'skip') out.push(`<p class="empty">Skipped${text ? `: ${esc(text)}` : '.'}</p>`);
  else if (text && r.status !== 'pass') out.push(`<pre class="failure">${esc(text)}</pre>`);
  const rows = ladderRows(r);
  if (rows.length > 0) {
    out.push(legend());
    out.push(`<div class="ladderbox">${ladderSvg(r, rows, id)}</div>`);
  } else if (r.status !== 'error' && r.status !== 'skip') {
    out.push(`<p class="empty">No trace was recorded for this run.</p>`);
  }
  const trace = r.verdict?.trace ?? [];
  if (trace.length > 0) {
    out.push(`<details class="tracetext"><summary>Trace as text (${trace.length} events)</summary><pre class="log">${esc(trace.map((t) => formatTrace(r.file, t)).join('\n'))}</pre></details>`);
  }
  if (r.stderr && r.stderr.trim() !== '') out.push(`<details class="stderr"><summary>stderr of the script's process</summary><pre class="log">${esc(r.stderr)}</pre></details>`);
  out.push(`</div></details></section>`);
  return out.join('\n');
}

export function formatHtml(results: readonly ReportResult[], opts: HtmlOptions = {}): string {
  const title = opts.title ?? 'pktdrill report';
  const generated = (opts.generated ?? new Date()).toISOString();
  const s = summarize(results);
  // Failed first, then errors, passes, skips; the given order within each.
  const order = results.map((r, i) => ({ r, i })).sort((a, b) => STATUS[a.r.status].order - STATUS[b.r.status].order || a.i - b.i);
  const slowest = results.reduce<ReportResult | null>((a, r) => (a === null || r.durationMs > a.durationMs ? r : a), null);

  const badge = (cls: ReportStatus, n: number, word: string) => `<span class="badge ${n ? cls : 'none'}">${STATUS[cls].icon} ${n} ${word}</span>`;
  const head: string[] = [];
  head.push(`<header><h1>${esc(title)}</h1>`);
  head.push(
    `<p class="meta">${s.total} script${s.total === 1 ? '' : 's'} · ${esc(fmtSecs(s.durationMs))} in all (sum of script durations)` +
      (slowest ? ` · slowest <code>${esc(slowest.file)}</code> ${esc(fmtSecs(slowest.durationMs))}` : '') +
      ` · generated <time datetime="${attr(generated)}">${esc(generated.replace('T', ' ').replace(/\.\d+Z$/, ' UTC'))}</time></p>`,
  );
  head.push(`<div class="counts" role="status">${badge('fail', s.failed, 'failed')}${badge('error', s.errors, s.errors === 1 ? 'error' : 'errors')}${badge('pass', s.passed, 'passed')}${badge('skip', s.skipped, 'skipped')}</div>`);
  if (results.length > 0) {
    head.push(`<table class="summary"><thead><tr><th scope="col">result</th><th scope="col">script</th><th scope="col">line</th><th scope="col">first problem</th><th scope="col" class="num">time</th></tr></thead><tbody>`);
    for (const { r, i } of order) {
      const h = headline(r);
      const st = STATUS[r.status];
      head.push(
        `<tr class="${r.status}"><td><span class="badge ${r.status}">${st.icon} ${st.word}</span></td><td><a href="#s${i}"><code>${esc(r.file)}</code></a></td><td class="num">${h.line ?? ''}</td><td class="msg mono">${esc(r.status === 'pass' ? '' : (h.message ?? '').split('\n')[0] ?? '')}</td><td class="num">${esc(fmtSecs(r.durationMs))}</td></tr>`,
      );
    }
    head.push(`</tbody></table>`);
  }
  head.push(`</header>`);

  const csp = `default-src 'none'; style-src 'sha256-${sha256(CSS)}'; script-src 'sha256-${sha256(SCRIPT)}'; img-src data:; base-uri 'none'; form-action 'none'`;
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${attr(csp)}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="generator" content="pktdrill">',
    `<title>${esc(title)}${s.failed + s.errors > 0 ? ` — ${s.failed + s.errors} not passing` : ''}</title>`,
    `<style>${CSS}</style>`,
    '</head>',
    '<body>',
    head.join('\n'),
    '<main>',
    ...order.map(({ r, i }) => section(r, i)),
    '</main>',
    `<script>${SCRIPT}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
