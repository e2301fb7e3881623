// pktdrill's extensions that read kernel state, written as calls so that
// scripts stay in packetdrill's grammar:
//
//   +0 nstat(TcpExtListenOverflows) = 1
//   +0 listen_queue(8080) = {recv_q=2, send_q=1, syn_recv=0}
//   +0 syncookie(41002) = 1          (the flow's SYN-ACK is a cookie; 0: is not)
//   +0 socket_state(41000) = {state=CLOSE_WAIT, recv_q=11, send_q=0}
//   +0 sysctl("net.ipv4.tcp_synack_retries") = 5
//
// Each gives an error (null when the script's expectation holds) and the
// value it read, in the script's words; `= ...` reads without checking.

import { readFileSync } from 'node:fs';
import type { Expr, SyscallEvent } from '../script/ast.js';
import { readCounters, resolveCounter, type Counters } from '../kernel/counters.js';
import { listenerState } from '../kernel/listeners.js';
import { judgeSynAck } from '../kernel/syncookie.js';
import { readSockets, socketOfPeer, SOCKET_STATE_NAMES } from '../kernel/sockets.js';
import { closest } from '../script/known.js';
import type { Evaluator } from './calls.js';
import { DEFAULT_FLOW, type Flows } from './flow.js';

export const KERNEL_CALLS = new Set(['nstat', 'listen_queue', 'syncookie', 'socket_state', 'sysctl']);

/** What a kernel call found: the failure (null: as the script says) and what it read, e.g. `{recv_q=2, send_q=1, syn_recv=0}`. */
export interface KernelCallResult {
  error: string | null;
  value?: string;
  /** The value field by field, for a struct (a single value is `{ value }`). */
  fields?: Record<string, string>;
}

export interface KernelCallContext {
  evalr: Evaluator;
  flows: Flows;
  bindPort: number;
  family: 4 | 6;
}

/** The name a counter argument gives: a bare word or a string. */
function counterName(e: Expr | undefined): string | null {
  if (!e) return null;
  if (e.kind === 'symbol') return e.name;
  if (e.kind === 'string') return e.value;
  return null;
}

function portArg(e: Expr | undefined, ctx: KernelCallContext): number | null {
  if (!e || e.kind === 'ellipsis') return null;
  return ctx.evalr.int(e);
}

export function runKernelCall(ev: SyscallEvent, ctx: KernelCallContext): KernelCallResult {
  switch (ev.name) {
    case 'nstat':
      return nstat(ev, ctx);
    case 'listen_queue':
      return listenQueue(ev, ctx);
    case 'syncookie':
      return syncookie(ev, ctx);
    case 'socket_state':
      return socketState(ev, ctx);
    case 'sysctl':
      return sysctl(ev, ctx);
    default:
      return { error: `unknown kernel call '${ev.name}'` };
  }
}

function nstat(ev: SyscallEvent, ctx: KernelCallContext): KernelCallResult {
  const name = counterName(ev.args[0]);
  if (!name) return { error: 'nstat() takes a counter name, e.g. nstat(TcpExtListenOverflows)' };
  const counters = readCounters();
  const r = resolveCounter(name, counters);
  if (!r.ok) return { error: r.error };
  const actual = counters.get(r.name)!;
  const value = String(actual);
  if (ev.result.kind === 'ellipsis') return { error: null, value };
  const expected = BigInt(ctx.evalr.int(ev.result));
  if (actual === expected) return { error: null, value };
  return { error: `live counter ${r.name}: expected: ${expected} vs actual: ${actual}`, value };
}

