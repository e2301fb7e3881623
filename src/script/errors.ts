import type { Span } from './ast.js';

/** An error tied to a place in a source file. Errors stay values until the CLI prints them. */
export interface SourceError {
  file: string;
  span: Span;
  /** What is wrong, e.g. "unknown system call 'sockett'". */
  message: string;
  /** What was expected there, when that helps, e.g. "a time, a packet or a command". */
  expected?: string;
}

export type Result<T, E = SourceError> = { ok: true; value: T } | { ok: false; error: E };

export const ok = <T>(value: T): Result<T, never> => ({ ok: true, value });
export const err = <E>(error: E): Result<never, E> => ({ ok: false, error });

/**
 * One clear line, then the offending source line and a caret:
 *   a.pkt:3:12: syntax error: unexpected "x"; expected a TCP flag
 *   +0 < Sx 0:0(0) win 1000
 *          ^
 * A very long message or source line is shown in part, around the column.
 */
export function formatSourceError(e: SourceError, source?: string): string {
  return `${sourceErrorWhere(e)}: ${formatSourceErrorMessage(e, source)}`;
}

/** Where a source error is: `a.pkt:3:12`. */
export function sourceErrorWhere(e: SourceError): string {
  return `${e.file}:${e.span.line}:${e.span.column}`;
}

/** `formatSourceError` without where: the message, then the source line and its caret. */
export function formatSourceErrorMessage(e: SourceError, source?: string): string {
  let head = clip(e.message, MAX_MESSAGE);
  if (e.expected) head += `; expected ${clip(e.expected, MAX_MESSAGE)}`;
  if (source === undefined) return head;
  const line = sourceLine(source, e.span.line);
  if (line === undefined) return head;
  const caretCol = Math.max(1, Math.min(e.span.column, line.length + 1));
  // Show at most MAX_LINE characters of the line, the caret's among them.
  const from = Math.max(0, Math.min(caretCol - 1 - MAX_LINE / 2, line.length - MAX_LINE));
  const to = Math.min(line.length, from + MAX_LINE);
  const shown = `${from > 0 ? '...' : ''}${line.slice(from, to)}${to < line.length ? '...' : ''}`;
  const prefix = `${from > 0 ? '   ' : ''}${line.slice(from, caretCol - 1).replace(/[^\t]/g, ' ')}`;
  return `${head}\n${shown}\n${prefix}^`;
}

const MAX_MESSAGE = 300;
const MAX_LINE = 160;

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}...`;
}

// Where each line starts, for the last source formatted: a script with many
// errors is indexed once, not split once per error.
let indexed: { source: string; starts: number[] } | null = null;

/** Line `n` (1-based) of a source, without its line end; a leading byte order mark is not part of it. */
function sourceLine(source: string, n: number): string | undefined {
  if (indexed?.source !== source) {
    const starts = [source.startsWith('\uFEFF') ? 1 : 0];
    for (let i = source.indexOf('\n'); i >= 0; i = source.indexOf('\n', i + 1)) starts.push(i + 1);
    indexed = { source, starts };
  }
  const { starts } = indexed;
  if (!Number.isInteger(n) || n < 1 || n > starts.length) return undefined;
  const start = starts[n - 1]!;
  let end = n < starts.length ? starts[n]! - 1 : source.length;
  if (end > start && source[end - 1] === '\r') end--;
  return source.slice(start, end);
}
