import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type {
  CodeEvent,
  CommandEvent,
  Event,
  Expr,
  IcmpPacketAst,
  PacketEvent,
  Script,
  Span,
  SyscallEvent,
  TcpOptionAst,
  TcpPacketAst,
  UdpPacketAst,
} from '../src/script/ast.js';
import { formatSourceError, type SourceError } from '../src/script/errors.js';
import { fixture, parseScript } from './fixtures/grammar/parser.js';

// ---------------------------------------------------------------- helpers

function parsed(text: string): Script {
  const result = parseScript(text, 't.pkt');
  if (!result.ok) throw new Error(formatSourceError(result.error, text));
  return result.value;
}

function only(text: string): Event {
  const { events } = parsed(text);
  expect(events).toHaveLength(1);
  return events[0]!;
}

function tcp(text: string): TcpPacketAst {
  const event = only(text) as PacketEvent;
  expect(event.kind).toBe('packet');
  expect(event.packet.kind).toBe('tcp');
  return event.packet as TcpPacketAst;
}

function call(text: string): SyscallEvent {
  const event = only(text);
  expect(event.kind).toBe('syscall');
  return event as SyscallEvent;
}

/** The first argument of `+0 f(<expr>) = 0`. */
function arg(expr: string): Expr {
  return call(`+0 f(${expr}) = 0`).args[0]!;
}

function failure(text: string): SourceError {
  const result = parseScript(text, 't.pkt');
  if (result.ok) throw new Error(`parsed, but should not have: ${text}`);
  return result.error;
}

const at = (line: number, column: number, endLine: number, endColumn: number): Span => ({
  line,
  column,
  endLine,
  endColumn,
});

/** Drop spans, to compare shapes. */
function shape(value: unknown): unknown {
  return JSON.parse(
    JSON.stringify(value, (key, v) =>
      key === 'span' || key === 'nameSpan' ? undefined : typeof v === 'bigint' ? `${v}n` : v,
    ),
  );
}

// ---------------------------------------------------------------- layout

describe('layout', () => {
  it('accepts an empty script and one with only comments', () => {
    expect(parsed('')).toEqual({ options: [], events: [] });
    expect(parsed('// nothing\n/* at\n all */\n\n')).toEqual({ options: [], events: [] });
  });

  it('skips line and block comments anywhere between tokens', () => {
    const script = parsed(
      [
        '// a test',
        '0 socket(..., /* domain */ SOCK_STREAM, // type',
        '         IPPROTO_TCP) = 3 // the fd',
        '/* two',
        '   lines */ +0 close(3) = 0',
      ].join('\n'),
    );
    expect(script.events.map((e) => e.kind)).toEqual(['syscall', 'syscall']);
    expect(script.events[1]!.span).toEqual(at(5, 13, 5, 28));
  });

  it('reads CRLF line ends with the same lines and columns', () => {
    const script = parsed('// x\r\n0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\r\n\r\n+0 close(3) = 0\r\n');
    expect(script.events).toHaveLength(2);
    expect(script.events[0]!.span).toEqual(at(2, 1, 2, 44));
    expect(script.events[1]!.span).toEqual(at(4, 1, 4, 16));
  });

  it('is newline-insensitive like packetdrill: several events on a line, one event on several lines', () => {
    const script = parsed('0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3 +0 bind(3, ..., ...) = 0\n+0\n<\nS\n0:0(0)\nwin 1000');
    expect(script.events.map((e) => e.kind)).toEqual(['syscall', 'syscall', 'packet']);
    expect(script.events[1]!.span).toEqual(at(1, 45, 1, 69));
    expect(script.events[2]!.span).toEqual(at(2, 1, 6, 9));
  });

  it('parses the realistic fixture script', () => {
    const text = readFileSync(fixture('passive-open.pkt'), 'utf8');
    const script = parsed(text);
    expect(script.options.map((o) => [o.name, o.value])).toEqual([
      ['tolerance_usecs', '8000'],
      ['ip_version', 'ipv4'],
    ]);
    const kinds = script.events.map((e) => (e.kind === 'packet' ? e.packet.direction : e.kind));
    expect(kinds).toEqual([
      'command',
      'syscall', 'syscall', 'syscall', 'syscall', 'syscall', 'syscall',
      'inbound', 'outbound', 'inbound', 'syscall', 'syscall',
      'inbound', 'outbound', 'syscall',
      'syscall', 'outbound', 'inbound', 'code',
      'inbound', 'outbound', 'syscall', 'syscall', 'outbound', 'inbound', 'syscall',
      'command',
    ]);
    expect(script.events[0]!.time).toBeNull();
    expect(script.events.at(-1)!.time).toBeNull();
  });
});

// ---------------------------------------------------------------- options

