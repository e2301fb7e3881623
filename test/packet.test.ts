import { describe, expect, it } from 'vitest';
import {
  finishChecksum,
  internetChecksum,
  ipToBytes,
  ipVersionOf,
  ipv4FromBytes,
  ipv4ToBytes,
  ipv6FromBytes,
  ipv6ToBytes,
  macFromBytes,
  macToBytes,
  pseudoAddressSum,
  pseudoHeaderSum,
  pseudoHeaderSumV4,
  pseudoHeaderSumV6,
  sum16,
} from '../src/packet/index.js';
import * as ethernet from '../src/packet/ethernet.js';
import * as icmp from '../src/packet/icmp.js';
import * as icmpv6 from '../src/packet/icmpv6.js';
import * as ipv4 from '../src/packet/ipv4.js';
import * as ipv6 from '../src/packet/ipv6.js';
import * as udp from '../src/packet/udp.js';
import { hex, prng, refChecksum, toHex } from './packet-vectors.js';

const u8 = (a: ArrayLike<number>): Uint8Array => Uint8Array.from(a);
const unwrap = <T>(r: { ok: true; value: T } | { ok: false; error: string }): T => {
  if (!r.ok) throw new Error(`unexpected error: ${r.error}`);
  return r.value;
};
const errorOf = (r: { ok: boolean; error?: string }): string => {
  expect(r.ok).toBe(false);
  return r.error!;
};

describe('checksum', () => {
  it('matches the RFC 1071 §3 worked example', () => {
    const b = u8(hex('00 01 f2 03 f4 f5 f6 f7'));
    expect(sum16(b)).toBe(0xddf2);
    expect(internetChecksum(b)).toBe(0x220d);
  });

  it('gives the well-known IPv4 header checksum (0xb861)', () => {
    // The example header from Wikipedia's "IPv4 header checksum" article.
    const h = u8(hex('4500 0073 0000 4000 4011 0000 c0a8 0001 c0a8 00c7'));
    expect(internetChecksum(h)).toBe(0xb861);
    h[10] = 0xb8;
    h[11] = 0x61;
    expect(sum16(h)).toBe(0xffff);
  });

  it('agrees with a naive reference on random data, odd lengths and odd splits', () => {
    const rnd = prng(1071);
    for (let n = 0; n < 300; n++) {
      const len = Math.floor(rnd() * 200);
      const data = u8(Array.from({ length: len }, () => Math.floor(rnd() * 256)));
      expect(internetChecksum(data)).toBe(refChecksum(data));
      const cut1 = Math.floor(rnd() * (len + 1));
      const cut2 = cut1 + Math.floor(rnd() * (len - cut1 + 1));
      const parts = [data.subarray(0, cut1), data.subarray(cut1, cut2), data.subarray(cut2)];
      expect(internetChecksum(parts)).toBe(refChecksum(data));
    }
  });

  it('computes IPv4 and IPv6 pseudo-header sums like the reference', () => {
    const s4 = u8([192, 0, 2, 1]);
    const d4 = u8([192, 168, 0, 1]);
    const ref4 = refChecksum([...s4, ...d4, 0, 6, 0x01, 0x2c]);
    expect(finishChecksum(pseudoHeaderSumV4(s4, d4, 6, 300))).toBe(ref4);
    expect(finishChecksum(pseudoHeaderSum(pseudoAddressSum({ src: '192.0.2.1', dst: '192.168.0.1', version: 4 }), 6, 300))).toBe(ref4);

    const s6 = unwrap(ipv6ToBytes('fd3d:fa7b:d17d::1'));
    const d6 = unwrap(ipv6ToBytes('2001:db8::ff'));
    const len = 0x12345; // exercise the upper half of the 32-bit length
    const ref6 = refChecksum([...s6, ...d6, 0, 1, 0x23, 0x45, 0, 0, 0, 17]);
    expect(finishChecksum(pseudoHeaderSumV6(s6, d6, 17, len))).toBe(ref6);
  });
});

