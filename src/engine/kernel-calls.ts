// pktdrill's extensions that read kernel state, written as calls so that
// scripts stay in packetdrill's grammar:
//
//   +0 nstat(TcpExtListenOverflows) = 1
//   +0 listen_queue(8080) = {recv_q=2, send_q=1, syn_recv=0}
//   +0 syncookie(41002) = 1          (the flow's SYN-ACK is a cookie; 0: is not)
//
// Each returns null when the script's expectation holds, or the message.

import { readFileSync } from 'node:fs';
import type { Expr, SyscallEvent } from '../script/ast.js';
import { readCounters, resolveCounter, type Counters } from '../kernel/counters.js';
import { listenerState } from '../kernel/listeners.js';
import { judgeSynAck } from '../kernel/syncookie.js';
import type { Evaluator } from './calls.js';
import { DEFAULT_FLOW, type Flows } from './flow.js';

export const KERNEL_CALLS = new Set(['nstat', 'listen_queue', 'syncookie']);

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

export function runKernelCall(ev: SyscallEvent, ctx: KernelCallContext): string | null {
  switch (ev.name) {
    case 'nstat':
      return nstat(ev, ctx);
    case 'listen_queue':
      return listenQueue(ev, ctx);
    case 'syncookie':
      return syncookie(ev, ctx);
    default:
      return `unknown kernel call '${ev.name}'`;
  }
}

function nstat(ev: SyscallEvent, ctx: KernelCallContext): string | null {
  const name = counterName(ev.args[0]);
  if (!name) return 'nstat() takes a counter name, e.g. nstat(TcpExtListenOverflows)';
  const counters = readCounters();
  const r = resolveCounter(name, counters);
  if (!r.ok) return r.error;
  const actual = counters.get(r.name)!;
  if (ev.result.kind === 'ellipsis') return null;
  const expected = BigInt(ctx.evalr.int(ev.result));
  if (actual === expected) return null;
  return `live counter ${r.name}: expected: ${expected} vs actual: ${actual}`;
}

function listenQueue(ev: SyscallEvent, ctx: KernelCallContext): string | null {
  const port = portArg(ev.args[0], ctx) ?? ctx.bindPort;
  const st = listenerState(port, ctx.family);
  if (!st.found) return `no listener on port ${port}`;
  if (ev.result.kind !== 'struct') return 'listen_queue() = {recv_q=N, send_q=N, syn_recv=N} (any of the three)';
  const actual: Record<string, number> = { recv_q: st.recvQ, send_q: st.sendQ, syn_recv: st.synRecv };
  const wrong: string[] = [];
  for (const f of ev.result.fields) {
    if (!(f.name in actual)) return `listen_queue(): unknown field '${f.name}'; expected recv_q, send_q or syn_recv`;
    const want = ctx.evalr.int(f.value);
    if (want !== actual[f.name]) wrong.push(`${f.name}: expected: ${want} vs actual: ${actual[f.name]}`);
  }
  return wrong.length ? `listen queue of port ${port}: ${wrong.join(', ')}` : null;
}

function tsExact(): boolean {
  try {
    return readFileSync('/proc/sys/net/ipv4/tcp_timestamps', 'utf8').trim() === '2';
  } catch {
    return false;
  }
}

function syncookie(ev: SyscallEvent, ctx: KernelCallContext): string | null {
  const port = portArg(ev.args[0], ctx);
  const flow = ctx.flows.get(port ?? DEFAULT_FLOW);
  const which = port === null ? 'the flow' : `flow ${port}`;
  if (!flow) return `syncookie(): no flow with remote port ${port}`;
  if (!flow.lastSyn) return `syncookie(): no SYN was sent on ${which}`;
  if (!flow.lastSynAck) return `syncookie(): no SYN-ACK came on ${which}`;
  const j = judgeSynAck(flow.lastSyn, flow.lastSynAck, { tsExact: tsExact(), sentMss: flow.maxSentSegment || undefined });
  const isCookie = j.looksLikeCookie && j.conclusive;
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
