// The probe's battery: one script per question about the server's listener,
// each run in a namespace of its own, and what each run's reads and packets
// say. Every script is written twice by the same code (src/probe/script.ts):
// measuring (reads, `= ...`) and pinning (the values measured, asserted).
//
// Kernel facts the scripts rest on (Linux 6.18, measured with the probe's own
// scripts against `python3 -m http.server`, listen(fd, 5)):
// - SIGSTOP to -1 in the script's PID namespace stops the server and keeps
//   its listener: the kernel still answers SYNs and completes handshakes,
//   nothing is accepted or read. Queues fill exactly.
// - SYN queue: backlog + 1 requests (syn_recv 6 for listen(fd, 5)); the 7th
//   SYN finds it full: a cookie with tcp_syncookies=1 (TCPReqQFullDoCookies
//   and SyncookiesSent +1 each), dropped with 0 (TCPReqQFullDrop +1).
// - tcp_syncookies=0 and tcp_max_syn_backlog=M: a SYN from an unproven peer
//   is dropped once M - (requests) < M/4 (integer), so M - M/4 + 1 requests
//   are made: M=4 → 4 (10 SYNs: syn_recv 4, ListenDrops +6, TCPReqQFullDrop
//   +0: the queue itself was not full).
// - Accept queue: backlog + 1 children; then a final ACK is dropped
//   (ListenOverflows +1) and the SYN-ACK sent again 1 s after the first, or
//   answered with RST under tcp_abort_on_overflow=1; a new SYN is dropped
//   without an answer (ListenOverflows +1).
// - Cookies (tcp_syncookies=2): the connection's MSS (ss mss:) is the table's
//   (1460 → 1460, 1440 → 1440, 1400 → 1300, 1000 → 536); with
//   tcp_timestamps=2 the SYN-ACK's TS val low 6 bits carry wscale and SACK
//   (wscale 7 + SACK: 0x17); a forged ACK is reset (seq = its ack) and counts
//   SyncookiesFailed.
// - A peer's FIN on a connection the server never reads leaves it in
//   CLOSE_WAIT with Recv-Q = data + 1 (the FIN); http.server answers and
//   closes (LAST_ACK, Recv-Q 0).

import { decodeCookieTsBits } from '../kernel/syncookie.js';
import { isRst, isSynAck, isFin, type RunEvidence, type SeenSegment } from './evidence.js';
import { outPorts, ports, prologue, PktWriter, type Pins, type ProbeTarget } from './script.js';

/** One row of the probe's table. */
export interface Finding {
  /** Stable name, e.g. `syn-queue-capacity`. */
  id: string;
  /** What was measured, as the table's first column says it. */
  measured: string;
  value: string;
  /** Counters that moved, packets seen, what a read found. */
  evidence: string[];
  /** The measurement (and script) it came from. */
  measurement: string;
  /** Not measured, and why (value says it); or the script failed. */
  status: 'measured' | 'not-measured' | 'failed';
  /** Numbers for the HTML report's pictures (queues filled, SYN-ACK times in s). */
  data?: Record<string, number | number[]>;
}

/** What earlier measurements found, for the scripts that build on them. */
export interface Known {
  backlog: number;
  /** What listen() asked for, seen with net.core.somaxconn raised to 65535. */
  asked?: number;
  /** The namespace's sysctls that shape the listener (SETTINGS), as read. */
  settings?: Record<string, number>;
  /** Requests the SYN queue held (0 when every SYN got a cookie). */
  synQueue?: number;
  /** Whether a full SYN queue answered with cookies. */
  cookies?: boolean;
}

export interface Interpretation {
  findings: Finding[];
  pins: Pins;
  known?: Partial<Known>;
}

export interface Measurement {
  id: string;
  /** Why it cannot run with what is known, or null. */
  skip(k: Known): string | null;
  write(t: ProbeTarget, k: Known, pins: Pins | null, quick: boolean): PktWriter;
  interpret(ev: RunEvidence, w: PktWriter, t: ProbeTarget, k: Known, quick: boolean): Interpretation;
  /** Findings a skipped measurement would have made, with the reason as value. */
  skipped: Array<{ id: string; measured: string }>;
}

/** The most SYNs or handshakes a script sends at once. */
export const FLOOD_LIMIT = 1024;

const SYN = 'S 0:0(0) win 65535 <mss 1460>';

/** Above this many handshakes at once a script allows BIG_FLOOD_TOLERANCE_USECS for its inbound packets' times. */
const BIG_FLOOD = 64;
const BIG_FLOOD_TOLERANCE_USECS = 250_000;

function num(ev: RunEvidence, w: PktWriter, label: string, field = 'value'): number | undefined {
  const line = w.lineOf(label);
  const v = line === undefined ? undefined : ev.reads.get(line)?.fields[field];
  return v === undefined || !/^-?\d+$/.test(v) ? undefined : Number(v);
}

function field(ev: RunEvidence, w: PktWriter, label: string, name: string): string | undefined {
  const line = w.lineOf(label);
  return line === undefined ? undefined : ev.reads.get(line)?.fields[name];
}

