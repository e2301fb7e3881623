// Does a SYN-ACK look like a Linux syncookie answer to the SYN it answers?
//
// A cookie cannot be verified from outside: the ISN is
//   hash0(4-tuple) + SYN seq + (minute counter << 24) + ((hash1(4-tuple, counter) + MSS index) & 0xffffff)
// with two secret siphash keys (net/ipv4/syncookies.c; the keys are global to
// the kernel, so the same SYN in the same minute gets the same ISN in every
// namespace). So the judgement rests on what the kernel visibly does when it
// answers with a cookie instead of a request socket. Facts, all measured on
// Linux 6.18 in throwaway namespaces (tcp_syncookies=2 makes every SYN-ACK a
// cookie):
//
// 1. Without TS negotiated (the SYN carried no TS option, or the host has
//    tcp_timestamps=0), the cookie has nowhere to keep the options: the
//    SYN-ACK offers MSS only: no wscale, no sackOK, no TS, and no ECE even
//    for an ECN setup SYN. An ordinary SYN-ACK offers wscale/sackOK when the
//    SYN did (and the host allows them).
// 2. With TS negotiated, the SYN-ACK carries every option an ordinary one
//    would (MSS, sackOK, TS, wscale; ECE for an ECE+CWR SYN), and the low 6
//    bits of its TS val encode the negotiated options:
//      bits 0-3  the SYN's wscale, clamped to 14 (a SYN wscale 15..255 → 14),
//                or 0xf when the SYN-ACK offers no window scaling
//      bit 4     SACK permitted (the SYN-ACK offers sackOK)
//      bit 5     ECN (the SYN-ACK has ECE)
//    These bits follow from the SYN-ACK's own option set, so the rule holds
//    whatever tcp_sack/tcp_window_scaling/tcp_ecn say (measured: with
//    tcp_sack=0 no sackOK and bit 4 clear; tcp_window_scaling=0 no wscale and
//    0xf). The bits are visible on the wire only when no per-connection
//    random TS offset is added, i.e. with net.ipv4.tcp_timestamps=2; with 1
//    (the default) the offset (different per client port) scrambles them.
//    The caller says which with `tsExact`.
// 3. The SYN-ACK's MSS option is NOT the cookie's MSS: it is the local
//    advertised MSS (1460 on a 1500-byte IPv4 link, 1440 on IPv6), the same as
//    an ordinary SYN-ACK's. The cookie's MSS is the one the kernel will SEND
//    with once the handshake completes: the largest entry of the table that is
//    <= the SYN's MSS, or the smallest entry when the SYN's MSS is below the
//    table (SYN MSS 100 → 536-byte segments on IPv4!), capped by the path.
//    A SYN without an MSS option counts as 536 (IPv4) or 1220 (IPv6).
//      IPv4 table: 536 1300 1440 1460     (1400 → 1300, 1459 → 1440, 8960 → 1460)
//      IPv6 table: 1220 1420 1440 8940    (1400 → 1220, 1430 → 1420)
//    The size is payload + TCP option bytes of a full segment (1288 bytes of
//    payload + 12 of TS = 1300). It is checked only when the caller observed
//    it (`sentMss`).
// 4. Not visible in one SYN-ACK, so not judged here: a cookie SYN-ACK is never
//    retransmitted (ordinary ones are, at 1 s, 3 s, ...); an ACK with a wrong
//    cookie is answered with RST (seq = that ACK's ack number) and counts
//    TcpExtSyncookiesFailed, but only while the listener has sent a cookie
//    recently (a stray ACK to a listener that never overflowed gets the same
//    RST and counts nothing); a right one counts TcpExtSyncookiesRecv and
//    TcpPassiveOpens and makes an accept()able child. The same SYN (4-tuple
//    and seq) in the same minute gets the same cookie ISN.
//
// How judgeSynAck decides: it runs the checks that apply (listed in `checks`,
// each with a one-line message "what: expected X vs actual Y"), and
// `looksLikeCookie` is true when every check passed. Checks fall in two kinds:
// consistency checks that any correct SYN-ACK also passes (MSS option present,
// TS ecr echoes the SYN's TS val, no option the SYN did not offer), and
// telling checks that an ordinary SYN-ACK would usually fail (fact 1 when the
// SYN offered the option; the TS val bits of fact 2 under tsExact, which an
// ordinary SYN-ACK passes by chance 1 time in 64; the sent MSS of fact 3 when
// the cookie table changes the SYN's MSS). `conclusive` says whether at least
// one telling check ran: when it is false, passing all checks only means
// "consistent with a cookie", not "a cookie".

export type Family = 4 | 6;

