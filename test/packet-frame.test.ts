import { describe, expect, it } from 'vitest';
import {
  decodeFrame,
  decodeIp,
  encodeIcmpFrame,
  encodeTcpFrame,
  encodeUdpFrame,
  INBOUND_DEFAULTS,
  isNeighbourTraffic,
  type DecodedFrame,
  type TcpFields,
} from '../src/packet/index.js';
import * as ethernet from '../src/packet/ethernet.js';
import * as icmpv6 from '../src/packet/icmpv6.js';
import * as ipv6 from '../src/packet/ipv6.js';
import * as tcp from '../src/packet/tcp.js';
import { synFrameV4, synFrameV6, toHex } from './packet-vectors.js';

const unwrap = <T>(r: { ok: true; value: T } | { ok: false; error: string }): T => {
  if (!r.ok) throw new Error(`unexpected error: ${r.error}`);
  return r.value;
};
const ipFrame = (f: DecodedFrame): Extract<DecodedFrame, { kind: 'ip' }> => {
  if (f.kind !== 'ip') throw new Error('not an IP frame');
  return f;
};

const link = { srcMac: '02:00:00:00:00:02', dstMac: '02:00:00:00:00:01' };
const syn: TcpFields = {
  srcPort: 40000,
  dstPort: 8080,
  seq: 0,
  ack: 0,
  flags: tcp.SYN,
  window: 65535,
  urgentPointer: 0,
  options: [
    { kind: 'mss', value: 1460 },
    { kind: 'sackOK' },
    { kind: 'timestamp', val: 100, ecr: 0 },
    { kind: 'nop' },
    { kind: 'wscale', value: 7 },
  ],
  payload: new Uint8Array(0),
};

describe('encode*Frame', () => {
  it('builds the hand-made IPv4 SYN frame byte for byte with packetdrill defaults', () => {
    const b = unwrap(encodeTcpFrame({ ...link, ip: { version: 4, src: '192.0.2.1', dst: '192.168.0.1' }, tcp: syn }));
    expect(toHex(b)).toBe(toHex(synFrameV4()));
    expect(INBOUND_DEFAULTS).toMatchObject({ ttl: 255, hopLimit: 255, tos: 0, id: 0, df: false, flowLabel: 0 });
  });

  it('builds the hand-made IPv6 SYN frame byte for byte', () => {
    const b = unwrap(
      encodeTcpFrame({
        ...link,
        ip: { version: 6, src: 'fd3d:fa7b:d17d::1', dst: 'fd3d:fa7b:d17d::2' },
        tcp: { ...syn, options: [{ kind: 'mss', value: 1440 }, ...syn.options.slice(1)] },
      }),
    );
    expect(toHex(b)).toBe(toHex(synFrameV6()));
  });

  it('applies given IP fields and ignores a stale tcp.checksum', () => {
    const b = unwrap(
      encodeTcpFrame({
        ...link,
        ip: { version: 4, src: '192.0.2.1', dst: '192.168.0.1', tos: 0x03, ttl: 7, id: 99, df: true },
        tcp: { ...syn, checksum: 0x1234, payload: new Uint8Array([1, 2, 3]) },
      }),
    );
    const f = ipFrame(unwrap(decodeFrame(b)));
    expect(f.ip).toMatchObject({ version: 4, tos: 3, ttl: 7, id: 99, df: true, checksumOk: true });
    expect(f.l4.proto === 'tcp' && f.l4.checksumOk).toBe(true);
  });

  it('returns an error value, not an exception, for fields that cannot be represented', () => {
    const bad = [
      encodeTcpFrame({ ...link, ip: { version: 4, src: '192.0.2.300', dst: '192.168.0.1' }, tcp: syn }),
      encodeTcpFrame({ ...link, ip: { version: 6, src: '192.0.2.1', dst: '::1' }, tcp: syn }),
      encodeTcpFrame({ ...link, srcMac: 'x', ip: { version: 4, src: '192.0.2.1', dst: '192.168.0.1' }, tcp: syn }),
      encodeTcpFrame({ ...link, ip: { version: 4, src: '192.0.2.1', dst: '192.168.0.1' }, tcp: { ...syn, window: 65536 } }),
      encodeUdpFrame({ ...link, ip: { version: 4, src: '192.0.2.1', dst: '192.168.0.1' }, udp: { srcPort: 1, dstPort: 2, payload: new Uint8Array(65510) } }),
    ];
    for (const r of bad) expect(r.ok).toBe(false);
  });
});

