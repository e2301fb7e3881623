#!/usr/bin/env node
// Fuzzing the script front end (parse + checks) with mutated copies of every
// .pkt in the repository. The property: a script either checks clean, or
// gives errors that are each one `file:line:col: message` line; never a
// thrown exception, never a stack overflow, and never much more time than
// its size warrants.
//
//   node bench/fuzz.mjs [--cases N] [--seed N]     (needs `npm run build`)
//
// test/fuzz.test.ts runs the same property on the sources under vitest.

import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';

const root = dirname(dirname(fileURLToPath(import.meta.url)));

/** Every .pkt in the repository (outside node_modules), as [path, text]. */
export function seedScripts() {
  const out = [];
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.name === 'node_modules' || e.name.startsWith('.')) continue;
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.pkt')) out.push([relative(root, p), readFileSync(p, 'utf8')]);
    }
  };
  walk(root);
  return out.sort((a, b) => (a[0] < b[0] ? -1 : 1));
}

// Characters worth putting anywhere: invisible and look-alike spaces, line
// separators, controls, a BOM, bytes that are not UTF-8, and the language's
// own punctuation.
const ODD = ['\u00a0', '\u000b', '\u000c', '\u2028', '\u2029', '\u2003', '\u3000', '\ufeff', '\u200b', '\u0000',
  '\r', '\ufffd', '\u{1f600}', '\ud800', 'é'];
const PUNCT = [...'[]{}()<>"`%*/+-.,:;=|~\\!#$&\'?@^_ \t\n'];

const charArb = fc.oneof(
  fc.constantFrom(...ODD),
  fc.constantFrom(...PUNCT),
  fc.string({ minLength: 1, maxLength: 1 }),
  fc.integer({ min: 0, max: 0x10ffff }).map((c) => (c >= 0xd800 && c <= 0xdfff ? '\ufffd' : String.fromCodePoint(c))),
);

const at = fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true });
const pos = (text, f) => Math.floor(f * (text.length + 1));

/** One mutation, as a function of the text. */
const mutationArb = fc.oneof(
  // a byte (character) replaced
  fc.tuple(at, charArb).map(([f, c]) => (t) => { const i = Math.min(pos(t, f), t.length - 1); return i < 0 ? c : t.slice(0, i) + c + t.slice(i + 1); }),
  // a character inserted (Unicode spaces, BOM...)
  fc.tuple(at, charArb).map(([f, c]) => (t) => { const i = pos(t, f); return t.slice(0, i) + c + t.slice(i); }),
  // a BOM at the start
  fc.constant((t) => '\ufeff' + t),
  // deep nesting: openers, or balanced brackets, in the middle of something
  fc.tuple(at, fc.integer({ min: 1, max: 3000 }), fc.constantFrom('[', '{', 'f(', 'a=', '(')).map(([f, n, open]) => (t) => {
    const i = pos(t, f);
    return t.slice(0, i) + open.repeat(n) + t.slice(i);
  }),
  fc.tuple(at, fc.integer({ min: 1, max: 3000 }), fc.constantFrom(['[', ']'], ['{', '}'], ['f(', ')'])).map(([f, n, [o, c]]) => (t) => {
    const i = pos(t, f);
    return t.slice(0, i) + o.repeat(n) + '1' + c.repeat(n) + t.slice(i);
  }),
  // truncation
  at.map((f) => (t) => t.slice(0, pos(t, f))),
  // a range deleted
  fc.tuple(at, fc.integer({ min: 1, max: 200 })).map(([f, n]) => (t) => { const i = pos(t, f); return t.slice(0, i) + t.slice(i + n); }),
  // a line duplicated (several times)
  fc.tuple(at, fc.integer({ min: 1, max: 50 })).map(([f, n]) => (t) => {
    const lines = t.split('\n');
    const i = Math.min(Math.floor(f * lines.length), lines.length - 1);
    return [...lines.slice(0, i), ...Array(n + 1).fill(lines[i]), ...lines.slice(i + 1)].join('\n');
  }),
  // a long run: a name, blanks, digits, a comment, a string body
  fc.tuple(at, fc.integer({ min: 100, max: 100_000 }), fc.constantFrom('a', ' ', '9', '/*', '"', '\u00a0', 'x ', '*', '%{')).map(([f, n, s]) => (t) => {
    const i = pos(t, f);
    return t.slice(0, i) + s.repeat(Math.ceil(n / s.length)) + t.slice(i);
  }),
);

