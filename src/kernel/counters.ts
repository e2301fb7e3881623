// The kernel's MIB counters of one network namespace, named the way nstat
// names them: the group label of /proc/net/snmp and /proc/net/netstat glued to
// the field (`TcpExt:` + `ListenOverflows` → `TcpExtListenOverflows`), and the
// names of /proc/net/snmp6 as they stand (`Ip6InReceives`).
//
// Facts (Linux 6.18, measured):
// - a fresh network namespace starts with every counter at zero, except the
//   constants: Ip Forwarding 2 and DefaultTTL 64, Tcp RtoAlgorithm 1, RtoMin
//   200, RtoMax 120000 and MaxConn -1. Values can be negative, hence signed
//   bigint;
// - the snmp and netstat files are pairs of lines, a header
//   `TcpExt: SyncookiesSent SyncookiesRecv ...` then its values
//   `TcpExt: 0 0 ...`; snmp6 is one `Name<spaces/tab>value` per line.
//
// Parsing is pure (texts in, map out) and never throws; the reader is a thin
// layer over /proc/<pid>/net (default: this process, i.e. its namespace).

import { readFileSync } from 'node:fs';
import { closest } from '../script/known.js';

export type Counters = Map<string, bigint>;

/** The texts of the three files; a missing one (no IPv6) is simply absent. */
export interface CounterTexts {
  snmp?: string;
  netstat?: string;
  snmp6?: string;
}

/** Where the parse met something it could not read; the rest is still used. */
export interface CounterParse {
  counters: Counters;
  /** One line each, e.g. "netstat line 3: 'TcpExt' has 135 names but 134 values". */
  problems: string[];
}

const INTEGER = /^-?\d+$/;

/**
 * Parse header/value line pairs (`Group: A B C` / `Group: 1 2 3`), the format of
 * /proc/net/snmp and /proc/net/netstat (and /proc/net/sctp/snmp's cousin formats
 * are not this). Lines that do not pair up are reported and skipped.
 */
export function parseCounterTable(text: string, file = 'table', into: Counters = new Map()): CounterParse {
  const problems: string[] = [];
  const lines = text.split('\n');
  let i = 0;
  while (i < lines.length) {
    const header = lines[i]!.trim();
    if (header === '') {
      i++;
      continue;
    }
    const colon = header.indexOf(':');
    if (colon <= 0) {
      problems.push(`${file} line ${i + 1}: no 'Group:' label`);
      i++;
      continue;
    }
    const group = header.slice(0, colon);
    const values = (lines[i + 1] ?? '').trim();
    if (!values.startsWith(`${group}:`)) {
      problems.push(`${file} line ${i + 1}: '${group}' header without a value line`);
      i++;
      continue;
    }
    const names = header.slice(colon + 1).trim().split(/\s+/).filter((s) => s !== '');
    const nums = values.slice(group.length + 1).trim().split(/\s+/).filter((s) => s !== '');
    if (names.length !== nums.length) {
      problems.push(`${file} line ${i + 2}: '${group}' has ${names.length} names but ${nums.length} values`);
    }
    const n = Math.min(names.length, nums.length);
    for (let k = 0; k < n; k++) {
      const v = nums[k]!;
      if (!INTEGER.test(v)) {
        problems.push(`${file} line ${i + 2}: ${group}${names[k]} value '${v}' is not an integer`);
        continue;
      }
      into.set(group + names[k]!, BigInt(v));
    }
    i += 2;
  }
  return { counters: into, problems };
}

/** Parse /proc/net/snmp6: `Ip6InReceives   \t0` per line. */
export function parseSnmp6(text: string, into: Counters = new Map()): CounterParse {
  const problems: string[] = [];
  text.split('\n').forEach((raw, idx) => {
    const line = raw.trim();
    if (line === '') return;
    const f = line.split(/\s+/);
    if (f.length !== 2 || !INTEGER.test(f[1]!)) {
      problems.push(`snmp6 line ${idx + 1}: expected 'Name value', got '${line.slice(0, 60)}'`);
      return;
    }
    into.set(f[0]!, BigInt(f[1]!));
  });
  return { counters: into, problems };
}

/** All counters from the three texts, as nstat names them. */
export function parseCounters(texts: CounterTexts): CounterParse {
  const counters: Counters = new Map();
  const problems: string[] = [];
  if (texts.snmp !== undefined) problems.push(...parseCounterTable(texts.snmp, 'snmp', counters).problems);
  if (texts.netstat !== undefined) problems.push(...parseCounterTable(texts.netstat, 'netstat', counters).problems);
  if (texts.snmp6 !== undefined) problems.push(...parseSnmp6(texts.snmp6, counters).problems);
  return { counters, problems };
}

export interface NamespaceRef {
  /** Read the namespace of this process instead of our own (/proc/<pid>/net). */
  pid?: number;
}

function procNet(ref: NamespaceRef | undefined, file: string): string {
  return `/proc/${ref?.pid ?? 'self'}/net/${file}`;
}

