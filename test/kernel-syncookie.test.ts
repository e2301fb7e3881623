import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  cookieMss,
  decodeCookieTsBits,
  encodeCookieTsBits,
  judgeSynAck,
  MSS_TABLE_V4,
  MSS_TABLE_V6,
  type SynAckSeen,
  type SynSeen,
} from '../src/kernel/index.js';

// Every SYN/SYN-ACK pair below was seen on Linux 6.18 in a throwaway namespace
// (listener on 192.168.0.1:8080 or [fd3d:...::1]:8081, SYNs crafted on a veth
// peer). "cookie" pairs: tcp_syncookies=2; "ordinary" pairs: tcp_syncookies=1
// with room in the request queue. tcp_timestamps=2 unless said otherwise.

const SYN_1400: SynSeen = { mss: 1400, sackOK: true, ts: { val: 100, ecr: 0 }, wscale: 7, ecn: false };
const exact = { tsExact: true };

function failed(j: ReturnType<typeof judgeSynAck>): string[] {
  return j.checks.filter((c) => !c.ok).map((c) => c.message);
}

describe('the cookie tables', () => {
  it('are the 6.18 tables', () => {
    expect(MSS_TABLE_V4).toEqual([536, 1300, 1440, 1460]);
    expect(MSS_TABLE_V6).toEqual([1220, 1420, 1440, 8940]);
  });

  it('map a SYN MSS to the segment size measured after the cookie handshake (IPv4)', () => {
    const measured: Array<[number | undefined, number]> = [
      [100, 536], [200, 536], [535, 536], [536, 536], [1000, 536], [1299, 536], [1300, 1300], [1400, 1300],
      [1439, 1300], [1440, 1440], [1459, 1440], [1460, 1460], [1461, 1460], [8960, 1460], [undefined, 536],
    ];
    expect(measured.map(([syn]) => [syn, cookieMss(syn, 4)])).toEqual(measured);
  });

  it('map a SYN MSS to the segment size measured after the cookie handshake (IPv6)', () => {
    const measured: Array<[number | undefined, number]> = [
      [100, 1220], [536, 1220], [1300, 1220], [1400, 1220], [1420, 1420], [1430, 1420], [1439, 1420], [1440, 1440],
      [1460, 1440], [8939, 1440], [8940, 8940], [9000, 8940], [undefined, 1220],
    ];
    expect(measured.map(([syn]) => [syn, cookieMss(syn, 6)])).toEqual(measured);
  });
});

describe('the TS val option bits', () => {
  it('encode wscale (clamped to 14, 0xf for none), SACK in bit 4, ECN in bit 5', () => {
    expect(encodeCookieTsBits({ wscale: 7, sackOK: true, ecn: false })).toBe(0x17);
    expect(encodeCookieTsBits({ wscale: 7, sackOK: true, ecn: true })).toBe(0x37);
    expect(encodeCookieTsBits({ wscale: null, sackOK: false, ecn: false })).toBe(0x0f);
    expect(encodeCookieTsBits({ wscale: 15, sackOK: false, ecn: false })).toBe(0x0e);
    expect(encodeCookieTsBits({ wscale: 0, sackOK: false, ecn: true })).toBe(0x20);
  });
  it('decode', () => {
    expect(decodeCookieTsBits(1603159)).toEqual({ wscale: 7, sackOK: true, ecn: false });
    expect(decodeCookieTsBits(1603375)).toEqual({ wscale: null, sackOK: false, ecn: true });
  });
});

