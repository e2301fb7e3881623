// Static checks of a parsed script: the mistakes packetdrill rejects before
// (or as soon as) it runs a script, each reported with the span it is about.

import { isSymbolBlob } from './defines.js';
import type {
  AccEcnFieldAst,
  Event,
  EventTime,
  Expr,
  IcmpPacketAst,
  IpAttrsAst,
  OptionLine,
  PacketAst,
  PointTime,
  PortsAst,
  Script,
  Span,
  SyscallEvent,
  TcpOptionAst,
  TcpPacketAst,
  UdpPacketAst,
} from './ast.js';
import type { SourceError } from './errors.js';
import { closest, KNOWN_OPTIONS, KNOWN_SYSCALLS } from './known.js';

type Report = (span: Span, message: string, expected?: string) => void;

/** Every problem found, in source order; empty when the script is sound. */
export function checkScript(script: Script, file: string): SourceError[] {
  const errors: SourceError[] = [];
  const report: Report = (span, message, expected) => {
    errors.push(expected === undefined ? { file, span, message } : { file, span, message, expected });
  };

  for (const option of script.options) checkOption(option, report);
  checkTimes(script.events, report);
  for (const event of script.events) {
    if (event.kind === 'syscall') checkSyscall(event, report);
    if (event.kind === 'packet') checkPacket(event.packet, report);
  }

  return errors.sort((a, b) => a.span.line - b.span.line || a.span.column - b.span.column);
}

// ---------------------------------------------------------------- options

function checkOption(option: OptionLine, report: Report): void {
  const spec = KNOWN_OPTIONS.get(option.name);
  if (spec === undefined) {
    const guess = closest(option.name, KNOWN_OPTIONS.keys());
    const hint = guess === undefined ? '' : `; did you mean --${guess}?`;
    report(option.span, `unknown option --${option.name}${hint}`);
    return;
  }
  if (spec.value === 'required' && option.value === null) {
    report(option.span, `option --${option.name} requires a value`, `--${option.name}=VALUE`);
    return;
  }
  if (spec.value === 'forbidden' && option.value !== null) {
    report(option.span, `option --${option.name} takes no value`, `--${option.name} alone`);
    return;
  }
  if (option.value !== null) checkOptionValue(option, option.value, report);
}

/** The values packetdrill refuses when it reads the option (its "bad --x" errors). */
function checkOptionValue(option: OptionLine, value: string, report: Report): void {
  const bad = (expected: string) => report(option.span, `bad --${option.name}: ${value}`, expected);
  const integer = /^-?[0-9]+$/.test(value) ? Number(value) : NaN;
  switch (option.name) {
    case 'ip_version':
      if (!['ipv4', 'ipv4-mapped-ipv6', 'ipv6'].includes(value)) bad('ipv4, ipv4-mapped-ipv6 or ipv6');
      break;
    case 'bind_port':
    case 'connect_port':
    case 'wire_server_port':
      if (!(integer > 0 && integer <= 0xffff)) bad('a port from 1 to 65535');
      break;
    case 'tolerance_usecs':
      if (!(integer > 0)) bad('a whole number of microseconds above 0');
      break;
    case 'tolerance_percent': {
      const percent = /^[0-9]*\.?[0-9]+$/.test(value) ? Number(value) : NaN;
      if (!(percent >= 0 && percent <= 100)) bad('a percentage from 0 to 100');
      break;
    }
    case 'tcp_ts_tick_usecs':
      if (!(integer >= 0 && integer <= 1_000_000)) bad('microseconds from 0 to 1000000');
      break;
    case 'mss':
      if (!(integer > 0)) bad('a size in bytes above 0');
      break;
    case 'mtu':
      if (!(integer >= 0)) bad('a size in bytes');
      break;
    case 'define':
      if (!/^[^=]+=/.test(value)) bad('NAME=VALUE');
      break;
  }
}

// ---------------------------------------------------------------- times

/** The longest timeline a script may have, in seconds (as --deadline's bound). */
export const MAX_TIMELINE_SECS = 86400;