describe('option lines', () => {
  it('reads names and values as written', () => {
    const script = parsed(
      [
        '--tolerance_usecs=8000',
        '--ip_version=ipv6',
        '--non_fatal',
        '--local_ip=192.168.0.1',
        '--remote_ip=fd::1',
        '--code_command="python3 -u"',
        '--define=CC="reno"',
        '--define=PORT=8080',
        '--tolerance_percent = 12.5 // spaces around = are fine',
        '--dry_run',
        '0 close(3) = 0',
      ].join('\n'),
    );
    expect(script.options.map((o) => [o.name, o.value])).toEqual([
      ['tolerance_usecs', '8000'],
      ['ip_version', 'ipv6'],
      ['non_fatal', null],
      ['local_ip', '192.168.0.1'],
      ['remote_ip', 'fd::1'],
      ['code_command', 'python3 -u'],
      ['define', 'CC="reno"'],
      ['define', 'PORT=8080'],
      ['tolerance_percent', '12.5'],
      ['dry_run', null],
    ]);
    expect(script.options[0]).toEqual({ kind: 'option', name: 'tolerance_usecs', value: '8000', span: at(1, 1, 1, 23) });
    expect(script.options[2]!.span).toEqual(at(3, 1, 3, 12));
  });

  it('only allows options before the first event', () => {
    const e = failure('0 close(3) = 0\n--dry_run');
    expect(e.span.line).toBe(2);
    expect(e.message).toBe('syntax error: unexpected "-"');
  });
});

// ---------------------------------------------------------------- commands and code

describe('shell commands', () => {
  it('untimed, multi-line, as an init and cleanup command', () => {
    const script = parsed('`sysctl -q net.ipv4.tcp_syncookies=1\n sysctl -q x=2`\n0 close(3) = 0\n`echo done`\n');
    const [init, , cleanup] = script.events as [CommandEvent, Event, CommandEvent];
    expect(init).toEqual({
      kind: 'command',
      command: 'sysctl -q net.ipv4.tcp_syncookies=1\n sysctl -q x=2',
      time: null,
      span: at(1, 1, 2, 16),
    });
    expect(cleanup.command).toBe('echo done');
    expect(cleanup.time).toBeNull();
  });

  it('timed, and untimed between events', () => {
    const script = parsed('0 close(3) = 0\n+0 `sysctl -q net.ipv4.tcp_syncookies=1`\n`echo between`\n+0 close(4) = 0');
    const timed = script.events[1] as CommandEvent;
    expect(timed.time).toEqual({ kind: 'relative', usecs: 0, span: at(2, 1, 2, 3) });
    expect(timed.command).toBe('sysctl -q net.ipv4.tcp_syncookies=1');
    expect(timed.span).toEqual(at(2, 1, 2, 41));
    expect((script.events[2] as CommandEvent).time).toBeNull();
  });

  it('keeps escapes as written', () => {
    const event = only('`echo \\`date\\` \\\\`') as CommandEvent;
    expect(event.command).toBe('echo \\`date\\` \\\\');
  });
});

describe('code blocks', () => {
  it('timed, trimmed of spaces and tabs like packetdrill, newlines kept', () => {
    const event = only('+0 %{ assert tcpi_snd_cwnd == 10, tcpi_snd_cwnd }%') as CodeEvent;
    expect(event).toEqual({
      kind: 'code',
      code: 'assert tcpi_snd_cwnd == 10, tcpi_snd_cwnd',
      time: { kind: 'relative', usecs: 0, span: at(1, 1, 1, 3) },
      span: at(1, 1, 1, 51),
    });
    const multi = only('0.5 %{\nx = {1: 2}\nassert x[1] == 2\n}%') as CodeEvent;
    expect(multi.code).toBe('\nx = {1: 2}\nassert x[1] == 2\n');
  });

  it('untimed', () => {
    const event = only('%{ print(1) }%') as CodeEvent;
    expect(event.time).toBeNull();
    expect(event.code).toBe('print(1)');
  });
});

// ---------------------------------------------------------------- times

