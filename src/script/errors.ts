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
 */
export function formatSourceError(e: SourceError, source?: string): string {
  let head = `${e.file}:${e.span.line}:${e.span.column}: ${e.message}`;
  if (e.expected) head += `; expected ${e.expected}`;
  if (source === undefined) return head;
  const line = source.split(/\r?\n/)[e.span.line - 1];
  if (line === undefined) return head;
  const caretCol = Math.max(1, e.span.column);
  const prefix = line.slice(0, caretCol - 1).replace(/[^\t]/g, ' ');
  return `${head}\n${line}\n${prefix}^`;
}