function checkTimes(events: readonly Event[], report: Report): void {
  let previous: { event: Event; time: EventTime } | null = null;
  let timeline = 0; // µs, as the run would reach it at the latest
  let overflowed = false;
  for (const event of events) {
    const time = event.time;
    if (time === null) continue; // untimed commands and code run where they stand

    timeline = latestUsecs(timeline, time);
    if (!overflowed && timeline > MAX_TIMELINE_SECS * 1e6) {
      overflowed = true;
      report(time.span, `script timeline reaches ${timeline / 1e6} s, beyond the maximum of ${MAX_TIMELINE_SECS} s`);
    }

    for (const point of pointsOf(time)) {
      if (point.usecs < 0) report(point.span, 'negative time');
    }

    if (previous === null && startUsecs(time) !== 0) {
      report(time.span, 'first event should be at time 0');
    }

    const outboundPacket = event.kind === 'packet' && event.packet.direction === 'outbound';
    switch (time.kind) {
      case 'any':
        if (!outboundPacket) report(time.span, 'event time * can only be used with outbound packets');
        break;
      case 'range':
        if (time.end.usecs < time.start.usecs) report(time.span, 'time range is backwards');
        if (!outboundPacket) report(time.span, 'event time range can only be used with outbound packets');
        break;
      case 'blocking':
        // A relative start puts the end on the same base as the start (as
        // packetdrill does), whether or not the end is written with a '+'.
        if (
          (time.start.kind === 'relative' || time.end.kind === 'absolute') &&
          time.end.usecs < time.start.usecs
        ) {
          report(time.span, 'blocking call end time is before its start time');
        }
        break;
    }

    // Only two absolute times in a row can be compared before the run.
    if (previous !== null && isAbsolute(previous.time) && isAbsolute(time)) {
      const from = startUsecs(previous.time);
      const to = startUsecs(time);
      if (to >= 0 && to < from) report(time.span, `time goes backward in script from ${from} usec to ${to} usec`);
    }
    previous = { event, time };
  }
}

/** The latest script time an event can end at, given the latest before it. */
function latestUsecs(before: number, time: EventTime): number {
  const at = (p: PointTime, base: number): number => (p.kind === 'absolute' ? Math.max(base, p.usecs) : base + p.usecs);
  switch (time.kind) {
    case 'absolute':
    case 'relative':
      return at(time, before);
    case 'range':
      return at(time.end, before);
    case 'blocking':
      return time.start.kind === 'relative' ? at(time.start, before) + Math.max(0, time.end.usecs - time.start.usecs) : at(time.end, before);
    case 'any':
      return before;
  }
}

function pointsOf(time: EventTime): PointTime[] {
  switch (time.kind) {
    case 'absolute':
    case 'relative':
      return [time];
    case 'range':
    case 'blocking':
      return [time.start, time.end];
    case 'any':
      return [];
  }
}

function startUsecs(time: EventTime): number {
  switch (time.kind) {
    case 'absolute':
    case 'relative':
      return time.usecs;
    case 'range':
    case 'blocking':
      return time.start.usecs;
    case 'any':
      return 0;
  }
}

function isAbsolute(time: EventTime): boolean {
  switch (time.kind) {
    case 'absolute':
      return true;
    case 'range':
    case 'blocking':
      return time.start.kind === 'absolute';
    case 'relative':
    case 'any':
      return false;
  }
}

// ---------------------------------------------------------------- system calls

function checkSyscall(event: SyscallEvent, report: Report): void {
  if (KNOWN_SYSCALLS.has(event.name)) return;
  const guess = closest(event.name, KNOWN_SYSCALLS);
  const hint = guess === undefined ? '' : `; did you mean '${guess}'?`;
  report(event.nameSpan, `unknown system call '${event.name}'${hint}`);
}

/**
 * Every symbolic name in a call's arguments that `resolves` (the run's own
 * resolver) does not know, at the name's span, with the closest of `names`.
 * Kernel calls (`kernelCalls`: nstat, ...) take counter names, not symbols.
 */