/** `TcpExtSyncookiesSent +4, TcpExtTCPReqQFullDoCookies +4` for the counters read that moved. */
function moved(ev: RunEvidence, w: PktWriter, counters: Array<[string, string]>): string {
  const parts = counters.map(([label, name]) => [name, num(ev, w, label)] as const).filter(([, v]) => v !== undefined && v !== 0);
  return parts.length ? parts.map(([n, v]) => `${n} +${v}`).join(', ') : 'no counter moved';
}

function pinCounters(ev: RunEvidence, w: PktWriter, labels: string[], pins: Pins): void {
  for (const l of labels) {
    const v = num(ev, w, l);
    if (v !== undefined) pins.reads[l] = String(v);
  }
}

/** Remote ports in [first, first + count) that got a SYN-ACK. */
function synAckPorts(segs: SeenSegment[], first: number, count: number): number[] {
  return [...new Set(segs.filter((s) => isSynAck(s) && s.remotePort >= first && s.remotePort < first + count).map((s) => s.remotePort))].sort((a, b) => a - b);
}

/** Whether the ports are first, first + 1, ... */
function contiguousFrom(list: number[], first: number): boolean {
  return list.every((p, i) => p === first + i);
}

function basePins(k: Known): Pins {
  return { reads: { backlog: `{send_q=${k.backlog}}` }, after: {} };
}

const secs = (us: number): string => (us / 1e6).toFixed(2);

// ------------------------------------------------------------------ backlog

/** The sysctls that shape a listener's queues and answers, read in the namespace the probe's scripts get. */
export const SETTINGS = [
  'net.core.somaxconn',
  'net.ipv4.tcp_max_syn_backlog',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.tcp_abort_on_overflow',
  'net.ipv4.tcp_synack_retries',
] as const;

const short = (name: string): string => name.slice(name.lastIndexOf('.') + 1);

export const backlog: Measurement = {
  id: 'backlog',
  skipped: [],
  skip: () => null,
  write(t, _k, pins) {
    const w = new PktWriter(pins);
    w.comment(`The backlog of \`${t.server}\`'s listener on port ${t.port}, as ss shows it (Send-Q),\nand the namespace's sysctls that shape its queues.`);
    prologue(w, t, [], false);
    for (const name of SETTINGS) w.read(short(name), '+0', `sysctl("${name}")`);
    return w;
  },
  interpret(ev, w) {
    const b = num(ev, w, 'backlog', 'send_q');
    const value = b === undefined ? 'not read' : String(b);
    const reads: Record<string, string> = b === undefined ? {} : { backlog: `{send_q=${b}}` };
    const settings: Record<string, number> = {};
    for (const name of SETTINGS) {
      const v = num(ev, w, short(name));
      if (v === undefined) continue;
      settings[name] = v;
      reads[short(name)] = String(v);
    }
    const shown = Object.entries(settings).map(([n, v]) => `${short(n)} ${v}`).join(', ');
    return {
      findings: [
        { id: 'backlog', measured: 'listen backlog (after somaxconn)', value, evidence: [`ss Send-Q ${value}`], measurement: 'backlog', status: b === undefined ? 'failed' : 'measured' },
        { id: 'settings', measured: 'namespace sysctls', value: shown || 'not read', evidence: ['sysctl() reads in the probe\'s namespace'], measurement: 'backlog', status: shown ? 'measured' : 'failed' },
      ],
      pins: { reads, after: {} },
      known: b === undefined ? undefined : { backlog: b, settings },
    };
  },
};

/** The same listener with somaxconn raised: what listen() asked for, up to 65535. */
export const backlogAsked: Measurement = {
  id: 'backlog-asked',
  skipped: [],
  skip: () => null,
  write(t, _k, pins) {
    const w = new PktWriter(pins);
    w.comment(`The backlog \`${t.server}\` asks listen() for: with net.core.somaxconn 65535 nothing below it is clamped.`);
    prologue(w, t, ['net.core.somaxconn=65535'], false);
    return w;
  },
  interpret(ev, w, _t, k) {
    const asked = num(ev, w, 'backlog', 'send_q');
    const reads: Record<string, string> = asked === undefined ? {} : { backlog: `{send_q=${asked}}` };
    return { findings: [], pins: { reads, after: {} }, known: asked === undefined ? undefined : { asked } };
  },
};

// ---------------------------------------------------------------- SYN queue

