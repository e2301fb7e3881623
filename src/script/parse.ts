// Parsing a .pkt script: the generated grammar (grammar/pkt.peggy) plus the
// translation of its failures into one readable SourceError.

import type { Script, Span } from './ast.js';
import { err, ok, type Result, type SourceError } from './errors.js';
import {
  parse,
  SyntaxError as GrammarSyntaxError,
  type Expectation,
  type LocationRange,
} from './grammar.generated.js';

/** Parse a script. Never throws: a syntax error comes back as a SourceError. */
export function parseScript(text: string, file: string): Result<Script> {
  try {
    return ok(parse(text, { grammarSource: file }) as Script);
  } catch (e) {
    if (e instanceof GrammarSyntaxError) return err(syntaxError(e, text, file));
    const reason = e instanceof Error ? e.message : String(e);
    return err({ file, span: spanAt(1, 1, 1), message: `syntax error: ${reason}` });
  }
}

function syntaxError(e: GrammarSyntaxError, text: string, file: string): SourceError {
  // Errors raised by the grammar itself (unterminated blocks, unsupported
  // constructs) carry their own message and no expectations.
  if (!Array.isArray(e.expected)) {
    return { file, span: spanOfRange(e.location), message: e.message };
  }

  const items = expectedItems(e.expected);
  const expected = joinItems(items);
  const { offset, line, column } = e.location.start;

  const lineEnd = items.includes(TIME) ? null : endOfIncompleteLine(text, offset);
  if (lineEnd) {
    return {
      file,
      span: spanAt(lineEnd.line, lineEnd.column, 1),
      message: 'syntax error: unexpected end of line',
      ...(expected ? { expected } : {}),
    };
  }

  const token = tokenAt(text, offset);
  return {
    file,
    span: spanAt(line, column, token.length),
    message: `syntax error: unexpected ${token.shown}`,
    ...(expected ? { expected } : {}),
  };
}

// ---------------------------------------------------------------- the offending token

function tokenAt(text: string, offset: number): { shown: string; length: number } {
  if (offset >= text.length) return { shown: 'end of input', length: 0 };
  const rest = text.slice(offset);
  if (/^\r?\n/.test(rest)) return { shown: 'end of line', length: 1 };
  if (/^[ \t]/.test(rest)) return { shown: 'space', length: 1 };
  const word = /^(?:[A-Za-z0-9_]+|\.\.\.|\S)/.exec(rest)![0];
  return { shown: JSON.stringify(word), length: word.length };
}

/**
 * The language ignores line ends, so a line that stops short (`win` without
 * its number) fails on the first token of the next line. When the failure is
 * the first thing on its line, no new event could start there, and the line
 * before does not announce a continuation, point at the end of that line.
 */
function endOfIncompleteLine(text: string, offset: number): { line: number; column: number } | null {
  const lines = text.slice(0, offset).split('\n');
  const current = lines.pop() ?? '';
  if (current.trim() !== '') return null;
  for (let i = lines.length - 1; i >= 0; i--) {
    const content = lines[i]!.replace(/\/\/.*$/, '').replace(/\s+$/, '');
    if (content === '') continue;
    if (/[,([{|=]$/.test(content)) return null;
    return { line: i + 1, column: content.length + 1 };
  }
  return null;
}

// ---------------------------------------------------------------- what was expected

const TIME = 'a time';

const LITERALS: Record<string, string> = {
  '`': 'a `command`',
  '%{': 'a %{ code }% block',
  '--': 'an --option',
};

const EVENT_START = [TIME, LITERALS['`']!, LITERALS['%{']!];

// Fuzzing mutations (`{ mut tcp mss }`) are rare enough never to be suggested.
const HIDDEN = new Set(['whitespace', 'unsupported', 'fuzzing mutations']);

/** Peggy's expectations in human terms, without repeats. */
function expectedItems(expectations: readonly Expectation[]): string[] {
  const items: string[] = [];
  for (const e of expectations) {
    const item = describe(e);
    if (item !== null && !items.includes(item)) items.push(item);
  }
  // `+` and `*` start a time; say "a time" once.
  return items.includes(TIME) ? items.filter((i) => i !== '"+"' && i !== '"*"') : items;
}

/** A short list: `a number or ")"`. */
function joinItems(items: readonly string[]): string | undefined {
  let list = [...items];
  // Inside an event, the ways a next event can start are one item.
  const rest = list.filter((i) => !EVENT_START.includes(i) && i !== 'end of input');
  if (EVENT_START.every((i) => list.includes(i)) && rest.length > 0 && !rest.includes('an --option')) {
    list = [...rest, 'the next event'];
  }
  if (list.length === 0) return undefined;
  if (list.length === 1) return list[0];
  return `${list.slice(0, -1).join(', ')} or ${list[list.length - 1]}`;
}

function describe(e: Expectation): string | null {
  switch (e.type) {
    case 'literal':
      return LITERALS[e.text] ?? JSON.stringify(e.text);
    case 'other':
      return HIDDEN.has(e.description) ? null : e.description;
    case 'end':
      return 'end of input';
    case 'any':
      return 'any character';
    case 'class': {
      // Optional blanks inside a token (`+ 0.1`) are never worth naming.
      const blanks = e.parts.every((p) => p === ' ' || p === '\t' || p === '\r' || p === '\n');
      if (blanks && !e.inverted) return null;
      const parts = e.parts.map((p) => (Array.isArray(p) ? `${p[0]}-${p[1]}` : p)).join('');
      return `${e.inverted ? 'none of' : 'one of'} [${parts}]`;
    }
  }
}

// ---------------------------------------------------------------- spans

function spanAt(line: number, column: number, width: number): Span {
  return { line, column, endLine: line, endColumn: column + width };
}

function spanOfRange(range: LocationRange): Span {
  const { start, end } = range;
  if (start.offset === end.offset) return spanAt(start.line, start.column, 1);
  return { line: start.line, column: start.column, endLine: end.line, endColumn: end.column };
}
