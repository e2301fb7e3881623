// The sandbox promise: a script's sysctls, interfaces and processes never
// outlive it and never reach the host, however the run ends.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runScriptFile } from '../src/runner.js';
import { SANDBOX_SETUP_REFUSED } from '../src/sandbox/spawn.js';

const SYSCTLS = [
  'net/ipv4/tcp_syncookies',
  'net/ipv4/tcp_syn_linear_timeouts',
  'net/ipv4/tcp_synack_retries',
  'net/ipv4/tcp_rmem',
  'net/core/somaxconn',
  'vm/swappiness',
];

interface HostState {
  sysctls: Record<string, string>;
  links: string[];
  netns: string;
}

function hostState(): HostState {
  const sysctls: Record<string, string> = {};
  for (const s of SYSCTLS) sysctls[s] = readFileSync(`/proc/sys/${s}`, 'utf8').trim();
  const links = (JSON.parse(execFileSync('ip', ['-j', 'link', 'show'], { encoding: 'utf8' })) as Array<{ ifname: string }>)
    .map((l) => l.ifname)
    .sort();
  const netns = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  return { sysctls, links, netns };
}

/** Processes whose command line contains the marker. */
/** Processes whose command line contains `marker` (with `start`, begins with it: the program itself, not a shell that started it). */
function processesWith(marker: string, start = false): number[] {
  const pids: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const cmd = readFileSync(`/proc/${d}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (start ? cmd.startsWith(marker) : cmd.includes(marker)) pids.push(Number(d));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

async function until(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return cond();
}

// Both ways into the sandbox: the launcher built with the addon
// (src/sandbox/native/launch.c) and the shell command line it stands in for.
describe.each(['launcher', 'shell'])('sandbox (%s)', (how) => {
  beforeEach(() => {
    if (how === 'shell') process.env.PKTDRILL_SANDBOX = 'shell';
  });
  afterEach(() => {
    delete process.env.PKTDRILL_SANDBOX;
  });

  it('leaves host sysctls, interfaces and processes as they were after a run', async () => {
    const before = hostState();
    const r = await runScriptFile('test/sandbox/changes-things.pkt');
    expect(r.status, r.error ?? JSON.stringify(r.verdict?.failures)).toBe('pass');
    expect(hostState()).toEqual(before);
    expect(await until(() => processesWith('sleep 301').length === 0, 2000)).toBe(true);
  });

  it('refuses a sysctl outside the network namespace', async () => {
    const before = hostState();
    const r = await runScriptFile('test/sandbox/host-sysctl.pkt');
    expect(r.status).toBe('fail');
    expect(r.verdict!.failures[0]!.message).toMatch(/^error executing `sysctl -q -w vm.swappiness=13` command: non-zero status \d+$/);
    expect(r.verdict!.failures[0]!.detail).toMatch(/permission denied|Read-only file system/);
    expect(hostState()).toEqual(before);
  });

  it('gives commands a /tmp of their own that still shows the host\'s files', async () => {
    const marker = join(tmpdir(), `pktdrill-host-marker-${process.pid}`);
    writeFileSync(marker, 'host');
    process.env.PKTDRILL_HOST_MARKER = marker;
    try {
      const r = await runScriptFile('test/sandbox/writes-tmp.pkt');
      expect(r.status, r.error ?? JSON.stringify(r.verdict?.failures)).toBe('pass');
    } finally {
      delete process.env.PKTDRILL_HOST_MARKER;
      rmSync(marker, { force: true });
    }
    expect(existsSync('/tmp/pktdrill-sandbox-test-1')).toBe(false);
  });

  it('names the line and call a script was at when it meets its deadline', async () => {
    // The line is told to the parent when the engine waits, not at each event.
    const r = await runScriptFile('test/sandbox/never-accepted.pkt', { options: [{ name: 'deadline', value: '2' }] });
    expect(r.status).toBe('error');
    expect(r.error).toBe('test/sandbox/never-accepted.pkt:7: script still running after its deadline of 2 s, at accept() (a call that never returns? set --deadline=N)');
  });

  it('leaves nothing behind when pktdrill itself is killed with SIGKILL', async () => {
    const before = hostState();
    const cli = spawn(process.execPath, ['bin/pktdrill.js', 'run', 'test/sandbox/long.pkt'], { stdio: 'ignore', env: { ...process.env } });
    // Wait until the script's background process runs inside its namespace.
    // The sleep itself: the shell that started it exits at once.
    expect(await until(() => processesWith('sleep 302', true).length > 0, 10_000)).toBe(true);
    const inside = processesWith('sleep 302', true)[0]!;
    const netns = readFileSync(`/proc/${inside}/stat`, 'utf8') && execFileSync('readlink', [`/proc/${inside}/ns/net`], { encoding: 'utf8' }).trim();
    expect(netns).not.toBe(execFileSync('readlink', ['/proc/self/ns/net'], { encoding: 'utf8' }).trim());
    cli.kill('SIGKILL');
    expect(await until(() => processesWith('sleep 302').length === 0, 5000)).toBe(true);
    // The script's own process (its job names the script), not other runs on the machine.
    expect(await until(() => processesWith('test/sandbox/long.pkt').length === 0, 5000)).toBe(true);
    expect(hostState()).toEqual(before);
  });
});

// Not per launcher: the corpus' start of a sandbox ahead of its turn.
describe('sandbox started ahead', () => {
  it('starts the next script\'s sandbox while one runs at -j 1, and leaves none behind', async () => {
    const out = execFileSync(process.execPath, ['bin/pktdrill.js', 'run', '-j', '1', 'test/sandbox/waits.pkt', 'test/sandbox/waits.pkt', 'test/sandbox/waits.pkt'], {
      encoding: 'utf8',
      env: { ...process.env, PKTDRILL_PHASES: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    expect(out).toContain('3 passed, 0 failed');
    const err = spawnSync(process.execPath, ['bin/pktdrill.js', 'run', '-j', '1', 'test/sandbox/waits.pkt', 'test/sandbox/waits.pkt'], {
      encoding: 'utf8',
      env: { ...process.env, PKTDRILL_PHASES: '1' },
    }).stderr;
    const line = err.split('\n').find((l) => l.startsWith('phases: '))!;
    const marks = (JSON.parse(line.slice('phases: '.length)) as { marks: Array<[string, number]> }).marks;
    // The second script's process started before its turn came (its start precedes the second 'sandbox spawned').
    const spawned = marks.filter(([w]) => w === 'parent: sandbox spawned').map(([, t]) => t);
    const childStarts = marks.filter(([w], i) => i > 0 && / start$/.test(w)).map(([, t]) => t);
    expect(spawned).toHaveLength(2);
    expect(childStarts).toHaveLength(2);
    expect(childStarts[1]!).toBeLessThan(spawned[1]!);
    // Nothing waits for a job once pktdrill is gone.
    expect(await until(() => processesWith('child-entry.js').filter((p) => readFileSync(`/proc/${p}/cmdline`, 'utf8').endsWith('child-entry.js\0')).length === 0, 5000)).toBe(true);
  });
  it('starts a one-script run\'s sandbox while the CLI loads; bad input leaves it unused and gone', async () => {
    const r = spawnSync(process.execPath, ['bin/pktdrill.js', 'run', 'test/sandbox/waits.pkt'], { encoding: 'utf8', env: { ...process.env, PKTDRILL_PHASES: '1' } });
    expect(r.stdout).toContain('PASS');
    const line = r.stderr.split('\n').find((l) => l.startsWith('phases: '))!;
    const marks = (JSON.parse(line.slice('phases: '.length)) as { marks: Array<[string, number]> }).marks;
    const checked = marks.find(([w]) => w === 'parent: script checked')![1];
    const childStart = marks.find(([w], i) => i > 0 && / start$/.test(w))![1];
    expect(childStart).toBeLessThan(checked);
    const bad = spawnSync(process.execPath, ['bin/pktdrill.js', 'run', 'test/sandbox/no-such-script.pkt'], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stdout + bad.stderr).toContain('test/sandbox/no-such-script.pkt: no such file');
    expect(await until(() => processesWith('child-entry.js').filter((p) => readFileSync(`/proc/${p}/cmdline`, 'utf8').endsWith('child-entry.js\0')).length === 0, 5000)).toBe(true);
  });
});

// The launcher's own failures have exit codes of their own (launch.c), so the
// runner words them from the code, never from the launcher's text.
describe('the sandbox launcher fails with its own exit codes', () => {
  const launcher = join(process.cwd(), 'build', 'Release', 'pktdrill_sandbox');
  it('exits SANDBOX_SETUP_REFUSED with one line when the kernel refuses its namespaces', () => {
    // As nobody, without --user, unshare(CLONE_NEWNET) is refused (EPERM).
    const r = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', '--', launcher, '--', '/bin/true'], { encoding: 'utf8' });
    expect(r.status).toBe(SANDBOX_SETUP_REFUSED);
    expect(r.stderr).toBe('pktdrill_sandbox: unshare (net, mount, pid): Operation not permitted\n');
  });
  it('exits 127 when the program cannot be started, and passes the program\'s own code through', () => {
    const missing = spawnSync(launcher, ['--', '/nonexistent/program'], { encoding: 'utf8' });
    expect(missing.status).toBe(127);
    expect(missing.stderr).toBe('pktdrill_sandbox: cannot start /nonexistent/program: No such file or directory\n');
    expect(spawnSync(launcher, ['--', '/bin/sh', '-c', 'exit 7']).status).toBe(7);
  });
});