export const synQueue: Measurement = {
  id: 'syn-queue',
  skipped: [
    { id: 'syn-queue-capacity', measured: 'SYN queue capacity' },
    { id: 'syn-queue-full', measured: 'SYN queue full' },
  ],
  skip: (k) => (k.backlog + 1 > FLOOD_LIMIT ? `not filled: backlog ${k.backlog} needs more than ${FLOOD_LIMIT} SYNs` : null),
  write(t, k, pins) {
    const w = new PktWriter(pins);
    const n = k.backlog + 5;
    w.comment(
      `SYN queue of \`${t.server}\`: ${n} SYNs at once to the stopped server;\n` +
        `the queue takes backlog + 1 = ${k.backlog + 1} (as ss shows, syn_recv), the rest find it full.`,
    );
    prologue(w, t, [], true);
    w.blank();
    w.line('+0', `< ${ports(41000, n, t.port)} ${SYN}`, 'flood');
    w.read('syn', '+.05', `listen_queue(${t.port})`);
    w.read('fulldrop', '+0', 'nstat(TcpExtTCPReqQFullDrop)');
    w.read('docookies', '+0', 'nstat(TcpExtTCPReqQFullDoCookies)');
    w.read('sent', '+0', 'nstat(TcpExtSyncookiesSent)');
    w.read('drops', '+0', 'nstat(TcpExtListenDrops)');
    return w;
  },
  interpret(ev, w, t, k) {
    const n = k.backlog + 5;
    const pins = basePins(k);
    const c = num(ev, w, 'syn', 'syn_recv');
    const answered = synAckPorts(ev.segments, 41000, n);
    const counters = moved(ev, w, [
      ['docookies', 'TcpExtTCPReqQFullDoCookies'],
      ['sent', 'TcpExtSyncookiesSent'],
      ['fulldrop', 'TcpExtTCPReqQFullDrop'],
      ['drops', 'TcpExtListenDrops'],
    ]);
    const cookies = num(ev, w, 'sent') ?? 0;
    const full = num(ev, w, 'fulldrop') ?? 0;
    const drops = num(ev, w, 'drops') ?? 0;
    if (c !== undefined) pins.reads.syn = `{syn_recv=${c}}`;
    pinCounters(ev, w, ['fulldrop', 'docookies', 'sent', 'drops'], pins);
    if (answered.length && contiguousFrom(answered, 41000)) {
      pins.after.flood = [`+0   > ${outPorts(41000, answered.length, t.port)} S. 0:0(0) ack 1 <...>`];
    }
    let fullValue: string;
    if (c === 0 && cookies === n) fullValue = `never full: every SYN got a cookie (tcp_syncookies=2)`;
    else if (cookies > 0) fullValue = `syncookies (${cookies} of ${n} SYNs answered with a cookie)`;
    else if (full > 0) fullValue = `SYN dropped, no answer (${full} of ${n})`;
    else if (drops > 0) fullValue = `SYN dropped before the queue was full (${drops} of ${n}; tcp_max_syn_backlog)`;
    else fullValue = 'not reached';
    const status = c === undefined ? 'failed' : 'measured';
    return {
      findings: [
        {
          id: 'syn-queue-capacity',
          measured: 'SYN queue capacity',
          value: c === undefined ? 'not read' : `${c}${c === k.backlog + 1 ? ' (backlog + 1)' : c === 0 && cookies === n ? ' (every SYN got a cookie)' : ''}`,
          evidence: [`${n} SYNs at once, server stopped: syn_recv ${c ?? '?'}`, `${answered.length} SYN-ACKs seen`],
          measurement: 'syn-queue',
          status,
          data: { sent: n, held: c ?? 0, cookies, dropped: n - (c ?? 0) - cookies },
        },
        { id: 'syn-queue-full', measured: 'SYN queue full', value: fullValue, evidence: [counters], measurement: 'syn-queue', status },
      ],
      pins,
      known: c === undefined ? undefined : { synQueue: c, cookies: cookies > 0 },
    };
  },
};

// ------------------------------------------------------------- accept queue