describe('times', () => {
  const timeOf = (t: string) => only(`${t} close(3) = 0`).time;
  const usecsOf = (t: string) => {
    const time = timeOf(t);
    if (time === null || (time.kind !== 'absolute' && time.kind !== 'relative')) throw new Error('not a point');
    return time.usecs;
  };

  it('converts seconds to exact integer microseconds', () => {
    expect(usecsOf('0')).toBe(0);
    expect(usecsOf('0.100')).toBe(100_000);
    expect(usecsOf('.1')).toBe(100_000);
    expect(usecsOf('0.000001')).toBe(1);
    expect(usecsOf('+0.000001')).toBe(1);
    expect(usecsOf('1')).toBe(1_000_000);
    expect(usecsOf('2.5')).toBe(2_500_000);
    expect(usecsOf('0.3')).toBe(300_000); // 0.3 * 1e6 is 299999.99999999994 in floats
    expect(usecsOf('4.35')).toBe(4_350_000);
    expect(usecsOf('+.002')).toBe(2000);
    expect(usecsOf('123456.654321')).toBe(123_456_654_321);
    // Past microseconds the digits are dropped, as packetdrill truncates.
    expect(usecsOf('0.0000019')).toBe(1);
  });

  it('absolute and relative points', () => {
    expect(timeOf('0.100')).toEqual({ kind: 'absolute', usecs: 100_000, span: at(1, 1, 1, 6) });
    expect(timeOf('+0.1')).toEqual({ kind: 'relative', usecs: 100_000, span: at(1, 1, 1, 5) });
  });

  it('parses a leading minus so that the check can call it a negative time', () => {
    expect(timeOf('-0.5')).toEqual({ kind: 'absolute', usecs: -500_000, span: at(1, 1, 1, 5) });
    expect(timeOf('+-1')).toEqual({ kind: 'relative', usecs: -1_000_000, span: at(1, 1, 1, 4) });
  });

  it('any time', () => {
    const event = only('* > . 1:1(0) ack 1');
    expect(event.time).toEqual({ kind: 'any', span: at(1, 1, 1, 2) });
  });

  it('windows, absolute and relative', () => {
    expect(only('0.1~0.2 > . 1:1(0) ack 1').time).toEqual({
      kind: 'range',
      start: { kind: 'absolute', usecs: 100_000, span: at(1, 1, 1, 4) },
      end: { kind: 'absolute', usecs: 200_000, span: at(1, 5, 1, 8) },
      span: at(1, 1, 1, 8),
    });
    expect(shape(only('+0.1~+0.2 > . 1:1(0) ack 1').time)).toEqual({
      kind: 'range',
      start: { kind: 'relative', usecs: 100_000 },
      end: { kind: 'relative', usecs: 200_000 },
    });
  });

  it('blocking calls keep start and end as written', () => {
    const event = call('+0...0.200 accept(3, ..., ...) = 4');
    expect(event.time).toEqual({
      kind: 'blocking',
      start: { kind: 'relative', usecs: 0, span: at(1, 1, 1, 3) },
      end: { kind: 'absolute', usecs: 200_000, span: at(1, 6, 1, 11) },
      span: at(1, 1, 1, 11),
    });
    expect(shape(call('0.1...0.2 read(4, ..., 10) = 10').time)).toEqual({
      kind: 'blocking',
      start: { kind: 'absolute', usecs: 100_000 },
      end: { kind: 'absolute', usecs: 200_000 },
    });
    expect(shape(call('+0...+0.2 read(4, ..., 10) = 10').time)).toEqual({
      kind: 'blocking',
      start: { kind: 'relative', usecs: 0 },
      end: { kind: 'relative', usecs: 200_000 },
    });
    expect(shape(call('+.002 ... 0.052 connect(4, ..., ...) = 0').time)).toEqual({
      kind: 'blocking',
      start: { kind: 'relative', usecs: 2000 },
      end: { kind: 'absolute', usecs: 52_000 },
    });
  });

  it('rejects mixed windows, as packetdrill does', () => {
    const e = failure('0.1~+0.2 > . 1:1(0) ack 1');
    expect(e.message).toBe('syntax error: unexpected "+"');
    expect(e.span).toEqual(at(1, 5, 1, 6));
  });
});

// ---------------------------------------------------------------- TCP packets

