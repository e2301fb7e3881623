import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  PcapWriter,
  decodePcap,
  encodePcap,
  linkTypeName,
  readPcap,
  type PcapTrace,
  type WallClockAnchor,
} from '../src/pcap/index.js';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'pcap');

// ---------------------------------------------------------------- frames by hand

function sum16(bytes: Uint8Array, start = 0): number {
  let s = start;
  for (let i = 0; i < bytes.length; i += 2) s += (bytes[i]! << 8) | (bytes[i + 1] ?? 0);
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return s;
}
const checksum = (bytes: Uint8Array, start = 0) => ~sum16(bytes, start) & 0xffff;

/** Ethernet / IPv4 192.0.2.1 → 192.168.0.1 / TCP SYN with <mss 1460>, valid checksums. */
function synFrame(srcPort: number, seq: number, payload: Uint8Array = new Uint8Array(0)): Uint8Array {
  const eth = [0x02, 0, 0, 0, 0, 0x01, 0x02, 0, 0, 0, 0, 0x02, 0x08, 0x00];
  const tcp = new Uint8Array(24 + payload.length);
  const dv = new DataView(tcp.buffer);
  dv.setUint16(0, srcPort);
  dv.setUint16(2, 8080);
  dv.setUint32(4, seq);
  dv.setUint32(8, 0);
  tcp[12] = 6 << 4; // data offset 6 words
  tcp[13] = 0x02; // SYN
  dv.setUint16(14, 65535);
  tcp.set([2, 4, 0x05, 0xb4], 20); // mss 1460
  tcp.set(payload, 24);
  const src = [192, 0, 2, 1];
  const dst = [192, 168, 0, 1];
  const pseudo = new Uint8Array([...src, ...dst, 0, 6, tcp.length >> 8, tcp.length & 0xff]);
  dv.setUint16(16, checksum(tcp, sum16(pseudo)));
  const ip = new Uint8Array(20);
  const iv = new DataView(ip.buffer);
  ip[0] = 0x45;
  iv.setUint16(2, 20 + tcp.length);
  iv.setUint16(4, 1); // id
  iv.setUint16(6, 0x4000); // DF
  ip[8] = 64;
  ip[9] = 6;
  ip.set(src, 12);
  ip.set(dst, 16);
  iv.setUint16(10, checksum(ip));
  return new Uint8Array([...eth, ...ip, ...tcp]);
}

// 2023-11-14T22:13:20Z, paired with monotonic 5 s.
const ANCHOR: WallClockAnchor = { monotonicNs: 5_000_000_000n, wallUsecs: 1_700_000_000_000_000 };
const FRAMES = [synFrame(40001, 1000), synFrame(40002, 2000), synFrame(40003, 3000, new Uint8Array([1, 2, 3, 4]))];
const TIMES_NS = [5_000_000_000n, 5_000_123_456n, 6_250_000_999n];
const RECORDS = FRAMES.map((frame, i) => ({ frame, timeNs: TIMES_NS[i]! }));
const EXPECTED_USECS = [1_700_000_000_000_000, 1_700_000_000_000_123, 1_700_000_001_250_000];

// ---------------------------------------------------------------- helpers

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pktdrill-pcap-'));
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});
const tmp = (name: string) => path.join(dir, name);

function expectOk<T>(r: { ok: true; value: T } | { ok: false; error: string }): T {
  if (!r.ok) throw new Error(`expected ok, got error: ${r.error}`);
  return r.value;
}
function expectError(r: { ok: true; value: unknown } | { ok: false; error: string }): string {
  if (r.ok) throw new Error('expected an error, got a trace');
  expect(r.error).not.toContain('\n');
  return r.error;
}