function acceptQueue(abort: boolean): Measurement {
  const X = 49000;
  const Y = 49001;
  return {
    id: abort ? 'abort-on-overflow' : 'accept-queue',
    skipped: abort
      ? [{ id: 'abort-on-overflow', measured: 'accept queue full, tcp_abort_on_overflow=1' }]
      : [
          { id: 'accept-queue-capacity', measured: 'accept queue capacity' },
          { id: 'accept-queue-full-ack', measured: 'accept queue full: final ACK' },
          { id: 'accept-queue-full-syn', measured: 'accept queue full: new SYN' },
        ],
    skip(k) {
      if (k.backlog + 1 > FLOOD_LIMIT) return `not filled: backlog ${k.backlog} needs more than ${FLOOD_LIMIT} handshakes`;
      if (k.synQueue === undefined) return 'not measured: the SYN queue was not measured';
      if (k.synQueue < 2 && !k.cookies) return `not measured: the SYN queue holds ${k.synQueue} (two requests are needed at once)`;
      return null;
    },
    write(t, k, pins, _quick) {
      const w = new PktWriter(pins);
      const a = k.backlog + 1;
      w.comment(
        abort
          ? `tcp_abort_on_overflow=1: \`${t.server}\`, stopped, its accept queue full (${a}): the final ACK of one more handshake is reset.`
          : `Accept queue of \`${t.server}\`, stopped: ${a} handshakes (backlog + 1) fill it; the final ACK of one\n` +
              `more is dropped and its SYN-ACK sent again after 1 s; a new SYN meanwhile gets nothing.`,
      );
      if (a > BIG_FLOOD) {
        w.comment(`${a} handshakes: matching hundreds of SYN-ACKs takes the tool tens of ms before the ACKs go.`);
        w.line('', `--tolerance_usecs=${BIG_FLOOD_TOLERANCE_USECS}`);
      }
      prologue(w, t, abort ? ['net.ipv4.tcp_abort_on_overflow=1'] : [], true);
      w.blank();
      // Handshakes in chunks the SYN queue takes (all at once with cookies).
      const chunk = k.synQueue && k.synQueue > 0 ? Math.max(1, k.synQueue) : a;
      for (let first = 42000; first < 42000 + a - 1; first += chunk) {
        const cnt = Math.min(chunk, 42000 + a - 1 - first);
        w.line('+0', `< ${ports(first, cnt, t.port)} ${SYN}`);
        w.line('+0', `> ${outPorts(first, cnt, t.port)} S. 0:0(0) ack 1 <...>`);
        w.line('+.01', `< ${ports(first, cnt, t.port)} . 1:1(0) ack 1 win 65535`);
      }
      const last = 42000 + a - 1;
      w.comment(`The last handshake, and one more (port ${X}) waiting in the SYN queue.`);
      w.line('+0', `< ${last}>${t.port} ${SYN}`);
      w.line('+0', `< ${X}>${t.port} ${SYN}`);
      w.line('+0', `> ${t.port}>${last} S. 0:0(0) ack 1 <...>`);
      w.line('+0', `> ${t.port}>${X} S. 0:0(0) ack 1 <...>`);
      w.line('+.01', `< ${last}>${t.port} . 1:1(0) ack 1 win 65535`);
      w.read('full', '+.01', `listen_queue(${t.port})`);
      w.comment(`The accept queue is full: port ${X}'s final ACK.`);
      w.line('+0', `< ${X}>${t.port} . 1:1(0) ack 1 win 65535`, 'xack');
      w.read('ov1', '+.01', 'nstat(TcpExtListenOverflows)');
      if (!abort) {
        w.comment(`A new SYN (port ${Y}) while the accept queue is full.`);
        w.line('+0', `< ${Y}>${t.port} ${SYN}`);
        w.read('ov2', '+.01', 'nstat(TcpExtListenOverflows)');
        w.read('drops', '+0', 'nstat(TcpExtListenDrops)');
        const again = pins?.after.retransmit;
        if (again) {
          w.comment(`Port ${X}'s SYN-ACK again, 1 s after the first.`);
          for (const l of again) w.line('', l);
          w.read('retrans', '+0', 'nstat(TcpExtTCPSynRetrans)');
        } else {
          w.read('retrans', '+1.2', 'nstat(TcpExtTCPSynRetrans)');
        }
      }
      return w;
    },
    interpret(ev, w, t, k) {
      const pins = basePins(k);
      const a = k.backlog + 1;
      const recvQ = num(ev, w, 'full', 'recv_q');
      const synRecv = num(ev, w, 'full', 'syn_recv');
      if (recvQ !== undefined) pins.reads.full = `{recv_q=${recvQ}, syn_recv=${synRecv}}`;
      pinCounters(ev, w, ['ov1', 'ov2', 'drops', 'retrans'], pins);
      const ov1 = num(ev, w, 'ov1');
      const xs = ev.segments.filter((s) => s.remotePort === X && isSynAck(s));
      const reset = ev.segments.find((s) => s.remotePort === X && isRst(s));
      const status = recvQ === undefined ? 'failed' : 'measured';
      if (abort) {
        if (reset) pins.after.xack = [`+0   > ${t.port}>${X} R 1:1(0)`];
        return {
          findings: [
            {
              id: 'abort-on-overflow',
              measured: 'accept queue full, tcp_abort_on_overflow=1',
              value: reset ? 'final ACK reset' : xs.length > 1 ? 'final ACK dropped, SYN-ACK resent' : 'final ACK dropped',
              evidence: [reset ? `RST to port ${X}` : 'no RST', `TcpExtListenOverflows +${ov1 ?? '?'}`],
              measurement: 'abort-on-overflow',
              status,
            },
          ],
          pins,
        };
      }
      const ov2 = num(ev, w, 'ov2');
      const ys = ev.segments.filter((s) => s.remotePort === Y && s.outbound);
      let ackValue: string;
      if (reset) {
        ackValue = 'final ACK reset';
        pins.after.xack = [`+0   > ${t.port}>${X} R 1:1(0)`];
      } else if (xs.length >= 2) {
        const gap = xs[1]!.timeUsecs - xs[0]!.timeUsecs;
        ackValue = `final ACK dropped; SYN-ACK sent again after ${secs(gap)} s`;
        // The script's events after port X's SYN-ACK: .01 + .01 + .01 + .01 s.
        pins.after.retransmit = [`+${Math.max(0.1, gap / 1e6 - 0.04).toFixed(2).padEnd(4)} > ${t.port}>${X} S. 0:0(0) ack 1 <...>`];
      } else {
        ackValue = 'final ACK dropped; SYN-ACK not sent again within 1.2 s';
      }
      return {
        findings: [
          {
            id: 'accept-queue-capacity',
            measured: 'accept queue capacity',
            value: recvQ === undefined ? 'not read' : `${recvQ}${recvQ === a ? ' (backlog + 1)' : ''}`,
            evidence: [`${a} handshakes, server stopped: recv_q ${recvQ ?? '?'}, syn_recv ${synRecv ?? '?'}`],
            measurement: 'accept-queue',
            status,
            data: { sent: a + 1, held: recvQ ?? 0, dropped: ov1 ?? 0 },
          },
          {
            id: 'accept-queue-full-ack',
            measured: 'accept queue full: final ACK',
            value: ackValue,
            evidence: [`TcpExtListenOverflows +${ov1 ?? '?'}`, `${xs.length} SYN-ACKs to port ${X}${xs.length >= 2 ? ` at +0, +${secs(xs[1]!.timeUsecs - xs[0]!.timeUsecs)} s` : ''}`],
            measurement: 'accept-queue',
            status,
          },
          {
            id: 'accept-queue-full-syn',
            measured: 'accept queue full: new SYN',
            value: ys.length === 0 ? 'dropped, no answer' : `answered (${ys.length} packets)`,
            evidence: [`TcpExtListenOverflows +${ov2 !== undefined && ov1 !== undefined ? ov2 - ov1 : '?'} more`, `${ys.length} packets to port ${Y}`],
            measurement: 'accept-queue',
            status,
          },
        ],
        pins,
      };
    },
  };
}