export function checkSymbols(
  script: Script,
  file: string,
  resolves: (symbol: Expr) => boolean,
  names: readonly string[],
  kernelCalls: ReadonlySet<string>,
): SourceError[] {
  const errors: SourceError[] = [];
  const visit = (e: Expr): void => {
    switch (e.kind) {
      case 'symbol':
        if (!resolves(e)) {
          const guess = closest(e.name, names);
          errors.push({ file, span: e.span, message: `unknown name ${e.name}${guess === undefined ? '' : `; did you mean ${guess}?`}` });
        }
        return;
      case 'or':
        visit(e.left);
        visit(e.right);
        return;
      case 'array':
        e.items.forEach(visit);
        return;
      case 'struct':
        for (const f of e.fields) visit(f.value);
        return;
      case 'field':
        visit(e.value);
        return;
      case 'call':
        e.args.forEach(visit);
        return;
      default:
        return;
    }
  };
  for (const event of script.events) {
    if (event.kind === 'syscall' && !kernelCalls.has(event.name)) event.args.forEach(visit);
  }
  return errors;
}

// ---------------------------------------------------------------- packets

const U8 = 0xff;
const U16 = 0xffff;
const U20 = 0xfffff;
const U32 = 0xffffffff;

function inRange(value: number, max: number): boolean {
  return Number.isInteger(value) && value >= 0 && value <= max;
}

function checkPacket(packet: PacketAst, report: Report): void {
  switch (packet.kind) {
    case 'tcp':
      return checkTcp(packet, report);
    case 'udp':
      return checkUdp(packet, report);
    case 'icmp':
      return checkIcmp(packet, report);
  }
}

function checkIp(packet: PacketAst, ip: IpAttrsAst, report: Report): void {
  if (ip.ecn === 'ect01' && packet.direction !== 'outbound') {
    report(packet.span, '[ect01] can only be used with outbound packets');
  }
  if (ip.tos !== undefined && !inRange(ip.tos, U8)) report(packet.span, 'tos out of range for 8 bits');
  if (ip.flowlabel !== undefined && !inRange(ip.flowlabel, U20)) {
    report(packet.span, 'flowlabel out of range for 20 bits');
  }
  if (ip.ttl !== undefined && !inRange(ip.ttl, U8)) report(packet.span, 'ttl out of range for 8 bits');
}

function checkPorts(ports: PortsAst | null, report: Report, direction?: 'inbound' | 'outbound'): void {
  if (ports === null) return;
  if (!inRange(ports.src, U16)) report(ports.span, 'src port out of range');
  if (!inRange(ports.dst, U16)) report(ports.span, 'dst port out of range');
  for (const [start, end, side] of [[ports.src, ports.srcEnd, 'src'], [ports.dst, ports.dstEnd, 'dst']] as const) {
    if (end === null || end === undefined) continue;
    if (!inRange(end, U16)) report(ports.span, `${side} port range end out of range`);
    else if (end < start) report(ports.span, `${side} port range ${start}..${end} runs backwards`);
  }
  const localRange = direction === 'inbound' ? 'dstEnd' : 'srcEnd';
  if (direction && ports[localRange] !== null && ports[localRange] !== undefined) {
    report(ports.span, `a port range must be on the remote side (${direction === 'inbound' ? 'the source of an inbound' : 'the destination of an outbound'} packet)`);
  }

}

function checkSeq(packet: TcpPacketAst, report: Report): void {
  const { start, end, len } = packet.seq;
  if (!inRange(start, U32)) report(packet.span, 'TCP start sequence number out of range');
  if (!inRange(end, U32)) report(packet.span, 'TCP end sequence number out of range');
  if (!inRange(len, U16)) report(packet.span, 'TCP payload size out of range');
  if (end !== start + len) {
    report(
      packet.span,
      'inconsistent TCP sequence numbers and payload size',
      `${start}:${start + len}(${len}) or ${start}:${end}(${end - start})`,
    );
  }
}

