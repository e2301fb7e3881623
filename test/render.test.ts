import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { RunConfig } from '../src/engine/config.js';
import { Flows } from '../src/engine/flow.js';
import { applyOption, finishConfig, newConfig } from '../src/engine/options.js';
import { decodeFrame } from '../src/packet/frame.js';
import * as tcp from '../src/packet/tcp.js';
import { decodePcap } from '../src/pcap/read.js';
import { RENDER_ANCHOR, RENDER_LOCAL_ISN, renderScript, renderScriptToPcap } from '../src/tools/render.js';
import { KERNEL_MAC, WIRE_MAC } from '../src/sandbox/network.js';
import { parseScript } from '../src/script/parse.js';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const SCRIPTS = path.join(ROOT, 'scripts-tcp');

const unwrap = <T>(r: { ok: true; value: T } | { ok: false; error: unknown }): T => {
  if (!r.ok) throw new Error(typeof r.error === 'string' ? r.error : JSON.stringify(r.error));
  return r.value;
};

/** A config with the script's option lines applied, as the runner makes it (seed kept as given). */
function configFor(source: string, seed = 0): RunConfig {
  const cfg = newConfig();
  cfg.seed = seed;
  const explicit = new Set<string>();
  for (const o of unwrap(parseScript(source, 'x.pkt')).options) expect(applyOption(cfg, o.name, o.value, explicit)).toBeNull();
  return finishConfig(cfg, explicit);
}

function render(source: string, seed = 0) {
  const script = unwrap(parseScript(source, 'x.pkt'));
  return renderScript(script, configFor(source, seed), { file: 'x.pkt' });
}

interface Seen {
  timeUs: number;
  src: string;
  dst: string;
  srcMac: string;
  sport: number;
  dport: number;
  seq: number;
  ack: number;
  flags: number;
  win: number;
  len: number;
  options: unknown[];
  checksumOk: boolean;
}

function decodeAll(records: Array<{ frame: Uint8Array; timeNs: bigint }>): Seen[] {
  return records.map((r) => {
    const d = unwrap(decodeFrame(r.frame));
    if (d.kind !== 'ip' || d.l4.proto !== 'tcp') throw new Error('not TCP');
    const t = d.l4.tcp;
    return {
      timeUs: Number(r.timeNs / 1000n),
      src: d.ip.src,
      dst: d.ip.dst,
      srcMac: d.eth.src,
      sport: t.srcPort,
      dport: t.dstPort,
      seq: t.seq,
      ack: t.ack,
      flags: t.flags,
      win: t.window,
      len: t.payload.length,
      options: t.options,
      checksumOk: d.l4.checksumOk,
    };
  });
}

