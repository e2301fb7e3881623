// End to end: every script of the corpus against the live kernel, and the
// negative scripts failing on their known line with their known message.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runScriptFile } from '../src/runner.js';
import { pktTests } from '../src/testing.js';
import { formatFailure } from '../src/report/text.js';

// The corpus through the library's own vitest helper, as users would write it.
pktTests({ describe, it, expect }, 'scripts-tcp');

/** [script, line, the failure text (first line, without `file:line: `)] */
const NEGATIVE: Array<[string, number, RegExp]> = [
  ['wrong-ack.pkt', 11, /^error handling packet: live packet field tcp_ack_seq: expected: 2 \(0x2\) vs actual: 1 \(0x1\)$/],
  ['wrong-errno.pkt', 6, /^runtime error in connect call: Expected errno 114 \(Operation already in progress\) but got 115 \(Operation now in progress\)$/],
  ['missing-packet.pkt', 6, /^error handling packet: live packet field ipv4_total_length: expected: 44 \(0x2c\) vs actual: 40 \(0x28\)$/],
  ['late-packet.pkt', 9, /^timing error: expected outbound packet at 0\.5\d+ sec but happened at 1\.0\d+ sec; tolerance 0\.0\d+ sec$/],
  ['failing-command.pkt', 2, /^error executing `exit 3` command: non-zero status 3$/],
  ['counter-off-by-one.pkt', 9, /^live counter TcpExtSyncookiesSent: expected: 2 vs actual: 1$/],
  [
    'not-a-cookie.pkt',
    11,
    /^the SYN-ACK on flow 41000 is not a syncookie: cookie without TS \(the SYN carried no TS\): wscale option: expected absent vs actual 7; .*sackOK option: expected absent vs actual present$/,
  ],
  ['flow-isn.pkt', 13, /^error handling packet: live packet field tcp_seq: expected: 1001 \(0x3e9\) vs actual: 1 \(0x1\)$/],
  ['listen-queue.pkt', 9, /^listen queue of port 8080: recv_q: expected: 1 vs actual: 2$/],
  ['calls-poll-revents.pkt', 12, /^runtime error in poll call: Expected revents of POLLIN but got POLLOUT for pollfd 0$/],
  ['calls-tcp-info-cwnd.pkt', 12, /^runtime error in getsockopt call: Bad getsockopt TCP_INFO tcpi_snd_cwnd: expected: 11 actual: 10$/],
  ['calls-epoll-events.pkt', 14, /^runtime error in epoll_wait call: epoll_event->events does not match script: expected: 0x5 actual: 0x1$/],
  ['calls-bad-escape.pkt', 5, /^runtime error in setsockopt call: unsupported escape code: 'q'$/],
  ['calls-recvmsg-flags.pkt', 17, /^runtime error in recvmsg call: Expected msg_flags 0x00000000 but got 0x00002000$/],
  ['calls-code-assert.pkt', 13, /^error in Python code: AssertionError: cwnd 10$/],
  ['calls-timestamping-early.pkt', 19, /^runtime error in recvmsg call: Bad timestamp 0 in scm_timestamping 0: expected=\d+ \(50000\) actual=\d+ \(1\d{5}\) start=\d+$/],
];

describe('negative scripts fail where and how they should', () => {
  for (const [name, line, message] of NEGATIVE) {
    it(name, async () => {
      const r = await runScriptFile(join('test', 'negative', name));
      expect(r.status, r.error).toBe('fail');
      const f = r.verdict!.failures[0]!;
      expect(f.span?.line).toBe(line);
      expect(f.message).toMatch(message);
    });
  }

  it('a packet failure prints script and actual packets the packetdrill way', async () => {
    const r = await runScriptFile(join('test', 'negative', 'wrong-ack.pkt'));
    const text = formatFailure(r.file, r.verdict!.failures[0]!);
    const lines = text.split('\n');
    expect(lines[0]).toBe(
      'test/negative/wrong-ack.pkt:11: error handling packet: live packet field tcp_ack_seq: expected: 2 (0x2) vs actual: 1 (0x1)',
    );
    expect(lines[1]).toMatch(/^script packet: +0\.\d{6} S\. 0:0\(0\) ack 2 <mss 1460>$/);
    expect(lines[2]).toMatch(/^actual packet: +0\.\d{6} S\. 0:0\(0\) ack 1 win \d+ <mss 1460>$/);
  });
});
