// Packets as packetdrill prints them: `S. 0:0(0) ack 1 win 65535 <mss 1460,nop,wscale 7>`.
// Pure data → string; used for -v lines and failure messages.

import type { TcpPacketAst } from '../script/ast.js';
import type { PacketView } from './verdict.js';

export interface OptionText {
  kind: string;
  [k: string]: unknown;
}

/** Render TCP options (script AST or decoded live ones, mapped to script-relative numbers). */
export function renderOptions(opts: ReadonlyArray<OptionText>): string {
  const parts = opts.map((o) => {
    switch (o.kind) {
      case 'nop':
        return 'nop';
      case 'eol':
        return 'eol';
      case 'mss':
        return `mss ${o.value}`;
      case 'wscale':
        return `wscale ${o.value}`;
      case 'sackOK':
        return 'sackOK';
      case 'sack':
        return `sack ${(o.blocks as Array<{ start: number; end: number }>).map((b) => `${b.start}:${b.end}`).join(' ')}`;
      case 'timestamp':
        return `TS val ${o.val} ecr ${o.ecr}`;
      case 'fastopen': {
        const c = typeof o.cookie === 'string' ? o.cookie : Buffer.from(o.cookie as Uint8Array).toString('hex');
        return `${o.exp ? 'FOEXP' : 'FO'}${c ? ' ' + c : ''}`;
      }
      case 'md5':
        return 'md5';
      default: {
        const data = typeof o.data === 'string' ? o.data : o.data ? Buffer.from(o.data as Uint8Array).toString('hex') : '';
        return `${o.type}${data ? ' ' + data : ''}`;
      }
    }
  });
  return `<${parts.join(',')}>`;
}

export function scriptOptionsText(p: TcpPacketAst): string | null {
  if (p.options === null) return null;
  if (p.options === 'any') return '<...>';
  return renderOptions(p.options as unknown as OptionText[]);
}

/** `S. 0:0(0) ack 1 win 65535 <...>` (times are printed by the caller). */
export function renderPacket(v: PacketView): string {
  const words: string[] = [];
  if (v.portsText) words.push(v.portsText);
  else if (v.srcPort !== undefined && v.dstPort !== undefined) words.push(`${v.srcPort}>${v.dstPort}`);
  if (v.proto === 'tcp') {
    words.push(v.flags ?? '');
    words.push(`${v.seq}:${v.end}(${v.len})`);
    if (v.ack !== undefined && v.ack !== null) words.push(`ack ${v.ack}`);
    if (v.win !== undefined && v.win !== null) words.push(`win ${v.win}`);
    if (v.urg) words.push(`urg ${v.urg}`);
    if (v.options) words.push(v.options);
  } else if (v.proto === 'udp') {
    words.push(`udp (${v.len})`);
  } else if (v.proto === 'icmp') {
    words.push('icmp');
  } else {
    words.push(v.proto);
  }
  if (v.extra) words.push(v.extra);
  return words.filter((w) => w !== '').join(' ');
}

export function secs(usecs: number): string {
  return (usecs / 1e6).toFixed(6);
}