describe('judgeSynAck: cookies', () => {
  it('SYN MSS 1400, sackOK, TS, wscale 7 → TS val low bits 0x17', () => {
    const synAck: SynAckSeen = { mss: 1460, sackOK: true, ts: { val: 1603159, ecr: 100 }, wscale: 10, ece: false, family: 4 };
    const j = judgeSynAck(SYN_1400, synAck, exact);
    expect(failed(j)).toEqual([]);
    expect(j.looksLikeCookie).toBe(true);
    expect(j.conclusive).toBe(true);
    expect(j.checks.map((c) => c.message)).toEqual([
      'SYN-ACK MSS option: expected present vs actual 1460',
      'SYN-ACK TS ecr (echoes the SYN TS val): expected 100 vs actual 100',
      'cookie TS val bits 0-3 (wscale): expected 7 vs actual 7',
      'cookie TS val bit 4 (SACK): expected 1 vs actual 1',
      'cookie TS val bit 5 (ECN): expected 0 vs actual 0',
    ]);
    expect(j.notes).toEqual([
      "cookie MSS not checked: the SYN-ACK's MSS option is the local advertised MSS; the cookie's (1300) shows only in the segments sent after the handshake",
    ]);
  });

  it('an ECN setup SYN → ECE and bit 5', () => {
    const j = judgeSynAck({ ...SYN_1400, ecn: true }, { mss: 1460, sackOK: true, ts: { val: 1603191, ecr: 100 }, wscale: 10, ece: true, family: 4 }, exact);
    expect(failed(j)).toEqual([]);
  });

  it('no wscale, no SACK → 0xf and bit 4 clear', () => {
    const j = judgeSynAck({ mss: 1459, sackOK: false, ts: { val: 100, ecr: 0 }, ecn: false }, { mss: 1460, sackOK: false, ts: { val: 1603343, ecr: 100 }, ece: false, family: 4 }, exact);
    expect(failed(j)).toEqual([]);
    expect(j.checks.find((c) => c.what.includes('wscale'))!.message).toBe(
      'cookie TS val bits 0-3 (wscale): expected 15 (0xf: no window scaling) vs actual 15 (0xf: no window scaling)',
    );
  });

  it('a SYN wscale above 14 is encoded as 14', () => {
    const syn: SynSeen = { mss: 1460, sackOK: false, ts: { val: 5, ecr: 0 }, wscale: 15, ecn: false };
    const j = judgeSynAck(syn, { mss: 1460, sackOK: false, ts: { val: 1711822, ecr: 5 }, wscale: 10, ece: false, family: 4 }, exact);
    expect(failed(j)).toEqual([]);
  });

  it('the host without SACK (tcp_sack=0): no sackOK offered, bit 4 clear', () => {
    const syn: SynSeen = { mss: 1460, sackOK: true, ts: { val: 5, ecr: 0 }, wscale: 2, ecn: false };
    const j = judgeSynAck(syn, { mss: 1460, sackOK: false, ts: { val: 1712770, ecr: 5 }, wscale: 10, ece: false, family: 4 }, exact);
    expect(failed(j)).toEqual([]);
  });

  it('IPv6', () => {
    const j = judgeSynAck(SYN_1400, { mss: 1440, sackOK: true, ts: { val: 1604375, ecr: 100 }, wscale: 10, ece: false, family: 6 }, exact);
    expect(failed(j)).toEqual([]);
  });

  it('a SYN without TS → the SYN-ACK offers MSS only', () => {
    const syn: SynSeen = { mss: 1400, sackOK: true, wscale: 7, ecn: true };
    const j = judgeSynAck(syn, { mss: 1460, sackOK: false, ece: false, family: 4 }, { tsExact: false });
    expect(failed(j)).toEqual([]);
    expect(j.conclusive).toBe(true);
    expect(j.checks.map((c) => c.message)).toEqual([
      'SYN-ACK MSS option: expected present vs actual 1460',
      'cookie without TS (the SYN carried no TS): wscale option: expected absent vs actual absent',
      'cookie without TS (the SYN carried no TS): sackOK option: expected absent vs actual absent',
      'cookie without TS (the SYN carried no TS): ECE flag: expected clear vs actual clear',
    ]);
  });

  it('the sent MSS: SYN MSS 1400 → 1300-byte segments (1288 payload + 12 TS)', () => {
    const synAck: SynAckSeen = { mss: 1460, sackOK: true, ts: { val: 1603159, ecr: 100 }, wscale: 10, ece: false, family: 4 };
    const j = judgeSynAck(SYN_1400, synAck, { tsExact: true, sentMss: 1300, pathMss: 1460 });
    expect(failed(j)).toEqual([]);
    expect(j.checks.at(-1)!.message).toBe('cookie MSS (largest segment sent): expected 1300 (largest table entry <= SYN MSS 1400) vs actual 1300');
    expect(j.checks.at(-1)!.telling).toBe(true);
  });

  it('the sent MSS, capped by the path: IPv6 SYN MSS 9000 → 1440', () => {
    const syn: SynSeen = { ...SYN_1400, mss: 9000 };
    const j = judgeSynAck(syn, { mss: 1440, sackOK: true, ts: { val: 1604375, ecr: 100 }, wscale: 10, ece: false, family: 6 }, { tsExact: true, sentMss: 1440, pathMss: 1440 });
    expect(failed(j)).toEqual([]);
    const mss = j.checks.at(-1)!;
    expect(mss.message).toBe(
      "cookie MSS (largest segment sent): expected 1440 (the path MSS; the cookie's is 8940, the largest table entry <= SYN MSS 9000) vs actual 1440",
    );
    expect(mss.telling).toBe(false);
  });

  it('with tcp_timestamps=1 the bits are hidden: consistent, but not conclusive', () => {
    const synAck: SynAckSeen = { mss: 1460, sackOK: true, ts: { val: 3241667594, ecr: 100 }, wscale: 10, ece: false, family: 4 };
    const j = judgeSynAck(SYN_1400, synAck, { tsExact: false });
    expect(j.looksLikeCookie).toBe(true);
    expect(j.conclusive).toBe(false);
    expect(j.notes[0]).toBe('cookie TS val low 6 bits not checked: a per-connection random TS offset hides them unless net.ipv4.tcp_timestamps=2');
  });
});