describe('TCP packets', () => {
  it('a full inbound SYN', () => {
    const event = only('+0.1 < S 0:0(0) win 65535 <mss 1460,sackOK,TS val 100 ecr 0,nop,wscale 7>') as PacketEvent;
    expect(event.span).toEqual(at(1, 1, 1, 74));
    expect(event.time).toEqual({ kind: 'relative', usecs: 100_000, span: at(1, 1, 1, 5) });
    expect(event.packet).toEqual({
      kind: 'tcp',
      direction: 'inbound',
      ports: null,
      flags: 'S',
      seq: { start: 0, end: 0, len: 0 },
      ack: null,
      win: 65535,
      urg: null,
      options: [
        { kind: 'mss', value: 1460, span: at(1, 28, 1, 36) },
        { kind: 'sackOK', span: at(1, 37, 1, 43) },
        { kind: 'timestamp', val: 100, ecr: 0, span: at(1, 44, 1, 60) },
        { kind: 'nop', span: at(1, 61, 1, 64) },
        { kind: 'wscale', value: 7, span: at(1, 65, 1, 73) },
      ],
      ip: {},
      span: at(1, 6, 1, 74),
    });
  });

  it('an outbound SYN-ACK without win and with ack', () => {
    const packet = tcp('+0 > S. 0:0(0) ack 1 <mss 1460,nop,wscale 8>');
    expect(packet.direction).toBe('outbound');
    expect(packet.flags).toBe('S.');
    expect(packet.ack).toBe(1);
    expect(packet.win).toBeNull();
    expect(packet.options).toHaveLength(3);
  });

  it('flag combinations as written', () => {
    const flagsOf = (f: string) => tcp(`+0 > ${f} 1:1(0) ack 1`).flags;
    for (const f of ['.', 'S', 'S.', 'P.', 'F.', 'R', 'R.', 'FP.', 'SEW', 'SEWA', 'U.', 'WA.', 'EAP.', '-']) {
      expect(flagsOf(f)).toBe(f);
    }
    // AccECN's ACE counter right after the ack dot.
    expect(flagsOf('P.5')).toBe('P.5');
    expect(flagsOf('.6')).toBe('.6');
  });

  it('sequence numbers up to 2^32-1, in decimal or hex', () => {
    const packet = tcp('+0 < . 4294967295:4294967295(0) ack 0xffffffff win 0x10');
    expect(packet.seq).toEqual({ start: 4294967295, end: 4294967295, len: 0 });
    expect(packet.ack).toBe(0xffffffff);
    expect(packet.win).toBe(16);
    expect(tcp('+0 < P. 1:1001(1000) ack 1 win 257').seq).toEqual({ start: 1, end: 1001, len: 1000 });
  });

  it('urgent pointer', () => {
    expect(tcp('+0 < P.U 1:2(1) ack 1 win 100 urg 1').urg).toBe(1);
  });

  it('explicit ports (a flow)', () => {
    const packet = tcp('+0 < 40001>8080 S 0:0(0) win 1000');
    expect(packet.ports).toEqual({ src: 40001, dst: 8080, srcEnd: null, dstEnd: null, span: at(1, 6, 1, 16) });
    expect(tcp('+0 > 8080 > 40001 S. 0:0(0) ack 1').ports).toMatchObject({ src: 8080, dst: 40001 });
  });

  it('port ranges (a flood)', () => {
    expect(tcp('+0 < 41000..41199>8080 S 0:0(0) win 1000').ports).toMatchObject({ src: 41000, srcEnd: 41199, dst: 8080, dstEnd: null });
    expect(tcp('+0 > 8080>41000..41001 S. 0:0(0) ack 1').ports).toMatchObject({ src: 8080, srcEnd: null, dst: 41000, dstEnd: 41001 });
  });

  it('IP attributes: ECN marks, tos, flowlabel, ttl', () => {
    expect(tcp('+0 < [ect0] . 1:1(0) ack 1 win 1').ip).toEqual({ ecn: 'ect0' });
    expect(tcp('+0 < [ect1] . 1:1(0) ack 1 win 1').ip).toEqual({ ecn: 'ect1' });
    expect(tcp('+0 < [ce] . 1:1(0) ack 1 win 1').ip).toEqual({ ecn: 'ce' });
    expect(tcp('+0 > [noecn] . 1:1(0) ack 1').ip).toEqual({ ecn: 'noecn' });
    expect(tcp('+0 > [ect01] . 1:1(0) ack 1').ip).toEqual({ ecn: 'ect01' });
    expect(tcp('+0 > (tos 0x10) . 1:1(0) ack 1').ip).toEqual({ tos: 16 });
    expect(tcp('+0 > (flowlabel 0x12345) . 1:1(0) ack 1').ip).toEqual({ flowlabel: 0x12345 });
    expect(tcp('+0 > [ect0, flowlabel 0x1] . 1:1(0) ack 1').ip).toEqual({ ecn: 'ect0', flowlabel: 1 });
    expect(tcp('+0 > (ttl 64) . 1:1(0) ack 1').ip).toEqual({ ttl: 64 });
    expect(tcp('+0 > [ect0] 8080>40001 . 1:1(0) ack 1')).toMatchObject({ ip: { ecn: 'ect0' }, ports: { src: 8080 } });
  });

  it('options: <...>, sack blocks, eol, fast open, md5', () => {
    expect(tcp('+0 > S. 0:0(0) ack 1 <...>').options).toBe('any');
    expect(tcp('+0 > S. 0:0(0) ack 1').options).toBeNull();
    const options = tcp(
      '+0 > . 1:1(0) ack 1 <nop,nop,sack 1:2 3:4 5:6,eol,FO abcd1234,FO,FOEXP 0123,FOEXP,md5,md5 00ff>',
    ).options;
    expect(shape(options)).toEqual([
      { kind: 'nop' },
      { kind: 'nop' },
      { kind: 'sack', blocks: [{ start: 1, end: 2 }, { start: 3, end: 4 }, { start: 5, end: 6 }] },
      { kind: 'eol' },
      { kind: 'fastopen', cookie: 'abcd1234', exp: false },
      { kind: 'fastopen', cookie: '', exp: false },
      { kind: 'fastopen', cookie: '0123', exp: true },
      { kind: 'fastopen', cookie: '', exp: true },
      { kind: 'md5' },
      { kind: 'md5', digest: '00ff' },
    ]);
  });

  it('spaces inside the option list', () => {
    expect(tcp('+0 > S 0:0(0) < mss 1460 , nop , wscale 7 >').options).toHaveLength(3);
  });
});

