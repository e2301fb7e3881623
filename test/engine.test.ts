// The engine without a kernel: fake calls (every call succeeds, at once or
// after a chosen cost; socket() returns 3) and a fake wire whose "kernel"
// answers a SYN with a SYN-ACK after a chosen delay, or as the SYN goes.
// Matching, failure wording and the timing rules run as on the live kernel,
// in milliseconds.

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
  /** Answer as the SYN goes, at its very time (delayMs is then not used). */
  atOnce?: boolean;
  /** What putting a frame on the wire costs (µs, spent before the frame's time is taken). */
  sendUsecs?: number;
  /** What a call costs (µs, spent before it returns), by op. */
  callUsecs?: Record<string, number>;
}

const now = (): bigint => process.hrtime.bigint();

/** Keep the CPU for `usecs`, as a slow link or call would. */
function spin(usecs: number): void {
  const end = now() + BigInt(Math.round(usecs * 1000));
  while (now() < end);
}

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
    invoke: (op) => {
      const startNs = now();
      spin(kernel.callUsecs?.[op] ?? 0);
      return { ret: op === 'socket' ? 3 : 0, errno: 0, startNs, endNs: now() };
    },
    invokeAsync: (op) => Promise.resolve({ ret: op === 'socket' ? 3 : 0, errno: 0, startNs: now(), endNs: now() }),
  };
  let sent = 0;
  let engine: Engine | null = null;
  const wire: EngineWire = {
    send(frame) {
      sent++;
      spin(kernel.sendUsecs ?? 0);
      const at = now();
      const seg = decodeLive(frame, at);
      if (seg && typeof seg !== 'string' && seg.tcp && (seg.tcp.flags & (tcp.SYN | tcp.ACK)) === tcp.SYN) {
        const syn = seg.tcp;
        const answer = (): void => {
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
          // A timer counts from the event loop's idea of now, which can be
          // behind the clock: it may fire up to a few ms early. The answer is
          // never stamped before its delay.
          const sentAt = now();
          const due = at + BigInt(kernel.delayMs * 1e6);
          const live = decodeLive(reply.value, kernel.atOnce ? at : sentAt > due ? sentAt : due);
          if (live && typeof live !== 'string') engine!.onCaptured(live);
        };
        if (kernel.atOnce) answer();
        else setTimeout(answer, kernel.delayMs);
      }
      return at;
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

// The timing rules, pinned where they differ from a plain "previous event
// plus offset": a flood takes the tool time to send (here 0.5 or 2.5 ms a frame),
// and the rules say what is due when after it.
const FLOOD = `0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0 bind(3, ..., ...) = 0
+0 listen(3, 100) = 0
+0 < 41000..41019>8080 S 0:0(0) win 1000 <mss 1460>
`;

describe.skipIf(!nativeAvailable())('Engine timing rules, with a fake wire', () => {
  const entries = (v: Verdict, line: number, kind: string) => v.trace.filter((t) => t.line === line && t.kind === kind);

  it('an inbound packet after a flood is due that long after the flood’s last packet, not after the flood’s script time', async () => {
    const { verdict } = await run(`${FLOOD}+0.01 < 42000>8080 S 0:0(0) win 1000 <mss 1460>\n`, { delayMs: 0, sendUsecs: 500 });
    expect(verdict.failures).toEqual([]);
    const flood = entries(verdict, 4, 'inbound');
    expect(flood).toHaveLength(20);
    const last = flood[flood.length - 1]!.timeUsecs;
    // Sending the flood took 19 frames × 0.5 ms at least after its first.
    expect(last - flood[0]!.timeUsecs).toBeGreaterThanOrEqual(19 * 500);
    const [next] = entries(verdict, 5, 'inbound');
    expect(next!.expectedUsecs).toBe(last + 10_000);
  });

  it('each answer to a flood is due after its own flow’s packet (the first ones come while the flood still goes)', async () => {
    // Here the flood takes 47.5 ms: due after its last packet, the first
    // answers would be timing errors even at the 25 ms tolerance.
    const { verdict } = await run(`${FLOOD}+0 > 8080>41000..41019 S. 0:0(0) ack 1 <mss 1460>\n`, { delayMs: 0, atOnce: true, sendUsecs: 2500 });
    expect(verdict.failures).toEqual([]);
    const sentAt = new Map(entries(verdict, 4, 'inbound').map((t) => [t.packet!.srcPort, t.timeUsecs]));
    const answers = entries(verdict, 5, 'outbound');
    expect(answers).toHaveLength(20);
    for (const a of answers) expect(a.expectedUsecs).toBeCloseTo(sentAt.get(a.packet!.dstPort)!, 3);
    const spread = Math.max(...sentAt.values()) - Math.min(...sentAt.values());
    expect(spread).toBeGreaterThan(25_000);
  });

  it('an inbound packet that cannot go at its time (a call before it took 60 ms) is a timing error, in packetdrill’s words', async () => {
    const text = `0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0 bind(3, ..., ...) = 0
+0 listen(3, 1) = 0
0.010 < S 0:0(0) win 1000 <mss 1460>
`;
    const { verdict } = await run(text, { delayMs: 0, callUsecs: { listen: 60_000 } });
    expect(verdict.passed).toBe(false);
    expect(verdict.failures).toHaveLength(1);
    expect(verdict.failures[0]).toMatchObject({ kind: 'timing', span: { line: 4 } });
    expect(verdict.failures[0]!.message).toMatch(/^timing error: expected inbound packet at 0\.010000 sec but happened at 0\.(0[6-9]|[1-9])\d* sec; tolerance 0\.025000 sec$/);
  });
});
