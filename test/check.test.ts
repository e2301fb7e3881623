import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Script, Span } from '../src/script/ast.js';
import { formatSourceError, type SourceError } from '../src/script/errors.js';
import { closest, KNOWN_OPTIONS, KNOWN_SYSCALLS } from '../src/script/known.js';
import { checkScript, fixture, parseScript } from './fixtures/grammar/parser.js';

function script(text: string): Script {
  const result = parseScript(text, 't.pkt');
  if (!result.ok) throw new Error(formatSourceError(result.error, text));
  return result.value;
}

function problems(text: string): SourceError[] {
  return checkScript(script(text), 't.pkt');
}

/** The messages, for scripts that start with a valid first event. */
function messages(text: string): string[] {
  return problems(`0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n${text}`).map((e) => e.message);
}

const at = (line: number, column: number, endLine: number, endColumn: number): Span => ({
  line,
  column,
  endLine,
  endColumn,
});

describe('a sound script', () => {
  it('has no problems', () => {
    const text = readFileSync(fixture('passive-open.pkt'), 'utf8');
    expect(checkScript(script(text), 'passive-open.pkt')).toEqual([]);
  });
});

describe('system calls', () => {
  it('an unknown one, with a suggestion when one is close', () => {
    expect(problems('0 sockett(..., SOCK_STREAM, IPPROTO_TCP) = 3')).toEqual([
      {
        file: 't.pkt',
        span: at(1, 3, 1, 10),
        message: "unknown system call 'sockett'; did you mean 'socket'?",
      },
    ]);
    expect(messages('+0 conect(3, ..., ...) = 0')).toEqual(["unknown system call 'conect'; did you mean 'connect'?"]);
    expect(messages('+0 sned(3, ..., 10, 0) = 10')).toEqual(["unknown system call 'sned'; did you mean 'send'?"]);
    expect(messages('+0 frobnicate(3) = 0')).toEqual(["unknown system call 'frobnicate'"]);
  });

  it('knows every packetdrill call', () => {
    for (const name of ['socket', 'accept', 'recvmsg', 'sendfile', 'splice', 'pipe', 'epoll_wait', 'cap_set', 'ioctl']) {
      expect(KNOWN_SYSCALLS.has(name)).toBe(true);
    }
  });
});

describe('options', () => {
  it('an unknown one, with a suggestion', () => {
    expect(problems('--tolerance_usec=8000\n0 close(3) = 0')).toEqual([
      {
        file: 't.pkt',
        span: at(1, 1, 1, 22),
        message: 'unknown option --tolerance_usec; did you mean --tolerance_usecs?',
      },
    ]);
    expect(problems('--colour=red\n0 close(3) = 0').map((e) => e.message)).toEqual(['unknown option --colour']);
  });

  it('values where packetdrill requires or forbids them', () => {
    const found = problems('--non_fatal\n--dry_run=1\n--non_fatal=packet,syscall\n--tcp_ts_ecr_scaled\n0 close(3) = 0');
    expect(found.map((e) => [e.span.line, e.message])).toEqual([
      [1, 'option --non_fatal requires a value'],
      [2, 'option --dry_run takes no value'],
    ]);
  });

  it('bad values', () => {
    const found = problems(
      [
        '--ip_version=ipv5',
        '--bind_port=70000',
        '--tolerance_usecs=0',
        '--tolerance_percent=120',
        '--define=NOVALUE',
        '--ip_version=ipv4-mapped-ipv6',
        '--connect_port=8080',
        '--tolerance_percent=12.5',
        '--define=PORT=8080',
        '0 close(3) = 0',
      ].join('\n'),
    );
    expect(found.map((e) => [e.span.line, e.message, e.expected])).toEqual([
      [1, 'bad --ip_version: ipv5', 'ipv4, ipv4-mapped-ipv6 or ipv6'],
      [2, 'bad --bind_port: 70000', 'a port from 1 to 65535'],
      [3, 'bad --tolerance_usecs: 0', 'a whole number of microseconds above 0'],
      [4, 'bad --tolerance_percent: 120', 'a percentage from 0 to 100'],
      [5, 'bad --define: NOVALUE', 'NAME=VALUE'],
    ]);
  });

  it('knows packetdrill options', () => {
    for (const name of ['ip_version', 'local_ip', 'remote_ip', 'gateway_ip', 'netmask_ip', 'bind_port', 'connect_port',
      'tolerance_usecs', 'tolerance_percent', 'mtu', 'mss', 'define', 'non_fatal', 'dry_run', 'send_omit_free',
      'wire_client', 'wire_server_ip', 'tcp_ts_tick_usecs', 'tcp_ts_ecr_scaled', 'strict_segments']) {
      expect(KNOWN_OPTIONS.has(name)).toBe(true);
    }
  });
});