function checkTcp(packet: TcpPacketAst, report: Report): void {
  checkIp(packet, packet.ip, report);
  checkPorts(packet.ports, report, packet.direction);
  checkFlags(packet, report);
  checkSeq(packet, report);
  if (packet.ack !== null && !inRange(packet.ack, U32)) {
    report(packet.span, 'TCP ack sequence number out of range');
  }
  if (packet.win === null) {
    if (packet.direction === 'inbound') {
      report(packet.span, 'window must be specified for inbound packets', 'win N');
    }
  } else if (!inRange(packet.win, U16)) {
    report(packet.span, 'TCP window value out of range');
  }
  if (packet.urg !== null && !inRange(packet.urg, U16)) report(packet.span, 'urg_ptr value out of range');

  if (packet.options === 'any') {
    if (packet.direction !== 'outbound') {
      report(packet.span, '<...> for TCP options can only be used with outbound packets');
    }
  } else if (packet.options !== null) {
    checkTcpOptions(packet, packet.options, report);
  }
}

const VALID_FLAGS = '.FSRPEWAU01234567';
const ACE_FLAGS = '01234567';
const ECN_FLAGS = 'EWA';

/** packetdrill's rules: known letters; an ACE digit excludes E, W, A and other digits. */
function checkFlags(packet: TcpPacketAst, report: Report): void {
  if (packet.flags === '-') return; // no flags at all
  let ecn = false;
  let ace = false;
  for (const flag of packet.flags) {
    if (!VALID_FLAGS.includes(flag)) {
      report(packet.span, `invalid TCP flag: '${flag}'`, 'a TCP flag (S . P F R E W A U)');
      return;
    }
    if (ECN_FLAGS.includes(flag)) {
      if (ace) return report(packet.span, `conflicting TCP flag: '${flag}'`);
      ecn = true;
    }
    if (ACE_FLAGS.includes(flag)) {
      if (ecn || ace) return report(packet.span, `conflicting TCP flag: '${flag}'`);
      ace = true;
    }
  }
}

const MAX_TCP_OPTION_BYTES = 40;
const MAX_MD5_DIGEST_BYTES = 16;

function checkTcpOptions(packet: TcpPacketAst, options: readonly TcpOptionAst[], report: Report): void {
  let bytes = 0;
  for (const option of options) {
    checkTcpOption(option, report);
    bytes += optionBytes(option);
  }
  // A symbol's value (and so the option's length) is known only once defined.
  if (options.some(hasSymbolicBlob)) return;
  if (bytes > MAX_TCP_OPTION_BYTES) {
    report(packet.span, `TCP option list too long: ${bytes} bytes (at most ${MAX_TCP_OPTION_BYTES})`);
  } else if (bytes % 4 !== 0) {
    report(
      packet.span,
      'TCP options are not padded correctly to ensure TCP header is a multiple of 4 bytes: ' +
        `${bytes % 4} excess bytes`,
      'nop options to pad to a multiple of 4 bytes',
    );
  }
}

/** A cookie or digest written as a name (`FOEXP TFO_COOKIE`): src/script/defines.ts fills it in from -D. */
function hasSymbolicBlob(option: TcpOptionAst): boolean {
  if (option.kind === 'fastopen') return isSymbolBlob(option.cookie);
  if (option.kind === 'md5') return option.digest !== undefined && isSymbolBlob(option.digest);
  return false;
}

