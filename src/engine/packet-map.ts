// The one map between what a script writes and what goes on the wire: TCP
// flag letters and bits, ECN names and codepoints, script options and wire
// options. Building inbound frames, matching outbound ones, printing both and
// rendering a script as a pcap all read these tables; none keeps its own.

import type { EcnAst, IpAttrsAst, TcpOptionAst } from '../script/ast.js';
import { ECN_CE, ECN_ECT0, ECN_ECT1, ECN_MASK, ECN_NOT_ECT } from '../packet/ip.js';
import { ACK, AE, CWR, ECE, FIN, PSH, RST, SYN, URG } from '../packet/tcp.js';
import type { TcpOption } from '../packet/tcp-options.js';

export interface TcpFlag {
  /** The script's letter (`.` is ACK); AE has none in packetdrill's language. */
  readonly letter: string | null;
  readonly bit: number;
  /** The field's name in a mismatch: `live packet field tcp_syn: ...`. */
  readonly field: string;
}

/** Every TCP flag, in packetdrill's (tcpdump's) printing and checking order: F S R P . U E W, then AE. */
export const TCP_FLAGS: readonly TcpFlag[] = [
  { letter: 'F', bit: FIN, field: 'tcp_fin' },
  { letter: 'S', bit: SYN, field: 'tcp_syn' },
  { letter: 'R', bit: RST, field: 'tcp_rst' },
  { letter: 'P', bit: PSH, field: 'tcp_psh' },
  { letter: '.', bit: ACK, field: 'tcp_ack' },
  { letter: 'U', bit: URG, field: 'tcp_urg' },
  { letter: 'E', bit: ECE, field: 'tcp_ece' },
  { letter: 'W', bit: CWR, field: 'tcp_cwr' },
  { letter: null, bit: AE, field: 'tcp_ae' },
];

const BIT_OF_LETTER: Readonly<Record<string, number>> = Object.fromEntries(
  TCP_FLAGS.filter((f) => f.letter !== null).map((f) => [f.letter!, f.bit]),
);

/** Script flag letters → bitmask (letters that are no flag count for nothing). */
export function flagsFromLetters(letters: string): number {
  let bits = 0;
  for (const ch of letters) bits |= BIT_OF_LETTER[ch] ?? 0;
  return bits;
}

/** Bitmask → letters in packetdrill's order: F S R P . U E W (AE is not written). */
export function lettersFromFlags(bits: number): string {
  let s = '';
  for (const f of TCP_FLAGS) if (f.letter !== null && bits & f.bit) s += f.letter;
  return s;
}

/**
 * `[noecn]`, `[ect1]`, `[ect0]`, `[ce]` → the codepoint (RFC 3168). `[ect01]`
 * means "either ECT" when checked (matching handles it apart) and is sent as
 * ECT(0).
 */
export const ECN_CODEPOINTS: Readonly<Record<EcnAst, number>> = {
  noecn: ECN_NOT_ECT,
  ect1: ECN_ECT1,
  ect0: ECN_ECT0,
  ce: ECN_CE,
  ect01: ECN_ECT0,
};

const ECN_OF_CODEPOINT: readonly EcnAst[] = ['noecn', 'ect1', 'ect0', 'ce'];

/** The ECN name of a TOS byte / traffic class's low two bits. */
export function ecnOf(tos: number): Exclude<EcnAst, 'ect01'> {
  return ECN_OF_CODEPOINT[tos & ECN_MASK] as Exclude<EcnAst, 'ect01'>;
}

/** The TOS byte / traffic class a script packet is sent with: `tos` as written, its ECN bits replaced by `[ecn]`. */
export function tosOf(ip: IpAttrsAst): number {
  const tos = ip.tos ?? 0;
  return ip.ecn ? (tos & ~ECN_MASK) | ECN_CODEPOINTS[ip.ecn] : tos;
}

function hexBytes(hex: string): Uint8Array {
  return Uint8Array.from(Buffer.from(hex.replace(/^0x/i, ''), 'hex'));
}

/**
 * A script option as a wire option, its numbers as written (script-relative
 * SACK blocks and TS values: the caller maps them for its direction). An MD5
 * option without a digest carries 16 zero bytes.
 */
export function wireOption(o: TcpOptionAst): TcpOption {
  switch (o.kind) {
    case 'sack':
      return { kind: 'sack', blocks: o.blocks.map((b) => ({ start: b.start >>> 0, end: b.end >>> 0 })) };
    case 'timestamp':
      return { kind: 'timestamp', val: o.val >>> 0, ecr: o.ecr >>> 0 };
    case 'fastopen':
      return { kind: 'fastopen', cookie: hexBytes(o.cookie), exp: o.exp };
    case 'md5':
      return { kind: 'md5', digest: o.digest ? hexBytes(o.digest) : new Uint8Array(16) };
    case 'generic':
      return { kind: 'unknown', type: o.type, data: hexBytes(o.data) };
    case 'nop':
    case 'eol':
    case 'sackOK':
      return { kind: o.kind };
    case 'mss':
    case 'wscale':
      return { kind: o.kind, value: o.value };
  }
}
