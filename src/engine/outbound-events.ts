// Outbound lines: wait for what the kernel sent on the line's flows, gather
// a split segment as packetdrill does, match it (match.ts), check its time.
// A line with a port range waits for one packet per flow; after a flood an
// answer at a relative time is due after its own flow's packet.

import type { PacketEvent, TcpPacketAst } from '../script/ast.js';
import { timerMs } from './clock.js';
import { expandPorts, type Flow } from './flow.js';
import { buildStandInOutbound } from './inbound.js';
import { keepLearned, matchOutbound, matchOutboundIcmp, matchOutboundUdp, viewOfLive, viewOfLiveOther, viewOfOther, viewOfScript, type LiveSegment } from './match.js';
import { secs } from './render.js';
import { decodeLive } from './live.js';
import { ACK, ECE, SYN } from '../packet/tcp.js';
import { aggregate, fragmentMismatch } from './aggregate.js';
import type { SynAckSeen } from '../kernel/syncookie.js';
import type { RunState } from './state.js';
import { outboundDeadline, resolveTime, timingError, type TimedEvent } from './timing.js';

/** Remember what the kernel sent on a flow: its SYN-ACK, its largest segment. */
function noteSent(flow: Flow, seg: LiveSegment, family: 4 | 6): void {
  const t = seg.tcp!;
  if ((t.flags & (SYN | ACK)) === (SYN | ACK)) {
    const sa: SynAckSeen = { sackOK: false, ece: (t.flags & ECE) !== 0, family };
    for (const o of t.options) {
      if (o.kind === 'mss') sa.mss = o.value;
      else if (o.kind === 'wscale') sa.wscale = o.value;
      else if (o.kind === 'sackOK') sa.sackOK = true;
      else if (o.kind === 'timestamp') sa.ts = { val: o.val, ecr: o.ecr };
    }
    flow.lastSynAck = sa;
  } else if (t.payload.length > 0) {
    // A super-segment stands for segments of its GSO size.
    const payload = seg.gsoSize && seg.gsoSize < t.payload.length ? seg.gsoSize : t.payload.length;
    flow.maxSentSegment = Math.max(flow.maxSentSegment, payload + t.headerLength - 20);
  }
}