function listenQueue(ev: SyscallEvent, ctx: KernelCallContext): KernelCallResult {
  const port = portArg(ev.args[0], ctx) ?? ctx.bindPort;
  const st = listenerState(port, ctx.family);
  if (!st.found) return { error: `no listener on port ${port}` };
  const value = `{recv_q=${st.recvQ}, send_q=${st.sendQ}, syn_recv=${st.synRecv}}`;
  const fields = { recv_q: String(st.recvQ), send_q: String(st.sendQ), syn_recv: String(st.synRecv) };
  if (ev.result.kind === 'ellipsis') return { error: null, value, fields };
  if (ev.result.kind !== 'struct') return { error: 'listen_queue() = {recv_q=N, send_q=N, syn_recv=N} (any of the three, or ... to read them)' };
  const actual: Record<string, number> = { recv_q: st.recvQ, send_q: st.sendQ, syn_recv: st.synRecv };
  const wrong: string[] = [];
  for (const f of ev.result.fields) {
    if (!(f.name in actual)) return { error: `listen_queue(): unknown field '${f.name}'; expected recv_q, send_q or syn_recv` };
    const want = ctx.evalr.int(f.value);
    if (want !== actual[f.name]) wrong.push(`${f.name}: expected: ${want} vs actual: ${actual[f.name]}`);
  }
  return { error: wrong.length ? `listen queue of port ${port}: ${wrong.join(', ')}` : null, value, fields };
}

/**
 * `socket_state(PORT) = {state=CLOSE_WAIT, recv_q=N, send_q=N, mss=N}`: the
 * connection of the flow with remote port PORT (`...`: the script's one
 * flow), as `ss` shows it; CLOSED when the kernel has no socket for it.
 */
function socketState(ev: SyscallEvent, ctx: KernelCallContext): KernelCallResult {
  const port = portArg(ev.args[0], ctx);
  const flow = ctx.flows.get(port ?? DEFAULT_FLOW);
  const remotePort = flow?.remotePort ?? port;
  const which = port === null ? 'the flow' : `flow ${port}`;
  if (remotePort === null) return { error: 'socket_state(): the script\'s flow has no remote port yet (no packet sent or seen)' };
  const row = socketOfPeer(readSockets(), remotePort);
  const actual: Record<string, number | string | undefined> = row
    ? { state: row.state, recv_q: row.recvQ, send_q: row.sendQ, mss: row.mss }
    : { state: 'CLOSED', recv_q: undefined, send_q: undefined, mss: undefined };
  const fields = Object.fromEntries(Object.entries(actual).flatMap(([k, v]) => (v === undefined ? [] : [[k, String(v)]])));
  const value = `{${Object.entries(fields)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ')}}`;
  if (ev.result.kind === 'ellipsis') return { error: null, value, fields };
  if (ev.result.kind !== 'struct') return { error: 'socket_state() = {state=NAME, recv_q=N, send_q=N, mss=N} (any of them, or ... to read them)' };
  const wrong: string[] = [];
  for (const f of ev.result.fields) {
    if (!(f.name in actual)) return { error: `socket_state(): unknown field '${f.name}'; expected state, recv_q, send_q or mss` };
    if (f.name === 'state') {
      const want = f.value.kind === 'symbol' ? f.value.name : f.value.kind === 'string' ? f.value.value : null;
      if (want === null || !SOCKET_STATE_NAMES.includes(want)) {
        const near = want === null ? undefined : closest(want, [...SOCKET_STATE_NAMES]);
        return { error: `socket_state(): state takes a TCP state name (${SOCKET_STATE_NAMES.join(', ')})${near ? `; did you mean ${near}?` : ''}` };
      }
      if (want !== actual.state) wrong.push(`state: expected: ${want} vs actual: ${actual.state}`);
      continue;
    }
    const want = ctx.evalr.int(f.value);
    const got = actual[f.name];
    if (got === undefined) wrong.push(`${f.name}: expected: ${want} vs actual: ${row ? 'not shown by ss' : 'no socket'}`);
    else if (want !== got) wrong.push(`${f.name}: expected: ${want} vs actual: ${got}`);
  }
  return { error: wrong.length ? `socket of ${which} (remote port ${remotePort}): ${wrong.join(', ')}` : null, value, fields };
}