/** A mutated script: [seed file name, text]. */
export function mutatedScriptArb(seeds) {
  return fc.tuple(fc.constantFrom(...seeds), fc.array(mutationArb, { minLength: 1, maxLength: 4 }))
    .map(([[file, text], muts]) => [file, muts.reduce((t, m) => m(t), text)]);
}

const LINE = /^[^\n]+:\d+:\d+: \S[^\n]*$/;

/**
 * Parse and check one script with the given front end; what happened:
 * 'ok', 'errors', or a property violation ('threw', 'format', 'stack', 'slow').
 */
export function frontEndVerdict(file, text, { parseScript, checkScript, formatSourceError }) {
  const started = performance.now();
  let lines;
  try {
    const parsed = parseScript(text, file);
    const errors = parsed.ok ? checkScript(parsed.value, file) : [parsed.error];
    lines = errors.map((e) => formatSourceError(e, text).split('\n')[0]);
  } catch (e) {
    return { kind: /call stack/i.test(String(e?.message)) ? 'stack' : 'threw', detail: String(e?.stack ?? e) };
  }
  const ms = performance.now() - started;
  const bad = lines.find((l) => !LINE.test(l) || /call stack|internal error|undefined|\[object /i.test(l));
  if (bad !== undefined) return { kind: /call stack/i.test(bad) ? 'stack' : 'format', detail: bad };
  // Linear: a generous fixed part plus a few microseconds a character.
  if (ms > 250 + text.length * 0.005) return { kind: 'slow', detail: `${ms.toFixed(0)} ms for ${text.length} characters` };
  return { kind: lines.length === 0 ? 'ok' : 'errors', ms, lines };
}

async function main() {
  const args = process.argv.slice(2);
  const opt = (name, dflt) => { const i = args.indexOf(name); return i >= 0 ? Number(args[i + 1]) : dflt; };
  const cases = opt('--cases', 1000);
  const seed = opt('--seed', 1);
  const frontEnd = {
    ...(await import('../dist/script/parse.js')),
    ...(await import('../dist/script/check.js')),
    ...(await import('../dist/script/errors.js')),
  };
  const seeds = seedScripts();
  const counts = { ok: 0, errors: 0, threw: 0, format: 0, stack: 0, slow: 0 };
  const examples = [];
  let chars = 0;
  let slowest = 0;
  const started = performance.now();
  fc.assert(
    fc.property(mutatedScriptArb(seeds), ([file, text]) => {
      const v = frontEndVerdict(file, text, frontEnd);
      counts[v.kind]++;
      chars += text.length;
      if (v.ms !== undefined) slowest = Math.max(slowest, v.ms);
      if (!['ok', 'errors'].includes(v.kind) && examples.length < 5) examples.push(`${v.kind} (${file}, ${text.length} chars): ${v.detail.slice(0, 300)}`);
      return true;
    }),
    { seed, numRuns: cases },
  );
  const secs = (performance.now() - started) / 1000;
  console.log(`fuzz: ${cases} cases, seed ${seed}, ${seeds.length} seed scripts, ${(chars / 1e6).toFixed(1)} M characters, ${secs.toFixed(1)} s, slowest case ${slowest.toFixed(0)} ms`);
  console.log(Object.entries(counts).map(([k, n]) => `${k} ${n}`).join(', '));
  for (const e of examples) console.log(`  ${e}`);
  process.exitCode = counts.ok + counts.errors === cases ? 0 : 1;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