export const acceptQueueFull = acceptQueue(false);
export const abortOnOverflow = acceptQueue(true);

// ------------------------------------------------------------------ cookies

const COOKIE_MSS = [1460, 1440, 1400, 1000];
const TS_PORT = 43010;
const FORGED_PORT = 43020;

function cookieFlows(k: Known): number {
  return Math.max(0, Math.min(COOKIE_MSS.length, k.backlog));
}

export const cookies: Measurement = {
  id: 'syncookies',
  skipped: [
    { id: 'cookie-mss', measured: 'cookie MSS (client MSS → MSS used)' },
    { id: 'cookie-ts-bits', measured: 'cookie TS val bits (tcp_timestamps=2)' },
    { id: 'cookie-ack', measured: 'cookie ACK' },
    { id: 'cookie-forged', measured: 'forged cookie ACK' },
  ],
  skip: (k) => (k.backlog < 1 ? `not measured: the accept queue holds ${k.backlog + 1} (two connections are needed)` : null),
  write(t, k, pins) {
    const w = new PktWriter(pins);
    const n = cookieFlows(k);
    const mss = COOKIE_MSS.slice(0, n);
    w.comment(
      `Syncookies of \`${t.server}\` (tcp_syncookies=2: every SYN gets one; tcp_timestamps=2: no TS offset).\n` +
        `Client MSS ${mss.join(', ')}: the connection's MSS is the cookie table's; port ${TS_PORT} offers\n` +
        `SACK and wscale 7 with TS, its TS val's low 6 bits carry them; port ${FORGED_PORT} ACKs a forged cookie.`,
    );
    prologue(w, t, ['net.ipv4.tcp_syncookies=2', 'net.ipv4.tcp_timestamps=2'], true);
    w.blank();
    mss.forEach((m, i) => w.line('+0', `< ${43000 + i}>${t.port} S 0:0(0) win 65535 <mss ${m}>`));
    w.line('+0', `< ${TS_PORT}>${t.port} S 0:0(0) win 65535 <mss 1460,sackOK,TS val 1000 ecr 0,nop,wscale 7>`);
    w.line('+0', `< ${FORGED_PORT}>${t.port} ${SYN}`);
    if (n) w.line('+0', `> ${outPorts(43000, n, t.port)} S. 0:0(0) ack 1 <...>`);
    w.line('+0', `> ${t.port}>${TS_PORT} S. 0:0(0) ack 1 <...>`);
    w.line('+0', `> ${t.port}>${FORGED_PORT} S. 0:0(0) ack 1 <...>`);
    w.read('judge', '+0', `syncookie(${TS_PORT})`);
    if (n) w.line('+.01', `< ${ports(43000, n, t.port)} . 1:1(0) ack 1 win 65535`);
    w.line('+0', `< ${TS_PORT}>${t.port} . 1:1(0) ack 1 win 65535`);
    w.comment(`Not the cookie: 1000 past it.`);
    w.line('+0', `< ${FORGED_PORT}>${t.port} . 1:1(0) ack 1001 win 65535`, 'forged');
    mss.forEach((_m, i) => w.read(`mss${i}`, i === 0 ? '+.02' : '+0', `socket_state(${43000 + i})`));
    w.read('tsstate', '+0', `socket_state(${TS_PORT})`);
    w.read('sent', '+0', 'nstat(TcpExtSyncookiesSent)');
    w.read('recv', '+0', 'nstat(TcpExtSyncookiesRecv)');
    w.read('failed', '+0', 'nstat(TcpExtSyncookiesFailed)');
    return w;
  },
  interpret(ev, w, t, k) {
    const pins = basePins(k);
    const n = cookieFlows(k);
    const mss = COOKIE_MSS.slice(0, n);
    const used = mss.map((_m, i) => num(ev, w, `mss${i}`, 'mss'));
    const states = mss.map((_m, i) => field(ev, w, `mss${i}`, 'state'));
    mss.forEach((_m, i) => {
      if (states[i] !== undefined) pins.reads[`mss${i}`] = `{state=${states[i]}${used[i] !== undefined ? `, mss=${used[i]}` : ''}}`;
    });
    const tsState = field(ev, w, 'tsstate', 'state');
    if (tsState) pins.reads.tsstate = `{state=${tsState}}`;
    pinCounters(ev, w, ['sent', 'recv', 'failed'], pins);
    const judged = ev.reads.get(w.lineOf('judge') ?? -1)?.fields.value;
    if (judged !== undefined) pins.reads.judge = judged;
    const tsAck = ev.segments.find((s) => s.remotePort === TS_PORT && isSynAck(s));
    const bits = tsAck?.tsVal === undefined ? undefined : tsAck.tsVal & 0x3f;
    const decoded = bits === undefined ? undefined : decodeCookieTsBits(bits);
    const rst = ev.segments.find((s) => s.remotePort === FORGED_PORT && isRst(s));
    const forgedSynAck = ev.segments.find((s) => s.remotePort === FORGED_PORT && isSynAck(s));
    if (rst && forgedSynAck) {
      const rel = (rst.seq - forgedSynAck.seq) >>> 0;
      pins.after.forged = [`+0   > ${t.port}>${FORGED_PORT} R ${rel}:${rel}(0)`];
    }
    const recv = num(ev, w, 'recv');
    const failed = num(ev, w, 'failed');
    const status = used.some((u) => u === undefined) || tsState === undefined ? 'failed' : 'measured';
    const est = states.filter((s) => s === 'ESTABLISHED').length + (tsState === 'ESTABLISHED' ? 1 : 0);
    return {
      findings: [
        {
          id: 'cookie-mss',
          measured: 'cookie MSS (client MSS → MSS used)',
          value: mss.map((m, i) => `${m} → ${used[i] ?? '?'}`).join(', '),
          evidence: ['ss mss: of each cookie connection', moved(ev, w, [['sent', 'TcpExtSyncookiesSent']])],
          measurement: 'syncookies',
          status,
        },
        {
          id: 'cookie-ts-bits',
          measured: 'cookie TS val bits (tcp_timestamps=2)',
          value:
            bits === undefined
              ? 'no TS val'
              : `0x${bits.toString(16).padStart(2, '0')}: wscale ${decoded!.wscale ?? 'none'}, SACK ${decoded!.sackOK ? 'yes' : 'no'}, ECN ${decoded!.ecn ? 'yes' : 'no'}`,
          evidence: [`SYN offered wscale 7, SACK`, `syncookie(${TS_PORT}) judge: ${judged === undefined ? '?' : judged.startsWith('1') ? 'a cookie, its TS val bits as the SYN\'s options' : judged}`],
          measurement: 'syncookies',
          status: bits === undefined ? 'failed' : 'measured',
        },
        {
          id: 'cookie-ack',
          measured: 'cookie ACK',
          value: est === n + 1 ? `accepted (${est} connections ESTABLISHED)` : `${est} of ${n + 1} connections made`,
          evidence: [`TcpExtSyncookiesRecv +${recv ?? '?'}`],
          measurement: 'syncookies',
          status,
        },
        {
          id: 'cookie-forged',
          measured: 'forged cookie ACK',
          value: rst ? `reset (RST seq = the forged ack)` : 'no reset',
          evidence: [`TcpExtSyncookiesFailed +${failed ?? '?'}`, rst ? `RST to port ${FORGED_PORT}` : `nothing to port ${FORGED_PORT}`],
          measurement: 'syncookies',
          status: failed === undefined ? 'failed' : 'measured',
        },
      ],
      pins,
    };
  },
};