/** net/ipv4/syncookies.c msstab (6.18). */
export const MSS_TABLE_V4: readonly number[] = [536, 1300, 1440, 1460];
/** net/ipv6/syncookies.c msstab (6.18): IPV6_MIN_MTU - 60, 1480 - 60, 1500 - 60, 9000 - 60. */
export const MSS_TABLE_V6: readonly number[] = [1220, 1420, 1440, 8940];
/** The MSS a request assumes when the SYN has no MSS option (TCP_MSS_DEFAULT; IPV6_MIN_MTU - 60). */
export const DEFAULT_MSS: Readonly<Record<Family, number>> = { 4: 536, 6: 1220 };

/** TS val bit layout of a cookie SYN-ACK. */
export const TS_OPT_WSCALE_MASK = 0xf;
export const TS_OPT_SACK = 1 << 4;
export const TS_OPT_ECN = 1 << 5;
export const TS_OPT_BITS = 6;
/** The largest window scale the kernel accepts; larger SYN values are clamped to it. */
export const TCP_MAX_WSCALE = 14;

/**
 * The MSS a cookie encodes for a SYN's MSS: the largest table entry <= it, or
 * the smallest entry when it is below the table; no MSS option → the default.
 */
export function cookieMss(synMss: number | undefined, family: Family): number {
  const table = family === 6 ? MSS_TABLE_V6 : MSS_TABLE_V4;
  const mss = synMss ?? DEFAULT_MSS[family];
  for (let i = table.length - 1; i > 0; i--) if (mss >= table[i]!) return table[i]!;
  return table[0]!;
}

export interface CookieTsOptions {
  /** The window scale in the SYN (clamped to 14), or null for none (0xf). */
  wscale: number | null;
  sackOK: boolean;
  ecn: boolean;
}

/** The low 6 bits a cookie SYN-ACK's TS val carries for these options. */
export function encodeCookieTsBits(o: CookieTsOptions): number {
  const ws = o.wscale === null ? TS_OPT_WSCALE_MASK : Math.min(o.wscale, TCP_MAX_WSCALE);
  return ws | (o.sackOK ? TS_OPT_SACK : 0) | (o.ecn ? TS_OPT_ECN : 0);
}

/** What the low 6 bits of a cookie SYN-ACK's TS val (or of the ACK's TS ecr) say. */
export function decodeCookieTsBits(tsVal: number): CookieTsOptions {
  const ws = tsVal & TS_OPT_WSCALE_MASK;
  return { wscale: ws === TS_OPT_WSCALE_MASK ? null : ws, sackOK: (tsVal & TS_OPT_SACK) !== 0, ecn: (tsVal & TS_OPT_ECN) !== 0 };
}

export interface Timestamp {
  val: number;
  ecr: number;
}

/** The SYN as it went on the wire. */
export interface SynSeen {
  mss?: number;
  wscale?: number;
  sackOK: boolean;
  ts?: Timestamp;
  /** An ECN setup SYN: ECE and CWR both set. */
  ecn: boolean;
}

/** The SYN-ACK that answered it. */
export interface SynAckSeen {
  mss?: number;
  wscale?: number;
  sackOK: boolean;
  ts?: Timestamp;
  ece: boolean;
  family: Family;
}

export interface JudgeOptions {
  /** The TS val carries no random offset (net.ipv4.tcp_timestamps=2), so its low bits can be read. */
  tsExact: boolean;
  /**
   * The largest segment (payload + TCP option bytes) the kernel sent on this
   * connection after the handshake, when a full-sized one was seen.
   */
  sentMss?: number;
  /** The largest segment the path allows (the local MTU less headers), to cap the expected sent MSS. */
  pathMss?: number;
}

export interface CookieCheck {
  what: string;
  expected: string;
  actual: string;
  ok: boolean;
  /** An ordinary (request-socket) SYN-ACK would usually fail this check. */
  telling: boolean;
  /** One line: `${what}: expected ${expected} vs actual ${actual}`. */
  message: string;
}

export interface CookieJudgement {
  looksLikeCookie: boolean;
  /** At least one telling check ran (see the header comment). */
  conclusive: boolean;
  checks: CookieCheck[];
  /** What could not be judged and why, one line each. */
  notes: string[];
}

function check(what: string, expected: string, actual: string, ok: boolean, telling: boolean): CookieCheck {
  return { what, expected, actual, ok, telling, message: `${what}: expected ${expected} vs actual ${actual}` };
}

const presence = (v: boolean): string => (v ? 'present' : 'absent');
const wsText = (v: number): string => (v === TS_OPT_WSCALE_MASK ? `${v} (0xf: no window scaling)` : String(v));
const bit = (v: boolean): string => (v ? '1' : '0');