describe('renderScript', () => {
  it('renders scripts-tcp/passive-open.pkt: inbound as a run injects it, outbound with local ISN 0', () => {
    const source = fs.readFileSync(path.join(SCRIPTS, 'passive-open.pkt'), 'utf8');
    const out = unwrap(render(source));
    expect(out.warnings).toEqual([]);
    const seen = decodeAll(out.records);
    // The remote ISN a run with seed 0 would pick for the default flow.
    const isn = new Flows({ bindPort: 8080, connectPort: 8080, defaultRemotePort: 40000 }, 0).forInbound(null).remoteIsn;
    expect(seen.map((s) => [s.timeUs, s.srcMac === WIRE_MAC ? '<' : '>', s.flags, s.seq, s.ack, s.win, s.len])).toEqual([
      [0, '<', tcp.SYN, isn, 0, 65535, 0],
      [0, '>', tcp.SYN | tcp.ACK, RENDER_LOCAL_ISN, isn + 1, 0, 0],
      [10_000, '<', tcp.ACK, isn + 1, 1, 514, 0],
      [20_000, '<', tcp.PSH | tcp.ACK, isn + 1, 1, 514, 100],
      [20_000, '>', tcp.ACK, 1, isn + 101, 502, 0],
      [20_000, '>', tcp.PSH | tcp.ACK, 1, isn + 101, 502, 200],
      [30_000, '<', tcp.ACK, isn + 101, 201, 514, 0],
      [30_000, '<', tcp.FIN | tcp.ACK, isn + 101, 201, 514, 0],
      [30_000, '>', tcp.FIN | tcp.ACK, 201, isn + 102, 0, 0],
      [40_000, '<', tcp.ACK, isn + 102, 202, 514, 0],
    ]);
    for (const s of seen) {
      expect(s.checksumOk).toBe(true);
      const inbound = s.srcMac === WIRE_MAC;
      expect([s.src, s.dst]).toEqual(inbound ? ['192.0.2.1', '192.168.0.1'] : ['192.168.0.1', '192.0.2.1']);
      expect([s.sport, s.dport]).toEqual(inbound ? [40000, 8080] : [8080, 40000]);
    }
    expect(seen[0]!.options).toEqual([{ kind: 'mss', value: 1460 }, { kind: 'sackOK' }, { kind: 'nop' }, { kind: 'nop' }, { kind: 'nop' }, { kind: 'wscale', value: 7 }]);
    expect(seen[1]!.options).toEqual([{ kind: 'mss', value: 1460 }, { kind: 'nop' }, { kind: 'nop' }, { kind: 'sackOK' }, { kind: 'nop' }, { kind: 'wscale', value: 7 }]);
  });

  it('gives the same bytes for the same script and config, other ISNs for another seed', () => {
    const source = fs.readFileSync(path.join(SCRIPTS, 'passive-open.pkt'), 'utf8');
    const script = unwrap(parseScript(source, 'x.pkt'));
    const a = unwrap(renderScriptToPcap(script, configFor(source), {}));
    const b = unwrap(renderScriptToPcap(script, configFor(source), {}));
    expect(Buffer.compare(a.pcap, b.pcap)).toBe(0);
    const c = unwrap(renderScriptToPcap(script, configFor(source, 7), {}));
    expect(Buffer.compare(a.pcap, c.pcap)).not.toBe(0);
  });

  it('places events on the script\'s own clock: relative, absolute, *, ranges and blocking calls', () => {
    const out = unwrap(
      render(`
0    socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0.5 bind(3, ..., ...) = 0
+0...2 connect(3, ..., ...) = 0
+0.25 > S 0:0(0) <...>
*    < S. 0:0(0) ack 1 win 1000
3    > . 1:1(0) ack 1
+1~+2 < . 1:1(0) ack 1 win 1000
\`true\`
4.5~5 > F. 1:1(0) ack 1
+0.000001 < . 1:1(0) ack 2 win 1000
`),
    );
    const seen = decodeAll(out.records);
    expect(seen.map((s) => s.timeUs)).toEqual([750_000, 750_000, 3_000_000, 4_000_000, 4_500_000, 4_500_001]);
  });

  it('renders an active open from the ephemeral port to the connect port, TS ecr mapped from outbound TS vals', () => {
    const source = fs.readFileSync(path.join(SCRIPTS, 'active-open-nonblocking.pkt'), 'utf8');
    const out = unwrap(render(source));
    const seen = decodeAll(out.records);
    expect(seen.map((s) => [s.srcMac === KERNEL_MAC ? '>' : '<', s.sport, s.dport])).toEqual([
      ['>', 40000, 8080],
      ['<', 8080, 40000],
      ['>', 40000, 8080],
      ['>', 40000, 8080],
      ['<', 8080, 40000],
    ]);
    expect(seen[1]!.options).toContainEqual({ kind: 'timestamp', val: 700, ecr: 100 });
    expect(seen[4]!.options).toContainEqual({ kind: 'timestamp', val: 710, ecr: 120 });
    expect(seen[3]!.seq).toBe(1);
  });

  it('renders explicit ports as separate flows, and IPv6 with the configured addresses', () => {
    const out = unwrap(
      render(`--ip_version=ipv6
0 < 40001>8080 S 0:0(0) win 1000
+0 < 40002>8080 S 0:0(0) win 1000
+0 > 8080>40002 S. 0:0(0) ack 1 <...>
`),
    );
    const seen = decodeAll(out.records);
    expect(seen.map((s) => [s.src, s.sport, s.dport])).toEqual([
      ['fd3d:a0b:17d6::1', 40001, 8080],
      ['fd3d:a0b:17d6::1', 40002, 8080],
      ['fd3d:fa7b:d17d::1', 8080, 40002],
    ]);
    expect(seen[2]!.ack).toBe((seen[1]!.seq + 1) >>> 0);
    expect(seen[0]!.seq).not.toBe(seen[1]!.seq);
  });

  it('renders a flood as one packet per port of the range, at the same time', () => {
    const out = unwrap(
      render(`0 < 41000..41002>8080 S 0:0(0) win 1000
+0.1 > 8080>41000..41002 S. 0:0(0) ack 1 <...>
`),
    );
    const seen = decodeAll(out.records);
    expect(seen.map((s) => [s.timeUs, s.sport, s.dport])).toEqual([
      [0, 41000, 8080],
      [0, 41001, 8080],
      [0, 41002, 8080],
      [100_000, 8080, 41000],
      [100_000, 8080, 41001],
      [100_000, 8080, 41002],
    ]);
    for (let i = 0; i < 3; i++) expect(seen[i + 3]!.ack).toBe((seen[i]!.seq + 1) >>> 0);
  });

  it('warns about what it cannot render or a run would refuse, and fails with FILE:LINE on a bad packet', () => {
    const out = unwrap(
      render(`0 < S 0:0(0) win 1000 <TS val 1 ecr 0>
+0 > S. 0:0(0) ack 1 <TS val 50 ecr 1>
+0 < . 1:1(0) ack 1 win 1000 <TS val 2 ecr 51>
+0 < udp (100)
`),
    );
    expect(out.warnings).toEqual([
      'x.pkt:3: TS ecr 51 echoes no earlier outbound TS val (a run would refuse this packet); rendered as written',
      'x.pkt:4: udp packets are not rendered',
    ]);
    expect(out.records).toHaveLength(3);
    expect(decodeAll(out.records)[2]!.options).toContainEqual({ kind: 'timestamp', val: 2, ecr: 51 });

    expect(render('0 < S 0:0(0)\n')).toEqual({ ok: false, error: 'x.pkt:1: error rendering packet: window must be specified for inbound packets' });
  });

  it('stamps records from 2000-01-01 UTC', async () => {
    const source = fs.readFileSync(path.join(SCRIPTS, 'synack-retransmit.pkt'), 'utf8');
    const script = unwrap(parseScript(source, 'x.pkt'));
    const { pcap } = unwrap(renderScriptToPcap(script, configFor(source)));
    const trace = unwrap(await decodePcap(pcap));
    expect(trace.records.map((r) => r.timeUsecs - RENDER_ANCHOR.wallUsecs)).toEqual([0, 0, 1_000_000, 3_000_000, 7_500_000, 7_500_000]);
    expect(new Date(trace.records[0]!.timeUsecs / 1000).toISOString()).toBe('2000-01-01T00:00:00.000Z');
  });
});