describe('closest', () => {
  it('finds likely typos and nothing else', () => {
    expect(closest('sockett', KNOWN_SYSCALLS)).toBe('socket');
    expect(closest('setsockpot', KNOWN_SYSCALLS)).toBe('setsockopt');
    expect(closest('recvmesg', KNOWN_SYSCALLS)).toBe('recvmsg');
    expect(closest('socket', KNOWN_SYSCALLS)).toBe('socket');
    expect(closest('xyz', KNOWN_SYSCALLS)).toBeUndefined();
    expect(closest('banana', KNOWN_SYSCALLS)).toBeUndefined();
    expect(closest('anything', [])).toBeUndefined();
  });
});

describe('times', () => {
  it('the first event is at time 0', () => {
    expect(problems('0.1 close(3) = 0')).toEqual([
      { file: 't.pkt', span: at(1, 1, 1, 4), message: 'first event should be at time 0' },
    ]);
    expect(problems('+0.1 close(3) = 0').map((e) => e.message)).toEqual(['first event should be at time 0']);
    // Untimed commands and code come before, without counting.
    expect(problems('`echo init`\n%{ x = 1 }%\n+0 close(3) = 0')).toEqual([]);
  });

  it('time going backwards between two absolute times', () => {
    const found = problems('0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n0.200 close(3) = 0\n0.100 close(4) = 0');
    expect(found).toEqual([
      {
        file: 't.pkt',
        span: at(3, 1, 3, 6),
        message: 'time goes backward in script from 200000 usec to 100000 usec',
      },
    ]);
    // A relative event in between cannot be compared before the run, as in packetdrill.
    expect(messages('0.200 close(3) = 0\n+0 close(5) = 0\n0.100 close(4) = 0')).toEqual([]);
    // Equal times are fine.
    expect(messages('0.1 close(3) = 0\n0.1 close(4) = 0')).toEqual([]);
    // Windows and blocking calls compare by their start.
    expect(messages('0.3 close(3) = 0\n0.1~0.5 > . 1:1(0) ack 1')).toEqual([
      'time goes backward in script from 300000 usec to 100000 usec',
    ]);
    expect(messages('0.3 close(3) = 0\n0.2...0.4 read(3, ..., 1) = 1')).toEqual([
      'time goes backward in script from 300000 usec to 200000 usec',
    ]);
  });

  it('windows that end before they start', () => {
    expect(messages('0.2~0.1 > . 1:1(0) ack 1')).toEqual(['time range is backwards']);
    expect(messages('+0.2~+0.1 > . 1:1(0) ack 1')).toEqual(['time range is backwards']);
    expect(messages('+0.1~+0.2 > . 1:1(0) ack 1')).toEqual([]);
  });

  it('blocking calls that return before they start', () => {
    expect(messages('+0.3...0.2 accept(3, ..., ...) = 4')).toEqual(['blocking call end time is before its start time']);
    expect(messages('0.3...0.2 accept(3, ..., ...) = 4')).toEqual(['blocking call end time is before its start time']);
    expect(messages('+0.3...+0.2 accept(3, ..., ...) = 4')).toEqual(['blocking call end time is before its start time']);
    expect(messages('+0...0.2 accept(3, ..., ...) = 4')).toEqual([]);
  });

  it('negative times', () => {
    const found = problems('0 close(3) = 0\n-0.5 close(4) = 0\n+-1 close(5) = 0');
    expect(found.map((e) => [e.span, e.message])).toEqual([
      [at(2, 1, 2, 5), 'negative time'],
      [at(3, 1, 3, 4), 'negative time'],
    ]);
  });

  it('* and windows only for outbound packets', () => {
    expect(messages('* > . 1:1(0) ack 1')).toEqual([]);
    expect(messages('* < . 1:1(0) ack 1 win 100')).toEqual(['event time * can only be used with outbound packets']);
    expect(messages('* close(3) = 0')).toEqual(['event time * can only be used with outbound packets']);
    expect(messages('0.1~0.2 close(3) = 0')).toEqual(['event time range can only be used with outbound packets']);
  });
});

