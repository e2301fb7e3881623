// Issue 14: bad input that `check` must reject (exit 2, file:line:col) before anything runs.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { prepareScript } from '../src/runner.js';
import { timerMs, MAX_TIMER_MS } from '../src/engine/clock.js';
import { nativeAvailable } from '../src/syscalls/index.js';

const dir = mkdtempSync(join(tmpdir(), 'pktdrill-i14-'));
function prepare(name: string, text: string, defines: string[] = []) {
  const file = join(dir, name);
  writeFileSync(file, text);
  return prepareScript(file, { options: defines.map((d) => ({ name: 'define', value: d })) });
}

describe('timeline bound', () => {
  it('rejects a timeline past 86400 s at the event that passes it', () => {
    const r = prepare('long.pkt', '0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n+1000000 close(3) = 0\n');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.split('\n')[0]).toMatch(/long\.pkt:2:1: script timeline reaches 1000000 s, beyond the maximum of 86400 s/);
  });
  it('adds relative times up', () => {
    const r = prepare('sum.pkt', '0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n+50000 close(3) = 0\n+50000 close(3) = -1 EBADF (Bad file descriptor)\n');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(/sum\.pkt:3:1: script timeline reaches 100000 s/);
  });
  it('accepts 86400 s exactly', () => {
    expect(prepare('day.pkt', '0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n+86400 close(3) = 0\n').ok).toBe(true);
  });
  it('clamps timer delays to what setTimeout takes', () => {
    expect(timerMs(3_000_030_000)).toBe(MAX_TIMER_MS);
    expect(timerMs(-5)).toBe(0);
    expect(timerMs(12.7)).toBe(12);
    expect(timerMs(Infinity)).toBe(MAX_TIMER_MS);
  });
});

describe.skipIf(!nativeAvailable())('symbolic names in call arguments', () => {
  it('rejects a misspelt name at its column, with the closest name', () => {
    const r = prepare('sym.pkt', '0 socket(..., SOCK_STRAEM, IPPROTO_TCP) = 3\n');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.split('\n')[0]).toBe(`${join(dir, 'sym.pkt')}:1:15: unknown name SOCK_STRAEM; did you mean SOCK_STREAM?`);
  });
  it('looks inside structs, arrays and |', () => {
    const r = prepare('deep.pkt', '0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n+0 setsockopt(3, SOL_SOCKET, SO_LINGER, {l_onoff=1, l_linger=LINGR}, 8) = 0\n+0 fcntl(3, F_SETFL, O_RDWR|O_NONBLCK) = 0\n');
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error).toMatch(/deep\.pkt:2:62: unknown name LINGR/);
      expect(r.error).toMatch(/deep\.pkt:3:29: unknown name O_NONBLCK; did you mean O_NONBLOCK\?/);
    }
  });
  it('resolves -D defines as the run does', () => {
    const text = '0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n+0 setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [ONE], 4) = 0\n';
    expect(prepare('def.pkt', text).ok).toBe(false);
    expect(prepare('def2.pkt', text, ['ONE=1']).ok).toBe(true);
  });
  it('leaves counter names of kernel calls alone', () => {
    expect(prepare('nstat.pkt', '0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n+0 nstat(TcpExtSyncookiesSent) = 0\n').ok).toBe(true);
  });
});

describe('kept captures and -j', () => {
  it('names the capture of a script that errored (a deadline) as of one that failed', async () => {
    const { formatResult } = await import('../src/report/text.js');
    const text = formatResult({ file: 'flood.pkt', status: 'error', error: 'flood.pkt: script still running after its deadline of 60 s (set --deadline=N)', pcap: '/tmp/flood-1.pcap', durationMs: 60000 } as never);
    expect(text).toContain('  capture: /tmp/flood-1.pcap');
  });
  it('warns once when -j is above the cores here', async () => {
    const { spawnSync } = await import('node:child_process');
    const { availableParallelism } = await import('node:os');
    const n = availableParallelism() + 1;
    const file = join(dir, 'none.pkt');
    writeFileSync(file, '0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n');
    // --dry_run: a run that starts nothing.
    const r = spawnSync(process.execPath, ['bin/pktdrill.js', 'run', '--dry_run', '-j', String(n), file], { encoding: 'utf8' });
    const lines = r.stderr.split('\n').filter((l) => l.includes('cores here'));
    expect(lines).toEqual([`pktdrill: -j ${n} is above the ${availableParallelism()} cores here; timing verdicts may be late`]);
  });
});