function readOptional(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/**
 * The counters of the current network namespace (or of `ref.pid`'s), read the
 * way nstat reads them. Throws only when /proc itself cannot be read.
 */
export function readCounters(ref?: NamespaceRef): Counters {
  return parseCounters({
    snmp: readFileSync(procNet(ref, 'snmp'), 'utf8'),
    netstat: readFileSync(procNet(ref, 'netstat'), 'utf8'),
    snmp6: readOptional(procNet(ref, 'snmp6')),
  }).counters;
}

export interface CounterChange {
  name: string;
  before: bigint;
  after: bigint;
  delta: bigint;
}

/**
 * The counters whose value differs, in the order of `after` (then those only in
 * `before`). A counter missing on one side counts as 0 there.
 */
export function diffCounters(before: Counters, after: Counters): CounterChange[] {
  const out: CounterChange[] = [];
  for (const [name, a] of after) {
    const b = before.get(name) ?? 0n;
    if (a !== b) out.push({ name, before: b, after: a, delta: a - b });
  }
  for (const [name, b] of before) {
    if (!after.has(name) && b !== 0n) out.push({ name, before: b, after: 0n, delta: -b });
  }
  return out;
}

/** The group labels that prefix nstat names (from /proc/net/snmp, netstat, snmp6). */
export const COUNTER_GROUPS = [
  'Ip', 'Icmp', 'IcmpMsg', 'Tcp', 'Udp', 'UdpLite', 'IpExt', 'TcpExt', 'MPTcpExt',
  'Ip6', 'Icmp6', 'Udp6', 'UdpLite6',
] as const;

/**
 * The group and bare field of an nstat name: the longest known group that
 * prefixes it and is followed by an upper-case letter (`IpExtInOctets` is
 * IpExt + InOctets, not Ip + ExtInOctets; `Ip6InReceives` is Ip6 + InReceives).
 */
export function splitCounterName(name: string): { group: string; field: string } | undefined {
  let best: string | undefined;
  for (const g of COUNTER_GROUPS) {
    if (name.length > g.length && name.startsWith(g) && /[A-Z]/.test(name[g.length]!)) {
      if (best === undefined || g.length > best.length) best = g;
    }
  }
  return best === undefined ? undefined : { group: best, field: name.slice(best.length) };
}

/** The names whose bare field is `bare` (in any case when `fold`). */
function bareMatches(bare: string, names: Iterable<string>, fold: boolean): string[] {
  const want = fold ? bare.toLowerCase() : bare;
  const out: string[] = [];
  for (const name of names) {
    const field = splitCounterName(name)?.field;
    if (field !== undefined && (fold ? field.toLowerCase() : field) === want) out.push(name);
  }
  return out;
}

export type CounterName =
  | { ok: true; name: string }
  | { ok: false; error: string; suggestion?: string; candidates?: string[] };

/**
 * Resolve what a user wrote to an nstat name present in `counters`:
 *   1. the exact name (`TcpExtListenOverflows`);
 *   2. the same name in another case (`tcpextlistenoverflows`);
 *   3. a bare field (`ListenOverflows`) when exactly one group has it;
 *   4. otherwise an error, "did you mean ...?" when a name is close, or the
 *      candidates when the bare field is in several groups (`InCsumErrors`).
 */
export function resolveCounter(name: string, counters: Counters): CounterName {
  if (counters.has(name)) return { ok: true, name };
  const lower = name.toLowerCase();
  for (const n of counters.keys()) if (n.toLowerCase() === lower) return { ok: true, name: n };
  let bare = bareMatches(name, counters.keys(), false);
  if (bare.length === 0) bare = bareMatches(name, counters.keys(), true);
  if (bare.length === 1) return { ok: true, name: bare[0]! };
  if (bare.length > 1) {
    return {
      ok: false,
      error: `counter '${name}' is ambiguous: ${bare.join(', ')}`,
      candidates: bare,
    };
  }
  const suggestion = closestCounter(name, counters);
  return {
    ok: false,
    error: suggestion === undefined ? `unknown counter '${name}'` : `unknown counter '${name}'; did you mean '${suggestion}'?`,
    ...(suggestion === undefined ? {} : { suggestion }),
  };
}

/**
 * The known counter closest to a misspelt name, or undefined when none is
 * close: first among full names (`TcpExtListenOverflow` → `TcpExtListenOverflows`),
 * then among bare fields (`ListenOverflow` → `TcpExtListenOverflows`, only
 * when that field is in one group).
 */
export function closestCounter(name: string, counters: Counters | Iterable<string>): string | undefined {
  const names = [...(counters instanceof Map ? counters.keys() : counters)];
  const full = closest(name, names);
  if (full !== undefined) return full;
  const byBare = new Map<string, string[]>();
  for (const n of names) {
    const field = splitCounterName(n)?.field;
    if (field === undefined) continue;
    const list = byBare.get(field) ?? [];
    list.push(n);
    byBare.set(field, list);
  }
  const b = closest(name, byBare.keys());
  if (b === undefined) return undefined;
  const owners = byBare.get(b)!;
  return owners.length === 1 ? owners[0] : undefined;
}
