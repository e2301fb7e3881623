// `pktdrill probe`: run the battery (src/probe/battery.ts) against a server
// that a command starts, one script and one namespace each, and gather the
// findings; with pinning, the scripts that assert them.

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, release } from 'node:os';
import { join } from 'node:path';
import { runScriptFile, type RunResult } from '../runner.js';
import { formatFailure } from '../report/text.js';
import { evidenceOf } from './evidence.js';
import {
  abortOnOverflow,
  acceptQueueFull,
  backlog,
  backlogAsked,
  BATTERY,
  cookies,
  maxSynBacklog,
  peerClose,
  synAckSchedule,
  synQueue,
  type Finding,
  type Known,
  type Measurement,
} from './battery.js';
import type { Pins, ProbeTarget } from './script.js';

export interface ProbeOptions {
  quick?: boolean;
  /** Called as each measurement's run ends. */
  onMeasured?: (id: string, result: RunResult) => void;
}

/** A script that pins a measurement's findings. */
export interface PinnedScript {
  measurement: string;
  /** File name: `03-accept-queue.pkt`. */
  name: string;
  text: string;
}

export interface ProbeReport {
  target: ProbeTarget;
  kernel: string;
  quick: boolean;
  findings: Finding[];
  scripts: PinnedScript[];
  durationMs: number;
}

/** One clear line (and the server's output below it) when the server cannot be probed at all. */
export interface ProbeError {
  error: string;
  detail?: string;
}

const serverOutput = (r: RunResult): string | undefined => {
  const f = r.verdict?.failures[0];
  return f?.detail;
};

/** What to change when the server listens elsewhere (`addr:port` each): `give --port 9000`. */
function portHint(elsewhere: readonly string[], t: ProbeTarget): string {
  const ports = [...new Set(elsewhere.map((e) => e.slice(e.lastIndexOf(':') + 1)))];
  const anyAddress = elsewhere.every((e) => e.startsWith(`${t.localIp}:`) || e.startsWith('0.0.0.0:') || e.startsWith('[::]:'));
  return ports.length === 1 ? `give --port ${ports[0]}${anyAddress ? '' : `, and bind ${t.localIp}`}` : `give --port, and bind ${t.localIp}`;
}

/** The one line for a first run that did not get as far as the listener's backlog. */
function setupError(t: ProbeTarget, r: RunResult): ProbeError {
  const f = r.verdict?.failures[0];
  const output = serverOutput(r) ?? r.stderr?.trim();
  const what = `\`${t.server}\``;
  const msg = f?.message ?? r.error ?? 'no verdict';
  if (f?.command !== undefined && f.command.startsWith('sysctl -q ')) {
    // The scripts' init command: the --sysctl lines, before the server starts.
    const why = (f.detail ?? '').split('\n').find((l) => l.trim()) ?? msg;
    return { error: `pktdrill probe: a --sysctl failed in the probe's namespace: ${why.trim()}` };
  }
  const wait = f?.listener;
  const elsewhere = wait?.elsewhere.join(', ') ?? '';
  switch (wait?.outcome) {
    case 'ended':
      if (output && /address already in use|EADDRINUSE/i.test(output)) {
        return { error: `pktdrill probe: ${what} could not listen: port ${t.port} is taken in the probe's namespace (Address already in use)`, detail: output };
      }
      return { error: `pktdrill probe: ${what} exited before listening on ${t.localIp}:${t.port}${elsewhere ? ` (it listened on ${elsewhere})` : ''}`, detail: output };
    case 'wrong-address':
      return {
        error: `pktdrill probe: ${what} listens on ${wait.addresses.join(', ')}:${t.port}, not on ${t.localIp}, where the probe's packets go (bind it to ${t.localIp} or 0.0.0.0)`,
        detail: output,
      };
    case 'none':
      return {
        error: `pktdrill probe: ${what} did not listen on ${t.localIp}:${t.port} within 10 s${elsewhere ? `; it listens on ${elsewhere} (${portHint(wait.elsewhere, t)})` : ''}`,
        detail: output,
      };
  }
  return { error: `pktdrill probe: ${what}: ${msg.split('\n')[0]}`, detail: output };
}

/** Run `fn` over `items`, `limit` at a time, results in order. */
async function pool<T, R>(items: readonly T[], limit: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!);
      }
    }),
  );
  return out;
}

function kernelRelease(): string {
  try {
    return `Linux ${readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim()}`;
  } catch {
    return `Linux ${release()}`;
  }
}