/** Judge a SYN-ACK against the SYN it answers; see the header comment for the rules. */
export function judgeSynAck(syn: SynSeen, synAck: SynAckSeen, opts: JudgeOptions): CookieJudgement {
  const checks: CookieCheck[] = [];
  const notes: string[] = [];
  const family = synAck.family;

  checks.push(check('SYN-ACK MSS option', 'present', synAck.mss === undefined ? 'absent' : String(synAck.mss), synAck.mss !== undefined, false));

  const negotiated = syn.ts !== undefined && synAck.ts !== undefined;
  if (syn.ts === undefined && synAck.ts !== undefined) {
    checks.push(check('SYN-ACK TS option', 'absent (the SYN carried no TS)', `val ${synAck.ts.val} ecr ${synAck.ts.ecr}`, false, false));
  }

  if (!negotiated) {
    const why = syn.ts === undefined ? 'the SYN carried no TS' : 'the SYN-ACK carries no TS';
    checks.push(
      check(`cookie without TS (${why}): wscale option`, 'absent', synAck.wscale === undefined ? 'absent' : String(synAck.wscale), synAck.wscale === undefined, syn.wscale !== undefined),
      check(`cookie without TS (${why}): sackOK option`, 'absent', presence(synAck.sackOK), !synAck.sackOK, syn.sackOK),
      check(`cookie without TS (${why}): ECE flag`, 'clear', synAck.ece ? 'set' : 'clear', !synAck.ece, syn.ecn),
    );
  } else {
    const synTs = syn.ts!;
    const ackTs = synAck.ts!;
    checks.push(check('SYN-ACK TS ecr (echoes the SYN TS val)', String(synTs.val), String(ackTs.ecr), ackTs.ecr === synTs.val, false));
    if (synAck.wscale !== undefined && syn.wscale === undefined) {
      checks.push(check('SYN-ACK wscale option', 'absent (the SYN offered none)', String(synAck.wscale), false, false));
    }
    if (synAck.sackOK && !syn.sackOK) {
      checks.push(check('SYN-ACK sackOK option', 'absent (the SYN offered none)', 'present', false, false));
    }
    if (synAck.ece && !syn.ecn) {
      checks.push(check('SYN-ACK ECE flag', 'clear (the SYN was no ECN setup SYN)', 'set', false, false));
    }
    if (opts.tsExact) {
      const want = encodeCookieTsBits({
        wscale: synAck.wscale !== undefined && syn.wscale !== undefined ? syn.wscale : null,
        sackOK: synAck.sackOK,
        ecn: synAck.ece,
      });
      const got = ackTs.val & ((1 << TS_OPT_BITS) - 1);
      checks.push(
        check('cookie TS val bits 0-3 (wscale)', wsText(want & TS_OPT_WSCALE_MASK), wsText(got & TS_OPT_WSCALE_MASK), (want & TS_OPT_WSCALE_MASK) === (got & TS_OPT_WSCALE_MASK), true),
        check('cookie TS val bit 4 (SACK)', bit((want & TS_OPT_SACK) !== 0), bit((got & TS_OPT_SACK) !== 0), (want & TS_OPT_SACK) === (got & TS_OPT_SACK), true),
        check('cookie TS val bit 5 (ECN)', bit((want & TS_OPT_ECN) !== 0), bit((got & TS_OPT_ECN) !== 0), (want & TS_OPT_ECN) === (got & TS_OPT_ECN), true),
      );
    } else {
      notes.push('cookie TS val low 6 bits not checked: a per-connection random TS offset hides them unless net.ipv4.tcp_timestamps=2');
    }
  }

  const cMss = cookieMss(syn.mss, family);
  const cap = opts.pathMss ?? Infinity;
  if (opts.sentMss !== undefined) {
    const expected = Math.min(cMss, cap);
    const synMss = syn.mss ?? DEFAULT_MSS[family];
    const ordinary = Math.min(synMss, cap);
    const table = family === 6 ? MSS_TABLE_V6 : MSS_TABLE_V4;
    const why =
      syn.mss === undefined
        ? `table entry for the default MSS ${synMss}: the SYN has no MSS option`
        : synMss < table[0]!
          ? `smallest table entry: SYN MSS ${synMss} is below the table`
          : `largest table entry <= SYN MSS ${synMss}`;
    const expectedText = expected < cMss ? `${expected} (the path MSS; the cookie's is ${cMss}, the ${why})` : `${expected} (${why})`;
    checks.push(check('cookie MSS (largest segment sent)', expectedText, String(opts.sentMss), opts.sentMss === expected, expected !== ordinary));
  } else {
    notes.push(`cookie MSS not checked: the SYN-ACK's MSS option is the local advertised MSS; the cookie's (${cMss}) shows only in the segments sent after the handshake`);
  }

  return {
    looksLikeCookie: checks.every((c) => c.ok),
    conclusive: checks.some((c) => c.telling),
    checks,
    notes,
  };
}
