import { describe, expect, it } from 'vitest';
import * as tcp from '../src/packet/tcp.js';
import { emitOptions, optionsLength, parseOptions, type TcpOption } from '../src/packet/tcp-options.js';
import { hex, refChecksum, synFrameV4, toHex } from './packet-vectors.js';

const u8 = (a: ArrayLike<number>): Uint8Array => Uint8Array.from(a);
const unwrap = <T>(r: { ok: true; value: T } | { ok: false; error: string }): T => {
  if (!r.ok) throw new Error(`unexpected error: ${r.error}`);
  return r.value;
};

const pseudo4 = { src: '192.0.2.1', dst: '192.168.0.1', version: 4 as const };
const pseudo6 = { src: 'fd3d:fa7b:d17d::1', dst: 'fd3d:fa7b:d17d::2', version: 6 as const };

const syn: tcp.TcpFields = {
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

describe('tcp header', () => {
  it('emits the hand-built SYN byte for byte, checksum from the reference', () => {
    const frame = synFrameV4();
    const expectedSegment = frame.subarray(14 + 20);
    expect(toHex(tcp.emit(syn, pseudo4))).toBe(toHex(expectedSegment));
    expect(tcp.verifyChecksum(expectedSegment, pseudo4)).toBe(true);
  });

  it('parses the hand-built SYN', () => {
    const seg = unwrap(tcp.parse(synFrameV4().subarray(34)));
    expect(seg).toMatchObject({ ...syn, headerLength: 40 });
    expect(seg.optionBytes.length).toBe(20);
  });

  it('round-trips every flag, uint32 extremes and a payload, over IPv4 and IPv6', () => {
    const payload = u8(Array.from({ length: 1001 }, (_, i) => (i * 7) & 0xff)); // odd length
    for (const pseudo of [pseudo4, pseudo6]) {
      for (let bit = 0; bit < 9; bit++) {
        const f: tcp.TcpFields = {
          ...syn,
          flags: 1 << bit,
          seq: 0xffffffff,
          ack: 0x80000000,
          window: bit * 1000,
          urgentPointer: bit,
          payload,
        };
        const b = tcp.emit(f, pseudo);
        expect(tcp.verifyChecksum(b, pseudo)).toBe(true);
        const refPseudo =
          pseudo.version === 4
            ? [192, 0, 2, 1, 192, 168, 0, 1, 0, 6, b.length >> 8, b.length & 0xff]
            : [...hex('fd3dfa7bd17d000000000000000000 01 fd3dfa7bd17d000000000000000000 02'), 0, 0, b.length >> 8, b.length & 0xff, 0, 0, 0, 6];
        const zeroed = Array.from(b);
        zeroed[16] = zeroed[17] = 0;
        expect(b[16]! * 256 + b[17]!).toBe(refChecksum([...refPseudo, ...zeroed]));
        const p = unwrap(tcp.parse(b));
        expect(p).toMatchObject({ ...f, checksum: b[16]! * 256 + b[17]! });
        expect(toHex(tcp.emit(p, pseudo))).toBe(toHex(b));
      }
    }
  });

  it('puts AE in the low bit of byte 12 and the rest in byte 13', () => {
    const b = tcp.emit({ ...syn, options: [], flags: tcp.AE | tcp.CWR | tcp.ECE | tcp.ACK });
    expect(b[12]).toBe(0x51);
    expect(b[13]).toBe(0xd0);
    expect(tcp.FIN | tcp.SYN | tcp.RST | tcp.PSH | tcp.ACK | tcp.URG | tcp.ECE | tcp.CWR | tcp.AE).toBe(0x1ff);
  });

  it('writes a given checksum as is when there is no pseudo header', () => {
    const b = tcp.emit({ ...syn, checksum: 0xbeef });
    expect(b[16]! * 256 + b[17]!).toBe(0xbeef);
    expect(tcp.verifyChecksum(b, pseudo4)).toBe(false);
  });

  it('rejects bad data offsets and short headers', () => {
    const b = tcp.emit(syn, pseudo4);
    for (const doff of [0, 1, 4]) {
      const m = b.slice();
      m[12] = (doff << 4) | (m[12]! & 0x0f);
      const r = tcp.parse(m);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error).toMatch(/data offset \d+ bytes < 20/);
    }
    const m = b.slice();
    m[12] = 0xf0;
    const r = tcp.parse(m);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(/data offset 60 bytes > 40/);
    expect(tcp.parse(b.subarray(0, 19)).ok).toBe(false);
  });

  it('throws RangeError on values that cannot exist', () => {
    expect(() => tcp.emit({ ...syn, srcPort: 65536 })).toThrow(RangeError);
    expect(() => tcp.emit({ ...syn, seq: 2 ** 32 })).toThrow(RangeError);
    expect(() => tcp.emit({ ...syn, seq: -1 })).toThrow(RangeError);
    expect(() => tcp.emit({ ...syn, flags: 0x200 })).toThrow(RangeError);
    expect(() => tcp.emit(syn, { ...pseudo4, src: 'x' })).toThrow(RangeError);
  });
});