describe('TCP packets', () => {
  it('sequence numbers must agree with the payload length', () => {
    const found = problems('0 < . 1:100(100) ack 1 win 100');
    expect(found).toEqual([
      {
        file: 't.pkt',
        span: at(1, 3, 1, 31),
        message: 'inconsistent TCP sequence numbers and payload size',
        expected: '1:101(100) or 1:100(99)',
      },
    ]);
    expect(messages('+0 < . 1:101(100) ack 1 win 100')).toEqual([]);
  });

  it('numbers out of range', () => {
    expect(messages('+0 < . 4294967296:4294967296(0) ack 4294967296 win 65536 urg 65536')).toEqual([
      'TCP start sequence number out of range',
      'TCP end sequence number out of range',
      'TCP ack sequence number out of range',
      'TCP window value out of range',
      'urg_ptr value out of range',
    ]);
    expect(messages('+0 < 70000>8080 S 0:0(0) win 1')).toEqual(['src port out of range']);
    expect(messages('+0 < 1:70001(70000) ack 1 win 1'.replace('<', '< .'))).toEqual(['TCP payload size out of range']);
    expect(messages('+0 > (tos 0x100) . 1:1(0) ack 1')).toEqual(['tos out of range for 8 bits']);
    expect(messages('+0 > (flowlabel 0x100000) . 1:1(0) ack 1')).toEqual(['flowlabel out of range for 20 bits']);
  });

  it('inbound packets need a window and real options', () => {
    expect(messages('+0 < . 1:1(0) ack 1')).toEqual(['window must be specified for inbound packets']);
    expect(messages('+0 < S 0:0(0) win 1 <...>')).toEqual(['<...> for TCP options can only be used with outbound packets']);
    expect(messages('+0 < [ect01] S 0:0(0) win 1')).toEqual(['[ect01] can only be used with outbound packets']);
    expect(messages('+0 > [ect01] S 0:0(0) <...>')).toEqual([]);
  });

  it('conflicting ECN flags and ACE counters', () => {
    expect(messages('+0 > SEWA 0:0(0)')).toEqual([]);
    expect(messages('+0 > P.5 1:1(0) ack 1')).toEqual([]);
    expect(messages('+0 > E.5 1:1(0) ack 1')).toEqual(["conflicting TCP flag: '5'"]);
    expect(messages('+0 > .56 1:1(0) ack 1')).toEqual(["conflicting TCP flag: '6'"]);
    expect(messages('+0 > - 1:1(0) ack 1')).toEqual([]);
  });

  it('option values', () => {
    const found = problems(
      '0 > S 0:0(0) <mss 65536,nop,wscale 256,TS val 4294967296 ecr 4294967296,sack 4294967296:4294967296>',
    );
    expect(found.map((e) => [e.span.column, e.message])).toEqual([
      [15, 'mss value out of range'],
      [29, 'window scale shift count out of range'],
      [40, 'ts val out of range'],
      [40, 'ecr val out of range'],
      [73, 'TCP SACK left sequence number out of range'],
      [73, 'TCP SACK right sequence number out of range'],
    ]);
  });

  it('fast open cookies and md5 digests must be hex', () => {
    expect(messages('+0 > S 0:0(0) <FO abc,nop>')).toEqual(['TCP fast open cookie has an odd number of digits']);
    expect(messages('+0 > S 0:0(0) <FO 12zz>')).toEqual(["TCP fast open cookie '12zz' is not a valid hex string"]);
    expect(messages(`+0 > S 0:0(0) <FO ${'00'.repeat(39)}>`)).toContain(
      'TCP fast open cookie of 39 bytes exceeds maximum cookie length of 38 bytes',
    );
    expect(messages('+0 > S 0:0(0) <FO abcd1234,nop,nop>')).toEqual([]);
    expect(messages('+0 > S 0:0(0) <FOEXP abcd1234>')).toEqual([]);
    expect(messages('+0 > S 0:0(0) <md5 0z,nop>')).toEqual(['TCP MD5 digest is not a valid hex string']);
    expect(messages('+0 > S 0:0(0) <md5 abc,nop>')).toEqual(['TCP MD5 digest is not a valid hex string']);
    expect(messages(`+0 > S 0:0(0) <md5 ${'00'.repeat(17)}>`)).toContain('TCP MD5 digest longer than 16 bytes');
    expect(messages(`+0 > S 0:0(0) <md5 ${'ab'.repeat(16)},nop,nop>`)).toEqual([]);
  });

  it('a cookie or digest written as a name is a -D symbol, not checked', () => {
    expect(messages('+0 < S 0:10(10) win 1 <mss 1460,sackOK,nop,nop,FOEXP TFO_COOKIE>')).toEqual([]);
    expect(messages('+0 > S 0:0(0) <md5 DIGEST>')).toEqual([]);
  });

  it('options must fill whole 4-byte words and fit in 40 bytes', () => {
    expect(messages('+0 < S 0:0(0) win 1 <mss 1460,wscale 7>')).toEqual([
      'TCP options are not padded correctly to ensure TCP header is a multiple of 4 bytes: 3 excess bytes',
    ]);
    expect(messages('+0 < S 0:0(0) win 1 <mss 1460,nop,wscale 7>')).toEqual([]);
    expect(messages('+0 < S 0:0(0) win 1 <mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 7>')).toEqual([]);
    expect(messages('+0 < . 1:1(0) ack 1 win 1 <nop,nop,sack 1:2 3:4 5:6 7:8 9:10>')).toEqual([
      'TCP option list too long: 44 bytes (at most 40)',
    ]);
  });
});