// ---------------------------------------------------------------- UDP and ICMP

describe('AccECN option and fuzz annotations', () => {
  it('reads an order-0 AccECN option as kind 172 with 24-bit counters', () => {
    const p = tcp('+0 < [ect0] . 1:1(0) ack 1 win 100 <ECN e0b 5 ceb 0x10 e1b 2,nop>');
    expect(p.options).toEqual([
      {
        kind: 'generic',
        type: 172,
        data: '000005000010000002',
        accecn: {
          order: 0,
          fields: [
            { name: 'e0b', value: 5 },
            { name: 'ceb', value: 16 },
            { name: 'e1b', value: 2 },
          ],
        },
        span: at(1, 37, 1, 61),
      },
      { kind: 'nop', span: at(1, 62, 1, 65) },
    ]);
  });

  it('reads an order-1 AccECN option, short or empty, as kind 174 or 172', () => {
    const [short] = tcp('+0 > . 1:1(0) ack 1 <ECN e1b 300 ceb 7>').options as TcpOptionAst[];
    expect(short).toMatchObject({ kind: 'generic', type: 174, data: '00012c000007' });
    const [bare] = tcp('+0 > . 1:1(0) ack 1 <ECN,nop,nop>').options as TcpOptionAst[];
    expect(bare).toMatchObject({ kind: 'generic', type: 172, data: '', accecn: { order: 0, fields: [] } });
  });

  it('keeps the fuzzing mutations written after a packet', () => {
    expect(tcp('+0 > S 0:0(0) <mss 1460> { mut tcp mss; trun ipv4 12-15 }').fuzz).toBe('mut tcp mss; trun ipv4 12-15');
    expect(tcp('+0 < P. 1:11(10) ack 1 win 9 {rep tcp win_size 0x10}').fuzz).toBe('rep tcp win_size 0x10');
    expect(tcp('+0 < P. 1:11(10) ack 1 win 9').fuzz).toBeUndefined();
  });

  it('lets an option line end in a comment', () => {
    const { options } = parsed('--tcp_ts_ecr_scaled // why\n--mss=1000 /* size */\n0 close(3) = 0');
    expect(options.map((o) => [o.name, o.value])).toEqual([
      ['tcp_ts_ecr_scaled', null],
      ['mss', '1000'],
    ]);
  });

  it('takes an errno note without an errno name, or glued to it', () => {
    expect(call('+0 close(3) = -1 (Bad file descriptor)')).toMatchObject({ errno: null });
    expect(call('+0 write(4, ..., 9) = -1 EPIPE(Broken pipe)').errno).toMatchObject({ name: 'EPIPE', note: 'Broken pipe' });
  });
});

describe('UDP packets', () => {
  it('with and without ports', () => {
    const event = only('+0 < udp (1472)') as PacketEvent;
    expect(event.packet).toEqual({
      kind: 'udp',
      direction: 'inbound',
      ports: null,
      len: 1472,
      ip: {},
      span: at(1, 4, 1, 16),
    } satisfies UdpPacketAst);
    const withPorts = (only('+0 > [ect01] udp 4000>5000 (100)') as PacketEvent).packet as UdpPacketAst;
    expect(withPorts.ports).toMatchObject({ src: 4000, dst: 5000 });
    expect(withPorts.ip).toEqual({ ecn: 'ect01' });
  });
});

