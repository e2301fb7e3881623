// socket_state(PORT): ss's view of a connection (src/kernel/sockets.ts), the
// kernel call's failure text, and what a script-less target's listener wait
// says when the server ends, or listens where the packets do not go.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseSsSockets, socketOfPeer } from '../src/kernel/sockets.js';
import { listenerReaches } from '../src/kernel/listeners.js';
import { runScriptFile } from '../src/runner.js';

const isRoot = typeof process.geteuid === 'function' && process.geteuid() === 0;

// `ss -Htnai` on Linux 6.18, in a throwaway namespace: a listen(fd, 5)
// listener on 127.0.0.1:8080 whose one child was never accepted, after the
// client sent 10 bytes and shut down its side: the child is CLOSE-WAIT with
// Recv-Q 11 (10 bytes and the FIN), the client FIN-WAIT-2.
const SS = `LISTEN     1      5      127.0.0.1:8080    0.0.0.0:*    
\t bbr cwnd:10 unacked:1
CLOSE-WAIT 11     0      127.0.0.1:8080  127.0.0.1:56120
\t bbr wscale:10,10 rto:204 rtt:0.017/0.008 ato:40 mss:32768 pmtu:65535 rcvmss:536 advmss:65483 cwnd:10 bytes_received:11
FIN-WAIT-2 0      0      127.0.0.1:56120 127.0.0.1:8080 
\t bbr wscale:10,10 rto:208 rtt:5.44/10.835 mss:32768 pmtu:65535 rcvmss:536 advmss:65483 cwnd:12 bytes_sent:10
ESTAB      0      0      [::ffff:192.168.0.1]:8080 [::ffff:192.0.2.1]:41000
`;

describe('parseSsSockets', () => {
  const rows = parseSsSockets(SS);
  it('reads each socket with its state in the kernel\'s words, its queues and its info line\'s mss', () => {
    expect(rows.map((r) => r.state)).toEqual(['LISTEN', 'CLOSE_WAIT', 'FIN_WAIT2', 'ESTABLISHED']);
    expect(rows[1]).toEqual({ state: 'CLOSE_WAIT', recvQ: 11, sendQ: 0, localAddress: '127.0.0.1', localPort: 8080, remoteAddress: '127.0.0.1', remotePort: 56120, mss: 32768 });
    expect(rows[3]!.remoteAddress).toBe('::ffff:192.0.2.1');
    expect(rows[3]!.mss).toBeUndefined();
  });
  it('takes mss: only, not rcvmss: or advmss:', () => {
    expect(parseSsSockets('ESTAB 0 0 1.2.3.4:1 5.6.7.8:2\n\t rcvmss:536 advmss:1460\n')[0]!.mss).toBeUndefined();
  });
  it('skips what is not a socket line, never throws', () => {
    expect(parseSsSockets('garbage\n\n\tmss:1\nESTAB x y a b\nWEIRD 0 0 1.2.3.4:1 5.6.7.8:2\n')).toEqual([]);
  });
  it('finds a connection by its peer port, never the listener', () => {
    expect(socketOfPeer(rows, 56120)?.state).toBe('CLOSE_WAIT');
    expect(socketOfPeer(rows, 8080)?.state).toBe('FIN_WAIT2');
    expect(socketOfPeer(rows, 8080, 8080)).toBeUndefined();
    expect(socketOfPeer(rows, 1)).toBeUndefined();
  });
});

describe('listenerReaches', () => {
  it('the wildcard, the address itself or its mapped form', () => {
    expect(listenerReaches('0.0.0.0', '192.168.0.1')).toBe(true);
    expect(listenerReaches('::', '192.168.0.1')).toBe(true);
    expect(listenerReaches('::ffff:192.168.0.1', '192.168.0.1')).toBe(true);
    expect(listenerReaches('192.168.0.1', '192.168.0.1')).toBe(true);
    expect(listenerReaches('127.0.0.1', '192.168.0.1')).toBe(false);
  });
});

describe.runIf(isRoot)('socket_state() on the live kernel', () => {
  it('the corpus script passes (CLOSE_WAIT, Recv-Q 11)', async () => {
    const r = await runScriptFile('scripts-tcp/socket-state-close-wait.pkt');
    expect(r.status, r.verdict?.failures[0]?.message ?? r.error).toBe('pass');
  });
  it('a wrong expectation fails at its line with each field that differs', async () => {
    const r = await runScriptFile('test/negative/socket-state.pkt');
    expect(r.status).toBe('fail');
    const f = r.verdict!.failures[0]!;
    expect(f.span?.line).toBe(15);
    expect(f.message).toBe('socket of flow 45000 (remote port 45000): state: expected: ESTABLISHED vs actual: CLOSE_WAIT, recv_q: expected: 10 vs actual: 11');
  });
});

