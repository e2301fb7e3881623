// End to end: `pktdrill probe --quick` against two servers on the live
// kernel, every value of its table checked against what the kernel does,
// and the scripts it writes run again.
//
// Measured first on Linux 6.18 (HZ 250), by hand with the probe's own
// scripts and ss/nstat (see src/probe/battery.ts for the facts):
// - python3 -m http.server: listen(fd, 5) (socketserver's
//   request_queue_size); a stopped server's SYN queue takes 6 requests and
//   the 4 more of 10 SYNs get cookies (tcp_syncookies=1, the default); the
//   accept queue takes 6; the final ACK finding it full is dropped
//   (ListenOverflows 1) and the SYN-ACK comes again after 1 s; a SYN then is
//   dropped; tcp_abort_on_overflow=1 resets that ACK; cookie MSS 1460 →
//   1460, 1440 → 1440, 1400 → 1300, 1000 → 536; TS val bits 0x17 for wscale
//   7 + SACK; a forged cookie ACK is reset; SYN-ACKs again at 1 s and 3 s;
//   tcp_max_syn_backlog=4 stops the SYN queue at 4; after 10 bytes and a
//   FIN, http.server answers (a 400) and closes: LAST_ACK, Recv-Q 0.
// - examples/stuck-workers.mjs --backlog 16: queues of 17; 21 SYNs, 4
//   cookies; tcp_max_syn_backlog=16 stops at 13; a stuck worker never reads:
//   CLOSE_WAIT with Recv-Q 11 (10 bytes + the FIN).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runProbe, writeScripts, type ProbeReport } from '../src/probe/probe.js';
import { runScriptFile } from '../src/runner.js';

const isRoot = typeof process.geteuid === 'function' && process.geteuid() === 0;
const HTTP = 'python3 -m http.server 8080 --bind 192.168.0.1';
const NODE = 'node examples/stuck-workers.mjs --backlog 16';

const target = (server: string) => ({ server, port: 8080, localIp: '192.168.0.1', sysctls: [], cwd: process.cwd() });

function valuesOf(r: ProbeReport): Record<string, string> {
  return Object.fromEntries(r.findings.map((f) => [f.id, f.value]));
}

async function runAll(paths: string[]): Promise<string[]> {
  const bad: string[] = [];
  for (const p of paths) {
    const r = await runScriptFile(p);
    if (r.status !== 'pass') bad.push(`${p}: ${r.verdict?.failures[0]?.message ?? r.error}`);
  }
  return bad;
}

describe.runIf(isRoot)('probe python3 -m http.server', () => {
  let report: ProbeReport;
  let dir = '';
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pktdrill-probe-test-'));
    const r = await runProbe(target(HTTP), { quick: true });
    if (!r.ok) throw new Error(r.error.error);
    report = r.report;
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('measures what the kernel does with its listener', () => {
    const v = valuesOf(report);
    expect(report.findings.filter((f) => f.status !== 'measured').map((f) => `${f.id}: ${f.value} ${f.evidence}`)).toEqual([]);
    expect(v['backlog']).toBe('5');
    // A fresh namespace's defaults (tcp_max_syn_backlog depends on the machine's memory).
    expect(v['settings']).toMatch(/^somaxconn 4096, tcp_max_syn_backlog \d+, tcp_syncookies 1, tcp_abort_on_overflow 0, tcp_synack_retries 5$/);
    expect(v['syn-queue-capacity']).toBe('6 (backlog + 1)');
    expect(v['syn-queue-full']).toBe('syncookies (4 of 10 SYNs answered with a cookie)');
    expect(v['accept-queue-capacity']).toBe('6 (backlog + 1)');
    expect(v['accept-queue-full-ack']).toMatch(/^final ACK dropped; SYN-ACK sent again after (0\.9\d|1\.\d\d) s$/);
    expect(v['accept-queue-full-syn']).toBe('dropped, no answer');
    expect(v['abort-on-overflow']).toBe('final ACK reset');
    expect(v['cookie-mss']).toBe('1460 → 1460, 1440 → 1440, 1400 → 1300, 1000 → 536');
    expect(v['cookie-ts-bits']).toBe('0x17: wscale 7, SACK yes, ECN no');
    expect(v['cookie-ack']).toBe('accepted (5 connections ESTABLISHED)');
    expect(v['cookie-forged']).toBe('reset (RST seq = the forged ack)');
    expect(v['synack-schedule']).toMatch(/^at (0\.9\d|1\.\d\d), (2\.9\d|3\.\d\d) s: 2 in 3\.5 s \(--quick\)$/);
    expect(v['max-syn-backlog']).toBe('tcp_max_syn_backlog=4: SYN queue stops at 4 (4 - 4/4 + 1), below backlog + 1 = 6');
    expect(v['peer-close']).toBe('closes (LAST_ACK, Recv-Q 0)');
  });

  it('shows the evidence: counters that moved, packets seen', () => {
    const ev = Object.fromEntries(report.findings.map((f) => [f.id, f.evidence.join('; ')]));
    expect(ev['syn-queue-full']).toBe('TcpExtTCPReqQFullDoCookies +4, TcpExtSyncookiesSent +4');
    expect(ev['syn-queue-capacity']).toBe('10 SYNs at once, server stopped: syn_recv 6; 10 SYN-ACKs seen');
    expect(ev['cookie-forged']).toBe('TcpExtSyncookiesFailed +1; RST to port 43020');
    expect(ev['max-syn-backlog']).toBe('8 SYNs: 4 SYN-ACKs; TcpExtListenDrops +4');
  });

  it('writes one script per measurement, each passing against the server again', async () => {
    const paths = writeScripts(report, dir);
    expect(paths.map((p) => p.slice(dir.length + 1))).toEqual([
      '01-backlog.pkt',
      '02-syn-queue.pkt',
      '03-accept-queue.pkt',
      '04-abort-on-overflow.pkt',
      '05-syncookies.pkt',
      '06-synack-retransmit.pkt',
      '07-max-syn-backlog.pkt',
      '08-peer-close.pkt',
    ]);
    expect(readFileSync(paths[1]!, 'utf8')).toContain('// Found: SYN queue capacity: 6 (backlog + 1)');
    expect(await runAll(paths)).toEqual([]);
  });
});

