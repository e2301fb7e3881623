// The README's probe walkthrough, run as written (in a scratch directory for
// its outputs): the probe's table shows what the README shows (times aside),
// the scripts it wrote pass, and the server with another backlog fails the
// accept queue's script at the backlog's line.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const isRoot = typeof process.geteuid === 'function' && process.geteuid() === 0;
const readme = readFileSync('README.md', 'utf8');
const section = readme.slice(readme.indexOf('### Walkthrough: workers that stop reading'));
const blocks = [...section.matchAll(/```[a-z]*\n([\s\S]*?)```/g)].map((m) => m[1]!);

/** Times vary from run to run (1.01 s, (0.35 s)), and a namespace's tcp_max_syn_backlog with the machine's memory. */
const untimed = (s: string): string => s.replace(/\d+\.\d\d/g, 'N.NN').replace(/tcp_max_syn_backlog \d+,/, 'tcp_max_syn_backlog N,').replace(/\s+/g, ' ').trim();

describe.runIf(isRoot)('the README walkthrough', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pktdrill-walkthrough-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const commands = blocks[0]!.split('\n').filter((l) => l.startsWith('npx pktdrill '));
  /** A README command with its outputs in the scratch directory, run with this checkout's pktdrill. */
  const run = (line: string) => {
    const words = line.slice('npx pktdrill '.length).match(/'[^']*'|\S+/g)!.map((w) => w.replace(/^'(.*)'$/, '$1'));
    const args = words.map((w) => w.replace(/^probe-out\//, `${dir}/probe-out/`).replace(/^probe\.(html|svg)$/, `${dir}/probe.$1`));
    return spawnSync(process.execPath, ['bin/pktdrill.js', ...args], { encoding: 'utf8' });
  };

  it('has three commands and the outputs they print', () => {
    expect(commands).toHaveLength(3);
    expect(blocks.length).toBeGreaterThanOrEqual(3);
  });

  it('probe: the table as the README shows it; the reports and the scripts written', () => {
    const r = run(commands[0]!);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const table = r.stdout.split('\n').slice(2).filter((l) => l && !l.startsWith('wrote '));
    const shown = blocks[1]!.trim().split('\n');
    expect(table.map(untimed)).toEqual(shown.map(untimed));
    expect(readFileSync(join(dir, 'probe.html'), 'utf8')).toContain('aria-label="accept queue: 17 held, 1 dropped of 18"');
    expect(readFileSync(join(dir, 'probe.svg'), 'utf8')).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    expect(existsSync(join(dir, 'probe-out', '03-accept-queue.pkt'))).toBe(true);
  });

  it('the scripts pass again', () => {
    const r = run(commands[1]!);
    expect(r.status, r.stdout).toBe(0);
    expect(r.stdout.trim().split('\n').pop()).toBe('8 passed, 0 failed');
    expect(section).toContain('`8 passed, 0 failed`');
  });

  it('another backlog fails at the backlog line, as shown', () => {
    const r = run(commands[2]!);
    expect(r.status).toBe(1);
    const shown = blocks[2]!.trim().split('\n');
    const lines = r.stdout.split('\n').filter((l) => !l.startsWith('  '));
    expect(untimed(lines[0]!.replace(dir + '/', ''))).toBe(untimed(shown[0]!));
    expect(lines[1]!.replace(dir + '/', '')).toBe(shown[1]);
  });

  it('the picture in the README is the --svg drawing', () => {
    expect(section).toContain('![the SYN queue, the accept queue and the SYN-ACK timeline of the stuck-workers server](docs/probe-stuck-workers.svg)');
    const svg = readFileSync('docs/probe-stuck-workers.svg', 'utf8');
    expect(svg).toContain('SYN queue: 17 held, 4 cookies of 21');
    expect(svg).toContain('accept queue: 17 held, 1 dropped of 18');
  });
});
