// What one probe script's run left to look at: the values its `= ...` reads
// found (from the verdict's trace, by script line) and the TCP segments of
// the listener's port in its capture (every frame both ways, kernel times).

import { readPcap } from '../pcap/read.js';
import { decodeFrame } from '../packet/frame.js';
import * as tcp from '../packet/tcp.js';
import type { RunResult } from '../runner.js';
import type { KernelRead } from '../engine/verdict.js';

/** One TCP segment of the capture, on the listener's port. */
export interface SeenSegment {
  /** Capture time, µs since the epoch (the kernel's stamp). */
  timeUsecs: number;
  /** Sent by the kernel under test (else injected by the probe). */
  outbound: boolean;
  remotePort: number;
  flags: number;
  seq: number;
  ack: number;
  payload: number;
  mss?: number;
  wscale?: number;
  sackOK: boolean;
  tsVal?: number;
}

export interface RunEvidence {
  result: RunResult;
  /** What each read found, by script line: `4`, `{recv_q=0, send_q=5, syn_recv=6}`, and by field. */
  reads: Map<number, KernelRead>;
  segments: SeenSegment[];
}

/** The TCP segments on `port` of a pcap, oldest first; [] when there is no capture. */
export async function segmentsOf(pcap: string | undefined, port: number): Promise<SeenSegment[]> {
  if (!pcap) return [];
  const r = await readPcap(pcap);
  if (!r.ok) return [];
  const out: SeenSegment[] = [];
  for (const rec of r.value.records) {
    const d = decodeFrame(rec.frame);
    if (!d.ok || d.value.kind !== 'ip' || d.value.l4.proto !== 'tcp') continue;
    const t = d.value.l4.tcp;
    const outbound = t.srcPort === port;
    if (!outbound && t.dstPort !== port) continue;
    const seg: SeenSegment = {
      timeUsecs: rec.timeUsecs,
      outbound,
      remotePort: outbound ? t.dstPort : t.srcPort,
      flags: t.flags,
      seq: t.seq,
      ack: t.ack,
      payload: t.payload.length,
      sackOK: false,
    };
    for (const o of t.options) {
      if (o.kind === 'mss') seg.mss = o.value;
      else if (o.kind === 'wscale') seg.wscale = o.value;
      else if (o.kind === 'sackOK') seg.sackOK = true;
      else if (o.kind === 'timestamp') seg.tsVal = o.val;
    }
    out.push(seg);
  }
  return out;
}

export async function evidenceOf(result: RunResult, pcap: string | undefined, port: number): Promise<RunEvidence> {
  const reads = new Map<number, KernelRead>();
  for (const t of result.verdict?.trace ?? []) {
    if (t.kind !== 'syscall' || t.line === null) continue;
    if (t.read !== undefined) reads.set(t.line, t.read);
  }
  return { result, reads, segments: await segmentsOf(pcap, port) };
}

export const isSynAck = (s: SeenSegment): boolean => s.outbound && (s.flags & (tcp.SYN | tcp.ACK)) === (tcp.SYN | tcp.ACK);
export const isRst = (s: SeenSegment): boolean => s.outbound && (s.flags & tcp.RST) !== 0;
export const isFin = (s: SeenSegment): boolean => s.outbound && (s.flags & tcp.FIN) !== 0;
