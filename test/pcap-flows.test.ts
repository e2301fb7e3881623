// The streaming flow split: the same flows and segments as the whole-trace
// split gave before it (fixtures/flows/split-before.json was written by that
// split, on the repository's pcaps and a trace of the hard cases), only the
// chosen flows' segments kept, and nothing kept that holds on to a frame.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FLOW_LINK_TYPES, FlowSplitter, readFlows, splitFlows, type TraceFlows } from '../src/pcap/flows.js';
import { pcapFileToPkt, pcapToPkt } from '../src/tools/pcap2pkt.js';
import { readPcap, scanPcap, scanPcapBytes, type PcapRecord } from '../src/pcap/read.js';
import type { TcpOption } from '../src/packet/tcp-options.js';

const BEFORE = JSON.parse(readFileSync('test/fixtures/flows/split-before.json', 'utf8')) as Record<string, unknown>;
const TRACES = Object.keys(BEFORE);
const MIXED = 'test/fixtures/flows/mixed.pcap';

const unwrap = <T>(r: { ok: true; value: T } | { ok: false; error: string }): T => {
  if (!r.ok) throw new Error(r.error);
  return r.value;
};

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

function optionShape(o: TcpOption): unknown {
  switch (o.kind) {
    case 'fastopen':
      return { ...o, cookie: hex(o.cookie) };
    case 'md5':
      return { ...o, digest: hex(o.digest) };
    case 'unknown':
      return { ...o, data: hex(o.data) };
    default:
      return o;
  }
}

/** The split as the golden file has it. */
function shape(s: TraceFlows): unknown {
  return {
    packets: s.packets,
    skipped: [...s.skipped],
    flows: s.flows.map((f) => ({
      number: f.number,
      ipVersion: f.ipVersion,
      a: f.a,
      b: f.b,
      opener: f.opener,
      openerSeen: f.openerSeen,
      segments: f.segments.toArray().map((g) => [
        g.packet,
        g.timeUsecs,
        g.fromA,
        g.tos,
        g.ttl,
        g.tcp.seq,
        g.tcp.ack,
        g.tcp.flags,
        g.tcp.window,
        g.tcp.urgentPointer,
        g.tcp.options.map(optionShape),
        g.payloadLength,
      ]),
    })),
  };
}

