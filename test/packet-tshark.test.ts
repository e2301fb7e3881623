/**
 * Cross-check against an independent dissector: frames we emit, written to a
 * tiny pcap, must be reported by tshark with good checksums and no errors.
 * Skipped when tshark is not installed.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeIcmpFrame, encodeTcpFrame, encodeUdpFrame } from '../src/packet/index.js';
import * as tcp from '../src/packet/tcp.js';
import { synFrameV4, synFrameV6 } from './packet-vectors.js';

function hasTshark(): boolean {
  try {
    execFileSync('tshark', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Classic pcap: 24-byte global header (LINKTYPE_ETHERNET) and a 16-byte header per record. */
function pcap(frames: Uint8Array[]): Buffer {
  const g = Buffer.alloc(24);
  g.writeUInt32LE(0xa1b2c3d4, 0);
  g.writeUInt16LE(2, 4);
  g.writeUInt16LE(4, 6);
  g.writeUInt32LE(65535, 16);
  g.writeUInt32LE(1, 20);
  const parts: Buffer[] = [g];
  frames.forEach((f, i) => {
    const r = Buffer.alloc(16);
    r.writeUInt32LE(1700000000 + i, 0);
    r.writeUInt32LE(f.length, 8);
    r.writeUInt32LE(f.length, 12);
    parts.push(r, Buffer.from(f));
  });
  return Buffer.concat(parts);
}

const unwrap = <T>(r: { ok: true; value: T } | { ok: false; error: string }): T => {
  if (!r.ok) throw new Error(r.error);
  return r.value;
};

describe.skipIf(!hasTshark())('tshark agrees', () => {
  it('reports good checksums and no malformed packets for every kind of frame we emit', () => {
    const link = { srcMac: '02:00:00:00:00:02', dstMac: '02:00:00:00:00:01' };
    const v4 = { version: 4 as const, src: '192.0.2.1', dst: '192.168.0.1' };
    const v6 = { version: 6 as const, src: 'fd3d:fa7b:d17d::1', dst: 'fd3d:fa7b:d17d::2' };
    const data = new Uint8Array(333).map((_, i) => i);
    const frames = [
      synFrameV4(),
      synFrameV6(),
      unwrap(
        encodeTcpFrame({
          ...link,
          ip: { ...v4, df: true, id: 4242, tos: 2 },
          tcp: {
            srcPort: 40000, dstPort: 8080, seq: 1, ack: 0xfffffff0, flags: tcp.ACK | tcp.PSH, window: 502, urgentPointer: 0,
            options: [{ kind: 'nop' }, { kind: 'nop' }, { kind: 'timestamp', val: 7, ecr: 9 }, { kind: 'nop' }, { kind: 'nop' }, { kind: 'sack', blocks: [{ start: 100, end: 200 }] }],
            payload: data,
          },
        }),
      ),
      unwrap(
        encodeTcpFrame({
          ...link,
          ip: { ...v6, flowLabel: 0x12345, trafficClass: 0x01 },
          tcp: {
            srcPort: 40000, dstPort: 8080, seq: 0, ack: 1, flags: tcp.SYN | tcp.ACK, window: 65535, urgentPointer: 0,
            options: [{ kind: 'fastopen', cookie: Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]), exp: false }, { kind: 'mss', value: 1440 }],
            payload: data.subarray(0, 11),
          },
        }),
      ),
      unwrap(encodeUdpFrame({ ...link, ip: v4, udp: { srcPort: 5000, dstPort: 5001, payload: data.subarray(0, 17) } })),
      unwrap(encodeUdpFrame({ ...link, ip: v6, udp: { srcPort: 5000, dstPort: 5001, payload: data.subarray(0, 17) } })),
      unwrap(
        encodeIcmpFrame({ ...link, ip: { ...v4, src: '192.0.2.2' }, icmp: { type: 3, code: 4, restOfHeader: 1400, payload: synFrameV4().subarray(14, 14 + 28) } }),
      ),
      unwrap(
        encodeIcmpFrame({ ...link, ip: { ...v6, src: 'fd3d:fa7b:d17d::3' }, icmp: { type: 2, code: 0, restOfHeader: 1280, payload: synFrameV6().subarray(14, 14 + 48) } }),
      ),
    ];
    const dir = mkdtempSync(join(tmpdir(), 'pktdrill-packet-'));
    try {
      const file = join(dir, 'frames.pcap');
      writeFileSync(file, pcap(frames));
      const out = execFileSync(
        'tshark',
        ['-r', file, '-V', '-o', 'ip.check_checksum:TRUE', '-o', 'tcp.check_checksum:TRUE', '-o', 'udp.check_checksum:TRUE'],
        { encoding: 'utf8', env: { ...process.env, HOME: dir } },
      );
      const good = out.match(/\[(?:header )?checksum status: good\]/gi) ?? [];
      const bad = out.match(/checksum status: (?!good)\w+|malformed|\[expert info \((?:error|warning)|\[incorrect/gi) ?? [];
      expect(bad, out).toEqual([]);
      // IPv4 frames: IP header + transport; IPv6 frames: transport only. Quoted headers inside ICMP add more.
      expect(good.length, out).toBeGreaterThanOrEqual(4 * 2 + 4);
      expect(out).toMatch(/TCP Option - Timestamps: TSval 100, TSecr 0/);
      expect(out).toMatch(/MTU of next hop: 1400/);
      expect(out).toMatch(/MTU: 1280/);
      expect(out).toMatch(/Flow Label: 0x12345/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
