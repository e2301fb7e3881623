// A folder of .pkt scripts as vitest test cases, one per script:
//
//   // test/kernel.test.ts
//   import { describe, it, expect } from 'vitest';
//   import { pktTests } from 'pktdrill/testing';
//   pktTests({ describe, it, expect }, 'scripts-tcp');
//
// A script passes when pktdrill passes it; a failure's message is
// packetdrill's text. A run that failed on timing alone is run again as
// RunOptions.timingRetries (or PKTDRILL_TIMING_RETRIES) says. `expectFailure`
// turns a script into a negative test: it must fail at the given line with
// a message matching the pattern.

import { collectScripts } from './corpus.js';
import { runScriptFile, type RunOptions, type RunResult } from './runner.js';
import { formatFailure } from './report/text.js';

/** The parts of vitest (or a compatible runner) the helper uses. */
export interface TestApi {
  describe: (name: string, fn: () => void) => void;
  it: (name: string, fn: () => Promise<void>, timeout?: number) => void;
  expect: (value: unknown, message?: string) => { toBe: (v: unknown) => void; toMatch: (r: RegExp) => void };
}

export interface PktTestOptions extends RunOptions {
  /** Scripts that must fail: file name → where and how. */
  expectFailure?: Record<string, { line: number; message: RegExp }>;
  /** Per-test timeout in ms (default 120 s). */
  timeout?: number;
}

export function explain(r: RunResult): string {
  if (r.status === 'error') return r.error ?? 'error';
  return (r.verdict?.failures ?? []).map((f) => formatFailure(r.file, f)).join('\n');
}

export function pktTests(t: TestApi, dir: string | string[], opts: PktTestOptions = {}): void {
  const files = collectScripts(Array.isArray(dir) ? dir : [dir]);
  t.describe(`pktdrill: ${Array.isArray(dir) ? dir.join(', ') : dir}`, () => {
    for (const file of files) {
      const name = file.split('/').pop()!;
      const negative = opts.expectFailure?.[name];
      t.it(
        file,
        async () => {
          const r = await runScriptFile(file, opts);
          for (const f of r.timingRetried ?? []) process.stderr.write(`pktdrill: ${file} failed on timing alone and ran again:\n${f}\n`);
          if (!negative) {
            t.expect(r.status, explain(r)).toBe('pass');
            return;
          }
          t.expect(r.status, r.error ?? 'expected the script to fail').toBe('fail');
          const f = r.verdict!.failures[0]!;
          t.expect(f.span?.line, formatFailure(r.file, f)).toBe(negative.line);
          t.expect(f.message).toMatch(negative.message);
        },
        opts.timeout ?? 120_000,
      );
    }
  });
}