export async function runProbe(t: ProbeTarget, opts: ProbeOptions = {}): Promise<{ ok: true; report: ProbeReport } | { ok: false; error: ProbeError }> {
  const started = Date.now();
  const quick = !!opts.quick;
  const dir = mkdtempSync(join(tmpdir(), 'pktdrill-probe-'));
  const pinsOf = new Map<string, Pins>();
  const findingsOf = new Map<string, Finding[]>();
  const knownAt = new Map<string, Known>();
  const learned = new Map<string, Partial<Known>>();
  try {
    const run = async (m: Measurement, k: Known): Promise<{ result: RunResult; found: Finding[]; known?: Partial<Known> }> => {
      const w = m.write(t, k, null, quick);
      const file = join(dir, `${m.id}.pkt`);
      const pcap = join(dir, `${m.id}.pcap`);
      writeFileSync(file, w.text());
      const result = await runScriptFile(file, { commandDir: t.cwd, pcap, keepFailedPcapIn: null, timingRetries: 0 });
      opts.onMeasured?.(m.id, result);
      const ev = await evidenceOf(result, result.pcap ?? pcap, t.port);
      const it = m.interpret(ev, w, t, k, quick);
      pinsOf.set(m.id, it.pins);
      knownAt.set(m.id, k);
      let found = it.findings;
      if (result.status !== 'pass') {
        // The script stopped early: what it read is kept, the rest is its failure.
        const f = result.verdict?.failures[0];
        const why = f ? formatFailure(`${m.id}.pkt`, f).split('\n')[0]! : (result.error ?? 'error').split('\n')[0]!;
        found = found.map((x) => (x.status === 'measured' ? x : { ...x, status: 'failed', value: 'not measured', evidence: [why] }));
        if (found.length === 0 && m.skipped.length) found = m.skipped.map((s) => ({ ...s, value: 'not measured', evidence: [why], measurement: m.id, status: 'failed' }));
        pinsOf.delete(m.id);
      }
      findingsOf.set(m.id, found);
      if (it.known && result.status === 'pass') learned.set(m.id, it.known);
      return { result, found, known: it.known };
    };

    // 1. The backlog (and what listen() asked for): the server must listen first.
    const [first, asked] = await Promise.all([run(backlog, { backlog: 0 }), run(backlogAsked, { backlog: 0 })]);
    if (first.result.status !== 'pass' || first.known?.backlog === undefined) return { ok: false, error: setupError(t, first.result) };
    const known: Known = { backlog: first.known.backlog, asked: asked.known?.asked, settings: first.known.settings };
    const f0 = findingsOf.get('backlog')![0]!;
    if (known.asked !== undefined) {
      const somaxconn = known.settings?.['net.core.somaxconn'];
      f0.evidence.push(
        known.asked > known.backlog
          ? `listen() asked for ${known.asked >= 65535 ? '65535 or more' : known.asked}: clamped by net.core.somaxconn${somaxconn !== undefined ? ` ${somaxconn}` : ''}`
          : `listen() asked for ${known.asked} (not clamped${somaxconn !== undefined ? ` by somaxconn ${somaxconn}` : ''})`,
      );
    }
    const skipOrRun = async (m: Measurement, k: Known): Promise<void> => {
      const why = m.skip(k);
      if (why === null) {
        await run(m, k);
        return;
      }
      findingsOf.set(m.id, m.skipped.map((s) => ({ ...s, value: why, evidence: [], measurement: m.id, status: 'not-measured' })));
    };
    // 2. What needs only the backlog (the long SYN-ACK schedule first); 3. what needs the SYN queue.
    await pool([synAckSchedule, synQueue, cookies, maxSynBacklog, peerClose], 2, (m) => skipOrRun(m, { ...known }));
    const synKnown: Known = { ...known, ...learned.get('syn-queue') };
    await pool([acceptQueueFull, abortOnOverflow], 2, (m) => skipOrRun(m, synKnown));

    const findings = BATTERY.flatMap((m) => findingsOf.get(m.id) ?? []);
    const scripts: PinnedScript[] = [];
    BATTERY.forEach((m, i) => {
      const pins = pinsOf.get(m.id);
      const k = knownAt.get(m.id);
      if (!pins || !k) return;
      const head = (findingsOf.get(m.id) ?? [])
        .filter((f) => f.status === 'measured')
        .map((f) => `${f.measured}: ${f.value}`);
      const w = m.write(t, k, pins, quick);
      const text = [
        `// Written by \`pktdrill probe\` on ${kernelRelease()}; passes against that server there.`,
        ...head.map((h) => `// Found: ${h}`),
        w.text(),
      ].join('\n');
      scripts.push({ measurement: m.id, name: `${String(i + 1).padStart(2, '0')}-${m.id}.pkt`, text });
    });
    return { ok: true, report: { target: t, kernel: kernelRelease(), quick, findings, scripts, durationMs: Date.now() - started } };
  } finally {
    // PKTDRILL_PROBE_KEEP=1 keeps the measuring scripts and their captures (to look at a failure).
    if (process.env.PKTDRILL_PROBE_KEEP) process.stderr.write(`pktdrill probe: measuring scripts kept in ${dir}\n`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

/** Write the pinned scripts into `dir` (made if missing); their paths. */
export function writeScripts(report: ProbeReport, dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  return report.scripts.map((s) => {
    const p = join(dir, s.name);
    writeFileSync(p, s.text);
    return p;
  });
}