/**
 * `sysctl("net.ipv4.tcp_synack_retries") = 5`: a sysctl of the script's
 * namespace (only net.* are the namespace's own), as `sysctl -n` prints it;
 * a string result compares the text (`"4096 131072 6291456"`, tabs as spaces).
 */
function sysctl(ev: SyscallEvent, ctx: KernelCallContext): KernelCallResult {
  const a = ev.args[0];
  const name = a?.kind === 'string' ? a.value : null;
  if (!name || !/^[a-z0-9_]+(\.[A-Za-z0-9_-]+)+$/.test(name)) return { error: 'sysctl() takes a sysctl name as a string, e.g. sysctl("net.core.somaxconn")' };
  let text: string;
  try {
    text = readFileSync(`/proc/sys/${name.replace(/\./g, '/')}`, 'utf8').trim().replace(/\s+/g, ' ');
  } catch {
    return { error: `sysctl(): no sysctl ${name} here` };
  }
  if (ev.result.kind === 'ellipsis') return { error: null, value: /^-?\d+$/.test(text) ? text : JSON.stringify(text) };
  if (ev.result.kind === 'string') {
    const want = ev.result.value.trim().replace(/\s+/g, ' ');
    return { error: want === text ? null : `sysctl ${name}: expected: "${want}" vs actual: "${text}"`, value: JSON.stringify(text) };
  }
  const want = ctx.evalr.int(ev.result);
  if (!/^-?\d+$/.test(text)) return { error: `sysctl ${name}: expected: ${want} vs actual: "${text}" (not a number; give a string)` };
  return { error: Number(text) === want ? null : `sysctl ${name}: expected: ${want} vs actual: ${text}`, value: text };
}

function tsExact(): boolean {
  try {
    return readFileSync('/proc/sys/net/ipv4/tcp_timestamps', 'utf8').trim() === '2';
  } catch {
    return false;
  }
}

function syncookie(ev: SyscallEvent, ctx: KernelCallContext): KernelCallResult {
  const r = syncookieJudged(ev, ctx);
  return typeof r === 'string' || r === null ? { error: r } : r;
}

function syncookieJudged(ev: SyscallEvent, ctx: KernelCallContext): string | null | KernelCallResult {
  const port = portArg(ev.args[0], ctx);
  const flow = ctx.flows.get(port ?? DEFAULT_FLOW);
  const which = port === null ? 'the flow' : `flow ${port}`;
  if (!flow) return `syncookie(): no flow with remote port ${port}`;
  if (!flow.lastSyn) return `syncookie(): no SYN was sent on ${which}`;
  if (!flow.lastSynAck) return `syncookie(): no SYN-ACK came on ${which}`;
  const j = judgeSynAck(flow.lastSyn, flow.lastSynAck, { tsExact: tsExact(), sentMss: flow.maxSentSegment || undefined });
  const isCookie = j.looksLikeCookie && j.conclusive;
  if (ev.result.kind === 'ellipsis') {
    const why = (isCookie ? j.checks.filter((c) => c.telling) : j.checks.filter((c) => !c.ok)).map((c) => c.message);
    return { error: null, value: `${isCookie ? 1 : 0}${why.length ? ` (${why.join('; ')})` : ''}`, fields: { value: isCookie ? '1' : '0' } };
  }
  const want = ctx.evalr.int(ev.result) !== 0;
  if (want && !isCookie) {
    const failed = j.checks.filter((c) => !c.ok).map((c) => c.message);
    if (failed.length) return `the SYN-ACK on ${which} is not a syncookie: ${failed.join('; ')}`;
    return `cannot tell whether the SYN-ACK on ${which} is a syncookie: ${j.notes.join('; ') || 'no telling check applies'}`;
  }
  if (!want && isCookie) {
    const telling = j.checks.filter((c) => c.telling).map((c) => c.message);
    return `the SYN-ACK on ${which} is a syncookie: ${telling.join('; ')}`;
  }
  return null;
}

export type { Counters };