describe('decodeFrame', () => {
  it('decodes the hand-made SYNs', () => {
    const f4 = ipFrame(unwrap(decodeFrame(synFrameV4())));
    expect(f4.eth).toMatchObject({ dst: '02:00:00:00:00:01', src: '02:00:00:00:00:02', etherType: 0x0800 });
    expect(f4.ip).toMatchObject({ version: 4, src: '192.0.2.1', dst: '192.168.0.1', ttl: 255, protocol: 6, checksumOk: true });
    expect(f4.fragment).toBe(false);
    if (f4.l4.proto !== 'tcp') throw new Error('not tcp');
    expect(f4.l4.checksumOk).toBe(true);
    expect(f4.l4.tcp).toMatchObject(syn);

    const f6 = ipFrame(unwrap(decodeFrame(synFrameV6())));
    expect(f6.ip).toMatchObject({ version: 6, src: 'fd3d:fa7b:d17d::1', dst: 'fd3d:fa7b:d17d::2', hopLimit: 255, protocol: 6 });
    expect(f6.l4.proto === 'tcp' && f6.l4.checksumOk).toBe(true);
  });

  it('ignores the padding of a 60-byte minimum frame', () => {
    const ack = unwrap(encodeTcpFrame({ ...link, ip: { version: 4, src: '192.0.2.1', dst: '192.168.0.1' }, tcp: { ...syn, flags: tcp.ACK, options: [] } }));
    expect(ack.length).toBe(54);
    const padded = new Uint8Array(60);
    padded.set(ack);
    padded.fill(0xa5, 54);
    const f = ipFrame(unwrap(decodeFrame(padded)));
    if (f.l4.proto !== 'tcp') throw new Error('not tcp');
    expect(f.l4.tcp.payload.length).toBe(0);
    expect(f.l4.checksumOk).toBe(true);
  });

  it('flags a corrupted transport checksum', () => {
    const b = synFrameV4();
    b[b.length - 1] ^= 0x10;
    const f = ipFrame(unwrap(decodeFrame(b)));
    expect(f.l4.proto === 'tcp' && f.l4.checksumOk).toBe(false);
  });

  it('decodes UDP over both families', () => {
    for (const ip of [
      { version: 4 as const, src: '192.0.2.1', dst: '192.168.0.1' },
      { version: 6 as const, src: 'fd3d:fa7b:d17d::1', dst: 'fd3d:fa7b:d17d::2' },
    ]) {
      const b = unwrap(encodeUdpFrame({ ...link, ip, udp: { srcPort: 53, dstPort: 5353, payload: new Uint8Array([1, 2, 3]) } }));
      const f = ipFrame(unwrap(decodeFrame(b)));
      if (f.l4.proto !== 'udp') throw new Error('not udp');
      expect(f.l4.checksumOk).toBe(true);
      expect(f.l4.udp).toMatchObject({ srcPort: 53, dstPort: 5353, length: 11 });
    }
  });

  it('encodes and decodes ICMP frag-needed and ICMPv6 packet-too-big', () => {
    const quoted = synFrameV4().subarray(14, 14 + 28);
    const b4 = unwrap(
      encodeIcmpFrame({ ...link, ip: { version: 4, src: '192.0.2.2', dst: '192.168.0.1' }, icmp: { type: 3, code: 4, restOfHeader: 1200, payload: quoted } }),
    );
    const f4 = ipFrame(unwrap(decodeFrame(b4)));
    if (f4.l4.proto !== 'icmp') throw new Error('not icmp');
    expect(f4.l4).toMatchObject({ checksumOk: true, icmp: { type: 3, code: 4, restOfHeader: 1200 } });
    expect(toHex(f4.l4.icmp.payload)).toBe(toHex(quoted));

    const b6 = unwrap(
      encodeIcmpFrame({
        ...link,
        ip: { version: 6, src: 'fd3d:fa7b:d17d::3', dst: 'fd3d:fa7b:d17d::2' },
        icmp: { type: icmpv6.ICMPV6_PACKET_TOO_BIG, code: 0, restOfHeader: 1280, payload: synFrameV6().subarray(14, 14 + 48) },
      }),
    );
    const f6 = ipFrame(unwrap(decodeFrame(b6)));
    expect(f6.ip.protocol).toBe(58);
    if (f6.l4.proto !== 'icmpv6') throw new Error('not icmpv6');
    expect(f6.l4).toMatchObject({ checksumOk: true, icmpv6: { type: 2, restOfHeader: 1280 } });
    expect(isNeighbourTraffic(f6)).toBe(false);
  });

  it('sees neighbour discovery and ARP as neighbour traffic', () => {
    const ns = unwrap(
      encodeIcmpFrame({
        ...link,
        ip: { version: 6, src: 'fd3d:fa7b:d17d::1', dst: 'ff02::1:ff00:2' },
        icmp: { type: icmpv6.ICMPV6_NEIGHBOUR_SOLICIT, code: 0, restOfHeader: 0, payload: new Uint8Array(16) },
      }),
    );
    expect(isNeighbourTraffic(unwrap(decodeFrame(ns)))).toBe(true);
    const arp = ethernet.emit({ dst: 'ff:ff:ff:ff:ff:ff', src: link.srcMac, etherType: ethernet.ETHERTYPE_ARP, payload: new Uint8Array(28) });
    const a = unwrap(decodeFrame(arp));
    expect(a.kind).toBe('non-ip');
    expect(isNeighbourTraffic(a)).toBe(true);
    expect(isNeighbourTraffic(unwrap(decodeFrame(synFrameV4())))).toBe(false);
  });

  it('does not read a transport header inside a fragment', () => {
    const b = unwrap(
      encodeTcpFrame({ ...link, ip: { version: 4, src: '192.0.2.1', dst: '192.168.0.1', mf: true }, tcp: syn }),
    );
    const f = ipFrame(unwrap(decodeFrame(b)));
    expect(f.fragment).toBe(true);
    expect(f.l4).toMatchObject({ proto: 'other', number: 6 });

    const v6 = ipv6.emit({
      trafficClass: 0, flowLabel: 0, hopLimit: 64, nextHeader: 44,
      src: '::1', dst: '::2', payload: Uint8Array.from([6, 0, 0, 8, 0, 0, 0, 1, 0xff]),
    });
    const r = unwrap(decodeIp(v6));
    expect(r.fragment).toBe(true);
    expect(r.l4).toMatchObject({ proto: 'other', number: 6 });

    // An atomic fragment (offset 0, M clear) is the whole packet: its transport header is read.
    const udpBody = [0, 1, 0, 2, 0, 8, 0, 0];
    const atomic = ipv6.emit({
      trafficClass: 0, flowLabel: 0, hopLimit: 64, nextHeader: 44,
      src: '::1', dst: '::2', payload: Uint8Array.from([17, 0, 0, 0, 0, 0, 0, 1, ...udpBody]),
    });
    const a = unwrap(decodeIp(atomic));
    expect(a.fragment).toBe(false);
    expect(a.ip.version === 6 && a.ip.fragment).toEqual({ offset: 0, more: false, id: 1 });
    expect(a.l4).toMatchObject({ proto: 'udp', udp: { srcPort: 1, dstPort: 2 }, checksumOk: false });
  });

  it('reports other protocols and layer errors', () => {
    const gre = synFrameV4();
    gre[14 + 9] = 47;
    gre[14 + 10] = gre[14 + 11] = 0;
    const f = ipFrame(unwrap(decodeFrame(gre)));
    expect(f.l4).toMatchObject({ proto: 'other', number: 47 });
    expect(f.ip.version === 4 && f.ip.checksumOk).toBe(false);

    const badOff = synFrameV4();
    badOff[14 + 20 + 12] = 0x30;
    const r = decodeFrame(badOff);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(/^tcp: data offset 12 bytes < 20/);

    const mismatched = synFrameV4();
    mismatched[12] = 0x86;
    mismatched[13] = 0xdd;
    const m = decodeFrame(mismatched);
    expect(m.ok).toBe(false);
    if (!m.ok) expect(m.error).toMatch(/^ipv6:/);
    expect(decodeIp(new Uint8Array(0)).ok).toBe(false);
    expect(decodeIp(Uint8Array.from([0x50])).ok).toBe(false);
  });
});
