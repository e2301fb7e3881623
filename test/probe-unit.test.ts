// The probe's pure parts: the script writer's line numbers, the values its
// reads left in the trace, the tcp_max_syn_backlog arithmetic, the table.
import { describe, expect, it } from 'vitest';
import { evidenceOf } from '../src/probe/evidence.js';
import type { RunResult } from '../src/runner.js';
import { PktWriter, prologue, serverCommand, shellQuote } from '../src/probe/script.js';
import { maxSynBacklogFor, maxSynBacklogRequests, BATTERY } from '../src/probe/battery.js';
import { formatProbeTable } from '../src/probe/table.js';
import { formatProbeJson, formatProbeHtml, formatProbeSvg } from '../src/probe/report.js';
import type { ProbeReport } from '../src/probe/probe.js';
import { parseScript } from '../src/script/parse.js';
import { checkScript } from '../src/script/check.js';

const target = { server: "python3 -m http.server 8080 --bind 192.168.0.1", port: 8080, localIp: '192.168.0.1', sysctls: ['net.ipv4.tcp_syncookies=1', 'net.ipv4.tcp_rmem=4096 131072 6291456'], cwd: '/srv/my app' };

describe('PktWriter', () => {
  it('labels the line a read is on, multi-line commands counted', () => {
    const w = new PktWriter(null);
    prologue(w, target, ['net.ipv4.tcp_timestamps=2'], true);
    const lines = w.text().split('\n');
    expect(lines[w.lineOf('backlog')! - 1]).toBe('+0   listen_queue(8080) = ...');
  });
  it('pins: the value instead of ..., lines after a label, unpinned reads left out', () => {
    const w = new PktWriter({ reads: { a: '{syn_recv=6}' }, after: { flood: ['+0   > 8080>41000 S. 0:0(0) ack 1 <...>'] } });
    w.line('+0', '< 41000>8080 S 0:0(0) win 65535 <mss 1460>', 'flood');
    w.read('a', '+.05', 'listen_queue(8080)');
    w.read('b', '+0', 'nstat(TcpExtListenDrops)');
    expect(w.text()).toBe('+0   < 41000>8080 S 0:0(0) win 65535 <mss 1460>\n+0   > 8080>41000 S. 0:0(0) ack 1 <...>\n+.05 listen_queue(8080) = {syn_recv=6}\n');
    expect(w.lineOf('a')).toBe(3);
  });
  it('quotes for the shell and starts the server from its directory', () => {
    expect(shellQuote('net.ipv4.tcp_syncookies=1')).toBe('net.ipv4.tcp_syncookies=1');
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
    expect(serverCommand({ ...target, server: 'echo `date`' })).toBe("`(cd '/srv/my app' && echo \\`date\\`) &`");
  });
  it('every measuring script of the battery parses and checks', () => {
    for (const m of BATTERY) {
      const text = m.write(target, { backlog: 5, synQueue: 6, cookies: true }, null, true).text();
      const p = parseScript(text, `${m.id}.pkt`);
      expect(p.ok, `${m.id}: ${p.ok ? '' : p.error.message}`).toBe(true);
      if (p.ok) expect(checkScript(p.value, `${m.id}.pkt`).map((e) => e.message), m.id).toEqual([]);
    }
  });
});

describe('the values reads left', () => {
  it('come from the trace entries\' readings, field by field, never from their text', async () => {
    const trace = [
      { timeUsecs: 0, line: 4, kind: 'syscall', text: 'listen_queue() ok = {recv_q=0, send_q=5, syn_recv=6}', read: { text: '{recv_q=0, send_q=5, syn_recv=6}', fields: { recv_q: '0', send_q: '5', syn_recv: '6' } }, ok: true },
      { timeUsecs: 0, line: 5, kind: 'syscall', text: 'nstat() ok = 4', read: { text: '4', fields: { value: '4' } }, ok: true },
      // Text alone, as a read would print it, is not a reading.
      { timeUsecs: 0, line: 6, kind: 'syscall', text: 'nstat() ok = 7', ok: true },
    ];
    const result = { status: 'pass', verdict: { failures: [], trace } } as unknown as RunResult;
    const ev = await evidenceOf(result, undefined, 8080);
    expect(ev.reads.get(4)?.fields).toEqual({ recv_q: '0', send_q: '5', syn_recv: '6' });
    expect(ev.reads.get(4)?.text).toBe('{recv_q=0, send_q=5, syn_recv=6}');
    expect(ev.reads.get(5)?.fields.value).toBe('4');
    expect(ev.reads.has(6)).toBe(false);
    expect(ev.segments).toEqual([]);
  });
});