describe('addresses', () => {
  it('round-trips IPv4 text', () => {
    for (const a of ['0.0.0.0', '192.0.2.1', '255.255.255.255', '10.1.22.199']) {
      expect(ipv4FromBytes(unwrap(ipv4ToBytes(a)))).toBe(a);
    }
  });

  it('rejects malformed IPv4 text', () => {
    for (const a of ['', '1.2.3', '1.2.3.4.5', '256.1.1.1', '1..2.3', '1.2.3.4 ', ' 1.2.3.4', '1.2.3.a', '1.2.3.0004', '1.2.3.', '.1.2.3']) {
      expect(ipv4ToBytes(a).ok, a).toBe(false);
    }
  });

  it('parses and prints IPv6 text as inet_ntop does', () => {
    const cases: [string, string][] = [
      ['fd3d:fa7b:d17d::1', 'fd3d:fa7b:d17d::1'],
      ['FD3D:FA7B:D17D:0:0:0:0:1', 'fd3d:fa7b:d17d::1'],
      ['::', '::'],
      ['::1', '::1'],
      ['1::', '1::'],
      ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'], // longest run, first on a tie
      ['2001:db8:0:1:0:0:0:1', '2001:db8:0:1::1'],
      ['2001:db8:1:2:3:4:5:0', '2001:db8:1:2:3:4:5:0'], // a single zero group is not compressed
      ['::ffff:192.0.2.1', '::ffff:192.0.2.1'],
      ['::ffff:c000:201', '::ffff:192.0.2.1'],
      ['::192.0.2.1', '::192.0.2.1'],
      ['0001:0002:0003:0004:0005:0006:0007:0008', '1:2:3:4:5:6:7:8'],
      ['1:2:3:4:5:6:7::', '1:2:3:4:5:6:7:0'],
      ['64:ff9b::192.0.2.1', '64:ff9b::c000:201'],
    ];
    for (const [input, printed] of cases) {
      const b = unwrap(ipv6ToBytes(input));
      expect(ipv6FromBytes(b), input).toBe(printed);
      expect(toHex(unwrap(ipv6ToBytes(printed)))).toBe(toHex(b));
    }
    expect(toHex(unwrap(ipv6ToBytes('::ffff:192.0.2.1')))).toBe('00000000000000000000ffffc0000201');
  });

  it('rejects malformed IPv6 text', () => {
    for (const a of [
      '', ':', ':::', '1:2:3:4:5:6:7', '1:2:3:4:5:6:7:8:9', '1::2::3', '12345::', 'g::', ':1::', '1:',
      '1::2:3:4:5:6:7:8', '::ffff:1.2.3', '::ffff:1.2.3.4:5', 'fe80::1%eth0', '1.2.3.4', '::1.2.3.4:ffff',
    ]) {
      expect(ipv6ToBytes(a).ok, a).toBe(false);
    }
  });

  it('round-trips random IPv6 addresses through text', () => {
    const rnd = prng(6);
    for (let n = 0; n < 2000; n++) {
      // Bias towards zero groups so compression paths are exercised.
      const b = new Uint8Array(16);
      for (let g = 0; g < 8; g++) {
        if (rnd() < 0.5) continue; // a zero group
        b[2 * g] = rnd() < 0.5 ? 0 : Math.floor(rnd() * 256);
        b[2 * g + 1] = Math.floor(rnd() * 256);
      }
      const text = ipv6FromBytes(b);
      expect(toHex(unwrap(ipv6ToBytes(text))), text).toBe(toHex(b));
    }
  });

  it('detects the family', () => {
    expect(ipVersionOf('192.0.2.1')).toBe(4);
    expect(ipVersionOf('::1')).toBe(6);
    expect(ipVersionOf('banana')).toBe(null);
    expect(unwrap(ipToBytes('::1')).length).toBe(16);
  });

  it('round-trips MAC addresses', () => {
    expect(macFromBytes(unwrap(macToBytes('AA:bb:0c:dd:ee:0F')))).toBe('aa:bb:0c:dd:ee:0f');
    expect(macFromBytes(unwrap(macToBytes('02-00-00-00-00-01')))).toBe('02:00:00:00:00:01');
    for (const a of ['', 'aa:bb:cc:dd:ee', 'aa:bb:cc:dd:ee:ff:00', 'aa:bb:cc-dd:ee:ff', 'gg:bb:cc:dd:ee:ff', 'aabb.ccdd.eeff']) {
      expect(macToBytes(a).ok, a).toBe(false);
    }
  });
});

