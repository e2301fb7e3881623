import { describe, expect, it } from 'vitest';
import type { Script } from '../src/script/ast.js';
import { formatSourceError } from '../src/script/errors.js';
import { substituteDefines } from '../src/script/defines.js';
import { wireNeeds } from '../src/script/wire-needs.js';
import { parseScript } from './fixtures/grammar/parser.js';

function script(body: string): Script {
  const text = `0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n${body}`;
  const result = parseScript(text, 't.pkt');
  if (!result.ok) throw new Error(formatSourceError(result.error, text));
  return result.value;
}

/** The Fast Open option of the script's first packet (after its socket() line). */
function fastOpenOption(s: Script): unknown {
  const ev = s.events[1]!;
  return ev.kind === 'packet' && ev.packet.kind === 'tcp' && Array.isArray(ev.packet.options) && ev.packet.options.find((o) => o.kind === 'fastopen');
}

const SYN_MSS_1000 = '+0 < S 0:0(0) win 65535 <mss 1000,nop,nop,sackOK>\n';

describe('wireNeeds: what a script asks of the link', () => {
  it('a segment within the MSS needs no TSO', () => {
    expect(wireNeeds(script(`${SYN_MSS_1000}+0 > P. 1:1001(1000) ack 1`), 1500, 4).superSegments).toBe(false);
  });
  it('a segment over the MSS the peer announces is a super-segment', () => {
    expect(wireNeeds(script(`${SYN_MSS_1000}+0 > P. 1:2001(2000) ack 1`), 1500, 4).superSegments).toBe(true);
  });
  it('without an inbound SYN the MTU bounds a segment (IPv6 headers are larger)', () => {
    expect(wireNeeds(script('+0 > P. 1:1461(1460) ack 1'), 1500, 4).superSegments).toBe(false);
    expect(wireNeeds(script('+0 > P. 1:1461(1460) ack 1'), 1500, 6).superSegments).toBe(true);
  });
  it('a SYN without an MSS option means 536', () => {
    expect(wireNeeds(script('+0 < S 0:0(0) win 65535\n+0 > P. 1:1001(1000) ack 1'), 1500, 4).superSegments).toBe(true);
  });
  it('reports the largest inbound packet', () => {
    const n = wireNeeds(script(`${SYN_MSS_1000}+0 < P. 1:10001(10000) ack 1 win 514`), 1500, 4);
    expect(n.largestInbound).toBe(20 + 20 + 10000);
    expect(n.superSegments).toBe(false);
  });
});

describe('substituteDefines: names in packets', () => {
  it('puts a defined cookie in place of its name', () => {
    const s = script('+0 < S 0:0(0) win 65535 <mss 1460,nop,nop,sackOK,FO TFO_COOKIE,nop,nop>');
    expect(substituteDefines(s, { TFO_COOKIE: '3021b9d889017eeb' })).toBeNull();
    expect(fastOpenOption(s)).toMatchObject({ cookie: '3021b9d889017eeb' });
  });
  it('names the undefined symbol and where it stands', () => {
    const s = script('+0 < S 0:0(0) win 65535 <mss 1460,nop,nop,sackOK,FO TFO_COOKIE,nop,nop>');
    const u = substituteDefines(s, {});
    expect(u?.name).toBe('TFO_COOKIE');
    expect(u?.span.line).toBe(2);
  });
  it('leaves a cookie that is hex alone', () => {
    const s = script('+0 < S 0:0(0) win 65535 <mss 1460,nop,nop,sackOK,FO abcd1234,nop,nop>');
    expect(substituteDefines(s, { abcd1234: 'ffff' })).toBeNull();
    expect(fastOpenOption(s)).toMatchObject({ cookie: 'abcd1234' });
  });
  it('substitutes an ICMP code', () => {
    const s = script('+0 < icmp unreachable CODE');
    substituteDefines(s, { CODE: 'host_unreachable' });
    const ev = s.events[1]!;
    expect(ev.kind === 'packet' && ev.packet.kind === 'icmp' && ev.packet.code).toBe('host_unreachable');
  });
});