describe('tcp options', () => {
  const cookie = u8(hex('0102030405060708'));
  const cases: [string, TcpOption, string][] = [
    ['eol', { kind: 'eol' }, '00'],
    ['nop', { kind: 'nop' }, '01'],
    ['mss', { kind: 'mss', value: 1460 }, '020405b4'],
    ['wscale', { kind: 'wscale', value: 14 }, '03030e'],
    ['sackOK', { kind: 'sackOK' }, '0402'],
    ['sack 1 block', { kind: 'sack', blocks: [{ start: 1, end: 0xffffffff }] }, '050a00000001ffffffff'],
    [
      'sack 3 blocks',
      { kind: 'sack', blocks: [{ start: 1, end: 2 }, { start: 3, end: 4 }, { start: 5, end: 6 }] },
      '051a' + '0000000100000002' + '0000000300000004' + '0000000500000006',
    ],
    ['timestamp', { kind: 'timestamp', val: 0xdeadbeef, ecr: 7 }, '080adeadbeef00000007'],
    ['fastopen', { kind: 'fastopen', cookie, exp: false }, '220a0102030405060708'],
    ['fastopen empty', { kind: 'fastopen', cookie: new Uint8Array(0), exp: false }, '2202'],
    ['fastopen exp', { kind: 'fastopen', cookie, exp: true }, 'fe0cf9890102030405060708'],
    ['md5', { kind: 'md5', digest: u8(hex('00112233445566778899aabbccddeeff')) }, '131200112233445566778899aabbccddeeff'],
    ['unknown', { kind: 'unknown', type: 30, data: u8([1, 2, 3]) }, '1e05010203'],
    ['unknown empty', { kind: 'unknown', type: 200, data: new Uint8Array(0) }, 'c802'],
  ];

  for (const [name, opt, wire] of cases) {
    it(`round-trips ${name}`, () => {
      expect(optionsLength([opt])).toBe(wire.length / 2);
      const bytes = emitOptions([opt]);
      expect(toHex(bytes).slice(0, wire.length)).toBe(wire);
      expect(bytes.length % 4).toBe(0);
      const parsed = unwrap(parseOptions(u8(hex(wire))));
      expect(parsed).toEqual([opt]);
      // And inside a whole segment, aligned with NOPs in front so nothing is padded.
      const pad = (4 - ((wire.length / 2) % 4)) % 4;
      const options: TcpOption[] = [...Array.from({ length: pad }, () => ({ kind: 'nop' }) as const), opt];
      if (opt.kind === 'eol') return; // EOL ends the list; covered below
      const seg = unwrap(tcp.parse(tcp.emit({ ...syn, options }, pseudo4)));
      expect(seg.options).toEqual(options);
    });
  }

  it('keeps known kinds with unexpected lengths as unknown, losslessly', () => {
    for (const wire of ['020305', '0205050600', '040300', '0505010203', '0803aa', '080900000000000000', 'fe04abcd', 'fe03ab']) {
      const b = u8(hex(wire));
      const opts = unwrap(parseOptions(b));
      expect(opts.length).toBe(1);
      expect(opts[0]!.kind, wire).toBe('unknown');
      expect(toHex(emitOptions(opts)).slice(0, wire.length)).toBe(wire);
    }
  });

  it('stops at EOL and treats what follows as padding', () => {
    const opts = unwrap(parseOptions(u8(hex('020405b4 00 ff ff ff'))));
    expect(opts).toEqual([{ kind: 'mss', value: 1460 }, { kind: 'eol' }]);
  });

  it('pads with NOP, or with zeros after a final EOL', () => {
    expect(toHex(emitOptions([{ kind: 'mss', value: 1460 }, { kind: 'wscale', value: 7 }]))).toBe('020405b403030701');
    expect(toHex(emitOptions([{ kind: 'wscale', value: 7 }, { kind: 'eol' }]))).toBe('03030700');
    expect(toHex(emitOptions([{ kind: 'sackOK' }, { kind: 'eol' }]))).toBe('04020000');
    expect(emitOptions([]).length).toBe(0);
    // A padded list re-parses with the padding visible as NOPs.
    expect(unwrap(parseOptions(emitOptions([{ kind: 'wscale', value: 7 }])))).toEqual([
      { kind: 'wscale', value: 7 },
      { kind: 'nop' },
    ]);
  });

  it('returns errors for option length 0, 1, overlong or missing', () => {
    const bad: [string, RegExp][] = [
      ['0200', /length 0 < 2/],
      ['0201', /length 1 < 2/],
      ['1e00', /length 0 < 2/],
      ['020505b4', /runs past/],
      ['080a00000000', /runs past/],
      ['08ff', /runs past/],
      ['01010102', /no length byte/],
      ['02', /no length byte/],
    ];
    for (const [wire, re] of bad) {
      const r = parseOptions(u8(hex(wire)));
      expect(r.ok, wire).toBe(false);
      if (!r.ok) expect(r.error, wire).toMatch(re);
    }
    // The same inside a segment: the segment is an error, not an exception.
    const seg = tcp.emit({ ...syn, options: [{ kind: 'nop' }, { kind: 'nop' }, { kind: 'nop' }, { kind: 'nop' }] });
    seg[20] = 2;
    seg[21] = 1;
    const r = tcp.parse(seg);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(/^tcp: tcp option 2 at offset 0: length 1 < 2/);
  });

  it('throws RangeError for lists over 40 bytes and bad values', () => {
    const ts: TcpOption = { kind: 'timestamp', val: 1, ecr: 2 };
    expect(() => emitOptions([ts, ts, ts, ts, { kind: 'nop' }])).toThrow(/> 40/);
    expect(() => emitOptions([{ kind: 'mss', value: 70000 }])).toThrow(RangeError);
    expect(() => emitOptions([{ kind: 'wscale', value: -1 }])).toThrow(RangeError);
    expect(() => emitOptions([{ kind: 'unknown', type: 1, data: new Uint8Array(0) }])).toThrow(/single-byte/);
  });
});
