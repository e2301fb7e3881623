import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { newConfig } from '../src/engine/options.js';
import { encodeTcpFrame, encodeUdpFrame, type IpSpec } from '../src/packet/frame.js';
import * as tcp from '../src/packet/tcp.js';
import type { TcpOption } from '../src/packet/tcp-options.js';
import { describeSkipped, splitFlows } from '../src/pcap/flows.js';
import { pcapFileToPkt, pcapFileToPktParts, pcapToPkt, type PcapToPktOptions } from '../src/tools/pcap2pkt.js';
import { decodePcap } from '../src/pcap/read.js';
import { RENDER_ANCHOR, renderScriptToPcap } from '../src/tools/render.js';
import { encodePcap, type PcapRecordInput } from '../src/pcap/write.js';
import type { Event, PacketEvent, Script, SyscallEvent } from '../src/script/ast.js';
import { parseScript } from '../src/script/parse.js';
import { flagsFromLetters } from '../src/engine/packet-map.js';
import { runScriptFile } from '../src/runner.js';
import { replayTrace } from '../src/tools/replay.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const FIXTURES = path.join(HERE, 'fixtures', 'pcap2pkt');
const ROOT = path.join(HERE, '..');

// ---------------------------------------------------------------- building traces

const ANCHOR = { monotonicNs: 0n, wallUsecs: 1_700_000_000_000_000 };
const LINK = { srcMac: '02:00:00:00:00:02', dstMac: '02:00:00:00:00:01' };

interface Host {
  ip: string;
  port: number;
}

/** One side of a connection, keeping its own sequence numbers. */
class Peer {
  seq: number;
  constructor(
    readonly me: Host,
    isn: number,
  ) {
    this.seq = isn;
  }
}

interface SegSpec {
  flags: number;
  /** Payload length. */
  len?: number;
  ack?: number;
  win: number;
  options?: TcpOption[];
  /** Explicit sequence number (a retransmission); default: the sender's next. */
  seq?: number;
}

/** A trace under construction: frames with times in µs. */
class Trace {
  readonly records: PcapRecordInput[] = [];

  add(time: number, from: Peer, to: Peer, s: SegSpec): void {
    const seq = s.seq ?? from.seq;
    const ip: IpSpec = from.me.ip.includes(':')
      ? { version: 6, src: from.me.ip, dst: to.me.ip, hopLimit: 64 }
      : { version: 4, src: from.me.ip, dst: to.me.ip, ttl: 64, df: true };
    const r = encodeTcpFrame({
      ...LINK,
      ip,
      tcp: {
        srcPort: from.me.port,
        dstPort: to.me.port,
        seq,
        ack: s.ack ?? 0,
        flags: s.flags,
        window: s.win,
        urgentPointer: 0,
        options: s.options ?? [],
        payload: new Uint8Array(s.len ?? 0).fill(0x61),
      },
    });
    if (!r.ok) throw new Error(r.error);
    this.records.push({ frame: r.value, timeNs: BigInt(time) * 1000n });
    if (s.seq === undefined) {
      from.seq = (from.seq + (s.len ?? 0) + (s.flags & tcp.SYN ? 1 : 0) + (s.flags & tcp.FIN ? 1 : 0)) >>> 0;
    }
  }

  udp(time: number, src: Host, dst: Host, len: number): void {
    const r = encodeUdpFrame({
      ...LINK,
      ip: { version: 4, src: src.ip, dst: dst.ip },
      udp: { srcPort: src.port, dstPort: dst.port, payload: new Uint8Array(len) },
    });
    if (!r.ok) throw new Error(r.error);
    this.records.push({ frame: r.value, timeNs: BigInt(time) * 1000n });
  }

  arp(time: number): void {
    const f = new Uint8Array(42);
    f.set([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 0, 2, 0x08, 0x06]);
    this.records.push({ frame: f, timeNs: BigInt(time) * 1000n });
  }

  pcap(snaplen?: number): Buffer {
    return encodePcap(this.records, { anchor: ANCHOR, ...(snaplen ? { snaplen } : {}) });
  }
}

const S = tcp.SYN;
const A = tcp.ACK;
const P = tcp.PSH;
const F = tcp.FIN;
const R = tcp.RST;
const ts = (val: number, ecr: number): TcpOption => ({ kind: 'timestamp', val, ecr });
const NOP: TcpOption = { kind: 'nop' };
const SYN_OPTS = (val: number, ecr: number): TcpOption[] => [
  { kind: 'mss', value: 1460 },
  { kind: 'sackOK' },
  ts(val, ecr),
  NOP,
  { kind: 'wscale', value: 7 },
];
const TS = (val: number, ecr: number): TcpOption[] => [NOP, NOP, ts(val, ecr)];

/**
 * A Linux server on 10.0.0.1:9000 and a client 10.0.0.2:51000, with a UDP
 * packet and an ARP frame in between: handshake with timestamps, a 100-byte
 * request ACKed at once, a 3000-byte answer in three segments (one write: PSH
 * on the last), delayed ACKs from the client, the client's FIN, the server's
 * FIN. Then a second, refused connection to port 9001.
 */
function listenerTrace(): Trace {
  const t = new Trace();
  const server = new Peer({ ip: '10.0.0.1', port: 9000 }, 2_000_000_000);
  const client = new Peer({ ip: '10.0.0.2', port: 51000 }, 1_000_000);
  const c = client;
  const s = server;
  t.arp(0);
  t.add(100, c, s, { flags: S, win: 64240, options: SYN_OPTS(5000, 0) });
  t.add(130, s, c, { flags: S | A, ack: c.seq, win: 65160, options: SYN_OPTS(9000, 5000) });
  t.add(350, c, s, { flags: A, ack: s.seq, win: 502, options: TS(5001, 9000) });
  t.udp(900, { ip: '10.0.0.2', port: 5353 }, { ip: '224.0.0.251', port: 5353 }, 40);
  t.add(1_350, c, s, { flags: P | A, len: 100, ack: s.seq, win: 502, options: TS(5002, 9000) });
  t.add(1_380, s, c, { flags: A, ack: c.seq, win: 509, options: TS(9001, 5002) });
  t.add(3_380, s, c, { flags: A, len: 1448, ack: c.seq, win: 509, options: TS(9003, 5002) });
  t.add(3_390, s, c, { flags: A, len: 1448, ack: c.seq, win: 509, options: TS(9003, 5002) });
  t.add(3_400, s, c, { flags: P | A, len: 104, ack: c.seq, win: 509, options: TS(9003, 5002) });
  t.add(3_700, c, s, { flags: A, ack: s.seq - 104, win: 480, options: TS(5005, 9003) });
  t.add(43_700, c, s, { flags: A, ack: s.seq, win: 501, options: TS(5045, 9003) });
  t.add(50_000, c, s, { flags: F | A, ack: s.seq, win: 501, options: TS(5051, 9003) });
  t.add(50_030, s, c, { flags: F | A, ack: c.seq, win: 509, options: TS(9050, 5051) });
  t.add(50_300, c, s, { flags: A, ack: s.seq, win: 501, options: TS(5051, 9050) });
  // Flow 2: a SYN to a port nobody listens on.
  const c2 = new Peer({ ip: '10.0.0.2', port: 51002 }, 7_000);
  const s2 = new Peer({ ip: '10.0.0.1', port: 9001 }, 0);
  t.add(60_000, c2, s2, { flags: S, win: 64240, options: SYN_OPTS(6000, 0) });
  t.add(60_020, s2, c2, { flags: R | A, ack: c2.seq, win: 0 });
  return t;
}

const unwrap = <T>(r: { ok: true; value: T } | { ok: false; error: unknown }): T => {
  if (!r.ok) throw new Error(typeof r.error === 'string' ? r.error : JSON.stringify(r.error));
  return r.value;
};

async function convert(bytes: Uint8Array, opts: PcapToPktOptions = {}) {
  const trace = unwrap(await decodePcap(bytes, 'TRACE'));
  return pcapToPkt(trace, { source: 'TRACE', ...opts });
}