// ---------------------------------------------------------- SYN-ACK retries

const SCHEDULE_PORT = 44000;

/**
 * How long the schedule script waits: 3.5 s with --quick (resends at 1 and
 * 3 s); else until just after the last resend tcp_synack_retries allows (the
 * n-th comes 2^n - 1 s after the first SYN-ACK: 31 s for the default 5),
 * 32 s when not known, at most 130 s.
 */
export function scheduleWindow(k: Known, quick: boolean): number {
  if (quick) return 3.5;
  const r = k.settings?.['net.ipv4.tcp_synack_retries'];
  return r === undefined ? 32 : Math.min(130, 2 ** r);
}

export const synAckSchedule: Measurement = {
  id: 'synack-retransmit',
  skipped: [{ id: 'synack-schedule', measured: 'SYN-ACK retransmissions' }],
  skip: () => null,
  write(t, k, pins, quick) {
    const w = new PktWriter(pins);
    w.comment(
      `SYN-ACK retransmission of \`${t.server}\`: one SYN, never ACKed; the SYN-ACK comes again\n` +
        `on the kernel's timer (${quick ? 'the first two resends' : `every resend: ${scheduleWindow(k, quick)} s`}).`,
    );
    prologue(w, t, [], true);
    w.blank();
    w.line('+0', `< ${SCHEDULE_PORT}>${t.port} ${SYN}`);
    w.line('+0', `> ${t.port}>${SCHEDULE_PORT} S. 0:0(0) ack 1 <...>`);
    const again = pins?.after.resends;
    if (again) {
      for (const l of again) w.line('', l);
      w.read('retrans', '+0', 'nstat(TcpExtTCPSynRetrans)');
    } else {
      w.read('retrans', `+${scheduleWindow(k, quick)}`, 'nstat(TcpExtTCPSynRetrans)');
    }
    return w;
  },
  interpret(ev, w, t, k, quick) {
    const pins = basePins(k);
    const seen = ev.segments.filter((s) => s.remotePort === SCHEDULE_PORT && isSynAck(s));
    const t0 = seen[0]?.timeUsecs ?? 0;
    const at = seen.slice(1).map((s) => s.timeUsecs - t0);
    const retrans = num(ev, w, 'retrans');
    pinCounters(ev, w, ['retrans'], pins);
    const lines: string[] = [];
    let prev = 0;
    for (const a of at) {
      lines.push(`+${((a - prev) / 1e6).toFixed(2).padEnd(4)} > ${t.port}>${SCHEDULE_PORT} S. 0:0(0) ack 1 <...>`);
      prev = a;
    }
    if (lines.length) pins.after.resends = lines;
    const window = scheduleWindow(k, quick);
    const retries = k.settings?.['net.ipv4.tcp_synack_retries'];
    const all = !quick && retries !== undefined && at.length === retries ? ` (tcp_synack_retries ${retries}: all of them)` : '';
    return {
      findings: [
        {
          id: 'synack-schedule',
          measured: 'SYN-ACK retransmissions',
          value: seen.length === 0 ? 'no SYN-ACK' : at.length === 0 ? `none in ${window} s` : `at ${at.map((a) => secs(a)).join(', ')} s: ${at.length} in ${window} s${quick ? ' (--quick)' : all}`,
          evidence: [`1 SYN, no ACK: ${seen.length} SYN-ACKs`, `TcpExtTCPSynRetrans +${retrans ?? '?'}`],
          data: { at: [0, ...at.map((a) => a / 1e6)], window },
          measurement: 'synack-retransmit',
          status: seen.length === 0 ? 'failed' : 'measured',
        },
      ],
      pins,
    };
  },
};

