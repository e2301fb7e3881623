// The tables between script and wire, each defined once (src/engine/packet-map.ts,
// the option names of src/script/known.ts), and the one "did you mean".

import { describe, expect, it } from 'vitest';
import { ECN_CODEPOINTS, ecnOf, flagsFromLetters, lettersFromFlags, TCP_FLAGS, tosOf, wireOption } from '../src/engine/packet-map.js';
import { applyOption, findOption, newConfig, OPTIONS } from '../src/engine/options.js';
import { ECN_CE, ECN_ECT0, ECN_ECT1, ECN_NOT_ECT } from '../src/packet/ip.js';
import * as tcp from '../src/packet/tcp.js';
import { closest, KNOWN_OPTIONS } from '../src/script/known.js';

const span = { line: 1, column: 1, endLine: 1, endColumn: 2 };

describe('TCP flags', () => {
  it('letters and bits both ways, in packetdrill order', () => {
    expect(flagsFromLetters('S.')).toBe(tcp.SYN | tcp.ACK);
    expect(flagsFromLetters('FSRP.UEW')).toBe(0xff);
    expect(flagsFromLetters('-')).toBe(0);
    expect(lettersFromFlags(0xff)).toBe('FSRP.UEW');
    expect(lettersFromFlags(tcp.ACK | tcp.PSH)).toBe('P.');
    expect(lettersFromFlags(tcp.AE)).toBe('');
    for (const f of TCP_FLAGS) if (f.letter) expect(lettersFromFlags(flagsFromLetters(f.letter))).toBe(f.letter);
    expect(TCP_FLAGS.map((f) => f.field)).toEqual(['tcp_fin', 'tcp_syn', 'tcp_rst', 'tcp_psh', 'tcp_ack', 'tcp_urg', 'tcp_ece', 'tcp_cwr', 'tcp_ae']);
  });
});

describe('ECN', () => {
  it('names and codepoints (packet/ip.ts) both ways', () => {
    expect(ECN_CODEPOINTS).toEqual({ noecn: ECN_NOT_ECT, ect1: ECN_ECT1, ect0: ECN_ECT0, ce: ECN_CE, ect01: ECN_ECT0 });
    for (const cp of [0, 1, 2, 3]) expect(ECN_CODEPOINTS[ecnOf(cp)]).toBe(cp);
    expect(ecnOf(0xb9)).toBe('ect1');
    expect(tosOf({ tos: 0x10, ecn: 'ce' })).toBe(0x13);
    expect(tosOf({ tos: 0x13, ecn: 'noecn' })).toBe(0x10);
    expect(tosOf({})).toBe(0);
  });
});

describe('wireOption', () => {
  it('maps each script option to its wire form, numbers as written', () => {
    expect(wireOption({ kind: 'mss', value: 1460, span })).toEqual({ kind: 'mss', value: 1460 });
    expect(wireOption({ kind: 'timestamp', val: 100, ecr: 0, span })).toEqual({ kind: 'timestamp', val: 100, ecr: 0 });
    expect(wireOption({ kind: 'sack', blocks: [{ start: 1, end: 2 }], span })).toEqual({ kind: 'sack', blocks: [{ start: 1, end: 2 }] });
    expect(wireOption({ kind: 'fastopen', cookie: '0102', exp: true, span })).toEqual({ kind: 'fastopen', cookie: Uint8Array.of(1, 2), exp: true });
    expect(wireOption({ kind: 'md5', span })).toEqual({ kind: 'md5', digest: new Uint8Array(16) });
    expect(wireOption({ kind: 'generic', type: 172, data: '000001', span })).toEqual({ kind: 'unknown', type: 172, data: Uint8Array.of(0, 0, 1) });
    expect(wireOption({ kind: 'nop', span })).toEqual({ kind: 'nop' });
  });
});

describe('option names', () => {
  it('the command line and the run know exactly the names a script may use', () => {
    expect(new Set(OPTIONS.map((o) => o.name))).toEqual(new Set(KNOWN_OPTIONS.keys()));
    expect(OPTIONS.length).toBe(KNOWN_OPTIONS.size);
    for (const o of OPTIONS) {
      const known = KNOWN_OPTIONS.get(o.name)!;
      expect(o.value, o.name).toBe(known.value === 'required' && !known.flagOnCommandLine);
    }
    // An option that passes the checks is not refused by the run.
    expect(applyOption(newConfig(), 'code_command', 'python3', new Set())).toBeNull();
    expect(findOption('D')?.name).toBe('define');
  });

  it('one "did you mean" for the command line and scripts', () => {
    const cfg = newConfig();
    expect(applyOption(cfg, 'tolerance_usec', '1', new Set())).toBe('unknown option --tolerance_usec; did you mean --tolerance_usecs?');
    expect(closest('tolerance_usec', KNOWN_OPTIONS.keys())).toBe('tolerance_usecs');
    expect(applyOption(cfg, 'zzzz', '1', new Set())).toBe('unknown option --zzzz');
  });
});
