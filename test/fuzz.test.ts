// The script front end under hostile input: mutated copies of every .pkt in
// the repository (flipped and inserted characters, Unicode spaces, a BOM,
// deep nesting, truncation, repeated lines, long runs) either check clean or
// give errors that are each one `file:line:col: message` line, never an
// exception, a stack overflow, or time out of proportion to their size.
// Seeded, so a failure repeats; bench/fuzz.mjs runs as many cases as wanted.

import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ES module, shared with the benchmark
import { frontEndVerdict, mutatedScriptArb, seedScripts } from '../bench/fuzz.mjs';
import { checkScript } from '../src/script/check.js';
import { formatSourceError } from '../src/script/errors.js';
import { parseScript } from '../src/script/parse.js';

const frontEnd = { parseScript, checkScript, formatSourceError };

describe('fuzzed scripts', () => {
  it('check clean or give file:line:col errors, quickly, for 500 seeded mutations', () => {
    const seeds = seedScripts();
    expect(seeds.length).toBeGreaterThan(20);
    fc.assert(
      fc.property(mutatedScriptArb(seeds), ([file, text]: [string, string]) => {
        const v = frontEndVerdict(file, text, frontEnd);
        if (v.kind !== 'ok' && v.kind !== 'errors') throw new Error(`${v.kind}: ${v.detail}`);
      }),
      { seed: 14, numRuns: 500 },
    );
  }, 60_000);
});

// ---------------------------------------------------------------- the CLI, on the minimal inputs of issue 14

const dir = mkdtempSync(join(tmpdir(), 'pktdrill-fuzz-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SOCKET = '0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n';

function check(...files: string[]): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, ['bin/pktdrill.js', 'check', ...files], { encoding: 'utf8', timeout: 30_000 });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

function file(name: string, text: string | Buffer): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

/** The error lines (`path:...`) of a check's output. */
function errorLines(out: string, path: string): string[] {
  return out.split('\n').filter((l) => l.startsWith(`${path}:`));
}

describe('pktdrill check on hostile input', () => {
  it('skips a byte order mark at the start', () => {
    const p = file('bom.pkt', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(SOCKET)]));
    expect(check(p)).toMatchObject({ status: 0 });
    // Columns on line 1 do not count the BOM.
    const q = file('bom-bad.pkt', `\ufeff0 sockett(..., SOCK_STREAM, IPPROTO_TCP) = 3\n`);
    const r = check(q);
    expect(r.status).toBe(2);
    expect(errorLines(r.out, q)[0]).toMatch(/:1:3: /);
  });

  const spaces: [string, string][] = [
    ['\u00a0', 'U+00A0 (no-break space)'],
    ['\u000b', 'U+000B (vertical tab)'],
    ['\u000c', 'U+000C (form feed)'],
    ['\u2028', 'U+2028 (line separator)'],
    ['\u2003', 'U+2003 (em space)'],
    ['\u3000', 'U+3000 (ideographic space)'],
  ];
  it.each(spaces)('names %j at its line and column', (space, shown) => {
    const p = file(`space-${shown.slice(2, 6)}.pkt`, `${SOCKET}+0${space}close(3) = 0\n`);
    const r = check(p);
    expect(r.status).toBe(2);
    expect(r.out).not.toMatch(/internal error/);
    const lines = errorLines(r.out, p);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toBe(`${p}:2:3: syntax error: unexpected ${shown}; expected "...", "~", "<", ">", a \`command\`, a %{ code }% block or a name`);
  });

  it('names a Unicode space at the start of a line there, not at the line before', () => {
    const p = file('space-start.pkt', `${SOCKET}\u00a0+0 close(3) = 0\n`);
    const r = check(p);
    expect(errorLines(r.out, p)).toEqual([expect.stringMatching(/:2:1: syntax error: unexpected U\+00A0 \(no-break space\)/)]);
  });

  it('gives every file its result line when one of several is bad', () => {
    const good = file('good.pkt', SOCKET);
    const bad = file('bad-nbsp.pkt', `${SOCKET}+0\u00a0close(3) = 0\n`);
    const r = check(bad, good);
    expect(r.status).toBe(2);
    expect(r.out).toMatch(new RegExp(`ERROR +${bad}`));
    expect(r.out).toMatch(new RegExp(`PASS +${good}`));
  });

  it('takes 100 levels of nesting', () => {
    const p = file('nest-100.pkt', `${SOCKET}+0 setsockopt(3, SOL_SOCKET, SO_REUSEADDR, ${'['.repeat(100)}1${']'.repeat(100)}, 4) = 0\n`);
    expect(errorLines(check(p).out, p).join('\n')).not.toMatch(/nesting/);
  });

  it('bounds nesting, at the line and column where it gets too deep', () => {
    const p = file('nest.pkt', `${SOCKET}+0 setsockopt(3, SOL_SOCKET, SO_REUSEADDR, ${'['.repeat(2000)}1${']'.repeat(2000)}, 4) = 0\n`);
    const r = check(p);
    expect(r.status).toBe(2);
    const col = '+0 setsockopt(3, SOL_SOCKET, SO_REUSEADDR, '.length + 102;
    expect(errorLines(r.out, p)).toEqual([`${p}:2:${col}: syntax error: nesting deeper than 100 levels`]);
    expect(r.out).not.toMatch(/call stack/);
  });

  it('answers a 1 MB name at once, in one short line', () => {
    const p = file('long-name.pkt', `0 ${'a'.repeat(1_000_000)}(..., SOCK_STREAM, IPPROTO_TCP) = 3\n`);
    const started = Date.now();
    const r = check(p);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(r.status).toBe(2);
    expect(errorLines(r.out, p)).toEqual([`${p}:1:3: syntax error: name longer than 256 characters`]);
    expect(r.out.length).toBeLessThan(2000);
  });

  it('reads a 5 MB block comment in linear time', () => {
    const p = file('long-comment.pkt', `${SOCKET}/*${'y'.repeat(5_000_000)}*/\n`);
    const started = Date.now();
    expect(check(p).status).toBe(0);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('refuses a FIFO, a device and a file over 16 MiB with one line each', () => {
    const fifo = join(dir, 'fifo.pkt');
    execFileSync('mkfifo', [fifo]);
    const zero = join(dir, 'zero.pkt');
    symlinkSync('/dev/zero', zero);
    const big = file('big.pkt', Buffer.alloc(16 * 1024 * 1024 + 1, 0x20));
    const r = check(fifo, zero, big);
    expect(r.status).toBe(2);
    expect(errorLines(r.out, fifo)).toEqual([`${fifo}: not a regular file`]);
    expect(errorLines(r.out, zero)).toEqual([`${zero}: not a regular file`]);
    expect(errorLines(r.out, big)).toEqual([`${big}: file is larger than 16 MiB`]);
  });
});