describe.runIf(isRoot)('probe the bundled stuck-workers server (Node, backlog 16)', () => {
  let report: ProbeReport;
  let dir = '';
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pktdrill-probe-test-'));
    const r = await runProbe(target(NODE), { quick: true });
    if (!r.ok) throw new Error(r.error.error);
    report = r.report;
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('measures its queues and the CLOSE_WAIT its stuck workers leave', () => {
    const v = valuesOf(report);
    expect(report.findings.filter((f) => f.status !== 'measured').map((f) => f.id)).toEqual([]);
    expect(v['backlog']).toBe('16');
    expect(v['syn-queue-capacity']).toBe('17 (backlog + 1)');
    expect(v['syn-queue-full']).toBe('syncookies (4 of 21 SYNs answered with a cookie)');
    expect(v['accept-queue-capacity']).toBe('17 (backlog + 1)');
    expect(v['max-syn-backlog']).toBe('tcp_max_syn_backlog=16: SYN queue stops at 13 (16 - 16/4 + 1), below backlog + 1 = 17');
    expect(v['cookie-mss']).toBe('1460 → 1460, 1440 → 1440, 1400 → 1300, 1000 → 536');
    expect(v['peer-close']).toBe('left in CLOSE_WAIT, 10 bytes unread');
  });

  it('its scripts pass again, and one fails at its line when the backlog changes', async () => {
    const paths = writeScripts(report, dir);
    expect(await runAll(paths)).toEqual([]);
    const text = readFileSync(paths[2]!, 'utf8');
    expect(text).toContain('--backlog 16');
    const changed = join(dir, 'backlog-20.pkt');
    writeFileSync(changed, text.replaceAll('--backlog 16', '--backlog 20'));
    const r = await runScriptFile(changed);
    expect(r.status).toBe('fail');
    const f = r.verdict!.failures[0]!;
    const line = text.split('\n').findIndex((l) => l.startsWith('+0   listen_queue(8080) = {send_q=16}')) + 1;
    expect(line).toBeGreaterThan(0);
    expect(f.span?.line).toBe(line);
    expect(f.message).toBe('listen queue of port 8080: send_q: expected: 16 vs actual: 20');
  });
});