describe('judgeSynAck: ordinary SYN-ACKs and broken cookies', () => {
  it('an ordinary SYN-ACK to SYN MSS 1400, wscale 7: each wrong bit named', () => {
    const synAck: SynAckSeen = { mss: 1460, sackOK: true, ts: { val: 2055545, ecr: 100 }, wscale: 10, ece: false, family: 4 };
    const j = judgeSynAck(SYN_1400, synAck, exact);
    expect(j.looksLikeCookie).toBe(false);
    expect(j.conclusive).toBe(true);
    expect(failed(j)).toEqual([
      'cookie TS val bits 0-3 (wscale): expected 7 vs actual 9',
      'cookie TS val bit 5 (ECN): expected 0 vs actual 1',
    ]);
  });

  it('an ordinary SYN-ACK to an ECN setup SYN', () => {
    const synAck: SynAckSeen = { mss: 1460, sackOK: true, ts: { val: 2055645, ecr: 100 }, wscale: 10, ece: true, family: 4 };
    expect(failed(judgeSynAck({ ...SYN_1400, mss: 1460, ecn: true }, synAck, exact))).toEqual([
      'cookie TS val bits 0-3 (wscale): expected 7 vs actual 13',
      'cookie TS val bit 5 (ECN): expected 1 vs actual 0',
    ]);
  });

  it('an ordinary SYN-ACK to a SYN without wscale and SACK', () => {
    const syn: SynSeen = { mss: 1460, sackOK: false, ts: { val: 100, ecr: 0 }, ecn: false };
    const synAck: SynAckSeen = { mss: 1460, sackOK: false, ts: { val: 2055746, ecr: 100 }, ece: false, family: 4 };
    expect(failed(judgeSynAck(syn, synAck, exact))).toEqual([
      'cookie TS val bits 0-3 (wscale): expected 15 (0xf: no window scaling) vs actual 2',
    ]);
  });

  it('an ordinary SYN-ACK to a SYN without TS offers wscale and sackOK', () => {
    const syn: SynSeen = { mss: 1400, sackOK: true, wscale: 7, ecn: false };
    const j = judgeSynAck(syn, { mss: 1460, sackOK: true, wscale: 10, ece: false, family: 4 }, exact);
    expect(j.looksLikeCookie).toBe(false);
    expect(failed(j)).toEqual([
      'cookie without TS (the SYN carried no TS): wscale option: expected absent vs actual 10',
      'cookie without TS (the SYN carried no TS): sackOK option: expected absent vs actual present',
    ]);
  });

  it('an ordinary connection sends with the SYN MSS, not the table entry', () => {
    const synAck: SynAckSeen = { mss: 1460, sackOK: true, ts: { val: 1603159, ecr: 100 }, wscale: 10, ece: false, family: 4 };
    expect(failed(judgeSynAck(SYN_1400, synAck, { tsExact: false, sentMss: 1400, pathMss: 1460 }))).toEqual([
      'cookie MSS (largest segment sent): expected 1300 (largest table entry <= SYN MSS 1400) vs actual 1400',
    ]);
    // SYN MSS below the table: the cookie sends MORE than the SYN asked for.
    expect(failed(judgeSynAck({ ...SYN_1400, mss: 200 }, synAck, { tsExact: false, sentMss: 200 }))).toEqual([
      'cookie MSS (largest segment sent): expected 536 (smallest table entry: SYN MSS 200 is below the table) vs actual 200',
    ]);
    expect(failed(judgeSynAck({ ...SYN_1400, mss: undefined }, synAck, { tsExact: false, sentMss: 1000 }))).toEqual([
      'cookie MSS (largest segment sent): expected 536 (table entry for the default MSS 536: the SYN has no MSS option) vs actual 1000',
    ]);
  });

  it('options the SYN did not offer, a TS the SYN did not carry, a wrong echo, no MSS', () => {
    const syn: SynSeen = { sackOK: false, ts: { val: 100, ecr: 0 }, ecn: false };
    const synAck: SynAckSeen = { sackOK: true, ts: { val: 0x1f + 64 * 1000, ecr: 99 }, wscale: 3, ece: true, family: 4 };
    expect(failed(judgeSynAck(syn, synAck, exact))).toEqual([
      'SYN-ACK MSS option: expected present vs actual absent',
      'SYN-ACK TS ecr (echoes the SYN TS val): expected 100 vs actual 99',
      'SYN-ACK wscale option: expected absent (the SYN offered none) vs actual 3',
      'SYN-ACK sackOK option: expected absent (the SYN offered none) vs actual present',
      'SYN-ACK ECE flag: expected clear (the SYN was no ECN setup SYN) vs actual set',
      'cookie TS val bit 5 (ECN): expected 1 vs actual 0',
    ]);
    const noTs = judgeSynAck({ mss: 1460, sackOK: false, ecn: false }, { mss: 1460, sackOK: false, ts: { val: 7, ecr: 0 }, ece: false, family: 4 }, exact);
    expect(failed(noTs)).toEqual(['SYN-ACK TS option: expected absent (the SYN carried no TS) vs actual val 7 ecr 0']);
  });

  it('a SYN-ACK without TS although the SYN had one (host tcp_timestamps=0): MSS only', () => {
    const j = judgeSynAck({ ...SYN_1400, ecn: true }, { mss: 1460, sackOK: true, ece: true, family: 4 }, exact);
    expect(failed(j)).toEqual([
      'cookie without TS (the SYN-ACK carries no TS): sackOK option: expected absent vs actual present',
      'cookie without TS (the SYN-ACK carries no TS): ECE flag: expected clear vs actual set',
    ]);
  });
});