describe('ICMP packets', () => {
  const icmp = (text: string) => (only(text) as PacketEvent).packet as IcmpPacketAst;

  it('type and code', () => {
    expect(icmp('+0 < icmp unreachable port_unreachable')).toEqual({
      kind: 'icmp',
      direction: 'inbound',
      type: 'unreachable',
      code: 'port_unreachable',
      mtu: null,
      echoed: null,
      ip: {},
      span: at(1, 4, 1, 39),
    });
    expect(icmp('+0 < icmp echo_reply')).toMatchObject({ type: 'echo_reply', code: null });
  });

  it('mtu, echo id and an echoed TCP packet', () => {
    const packet = icmp('+.01 < icmp unreachable frag_needed mtu 840 [0:1000(1000)]');
    expect(packet).toMatchObject({ type: 'unreachable', code: 'frag_needed', mtu: 840 });
    expect(packet.echoed).toEqual({
      kind: 'tcp',
      direction: 'outbound',
      ports: null,
      flags: '',
      seq: { start: 0, end: 1000, len: 1000 },
      ack: null,
      win: null,
      urg: null,
      options: null,
      ip: {},
      span: at(1, 46, 1, 58),
    });
    expect(icmp('+0 < icmp echo_request id 7').id).toBe(7);
  });

  it('an echoed UDP packet', () => {
    const packet = icmp('+0 < [ect0] icmp unreachable port_unreachable [udp (100)]');
    expect(shape(packet.echoed)).toEqual({ kind: 'udp', direction: 'outbound', ports: null, len: 100, ip: {} });
    expect(packet.ip).toEqual({ ecn: 'ect0' });
  });
});

// ---------------------------------------------------------------- system calls