describe.runIf(isRoot)('probe a Node server with its default backlog (511)', () => {
  // Measured first on 6.18: net.createServer().listen(8080, host) asks
  // listen(fd, 511); the queues hold 512 (516 SYNs: 4 cookies); 512
  // handshakes fill the accept queue; tcp_max_syn_backlog=512 without
  // cookies stops the SYN queue at 385 (512 - 128 + 1); Node reads the 10
  // bytes and the FIN but the socket, which nobody ends, stays CLOSE_WAIT.
  it('fills queues of 512 and its scripts pass again', async () => {
    const r = await runProbe(target(`node -e "require('net').createServer().listen(8080, '192.168.0.1')"`), { quick: true });
    if (!r.ok) throw new Error(r.error.error);
    const v = valuesOf(r.report);
    expect(r.report.findings.filter((f) => f.status !== 'measured').map((f) => `${f.id}: ${f.value} ${f.evidence}`)).toEqual([]);
    expect(v['backlog']).toBe('511');
    expect(v['syn-queue-capacity']).toBe('512 (backlog + 1)');
    expect(v['syn-queue-full']).toBe('syncookies (4 of 516 SYNs answered with a cookie)');
    expect(v['accept-queue-capacity']).toBe('512 (backlog + 1)');
    expect(v['max-syn-backlog']).toBe('tcp_max_syn_backlog=512: SYN queue stops at 385 (512 - 512/4 + 1), below backlog + 1 = 512');
    expect(v['peer-close']).toBe('left in CLOSE_WAIT (it read the data, never closed)');
    const dir = mkdtempSync(join(tmpdir(), 'pktdrill-probe-test-'));
    try {
      expect(await runAll(writeScripts(r.report, dir))).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe.runIf(isRoot)('pktdrill probe on the command line', () => {
  it('prints the table and writes the reports', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pktdrill-probe-cli-'));
    try {
      const r = spawnSync('node', ['bin/pktdrill.js', 'probe', '--quick', '--server', HTTP, '--json', join(dir, 'p.json'), '--html', join(dir, 'p.html')], { encoding: 'utf8' });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      const lines = r.stdout.split('\n');
      expect(lines[0]).toMatch(/^probe of `python3 -m http\.server 8080 --bind 192\.168\.0\.1` on 192\.168\.0\.1:8080, Linux 6\.\S+ \(--quick\): [\d.]+ s$/);
      expect(lines[2]).toMatch(/^measured +value +evidence$/);
      expect(lines[3]).toMatch(/^listen backlog \(after somaxconn\) +5 +ss Send-Q 5; listen\(\) asked for 5 \(not clamped by somaxconn 4096\)$/);
      expect(lines[4]).toMatch(/^namespace sysctls +somaxconn 4096, tcp_max_syn_backlog \d+, tcp_syncookies 1, tcp_abort_on_overflow 0, tcp_synack_retries 5 +sysctl\(\) reads in the probe's namespace$/);
      expect(lines.filter((l) => /^(SYN queue|accept queue|cookie|forged|SYN-ACK|tcp_max_syn_backlog|after the peer)/.test(l))).toHaveLength(13);
      const j = JSON.parse(readFileSync(join(dir, 'p.json'), 'utf8'));
      expect(j.findings).toHaveLength(15);
      expect(readFileSync(join(dir, 'p.html'), 'utf8')).toContain('<td>SYN queue capacity</td><td>6 (backlog + 1)</td>');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe.runIf(isRoot)('probe with --sysctl', () => {
  // Measured first on 6.18 against python3 -m http.server (backlog 5):
  // tcp_syncookies=0: the 4 SYNs past the 6 requests are dropped
  // (TCPReqQFullDrop +4, ListenDrops +4); tcp_syncookies=2: no request at
  // all, 10 cookies; the cookie SYN-ACK is never resent; the final ACK of a
  // cookie finding the accept queue full is dropped even with
  // tcp_abort_on_overflow=1 (the cookie path does not reset: no request
  // socket to abort), ListenOverflows +1.
  // net.core.somaxconn=8 under the stuck-workers server's listen(fd, 16): the
  // backlog is 8, the queues hold 9; with somaxconn 65535 it is 16.
  it('net.core.somaxconn=8: the backlog clamped, and what listen() asked for', async () => {
    const r = await runProbe({ ...target(NODE), sysctls: ['net.core.somaxconn=8'] }, { quick: true });
    if (!r.ok) throw new Error(r.error.error);
    const v = valuesOf(r.report);
    expect(v['backlog']).toBe('8');
    expect(v['settings']).toMatch(/^somaxconn 8, /);
    expect(r.report.findings[0]!.evidence).toEqual(['ss Send-Q 8', 'listen() asked for 16: clamped by net.core.somaxconn 8']);
    expect(v['syn-queue-capacity']).toBe('9 (backlog + 1)');
    expect(v['accept-queue-capacity']).toBe('9 (backlog + 1)');
  });
  it('tcp_syncookies=0: a full SYN queue drops', async () => {
    const r = await runProbe({ ...target(HTTP), sysctls: ['net.ipv4.tcp_syncookies=0'] }, { quick: true });
    if (!r.ok) throw new Error(r.error.error);
    const v = valuesOf(r.report);
    expect(v['syn-queue-capacity']).toBe('6 (backlog + 1)');
    expect(v['syn-queue-full']).toBe('SYN dropped, no answer (4 of 10)');
    expect(r.report.findings.find((f) => f.id === 'syn-queue-full')!.evidence).toEqual(['TcpExtTCPReqQFullDrop +4, TcpExtListenDrops +4']);
    expect(v['accept-queue-capacity']).toBe('6 (backlog + 1)');
  });
  it('tcp_syncookies=2: every SYN a cookie, never resent, and no reset on overflow', async () => {
    const r = await runProbe({ ...target(HTTP), sysctls: ['net.ipv4.tcp_syncookies=2'] }, { quick: true });
    if (!r.ok) throw new Error(r.error.error);
    const v = valuesOf(r.report);
    expect(v['syn-queue-capacity']).toBe('0 (every SYN got a cookie)');
    expect(v['syn-queue-full']).toBe('never full: every SYN got a cookie (tcp_syncookies=2)');
    expect(v['synack-schedule']).toBe('none in 3.5 s');
    expect(v['accept-queue-capacity']).toBe('6 (backlog + 1)');
    expect(v['abort-on-overflow']).toBe('final ACK dropped');
  });
});