describe('ethernet', () => {
  it('round-trips', () => {
    const f = { dst: 'ff:ff:ff:ff:ff:ff', src: '02:00:00:00:00:02', etherType: ethernet.ETHERTYPE_ARP, payload: u8([1, 2, 3]) };
    const b = ethernet.emit(f);
    expect(toHex(b)).toBe('ffffffffffff0200000000020806010203');
    expect(unwrap(ethernet.parse(b))).toEqual(f);
  });

  it('reports 802.1Q tagged frames without unwrapping them', () => {
    const b = u8(hex('020000000001 020000000002 8100 0064 0800 45'));
    const e = unwrap(ethernet.parse(b));
    expect(e.etherType).toBe(ethernet.ETHERTYPE_VLAN);
    expect(toHex(e.payload)).toBe('0064080045');
  });

  it('rejects a frame shorter than the header', () => {
    for (let n = 0; n < 14; n++) expect(ethernet.parse(new Uint8Array(n)).ok).toBe(false);
    expect(ethernet.peekEtherType(new Uint8Array(13))).toBe(-1);
  });

  it('throws RangeError when asked to emit an impossible frame', () => {
    expect(() => ethernet.emit({ dst: 'nope', src: '02:00:00:00:00:02', etherType: 0x800, payload: u8([]) })).toThrow(RangeError);
    expect(() => ethernet.emit({ dst: '02:00:00:00:00:01', src: '02:00:00:00:00:02', etherType: 0x10000, payload: u8([]) })).toThrow(RangeError);
  });
});

describe('ipv4', () => {
  const base: ipv4.Ipv4Fields = {
    tos: 0x02,
    id: 0x1234,
    df: true,
    mf: false,
    fragOffset: 0,
    ttl: 64,
    protocol: 17,
    src: '192.168.0.1',
    dst: '192.0.2.1',
    options: u8([]),
    payload: u8([9, 8, 7]),
  };

  it('emits a header equal to a hand-built one, checksum from the reference', () => {
    const b = ipv4.emit(base);
    const expected = hex('45 02 00 17 12 34 40 00 40 11 00 00 c0 a8 00 01 c0 00 02 01 09 08 07');
    const c = refChecksum(expected.slice(0, 20));
    expected[10] = c >> 8;
    expected[11] = c & 0xff;
    expect(toHex(b)).toBe(toHex(expected));
  });

  it('round-trips, options and fragments included', () => {
    for (const f of [
      base,
      { ...base, options: u8([0x94, 0x04, 0x00, 0x00]) }, // router alert
      { ...base, options: u8([0x01, 0x01, 0x01]) }, // padded to 4 with a zero
      { ...base, df: false, mf: true, fragOffset: 1480, tos: 0xff, ttl: 0 },
    ]) {
      const b = ipv4.emit(f);
      const p = unwrap(ipv4.parse(b));
      const paddedOptions = u8([...f.options, ...new Array((4 - (f.options.length % 4)) % 4).fill(0)]);
      expect(p).toMatchObject({ ...f, options: paddedOptions, version: 4, checksumOk: true });
      expect(p.headerLength).toBe(20 + paddedOptions.length);
      expect(toHex(ipv4.emit(p))).toBe(toHex(b));
    }
  });

  it('ignores trailing Ethernet padding after Total Length', () => {
    const b = ipv4.emit({ ...base, payload: u8([]) });
    const padded = new Uint8Array(46);
    padded.set(b);
    padded.fill(0xee, b.length);
    const p = unwrap(ipv4.parse(padded));
    expect(p.totalLength).toBe(20);
    expect(p.payload.length).toBe(0);
  });

  it('reports a bad header checksum without failing', () => {
    const b = ipv4.emit(base);
    b[8] = 1; // ttl changed, checksum now stale
    const p = unwrap(ipv4.parse(b));
    expect(p.checksumOk).toBe(false);
  });

  it('rejects bad version, IHL and total length', () => {
    const good = ipv4.emit(base);
    const m = (i: number, v: number): Uint8Array => {
      const b = good.slice();
      b[i] = v;
      return b;
    };
    expect(errorOf(ipv4.parse(m(0, 0x65)))).toMatch(/version 6/);
    expect(errorOf(ipv4.parse(m(0, 0x44)))).toMatch(/header length 16 < 20/);
    expect(errorOf(ipv4.parse(m(0, 0x4f)))).toMatch(/header length 60 >/);
    expect(errorOf(ipv4.parse(m(3, 0x10)))).toMatch(/total length 16 < header length 20/);
    expect(errorOf(ipv4.parse(m(3, 0x18)))).toMatch(/truncated/);
    expect(ipv4.parse(good.subarray(0, 19)).ok).toBe(false);
  });

  it('throws RangeError on fields that cannot exist', () => {
    expect(() => ipv4.emit({ ...base, ttl: 256 })).toThrow(RangeError);
    expect(() => ipv4.emit({ ...base, fragOffset: 3 })).toThrow(/multiple of 8/);
    expect(() => ipv4.emit({ ...base, src: '1.2.3' })).toThrow(/source/);
    expect(() => ipv4.emit({ ...base, options: new Uint8Array(44) })).toThrow(/> 40/);
    expect(() => ipv4.emit({ ...base, payload: new Uint8Array(65516) })).toThrow(/65535/);
  });
});