// ------------------------------------------------------- tcp_max_syn_backlog

/** Requests made before tcp_max_syn_backlog M drops unproven peers (no cookies): M - M/4 + 1. */
export function maxSynBacklogRequests(m: number): number {
  return m - (m >> 2) + 1;
}

/** The largest power of two M >= 4 whose rule stops the SYN queue below backlog + 1; null if none. */
export function maxSynBacklogFor(backlog: number): number | null {
  let m: number | null = null;
  for (let c = 4; maxSynBacklogRequests(c) < backlog + 1; c *= 2) m = c;
  return m;
}

export const maxSynBacklog: Measurement = {
  id: 'max-syn-backlog',
  skipped: [{ id: 'max-syn-backlog', measured: 'tcp_max_syn_backlog, no syncookies' }],
  skip: (k) =>
    k.backlog + 1 > FLOOD_LIMIT ? `not filled: backlog ${k.backlog} needs more than ${FLOOD_LIMIT} SYNs` : maxSynBacklogFor(k.backlog) === null ? `not seen: backlog ${k.backlog} is too small for the rule to stop the queue first` : null,
  write(t, k, pins) {
    const w = new PktWriter(pins);
    const m = maxSynBacklogFor(k.backlog)!;
    const n = k.backlog + 3;
    w.comment(
      `tcp_max_syn_backlog=${m} without syncookies: \`${t.server}\`, stopped, gets ${n} SYNs; a SYN from\n` +
        `an unproven peer is dropped once ${m} - (requests) < ${m}/4, before the SYN queue (backlog + 1 = ${k.backlog + 1}) is full.`,
    );
    prologue(w, t, ['net.ipv4.tcp_syncookies=0', `net.ipv4.tcp_max_syn_backlog=${m}`], true);
    w.blank();
    w.line('+0', `< ${ports(41000, n, t.port)} ${SYN}`, 'flood');
    w.read('syn', '+.05', `listen_queue(${t.port})`);
    w.read('drops', '+0', 'nstat(TcpExtListenDrops)');
    w.read('fulldrop', '+0', 'nstat(TcpExtTCPReqQFullDrop)');
    return w;
  },
  interpret(ev, w, t, k) {
    const pins = basePins(k);
    const m = maxSynBacklogFor(k.backlog)!;
    const n = k.backlog + 3;
    const c = num(ev, w, 'syn', 'syn_recv');
    if (c !== undefined) pins.reads.syn = `{syn_recv=${c}}`;
    pinCounters(ev, w, ['drops', 'fulldrop'], pins);
    const answered = synAckPorts(ev.segments, 41000, n);
    if (answered.length && contiguousFrom(answered, 41000)) pins.after.flood = [`+0   > ${outPorts(41000, answered.length, t.port)} S. 0:0(0) ack 1 <...>`];
    return {
      findings: [
        {
          id: 'max-syn-backlog',
          measured: 'tcp_max_syn_backlog, no syncookies',
          value: c === undefined ? 'not read' : `tcp_max_syn_backlog=${m}: SYN queue stops at ${c}${c === maxSynBacklogRequests(m) ? ` (${m} - ${m}/4 + 1)` : ''}, below backlog + 1 = ${k.backlog + 1}`,
          evidence: [`${n} SYNs: ${answered.length} SYN-ACKs`, moved(ev, w, [['drops', 'TcpExtListenDrops'], ['fulldrop', 'TcpExtTCPReqQFullDrop']])],
          measurement: 'max-syn-backlog',
          status: c === undefined ? 'failed' : 'measured',
        },
      ],
      pins,
    };
  },
};

