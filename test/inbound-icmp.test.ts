// Inbound ICMP messages as the engine builds them: what they quote of the
// kernel's datagram, with the flow's live numbers.

import { describe, expect, it } from 'vitest';
import { FLOW_DEFAULTS, connectedFlowIn } from './fixtures/flows.js';
import { DEFAULTS, type RunConfig } from '../src/engine/config.js';
import { Flows } from '../src/engine/flow.js';
import { buildInboundIcmp } from '../src/engine/inbound.js';
import { decodeFrame } from '../src/packet/frame.js';
import { scriptPacketOf } from './fixtures/packets.js';
import type { IcmpPacketAst } from '../src/script/ast.js';

const link = { kernelMac: '02:70:6b:00:00:01', wireMac: '02:70:6b:00:00:02' };
const cfg: RunConfig = { ...DEFAULTS };

const icmpPacket = (line: string): IcmpPacketAst => scriptPacketOf(line) as IcmpPacketAst;

const defaults = FLOW_DEFAULTS;
const connectedFlow = () => connectedFlowIn(new Flows(defaults, 1));

/** The ICMP message of a built frame, and the IP header and 8 bytes it quotes. */
function decode(frame: Uint8Array) {
  const d = decodeFrame(frame);
  if (!d.ok || d.value.kind !== 'ip' || d.value.l4.proto !== 'icmp') throw new Error('not an ICMP frame');
  const msg = d.value.l4.icmp;
  // The quote is cut short of what its IP header says: read it field by field.
  const q = new DataView(msg.payload.buffer, msg.payload.byteOffset, msg.payload.length);
  const addr = (o: number) => [0, 1, 2, 3].map((i) => q.getUint8(o + i)).join('.');
  const quoted = { protocol: q.getUint8(9), src: addr(12), dst: addr(16), totalLength: q.getUint16(2) };
  return { msg, checksumOk: d.value.l4.checksumOk, quoted, srcPort: q.getUint16(20), dstPort: q.getUint16(22), word: q.getUint32(24) };
}

describe('buildInboundIcmp', () => {
  it('without a bracketed segment still quotes one, as packetdrill: TCP at script seq 0 (the live ISN)', () => {
    const built = buildInboundIcmp(icmpPacket('+0 < icmp unreachable host_unreachable'), connectedFlow(), cfg, link);
    expect(built.ok).toBe(true);
    if (!built.ok) return;
    const { msg, checksumOk, quoted, srcPort, dstPort, word } = decode(built.value);
    expect([msg.type, msg.code, checksumOk]).toEqual([3, 1, true]);
    expect(msg.payload.length).toBe(28);
    expect([quoted.protocol, quoted.src, quoted.dst, quoted.totalLength]).toEqual([6, cfg.localIp, cfg.remoteIp, 40]);
    expect([srcPort, dstPort, word]).toEqual([40123, 8080, 0x12345678]);
  });

  it('quotes the segment the script names, its seq mapped, its length in the quoted IP header', () => {
    const built = buildInboundIcmp(icmpPacket('+0 < icmp unreachable frag_needed mtu 800 [1:1001(1000)]'), connectedFlow(), cfg, link);
    if (!built.ok) throw new Error(built.error);
    const { msg, quoted, word } = decode(built.value);
    expect(msg.restOfHeader & 0xffff).toBe(800);
    expect(quoted.totalLength).toBe(20 + 20 + 1000);
    expect(word).toBe(0x12345679);
  });

  it('puts an echo id in the high half of the rest of the header', () => {
    const built = buildInboundIcmp(icmpPacket('+0 < icmp echo_reply id 7'), connectedFlow(), cfg, link);
    if (!built.ok) throw new Error(built.error);
    expect(decode(built.value).msg.restOfHeader >>> 16).toBe(7);
  });
});
