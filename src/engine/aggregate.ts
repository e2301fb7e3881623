// Outbound segments taken together, as packetdrill takes them: when the
// script expects more payload than one live segment carries, the following
// segments of the same flow are added until the expected payload is reached
// (unless --strict_segments). A kernel may send a write as several TSO
// segments (tcp_tso_autosize gives 2 MSS at a low pacing rate) where the
// script was written as one; packetdrill passes such a script, and so must
// we. Each fragment must continue the previous one: the same header fields,
// the next sequence number, and (but for the last) the same payload size.
// The whole takes its headers and time from the last fragment, its sequence
// number and CWR from the first.

import { decodeLive, type LiveSegment } from './live.js';
import { TCP_FLAGS } from './packet-map.js';
import { CWR, FIN, PSH } from '../packet/tcp.js';

const ETH_HLEN = 14;
const TCP_CWR = CWR;
/** The flags every fragment must share: all but FIN, PSH and CWR. */
const FRAGMENT_FLAGS = TCP_FLAGS.filter((f) => (f.bit & (FIN | PSH | CWR)) === 0);

/** packetdrill's wording for one field that differs. */
function differs(name: string, expected: number, actual: number): string | null {
  if (expected === actual) return null;
  const u = (n: number): string => `${n >>> 0} (0x${(n >>> 0).toString(16)})`;
  return `live packet field ${name}: expected: ${u(expected)} vs actual: ${u(actual)}`;
}

/** One bit of the TCP flags, as 0 or 1. */
function bit(flags: number, mask: number): number {
  return flags & mask ? 1 : 0;
}

/**
 * Whether `cur` may follow `prev` in one aggregate: null if so, else
 * packetdrill's reason. `sniffed` is the payload so far (before `cur`),
 * `expected` the script's.
 */
export function fragmentMismatch(cur: LiveSegment, prev: LiveSegment, sniffed: number, expected: number): string | null {
  const a = cur.tcp!;
  const p = prev.tcp!;
  if (cur.ip.version !== prev.ip.version) return differs('ip_version', prev.ip.version, cur.ip.version);
  const ipChecks: Array<string | null> =
    cur.ip.version === 4 && prev.ip.version === 4
      ? [
          differs('ipv4_protocol', prev.ip.protocol, cur.ip.protocol),
          differs('ipv4_header_length', prev.ip.headerLength / 4, cur.ip.headerLength / 4),
          differs('ttl', prev.ip.ttl, cur.ip.ttl),
        ]
      : cur.ip.version === 6 && prev.ip.version === 6
        ? [differs('ipv6_next_header', prev.ip.protocol, cur.ip.protocol), differs('ttl', prev.ip.hopLimit, cur.ip.hopLimit)]
        : [];
  const checks: Array<string | null> = [
    ...ipChecks,
    differs('tcp_data_offset', p.headerLength / 4, a.headerLength / 4),
    ...FRAGMENT_FLAGS.map((f) => differs(f.field, bit(p.flags, f.bit), bit(a.flags, f.bit))),
    differs('tcp_seq', (p.seq + p.payload.length) >>> 0, a.seq),
    differs('tcp_ack_seq', p.ack, a.ack),
    differs('tcp_window', p.window, a.window),
    differs('tcp_urg_ptr', p.urgentPointer, a.urgentPointer),
  ];
  for (const c of checks) if (c) return c;
  const len = a.payload.length;
  if (len < expected - sniffed && len !== p.payload.length) {
    return `fragment payload: expected ${p.payload.length} bytes vs actual ${len} bytes; total payload: expected ${expected} bytes vs actual ${len + sniffed} bytes`;
  }
  return null;
}

/** The fragments as one segment: the last one's headers and time, the first one's sequence number and CWR. */
export function aggregate(fragments: readonly LiveSegment[]): LiveSegment {
  const first = fragments[0]!;
  const last = fragments[fragments.length - 1]!;
  if (fragments.length === 1) return first;
  const lt = last.tcp!;
  const headerLen = last.frame.length - lt.payload.length;
  const total = fragments.reduce((n, f) => n + f.tcp!.payload.length, 0);
  const frame = new Uint8Array(headerLen + total);
  frame.set(last.frame.subarray(0, headerLen), 0);
  let at = headerLen;
  for (const f of fragments) {
    frame.set(f.tcp!.payload, at);
    at += f.tcp!.payload.length;
  }
  const view = new DataView(frame.buffer);
  const ipLen = frame.length - ETH_HLEN;
  let tcpAt: number;
  if (last.ip.version === 4) {
    view.setUint16(ETH_HLEN + 2, ipLen);
    tcpAt = ETH_HLEN + last.ip.headerLength;
  } else {
    view.setUint16(ETH_HLEN + 4, ipLen - 40);
    tcpAt = ETH_HLEN + (last.ip.payloadLength - last.ip.upperPayload.length) + 40;
  }
  view.setUint32(tcpAt + 4, first.tcp!.seq >>> 0);
  frame[tcpAt + 13] = (frame[tcpAt + 13]! & ~TCP_CWR) | (first.tcp!.flags & TCP_CWR);
  const seg = decodeLive(frame, last.timeNs);
  if (seg === null || typeof seg === 'string') throw new Error(`aggregate of ${fragments.length} segments does not decode: ${seg}`);
  const gso = Math.max(...fragments.map((f) => f.gsoSize ?? f.tcp!.payload.length));
  if (gso < total) seg.gsoSize = gso;
  return seg;
}
