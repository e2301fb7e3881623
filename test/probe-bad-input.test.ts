// `pktdrill probe` with a server that cannot be probed, or bad options: one
// clear line each (exit 2), the server's output below it, no stack trace,
// and nothing left behind (no scratch directory, no process).
import { execFileSync, spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const isRoot = typeof process.geteuid === 'function' && process.geteuid() === 0;

function probe(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const c = spawn('node', ['bin/pktdrill.js', 'probe', '--quick', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    c.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    c.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    c.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

const scratch = (): string[] => readdirSync(tmpdir()).filter((n) => n.startsWith('pktdrill-probe-') && !n.startsWith('pktdrill-probe-test-') && !n.startsWith('pktdrill-probe-cli-'));
/** Processes whose command line holds the marker (none may outlive the probe). */
const alive = (marker: string): string[] => {
  try {
    return execFileSync('pgrep', ['-af', marker], { encoding: 'utf8' }).trim().split('\n').filter((l) => l && !l.includes('pgrep'));
  } catch {
    return []; // pgrep: no match
  }
};

/** [what, --server, the first line of stderr, a line of the server's output shown below] */
const SERVERS: Array<[string, string, RegExp, RegExp | null]> = [
  [
    'a server that exits',
    `python3 -c "raise SystemExit('probe-marker-exits: no config')"`,
    /^pktdrill probe: `python3 -c .*` exited before listening on 192\.168\.0\.1:8080$/,
    /^ {2}\| probe-marker-exits: no config$/,
  ],
  [
    'a port already taken',
    `python3 -c "import socket; a = socket.socket(); a.bind(('192.168.0.1', 8080)); b = socket.socket(); b.bind(('192.168.0.1', 8080)) # probe-marker-taken"`,
    /^pktdrill probe: `python3 -c .*` could not listen: port 8080 is taken in the probe's namespace \(Address already in use\)$/,
    /Address already in use/,
  ],
  [
    'a server on another address',
    'python3 -m http.server 8080 --bind 127.0.0.1 # probe-marker-loopback',
    /^pktdrill probe: `python3 -m http\.server 8080 --bind 127\.0\.0\.1 # probe-marker-loopback` listens on 127\.0\.0\.1:8080, not on 192\.168\.0\.1, where the probe's packets go \(bind it to 192\.168\.0\.1 or 0\.0\.0\.0\)$/,
    /Serving HTTP on 127\.0\.0\.1 port 8080/,
  ],
  [
    'a server on another port (after the bounded wait)',
    'python3 -m http.server 9000 --bind 192.168.0.1 # probe-marker-port',
    /^pktdrill probe: `python3 -m http\.server 9000 .*` did not listen on 192\.168\.0\.1:8080 within 10 s; it listens on 192\.168\.0\.1:9000 \(give --port 9000\)$/,
    /Serving HTTP on 192\.168\.0\.1 port 9000/,
  ],
  [
    'a --sysctl the namespace does not have',
    'python3 -m http.server 8080 --bind 192.168.0.1 # probe-marker-sysctl',
    /^pktdrill probe: a --sysctl failed in the probe's namespace: sysctl: cannot stat \/proc\/sys\/net\/ipv4\/tcp_syncokies: No such file or directory$/,
    null,
  ],
  [
    'a server that never listens (bounded wait)',
    'echo probe-marker-never starting; sleep 3600',
    /^pktdrill probe: `echo probe-marker-never starting; sleep 3600` did not listen on 192\.168\.0\.1:8080 within 10 s$/,
    /^ {2}\| probe-marker-never starting$/,
  ],
];

describe.runIf(isRoot)('a server the probe cannot probe', () => {
  let before: string[] = [];
  beforeAll(() => {
    before = scratch();
  });
  afterAll(() => {
    // Every probe above has ended: none left its scratch directory.
    expect(scratch().filter((n) => !before.includes(n))).toEqual([]);
  });
  for (const [what, server, first, output] of SERVERS) {
    it(what, async () => {
      const r = await probe(['--server', server, ...(what.includes('--sysctl') ? ['--sysctl', 'net.ipv4.tcp_syncokies=1'] : [])]);
      const lines = r.stderr.split('\n');
      expect(r.status).toBe(2);
      expect(r.stdout).toBe('');
      expect(lines[0]).toMatch(first);
      if (output) expect(lines.slice(1).some((l) => output.test(l)), r.stderr).toBe(true);
      expect(r.stderr).not.toMatch(/^\s+at .*\(.*:\d+:\d+\)$/m); // no stack trace of ours
      const marker = /probe-marker-[a-z]+/.exec(server)?.[0];
      if (marker) expect(alive(marker)).toEqual([]);
    });
  }
});

describe('bad probe options: one line, exit 2, nothing run', () => {
  const CASES: Array<[string[], string]> = [
    [[], "pktdrill: probe needs --server CMD, e.g. --server 'python3 -m http.server 8080 --bind 192.168.0.1' (pktdrill --help for usage)"],
    [['--server', 'x', '--port', '0'], "pktdrill: --port takes a TCP port 1-65535, got '0' (pktdrill --help for usage)"],
    [['--server', 'x', '--sysctl', 'vm.swappiness=1'], "pktdrill: --sysctl takes net.NAME=VALUE (a sysctl of the probe's network namespace), got 'vm.swappiness=1' (pktdrill --help for usage)"],
    [['--server', 'x', '--frobnicate'], 'pktdrill: unknown probe option --frobnicate (pktdrill --help for usage)'],
    [['--server', 'x', 'file.pkt'], "pktdrill: probe takes no file ('file.pkt'); the server is --server CMD (pktdrill --help for usage)"],
    [['--server', ''], 'pktdrill: --server needs a value (pktdrill --help for usage)'],
  ];
  for (const [args, line] of CASES) {
    it(args.join(' ') || '(no options)', async () => {
      const r = await probe(args);
      expect(r.status).toBe(2);
      expect(r.stderr).toBe(line + '\n');
    });
  }
});
