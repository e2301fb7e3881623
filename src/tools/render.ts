/**
 * The packets a script describes, as a pcap, without running anything.
 *
 * Inbound packets are built exactly as a run injects them (`buildInbound`,
 * with the run's flows: remote ISNs and the default remote port come from
 * `cfg.seed`). Outbound packets are what the script expects the kernel to
 * send, with the unknowable filled in by fixed choices:
 *
 * - the local ISN is 0 (`RENDER_LOCAL_ISN`), so outbound sequence numbers on
 *   the wire are the script's relative ones;
 * - options as written; `<...>` and no `<...>` both give no options;
 * - the window as written, else 0;
 * - IPv4 TTL 64 with DF set, id 0; IPv6 hop limit 64 (Linux's defaults);
 * - an active open's local port is the default remote port's formula
 *   (40000 + seed % 20000), its remote port `cfg.connectPort`.
 *
 * Times follow the script's own clock, not a run's: absolute times as
 * written, relative ones from the previous timed event (call, command or
 * packet), `*` at the previous time, a range at its start, a blocking call at
 * its start (its end moves nothing). Frames carry the sandbox's MACs and the
 * configured addresses. Record times count from a fixed anchor
 * (`RENDER_ANCHOR`, 2000-01-01 00:00:00 UTC), so the same script and config
 * always give the same bytes. A flood (`41000..41199>8080`) is one packet
 * per port of the range, all at the event's time. Calls and commands make no
 * packets; UDP and ICMP packets are left out with a warning (the engine does
 * not send them).
 */
import type { Event, EventTime, Script, TcpOptionAst, TcpPacketAst } from '../script/ast.js';
import type { RunConfig } from '../engine/config.js';
import { expandPorts, Flows, type Flow } from '../engine/flow.js';
import { buildInbound } from '../engine/inbound.js';
import { flagsFromLetters, tosOf, wireOption } from '../engine/packet-map.js';
import { encodeTcpFrame } from '../packet/frame.js';
import { fail, ok, type Result } from '../packet/result.js';
import * as tcp from '../packet/tcp.js';
import type { TcpOption } from '../packet/tcp-options.js';
import { KERNEL_MAC, WIRE_MAC } from '../link/macs.js';
import { encodePcap, type PcapRecordInput, type WallClockAnchor } from '../pcap/write.js';

/** The kernel's ISN in a rendered trace. */
export const RENDER_LOCAL_ISN = 0;

/** Script time 0 in a rendered trace: 2000-01-01 00:00:00 UTC. */
export const RENDER_ANCHOR: WallClockAnchor = Object.freeze({
  monotonicNs: 0n,
  wallUsecs: Date.UTC(2000, 0, 1) * 1000,
});

export interface RenderOptions {
  /** The script's name, for messages. Default '<script>'. */
  readonly file?: string;
}

export interface RenderOutput {
  /** Record times are script µs × 1000 on `RENDER_ANCHOR`'s monotonic clock. */
  readonly records: PcapRecordInput[];
  readonly warnings: string[];
}

/** The default-flow remote port a run would use (the runner's formula when `cfg.defaultRemotePort` is 0). */
function defaultRemotePort(cfg: RunConfig): number {
  return cfg.defaultRemotePort !== 0 ? cfg.defaultRemotePort : 40000 + (cfg.seed % 20000);
}

/**
 * The frames of `script` with their times. `cfg` is the run configuration
 * with the script's option lines applied (as `prepareScript` makes it).
 * Errors are one line: `FILE:LINE: error rendering packet: ...`.
 */
export function renderScript(script: Script, cfg: RunConfig, opts: RenderOptions = {}): Result<RenderOutput> {
  const file = opts.file ?? '<script>';
  const port = defaultRemotePort(cfg);
  const flows = new Flows({ bindPort: cfg.bindPort, connectPort: cfg.connectPort, defaultRemotePort: port }, cfg.seed);
  const link = { kernelMac: KERNEL_MAC, wireMac: WIRE_MAC };
  const records: PcapRecordInput[] = [];
  const warnings: string[] = [];
  const clock = new ScriptClock();

  for (const ev of script.events) {
    const time = clock.at(ev);
    if (ev.kind !== 'packet') continue;
    const p = ev.packet;
    const where = `${file}:${ev.span.line}`;
    if (p.kind !== 'tcp') {
      warnings.push(`${where}: ${p.kind} packets are not rendered`);
      continue;
    }
    // A flood (`41000..41199>8080`) is one packet per port, back to back at the same time.
    for (const ports of expandPorts(p.ports, p.direction === 'inbound' ? 'src' : 'dst')) {
      let frame: Result<Uint8Array>;
      if (p.direction === 'inbound') {
        const flow = adopt(flows.forInbound(ports));
        if (p.flags.includes('S')) flow.scriptRemoteIsn = p.seq.start >>> 0;
        noteUnknownEcr(p, flow, where, warnings);
        frame = buildInbound(p, flow, cfg, link);
      } else {
        const flow = adopt(flows.forOutbound(ports));
        if (p.flags.includes('S')) flow.scriptLocalIsn = p.seq.start >>> 0;
        if (flow.localPort === null) flow.localPort = port;
        if (flow.remotePort === null) flow.remotePort = cfg.connectPort;
        frame = buildOutbound(p, flow, cfg);
      }
      if (!frame.ok) return fail(`${where}: error rendering packet: ${frame.error}`);
      records.push({ frame: frame.value, timeNs: BigInt(Math.max(0, time)) * 1000n });
    }
  }
  return ok({ records, warnings });
}