describe('ipv6', () => {
  const base: ipv6.Ipv6Fields = {
    trafficClass: 0xb9,
    flowLabel: 0xabcde,
    hopLimit: 64,
    nextHeader: 17,
    src: 'fd3d:fa7b:d17d::1',
    dst: 'fd3d:fa7b:d17d::2',
    payload: u8([1, 2, 3, 4]),
  };

  it('emits the hand-built header and round-trips', () => {
    const b = ipv6.emit(base);
    expect(toHex(b.subarray(0, 8))).toBe('6b9abcde00041140');
    const p = unwrap(ipv6.parse(b));
    expect(p).toMatchObject({ ...base, version: 6, protocol: 17, extensionHeaders: [], fragment: null, payloadLength: 4 });
    expect(toHex(ipv6.emit(p))).toBe(toHex(b));
  });

  it('walks hop-by-hop, routing, destination options and AH to the upper layer', () => {
    const ext = hex(`
      2b 00 05 02 00 00 01 00
      3c 00 00 00 00 00 00 00
      33 00 01 04 00 00 00 00
      06 01 00 00 00 00 00 00 00 00 00 00
      aa bb`);
    // hop-by-hop → routing(43) → dest opts(60) → AH(51) → TCP(6)
    const b = ipv6.emit({ ...base, nextHeader: 0, payload: u8(ext) });
    const p = unwrap(ipv6.parse(b));
    expect(p.nextHeader).toBe(0);
    expect(p.extensionHeaders).toEqual([0, 43, 60, 51]);
    expect(p.protocol).toBe(6);
    expect(toHex(p.upperPayload)).toBe('aabb');
    expect(p.fragment).toBe(null);
  });

  it('reports a fragment header and stops there', () => {
    const b = ipv6.emit({ ...base, nextHeader: 44, payload: u8(hex('06 00 05 c9 de ad be ef  11 22')) });
    const p = unwrap(ipv6.parse(b));
    expect(p.fragment).toEqual({ offset: 0x5c8, more: true, id: 0xdeadbeef });
    expect(p.protocol).toBe(6);
    expect(toHex(p.upperPayload)).toBe('1122');
  });

  it('rejects truncation and bad versions', () => {
    const b = ipv6.emit(base);
    expect(ipv6.parse(b.subarray(0, 39)).ok).toBe(false);
    expect(errorOf(ipv6.parse(b.subarray(0, 43)))).toMatch(/truncated/);
    const v4 = b.slice();
    v4[0] = 0x4b;
    expect(errorOf(ipv6.parse(v4))).toMatch(/version 4/);
    const hbh = ipv6.emit({ ...base, nextHeader: 0, payload: u8(hex('06 01 00 00 00 00 00 00')) }); // claims 16 bytes, has 8
    expect(errorOf(ipv6.parse(hbh))).toMatch(/truncated/);
    const frag = ipv6.emit({ ...base, nextHeader: 44, payload: u8(hex('06 00 00 00')) });
    expect(errorOf(ipv6.parse(frag))).toMatch(/fragment header truncated/);
  });

  it('throws RangeError on fields that cannot exist', () => {
    expect(() => ipv6.emit({ ...base, flowLabel: 0x100000 })).toThrow(RangeError);
    expect(() => ipv6.emit({ ...base, dst: '192.0.2.1' })).toThrow(/destination/);
  });
});