function golden(name: string, text: string): void {
  const file = path.join(FIXTURES, name);
  if (process.env.UPDATE_GOLDEN || !fs.existsSync(file)) fs.writeFileSync(file, text);
  expect(text).toBe(fs.readFileSync(file, 'utf8'));
}

// ---------------------------------------------------------------- comparing scripts

/** Absolute script times of the timed events, as the script's own clock has them. */
function times(script: Script): number[] {
  let prev = 0;
  const out: number[] = [];
  for (const ev of script.events) {
    if (ev.time === null) continue;
    const t = ev.time;
    const start = t.kind === 'range' || t.kind === 'blocking' ? t.start : t;
    const now = start.kind === 'absolute' ? start.usecs : start.kind === 'relative' ? prev + start.usecs : prev;
    out.push(now);
    prev = now;
  }
  return out;
}

/** An event as a comparable value: a packet's fields, a call's text (spacing normalised), with its time. */
function shape(ev: Event, source: string, time: number): unknown {
  if (ev.kind === 'packet') {
    const p = (ev as PacketEvent).packet;
    if (p.kind !== 'tcp') return { time, kind: p.kind };
    const opts = Array.isArray(p.options) ? p.options.map(({ span: _span, ...o }) => o) : p.options === 'any' ? 'any' : [];
    return {
      time,
      dir: p.direction,
      flags: flagsFromLetters(p.flags),
      seq: p.seq,
      ack: p.ack,
      win: p.win,
      urg: p.urg ?? 0,
      opts,
    };
  }
  if (ev.kind === 'syscall') {
    const c = ev as SyscallEvent;
    const line = source.split('\n')[c.nameSpan.line - 1]!;
    return { time, call: line.slice(c.nameSpan.column - 1).replace(/\s*\/\/.*$/, '').replace(/\s+/g, ' ').trim() };
  }
  return { time, kind: ev.kind };
}

/** Packets and calls with their times (commands and comments left out). */
function packetsAndCalls(script: Script, source: string): Array<Record<string, unknown>> {
  const ts = times(script);
  const out: Array<Record<string, unknown>> = [];
  let i = 0;
  for (const ev of script.events) {
    const time = ev.time === null ? null : ts[i++]!;
    if (ev.kind === 'packet' || ev.kind === 'syscall') out.push(shape(ev, source, time!) as Record<string, unknown>);
  }
  return out;
}

// ---------------------------------------------------------------- tests

describe('splitFlows', () => {
  it('numbers TCP flows from 1 in order of appearance and counts what it skips', async () => {
    const trace = unwrap(await decodePcap(listenerTrace().pcap(), 'TRACE'));
    const r = unwrap(splitFlows(trace, 'TRACE'));
    expect(r.packets).toBe(17);
    expect(r.flows.map((f) => [f.number, f.a, f.b, f.opener, f.openerSeen, f.segments.length])).toEqual([
      [1, { ip: '10.0.0.2', port: 51000 }, { ip: '10.0.0.1', port: 9000 }, 'a', true, 13],
      [2, { ip: '10.0.0.2', port: 51002 }, { ip: '10.0.0.1', port: 9001 }, 'a', true, 2],
    ]);
    expect(describeSkipped(r.skipped)).toBe('1 ARP, 1 UDP');
    expect(r.flows[0]!.segments.packet(0)).toBe(2);
  });

  it('starts a new flow when a closed 4-tuple is reused by a new SYN', async () => {
    const t = new Trace();
    for (const [base, isn] of [[0, 100], [10_000, 900_000]] as const) {
      const c = new Peer({ ip: '10.0.0.2', port: 40000 }, isn);
      const s = new Peer({ ip: '10.0.0.1', port: 80 }, 5);
      t.add(base, c, s, { flags: S, win: 1000 });
      t.add(base + 10, s, c, { flags: S | A, ack: c.seq, win: 1000 });
      t.add(base + 20, c, s, { flags: F | A, ack: s.seq, win: 1000 });
      t.add(base + 30, s, c, { flags: R, win: 0 });
    }
    const trace = unwrap(await decodePcap(t.pcap()));
    const r = unwrap(splitFlows(trace));
    expect(r.flows.map((f) => f.segments.toArray().map((s) => s.packet))).toEqual([
      [1, 2, 3, 4],
      [5, 6, 7, 8],
    ]);
  });

  it('takes the side of a SYN-ACK\'s receiver as the opener, and the first packet\'s side when the capture starts mid-flow', async () => {
    const t = new Trace();
    const c = new Peer({ ip: '10.0.0.2', port: 40000 }, 100);
    const s = new Peer({ ip: '10.0.0.1', port: 80 }, 5);
    t.add(0, s, c, { flags: S | A, ack: 101, win: 1000 });
    const d = new Peer({ ip: '10.0.0.3', port: 40001 }, 100);
    t.add(10, s, d, { flags: A, ack: 101, win: 1000, len: 10 });
    const r = unwrap(splitFlows(unwrap(await decodePcap(t.pcap()))));
    expect(r.flows.map((f) => [f.opener, f.openerSeen])).toEqual([
      ['b', true],
      ['a', false],
    ]);
  });

  it('reads the TCP headers of a capture cut by its snap length', async () => {
    const pcap = listenerTrace().pcap(96);
    const trace = unwrap(await decodePcap(pcap));
    expect(trace.records.some((r) => r.frame.length < r.origLen)).toBe(true);
    const r = unwrap(splitFlows(trace));
    expect(r.flows[0]!.segments.toArray().map((s) => s.payloadLength)).toEqual([0, 0, 0, 100, 0, 1448, 1448, 104, 0, 0, 0, 0, 0]);
  });

  it('reads raw IP captures and skips VLAN tags', async () => {
    const t = listenerTrace();
    const raw = encodePcap(
      t.records.map((r) => ({ ...r, frame: r.frame.subarray(14) })),
      { anchor: ANCHOR, linkType: 101 },
    );
    const tagged = encodePcap(
      t.records.map((r) => ({ ...r, frame: Uint8Array.from([...r.frame.subarray(0, 12), 0x81, 0x00, 0x00, 0x2a, ...r.frame.subarray(12)]) })),
      { anchor: ANCHOR },
    );
    const plain = unwrap(await convert(t.pcap())).script;
    const rawTrace = unwrap(await decodePcap(raw, 'TRACE', { linkTypes: [101] }));
    expect(unwrap(pcapToPkt(rawTrace, { source: 'TRACE' })).script).toBe(plain);
    expect(unwrap(await convert(tagged)).script).toBe(plain);
  });

  it('reads Linux cooked captures (tcpdump -i any)', async () => {
    const r = await pcapFileToPkt(path.join(HERE, 'fixtures', 'pcap', 'tcpdump-any.pcap'));
    const out = unwrap(r);
    expect(out.script).toContain('--bind_port=9');
    expect(out.script).toMatch(/< P\. 1:6\(5\) ack 1 win 64/);
  });
});