function hasTshark(): boolean {
  return spawnSync('tshark', ['--version'], { stdio: 'ignore' }).status === 0;
}

describe.skipIf(!hasTshark())('rendered pcaps and tshark', () => {
  const scripts = fs.readdirSync(SCRIPTS).filter((f) => f.endsWith('.pkt'));
  for (const name of scripts) {
    it(`tshark reads the render of scripts-tcp/${name} without malformed packets or bad checksums`, () => {
      const source = fs.readFileSync(path.join(SCRIPTS, name), 'utf8');
      const script = unwrap(parseScript(source, name));
      const { pcap } = unwrap(renderScriptToPcap(script, configFor(source), { file: name }));
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pktdrill-render-'));
      try {
        const file = path.join(dir, 'x.pcap');
        fs.writeFileSync(file, pcap);
        const env = { ...process.env, HOME: dir };
        // `-V` of syn-flood-1000's 2 000 frames is 12 MB: past spawnSync's 1 MB, tshark's stdout is closed and it exits 2.
        const maxBuffer = 256 * 1024 * 1024;
        const checks = ['-o', 'ip.check_checksum:TRUE', '-o', 'tcp.check_checksum:TRUE'];
        const v = spawnSync('tshark', ['-r', file, '-V', ...checks], { encoding: 'utf8', env, maxBuffer });
        expect(v.status, v.stderr).toBe(0);
        expect(v.stdout).not.toMatch(/malformed|checksum status: bad/i);
        const expert = spawnSync('tshark', ['-r', file, '-q', '-z', 'expert', ...checks], { encoding: 'utf8', env, maxBuffer });
        expect(expert.status, expert.stderr).toBe(0);
        expect(expert.stdout).not.toMatch(/Malformed|Checksum|^Errors/im);
        const count = spawnSync('tshark', ['-r', file, '-T', 'fields', '-e', 'frame.number'], { encoding: 'utf8', env, maxBuffer });
        // One record per packet, and per port of a flood's range.
        const expected = script.events.reduce((n, e) => {
          if (e.kind !== 'packet' || e.packet.kind !== 'tcp') return n;
          const ports = e.packet.ports;
          const range = !ports ? 0 : e.packet.direction === 'inbound' ? (ports.srcEnd ?? ports.src) - ports.src : (ports.dstEnd ?? ports.dst) - ports.dst;
          return n + 1 + range;
        }, 0);
        expect(count.stdout.trim().split('\n').filter(Boolean)).toHaveLength(expected);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