describe.runIf(isRoot)('reads: = ... checks nothing and puts what the call found in the trace', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pktdrill-read-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  it('nstat, listen_queue, socket_state', async () => {
    const p = join(dir, 'reads.pkt');
    writeFileSync(
      p,
      [
        '0    socket(..., SOCK_STREAM, IPPROTO_TCP) = 3',
        '+0   bind(3, ..., ...) = 0',
        '+0   listen(3, 3) = 0',
        '+0   < S 0:0(0) win 65535 <mss 1460>',
        '+0   > S. 0:0(0) ack 1 <...>',
        '+.01 nstat(TcpPassiveOpens) = ...',
        '+0   listen_queue(8080) = ...',
        '+0   socket_state(...) = ...',
        '+0   sysctl("net.core.somaxconn") = ...',
        '+0   sysctl("net.ipv4.tcp_rmem") = ...',
        '',
      ].join('\n'),
    );
    const r = await runScriptFile(p);
    expect(r.status, r.verdict?.failures[0]?.message).toBe('pass');
    const reads = r.verdict!.trace.filter((t) => t.kind === 'syscall' && t.line! >= 6).map((t) => `${t.line} ${t.text}`);
    expect(reads).toEqual([
      '6 nstat() ok = 0',
      '7 listen_queue() ok = {recv_q=0, send_q=3, syn_recv=1}',
      '8 socket_state() ok = {state=SYN_RECV, recv_q=0, send_q=0}',
      '9 sysctl() ok = 4096',
      expect.stringMatching(/^10 sysctl\(\) ok = "\d+ \d+ \d+"$/),
    ]);
  });
  it('sysctl(): a number or a string, and what differs', async () => {
    const p = join(dir, 'sysctl.pkt');
    writeFileSync(
      p,
      [
        '`sysctl -q net.ipv4.tcp_synack_retries=3`',
        '0    sysctl("net.ipv4.tcp_synack_retries") = 3',
        '+0   sysctl("net.ipv4.tcp_rmem") = "4096 131072 6291456"',
        '',
      ].join('\n'),
    );
    const r = await runScriptFile(p);
    expect(r.status).toBe('fail');
    expect(r.verdict!.failures[0]!.span?.line).toBe(3);
    expect(r.verdict!.failures[0]!.message).toMatch(/^sysctl net\.ipv4\.tcp_rmem: expected: "4096 131072 6291456" vs actual: "\d+ \d+ \d+"$/);
  });
});

describe.runIf(isRoot)('a separate listener that is not there', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pktdrill-listener-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const script = (name: string, server: string): string => {
    const p = join(dir, name);
    writeFileSync(p, `0    \`${server} &\`\n+0   listen_queue(8080) = ...\n`);
    return p;
  };

  it('a program that ends before it listens: at once, with its output', async () => {
    const r = await runScriptFile(script('exits.pkt', `python3 -c "print('bye'); raise SystemExit(3)"`));
    expect(r.status).toBe('fail');
    const f = r.verdict!.failures[0]!;
    expect(f.span?.line).toBe(2);
    expect(f.message).toBe('the program started at line 1 ended before anything listened on 192.168.0.1:8080');
    expect(f.detail).toContain('bye');
    expect(f.detail).toContain('ended');
  });

  it('a listener on another address: named, after a second', async () => {
    const r = await runScriptFile(script('loopback.pkt', 'python3 -m http.server 8080 --bind 127.0.0.1'));
    expect(r.status).toBe('fail');
    expect(r.verdict!.failures[0]!.message).toBe('port 8080 listens on 127.0.0.1 only, not on 192.168.0.1 (the script\'s local address)');
  });

  it('a listener on another port: what listens, after the 10 s wait', async () => {
    const r = await runScriptFile(script('elsewhere.pkt', 'python3 -m http.server 9000 --bind 192.168.0.1'));
    expect(r.status).toBe('fail');
    expect(r.verdict!.failures[0]!.message).toMatch(/^nothing listens on 192\.168\.0\.1:8080 after 10 s \(.*\); what listens: 192\.168\.0\.1:9000$/);
  });
});
