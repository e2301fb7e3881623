// The AST as .pkt text: the one way the tool writes a script. Whatever comes
// out parses back to the same AST (test/print.test.ts: `parse(print(ast))`
// equals `ast` but for source spans, over every script in the repository).
//
// The text is packetdrill's usual layout: one option line or event a line,
// `+0.1` times, `<mss 1460,nop,wscale 7>` options. Comments and the written
// layout of the source are not in the AST and are not reproduced.

import type {
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
  SyscallEvent,
  TcpOptionAst,
  TcpPacketAst,
  UdpPacketAst,
} from './ast.js';

/** The whole script: option lines, then events, one a line, with a final newline. */
export function printScript(script: Script): string {
  const lines = [...script.options.map(printOption), ...script.events.map((e) => printEvent(e))];
  return lines.length === 0 ? '' : lines.join('\n') + '\n';
}

/** A number as the grammar reads it back (no exponent form for big ones). */
function num(n: number): string {
  return Number.isSafeInteger(n) ? String(n) : Number.isInteger(n) ? BigInt(n).toString() : String(n);
}

// ---------------------------------------------------------------- option lines

/** Whether `value` is the grammar's unquoted option value (OptionPiece+), so it reads back as written. */
function isBareOptionValue(value: string): boolean {
  if (value === '') return false;
  let i = 0;
  while (i < value.length) {
    const c = value[i]!;
    if (c === '"' || c === '`') {
      // A quoted piece (escapes allowed in strings), up to its closing quote.
      let j = i + 1;
      while (j < value.length && value[j] !== c) j += c === '"' && value[j] === '\\' ? 2 : 1;
      if (j >= value.length) return false;
      i = j + 1;
    } else if (c === ' ' || c === '\t' || c === '\r' || c === '\n' || value.startsWith('//', i) || value.startsWith('/*', i)) {
      return false;
    } else {
      i++;
    }
  }
  // A value that is one string and nothing after it would read back without its quotes.
  if (value[0] === '"' && value.length >= 2 && value.endsWith('"')) {
    let j = 1;
    while (j < value.length && value[j] !== '"') j += value[j] === '\\' ? 2 : 1;
    if (j === value.length - 1) return false;
  }
  return true;
}

/** `--name` or `--name=value`; a value with blanks in it goes between quotes. */
export function printOption(o: OptionLine): string {
  if (o.value === null) return `--${o.name}`;
  return `--${o.name}=${isBareOptionValue(o.value) ? o.value : `"${o.value}"`}`;
}

// ---------------------------------------------------------------- times

/** Microseconds as seconds: `0.1`, `2`, `-0.5`, at most six decimals. */
export function printSeconds(usecs: number): string {
  const sign = usecs < 0 ? '-' : '';
  const u = Math.abs(usecs);
  const whole = Math.floor(u / 1e6);
  const frac = u - whole * 1e6;
  if (frac === 0) return `${sign}${num(whole)}`;
  return `${sign}${num(whole)}.${String(frac).padStart(6, '0').replace(/0+$/, '')}`;
}

function printPoint(t: PointTime): string {
  return t.kind === 'relative' ? `+${printSeconds(t.usecs)}` : printSeconds(t.usecs);
}

export function printTime(t: EventTime): string {
  switch (t.kind) {
    case 'absolute':
    case 'relative':
      return printPoint(t);
    case 'any':
      return '*';
    case 'range':
      return `${printPoint(t.start)}~${printPoint(t.end)}`;
    case 'blocking':
      return `${printPoint(t.start)}...${printPoint(t.end)}`;
  }
}

// ---------------------------------------------------------------- events

/**
 * One event: its time (when it has one) and what happens. `timeWidth` pads
 * the time to that many characters, so that a script's actions line up in a
 * column (pcap2pkt's layout); the text reads back the same either way.
 */
export function printEvent(e: Event, timeWidth = 0): string {
  const action = printAction(e);
  return e.time === null ? action : `${printTime(e.time).padEnd(timeWidth)} ${action}`;
}

function printAction(e: Event): string {
  switch (e.kind) {
    case 'packet':
      return printPacket(e.packet);
    case 'syscall':
      return printSyscall(e);
    case 'command':
      return `\`${e.command}\``;
    case 'code':
      return `%{${e.code}}%`;
  }
}

function printSyscall(e: SyscallEvent): string {
  let s = `${e.name}(${e.args.map(printExpr).join(', ')}) = ${printExpr(e.result)}`;
  if (e.errno) s += ` ${e.errno.name}${e.errno.note !== null ? ` (${e.errno.note})` : ''}`;
  return s;
}

/** A call argument or result: `[1]`, `{fd=3, events=POLLIN}`, `O_RDWR|O_NONBLOCK`, `"abc"...`. */
export function printExpr(e: Expr): string {
  switch (e.kind) {
    case 'int':
      return e.radix === 16 && e.value >= 0n ? `0x${e.value.toString(16)}` : e.value.toString();
    case 'ellipsis':
      return '...';
    case 'string':
      return `"${e.value}"${e.ellipsis ? '...' : ''}`;
    case 'symbol':
      return e.name;
    case 'or':
      return `${printExpr(e.left)}|${printExpr(e.right)}`;
    case 'array':
      return `[${e.items.map(printExpr).join(', ')}]`;
    case 'struct':
      return `{${(e.items ?? e.fields).map(printExpr).join(', ')}}`;
    case 'field':
      return `${e.name}${e.args ? `(${e.args.map(printExpr).join(', ')})` : ''}=${printExpr(e.value)}`;
    case 'call':
      return `${e.name}(${e.args.map(printExpr).join(', ')})`;
  }
}