describe('system calls', () => {
  it('a call with its spans', () => {
    const event = call('+0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3');
    expect(event).toEqual({
      kind: 'syscall',
      time: { kind: 'relative', usecs: 0, span: at(1, 1, 1, 3) },
      name: 'socket',
      nameSpan: at(1, 4, 1, 10),
      args: [
        { kind: 'ellipsis', span: at(1, 11, 1, 14) },
        { kind: 'symbol', name: 'SOCK_STREAM', span: at(1, 16, 1, 27) },
        { kind: 'symbol', name: 'IPPROTO_TCP', span: at(1, 29, 1, 40) },
      ],
      result: { kind: 'int', value: 3n, radix: 10, span: at(1, 44, 1, 45) },
      errno: null,
      span: at(1, 1, 1, 45),
    });
  });

  it('errno with its note', () => {
    const event = call('+0 connect(3, ..., ...) = -1 EINPROGRESS (Operation now in progress)');
    expect(event.result).toMatchObject({ kind: 'int', value: -1n });
    expect(event.errno).toEqual({
      name: 'EINPROGRESS',
      note: 'Operation now in progress',
      span: at(1, 30, 1, 69),
    });
    expect(call('+0 read(4, ..., 1) = -1 EAGAIN (Resource\n   temporarily  unavailable)').errno?.note).toBe(
      'Resource temporarily unavailable',
    );
    expect(call('+0 close(9) = -1 EBADF').errno).toMatchObject({ name: 'EBADF', note: null });
    // A note without an errno is a comment.
    expect(call('+0 fcntl(4, F_GETFL) = 0x2 (flags O_RDWR)')).toMatchObject({
      result: { kind: 'int', value: 2n, radix: 16 },
      errno: null,
    });
  });

  it('no arguments, and other results', () => {
    expect(call('+0 f() = 0').args).toEqual([]);
    expect(call('+0 f() = ...').result.kind).toBe('ellipsis');
    expect(shape(call('+0 poll([], 0, 0) = POLLIN|POLLOUT').result)).toEqual({
      kind: 'or',
      left: { kind: 'symbol', name: 'POLLIN' },
      right: { kind: 'symbol', name: 'POLLOUT' },
    });
  });

  it('integers: decimal, negative, hex, beyond 32 bits', () => {
    expect(arg('42')).toEqual({ kind: 'int', value: 42n, radix: 10, span: at(1, 6, 1, 8) });
    expect(arg('-1')).toMatchObject({ value: -1n, radix: 10 });
    expect(arg('0xffffffff')).toMatchObject({ value: 0xffffffffn, radix: 16 });
    expect(arg('18446744073709551615')).toMatchObject({ value: 18446744073709551615n });
  });

  it('strings, prefix strings and adjacent strings', () => {
    expect(arg('"reno"')).toEqual({ kind: 'string', value: 'reno', ellipsis: false, span: at(1, 6, 1, 12) });
    expect(arg('"abc"...')).toMatchObject({ value: 'abc', ellipsis: true });
    expect(arg('"a\\"b"')).toMatchObject({ value: 'a\\"b' });
    expect(arg('"ab" "cd"')).toMatchObject({ value: 'abcd', ellipsis: false });
  });

  it('or-expressions, left-associative, with spans', () => {
    const expr = arg('O_RDWR|O_NONBLOCK | O_CLOEXEC');
    expect(shape(expr)).toEqual({
      kind: 'or',
      left: {
        kind: 'or',
        left: { kind: 'symbol', name: 'O_RDWR' },
        right: { kind: 'symbol', name: 'O_NONBLOCK' },
      },
      right: { kind: 'symbol', name: 'O_CLOEXEC' },
    });
    expect(expr.span).toEqual(at(1, 6, 1, 35));
  });

  it('arrays', () => {
    expect(shape(arg('[1]'))).toEqual({ kind: 'array', items: [{ kind: 'int', value: '1n', radix: 10 }] });
    expect(shape(arg('[]'))).toEqual({ kind: 'array', items: [] });
    expect(shape(arg('[{fd=3, events=POLLIN}, {fd=4, events=0}]'))).toMatchObject({
      kind: 'array',
      items: [{ kind: 'struct' }, { kind: 'struct' }],
    });
  });

  it('structs with named fields', () => {
    expect(shape(arg('{fd=3, events=POLLIN|POLLOUT, revents=0}'))).toEqual({
      kind: 'struct',
      fields: [
        { kind: 'field', name: 'fd', value: { kind: 'int', value: '3n', radix: 10 } },
        {
          kind: 'field',
          name: 'events',
          value: {
            kind: 'or',
            left: { kind: 'symbol', name: 'POLLIN' },
            right: { kind: 'symbol', name: 'POLLOUT' },
          },
        },
        { kind: 'field', name: 'revents', value: { kind: 'int', value: '0n', radix: 10 } },
      ],
    });
    expect(shape(arg('{l_onoff=1, l_linger=0}'))).toMatchObject({
      fields: [{ name: 'l_onoff' }, { name: 'l_linger' }],
    });
    expect(arg('{}')).toMatchObject({ kind: 'struct', fields: [] });
  });

  it('sockaddr with function-like values', () => {
    expect(shape(arg('{sa_family=AF_INET, sin_port=htons(8080), sin_addr=inet_addr("192.0.2.1")}'))).toEqual({
      kind: 'struct',
      fields: [
        { kind: 'field', name: 'sa_family', value: { kind: 'symbol', name: 'AF_INET' } },
        {
          kind: 'field',
          name: 'sin_port',
          value: { kind: 'call', name: 'htons', args: [{ kind: 'int', value: '8080n', radix: 10 }] },
        },
        {
          kind: 'field',
          name: 'sin_addr',
          value: {
            kind: 'call',
            name: 'inet_addr',
            args: [{ kind: 'string', value: '192.0.2.1', ellipsis: false }],
          },
        },
      ],
    });
  });

  it('bare name=value arguments and calls as arguments', () => {
    expect(shape(arg('sa_family=AF_INET'))).toEqual({
      kind: 'field',
      name: 'sa_family',
      value: { kind: 'symbol', name: 'AF_INET' },
    });
    expect(shape(arg('htons(8080)'))).toEqual({
      kind: 'call',
      name: 'htons',
      args: [{ kind: 'int', value: '8080n', radix: 10 }],
    });
  });

  it('msghdr and iovec: fields with arguments, unnamed members', () => {
    const event = call(
      '+.01...0.020 sendmsg(4, {msg_name(...)=...,\n     msg_iov(1)=[{..., 1000}],\n     msg_flags=0}, MSG_NOSIGNAL|MSG_FASTOPEN) = 1000',
    );
    expect(shape(event.args[1])).toEqual({
      kind: 'struct',
      fields: [
        { kind: 'field', name: 'msg_name', args: [{ kind: 'ellipsis' }], value: { kind: 'ellipsis' } },
        {
          kind: 'field',
          name: 'msg_iov',
          args: [{ kind: 'int', value: '1n', radix: 10 }],
          value: {
            kind: 'array',
            items: [
              {
                kind: 'struct',
                fields: [],
                items: [{ kind: 'ellipsis' }, { kind: 'int', value: '1000n', radix: 10 }],
              },
            ],
          },
        },
        { kind: 'field', name: 'msg_flags', value: { kind: 'int', value: '0n', radix: 10 } },
      ],
    });
    expect(event.args[1]!.span).toEqual(at(1, 25, 3, 18));
  });

  it('epoll and getsockopt forms from real scripts', () => {
    expect(call('+0 epoll_ctl(5, EPOLL_CTL_ADD, 4, {events=EPOLLOUT|EPOLLIN|EPOLLET, fd=4}) = 0').args).toHaveLength(4);
    expect(call('+0 getsockopt(4, SOL_TCP, TCP_NOTSENT_LOWAT, [0xffffffff], [4]) = 0').args).toHaveLength(5);
    expect(call('+0 setsockopt(3, SOL_SOCKET, SO_LINGER, {onoff=1, linger=0}, 8) = 0').args).toHaveLength(5);
  });
});

// ---------------------------------------------------------------- syntax errors

