/**
 * Hostile input: every truncation and many seeded random mutations of real
 * frames must come back as values (ok or error), never as exceptions; and
 * whatever parses must re-emit and re-parse to the same representation.
 */
import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import { decodeFrame, decodeIp, encodeIcmpFrame, encodeUdpFrame, type DecodedFrame } from '../src/packet/index.js';
import * as ethernet from '../src/packet/ethernet.js';
import * as icmp from '../src/packet/icmp.js';
import * as icmpv6 from '../src/packet/icmpv6.js';
import * as ipv4 from '../src/packet/ipv4.js';
import * as ipv6 from '../src/packet/ipv6.js';
import * as tcp from '../src/packet/tcp.js';
import { parseOptions } from '../src/packet/tcp-options.js';
import * as udp from '../src/packet/udp.js';
import { prng, synFrameV4, synFrameV6 } from './packet-vectors.js';

const link = { srcMac: '02:00:00:00:00:02', dstMac: '02:00:00:00:00:01' };
const unwrap = <T>(r: { ok: true; value: T } | { ok: false; error: string }): T => {
  if (!r.ok) throw new Error(r.error);
  return r.value;
};

const seeds: [string, Uint8Array][] = [
  ['ipv4 SYN', synFrameV4()],
  ['ipv6 SYN', synFrameV6()],
  [
    'ipv4 UDP',
    unwrap(encodeUdpFrame({ ...link, ip: { version: 4, src: '192.0.2.1', dst: '192.168.0.1' }, udp: { srcPort: 1, dstPort: 2, payload: new Uint8Array(9) } })),
  ],
  [
    'ipv6 ICMPv6',
    unwrap(
      encodeIcmpFrame({ ...link, ip: { version: 6, src: '::1', dst: '::2' }, icmp: { type: 2, code: 0, restOfHeader: 1280, payload: synFrameV6().subarray(14, 74) } }),
    ),
  ],
];

/** Every parser on every layer of `bytes`. Plain checks, not `expect`, to keep 100k iterations fast. */
function parseEverything(bytes: Uint8Array): void {
  const all = [
    decodeFrame(bytes),
    decodeIp(bytes),
    ethernet.parse(bytes),
    ipv4.parse(bytes),
    ipv6.parse(bytes),
    tcp.parse(bytes),
    udp.parse(bytes),
    icmp.parse(bytes),
    icmpv6.parse(bytes),
    parseOptions(bytes.subarray(0, 40)),
  ];
  for (const r of all) {
    if (r.ok !== true && !(r.ok === false && typeof r.error === 'string' && r.error.length > 0)) fail('not a Result', bytes);
  }
  const f = all[0] as ReturnType<typeof decodeFrame>;
  if (f.ok) {
    reemit(f.value, bytes);
    if (f.value.kind === 'ip' && f.value.l4.proto !== 'other') decodedToL4++;
  }
}

/** How many inputs decoded down to a transport header: the fuzz must reach deep code, not bounce off Ethernet. */
let decodedToL4 = 0;

function fail(what: string, bytes: Uint8Array): never {
  throw new Error(`${what}: ${Buffer.from(bytes).toString('hex')}`);
}

/** What parsed must be representable: emit it again and parse back the same fields. */
function reemit(f: DecodedFrame, bytes: Uint8Array): void {
  if (f.kind !== 'ip') return;
  if (f.ip.version === 4) {
    const again = unwrap(ipv4.parse(ipv4.emit(f.ip)));
    if (again.src !== f.ip.src || again.dst !== f.ip.dst || !isDeepStrictEqual(again.payload, f.ip.payload)) fail('ipv4 re-emit', bytes);
  } else {
    const again = unwrap(ipv6.parse(ipv6.emit(f.ip)));
    if (again.protocol !== f.ip.protocol || !isDeepStrictEqual(again.upperPayload, f.ip.upperPayload)) fail('ipv6 re-emit', bytes);
  }
  if (f.l4.proto === 'tcp') {
    // Re-emitting without a pseudo header keeps the parsed checksum, so everything
    // but the raw option area (bytes after an EOL) and its length must match.
    const seg = f.l4.tcp;
    const again = unwrap(tcp.parse(tcp.emit(seg)));
    const strip = (t: tcp.TcpSegment) => ({ ...t, optionBytes: null, headerLength: null });
    if (!isDeepStrictEqual(strip(again), strip(seg))) fail('tcp re-emit', bytes);
  }
}

describe('hostile input', () => {
  for (const [name, frame] of seeds) {
    it(`${name}: every truncation is a value, and only the whole frame decodes`, () => {
      expect(unwrap(decodeFrame(frame)).kind).toBe('ip');
      for (let n = 0; n < frame.length; n++) {
        const cut = frame.subarray(0, n);
        parseEverything(cut);
        // Cutting into the IP datagram always loses bytes the IP length claims.
        expect(decodeFrame(cut).ok, `${name} cut at ${n}`).toBe(false);
      }
    });

    it(`${name}: 20000 seeded random mutations never throw`, () => {
      const rnd = prng(0xc0ffee ^ frame.length);
      decodedToL4 = 0;
      for (let n = 0; n < 20000; n++) {
        const b = frame.slice();
        const flips = 1 + Math.floor(rnd() * 4);
        for (let k = 0; k < flips; k++) {
          const i = Math.floor(rnd() * b.length);
          // Favour the interesting bytes: lengths, offsets, option kinds.
          b[i] = rnd() < 0.3 ? [0, 1, 2, 0x3f, 0x40, 0x45, 0x4f, 0x60, 0xff][Math.floor(rnd() * 9)]! : Math.floor(rnd() * 256);
        }
        const len = rnd() < 0.2 ? Math.floor(rnd() * (b.length + 1)) : b.length;
        parseEverything(b.subarray(0, len));
      }
      expect(decodedToL4).toBeGreaterThan(2000);
    });
  }

  it('random garbage never throws', () => {
    const rnd = prng(42);
    for (let n = 0; n < 5000; n++) {
      const b = new Uint8Array(Math.floor(rnd() * 120));
      for (let i = 0; i < b.length; i++) b[i] = Math.floor(rnd() * 256);
      if (b.length > 14 && rnd() < 0.5) {
        b[12] = 0x08;
        b[13] = 0x00;
        b[14] = 0x45;
      }
      parseEverything(b);
    }
  });
});
