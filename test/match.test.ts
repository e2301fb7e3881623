// Outbound matching compares and changes nothing: matchOutbound returns the
// first difference and what the segment taught (its TS val mapping); only
// keepLearned, the caller's step, puts that on the flow.

import { describe, expect, it } from 'vitest';
import { FLOW_DEFAULTS, connectedFlowIn } from './fixtures/flows.js';
import { scriptPacketOf } from './fixtures/packets.js';
import { DEFAULTS, type RunConfig } from '../src/engine/config.js';
import { Flows, type Flow } from '../src/engine/flow.js';
import { decodeLive, type LiveSegment } from '../src/engine/live.js';
import { keepLearned, matchOutbound } from '../src/engine/match.js';
import { KERNEL_MAC, WIRE_MAC } from '../src/link/macs.js';
import { encodeTcpFrame } from '../src/packet/frame.js';
import type { TcpOption } from '../src/packet/tcp-options.js';
import * as tcp from '../src/packet/tcp.js';
import type { TcpPacketAst } from '../src/script/ast.js';

const cfg: RunConfig = { ...DEFAULTS };

const scriptPacket = (line: string): TcpPacketAst => scriptPacketOf(line) as TcpPacketAst;

/** The kernel's SYN-ACK on the flow (ack 1 in script terms), with these options. */
function synAck(flow: Flow, options: TcpOption[]): LiveSegment {
  const frame = encodeTcpFrame({
    srcMac: KERNEL_MAC,
    dstMac: WIRE_MAC,
    ip: { version: 4, src: cfg.localIp, dst: cfg.remoteIp, tos: 0, ttl: 64, df: true, id: 0 },
    tcp: {
      srcPort: flow.localPort!,
      dstPort: flow.remotePort!,
      seq: flow.localIsn!,
      ack: flow.remoteSeq(1),
      flags: tcp.SYN | tcp.ACK,
      window: 65535,
      urgentPointer: 0,
      options,
      payload: new Uint8Array(0),
    },
  });
  if (!frame.ok) throw new Error(frame.error);
  const seg = decodeLive(frame.value, 0n);
  if (seg === null || typeof seg === 'string') throw new Error(`not a segment: ${seg}`);
  return seg;
}

/** Everything the flow holds, its TS val map included. */
const state = (flow: Flow): string => JSON.stringify(flow, (_k, v: unknown) => (v instanceof Map ? [...v] : v));

const TS_LIVE = 3_000_000;

describe('matchOutbound', () => {
  it('a compare that fails after the TS option leaves the flow as it was, and says what it saw', () => {
    const flow = connectedFlowIn(new Flows(FLOW_DEFAULTS, 1));
    const before = state(flow);
    const pkt = scriptPacket('+0 > S. 0:0(0) ack 1 <mss 1460,nop,nop,TS val 100 ecr 0,nop,wscale 7>');
    const live = synAck(flow, [{ kind: 'mss', value: 1460 }, { kind: 'nop' }, { kind: 'nop' }, { kind: 'timestamp', val: TS_LIVE, ecr: 0 }, { kind: 'nop' }, { kind: 'wscale', value: 8 }]);
    const m = matchOutbound(pkt, live, flow, cfg);
    expect(m.mismatch).toBe('bad value outbound TCP option 3');
    expect(m.learned.tsVals).toEqual([{ script: 100, live: TS_LIVE }]);
    expect(state(flow)).toBe(before);
    expect(flow.tsBase).toBeNull();
    expect(flow.liveTsVal(100)).toBeNull();
  });

  it('a compare that fails before the options learns nothing and changes nothing', () => {
    const flow = connectedFlowIn(new Flows(FLOW_DEFAULTS, 1));
    const before = state(flow);
    const m = matchOutbound(scriptPacket('+0 > S. 0:0(0) ack 2 <mss 1460,nop,nop,TS val 100 ecr 0>'), synAck(flow, [{ kind: 'mss', value: 1460 }, { kind: 'nop' }, { kind: 'nop' }, { kind: 'timestamp', val: TS_LIVE, ecr: 0 }]), flow, cfg);
    expect(m.mismatch).toBe('live packet field tcp_ack_seq: expected: 2 (0x2) vs actual: 1 (0x1)');
    expect(m.learned.tsVals).toEqual([]);
    expect(state(flow)).toBe(before);
  });

  it('a matching compare changes nothing either; keepLearned puts the TS val mapping on the flow', () => {
    const flow = connectedFlowIn(new Flows(FLOW_DEFAULTS, 1));
    const before = state(flow);
    const m = matchOutbound(scriptPacket('+0 > S. 0:0(0) ack 1 <mss 1460,nop,nop,TS val 100 ecr 0>'), synAck(flow, [{ kind: 'mss', value: 1460 }, { kind: 'nop' }, { kind: 'nop' }, { kind: 'timestamp', val: TS_LIVE, ecr: 0 }]), flow, cfg);
    expect(m.mismatch).toBeNull();
    expect(state(flow)).toBe(before);
    keepLearned(flow, m.learned);
    expect(flow.tsBase).toEqual({ script: 100, live: TS_LIVE });
    expect(flow.liveTsVal(100)).toBe(TS_LIVE);
    expect(flow.scriptTsVal(TS_LIVE + 5)).toBe(105);
  });

  it('with --tcp_ts_tick_usecs, TS val is checked against the mapping the flow keeps, and a bad one changes nothing', () => {
    const ticked: RunConfig = { ...cfg, tsTickUsecs: 1000, toleranceUsecs: 4000 };
    const flow = connectedFlowIn(new Flows(FLOW_DEFAULTS, 1));
    const opts = (val: number): TcpOption[] => [{ kind: 'mss', value: 1460 }, { kind: 'nop' }, { kind: 'nop' }, { kind: 'timestamp', val, ecr: 0 }];
    // The first TS val seen is the baseline: it matches by definition.
    const first = matchOutbound(scriptPacket('+0 > S. 0:0(0) ack 1 <mss 1460,nop,nop,TS val 100 ecr 0>'), synAck(flow, opts(TS_LIVE)), flow, ticked);
    expect(first.mismatch).toBeNull();
    keepLearned(flow, first.learned);
    const before = state(flow);
    // 90 ticks of 1 ms off the script's 110: beyond the 4 ms tolerance.
    const late = matchOutbound(scriptPacket('+0 > S. 0:0(0) ack 1 <mss 1460,nop,nop,TS val 110 ecr 0>'), synAck(flow, opts(TS_LIVE + 100)), flow, ticked);
    expect(late.mismatch).toBe('bad outbound TCP timestamp value, tolerance 4000');
    expect(state(flow)).toBe(before);
    // 2 ticks off: within it.
    const near = matchOutbound(scriptPacket('+0 > S. 0:0(0) ack 1 <mss 1460,nop,nop,TS val 110 ecr 0>'), synAck(flow, opts(TS_LIVE + 12)), flow, ticked);
    expect(near.mismatch).toBeNull();
  });
});
