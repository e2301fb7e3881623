// The script's own process: PID 1 of fresh namespaces (see spawn.ts). It
// builds the wire, runs the engine, and reports on fd 3 as JSON lines:
//   {"type":"trace","entry":...}   as events happen (only with -v)
//   {"type":"verdict","verdict":...} once, at the end

import { readFileSync, writeFileSync, writeSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { withTransportChecksum } from '../packet/checksum.js';
import { encodePcap, wallClockAnchor, type PcapRecordInput } from '../pcap/write.js';
import { parseScript } from '../script/parse.js';
import { substituteDefines } from '../script/defines.js';
import type { RunConfig } from '../engine/config.js';
import { Engine } from '../engine/run.js';
import { collectGarbage } from '../engine/clock.js';
import { decodeLive } from '../engine/live.js';
import type { Failure, TraceEntry, Verdict } from '../engine/verdict.js';
import { availableParallelism } from 'node:os';
import { setUpNetwork, SandboxError, KERNEL_IF, KERNEL_MAC, WIRE_MAC } from './network.js';
import { isRoot } from './spawn.js';
import { hostPath, privateTmp } from './host-path.js';
import { Wire, WireError } from '../link/wire.js';
import { loadSyscalls } from '../syscalls/index.js';
import { mark, marks, phasesOn } from '../phases.js';

export interface ChildJob {
  /** Unique among runs on this host: commands see it as PACKETDRILL_PID. */
  runId: number;
  file: string;
  config: RunConfig;
  verbose: boolean;
  /** Write every injected and captured frame here (absolute path), or null. */
  pcap: string | null;
  /** Without `pcap`: keep a failing run's capture in this directory. */
  keepFailedPcapIn: string | null;
}

const OUT_FD = 3;
/** Programs that stand in front of the system's for a script's commands. */
const SANDBOX_BIN = fileURLToPath(new URL('../../share/sandbox-bin', import.meta.url));
/** fcntl(2) on Linux: set the descriptor flags; close on exec. */
const F_SETFD = 2;
const FD_CLOEXEC = 1;

/** This process's CPU time so far (user + system), µs. */
function cpuMicros(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

function send(msg: unknown): void {
  const line = JSON.stringify(msg, (_k, v) => (typeof v === 'bigint' ? v.toString() : v instanceof Uint8Array ? Buffer.from(v).toString('base64') : v)) + '\n';
  writeSync(OUT_FD, line);
}

function setupVerdict(file: string, message: string, seed: number): Verdict {
  const f: Failure = { kind: 'setup', span: null, message };
  return { file, passed: false, failures: [f], trace: [], durationMs: 0, seed };
}

export async function childMain(job: ChildJob): Promise<void> {
  mark('child: modules loaded');
  const { file, config } = job;
  // packetdrill's commands find packetdrill as their shell's parent
  // (`${PPID}`): here that is this process, PID 1 of the sandbox. With a
  // private /tmp no two runs share the files named after it.
  process.env.PACKETDRILL_PID = privateTmp() ? '1' : String(job.runId);
  // Pair the monotonic clock with wall time once, so capture times are real dates.
  const anchor = wallClockAnchor();
  let wire: Wire | null = null;
  try {
    const source = readFileSync(file, 'utf8');
    const parsed = parseScript(source, file);
    if (!parsed.ok) {
      send({ type: 'verdict', verdict: setupVerdict(file, parsed.error.message, config.seed) });
      return;
    }
    const undefinedSymbol = substituteDefines(parsed.value, config.defines);
    if (undefinedSymbol) {
      const { name, span } = undefinedSymbol;
      const v = setupVerdict(file, `'${name}' is not defined; expected a hex value, or -D ${name}=<hex> on the command line`, config.seed);
      v.failures[0]!.span = span;
      send({ type: 'verdict', verdict: v });
      return;
    }
    const family = config.ipVersion === 'ipv6' ? 6 : 4;
    // packetdrill's tun always has TSO and checksum offload; --offloads=off
    // takes them away (real segments, real checksums). 'auto' is 'on'.
    const offloads = config.offloads !== 'off';
    let engine: Engine | null = null;
    const early: Parameters<Engine['onCaptured']>[0][] = [];
    // Every frame both ways, in the kernel's order and with its times, for the run's pcap.
    const records: Array<PcapRecordInput & { outgoing: boolean }> = [];
    let wireFailure: string | null = null;
    wire = new Wire(
      { device: KERNEL_IF, offloads, kernelMac: KERNEL_MAC, wireMac: WIRE_MAC },
      (frame) => {
        records.push({ frame: frame.bytes, timeNs: frame.timeNs, outgoing: frame.outgoing });
        if (!frame.outgoing) return;
        const seg = decodeLive(frame.bytes, frame.timeNs);
        if (seg === null || typeof seg === 'string') return;
        if (frame.gsoSize) seg.gsoSize = frame.gsoSize;
        if (engine) engine.onCaptured(seg);
        else early.push(seg);
      },
      (message) => {
        wireFailure ??= message;
      },
    );
    mark('child: tun and capture open');
    const net = setUpNetwork({
      family,
      localIp: config.localIp,
      remoteIp: config.remoteIp,
      prefixLen: config.prefixLen,
      mtu: config.mtu,
      gatewayIp: config.gatewayIp,
    });
    // Commands find pktdrill's sysctl first (share/sandbox-bin/sysctl: the
    // host's congestion control restrictions, emulated by this route).
    process.env.PATH = `${SANDBOX_BIN}:${process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin'}`;
    process.env.PKTDRILL_ROUTE = net.route.spec;
    process.env.PKTDRILL_ROUTE_FAMILY = net.route.family;
    mark('child: network up');
    const sys = loadSyscalls();
    // The host's /tmp (fd 9) is for this process alone, not for commands.
    if (privateTmp()) sys.invoke('fcntl', [Number(process.env.PKTDRILL_HOST_TMP_FD), F_SETFD, FD_CLOEXEC]);
    const onTrace = job.verbose ? (entry: TraceEntry) => send({ type: 'trace', entry }) : undefined;
    // Where the script is, for the parent's deadline message: sent when the
    // event loop next turns (the engine waits), not at every event, so that
    // a run of events close together pays no write and no wake-up of the
    // parent between them.
    let at: { line: number; what: string } | null = null;
    const flushAt = () => {
      if (at) send({ type: 'at', ...at });
      at = null;
    };
    const onEvent = (line: number, what: string) => {
      if (!at) setImmediate(flushAt);
      at = { line, what };
    };
    let realtime = false;
    const onTimedDone = () => {
      if (realtime) sys.invoke('set_realtime', [0]);
      realtime = false;
    };
    engine = new Engine(file, parsed.value, config, sys, wire, { kernelMac: net.kernelMac, wireMac: net.wireMac }, { onTrace, onEvent, onTimedDone });
    for (const s of early) engine.onCaptured(s);
    engine.warmUp();
    await engine.rehearse();
    mark('child: engine warmed up');
    // As packetdrill does on machines with more than one CPU: the lowest
    // real-time round-robin priority for the clock thread only (reset on fork,
    // so commands and servers the script starts run at normal priority).
    // Setting up ran at normal priority, so parallel scripts starting up do
    // not hold each other's clocks up. PKTDRILL_NO_RT=1 turns it off, for
    // measuring what it buys (bench/RESULTS.md).
    if (isRoot() && availableParallelism() > 1 && !process.env.PKTDRILL_NO_RT) realtime = sys.invoke('set_realtime', [1]).ret === 0;
    // Start the libuv pool now, after the priority is set: its threads are
    // made on first use and take the priority on their first call, and a
    // script's first blocking call must not pay for either on the clock
    // (a pool thread still at normal priority waits behind every other
    // script's start-up). One short sleep per thread, all at once, so each
    // thread gets one.
    const poolSize = Number(process.env.UV_THREADPOOL_SIZE) || 4;
    const warmUntil = process.hrtime.bigint() + 2_000_000n;
    await Promise.all(Array.from({ length: poolSize }, () => sys.invokeAsync('sleep_until', [warmUntil])));
    // Start the clock with the start-up's garbage collected.
    collectGarbage(false);
    mark('child: clock starts');
    const verdict = await engine.run();
    mark('child: script done');
    // Frames still queued on the packet socket belong in the capture too.
    wire.pump();
    if (wireFailure) {
      verdict.failures.push({ kind: 'setup', span: null, message: wireFailure });
      verdict.passed = false;
    }
    const pcap = job.pcap ?? (!verdict.passed && job.keepFailedPcapIn ? join(job.keepFailedPcapIn, `${basename(file, '.pkt')}-${verdict.seed}.pcap`) : null);
    if (pcap) {
      try {
        // What the kernel sent with checksum offload carries a partial
        // transport checksum: the capture shows it as a wire would.
        const frames = records.map((r) => (r.outgoing ? { frame: withTransportChecksum(r.frame), timeNs: r.timeNs } : r));
        writeFileSync(hostPath(pcap), encodePcap(frames, { anchor }));
        verdict.pcap = pcap;
      } catch (e) {
        verdict.failures.push({ kind: 'setup', span: null, message: `cannot write the capture ${pcap}: ${(e as Error).message}` });
        verdict.passed = false;
      }
    }
    mark('child: verdict sent');
    send({ type: 'verdict', verdict, ...(phasesOn ? { phases: marks, maxRssKb: process.resourceUsage().maxRSS, cpuUs: cpuMicros() } : {}) });
  } catch (e) {
    if (e instanceof SandboxError || e instanceof WireError) {
      send({ type: 'verdict', verdict: setupVerdict(file, e.message, config.seed) });
    } else if ((e as Error).name === 'NativeAddonMissingError') {
      send({ type: 'verdict', verdict: setupVerdict(file, (e as Error).message, config.seed) });
    } else {
      // One line for the user; the stack goes to stderr (shown with -v).
      process.stderr.write(`${(e as Error).stack ?? e}\n`);
      send({ type: 'verdict', verdict: setupVerdict(file, `internal error: ${(e as Error).message ?? e} (run with -v for details)`, config.seed) });
    }
  } finally {
    wire?.close();
  }
}