describe('pcapToPkt', () => {
  it('writes a listener script for a realistic passive open, exchange and close (golden)', async () => {
    const out = unwrap(await convert(listenerTrace().pcap()));
    golden('listener-ts.pkt', out.script);
    expect(out.warnings).toEqual(['TRACE: skipped 2 packets that are not TCP: 1 ARP, 1 UDP']);
    const parsed = parseScript(out.script, 'listener-ts.pkt');
    expect(parsed.ok, JSON.stringify(!parsed.ok && parsed.error)).toBe(true);
    const lines = out.script.split('\n');
    expect(lines).toContain('--bind_port=9000');
    expect(lines).toContain('0        socket(..., SOCK_STREAM, IPPROTO_TCP) = 3');
    expect(lines).toContain('+0       < S 0:0(0) win 64240 <mss 1460,sackOK,TS val 5000 ecr 0,nop,wscale 7>');
    expect(lines).toContain('+0.00003 > S. 0:0(0) ack 1 win 65160 <mss 1460,sackOK,TS val 9000 ecr 5000,nop,wscale 7>');
    expect(lines).toContain('+0       accept(3, ..., ...) = 4');
    expect(lines).toContain('+0       read(4, ..., 100) = 100');
    expect(lines).toContain('+0.002   write(4, ..., 3000) = 3000');
    expect(lines).toContain('+0.00003 close(4) = 0');
  });

  it('writes every packet of the flow, pure ACKs included, with times relative to the previous event', async () => {
    const out = unwrap(await convert(listenerTrace().pcap()));
    const script = unwrap(parseScript(out.script, 'x.pkt'));
    const packets = script.events.filter((e): e is PacketEvent => e.kind === 'packet');
    expect(packets).toHaveLength(13);
    const t = times(script);
    const packetTimes = script.events.flatMap((e, i) => (e.kind === 'packet' ? [t[i]!] : []));
    // The trace's times less the first packet's (100 µs), event after event.
    expect(packetTimes).toEqual([0, 30, 250, 1250, 1280, 3280, 3290, 3300, 3600, 43600, 49900, 49930, 50200]);
  });

  it('inbound TS ecr values are the local TS vals as written, so the engine can map them', async () => {
    const out = unwrap(await convert(listenerTrace().pcap()));
    const script = unwrap(parseScript(out.script, 'x.pkt'));
    const seen = new Set<number>();
    for (const ev of script.events) {
      if (ev.kind !== 'packet' || ev.packet.kind !== 'tcp' || !Array.isArray(ev.packet.options)) continue;
      for (const o of ev.packet.options) {
        if (o.kind !== 'timestamp') continue;
        if (ev.packet.direction === 'outbound') seen.add(o.val);
        else if (ev.packet.flags.includes('.')) expect(seen.has(o.ecr), `ecr ${o.ecr}`).toBe(true);
      }
    }
  });

  it('writes a connector script when the local side is the opener', async () => {
    const out = unwrap(await convert(listenerTrace().pcap(), { localIs: 'opener' }));
    unwrap(parseScript(out.script, 'x.pkt'));
    golden('connector-ts.pkt', out.script);
    expect(out.script).toContain('connect(3, ..., ...) = -1 EINPROGRESS (Operation now in progress)');
    expect(out.script).toContain('--connect_port=9000');
    expect(out.script).toMatch(/write\(3, \.\.\., 100\) = 100\n\+0 +> P\. 1:101\(100\) ack 1 win 502/);
    expect(out.script).toMatch(/read\(3, \.\.\., 3000\) = 3000/);
  });

  it('selects a flow by number or by port; a refused SYN gets no listener', async () => {
    const pcap = listenerTrace().pcap();
    const byNumber = unwrap(await convert(pcap, { flow: 2 }));
    const byPort = unwrap(await convert(pcap, { port: 9001 }));
    expect(byPort.script).toBe(byNumber.script);
    expect(byNumber.script).toContain('flow 2 of 2 (Wireshark tcp.stream 1)');
    expect(byNumber.script).not.toContain('listen(');
    expect(byNumber.warnings).toContain('flow 2: the local side answered the SYN with a reset: no listener in the script');
    expect(byNumber.script).toMatch(/> R\. 0:0\(0\) ack 1 win 0\n$/);
  });

  it('uses shutdown(SHUT_WR) when the peer keeps sending after the local FIN, and SO_LINGER for a local reset', async () => {
    const t = new Trace();
    const c = new Peer({ ip: '10.0.0.2', port: 40000 }, 100);
    const s = new Peer({ ip: '10.0.0.1', port: 8080 }, 5000);
    t.add(0, c, s, { flags: S, win: 65535, options: [{ kind: 'mss', value: 1460 }] });
    t.add(10, s, c, { flags: S | A, ack: c.seq, win: 65535, options: [{ kind: 'mss', value: 1460 }] });
    t.add(20, c, s, { flags: A, ack: s.seq, win: 65535 });
    t.add(1000, s, c, { flags: F | A, ack: c.seq, win: 65535 });
    t.add(2000, c, s, { flags: P | A, len: 10, ack: s.seq, win: 65535 });
    t.add(2010, s, c, { flags: A, ack: c.seq, win: 65535 });
    t.add(3000, s, c, { flags: R | A, ack: c.seq, win: 0 });
    const out = unwrap(await convert(t.pcap()));
    unwrap(parseScript(out.script, 'x.pkt'));
    expect(out.script).not.toContain('--bind_port');
    const body = out.script.split('\n').filter((l) => /^[+0]/.test(l)).map((l) => l.replace(/^\S+\s+/, ''));
    expect(body.slice(4)).toEqual([
      '< S 0:0(0) win 65535 <mss 1460>',
      '> S. 0:0(0) ack 1 win 65535 <mss 1460>',
      '< . 1:1(0) ack 1 win 65535',
      'accept(3, ..., ...) = 4',
      'shutdown(4, SHUT_WR) = 0',
      '> F. 1:1(0) ack 1 win 65535',
      '< P. 1:11(10) ack 2 win 65535',
      '> . 2:2(0) ack 11 win 65535',
      'read(4, ..., 10) = 10',
      'setsockopt(4, SOL_SOCKET, SO_LINGER, {l_onoff=1, l_linger=0}, 8) = 0',
      'close(4) = 0',
      '> R. 2:2(0) ack 11 win 0',
    ]);
  });

  it('splits a write that spans round trips at each flight, and says so', async () => {
    const t = new Trace();
    const c = new Peer({ ip: '10.0.0.2', port: 40000 }, 100);
    const s = new Peer({ ip: '10.0.0.1', port: 8080 }, 5000);
    t.add(0, c, s, { flags: S, win: 65535 });
    t.add(10, s, c, { flags: S | A, ack: c.seq, win: 65535 });
    t.add(20, c, s, { flags: A, ack: s.seq, win: 65535 });
    t.add(100, s, c, { flags: A, len: 1000, ack: c.seq, win: 65535 });
    t.add(101, s, c, { flags: A, len: 1000, ack: c.seq, win: 65535 });
    t.add(5000, c, s, { flags: A, ack: s.seq, win: 65535 });
    t.add(5001, s, c, { flags: P | A, len: 500, ack: c.seq, win: 65535 });
    const out = unwrap(await convert(t.pcap()));
    expect(out.script).toMatch(/write\(4, \.\.\., 2000\) = 2000\n\+0 +> \. 1:1001/);
    expect(out.script).toMatch(/< \. 1:1\(0\) ack 2001 win 65535\n\+0\.000001 write\(4, \.\.\., 500\) = 500\n\+0 +> P\. 2001:2501/);
    expect(out.warnings.join('\n')).toMatch(/1 write ends without PSH/);
  });

  it('reads only what is delivered in order: retransmissions and out-of-order data wait', async () => {
    const t = new Trace();
    const c = new Peer({ ip: '10.0.0.2', port: 40000 }, 100);
    const s = new Peer({ ip: '10.0.0.1', port: 8080 }, 5000);
    t.add(0, c, s, { flags: S, win: 65535 });
    t.add(10, s, c, { flags: S | A, ack: c.seq, win: 65535 });
    t.add(20, c, s, { flags: A, ack: s.seq, win: 65535 });
    t.add(10_000, c, s, { flags: A, len: 100, ack: s.seq, win: 65535, seq: 201 }); // 101..200 missing
    t.add(10_010, s, c, { flags: A, ack: 101, win: 65535, options: [NOP, NOP, { kind: 'sack', blocks: [{ start: 201, end: 301 }] }] });
    t.add(20_000, c, s, { flags: A, len: 100, ack: s.seq, win: 65535, seq: 101 });
    t.add(20_010, s, c, { flags: A, ack: 301, win: 65535 });
    t.add(30_000, c, s, { flags: A, len: 100, ack: s.seq, win: 65535, seq: 101 }); // a spurious retransmission
    t.add(30_010, s, c, { flags: A, ack: 301, win: 65535, options: [NOP, NOP, { kind: 'sack', blocks: [{ start: 101, end: 201 }] }] });
    const out = unwrap(await convert(t.pcap()));
    unwrap(parseScript(out.script, 'x.pkt'));
    const reads = out.script.match(/read\(4, \.\.\., \d+\) = \d+/g);
    expect(reads).toEqual(['read(4, ..., 200) = 200']);
    expect(out.script).toContain('> . 1:1(0) ack 1 win 65535 <nop,nop,sack 101:201>');
    expect(out.script).toContain('> . 1:1(0) ack 201 win 65535 <nop,nop,sack 1:101>');
    expect(out.script).toContain('< . 101:201(100) ack 1 win 65535');
  });

  it('writes IPv6 flows with --ip_version=ipv6', async () => {
    const t = new Trace();
    const c = new Peer({ ip: 'fd3d:a0b:17d6::1', port: 40000 }, 100);
    const s = new Peer({ ip: 'fd3d:fa7b:d17d::1', port: 8080 }, 5000);
    t.add(0, c, s, { flags: S, win: 65535, options: [{ kind: 'mss', value: 1440 }] });
    t.add(10, s, c, { flags: S | A, ack: c.seq, win: 65535, options: [{ kind: 'mss', value: 1440 }] });
    const out = unwrap(await convert(t.pcap()));
    unwrap(parseScript(out.script, 'x.pkt'));
    expect(out.script).toContain('--ip_version=ipv6\n');
    expect(out.script).toContain('[fd3d:a0b:17d6::1]:40000 > [fd3d:fa7b:d17d::1]:8080, IPv6');
  });

  it('writes an init command and a tolerance when asked', async () => {
    const out = unwrap(await convert(listenerTrace().pcap(), { init: './defaults.sh', toleranceUsecs: 8000 }));
    expect(out.script).toContain('--bind_port=9000\n--tolerance_usecs=8000\n`./defaults.sh`\n\n0 ');
    const script = unwrap(parseScript(out.script, 'x.pkt'));
    expect(script.events[0]).toMatchObject({ kind: 'command', time: null, command: './defaults.sh' });
    expect(script.options.map((o) => [o.name, o.value])).toEqual([
      ['bind_port', '9000'],
      ['tolerance_usecs', '8000'],
    ]);
  });

  it('converts a capture that starts mid-flow, with a warning and no calls', async () => {
    const t = new Trace();
    const c = new Peer({ ip: '10.0.0.2', port: 40000 }, 100);
    const s = new Peer({ ip: '10.0.0.1', port: 8080 }, 5001);
    t.add(0, c, s, { flags: P | A, len: 10, ack: 5001, win: 100 });
    t.add(10, s, c, { flags: A, ack: c.seq, win: 200 });
    const out = unwrap(await convert(t.pcap()));
    unwrap(parseScript(out.script, 'x.pkt'));
    expect(out.warnings).toContain('flow 1: the capture starts mid-flow (no SYN): no socket calls, and the script cannot run as it is');
    expect(out.script).not.toMatch(/socket\(|read\(/);
    expect(out.script).toContain('\n0        < P. 1:11(10) ack 1 win 100\n+0.00001 > . 1:1(0) ack 11 win 200\n');
  });

  it('gives one-line errors for garbage, empty, non-TCP traces and missing flows', async () => {
    const garbage = await decodePcap(Buffer.from('this is not a pcap file at all, just text\n'), 'TRACE');
    expect(garbage).toEqual({ ok: false, error: 'TRACE: not a pcap file (magic 0x74686973)' });
    const nofile = await pcapFileToPkt('/nonexistent/x.pcap');
    expect(nofile).toEqual({ ok: false, error: '/nonexistent/x.pcap: no such file' });

    expect(await convert(encodePcap([], { anchor: ANCHOR }))).toEqual({ ok: false, error: 'TRACE: no packets' });

    const t = new Trace();
    t.udp(0, { ip: '10.0.0.2', port: 53 }, { ip: '10.0.0.1', port: 53 }, 30);
    t.udp(1, { ip: '10.0.0.1', port: 53 }, { ip: '10.0.0.2', port: 53 }, 60);
    t.arp(2);
    t.records.push({ frame: Uint8Array.from([1, 2, 3]), timeNs: 3000n });
    t.records.push({ frame: Uint8Array.from([...new Uint8Array(12), 0x08, 0x00, 0x45, 0, 0, 99]), timeNs: 4000n });
    expect(await convert(t.pcap())).toEqual({
      ok: false,
      error: 'TRACE: no TCP flows (5 packets: 2 UDP, 1 ARP, 1 truncated, 1 malformed)',
    });

    const pcap = listenerTrace().pcap();
    expect(await convert(pcap, { flow: 3 })).toEqual({ ok: false, error: 'TRACE: no flow 3 (the trace has 2 TCP flows)' });
    expect(await convert(pcap, { port: 7 })).toEqual({ ok: false, error: 'TRACE: no TCP flow on port 7 (the trace has 2 TCP flows)' });
    expect(await convert(pcap, { flow: 1, port: 9001 })).toEqual({
      ok: false,
      error: 'TRACE: flow 1 is not on port 9001 (10.0.0.2:51000 > 10.0.0.1:9000)',
    });
    expect(await convert(pcap, { flow: 0 })).toEqual({ ok: false, error: 'TRACE: bad flow number 0 (flows are numbered from 1)' });
    const wifi = encodePcap([], { anchor: ANCHOR, linkType: 105 });
    const trace = unwrap(await decodePcap(wifi, 'TRACE', { linkTypes: [105] }));
    expect(pcapToPkt(trace, { source: 'TRACE' })).toEqual({ ok: false, error: 'TRACE: link type 105 (IEEE802_11) is not supported' });
  });
});

describe('round trip: render → pcap → pcap2pkt', () => {
  for (const [name, localIs] of [
    ['passive-open', 'acceptor'],
    ['synack-retransmit', 'acceptor'],
    ['active-open-nonblocking', 'opener'],
  ] as const) {
    it(`gives back the packets and calls of scripts-tcp/${name}.pkt`, async () => {
      const file = path.join(ROOT, 'scripts-tcp', `${name}.pkt`);
      const source = fs.readFileSync(file, 'utf8');
      const original = unwrap(parseScript(source, file));
      const rendered = unwrap(renderScriptToPcap(original, newConfig(), { file }));
      expect(rendered.warnings).toEqual([]);
      const trace = unwrap(await decodePcap(rendered.pcap, `${name}.pcap`));
      expect(trace.records[0]!.timeUsecs).toBe(RENDER_ANCHOR.wallUsecs);
      const out = unwrap(pcapToPkt(trace, { source: `${name}.pcap`, localIs }));
      expect(out.warnings).toEqual([]);
      const again = unwrap(parseScript(out.script, 'again.pkt'));

      // The original also asks F_GETFL and SO_ERROR, and stays non-blocking: nothing the packets depend on.
      const extra = (e: Record<string, unknown>) =>
        typeof e.call === 'string' && /F_GETFL|SO_ERROR|^fcntl\(3, F_SETFL, O_RDWR\) = 0$/.test(e.call);
      const want = packetsAndCalls(original, source).filter((e) => !extra(e));
      const got = packetsAndCalls(again, out.script).filter((e) => !extra(e));
      // An outbound packet without `win` is rendered with window 0; everything else must be equal.
      for (let i = 0; i < Math.min(want.length, got.length); i++) {
        if (want[i]!.win === null && want[i]!.dir === 'outbound' && got[i]!.win === 0) got[i]!.win = null;
      }
      expect(got).toEqual(want);
    });
  }
});

describe('live: a capture of the kernel, converted, passes on the kernel', () => {
  for (const [name, localIs] of [
    ['passive-open', 'acceptor'],
    ['active-open-nonblocking', 'opener'],
  ] as const) {
    it(`scripts-tcp/${name}.pkt → --pcap → pcap2pkt → run`, async (ctx) => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pktdrill-pcap2pkt-'));
      try {
        const capture = path.join(dir, `${name}.pcap`);
        const first = await runScriptFile(path.join(ROOT, 'scripts-tcp', `${name}.pkt`), { pcap: capture });
        if (first.status === 'error') ctx.skip(); // no namespaces here
        expect(first.status).toBe('pass');
        // The trace does not carry the sysctls: pin them as the corpus does.
        const out = unwrap(await pcapFileToPkt(capture, { localIs, init: path.join(ROOT, 'scripts-tcp', 'defaults.sh') }));
        expect(out.warnings).toEqual([]);
        const file = path.join(dir, `${name}.converted.pkt`);
        fs.writeFileSync(file, out.script);
        const again = await runScriptFile(file);
        expect(again.status, `${out.script}\n${JSON.stringify(again.verdict?.failures ?? again.error)}`).toBe('pass');
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});

// ---------------------------------------------------------------- all flows to one listener

const MSS: TcpOption[] = [{ kind: 'mss', value: 1460 }];
const SYN_NO_TS: TcpOption[] = [{ kind: 'mss', value: 1460 }, { kind: 'sackOK' }, NOP, NOP, NOP, { kind: 'wscale', value: 7 }];
const SYNACK_NO_TS: TcpOption[] = [{ kind: 'mss', value: 1460 }, NOP, NOP, { kind: 'sackOK' }, NOP, { kind: 'wscale', value: 7 }];

/** One connection to the listener 10.0.0.1:8080: the client and the server side, each with its ISN. */
function connection(port: number, clientIsn: number, serverIsn: number, clientIp = '10.0.0.2') {
  return { c: new Peer({ ip: clientIp, port }, clientIsn), s: new Peer({ ip: '10.0.0.1', port: 8080 }, serverIsn) };
}

/**
 * Linux with listen(fd, 1), as recorded from scripts-tcp/accept-queue-full-ack-dropped.pkt:
 * two handshakes fill the accept queue, the third final ACK (packet 9) is
 * dropped, its SYN-ACK comes again after 1 s and the answering ACK completes
 * it. Then the first connection carries a request, an answer and a close.
 */
function overflowTrace(): Trace {
  const t = new Trace();
  const [a, b, c] = [connection(41000, 1000, 500_000), connection(41001, 2000, 600_000), connection(41002, 3000, 700_000)];
  t.add(0, a.c, a.s, { flags: S, win: 65535, options: MSS });
  t.add(300, b.c, b.s, { flags: S, win: 65535, options: MSS });
  t.add(1_000, a.s, a.c, { flags: S | A, ack: a.c.seq, win: 64240, options: MSS });
  t.add(2_000, b.s, b.c, { flags: S | A, ack: b.c.seq, win: 64240, options: MSS });
  t.add(12_000, a.c, a.s, { flags: A, ack: a.s.seq, win: 65535 });
  t.add(12_500, c.c, c.s, { flags: S, win: 65535, options: MSS });
  t.add(12_700, c.s, c.c, { flags: S | A, ack: c.c.seq, win: 64240, options: MSS });
  t.add(23_000, b.c, b.s, { flags: A, ack: b.s.seq, win: 65535 });
  t.add(46_000, c.c, c.s, { flags: A, ack: c.s.seq, win: 65535 }); // dropped: the accept queue is full
  t.add(1_012_700, c.s, c.c, { flags: S | A, ack: c.c.seq, win: 64240, options: MSS, seq: 700_000 });
  t.add(1_025_000, c.c, c.s, { flags: A, ack: c.s.seq, win: 65535 });
  t.add(1_100_000, a.c, a.s, { flags: P | A, len: 100, ack: a.s.seq, win: 65535 });
  t.add(1_100_200, a.s, a.c, { flags: A, ack: a.c.seq, win: 64140 });
  t.add(1_102_000, a.s, a.c, { flags: P | A, len: 50, ack: a.c.seq, win: 64140 });
  t.add(1_140_000, a.c, a.s, { flags: A, ack: a.s.seq, win: 65535 });
  t.add(1_200_000, a.c, a.s, { flags: F | A, ack: a.s.seq, win: 65535 });
  t.add(1_200_100, a.s, a.c, { flags: F | A, ack: a.c.seq, win: 64140 });
  t.add(1_210_000, a.c, a.s, { flags: A, ack: a.s.seq, win: 65535 });
  return t;
}

/** Two interleaved connections to a listener that keeps up: no overflow. */
function twoConnectionsTrace(): Trace {
  const t = new Trace();
  const [a, b] = [connection(41000, 1000, 500_000), connection(41001, 2000, 600_000)];
  t.add(0, a.c, a.s, { flags: S, win: 65535, options: SYN_NO_TS });
  t.add(200, a.s, a.c, { flags: S | A, ack: a.c.seq, win: 64240, options: SYNACK_NO_TS });
  t.add(5_000, b.c, b.s, { flags: S, win: 65535, options: SYN_NO_TS });
  t.add(5_200, b.s, b.c, { flags: S | A, ack: b.c.seq, win: 64240, options: SYNACK_NO_TS });
  t.add(10_000, a.c, a.s, { flags: A, ack: a.s.seq, win: 514 });
  t.add(15_000, b.c, b.s, { flags: A, ack: b.s.seq, win: 514 });
  t.add(20_000, b.c, b.s, { flags: P | A, len: 50, ack: b.s.seq, win: 514 });
  t.add(20_300, b.s, b.c, { flags: A, ack: b.c.seq, win: 502 });
  t.add(25_000, a.c, a.s, { flags: P | A, len: 100, ack: a.s.seq, win: 514 });
  t.add(25_300, a.s, a.c, { flags: A, ack: a.c.seq, win: 502 });
  t.add(27_000, a.s, a.c, { flags: P | A, len: 200, ack: a.c.seq, win: 502 });
  t.add(27_500, b.s, b.c, { flags: P | A, len: 300, ack: b.c.seq, win: 502 });
  t.add(37_000, a.c, a.s, { flags: A, ack: a.s.seq, win: 514 });
  t.add(37_400, b.c, b.s, { flags: A, ack: b.s.seq, win: 514 });
  t.add(50_000, b.c, b.s, { flags: F | A, ack: b.s.seq, win: 514 });
  t.add(50_500, b.s, b.c, { flags: F | A, ack: b.c.seq, win: 502 });
  t.add(60_000, b.c, b.s, { flags: A, ack: b.s.seq, win: 514 });
  return t;
}

/** Script lines that are packets, by the trace packet `packetOfLine` gives them. */
function linesOfPackets(out: { script: string; packetOfLine: ReadonlyMap<number, number> }): Map<number, string> {
  const lines = out.script.split('\n');
  return new Map([...out.packetOfLine].map(([line, pkt]) => [pkt, lines[line - 1]!]));
}

describe('pcapToPkt: all flows to one listener', () => {
  it('writes one script for an accept-queue overflow: ports on every packet, accepts in completion order, backlog inferred (golden)', async () => {
    const out = unwrap(await convert(overflowTrace().pcap()));
    golden('listener-overflow.pkt', out.script);
    expect(out.warnings).toEqual([]);
    unwrap(parseScript(out.script, 'listener-overflow.pkt'));
    const body = out.script.split('\n').filter((l) => /^[+0-9]/.test(l)).map((l) => l.replace(/^\S+\s+/, ''));
    expect(body).toEqual([
      'socket(..., SOCK_STREAM, IPPROTO_TCP) = 3',
      'setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0',
      'bind(3, ..., ...) = 0',
      'listen(3, 1) = 0',
      '< 41000>8080 S 0:0(0) win 65535 <mss 1460>',
      '< 41001>8080 S 0:0(0) win 65535 <mss 1460>',
      '> 8080>41000 S. 0:0(0) ack 1 win 64240 <mss 1460>',
      '> 8080>41001 S. 0:0(0) ack 1 win 64240 <mss 1460>',
      '< 41000>8080 . 1:1(0) ack 1 win 65535',
      '< 41002>8080 S 0:0(0) win 65535 <mss 1460>',
      '> 8080>41002 S. 0:0(0) ack 1 win 64240 <mss 1460>',
      '< 41001>8080 . 1:1(0) ack 1 win 65535',
      // Dropped: no accept before it, or the queue would not have been full.
      '< 41002>8080 . 1:1(0) ack 1 win 65535',
      '> 8080>41002 S. 0:0(0) ack 1 win 64240 <mss 1460>',
      // Room for the answering ACK: the waiting connections, in the order they completed.
      'accept(3, ..., ...) = 4',
      'accept(3, ..., ...) = 5',
      '< 41002>8080 . 1:1(0) ack 1 win 65535',
      'accept(3, ..., ...) = 6',
      '< 41000>8080 P. 1:101(100) ack 1 win 65535',
      '> 8080>41000 . 1:1(0) ack 101 win 64140',
      'read(4, ..., 100) = 100',
      'write(4, ..., 50) = 50',
      '> 8080>41000 P. 1:51(50) ack 101 win 64140',
      '< 41000>8080 . 101:101(0) ack 51 win 65535',
      '< 41000>8080 F. 101:101(0) ack 51 win 65535',
      'close(4) = 0',
      '> 8080>41000 F. 51:51(0) ack 102 win 64140',
      '< 41000>8080 . 102:102(0) ack 52 win 65535',
    ]);
    expect(out.script).toContain('//   packet 9: the final ACK from port 41002 was dropped (its SYN-ACK came again): the accept queue was full with 2 connections waiting for accept()');
    expect(out.script).toContain('//   not 0: packet 2: the SYN from port 41001 was answered with 1 request pending');
  });

  it('maps every packet line to its trace packet', async () => {
    const out = unwrap(await convert(overflowTrace().pcap()));
    const byPacket = linesOfPackets(out);
    expect([...byPacket.keys()].sort((x, y) => x - y)).toEqual(Array.from({ length: 18 }, (_, i) => i + 1));
    expect(byPacket.get(9)).toMatch(/< 41002>8080 \. 1:1\(0\) ack 1 win 65535$/);
    expect(byPacket.get(10)).toMatch(/> 8080>41002 S\. 0:0\(0\) ack 1/);
    expect(byPacket.get(11)).toMatch(/< 41002>8080 \. 1:1\(0\) ack 1/);
    expect(byPacket.get(14)).toMatch(/> 8080>41000 P\. 1:51\(50\)/);
  });

  it('accepts right after each handshake and listens with backlog 128 when nothing overflows (golden)', async () => {
    const out = unwrap(await convert(twoConnectionsTrace().pcap()));
    golden('listener-two.pkt', out.script);
    expect(out.warnings).toEqual([]);
    unwrap(parseScript(out.script, 'listener-two.pkt'));
    expect(out.script).toContain('listen(3, 128) = 0');
    expect(out.script).toMatch(/< 41000>8080 \. 1:1\(0\) ack 1 win 514\n\+0 +accept\(3, \.\.\., \.\.\.\) = 4\n/);
    expect(out.script).toMatch(/< 41001>8080 \. 1:1\(0\) ack 1 win 514\n\+0 +accept\(3, \.\.\., \.\.\.\) = 5\n/);
    expect(out.script).toMatch(/read\(5, \.\.\., 50\) = 50/);
    expect(out.script).toMatch(/write\(4, \.\.\., 200\) = 200\n\+0 +> 8080>41000 P\. 1:201\(200\)/);
    expect(out.script).toMatch(/write\(5, \.\.\., 300\) = 300\n\+0 +> 8080>41001 P\. 1:301\(300\)/);
    expect(out.script).toMatch(/close\(5\) = 0\n\+0 +> 8080>41001 F\. 301:301\(0\) ack 52/);
    expect(out.script).not.toContain('close(4)');
  });

  it('is the default for a listener trace; allFlows: false, flow or port give one flow', async () => {
    const pcap = overflowTrace().pcap();
    const multi = unwrap(await convert(pcap)).script;
    expect(multi).toContain('flows 1-3 of 3 (Wireshark tcp.stream 0-2)');
    expect(unwrap(await convert(pcap, { allFlows: true })).script).toBe(multi);
    expect(unwrap(await convert(pcap, { allFlows: true, port: 8080 })).script).toBe(multi);
    expect(unwrap(await convert(pcap, { allFlows: true, flow: 2 })).script).toBe(multi);
    const one = unwrap(await convert(pcap, { allFlows: false })).script;
    expect(one).toContain('flow 1 of 3 (Wireshark tcp.stream 0)');
    expect(one).not.toMatch(/41000>8080/);
    expect(unwrap(await convert(pcap, { flow: 3 })).script).toContain('flow 3 of 3');
    expect(unwrap(await convert(pcap, { port: 41001 })).script).toContain('flow 2 of 3');
    // Flows to different listeners are not one listener's.
    expect(unwrap(await convert(listenerTrace().pcap())).script).toContain('flow 1 of 2');
    expect(await convert(pcap, { allFlows: true, localIs: 'opener' })).toEqual({
      ok: false,
      error: 'TRACE: all flows make a script for one listener: the local side must be the acceptor',
    });
    expect(await convert(pcap, { backlog: -1 })).toEqual({ ok: false, error: 'TRACE: bad backlog -1' });
  });

  it('leaves out the flows that are not the listener\'s, and says so', async () => {
    const t = overflowTrace();
    const other = connection(51000, 9000, 0);
    const refusing = new Peer({ ip: '10.0.0.1', port: 9001 }, 0);
    t.add(1_300_000, other.c, refusing, { flags: S, win: 65535, options: MSS });
    t.add(1_300_010, refusing, other.c, { flags: R | A, ack: other.c.seq, win: 0 });
    const out = unwrap(await convert(t.pcap()));
    expect(out.script).toContain('flows 1-3 of 4 (Wireshark tcp.stream 0-2)');
    expect(out.script).not.toContain('51000');
    expect(out.warnings).toEqual(['flow 4 is not a connection to 10.0.0.1:8080: left out (--flow N converts one)']);
    expect(unwrap(await convert(t.pcap(), { flow: 4 })).script).toContain('flow 4 of 4');
  });

  it('takes a given backlog, and says what Linux would not do with it', async () => {
    const out = unwrap(await convert(overflowTrace().pcap(), { backlog: 5 }));
    expect(out.script).toContain('listen(3, 5) = 0');
    expect(out.script).toContain('// listen backlog 5, as given');
    expect(out.warnings).toEqual([
      'with listen backlog 5 and these accept() calls, Linux would not do what the trace shows: ' +
        'packet 9: the final ACK from port 41002 was dropped (its SYN-ACK came again) with only 2 connections waiting for accept(): the accept queue was not full',
    ]);
  });

  it('reads a full SYN queue from an unanswered SYN, and asks for tcp_syncookies=0', async () => {
    // listen(fd, 1) and tcp_syncookies=0: two requests fill the SYN queue, the third SYN gets nothing.
    const t = new Trace();
    const [a, b, c] = [connection(41000, 1000, 500_000), connection(41001, 2000, 600_000), connection(41002, 3000, 700_000)];
    t.add(0, a.c, a.s, { flags: S, win: 65535, options: MSS });
    t.add(300, b.c, b.s, { flags: S, win: 65535, options: MSS });
    t.add(1_000, a.s, a.c, { flags: S | A, ack: a.c.seq, win: 64240, options: MSS });
    t.add(2_000, b.s, b.c, { flags: S | A, ack: b.c.seq, win: 64240, options: MSS });
    t.add(2_400, c.c, c.s, { flags: S, win: 65535, options: MSS });
    t.add(26_000, a.c, a.s, { flags: A, ack: a.s.seq, win: 65535 });
    t.add(26_100, b.c, b.s, { flags: A, ack: b.s.seq, win: 65535 });
    const out = unwrap(await convert(t.pcap()));
    expect(out.script).toContain('listen(3, 1) = 0');
    expect(out.script).toContain('//   packet 5: the SYN from port 41002 got no answer: the SYN queue was full with 2 requests pending');
    expect(out.warnings).toEqual([
      'a SYN got no answer when the SYN queue was full: the init command must set net.ipv4.tcp_syncookies=0 (else the kernel sends a syncookie)',
    ]);
    const given = unwrap(await convert(t.pcap(), { init: ['./defaults.sh', 'sysctl -q net.ipv4.tcp_syncookies=0'] }));
    expect(given.warnings).toEqual([]);
    expect(given.script).toContain('`./defaults.sh\nsysctl -q net.ipv4.tcp_syncookies=0`\n');
    unwrap(parseScript(given.script, 'x.pkt'));
  });

  it('reads a syncookie SYN-ACK as a full SYN queue, and gives timer retransmissions of several flows a window', async () => {
    // As recorded from scripts-tcp/syncookies-when-full.pkt.
    const t = new Trace();
    const [a, b, c] = [connection(41000, 1000, 500_000), connection(41001, 2000, 600_000), connection(41002, 3000, 700_000)];
    t.add(0, a.c, a.s, { flags: S, win: 65535, options: SYN_NO_TS });
    t.add(288, b.c, b.s, { flags: S, win: 65535, options: SYN_NO_TS });
    t.add(1_066, a.s, a.c, { flags: S | A, ack: a.c.seq, win: 64240, options: SYNACK_NO_TS });
    t.add(2_096, b.s, b.c, { flags: S | A, ack: b.c.seq, win: 64240, options: SYNACK_NO_TS });
    t.add(13_769, c.c, c.s, { flags: S, win: 65535, options: SYN_NO_TS });
    t.add(14_103, c.s, c.c, { flags: S | A, ack: c.c.seq, win: 64240, options: MSS }); // the cookie
    t.add(27_490, c.c, c.s, { flags: A, ack: c.s.seq, win: 65535 });
    t.add(1_024_479, b.s, b.c, { flags: S | A, ack: b.c.seq, win: 64240, options: SYNACK_NO_TS, seq: 600_000 });
    t.add(1_029_252, a.s, a.c, { flags: S | A, ack: a.c.seq, win: 64240, options: SYNACK_NO_TS, seq: 500_000 });
    const out = unwrap(await convert(t.pcap()));
    expect(out.warnings).toEqual([]);
    unwrap(parseScript(out.script, 'x.pkt'));
    expect(out.script).toContain('listen(3, 1) = 0');
    expect(out.script).toContain('//   packet 6: the SYN-ACK to port 41002 is a syncookie: the SYN queue was full with 2 requests pending');
    expect(out.script).toContain("// syncookies need net.ipv4.tcp_syncookies=1 (Linux's default) in the init command");
    expect(out.script).toMatch(/< 41002>8080 \. 1:1\(0\) ack 1 win 65535\n\+0 +accept\(3, \.\.\., \.\.\.\) = 4\n/);
    // Each retransmission 1 s after its own flow's SYN-ACK, give or take an eighth, whatever the other flow does.
    expect(out.script).toContain('\n0.896~1.153 > 8080>41001 S. 0:0(0) ack 1');
    expect(out.script).toContain('\n0.9~1.158   > 8080>41000 S. 0:0(0) ack 1');
  });

  it('reads a full accept queue from an unanswered SYN, and accepts before the SYN that got in later', async () => {
    const t = new Trace();
    const [a, b, c] = [connection(41000, 1000, 500_000), connection(41001, 2000, 600_000), connection(41002, 3000, 700_000)];
    t.add(0, a.c, a.s, { flags: S, win: 65535, options: MSS });
    t.add(400, b.c, b.s, { flags: S, win: 65535, options: MSS });
    t.add(1_300, a.s, a.c, { flags: S | A, ack: a.c.seq, win: 64240, options: MSS });
    t.add(2_000, b.s, b.c, { flags: S | A, ack: b.c.seq, win: 64240, options: MSS });
    t.add(12_400, a.c, a.s, { flags: A, ack: a.s.seq, win: 65535 });
    t.add(12_600, b.c, b.s, { flags: A, ack: b.s.seq, win: 65535 });
    t.add(35_000, c.c, c.s, { flags: S, win: 65535, options: MSS });
    t.add(1_040_000, c.c, c.s, { flags: S, win: 65535, options: MSS, seq: 3000 });
    t.add(1_040_300, c.s, c.c, { flags: S | A, ack: c.c.seq, win: 64240, options: MSS });
    const out = unwrap(await convert(t.pcap()));
    expect(out.warnings).toEqual([]);
    expect(out.script).toContain('listen(3, 1) = 0');
    expect(out.script).toContain('//   packet 7: the SYN from port 41002 got no answer: the accept queue was full with 2 connections waiting for accept()');
    expect(out.script).toMatch(
      /< 41002>8080 S 0:0\(0\) win 65535 <mss 1460>\n\+1\.005 +accept\(3, \.\.\., \.\.\.\) = 4\n\+0 +accept\(3, \.\.\., \.\.\.\) = 5\n\n\+0 +< 41002>8080 S 0:0\(0\)/,
    );
  });

  it('reads a reset final ACK as an overflow with tcp_abort_on_overflow=1', async () => {
    const t = new Trace();
    const [a, b, c] = [connection(41000, 1000, 500_000), connection(41001, 2000, 600_000), connection(41002, 3000, 700_000)];
    t.add(0, a.c, a.s, { flags: S, win: 65535, options: MSS });
    t.add(100, a.s, a.c, { flags: S | A, ack: a.c.seq, win: 64240, options: MSS });
    t.add(10_000, a.c, a.s, { flags: A, ack: a.s.seq, win: 65535 });
    t.add(11_000, b.c, b.s, { flags: S, win: 65535, options: MSS });
    t.add(11_100, b.s, b.c, { flags: S | A, ack: b.c.seq, win: 64240, options: MSS });
    t.add(12_000, c.c, c.s, { flags: S, win: 65535, options: MSS });
    t.add(12_100, c.s, c.c, { flags: S | A, ack: c.c.seq, win: 64240, options: MSS });
    t.add(20_000, b.c, b.s, { flags: A, ack: b.s.seq, win: 65535 });
    t.add(30_000, c.c, c.s, { flags: A, ack: c.s.seq, win: 65535 });
    t.add(30_100, c.s, c.c, { flags: R, win: 0 });
    const out = unwrap(await convert(t.pcap(), { init: './defaults.sh; sysctl -q net.ipv4.tcp_abort_on_overflow=1' }));
    expect(out.warnings).toEqual([]);
    expect(out.script).toContain('listen(3, 1) = 0');
    expect(out.script).toContain('//   packet 9: the final ACK from port 41002 was answered with a reset: the accept queue was full with 2 connections waiting for accept()');
    expect(out.script).toMatch(/> 8080>41002 R 1:1\(0\) win 0\n\+0 +accept\(3, \.\.\., \.\.\.\) = 4\n\+0 +accept\(3, \.\.\., \.\.\.\) = 5\n$/);
    expect(unwrap(await convert(t.pcap())).warnings).toEqual([
      'the kernel reset a final ACK when its accept queue was full: the init command must set net.ipv4.tcp_abort_on_overflow=1',
    ]);
  });

  it('gives a remote port a second connection uses again a port of its own', async () => {
    const t = new Trace();
    const a = connection(41000, 1000, 500_000, '10.0.0.2');
    const b = connection(41000, 2000, 600_000, '10.0.0.3');
    t.add(0, a.c, a.s, { flags: S, win: 65535, options: MSS });
    t.add(100, a.s, a.c, { flags: S | A, ack: a.c.seq, win: 64240, options: MSS });
    t.add(200, b.c, b.s, { flags: S, win: 65535, options: MSS });
    t.add(300, b.s, b.c, { flags: S | A, ack: b.c.seq, win: 64240, options: MSS });
    t.add(10_000, a.c, a.s, { flags: A, ack: a.s.seq, win: 65535 });
    t.add(10_100, b.c, b.s, { flags: A, ack: b.s.seq, win: 65535 });
    const out = unwrap(await convert(t.pcap()));
    unwrap(parseScript(out.script, 'x.pkt'));
    expect(out.warnings).toEqual(["flow 2: remote port 41000 is also another flow's; the script uses 41001"]);
    expect(out.script).toContain('//   the kernel under test (>) is 10.0.0.1:8080, a listener; the tool (<) plays 10.0.0.2 and 10.0.0.3 from one address, one flow per remote port');
    expect(out.script).toContain('//   flow 2: 10.0.0.3:41000 > 10.0.0.1:8080 as port 41001, 3 packets, accept() = 5');
    expect(out.script).toContain('> 8080>41001 S. 0:0(0) ack 1 win 64240 <mss 1460>');
  });

  it('accepts early when the application writes on a connection, and says when that contradicts an overflow', async () => {
    // The server answers on the first connection before the overflow: it must have accepted it,
    // and then the accept queue (backlog 1) could not have been full.
    const t = new Trace();
    const [a, b, c] = [connection(41000, 1000, 500_000), connection(41001, 2000, 600_000), connection(41002, 3000, 700_000)];
    t.add(0, a.c, a.s, { flags: S, win: 65535, options: MSS });
    t.add(300, b.c, b.s, { flags: S, win: 65535, options: MSS });
    t.add(1_000, a.s, a.c, { flags: S | A, ack: a.c.seq, win: 64240, options: MSS });
    t.add(2_000, b.s, b.c, { flags: S | A, ack: b.c.seq, win: 64240, options: MSS });
    t.add(12_000, a.c, a.s, { flags: A, ack: a.s.seq, win: 65535 });
    t.add(12_500, c.c, c.s, { flags: S, win: 65535, options: MSS });
    t.add(12_700, c.s, c.c, { flags: S | A, ack: c.c.seq, win: 64240, options: MSS });
    t.add(23_000, b.c, b.s, { flags: A, ack: b.s.seq, win: 65535 });
    t.add(30_000, a.s, a.c, { flags: P | A, len: 10, ack: a.c.seq, win: 64240 });
    t.add(46_000, c.c, c.s, { flags: A, ack: c.s.seq, win: 65535 });
    t.add(1_012_700, c.s, c.c, { flags: S | A, ack: c.c.seq, win: 64240, options: MSS, seq: 700_000 });
    const out = unwrap(await convert(t.pcap()));
    expect(out.script).toMatch(/< 41001>8080 \. 1:1\(0\) ack 1 win 65535\n\+0\.007 +accept\(3, \.\.\., \.\.\.\) = 4\n\n\+0 +write\(4, \.\.\., 10\) = 10\n/);
    expect(out.warnings).toEqual([
      'with listen backlog 1 and these accept() calls, Linux would not do what the trace shows: ' +
        'packet 9: the application uses the connection from port 41000, so it had accepted it, but the overflow at packet 10 needs it still waiting; ' +
        'packet 10: the final ACK from port 41002 was dropped (its SYN-ACK came again) with only 1 connection waiting for accept(): the accept queue was not full',
    ]);
  });
});

describe('live: a listener trace with several flows, converted, passes on the kernel', () => {
  const DEFAULTS = path.join(ROOT, 'scripts-tcp', 'defaults.sh');
  for (const [name, source] of [
    ['accept-queue-full-ack-dropped', path.join(ROOT, 'scripts-tcp', 'accept-queue-full-ack-dropped.pkt')],
    ['two-connections', path.join(FIXTURES, 'two-connections.pkt')],
  ] as const) {
    it(`${name}.pkt → --pcap → pcap2pkt (all flows) → run, and replay of the trace`, async (ctx) => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pktdrill-pcap2pkt-'));
      try {
        const capture = path.join(dir, `${name}.pcap`);
        const first = await runScriptFile(source, { pcap: capture });
        if (first.status === 'error') ctx.skip(); // no namespaces here
        expect(first.status).toBe('pass');
        const out = unwrap(await pcapFileToPkt(capture, { init: DEFAULTS }));
        expect(out.warnings).toEqual([]);
        expect(out.script).toMatch(/> 8080>41001 S\. /);
        const file = path.join(dir, `${name}.converted.pkt`);
        fs.writeFileSync(file, out.script);
        const again = await runScriptFile(file);
        expect(again.status, `${out.script}\n${JSON.stringify(again.verdict?.failures ?? again.error)}`).toBe('pass');
        const replay = await replayTrace(capture, { init: DEFAULTS });
        expect(replay.error).toBeUndefined();
        expect(replay.result!.status, replay.messages.join('\n')).toBe('pass');
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});

describe('replay in parts', () => {
  const DEFAULTS = path.join(ROOT, 'scripts-tcp', 'defaults.sh');
  it('cuts a listener\'s connections where none is open, one script each, and each part replays', async (ctx) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pktdrill-parts-'));
    try {
      const capture = path.join(dir, 'three.pcap');
      const first = await runScriptFile(path.join(FIXTURES, 'three-in-turn.pkt'), { pcap: capture });
      if (first.status === 'error') ctx.skip(); // no namespaces here
      expect(first.status, JSON.stringify(first.verdict?.failures)).toBe('pass');
      const parts = unwrap(await pcapFileToPktParts(capture, { init: DEFAULTS }, 1));
      expect(parts.count).toBe(3);
      expect([0, 1, 2].map((k) => parts.describe(k))).toEqual(['flows 1 (packets 1-8)', 'flows 2 (packets 9-16)', 'flows 3 (packets 17-24)']);
      const second = parts.script(1);
      expect(second.script).toMatch(/^0 +socket\(/m);
      expect(second.script).toMatch(/< 41001>8080 S 0:0\(0\)/);
      expect(second.script).not.toMatch(/41000|41002/);
      expect([...second.packetOfLine.values()]).toEqual([9, 10, 11, 12, 13, 14, 15, 16]);
      // All in one part when the parts may be as large as the trace: pcap2pkt's script.
      const whole = unwrap(await pcapFileToPktParts(capture, { init: DEFAULTS }, 1000));
      expect(whole.count).toBe(1);
      expect(whole.script(0).script).toBe(unwrap(await pcapFileToPkt(capture, { init: DEFAULTS })).script);
      const replay = await replayTrace(capture, { init: DEFAULTS, partPackets: 1 });
      expect(replay.error).toBeUndefined();
      expect(replay.result!.status, replay.messages.join('\n')).toBe('pass');
      expect(replay.parts).toEqual({ count: 3, ran: 3 });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('says in one line what to do when a script is larger than a run reads and cannot be cut', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pktdrill-parts-'));
    try {
      // The two connections overlap: no moment free of open connections to cut at.
      const file = path.join(dir, 'two.pcap');
      fs.writeFileSync(file, twoConnectionsTrace().pcap());
      const whole = Buffer.byteLength(unwrap(await pcapFileToPkt(file)).script);
      const r = await replayTrace(file, { maxScriptBytes: 200, partPackets: 1 });
      expect(r.error).toBe(
        `${file}: too big to replay: its 2 connections to 10.0.0.1:8080 make one script of ${whole} bytes (a script may have 200 bytes), ` +
          'and there is no moment free of open connections to cut it into parts at; replay one connection with --flow N or --port P',
      );
      const one = Buffer.byteLength(unwrap(await pcapFileToPkt(file, { flow: 1 })).script);
      expect((await replayTrace(file, { flow: 1, maxScriptBytes: 200 })).error).toBe(
        `${file}: too big to replay: flow 1 makes a script of ${one} bytes (a script may have 200 bytes); replay a shorter piece of the trace (editcap -r TRACE PIECE.pcap 1-N)`,
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
