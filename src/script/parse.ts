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

/** A byte order mark at the start of a file: skipped, and not a column. */
const BOM = '\uFEFF';

/** The text a script's lines and columns count in: without a leading byte order mark. */
export function withoutBom(text: string): string {
  return text.startsWith(BOM) ? text.slice(1) : text;
}

/** Parse a script. Never throws: a syntax error comes back as a SourceError. */
export function parseScript(source: string, file: string): Result<Script> {
  const text = withoutBom(source);
  let failure: unknown;
  try {
    return ok(parse(text, { grammarSource: file }) as Script);
  } catch (e) {
    failure = e;
  }
  try {
    if (failure instanceof GrammarSyntaxError) return err(syntaxError(failure, text, file));
  } catch {
    // Translating the failure went wrong: still say where it was.
    const { line, column } = (failure as GrammarSyntaxError).location.start;
    return err({ file, span: spanAt(line, column, 1), message: 'syntax error' });
  }
  // The grammar bounds nesting, so the stack should never run out; if it
  // does, the message says what happened rather than where.
  const reason = failure instanceof RangeError ? 'script too deeply nested' : failure instanceof Error ? failure.message : String(failure);
  return err({ file, span: spanAt(1, 1, 1), message: `syntax error: ${reason}` });
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
  const c = text[offset]!;
  if (c === '\n' || (c === '\r' && text[offset + 1] === '\n')) return { shown: 'end of line', length: 1 };
  if (c === ' ' || c === '\t') return { shown: 'space', length: 1 };
  const word = /^(?:[A-Za-z0-9_]+|\.\.\.)/.exec(text.slice(offset, offset + MAX_SHOWN + 1))?.[0];
  if (word !== undefined) {
    if (word.length > MAX_SHOWN) return { shown: `${JSON.stringify(word.slice(0, MAX_SHOWN))}...`, length: word.length };
    return { shown: JSON.stringify(word), length: word.length };
  }
  const code = text.codePointAt(offset)!;
  const char = String.fromCodePoint(code);
  if (code >= 0x21 && code <= 0x7e) return { shown: JSON.stringify(char), length: 1 };
  // Invisible or look-alike characters (a no-break space pasted from a web
  // page, a form feed) are named by code point, so the reader can find them.
  const hex = code.toString(16).toUpperCase().padStart(4, '0');
  const name = CHARACTER_NAMES[code];
  return { shown: `U+${hex}${name ? ` (${name})` : ''}`, length: char.length };
}

/** The longest word quoted in a message. */
const MAX_SHOWN = 40;

const CHARACTER_NAMES: Record<number, string> = {
  0x00: 'NUL',
  0x0b: 'vertical tab',
  0x0c: 'form feed',
  0x0d: 'carriage return',
  0x1b: 'escape',
  0x7f: 'delete',
  0x85: 'next line',
  0xa0: 'no-break space',
  0xad: 'soft hyphen',
  0x1680: 'ogham space mark',
  0x2000: 'en quad',
  0x2001: 'em quad',
  0x2002: 'en space',
  0x2003: 'em space',
  0x2004: 'three-per-em space',
  0x2005: 'four-per-em space',
  0x2006: 'six-per-em space',
  0x2007: 'figure space',
  0x2008: 'punctuation space',
  0x2009: 'thin space',
  0x200a: 'hair space',
  0x200b: 'zero width space',
  0x200c: 'zero width non-joiner',
  0x200d: 'zero width joiner',
  0x2028: 'line separator',
  0x2029: 'paragraph separator',
  0x202f: 'narrow no-break space',
  0x205f: 'medium mathematical space',
  0x2060: 'word joiner',
  0x3000: 'ideographic space',
  0xfeff: 'byte order mark',
  0xfffd: 'replacement character: the file is not valid UTF-8 here',
};

/**
 * The language ignores line ends, so a line that stops short (`win` without
 * its number) fails on the first token of the next line. When the failure is
 * the first thing on its line, no new event could start there, and the line
 * before does not announce a continuation, point at the end of that line.
 * Scans by index from the failure backwards: no copies of the text.
 */
function endOfIncompleteLine(text: string, offset: number): { line: number; column: number } | null {
  let start = text.lastIndexOf('\n', offset - 1) + 1;
  for (let i = start; i < offset; i++) if (!isBlank(text[i]!)) return null;
  if (start === 0) return null;
  // Walk back over earlier lines to the last one with content.
  let lineNo = countLines(text, start);
  while (start > 0) {
    const end = start - 1;
    start = end === 0 ? 0 : text.lastIndexOf('\n', end - 1) + 1;
    lineNo--;
    let stop = end;
    for (let i = start; i + 1 < end; i++) {
      if (text[i] === '/' && text[i + 1] === '/') {
        stop = i;
        break;
      }
    }
    while (stop > start && isBlank(text[stop - 1]!)) stop--;
    if (stop === start) continue;
    if (',([{|='.includes(text[stop - 1]!)) return null;
    return { line: lineNo, column: stop - start + 1 };
  }
  return null;
}

function isBlank(c: string): boolean {
  return c === ' ' || c === '\t' || c === '\r';
}

/** The line number of `offset` (1-based). */
function countLines(text: string, offset: number): number {
  let n = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) n++;
  return n;
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
