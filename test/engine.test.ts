// The engine without a kernel: fake calls (every call succeeds at once,
// socket() returns 3) and a fake wire whose "kernel" answers a SYN with a
// SYN-ACK after a chosen delay. Matching, failure wording and the timing rule
// run as on the live kernel, in milliseconds.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Syscalls } from '../src/engine/calls.js';
import { decodeLive } from '../src/engine/live.js';
import { Engine, type EngineWire } from '../src/engine/run.js';
import type { Verdict } from '../src/engine/verdict.js';
import { KERNEL_MAC, WIRE_MAC } from '../src/link/macs.js';
import { encodeTcpFrame } from '../src/packet/frame.js';
import * as tcp from '../src/packet/tcp.js';
import { prepareScript } from '../src/runner.js';
import { loadSyscalls, nativeAvailable } from '../src/syscalls/index.js';

const dir = mkdtempSync(join(tmpdir(), 'pktdrill-engine-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const LISTENER = `0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0 bind(3, ..., ...) = 0
+0 listen(3, 1) = 0
+0 < S 0:0(0) win 1000 <mss 1460>
+0 > S. 0:0(0) ack 1 <mss 1460>
+0.01 < . 1:1(0) ack 1 win 1000
`;

interface FakeKernel {
  /** How long after the SYN the SYN-ACK comes (ms). */
  delayMs: number;
  /** What the SYN-ACK acknowledges, relative to the SYN's seq (1 is right). */
  ackOffset?: number;
}

const now = (): bigint => process.hrtime.bigint();

/** `toleranceUsecs`: wide where the test is not about timing, so a loaded machine (the suite runs files in parallel) does not fail it. */
async function run(text: string, kernel: FakeKernel, toleranceUsecs = 25_000): Promise<{ verdict: Verdict; sent: number }> {
  const file = join(dir, `s${Math.random().toString(36).slice(2)}.pkt`);
  writeFileSync(file, text);
  const prep = prepareScript(file, { options: [{ name: 'seed', value: '7' }, { name: 'tolerance_usecs', value: String(toleranceUsecs) }] });
  if (!prep.ok) throw new Error(prep.error);
  const { script, config } = prep.value;
  const real = loadSyscalls() as unknown as Syscalls;
  const sys: Syscalls = {
    ...real,
    invoke: (op) => ({ ret: op === 'socket' ? 3 : 0, errno: 0, startNs: now(), endNs: now() }),
    invokeAsync: (op) => Promise.resolve({ ret: op === 'socket' ? 3 : 0, errno: 0, startNs: now(), endNs: now() }),
  };
  let sent = 0;
  let engine: Engine | null = null;
  const wire: EngineWire = {
    send(frame) {
      sent++;
      const seg = decodeLive(frame, now());
      if (seg && typeof seg !== 'string' && seg.tcp && (seg.tcp.flags & (tcp.SYN | tcp.ACK)) === tcp.SYN) {
        const syn = seg.tcp;
        setTimeout(() => {
          const reply = encodeTcpFrame({
            srcMac: KERNEL_MAC,
            dstMac: WIRE_MAC,
            ip: { version: 4, src: config.localIp, dst: config.remoteIp, tos: 0, ttl: 64, df: true, id: 0 },
            tcp: {
              srcPort: syn.dstPort,
              dstPort: syn.srcPort,
              seq: 5000,
              ack: (syn.seq + (kernel.ackOffset ?? 1)) >>> 0,
              flags: tcp.SYN | tcp.ACK,
              window: 65535,
              urgentPointer: 0,
              options: [{ kind: 'mss', value: 1460 }],
              payload: new Uint8Array(0),
            },
          });
          if (!reply.ok) throw new Error(reply.error);
          const live = decodeLive(reply.value, now());
          if (live && typeof live !== 'string') engine!.onCaptured(live);
        }, kernel.delayMs);
      }
      return now();
    },
  };
  engine = new Engine(file, script, config, sys, wire, { kernelMac: KERNEL_MAC, wireMac: WIRE_MAC });
  return { verdict: await engine.run(), sent };
}

describe.skipIf(!nativeAvailable())('Engine with a fake wire and fake calls', () => {
  it('passes a handshake the fake kernel answers at once', async () => {
    const { verdict, sent } = await run(LISTENER, { delayMs: 0 });
    expect(verdict.failures).toEqual([]);
    expect(verdict.passed).toBe(true);
    expect(sent).toBe(2);
  });

  it('says which field differs, on the script line, in packetdrill words', async () => {
    const { verdict, sent } = await run(LISTENER, { delayMs: 0, ackOffset: 2 });
    expect(verdict.passed).toBe(false);
    expect(verdict.failures[0]).toMatchObject({ kind: 'packet', span: { line: 5 }, message: 'error handling packet: live packet field tcp_ack_seq: expected: 1 (0x1) vs actual: 2 (0x2)' });
    expect(sent).toBe(1); // the run stops at the first failure
  });

  it('a SYN-ACK 30 ms late is a timing error (4 ms tolerance)', async () => {
    const { verdict } = await run(LISTENER, { delayMs: 30 }, 4000);
    expect(verdict.passed).toBe(false);
    expect(verdict.failures[0]!.span?.line).toBe(5);
    expect(verdict.failures[0]!.message).toMatch(/^timing error: expected outbound packet at 0\.000\d+ sec but happened at 0\.0[3-9]\d* sec; tolerance 0\.004000 sec$/);
  });

  it('a window of 20-60 ms takes the SYN-ACK 30 ms late', async () => {
    const { verdict } = await run(LISTENER.replace('+0 > S.', '+0.02~+0.06 > S.'), { delayMs: 30 });
    expect(verdict.failures).toEqual([]);
  });
});