describe('syntax errors', () => {
  it('a bad TCP flag: the offending letter and what could come there', () => {
    const text = '0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n+0 < Sx 0:0(0) win 1000';
    const e = failure(text);
    expect(e).toEqual({
      file: 't.pkt',
      span: at(2, 7, 2, 8),
      message: 'syntax error: unexpected "x"',
      expected: 'a TCP flag (S . P F R E W A U) or a sequence number start:end(len)',
    });
    expect(formatSourceError(e, text)).toBe(
      't.pkt:2:7: syntax error: unexpected "x"; expected a TCP flag (S . P F R E W A U) or a sequence number start:end(len)\n' +
        '+0 < Sx 0:0(0) win 1000\n' +
        '      ^',
    );
  });

  it('a misspelled keyword is named whole', () => {
    const e = failure('+0 < S 0:0(0) wn 100');
    expect(e.span).toEqual(at(1, 15, 1, 17));
    expect(e.message).toBe('syntax error: unexpected "wn"');
    expect(e.expected).toBe('"ack", "win", "urg", "<" or the next event');
  });

  it('a line that stops short is reported at its end, not on the next line', () => {
    const e = failure('+0 < S 0:0(0) win\n+0 > S. 0:0(0) ack 1');
    expect(e).toMatchObject({ span: at(1, 18, 1, 19), message: 'syntax error: unexpected end of line', expected: 'a number' });
  });

  it('end of input inside a call', () => {
    const e = failure('0 socket(..., SOCK_STREAM');
    expect(e.span).toEqual(at(1, 26, 1, 26));
    expect(e.message).toBe('syntax error: unexpected end of input');
    expect(e.expected).toBe('"(", "=", "|", "," or ")"');
  });

  it('a call without its result', () => {
    const e = failure('0 close(3)\n+0 close(4) = 0');
    expect(e).toMatchObject({ span: at(1, 11, 1, 12), message: 'syntax error: unexpected end of line', expected: '"="' });
  });

  it('a line that is no event', () => {
    const e = failure('0 > S 0:0(0) <mss 1460>\nhello world');
    expect(e.span).toEqual(at(2, 1, 2, 6));
    expect(e.message).toBe('syntax error: unexpected "hello"');
    expect(e.expected).toBe('a time, a `command`, a %{ code }% block or end of input');
  });

  it('an unknown TCP option', () => {
    const e = failure('+0 > S 0:0(0) <mss 1460,timestamp 1>');
    expect(e.span).toEqual(at(1, 25, 1, 34));
    expect(e.expected).toContain('"mss"');
    expect(e.expected).toContain('"TS"');
  });

  it('a bad time', () => {
    const e = failure('+x close(3) = 0');
    expect(e).toMatchObject({ span: at(1, 2, 1, 3), message: 'syntax error: unexpected "x"', expected: 'a time' });
  });

  it('unterminated command, code block and comment point at their opening', () => {
    expect(failure('0 close(3) = 0\n+0 `echo hi\n+0 close(4) = 0')).toMatchObject({
      span: at(2, 4, 2, 5),
      message: 'syntax error: unterminated `command` (no closing backtick)',
    });
    expect(failure('+0 %{ x = 1 }')).toMatchObject({
      span: at(1, 4, 1, 6),
      message: 'syntax error: unterminated %{ code block (no closing }%)',
    });
    expect(failure('+0 setsockopt(3, SOL_TCP, TCP_CONGESTION, "reno, 4) = 0')).toMatchObject({
      span: at(1, 43, 1, 44),
      message: 'syntax error: unterminated string (no closing quote)',
    });
    expect(failure('0 close(3) = 0 /* never closed')).toMatchObject({
      span: at(1, 16, 1, 18),
      message: 'syntax error: unterminated /* comment',
    });
  });

  it('says so for packetdrill constructs pktdrill does not support', () => {
    expect(failure('+0 < gre: S 0:0(0) win 1').message).toBe('not supported: gre encapsulation headers in packets');
    expect(failure('+0 < icmp unreachable port_unreachable [raw (10)]').message).toContain('not supported');
  });

  it('never throws, whatever the input', () => {
    const pieces = ['0', '+', '.', '<', '>', 'S', ' ', '\n', '(', ')', '[', ']', '{', '}', '"', '`', '%{', '}%', '/*', '//', 'x', ',', '=', '...', ':', '~', '*', '-', '|', '\r'];
    let seed = 12345;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let i = 0; i < 500; i++) {
      let text = '';
      const length = Math.floor(random() * 30);
      for (let j = 0; j < length; j++) text += pieces[Math.floor(random() * pieces.length)];
      const result = parseScript(text, 'fuzz.pkt');
      if (!result.ok) {
        expect(result.error.file).toBe('fuzz.pkt');
        expect(result.error.span.line).toBeGreaterThanOrEqual(1);
        expect(result.error.message).toMatch(/^(syntax error|not supported)/);
      }
    }
  });
});