function hasTool(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`]).status === 0;
}
const HAS_TSHARK = hasTool('tshark');
const HAS_TEXT2PCAP = hasTool('text2pcap');

/** Runs a Wireshark tool; stderr without the warning every Wireshark tool prints when run as root. */
function run(cmd: string, args: string[], input?: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', input, env: { ...process.env, TZ: 'UTC' } });
  const stderr = r.stderr
    .split('\n')
    .filter((l) => l !== '' && !/^Running as user "root" and group "root"\. This could be dangerous\.$/.test(l))
    .join('\n');
  return { status: r.status, stdout: r.stdout, stderr };
}

/** A copy of a little-endian classic pcap with every header field byte-swapped. */
function toBigEndian(le: Uint8Array): Buffer {
  const b = Buffer.from(le);
  const swap32 = (o: number) => b.writeUInt32BE(b.readUInt32LE(o), o);
  const swap16 = (o: number) => b.writeUInt16BE(b.readUInt16LE(o), o);
  swap32(0);
  swap16(4);
  swap16(6);
  for (const o of [8, 12, 16, 20]) swap32(o);
  let off = 24;
  while (off + 16 <= b.length) {
    const capLen = b.readUInt32LE(off + 8);
    for (let k = 0; k < 16; k += 4) swap32(off + k);
    off += 16 + capLen;
  }
  return b;
}

function summary(t: PcapTrace) {
  return t.records.map((r) => ({ index: r.index, timeUsecs: r.timeUsecs, len: r.frame.length, origLen: r.origLen }));
}

// ---------------------------------------------------------------- writer

describe('pcap writer', () => {
  it('writes a classic little-endian microsecond global header for Ethernet', () => {
    const b = encodePcap([], { anchor: ANCHOR });
    expect(b.toString('hex')).toBe('d4c3b2a1' + '02000400' + '00000000' + '00000000' + '00000400' + '01000000');
  });

  it('maps monotonic times to wall-clock record headers (floored to µs)', () => {
    const b = encodePcap(RECORDS, { anchor: ANCHOR });
    let off = 24;
    const got: Array<[number, number, number, number]> = [];
    for (const f of FRAMES) {
      got.push([b.readUInt32LE(off), b.readUInt32LE(off + 4), b.readUInt32LE(off + 8), b.readUInt32LE(off + 12)]);
      expect(b.subarray(off + 16, off + 16 + f.length)).toEqual(Buffer.from(f));
      off += 16 + f.length;
    }
    expect(off).toBe(b.length);
    expect(got).toEqual([
      [1_700_000_000, 0, 58, 58],
      [1_700_000_000, 123, 58, 58],
      [1_700_000_001, 250_000, 62, 62],
    ]);
  });

  it('floors times before the anchor too, and writes nanoseconds on request', () => {
    const before = encodePcap([{ frame: FRAMES[0]!, timeNs: ANCHOR.monotonicNs - 1n }], { anchor: ANCHOR });
    expect([before.readUInt32LE(24), before.readUInt32LE(28)]).toEqual([1_699_999_999, 999_999]);
    const ns = encodePcap([{ frame: FRAMES[0]!, timeNs: 6_250_000_999n }], { anchor: ANCHOR, resolution: 'nsec' });
    expect(ns.readUInt32LE(0)).toBe(0xa1b23c4d);
    expect([ns.readUInt32LE(24), ns.readUInt32LE(28)]).toEqual([1_700_000_001, 250_000_999]);
  });

  it('keeps a fractional anchor exact past 2^53 ns', () => {
    const anchor = { monotonicNs: 0n, wallUsecs: 1_700_000_000_000_000.5 };
    const b = encodePcap([{ frame: FRAMES[0]!, timeNs: 1n }], { anchor, resolution: 'nsec' });
    expect([b.readUInt32LE(24), b.readUInt32LE(28)]).toEqual([1_700_000_000, 501]);
  });

  it('rejects times that pcap cannot hold', () => {
    expect(() => encodePcap([{ frame: FRAMES[0]!, timeNs: 0n }], { anchor: { monotonicNs: 1n, wallUsecs: 0 } })).toThrow(RangeError);
    expect(() => encodePcap([], { snaplen: 0 })).toThrow(RangeError);
  });

  it('cuts frames at the snaplen and keeps their original length', async () => {
    const b = encodePcap([{ frame: FRAMES[2]!, timeNs: TIMES_NS[0]! }], { anchor: ANCHOR, snaplen: 40 });
    const t = expectOk(await decodePcap(b));
    expect(t.snaplen).toBe(40);
    expect(summary(t)).toEqual([{ index: 1, timeUsecs: EXPECTED_USECS[0], len: 40, origLen: 62 }]);
    expect(t.records[0]!.frame).toEqual(FRAMES[2]!.subarray(0, 40));
  });

  it('PcapWriter writes the same bytes as encodePcap, header first, records on flush/close', () => {
    const f = tmp('writer.pcap');
    const w = new PcapWriter(f, { anchor: ANCHOR });
    expect(fs.readFileSync(f).length).toBe(24); // valid (empty) capture from the start
    const reused = new Uint8Array(FRAMES[0]!);
    w.write(reused, TIMES_NS[0]!);
    reused.fill(0); // the writer copied the frame
    w.write(FRAMES[1]!, TIMES_NS[1]!);
    w.flush();
    expect(fs.readFileSync(f).length).toBe(24 + 2 * (16 + 58));
    w.write(FRAMES[2]!, TIMES_NS[2]!);
    expect(w.count).toBe(3);
    w.close();
    w.close(); // idempotent
    expect(w.closed).toBe(true);
    expect(fs.readFileSync(f)).toEqual(encodePcap(RECORDS, { anchor: ANCHOR }));
    expect(() => w.write(FRAMES[0]!, 0n)).toThrow(/write after close/);
  });

  it('PcapWriter.open reports an unopenable path as a value', () => {
    const r = PcapWriter.open(path.join(dir, 'no', 'such', 'dir', 'x.pcap'));
    expect(expectError(r)).toMatch(/x\.pcap: ENOENT/);
  });

  it('anchors on the current time by default', async () => {
    const f = tmp('now.pcap');
    const w = new PcapWriter(f);
    w.write(FRAMES[0]!, process.hrtime.bigint());
    w.close();
    const t = expectOk(await readPcap(f));
    expect(Math.abs(t.records[0]!.timeUsecs - Date.now() * 1000)).toBeLessThan(2_000_000);
  });
});

// ---------------------------------------------------------------- reader

describe('pcap reader', () => {
  it('round-trips write → read', async () => {
    const f = tmp('roundtrip.pcap');
    const w = new PcapWriter(f, { anchor: ANCHOR });
    for (const r of RECORDS) w.write(r.frame, r.timeNs);
    w.close();
    const t = expectOk(await readPcap(f));
    expect(t.linkType).toBe(1);
    expect(t.resolution).toBe('usec');
    expect(t.snaplen).toBe(262144);
    expect(t.warnings).toEqual([]);
    expect(t.records.map((r) => r.index)).toEqual([1, 2, 3]);
    expect(t.records.map((r) => r.timeUsecs)).toEqual(EXPECTED_USECS);
    expect(t.records.map((r) => r.frame)).toEqual(FRAMES);
    expect(t.records.map((r) => r.origLen)).toEqual(FRAMES.map((fr) => fr.length));
  });

  it('reads nanosecond and big-endian files (which pcap-parser alone cannot / can)', async () => {
    const ns = encodePcap(RECORDS, { anchor: ANCHOR, resolution: 'nsec' });
    const tns = expectOk(await decodePcap(ns));
    expect(tns.resolution).toBe('nsec');
    expect(tns.records.map((r) => r.timeUsecs)).toEqual(EXPECTED_USECS);
    for (const le of [encodePcap(RECORDS, { anchor: ANCHOR }), ns]) {
      const be = toBigEndian(le);
      expect(be.readUInt32BE(0) === 0xa1b2c3d4 || be.readUInt32BE(0) === 0xa1b23c4d).toBe(true);
      const f = tmp('be.pcap');
      fs.writeFileSync(f, be);
      const t = expectOk(await readPcap(f));
      expect(t.records.map((r) => r.timeUsecs)).toEqual(EXPECTED_USECS);
      expect(t.records.map((r) => r.frame)).toEqual(FRAMES);
    }
  });

  it('readPcap and decodePcap agree', async () => {
    const f = path.join(FIXTURES, 'tcpdump-lo.pcap');
    expect(expectOk(await decodePcap(fs.readFileSync(f), f))).toEqual(expectOk(await readPcap(f)));
  });

  it('reads a real tcpdump capture (lo, microseconds)', async () => {
    const t = expectOk(await readPcap(path.join(FIXTURES, 'tcpdump-lo.pcap')));
    expect(t.linkType).toBe(1);
    expect(summary(t).map((r) => [r.index, r.timeUsecs, r.len])).toEqual([
      [1, 1795508291139928, 74],
      [2, 1795508291139941, 74],
      [3, 1795508291139956, 66],
      [4, 1795508291139996, 71],
      [5, 1795508291140002, 66],
      [6, 1795508291140017, 66],
    ]);
    const syn = t.records[0]!.frame;
    expect([syn[12], syn[13], syn[14 + 9], syn[14 + 20 + 13]]).toEqual([0x08, 0x00, 6, 0x02]); // IPv4, TCP, SYN
  });

  it('reads a real tcpdump nanosecond capture', async () => {
    const t = expectOk(await readPcap(path.join(FIXTURES, 'tcpdump-lo-nano.pcap')));
    expect(t.resolution).toBe('nsec');
    expect(t.records.map((r) => r.timeUsecs)).toEqual([
      1795508293245267, 1795508293245279, 1795508293245292, 1795508293245332, 1795508293245336, 1795508293245352,
    ]);
  });

  it('refuses non-Ethernet link types with their number and name', async () => {
    const any = path.join(FIXTURES, 'tcpdump-any.pcap');
    expect(expectError(await readPcap(any))).toBe(
      `${any}: link type 276 (LINUX_SLL2) is not supported: only 1 (ETHERNET)` +
        ' (captured on "any": capture on one interface instead, e.g. `tcpdump -i veth1`)',
    );
    expect(expectOk(await readPcap(any, { linkTypes: [276] })).records).toHaveLength(6);
    const raw = encodePcap([], { linkType: 101 });
    expect(expectError(await decodePcap(raw, 'raw.pcap'))).toBe('raw.pcap: link type 101 (RAW) is not supported: only 1 (ETHERNET)');
    expect(expectError(await decodePcap(encodePcap([], { linkType: 113 }), 's.pcap'))).toMatch(/^s\.pcap: link type 113 \(LINUX_SLL\) is not supported/);
    expect(expectError(await decodePcap(encodePcap([], { linkType: 4242 }), 'w.pcap'))).toMatch(/^w\.pcap: link type 4242 is not supported/);
    expect(linkTypeName(1)).toBe('ETHERNET');
  });

  it('says pcapng is not supported and how to convert', async () => {
    // Minimal pcapng: a section header block, little-endian, no options.
    const shb = Buffer.alloc(28);
    shb.writeUInt32LE(0x0a0d0d0a, 0);
    shb.writeUInt32LE(28, 4);
    shb.writeUInt32LE(0x1a2b3c4d, 8);
    shb.writeUInt16LE(1, 12);
    shb.writeUInt16LE(0, 14);
    shb.writeBigInt64LE(-1n, 16);
    shb.writeUInt32LE(28, 24);
    const f = tmp('min.pcapng');
    fs.writeFileSync(f, shb);
    expect(expectError(await readPcap(f))).toBe(
      `${f}: pcapng is not supported: convert with \`tshark -F pcap -r ${f} -w OUT.pcap\``,
    );
  });

  it('gives one-line errors for missing, directory, empty, short, garbage, bad version, corrupt files', async () => {
    const cases: Array<[string, Uint8Array | null, string]> = [
      ['missing.pcap', null, 'missing.pcap: no such file'],
      ['empty.pcap', new Uint8Array(0), 'empty.pcap: empty file (no pcap global header)'],
      ['short.pcap', encodePcap([]).subarray(0, 10), 'short.pcap: truncated global header (expected 24 bytes, file has 10)'],
      ['tiny.pcap', new Uint8Array([0xd4, 0xc3]), 'tiny.pcap: truncated global header (expected 24 bytes, file has 2)'],
      ['garbage.pcap', Buffer.from('GET / HTTP/1.1\r\nHost: example\r\n\r\n'), 'garbage.pcap: not a pcap file (magic 0x47455420)'],
    ];
    const v3 = encodePcap([]);
    v3.writeUInt16LE(3, 4);
    cases.push(['v3.pcap', v3, 'v3.pcap: unsupported pcap version 3.4 (expected 2.4)']);
    const corrupt = encodePcap(RECORDS, { anchor: ANCHOR });
    corrupt.writeUInt32LE(0xfffffff0, 24 + 16 + 58 + 8); // record 2 caplen
    cases.push(['corrupt.pcap', corrupt, 'corrupt.pcap: record 2 is corrupt (captured length 4294967280 > 262144)']);
    const kuz = encodePcap([]);
    kuz.writeUInt32LE(0xa1b2cd34, 0);
    cases.push(['kuz.pcap', kuz, 'kuz.pcap: modified (Kuznetzov) pcap is not supported: convert with `tshark -F pcap -r kuz.pcap -w OUT.pcap`']);

    const cwd = process.cwd();
    process.chdir(dir);
    try {
      for (const [name, bytes, message] of cases) {
        if (bytes !== null) fs.writeFileSync(name, bytes);
        expect(expectError(await readPcap(name))).toBe(message);
        if (bytes !== null) expect(expectError(await decodePcap(bytes, name))).toBe(message);
      }
      expect(expectError(await readPcap('.'))).toBe('.: is a directory');
    } finally {
      process.chdir(cwd);
    }
  });

  it('skips a truncated last record with a warning', async () => {
    const full = encodePcap(RECORDS, { anchor: ANCHOR });
    const third = 24 + 2 * (16 + 58);
    const midPacket = tmp('cut.pcap');
    fs.writeFileSync(midPacket, full.subarray(0, third + 16 + 30));
    const t = expectOk(await readPcap(midPacket));
    expect(t.records.map((r) => r.frame)).toEqual(FRAMES.slice(0, 2));
    expect(t.warnings).toEqual([`${midPacket}: truncated record 3 (expected 62 bytes, file has 30); skipped`]);

    const midHeader = expectOk(await decodePcap(full.subarray(0, third + 5), 'h.pcap'));
    expect(midHeader.records).toHaveLength(2);
    expect(midHeader.warnings).toEqual(['h.pcap: truncated record 3 header (expected 16 bytes, file has 5); skipped']);

    const headerOnly = expectOk(await decodePcap(full.subarray(0, third + 16), 'e.pcap'));
    expect(headerOnly.warnings).toEqual(['e.pcap: truncated record 3 (expected 62 bytes, file has 0); skipped']);
  });

  it('never throws or rejects: every prefix, and random corruption', async () => {
    const full = encodePcap(RECORDS, { anchor: ANCHOR, snaplen: 128 });
    for (let n = 0; n <= full.length; n++) {
      const r = await decodePcap(full.subarray(0, n), 'p.pcap');
      if (n < 24) expect(r.ok).toBe(false);
      // Cut inside its first record, a file is an error naming the cut, not an empty trace.
      else if (n > 24 && n < 24 + 74) expect(r).toEqual({ ok: false, error: expect.stringMatching(/^p\.pcap: truncated record 1 .*, at byte offset 24$/) });
      else expect(expectOk(r).records.length).toBe(n < 24 + 74 ? 0 : n < 24 + 148 ? 1 : n < full.length ? 2 : 3);
    }
    let seed = 0x2545f491;
    const rand = () => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) / 2 ** 32;
    };
    for (let i = 0; i < 300; i++) {
      const b = Buffer.from(full);
      const flips = 1 + Math.floor(rand() * 8);
      for (let k = 0; k < flips; k++) b[Math.floor(rand() * b.length)] = Math.floor(rand() * 256);
      const r = await decodePcap(b.subarray(0, Math.floor(rand() * (b.length + 1))), 'fuzz.pcap');
      if (!r.ok) expect(r.error).toMatch(/^fuzz\.pcap: /);
      const g = Buffer.alloc(Math.floor(rand() * 64));
      for (let k = 0; k < g.length; k++) g[k] = Math.floor(rand() * 256);
      expect(typeof (await decodePcap(g, 'g.pcap')).ok).toBe('boolean');
    }
  });
});