// The live kernel: python3 in a throwaway namespace crafts SYNs on a veth
// peer (AF_PACKET), captures the SYN-ACKs, completes one cookie handshake and
// measures the segments the kernel then sends; it prints one JSON line per case.
const PROBE = String.raw`
import json, select, socket, struct, subprocess, sys, time
def sh(c):
    subprocess.run(c, shell=True, check=True, capture_output=True)
for c in ['ip link set lo up',
          'ip link add veth0 address 02:70:6b:00:00:01 type veth peer name veth1 address 02:70:6b:00:00:02',
          'sysctl -qw net.ipv6.conf.veth1.disable_ipv6=1', 'sysctl -qw net.ipv6.conf.veth0.disable_ipv6=1',
          'ethtool -K veth0 tso off gso off gro off tx off rx off', 'ethtool -K veth1 tso off gso off gro off tx off rx off',
          'ip link set veth1 up', 'ip link set veth0 up',
          'ip addr add 192.168.0.1/16 dev veth0', 'ip route add 192.0.2.1 dev veth0',
          'ip neigh add 192.0.2.1 lladdr 02:70:6b:00:00:02 dev veth0 nud permanent',
          'sysctl -qw net.ipv4.tcp_timestamps=2']:
    sh(c)
for _ in range(100):
    out = subprocess.run(['ip', '-o', 'link', 'show'], capture_output=True, text=True).stdout
    if all('LOWER_UP' in l for l in out.splitlines() if 'veth' in l): break
    time.sleep(0.02)
def csum(b):
    if len(b) % 2: b += b'\0'
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    while s >> 16: s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff
def opts(mss, sack, ts, ws):
    o = b''
    if mss is not None: o += struct.pack('!BBH', 2, 4, mss)
    if sack: o += b'\x04\x02'
    if ts is not None: o += struct.pack('!BBII', 8, 10, ts[0], ts[1])
    if ws is not None: o += b'\x01\x03\x03' + bytes([ws])
    while len(o) % 4: o += b'\x01'
    return o
def frame(sport, seq, ack, flags, o):
    seg = struct.pack('!HHIIBBHHH', sport, 8080, seq, ack, (20 + len(o)) // 4 << 4, flags, 65535, 0, 0) + o
    src, dst = socket.inet_aton('192.0.2.1'), socket.inet_aton('192.168.0.1')
    c = csum(src + dst + struct.pack('!BBH', 0, 6, len(seg)) + seg)
    seg = seg[:16] + struct.pack('!H', c) + seg[18:]
    ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(seg), 0, 0x4000, 64, 6, 0, src, dst)
    ip = ip[:10] + struct.pack('!H', csum(ip)) + ip[12:]
    return b'\x02pk\x00\x00\x01\x02pk\x00\x00\x02\x08\x00' + ip + seg
def parse(fr):
    if fr[12:14] != b'\x08\x00' or fr[23] != 6: return None
    t = fr[14 + (fr[14] & 15) * 4:]
    sport, dport, seq, ack, off, fl = struct.unpack('!HHIIBB', t[:14])
    hl = (off >> 4) * 4; o = t[20:hl]; d = {'dport': dport, 'seq': seq, 'flags': fl, 'size': len(t) - 20, 'sackOK': False, 'ece': bool(fl & 64)}
    i = 0
    while i < len(o):
        k = o[i]
        if k == 0: break
        if k == 1: i += 1; continue
        v = o[i + 2:i + o[i + 1]]
        if k == 2: d['mss'] = struct.unpack('!H', v)[0]
        if k == 3: d['wscale'] = v[0]
        if k == 4: d['sackOK'] = True
        if k == 8: d['ts'] = dict(zip(('val', 'ecr'), struct.unpack('!II', v)))
        i += o[i + 1]
    return d
wire = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
wire.bind(('veth1', 0))
def recv(port, timeout):
    out, end = [], time.time() + timeout
    while True:
        r, _, _ = select.select([wire], [], [], max(0, end - time.time()))
        if not r: return out
        fr, addr = wire.recvfrom(65535)
        p = None if addr[2] == socket.PACKET_OUTGOING else parse(fr)
        if p and p['dport'] == port: out.append(p)
l = socket.socket(); l.bind(('0.0.0.0', 8080)); l.listen(16); l.settimeout(1)
port = 41000
for mode, cookies in (('cookie', 2), ('ordinary', 1)):
    sh('sysctl -qw net.ipv4.tcp_syncookies=%d' % cookies)
    for mss, sack, ts, ws, ecn in ((1400, True, (100, 0), 7, False), (1460, False, (100, 0), None, True),
                                   (1300, True, (100, 0), 14, True), (1400, True, None, 7, True)):
        port += 1
        wire.send(frame(port, 1000, 0, 2 | (192 if ecn else 0), opts(mss, sack, ts, ws)))
        sa = recv(port, 0.1)[0]
        syn = {'mss': mss, 'sackOK': sack, 'ecn': ecn}
        if ts: syn['ts'] = {'val': ts[0], 'ecr': ts[1]}
        if ws is not None: syn['wscale'] = ws
        case = {'mode': mode, 'syn': syn, 'synAck': sa}
        if mss == 1400 and ts:
            ao = opts(None, False, (101, sa['ts']['val']), None)
            wire.send(frame(port, 1001, sa['seq'] + 1, 16, ao))
            c, _ = l.accept(); c.sendall(b'x' * 5000)
            case['sentMss'] = max(p['size'] for p in recv(port, 0.3))
            c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0)); c.close()
        print(json.dumps(case), flush=True)
`;