/** `renderScript`, encoded as a classic pcap file (µs timestamps, on `RENDER_ANCHOR`). */
export function renderScriptToPcap(script: Script, cfg: RunConfig, opts: RenderOptions = {}): Result<{ pcap: Buffer; warnings: string[] }> {
  const r = renderScript(script, cfg, opts);
  if (!r.ok) return r;
  return ok({ pcap: encodePcap(r.value.records, { anchor: RENDER_ANCHOR }), warnings: r.value.warnings });
}


/** A flow seen for the first time gets the fixed local ISN. */
function adopt(flow: Flow): Flow {
  if (flow.localIsn === null) flow.localIsn = RENDER_LOCAL_ISN;
  return flow;
}

/**
 * An inbound TS ecr that no outbound TS val stood for would stop a run; here
 * it is sent as written (outbound TS vals are rendered as written too), with
 * a warning.
 */
function noteUnknownEcr(p: TcpPacketAst, flow: Flow, where: string, warnings: string[]): void {
  if (!Array.isArray(p.options) || !(flagsFromLetters(p.flags) & tcp.ACK)) return;
  for (const o of p.options) {
    if (o.kind !== 'timestamp') continue;
    if (flow.liveTsVal(o.ecr) === null) {
      warnings.push(`${where}: TS ecr ${o.ecr} echoes no earlier outbound TS val (a run would refuse this packet); rendered as written`);
      flow.recordTs(o.ecr, o.ecr);
    }
  }
}

/** Script option → wire option for an outbound packet: SACK blocks into the remote's numbers, the rest as written. */
function outboundOption(o: TcpOptionAst, flow: Flow): TcpOption {
  if (o.kind === 'sack') return { kind: 'sack', blocks: o.blocks.map((b) => ({ start: flow.remoteSeq(b.start), end: flow.remoteSeq(b.end) })) };
  if (o.kind === 'timestamp') flow.recordTs(o.val, o.val);
  return wireOption(o);
}

function buildOutbound(p: TcpPacketAst, flow: Flow, cfg: RunConfig): Result<Uint8Array> {
  const flags = flagsFromLetters(p.flags);
  const options = Array.isArray(p.options) ? p.options.map((o) => outboundOption(o, flow)) : [];
  const tos = tosOf(p.ip);
  const v6 = cfg.ipVersion === 'ipv6';
  return encodeTcpFrame({
    srcMac: KERNEL_MAC,
    dstMac: WIRE_MAC,
    ip: v6
      ? { version: 6, src: cfg.localIp, dst: cfg.remoteIp, trafficClass: tos, flowLabel: p.ip.flowlabel ?? 0, hopLimit: p.ip.ttl ?? 64 }
      : { version: 4, src: cfg.localIp, dst: cfg.remoteIp, tos, ttl: p.ip.ttl ?? 64, df: true, id: 0 },
    tcp: {
      srcPort: flow.localPort!,
      dstPort: flow.remotePort!,
      seq: flow.localSeq(p.seq.start, p.flags.includes('S')),
      ack: p.ack === null ? 0 : flow.remoteSeq(p.ack, p.flags.includes('S')),
      flags,
      window: p.win ?? 0,
      urgentPointer: p.urg ?? 0,
      options,
      payload: new Uint8Array(p.seq.len),
    },
  });
}

/** The script's own clock: when each event is scheduled, in script µs. */
class ScriptClock {
  private prev = 0;

  at(ev: Event): number {
    const t = ev.time;
    if (t === null) return this.prev; // an untimed command runs where it stands
    const now = this.start(t);
    this.prev = now;
    return now;
  }

  private start(t: EventTime): number {
    switch (t.kind) {
      case 'absolute':
        return t.usecs;
      case 'relative':
        return this.prev + t.usecs;
      case 'any':
        return this.prev;
      case 'range':
      case 'blocking':
        return t.start.kind === 'absolute' ? t.start.usecs : this.prev + t.start.usecs;
    }
  }
}