// ---------------------------------------------------------------- other tools

describe.skipIf(!HAS_TSHARK)('pcap with tshark', () => {
  it('tshark reads a written file without complaint: count, times, checksums', () => {
    const f = tmp('for-tshark.pcap');
    const w = new PcapWriter(f, { anchor: ANCHOR });
    for (const r of RECORDS) w.write(r.frame, r.timeNs);
    w.close();
    const fields = ['frame.number', 'frame.time_epoch', 'ip.checksum.status', 'tcp.checksum.status', 'tcp.flags.syn', 'tcp.options.mss_val'];
    const r = run('tshark', [
      '-r', f, '-T', 'fields',
      '-o', 'ip.check_checksum:TRUE', '-o', 'tcp.check_checksum:TRUE',
      ...fields.flatMap((x) => ['-e', x]),
    ]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout.trim().split('\n').map((l) => l.split('\t'))).toEqual([
      ['1', '1700000000.000000000', '1', '1', '1', '1460'],
      ['2', '1700000000.000123000', '1', '1', '1', '1460'],
      ['3', '1700000001.250000000', '1', '1', '1', '1460'],
    ]);
  });

  it('tshark reads a nanosecond file with full precision', () => {
    const f = tmp('for-tshark-ns.pcap');
    fs.writeFileSync(f, encodePcap(RECORDS, { anchor: ANCHOR, resolution: 'nsec' }));
    const r = run('tshark', ['-r', f, '-T', 'fields', '-e', 'frame.time_epoch']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout.trim().split('\n')).toEqual(['1700000000.000000000', '1700000000.000123456', '1700000001.250000999']);
  });

  it('tshark -F pcap rewrites our file byte for byte, and reading either gives the same trace', async () => {
    const f = tmp('ours.pcap');
    const re = tmp('rewritten.pcap');
    fs.writeFileSync(f, encodePcap(RECORDS, { anchor: ANCHOR }));
    const r = run('tshark', ['-F', 'pcap', '-r', f, '-w', re]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(fs.readFileSync(re)).toEqual(fs.readFileSync(f));
    expect(expectOk(await readPcap(re))).toEqual(expectOk(await readPcap(f)));
  });

  it('our reader agrees with tshark on the real tcpdump captures', async () => {
    for (const name of ['tcpdump-lo.pcap', 'tcpdump-lo-nano.pcap']) {
      const f = path.join(FIXTURES, name);
      const r = run('tshark', ['-r', f, '-T', 'fields', '-e', 'frame.number', '-e', 'frame.time_epoch', '-e', 'frame.cap_len', '-e', 'frame.len']);
      expect(r.status).toBe(0);
      const theirs = r.stdout.trim().split('\n').map((l) => {
        const [n, t, cap, len] = l.split('\t') as [string, string, string, string];
        const [s, frac] = t.split('.') as [string, string];
        return { index: Number(n), timeUsecs: Number(s) * 1e6 + Number(frac.slice(0, 6)), len: Number(cap), origLen: Number(len) };
      });
      expect(summary(expectOk(await readPcap(f)))).toEqual(theirs);
    }
  });

  it('a pcapng made by tshark gets the pcapng error', async () => {
    const src = tmp('src.pcap');
    const ng = tmp('conv.pcapng');
    fs.writeFileSync(src, encodePcap(RECORDS, { anchor: ANCHOR }));
    expect(run('tshark', ['-F', 'pcapng', '-r', src, '-w', ng]).status).toBe(0);
    expect(expectError(await readPcap(ng))).toMatch(/pcapng is not supported: convert with `tshark -F pcap -r .*conv\.pcapng -w OUT\.pcap`$/);
  });

  it.skipIf(!HAS_TEXT2PCAP)('reads a capture written by text2pcap', async () => {
    const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0'));
    const dump = RECORDS.map((r, i) => {
      const usecs = EXPECTED_USECS[i]!;
      const stamp = `${Math.floor(usecs / 1e6)}.${String(usecs % 1e6).padStart(6, '0')}`;
      const bytes = hex(r.frame);
      const lines: string[] = [];
      for (let o = 0; o < bytes.length; o += 16) {
        lines.push(`${o === 0 ? stamp + ' ' : ''}${o.toString(16).padStart(6, '0')} ${bytes.slice(o, o + 16).join(' ')}`);
      }
      return lines.join('\n');
    }).join('\n\n');
    const out = tmp('text2pcap.pcap');
    const r = run('text2pcap', ['-q', '-F', 'pcap', '-t', '%s.%f', '-', out], dump + '\n');
    expect(r.status).toBe(0);
    const t = expectOk(await readPcap(out));
    expect(t.records.map((x) => x.frame)).toEqual(FRAMES);
    expect(t.records.map((x) => x.timeUsecs)).toEqual(EXPECTED_USECS);
    // text2pcap writes exactly what encodePcap does.
    expect(fs.readFileSync(out)).toEqual(encodePcap(RECORDS, { anchor: ANCHOR }));
  });
});