// ---------------------------------------------------------------- CLOSE_WAIT

const CLOSE_PORT = 45000;
const REQUEST = 10;

export const peerClose: Measurement = {
  id: 'peer-close',
  skipped: [{ id: 'peer-close', measured: 'after the peer\'s FIN' }],
  skip: () => null,
  write(t, _k, pins) {
    const w = new PktWriter(pins);
    w.comment(
      `What \`${t.server}\` does with a connection its peer closed: ${REQUEST} bytes, then FIN; 1 s later\n` +
        `the socket is CLOSE_WAIT (the server neither read nor closed; Recv-Q = bytes + 1 for the FIN)\n` +
        `or LAST_ACK (it closed too).`,
    );
    prologue(w, t, [], false);
    w.blank();
    w.line('+0', `< ${CLOSE_PORT}>${t.port} ${SYN}`);
    w.line('+0', `> ${t.port}>${CLOSE_PORT} S. 0:0(0) ack 1 <...>`);
    w.line('+.01', `< ${CLOSE_PORT}>${t.port} . 1:1(0) ack 1 win 65535`);
    w.line('+0', `< ${CLOSE_PORT}>${t.port} P. 1:${REQUEST + 1}(${REQUEST}) ack 1 win 65535`);
    w.line('+.1', `< ${CLOSE_PORT}>${t.port} F. ${REQUEST + 1}:${REQUEST + 1}(0) ack 1 win 65535`);
    w.read('state', '+1', `socket_state(${CLOSE_PORT})`);
    return w;
  },
  interpret(ev, w, _t, k) {
    const pins = basePins(k);
    const state = field(ev, w, 'state', 'state');
    const recvQ = num(ev, w, 'state', 'recv_q');
    if (state !== undefined) pins.reads.state = `{state=${state}${recvQ !== undefined ? `, recv_q=${recvQ}` : ''}}`;
    const sent = ev.segments.filter((s) => s.remotePort === CLOSE_PORT && s.outbound && s.payload > 0);
    const bytes = new Set(sent.map((s) => `${s.seq}:${s.payload}`));
    const total = [...bytes].reduce((n, b) => n + Number(b.split(':')[1]), 0);
    const fin = ev.segments.some((s) => s.remotePort === CLOSE_PORT && isFin(s));
    let value: string;
    if (state === 'CLOSE_WAIT') value = `left in CLOSE_WAIT${recvQ === REQUEST + 1 ? `, ${REQUEST} bytes unread` : recvQ === 0 ? ' (it read the data, never closed)' : recvQ ? `, Recv-Q ${recvQ}` : ''}`;
    else if (state === 'LAST_ACK' || state === 'CLOSED' || state === 'CLOSING') value = `closes (${state}${recvQ !== undefined ? `, Recv-Q ${recvQ}` : ''})`;
    else value = state ?? 'not read';
    return {
      findings: [
        {
          id: 'peer-close',
          measured: 'after the peer\'s FIN (1 s)',
          value,
          evidence: [
            `socket_state: ${ev.reads.get(w.lineOf('state') ?? -1)?.text ?? '?'}`,
            `the server sent ${total} bytes${fin ? ' and a FIN' : ', no FIN'}`,
          ],
          measurement: 'peer-close',
          status: state === undefined ? 'failed' : 'measured',
        },
      ],
      pins,
    };
  },
};

/** The battery in the order the table shows it. */
export const BATTERY: readonly Measurement[] = [backlog, synQueue, acceptQueueFull, abortOnOverflow, cookies, synAckSchedule, maxSynBacklog, peerClose];