describe('udp', () => {
  const f: udp.UdpFields = { srcPort: 53, dstPort: 40000, payload: u8([0xde, 0xad, 0xbe]) };
  const p4 = { src: '192.0.2.1', dst: '192.168.0.1', version: 4 as const };
  const p6 = { src: 'fd3d:fa7b:d17d::1', dst: 'fd3d:fa7b:d17d::2', version: 6 as const };

  it('emits a checksum equal to the reference over the pseudo header', () => {
    const b = udp.emit(f, p4);
    const ref = refChecksum([192, 0, 2, 1, 192, 168, 0, 1, 0, 17, 0, 11, ...b.slice(0, 6), 0, 0, ...b.slice(8)]);
    expect(b[6]! * 256 + b[7]!).toBe(ref);
    expect(udp.verifyChecksum(b, p4)).toBe(true);
    expect(udp.verifyChecksum(udp.emit(f, p6), p6)).toBe(true);
    expect(udp.verifyChecksum(b, { ...p4, src: '192.0.2.2' })).toBe(false);
  });

  it('round-trips and trims bytes past Length', () => {
    const b = udp.emit(f, p6);
    const withTail = u8([...b, 0, 0, 0]);
    const d = unwrap(udp.parse(withTail));
    expect(d).toMatchObject({ ...f, length: 11 });
    expect(toHex(udp.emit(d))).toBe(toHex(b));
  });

  it('sends a computed zero checksum as 0xffff; zero means none only over IPv4', () => {
    // Find a payload whose checksum computes to 0 by solving for the last word.
    const payload = new Uint8Array(2);
    const probe = udp.emit({ ...f, payload }, p4);
    const c = probe[6]! * 256 + probe[7]!; // checksum with payload word 0
    // Adding word w to the sum changes the complement from c to c - w (ones' complement); w = c gives 0 (as -0 = 0xffff → 0).
    payload[0] = c >> 8;
    payload[1] = c & 0xff;
    const b = udp.emit({ ...f, payload }, p4);
    expect(b[6]! * 256 + b[7]!).toBe(0xffff);
    expect(udp.verifyChecksum(b, p4)).toBe(true);
    const none = udp.emit({ ...f, checksum: 0 });
    expect(udp.verifyChecksum(none, p4)).toBe(true);
    expect(udp.verifyChecksum(none, p6)).toBe(false);
  });

  it('rejects bad lengths', () => {
    const b = udp.emit(f, p4);
    expect(udp.parse(b.subarray(0, 7)).ok).toBe(false);
    const short = b.slice();
    short[5] = 7;
    expect(errorOf(udp.parse(short))).toMatch(/length 7 < 8/);
    expect(errorOf(udp.parse(b.subarray(0, 10)))).toMatch(/truncated/);
  });
});

describe('icmp', () => {
  it('round-trips a frag-needed with its next-hop MTU and a checksum equal to the reference', () => {
    const quoted = u8(hex('45000028000000004006 0000 c0a80001c0000201 1f909c40 00000001'));
    const f: icmp.IcmpFields = { type: 3, code: 4, restOfHeader: 1400, payload: quoted };
    const b = icmp.emit(f);
    const expected = [3, 4, 0, 0, 0, 0, 0x05, 0x78, ...quoted];
    const c = refChecksum(expected);
    expect(b[2]! * 256 + b[3]!).toBe(c);
    const m = unwrap(icmp.parse(b));
    expect(m).toMatchObject({ ...f, checksumOk: true });
    expect(icmp.fragNeededMtu(m)).toBe(1400);
    expect(icmp.fragNeededMtu({ ...m, code: 3 })).toBe(null);
    expect(icmp.verifyChecksum(b)).toBe(true);
    b[9] ^= 1;
    expect(icmp.verifyChecksum(b)).toBe(false);
    expect(unwrap(icmp.parse(b)).checksumOk).toBe(false);
    expect(icmp.parse(b.subarray(0, 7)).ok).toBe(false);
  });

  it('round-trips ICMPv6 Packet Too Big, checksummed over the pseudo header', () => {
    const pseudo = { src: 'fd3d:fa7b:d17d::1', dst: 'fd3d:fa7b:d17d::2' };
    const f: icmpv6.Icmpv6Fields = { type: 2, code: 0, restOfHeader: 1280, payload: u8([0x60, 0, 0, 0]) };
    const b = icmpv6.emit(f, pseudo);
    const s = unwrap(ipv6ToBytes(pseudo.src));
    const d = unwrap(ipv6ToBytes(pseudo.dst));
    const ref = refChecksum([...s, ...d, 0, 0, 0, 12, 0, 0, 0, 58, 2, 0, 0, 0, 0, 0, 5, 0, 0x60, 0, 0, 0]);
    expect(b[2]! * 256 + b[3]!).toBe(ref);
    const m = unwrap(icmpv6.parse(b));
    expect(m).toMatchObject(f);
    expect(icmpv6.packetTooBigMtu(m)).toBe(1280);
    expect(icmpv6.verifyChecksum(b, pseudo)).toBe(true);
    expect(icmpv6.verifyChecksum(b, { ...pseudo, dst: '::1' })).toBe(false);
  });

  it('classifies neighbour discovery and MLD', () => {
    const nd = [130, 131, 132, 133, 134, 135, 136, 137, 143];
    for (let t = 0; t < 256; t++) expect(icmpv6.isNeighbourDiscoveryOrMld(t), String(t)).toBe(nd.includes(t));
  });
});