describe('tcp_max_syn_backlog', () => {
  // Measured on 6.18 (syncookies=0, a stopped listener with backlog 5, then 16):
  // tcp_max_syn_backlog=4 → 4 requests; 16 → 13.
  it('M - M/4 + 1 requests', () => {
    expect(maxSynBacklogRequests(4)).toBe(4);
    expect(maxSynBacklogRequests(16)).toBe(13);
  });
  it('the largest power of two whose rule stops the queue first', () => {
    expect(maxSynBacklogFor(5)).toBe(4);
    expect(maxSynBacklogFor(16)).toBe(16);
    expect(maxSynBacklogFor(511)).toBe(512);
    expect(maxSynBacklogFor(3)).toBeNull();
  });
});

describe('reports', () => {
  const report: ProbeReport = {
    target,
    kernel: 'Linux 6.18.0',
    quick: true,
    durationMs: 5900,
    findings: [
      { id: 'backlog', measured: 'listen backlog (after somaxconn)', value: '5', evidence: ['ss Send-Q 5'], measurement: 'backlog', status: 'measured' },
      { id: 'synack-schedule', measured: 'SYN-ACK retransmissions', value: 'not measured', evidence: ['x.pkt:3: boom'], measurement: 'synack-retransmit', status: 'failed' },
    ],
    scripts: [{ measurement: 'backlog', name: '01-backlog.pkt', text: '0 `x &`\n' }],
  };
  it('the table: a heading, then measured, value and evidence in columns', () => {
    const t = formatProbeTable(report).split('\n');
    expect(t[0]).toBe('probe of `python3 -m http.server 8080 --bind 192.168.0.1` on 192.168.0.1:8080, Linux 6.18.0, net.ipv4.tcp_syncookies=1 net.ipv4.tcp_rmem=4096 131072 6291456 (--quick): 5.9 s');
    expect(t[2]).toBe('measured                          value         evidence');
    expect(t[3]).toBe('listen backlog (after somaxconn)  5             ss Send-Q 5');
    expect(t[4]).toBe('SYN-ACK retransmissions           not measured  x.pkt:3: boom');
  });
  it('JSON and HTML', () => {
    const j = JSON.parse(formatProbeJson(report));
    expect(j.schema).toBe('pktdrill-probe/1');
    expect(j.findings[1]).toEqual({ id: 'synack-schedule', measured: 'SYN-ACK retransmissions', value: 'not measured', evidence: ['x.pkt:3: boom'], status: 'failed', script: 'synack-retransmit' });
    const h = formatProbeHtml(report);
    expect(h).toContain('<tr class="failed"><td>SYN-ACK retransmissions</td>');
    expect(h).toContain('<summary>01-backlog.pkt</summary>');
  });
  it('pictures: a queue as cells held, cookie, dropped; the SYN-ACKs on a time axis', () => {
    const r: ProbeReport = {
      ...report,
      findings: [
        { id: 'syn-queue-capacity', measured: 'SYN queue capacity', value: '6', evidence: [], measurement: 'syn-queue', status: 'measured', data: { sent: 10, held: 6, cookies: 3, dropped: 1 } },
        { id: 'synack-schedule', measured: 'SYN-ACK retransmissions', value: '', evidence: [], measurement: 'synack-retransmit', status: 'measured', data: { at: [0, 1, 3], window: 3.5 } },
      ],
    };
    const svg = formatProbeSvg(r);
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    expect([...svg.matchAll(/<rect class="(\w+)"/g)].map((m) => m[1])).toEqual([...Array(6).fill('held'), 'cookie', 'cookie', 'cookie', 'dropped']);
    expect(svg).toContain('SYN queue: 6 held, 3 cookies, 1 dropped of 10');
    expect(svg.match(/<line class="synack"/g)).toHaveLength(3);
    expect(formatProbeHtml(r)).toContain('aria-label="SYN-ACKs at 0.00, 1.00, 3.00 s"');
  });
});