describe('streaming flow split', () => {
  for (const file of TRACES) {
    it(`gives the flows and segments the whole-trace split gave: ${file}`, async () => {
      const streamed = unwrap(await readFlows(file));
      expect(shape(streamed)).toEqual(BEFORE[file]);
      for (const f of streamed.flows) {
        expect(f.kept).toBe(true);
        expect(f.packets).toBe(f.segments.length);
      }
      // The in-memory split is the same splitter over kept records.
      const whole = unwrap(splitFlows(unwrap(await readPcap(file, { linkTypes: FLOW_LINK_TYPES })), file));
      expect(shape(whole)).toEqual(BEFORE[file]);
    });
  }

  it('keeps the segments of the flows asked for only, and every flow\'s count and endpoints', async () => {
    const all = unwrap(await readFlows(MIXED));
    const asked: number[] = [];
    const some = unwrap(
      await readFlows(MIXED, {
        keep: (f) => {
          asked.push(f.number);
          return f.number === 2;
        },
      }),
    );
    expect(asked).toEqual(all.flows.map((f) => f.number));
    expect(some.flows.map((f) => [f.number, f.kept, f.segments.length, f.packets])).toEqual(
      all.flows.map((f) => [f.number, f.number === 2, f.number === 2 ? f.packets : 0, f.packets]),
    );
    expect(some.flows.map(({ segments: _s, kept: _k, ...rest }) => rest)).toEqual(all.flows.map(({ segments: _s, kept: _k, ...rest }) => rest));
    expect(some.flows[1]!.segments.toArray()).toEqual(all.flows[1]!.segments.toArray());
  });

  it('keeps no frame bytes: option bytes are copies of their own', async () => {
    const s = unwrap(await readFlows(MIXED));
    const arrays = s.flows
      .flatMap((f) => f.segments.toArray())
      .flatMap((g) => g.tcp.options)
      .flatMap((o) => (o.kind === 'fastopen' ? [o.cookie] : o.kind === 'md5' ? [o.digest] : o.kind === 'unknown' ? [o.data] : []));
    expect(arrays.length).toBe(3);
    for (const a of arrays) expect(a.buffer.byteLength).toBe(a.length);
    for (const g of s.flows.flatMap((f) => f.segments.toArray())) {
      expect(Object.keys(g.tcp).sort()).toEqual(['ack', 'flags', 'options', 'seq', 'urgentPointer', 'window']);
    }
  });

  it('takes records one at a time from a reader that reuses its buffer', async () => {
    const records: PcapRecord[] = [];
    const whole = unwrap(await readPcap(MIXED));
    let splitter: FlowSplitter | null = null;
    const scan = unwrap(
      await scanPcap(MIXED, {}, (h) => {
        const s = new FlowSplitter(h.linkType);
        splitter = s;
        return (r) => {
          records.push({ ...r, frame: new Uint8Array(r.frame) });
          s.add(r);
          r.frame.fill(0xee); // what a reused buffer would do to a kept view
        };
      }),
    );
    expect(scan.packets).toBe(whole.records.length);
    expect(records).toEqual(whole.records);
    expect(shape(splitter!.result())).toEqual(BEFORE[MIXED]);
  });

  it('scans a pcap held in memory as one read from a file', async () => {
    const bytes = readFileSync(MIXED);
    const seen: number[] = [];
    const scan = unwrap(await scanPcapBytes(bytes, 'm.pcap', {}, () => (r) => void seen.push(r.index)));
    expect(seen).toEqual(unwrap(await readPcap(MIXED)).records.map((r) => r.index));
    expect(scan.warnings).toEqual([]);
    expect(unwrap(await scanPcapBytes(bytes.subarray(0, bytes.length - 3), 'm.pcap', {}, () => () => undefined)).warnings).toEqual([
      expect.stringMatching(/^m\.pcap: truncated record 21 \(expected \d+ bytes, file has \d+\); skipped$/),
    ]);
  });
});

describe('pcap2pkt from a file, split as it is read', () => {
  const cases: Array<[string, Parameters<typeof pcapFileToPkt>[1]]> = [
    ['pcaps/accept-queue-overflow.pcap', {}],
    ['pcaps/accept-queue-overflow.pcap', { flow: 2 }],
    ['pcaps/accept-queue-overflow.pcap', { flow: 2, allFlows: true }],
    ['pcaps/passive-open.pcap', { port: 8080 }],
    ['pcaps/syn-retransmit.pcap', { localIs: 'opener' }],
    [MIXED, {}],
    [MIXED, { flow: 3 }],
    [MIXED, { port: 443 }],
    [MIXED, { allFlows: false }],
  ];
  // Written by the conversion before the split streamed (from the whole trace in memory).
  const scriptsBefore = JSON.parse(readFileSync('test/fixtures/flows/scripts-before.json', 'utf8')) as Record<string, { script: string; warnings: string[] }>;
  for (const [file, opts] of cases) {
    it(`is the script the whole trace in memory gives, and gave before: ${file} ${JSON.stringify(opts)}`, async () => {
      const streamed = unwrap(await pcapFileToPkt(file, opts));
      expect({ script: streamed.script, warnings: streamed.warnings }).toEqual(scriptsBefore[`${file} ${JSON.stringify(opts)}`]);
      const whole = unwrap(pcapToPkt(unwrap(await readPcap(file, { linkTypes: FLOW_LINK_TYPES })), { source: file, ...opts }));
      expect(streamed.script).toBe(whole.script);
      expect(streamed.warnings).toEqual(whole.warnings);
      expect([...streamed.packetOfLine]).toEqual([...whole.packetOfLine]);
    });
  }

  it('says which flows there are without their segments', async () => {
    expect(await pcapFileToPkt(MIXED, { flow: 9 })).toEqual({ ok: false, error: `${MIXED}: no flow 9 (the trace has 4 TCP flows)` });
    expect(await pcapFileToPkt(MIXED, { flow: 2, port: 80 })).toEqual({
      ok: false,
      error: `${MIXED}: flow 2 is not on port 80 ([fd00::2]:41000 > [fd00::1]:8080)`,
    });
  });
});
