// Errors carry their parts as values, so nothing reads them back out of text:
// a run's error its message apart from where it is, a decode failure whether
// the bytes stopped short.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { headline } from '../src/report/json.js';
import { prepareScript, runScriptFile } from '../src/runner.js';
import { decodeIp } from '../src/packet/frame.js';

const dir = mkdtempSync(join(tmpdir(), 'pktdrill-errors-'));
const script = (name: string, text: string) => {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
};

describe('a run error', () => {
  it('is its place and its message; the headline takes the message', async () => {
    const file = script('bad.pkt', '0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n+0 listen(3, x) = 0\n');
    const prep = prepareScript(file);
    expect(prep.ok).toBe(false);
    if (prep.ok) return;
    expect(prep.line).toBe(2);
    expect(prep.error).toBe(`${file}:2:14: ${prep.message}`);
    const r = await runScriptFile(file);
    expect(r.status).toBe('error');
    expect(r.errorMessage).toBe(prep.message);
    expect(headline(r)).toEqual({ line: 2, message: prep.message });
  });

  it('keeps every problem, the first one without its place', () => {
    const file = script('two.pkt', '0 sockett(1) = 3\n+0 sockettt(2) = 3\n');
    const prep = prepareScript(file);
    if (prep.ok) throw new Error('parsed');
    const [first, ...rest] = prep.error.split('\n');
    expect(first!.startsWith(`${file}:1:`)).toBe(true);
    expect(prep.message.split('\n').slice(1)).toEqual(rest);
  });

  it('says which file cannot be read', () => {
    const prep = prepareScript(dir);
    if (prep.ok) throw new Error('read a directory');
    expect(prep).toMatchObject({ error: `${dir}: is a directory`, message: 'is a directory' });
  });
});

describe('a decode failure', () => {
  it('says when the bytes stopped short', () => {
    const header = Uint8Array.from([0x45, 0, 0, 60, 0, 0, 0x40, 0, 64, 6, 0, 0, 192, 0, 2, 1, 192, 168, 0, 1]);
    const short = decodeIp(header);
    expect(short).toMatchObject({ ok: false, truncated: true });
    const bad = decodeIp(Uint8Array.from([0x43, ...header.subarray(1)]));
    expect(bad.ok).toBe(false);
    expect(bad.ok ? null : bad.truncated).toBeUndefined();
  });
});
