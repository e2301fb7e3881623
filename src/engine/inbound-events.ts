// Inbound lines: the packet built for its flow and put on the wire at its
// time. A line with a port range is a flood, one packet per flow; a SYN
// declares the flow's remote ISN in script terms and is remembered for
// syncookie checks. (Building the frames is inbound.ts.)

import type { PacketEvent, TcpPacketAst } from '../script/ast.js';
import { expandPorts, type Flow } from './flow.js';
import { buildInbound, buildInboundIcmp, buildInboundUdp } from './inbound.js';
import { viewOfOther, viewOfScript } from './match.js';
import type { SynSeen } from '../kernel/syncookie.js';
import { Stop, type RunState } from './state.js';
import { resolveTime, timingError, type TimedEvent } from './timing.js';

/** One frame of an inbound line, built for its flow. */
interface BuiltFrame {
  flow: Flow;
  frame: Uint8Array;
  ports: { src: number; dst: number } | null;
}

/** The SYN as the tool put it on the wire, for syncookie judgement. */
function synSeen(p: TcpPacketAst): SynSeen {
  const opts = Array.isArray(p.options) ? p.options : [];
  const syn: SynSeen = { sackOK: false, ecn: p.flags.includes('E') && p.flags.includes('W') };
  for (const o of opts) {
    if (o.kind === 'mss') syn.mss = o.value;
    else if (o.kind === 'wscale') syn.wscale = o.value;
    else if (o.kind === 'sackOK') syn.sackOK = true;
    else if (o.kind === 'timestamp') syn.ts = { val: o.val >>> 0, ecr: o.ecr >>> 0 };
  }
  return syn;
}

/** Put a frame on the wire; a frame the link refuses fails the script's line. */
function inject(s: RunState, ev: PacketEvent, frame: Uint8Array): bigint {
  try {
    return s.wire.send(frame);
  } catch (e) {
    s.fail({ kind: 'packet', span: ev.span, message: `error handling packet: cannot inject the packet: ${(e as Error).message}` });
    throw new Stop();
  }
}

/** `< udp (N)`, `< icmp ...`: one datagram on the flow (the default one without ports). */
async function inboundOther(s: RunState, ev: PacketEvent, te: TimedEvent): Promise<void> {
  const pkt = ev.packet;
  if (pkt.kind === 'tcp') return;
  const ports = pkt.kind === 'udp' && pkt.ports ? { src: pkt.ports.src, dst: pkt.ports.dst } : null;
  const flow = s.flows.forInbound(ports);
  const built = pkt.kind === 'udp' ? buildInboundUdp(pkt, flow, s.cfg, s.link) : buildInboundIcmp(pkt, flow, s.cfg, s.link);
  if (!built.ok) {
    s.fail({ kind: 'packet', span: ev.span, message: `error handling packet: ${built.error}` });
    return;
  }
  await s.clock.until(te.time);
  const actual = s.clock.toUsecs(inject(s, ev, built.value));
  const view = viewOfOther(pkt, actual);
  view.frame = built.value;
  s.record({ timeUsecs: actual, expectedUsecs: te.time, line: ev.span.line, kind: 'inbound', text: '', packet: view, ok: true });
  const terr = timingError(s.cfg, te, actual, 'inbound packet', ev);
  s.lastEvent = { time: te.time, inbound: true, doneAt: actual };
  if (terr) s.fail({ kind: 'timing', span: ev.span, message: terr, scriptPacket: viewOfOther(pkt, te.time) });
}

/** A `<` line: its packet (one per flow for a flood) built and injected at its time. */
export async function runInbound(s: RunState, ev: PacketEvent): Promise<void> {
  const te = resolveTime(s, ev, true);
  const pkt = ev.packet;
  if (pkt.kind !== 'tcp') return inboundOther(s, ev, te);
  // A line with a port range is a flood: its frames are built ahead while
  // there is time before the line's time, and the rest built and sent one
  // by one after the first has gone. Building takes the tool about 4 µs a
  // frame (514 SYNs: 2.0-2.4 ms, 6.7 ms under a loaded test run), so a
  // flood right after the previous event, built whole first, went late by
  // that much; now its first frame goes at its time and the others follow
  // at the building's pace.
  const pureSyn = pkt.flags.includes('S') && !pkt.flags.includes('.');
  const all = expandPorts(pkt.ports, 'src');
  const build = (ports: { src: number; dst: number } | null): BuiltFrame | null => {
    let flow = s.flows.forInbound(ports);
    if (pureSyn && ports === null) {
      if (s.listenedSinceSyn && flow.lastSyn !== null) flow = s.flows.renewDefault();
      s.listenedSinceSyn = false;
    }
    // A SYN declares the remote ISN in script terms (see Flow).
    if (pkt.flags.includes('S')) flow.scriptRemoteIsn = pkt.seq.start >>> 0;
    if (pkt.ack !== null && flow.localIsn === null && pkt.flags.includes('.')) {
      s.fail({
        kind: 'packet',
        span: ev.span,
        message: 'error handling packet: inbound packet acks data before the local ISN is known (no outbound SYN or SYN-ACK yet)',
      });
      return null;
    }
    const built = buildInbound(pkt, flow, s.cfg, s.link);
    if (!built.ok) {
      s.fail({ kind: 'packet', span: ev.span, message: `error handling packet: ${built.error}` });
      return null;
    }
    if (pureSyn) flow.lastSyn = synSeen(pkt);
    return { flow, frame: built.value, ports };
  };
  const ahead: BuiltFrame[] = [];
  let next = 0;
  // Stop building ahead 0.2 ms before the line's time (checked every 16 frames).
  const stopAhead = te.time - 200;
  while (next < all.length && (next === 0 || next % 16 !== 0 || s.clock.nowUsecs() < stopAhead)) {
    const f = build(all[next]!);
    if (!f) return;
    ahead.push(f);
    next++;
  }
  await s.clock.until(te.time);
  let first: number | null = null;
  let lastSent = 0;
  const burst = all.length > 1 ? new Map<Flow, number>() : undefined;
  const send = (f: BuiltFrame): void => {
    const actual = s.clock.toUsecs(inject(s, ev, f.frame));
    first ??= actual;
    lastSent = actual;
    burst?.set(f.flow, actual);
    const view = viewOfScript(pkt, actual, f.ports);
    view.frame = f.frame;
    s.record({ timeUsecs: actual, expectedUsecs: te.time, line: ev.span.line, kind: 'inbound', text: '', packet: view, ok: true });
  };
  for (const f of ahead) send(f);
  for (; next < all.length; next++) {
    const f = build(all[next]!);
    if (!f) return;
    send(f);
  }
  const terr = timingError(s.cfg, te, first!, 'inbound packet', ev);
  s.lastEvent = { time: te.time, inbound: true, doneAt: lastSent, burst };
  if (terr) s.fail({ kind: 'timing', span: ev.span, message: terr, scriptPacket: viewOfScript(pkt, te.time) });
}