function checkTcpOption(option: TcpOptionAst, report: Report): void {
  if (hasSymbolicBlob(option)) return;
  switch (option.kind) {
    case 'mss':
      if (!inRange(option.value, U16)) report(option.span, 'mss value out of range');
      break;
    case 'wscale':
      if (!inRange(option.value, U8)) report(option.span, 'window scale shift count out of range');
      break;
    case 'timestamp':
      if (!inRange(option.val, U32)) report(option.span, 'ts val out of range');
      if (!inRange(option.ecr, U32)) report(option.span, 'ecr val out of range');
      break;
    case 'sack':
      for (const block of option.blocks) {
        if (!inRange(block.start, U32)) report(option.span, 'TCP SACK left sequence number out of range');
        if (!inRange(block.end, U32)) report(option.span, 'TCP SACK right sequence number out of range');
      }
      break;
    case 'fastopen': {
      const max = MAX_TCP_OPTION_BYTES - (option.exp ? 4 : 2);
      if (option.cookie.length % 2 !== 0) {
        report(option.span, 'TCP fast open cookie has an odd number of digits');
      } else if (option.cookie.length / 2 > max) {
        report(
          option.span,
          `TCP fast open cookie of ${option.cookie.length / 2} bytes exceeds maximum cookie length of ${max} bytes`,
        );
      } else if (!/^[0-9a-fA-F]*$/.test(option.cookie)) {
        report(option.span, `TCP fast open cookie '${option.cookie}' is not a valid hex string`);
      }
      break;
    }
    case 'md5':
      if (option.digest === undefined) break;
      if (option.digest.length / 2 > MAX_MD5_DIGEST_BYTES) {
        report(option.span, `TCP MD5 digest longer than ${MAX_MD5_DIGEST_BYTES} bytes`);
      } else if (option.digest.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(option.digest)) {
        report(option.span, 'TCP MD5 digest is not a valid hex string');
      }
      break;
    case 'generic':
      if (option.accecn !== undefined) checkAccEcn(option.span, option.accecn.fields, report);
      break;
    case 'nop':
    case 'eol':
    case 'sackOK':
      break;
  }
}

const U24 = 0xffffff;
const ACCECN_ORDERS = { e0b: ['e0b', 'ceb', 'e1b'], e1b: ['e1b', 'ceb', 'e0b'] } as const;

/**
 * `ECN e0b N ceb N e1b N`: the first field picks the option's order (e0b:
 * kind 172, e1b: kind 174) and the rest must follow that order, as the
 * option lays its 24-bit counters out; a shorter option drops the last ones.
 */
function checkAccEcn(span: Span, fields: readonly AccEcnFieldAst[], report: Report): void {
  for (const field of fields) {
    if (!inRange(field.value, U24)) report(span, `AccECN ${field.name} value out of range for 24 bits`);
  }
  if (fields.length === 0) return;
  const first = fields[0]!.name;
  const order = first === 'ceb' ? null : ACCECN_ORDERS[first];
  const written = fields.map((f) => f.name).join(' ');
  if (order === null || fields.some((f, i) => f.name !== order[i])) {
    report(
      span,
      `AccECN option fields out of order: ${written}`,
      `${ACCECN_ORDERS.e0b.slice(0, fields.length).join(' ')} or ${ACCECN_ORDERS.e1b.slice(0, fields.length).join(' ')}`,
    );
  }
}

/** Bytes an option takes on the wire, as packetdrill builds it. */
function optionBytes(option: TcpOptionAst): number {
  switch (option.kind) {
    case 'nop':
    case 'eol':
      return 1;
    case 'sackOK':
      return 2;
    case 'wscale':
      return 3;
    case 'mss':
      return 4;
    case 'timestamp':
      return 10;
    case 'sack':
      return 2 + 8 * option.blocks.length;
    case 'fastopen':
      return (option.exp ? 4 : 2) + Math.floor(option.cookie.length / 2);
    case 'md5':
      // Without a digest, the full-size signature option.
      return 2 + (option.digest === undefined ? MAX_MD5_DIGEST_BYTES : Math.floor(option.digest.length / 2));
    case 'generic':
      return 2 + Math.floor(option.data.length / 2);
  }
}

function checkUdp(packet: UdpPacketAst, report: Report): void {
  checkIp(packet, packet.ip, report);
  if (packet.ip.ecn !== undefined && packet.ip.ecn !== 'ect01') {
    report(packet.span, 'ECN can only be used with TCP packets');
  }
  checkPorts(packet.ports, report);
  if (!inRange(packet.len, U16)) report(packet.span, 'UDP payload size out of range');
}

function checkIcmp(packet: IcmpPacketAst, report: Report): void {
  checkIp(packet, packet.ip, report);
  const echoed = packet.echoed;
  if (echoed?.kind === 'tcp') checkSeq(echoed, report);
  if (echoed?.kind === 'udp' && !inRange(echoed.len, U16)) {
    report(echoed.span, 'UDP payload size out of range');
  }
}