describe.skipIf(!(typeof process.geteuid === 'function' && process.geteuid() === 0))('judgeSynAck on the live kernel', () => {
  interface Case {
    mode: 'cookie' | 'ordinary';
    syn: SynSeen;
    synAck: SynAckSeen & { size: number };
    sentMss?: number;
  }
  let cases: Case[] = [];
  it('runs the probe', () => {
    const out = execFileSync('unshare', ['-n', 'python3', '-c', PROBE], { encoding: 'utf8', timeout: 30_000 });
    cases = out.trim().split('\n').map((l) => JSON.parse(l) as Case);
    expect(cases.length).toBe(8);
  });

  it('every cookie SYN-ACK looks like a cookie, conclusively', () => {
    for (const c of cases.filter((x) => x.mode === 'cookie')) {
      const j = judgeSynAck(c.syn, { ...c.synAck, family: 4 }, { tsExact: true, pathMss: 1460, ...(c.sentMss === undefined ? {} : { sentMss: c.sentMss }) });
      expect([c.syn, failed(j)]).toEqual([c.syn, []]);
      expect(j.conclusive).toBe(true);
    }
  });

  it('the cookie connection for SYN MSS 1400 sends 1300-byte segments (payload + TS)', () => {
    expect(cases.filter((c) => c.sentMss !== undefined).map((c) => [c.mode, c.sentMss])).toEqual([
      ['cookie', 1300],
      ['ordinary', 1400],
    ]);
  });

  it('the ordinary answer to a SYN without TS, and the ordinary connection MSS, do not', () => {
    const noTs = cases.find((c) => c.mode === 'ordinary' && c.syn.ts === undefined)!;
    expect(judgeSynAck(noTs.syn, { ...noTs.synAck, family: 4 }, { tsExact: true }).looksLikeCookie).toBe(false);
    const sent = cases.find((c) => c.mode === 'ordinary' && c.sentMss !== undefined)!;
    const j = judgeSynAck(sent.syn, { ...sent.synAck, family: 4 }, { tsExact: false, sentMss: sent.sentMss!, pathMss: 1460 });
    expect(failed(j)).toEqual(['cookie MSS (largest segment sent): expected 1300 (largest table entry <= SYN MSS 1400) vs actual 1400']);
  });
});