// ---------------------------------------------------------------- packets

/** `< [ect0] 40001>8080 S 0:0(0) win 65535 <mss 1460>`, `> udp (100)`, `< icmp unreachable port_unreachable`. */
export function printPacket(p: PacketAst): string {
  const words = [p.direction === 'inbound' ? '<' : '>'];
  const ip = printIp(p.ip);
  if (ip) words.push(ip);
  switch (p.kind) {
    case 'tcp':
      words.push(printTcpBody(p));
      break;
    case 'udp':
      words.push(printUdpBody(p));
      break;
    case 'icmp':
      words.push(printIcmpBody(p));
      break;
  }
  return words.join(' ');
}

/** `[ect0, tos 0x10, flowlabel 0x12345, ttl 64]`, or '' when nothing is written. */
export function printIp(ip: IpAttrsAst): string {
  const items: string[] = [];
  if (ip.ecn !== undefined) items.push(ip.ecn);
  if (ip.tos !== undefined) items.push(`tos 0x${ip.tos.toString(16)}`);
  if (ip.flowlabel !== undefined) items.push(`flowlabel 0x${ip.flowlabel.toString(16)}`);
  if (ip.ttl !== undefined) items.push(`ttl ${num(ip.ttl)}`);
  return items.length === 0 ? '' : `[${items.join(', ')}]`;
}

export function printPorts(p: PortsAst): string {
  const side = (port: number, end: number | null) => (end !== null && end !== undefined ? `${num(port)}..${num(end)}` : num(port));
  return `${side(p.src, p.srcEnd)}>${side(p.dst, p.dstEnd)}`;
}

function printSeq(seq: TcpPacketAst['seq']): string {
  return `${num(seq.start)}:${num(seq.end)}(${num(seq.len)})`;
}

/** `40001>8080 S. 0:0(0) ack 1 win 65535 <...>` (no direction, no IP attributes). */
export function printTcpBody(p: TcpPacketAst): string {
  const words: string[] = [];
  if (p.ports) words.push(printPorts(p.ports));
  words.push(p.flags === '' ? '-' : p.flags, printSeq(p.seq));
  if (p.ack !== null) words.push(`ack ${num(p.ack)}`);
  if (p.win !== null) words.push(`win ${num(p.win)}`);
  if (p.urg !== null) words.push(`urg ${num(p.urg)}`);
  if (p.options !== null) words.push(printTcpOptions(p.options));
  if (p.fuzz !== undefined) words.push(`{ ${p.fuzz} }`);
  return words.join(' ');
}

/** `<mss 1460,sackOK,TS val 100 ecr 0,nop,wscale 7>`, `<...>`. */
export function printTcpOptions(options: readonly TcpOptionAst[] | 'any'): string {
  if (options === 'any') return '<...>';
  return `<${options.map(printTcpOption).join(',')}>`;
}

export function printTcpOption(o: TcpOptionAst): string {
  switch (o.kind) {
    case 'nop':
    case 'eol':
    case 'sackOK':
      return o.kind;
    case 'mss':
    case 'wscale':
      return `${o.kind} ${num(o.value)}`;
    case 'sack':
      return `sack ${o.blocks.map((b) => `${num(b.start)}:${num(b.end)}`).join(' ')}`;
    case 'timestamp':
      return `TS val ${num(o.val)} ecr ${num(o.ecr)}`;
    case 'fastopen':
      return `${o.exp ? 'FOEXP' : 'FO'}${o.cookie ? ` ${o.cookie}` : ''}`;
    case 'md5':
      return `md5${o.digest !== undefined ? ` ${o.digest}` : ''}`;
    case 'generic':
      // The language writes a generic option only as AccECN's (`ECN e1b 1 ceb 0 e0b 1`).
      if (o.accecn === undefined) throw new Error(`TCP option ${o.type} has no script form`);
      return ['ECN', ...o.accecn.fields.map((f) => `${f.name} ${num(f.value)}`)].join(' ');
  }
}

function printUdpBody(p: UdpPacketAst): string {
  return `udp${p.ports ? ` ${printPorts(p.ports)}` : ''} (${num(p.len)})`;
}

function printIcmpBody(p: IcmpPacketAst): string {
  const words = ['icmp', p.type];
  if (p.code !== null) words.push(p.code);
  if (p.mtu !== null) words.push(`mtu ${num(p.mtu)}`);
  if (p.id !== undefined) words.push(`id ${num(p.id)}`);
  if (p.echoed !== null) words.push(`[${p.echoed.kind === 'udp' ? `udp (${num(p.echoed.len)})` : printSeq(p.echoed.seq)}]`);
  return words.join(' ');
}