/** `41000..41003, 41007` */
function portList(ports: number[]): string {
  const sorted = [...ports].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(i === j ? `${sorted[i]}` : `${sorted[i]}..${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(', ');
}

/** A frame the kernel sent, already decoded: queued for the outbound events, and noted on its flow. */
export function takeCaptured(s: RunState, seg: LiveSegment): void {
  const flow = s.flows.forCaptured(seg.localPort, seg.remotePort, seg.tcp !== undefined && seg.tcp !== null && (seg.tcp.flags & (SYN | ACK)) === SYN);
  if (flow && seg.tcp) noteSent(flow, seg, s.ctx.family);
  s.captured.push(seg);
  const w = s.wake;
  s.wake = null;
  w?.();
}

/** `> udp (N)`, `> icmp ...`: the next datagram of the flow. */
async function outboundOther(s: RunState, ev: PacketEvent, te: TimedEvent): Promise<void> {
  const pkt = ev.packet;
  if (pkt.kind === 'tcp') return;
  const ports = pkt.kind === 'udp' && pkt.ports ? { src: pkt.ports.src, dst: pkt.ports.dst } : null;
  const flow = s.flows.forOutbound(ports);
  const deadline = outboundDeadline(s, te);
  // Without ports, a datagram of the socket under test may go to any port
  // (sendto, connect): the next one of its protocol is the one.
  const got = await nextSegment(s, new Set([flow]), deadline, pkt.kind, !ports);
  if (!got) {
    s.fail({
      kind: 'missing',
      span: ev.span,
      message: `error handling packet: timed out waiting for packet: expected outbound packet at ${secs(te.time)} sec; none came by ${secs(deadline)} sec`,
      scriptPacket: viewOfOther(pkt, te.time),
    });
    return;
  }
  const { seg } = got;
  if (!ports && seg.proto === 'udp') {
    // The socket under test's latest peer: inbound datagrams and ICMP errors answer it.
    flow.localPort = seg.localPort;
    flow.remotePort = seg.remotePort;
  }
  const actual = s.clock.toUsecs(seg.timeNs);
  const mismatch = pkt.kind === 'udp' ? matchOutboundUdp(pkt, seg) : matchOutboundIcmp(pkt, seg, s.ctx.family);
  const liveView = viewOfLiveOther(seg, actual, s.ctx.family);
  const terr = mismatch ? null : timingError(s.cfg, te, actual, 'outbound packet', ev);
  s.record({ timeUsecs: actual, expectedUsecs: te.time, line: ev.span.line, kind: 'outbound', text: '', packet: liveView, ok: !mismatch && !terr });
  s.lastEvent = { time: actual, inbound: false, doneAt: actual };
  if (mismatch) s.fail({ kind: 'packet', span: ev.span, message: `error handling packet: ${mismatch}`, scriptPacket: viewOfOther(pkt, te.time), actualPacket: liveView });
  else if (terr) s.fail({ kind: 'timing', span: ev.span, message: terr, scriptPacket: viewOfOther(pkt, te.time), actualPacket: liveView });
}

/**
 * Wait for the next captured segment of one of `flows` until
 * `deadlineUsecs` (script time). Segments of other flows stay queued for
 * their own events; those of no flow at all are never the script's
 * business (packetdrill skips other 4-tuples too).
 */
async function nextSegment(
  s: RunState,
  flows: ReadonlySet<Flow>,
  deadlineUsecs: number,
  proto: LiveSegment['proto'] = 'tcp',
  anyPorts = false,
): Promise<{ seg: LiveSegment; flow: Flow } | null> {
  // What came while JavaScript was busy is here now, not when the event
  // loop next polls (measured: up to 0.8 ms later).
  s.wire.pump?.();
  for (;;) {
    for (let i = 0; i < s.captured.length; i++) {
      const seg = s.captured[i]!;
      if (seg.proto !== proto) continue;
      const f = anyPorts ? [...flows][0]! : s.flows.forCaptured(seg.localPort, seg.remotePort);
      if (f && flows.has(f)) {
        s.captured.splice(i, 1);
        return { seg, flow: f };
      }
    }
    const left = deadlineUsecs - s.clock.nowUsecs();
    if (left <= 0) return null;
    if (s.hooks.rehearsal) {
      // Nothing more comes: the wait is set up and torn down once.
      clearTimeout(setTimeout(() => undefined, 1000));
      return null;
    }
    await new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        s.wake = null;
        resolve();
      }, timerMs(Math.ceil(left / 1000) + 1));
      s.wake = () => {
        clearTimeout(t);
        resolve();
      };
    });
  }
}

/** A `>` line: the packet of each of its flows, matched and timed. */
export async function runOutbound(s: RunState, ev: PacketEvent): Promise<void> {
  const te = resolveTime(s, ev, false);
  const pkt = ev.packet;
  if (pkt.kind !== 'tcp') return outboundOther(s, ev, te);
  const expected = new Set(expandPorts(pkt.ports, 'dst').map((ports) => s.flows.forOutbound(ports)));
  const deadline = outboundDeadline(s, te);
  let last = s.clock.nowUsecs();
  // After a flood, an answer at a relative time is due that long after its
  // own flow's packet, not after the flood's last one: a flood of 514 SYNs
  // takes the tool 2-4 ms to send, and the first SYN-ACK comes while the
  // last SYNs are still going.
  const burst = s.lastEvent?.burst;
  const relative = ev.time !== null && (ev.time.kind === 'relative' || (ev.time.kind === 'range' && ev.time.start.kind === 'relative'));
  const burstDoneAt = s.lastEvent?.doneAt ?? 0;
  const dueFor = (flow: Flow): TimedEvent => {
    const sent = relative && !te.any ? burst?.get(flow) : undefined;
    if (sent === undefined) return te;
    const shift = sent - burstDoneAt;
    return { ...te, time: te.time + shift, end: te.end + shift };
  };
  if (s.hooks.rehearsal) standIns(s, pkt, expected);
  while (expected.size > 0) {
    const got = await nextSegment(s, expected, deadline);
    if (!got) {
      const missing = [...expected];
      const scriptView = viewOfScript(pkt, te.time, missing.length === 1 && pkt.ports ? { src: pkt.ports.src, dst: missing[0]!.key } : undefined);
      s.record({ timeUsecs: s.clock.nowUsecs(), expectedUsecs: te.time, line: ev.span.line, kind: 'outbound', text: 'missing', packet: scriptView, ok: false });
      const which =
        missing.length > 1 || (pkt.ports && pkt.ports.dstEnd !== null)
          ? ` (${missing.length} of the flood never came, to port${missing.length > 1 ? 's' : ''} ${portList(missing.map((f) => f.key))})`
          : '';
      s.fail({
        kind: 'missing',
        span: ev.span,
        message: `error handling packet: timed out waiting for packet: expected outbound packet at ${secs(te.time)} sec; none came by ${secs(deadline)} sec${which}`,
        scriptPacket: viewOfScript(pkt, te.time),
      });
      s.lastEvent = { time: s.clock.nowUsecs(), inbound: false, doneAt: s.clock.nowUsecs() };
      return;
    }
    const { flow } = got;
    expected.delete(flow);
    learn(flow, got.seg, pkt);
    const { seg, error: gathered } = await gatherFragments(s, got.seg, flow, pkt.seq.len, deadline);
    const actual = s.clock.toUsecs(seg.timeNs);
    last = actual;
    let mismatch = gathered;
    if (mismatch === null) {
      const compared = matchOutbound(pkt, seg, flow, s.cfg);
      // What the segment taught (its TS val) is kept whether or not it
      // matched: the failure shows the live packet in script terms.
      keepLearned(flow, compared.learned);
      mismatch = compared.mismatch;
    }
    const liveView = viewOfLive(seg, flow, actual, !!pkt.ports);
    const due = dueFor(flow);
    const terr = mismatch ? null : timingError(s.cfg, due, actual, 'outbound packet', ev);
    s.record({ timeUsecs: actual, expectedUsecs: due.time, line: ev.span.line, kind: 'outbound', text: '', packet: liveView, ok: !mismatch && !terr });
    const scriptView = viewOfScript(pkt, due.time, pkt.ports ? { src: pkt.ports.src, dst: flow.key } : undefined);
    if (mismatch) {
      s.fail({ kind: 'packet', span: ev.span, message: `error handling packet: ${mismatch}`, scriptPacket: scriptView, actualPacket: liveView });
    } else if (terr) {
      s.fail({ kind: 'timing', span: ev.span, message: terr, scriptPacket: scriptView, actualPacket: liveView });
    }
  }
  s.lastEvent = { time: last, inbound: false, doneAt: last };
}

/**
 * A rehearsal: what the kernel would send for `pkt` on each flow, decoded
 * and handed in as the capture does, so that the real packet's path
 * (capture, match, aggregation, views) has run once before the clock.
 */
function standIns(s: RunState, pkt: TcpPacketAst, flows: ReadonlySet<Flow>): void {
  for (const flow of flows) {
    const built = buildStandInOutbound(pkt, flow, s.cfg, s.link);
    if (!built.ok) continue;
    const seg = decodeLive(built.value, process.hrtime.bigint());
    if (seg !== null && typeof seg !== 'string') takeCaptured(s, seg);
  }
}

/**
 * packetdrill's aggregation: while the payload so far is less than the
 * script's, the flow's next segments are added (src/engine/aggregate.ts).
 * Returns the segment to match, and packetdrill's reason when the
 * fragments do not fit together or the payload comes out different.
 */
async function gatherFragments(
  s: RunState,
  first: LiveSegment,
  flow: Flow,
  expectedPayload: number,
  deadline: number,
): Promise<{ seg: LiveSegment; error: string | null }> {
  const fragments = [first];
  let sniffed = first.tcp!.payload.length;
  if (!s.cfg.strictSegments) {
    while (sniffed < expectedPayload) {
      const next = await nextSegment(s, new Set([flow]), deadline);
      if (!next) break;
      const why = fragmentMismatch(next.seg, fragments[fragments.length - 1]!, sniffed, expectedPayload);
      if (why) return { seg: next.seg, error: why };
      fragments.push(next.seg);
      sniffed += next.seg.tcp!.payload.length;
    }
  }
  const seg = aggregate(fragments);
  const error = sniffed !== expectedPayload ? `live packet payload: expected ${expectedPayload} bytes vs actual ${sniffed} bytes` : null;
  return { seg, error };
}

/** Learn the flow's ports and the kernel's ISN from what it sent. */
function learn(flow: Flow, seg: LiveSegment, pkt: TcpPacketAst): void {
  if (flow.localPort === null) flow.localPort = seg.localPort;
  if (flow.remotePort === null) flow.remotePort = seg.remotePort;
  if (seg.tcp && seg.tcp.flags & SYN) {
    // Every SYN or SYN-ACK (re)declares the kernel's ISN: a new connection
    // on the same ports (TIME_WAIT reuse, a second connect()) starts afresh.
    flow.localIsn = seg.tcp.seq >>> 0;
    flow.scriptLocalIsn = pkt.seq.start >>> 0;
  }
}