describe('the AccECN option', () => {
  it('accepts either order, whole or cut short', () => {
    expect(messages('+0 < [ect0] . 1:1(0) ack 1 win 9 <ECN e0b 1 ceb 0 e1b 1,nop>')).toEqual([]);
    expect(messages('+0 > [ect0] . 1:1(0) ack 1 <ECN e1b 9 ceb 2,nop,nop,sack 9:19>')).toEqual([]);
    expect(messages('+0 > . 1:1(0) ack 1 <ECN e1b 16777215,nop,nop,nop>')).toEqual([]);
  });

  it('counts its bytes for padding: 2 plus 3 per counter', () => {
    expect(messages('+0 < . 1:1(0) ack 1 win 9 <ECN e0b 1 ceb 0 e1b 1>')).toEqual([
      'TCP options are not padded correctly to ensure TCP header is a multiple of 4 bytes: 3 excess bytes',
    ]);
  });

  it('rejects counters out of order or past 24 bits', () => {
    expect(messages('+0 < . 1:1(0) ack 1 win 9 <ECN e0b 1 e1b 1 ceb 0,nop>')).toEqual([
      'AccECN option fields out of order: e0b e1b ceb',
    ]);
    expect(problems('0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n+0 < . 1:1(0) ack 1 win 9 <ECN ceb 1,nop,nop,nop>')[0]).toMatchObject({
      message: 'AccECN option fields out of order: ceb',
      expected: 'e0b or e1b',
    });
    expect(messages('+0 < . 1:1(0) ack 1 win 9 <ECN e0b 16777216,nop,nop,nop>')).toEqual([
      'AccECN e0b value out of range for 24 bits',
    ]);
  });

  it('leaves fuzzing mutations alone', () => {
    expect(messages('+0 > S 0:0(0) <mss 1460> { mut tcp mss }')).toEqual([]);
  });
});

describe('UDP and ICMP packets', () => {
  it('UDP carries no ECN marks and a 16-bit length', () => {
    expect(messages('+0 < [ect0] udp (10)')).toEqual(['ECN can only be used with TCP packets']);
    expect(messages('+0 < udp (70000)')).toEqual(['UDP payload size out of range']);
    expect(messages('+0 < udp 1>2 (10)')).toEqual([]);
  });

  it('the TCP packet quoted in an ICMP message is checked too', () => {
    expect(messages('+0 < icmp unreachable frag_needed mtu 1200 [1:100(100)]')).toEqual([
      'inconsistent TCP sequence numbers and payload size',
    ]);
    expect(messages('+0 < icmp unreachable frag_needed mtu 1200 [1:101(100)]')).toEqual([]);
  });
});

describe('ordering', () => {
  it('reports problems in source order', () => {
    const found = problems('--bogus=1\n0.5 sockett(1) = 0\n+0 < . 1:2(0) ack 1');
    expect(found.map((e) => e.span.line)).toEqual([1, 2, 2, 3, 3]);
  });
});
