#!/usr/bin/env node
// Who sent that late packet? One script run many times, pktdrill and (given
// PACKETDRILL) packetdrill interleaved, with the kernel traced by bpftrace:
// every frame the kernel sends on tun0, with the kernel path that sent it
// (the delayed-ACK timer, or the stack answering a packet, or a call), and
// every frame it takes in. For each outbound frame sent by the delayed-ACK
// timer it prints the delay from the inbound frame before it, per tool, with
// the runs' verdicts: a late ACK that the kernel's own timer sent at a jiffy
// boundary is the kernel's lateness, whichever tool is watching.
//
//   [PACKETDRILL=/path/to/packetdrill] node bench/delack.mjs [--runs N] [--family ipv4|ipv6] SCRIPT.pkt
//
// As root (bpftrace; packetdrill under `unshare -n`). Tracepoints only
// (net:netif_receive_skb, net:net_dev_start_xmit with its kernel stack), no
// kprobes. Both tools run in network namespaces of their own; the tun device
// of each is named tun0, so runs are one at a time and told apart by time
// (bpftrace's nsecs and process.hrtime are both CLOCK_MONOTONIC).
//
// pktdrill runs with --timing_retries=0, as in bench/sidebyside.mjs: every
// failure counts. DELACK_DEBUG=1 prints the stacks it cannot name.
//
// Exit status: 0 done, 2 usage or set-up error.

import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FAMILY_OPTIONS } from './families.mjs';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const PKTDRILL_JS = join(REPO, 'bin', 'pktdrill.js');

// One line per event; an outbound frame's line names the path that sent it.
const PROGRAM = `
tracepoint:net:netif_receive_skb /str(args->name) == "tun0"/ { printf("%llu RX %d\\n", nsecs, args->len); }
tracepoint:net:net_dev_start_xmit /str(args->name) == "tun0"/ { printf("%llu TX %d%s\\n", nsecs, args->len, kstack(16)); }
`;

function die(msg) {
  process.stderr.write(`delack: ${msg}\n`);
  process.exit(2);
}

function parseArgs(argv) {
  const o = { runs: 50, family: 'ipv4', script: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--runs') o.runs = Number(argv[++i]);
    else if (a === '--family') o.family = argv[++i];
    else if (a.startsWith('-')) die(`unknown option ${a} (expected --runs N, --family ipv4|ipv6)`);
    else if (o.script) die(`one script only (got ${o.script} and ${a})`);
    else o.script = resolve(a);
  }
  if (!o.script) die('usage: [PACKETDRILL=...] node bench/delack.mjs [--runs N] [--family ipv4|ipv6] SCRIPT.pkt');
  if (!existsSync(o.script)) die(`no such script: ${o.script}`);
  if (!Number.isInteger(o.runs) || o.runs < 1 || o.runs > 10000) die(`bad --runs: expected 1..10000`);
  if (!FAMILY_OPTIONS[o.family]) die(`bad --family ${o.family}: expected ipv4 or ipv6`);
  return o;
}

const now = () => process.hrtime.bigint();

function run(cmd, args, cwd) {
  const start = now();
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout: 120_000 });
  const out = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  const line = out.split('\n').find((l) => /\.pkt:\d+: /.test(l)) ?? '';
  return { start, end: now(), ok: r.status === 0, line: line.replace(/^.*?\.pkt:/, ':') };
}

/** The path that sent an outbound frame, from its kernel stack. */
function senderOf(stack) {
  if (stack.includes('tcp_delack_timer')) return 'delayed-ACK timer';
  if (stack.includes('tcp_write_timer') || stack.includes('tcp_retransmit_timer')) return 'retransmit timer';
  if (stack.includes('tcp_v4_rcv') || stack.includes('tcp_v6_rcv')) return 'answer to an inbound packet';
  if (/ndisc_|mld_|igmp/.test(stack)) return 'neighbour discovery or multicast (not the script\'s)';
  if (/__sys_|__x64_sys_|inet_release|tcp_sendmsg|tcp_close/.test(stack)) return 'a call';
  if (process.env.DELACK_DEBUG) process.stderr.write(`unrecognized stack:${stack}\n`);
  return 'other';
}

function parseTrace(text) {
  const events = [];
  let cur = null;
  for (const line of text.split('\n')) {
    const m = /^(\d+) (RX|TX) (\d+)/.exec(line);
    if (m) {
      cur = { t: BigInt(m[1]), dir: m[2], len: Number(m[3]), stack: '' };
      events.push(cur);
    } else if (cur && line.trim()) cur.stack += ` ${line.trim()}`;
  }
  return events;
}

function quantiles(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return s.length ? `n ${s.length}, min ${s[0].toFixed(2)}, p50 ${q(0.5).toFixed(2)}, p90 ${q(0.9).toFixed(2)}, max ${s[s.length - 1].toFixed(2)} ms` : 'none';
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  if (process.getuid?.() !== 0) die('bpftrace needs root');
  if (spawnSync('bpftrace', ['--version']).status !== 0) die('bpftrace is not installed (apt-get install bpftrace)');
  const packetdrill = process.env.PACKETDRILL;
  if (packetdrill && !existsSync(packetdrill)) die(`PACKETDRILL=${packetdrill}: no such file`);

  const bt = spawn('bpftrace', ['-e', PROGRAM], { stdio: ['ignore', 'pipe', 'pipe'] });
  let trace = '';
  bt.stdout.on('data', (d) => { trace += d; });
  bt.stderr.on('data', () => {});
  const started = Date.now();
  while (!trace.includes('Attaching')) {
    if (Date.now() - started > 60_000 || bt.exitCode !== null) die('bpftrace did not attach its probes');
    await new Promise((r) => setTimeout(r, 100));
  }
  await new Promise((r) => setTimeout(r, 1000)); // the probes' text patching settles

  const cwd = dirname(o.script);
  const tools = [];
  if (packetdrill) tools.push({ name: 'packetdrill', cmd: 'unshare', args: ['-n', packetdrill, ...FAMILY_OPTIONS[o.family], o.script] });
  tools.push({ name: 'pktdrill', cmd: process.execPath, args: [PKTDRILL_JS, 'run', '--timing_retries=0', ...FAMILY_OPTIONS[o.family], o.script] });
  const runs = [];
  for (let i = 0; i < o.runs; i++) {
    for (const tool of tools) runs.push({ tool: tool.name, ...run(tool.cmd, tool.args, cwd) });
  }
  await new Promise((r) => setTimeout(r, 500));
  bt.kill('SIGINT');
  await new Promise((r) => bt.on('close', r));

  const events = parseTrace(trace);
  process.stdout.write(`${basename(o.script)}, ${o.runs} runs per tool, ${o.family}, interleaved\n\n`);
  for (const tool of tools) {
    const mine = runs.filter((r) => r.tool === tool.name);
    const delays = [];
    const failures = new Map();
    const senders = new Map();
    for (const r of mine) {
      if (!r.ok) failures.set(r.line, (failures.get(r.line) ?? 0) + 1);
      const evs = events.filter((e) => e.t >= r.start && e.t <= r.end);
      let lastRx = null;
      for (const e of evs) {
        if (e.dir === 'RX') { lastRx = e; continue; }
        const who = senderOf(e.stack);
        senders.set(who, (senders.get(who) ?? 0) + 1);
        if (who === 'delayed-ACK timer' && lastRx) delays.push(Number(e.t - lastRx.t) / 1e6);
      }
    }
    process.stdout.write(`${tool.name}: ${mine.filter((r) => r.ok).length} of ${mine.length} runs passed\n`);
    for (const [line, n] of failures) process.stdout.write(`  failed ${n}× at ${line}\n`);
    process.stdout.write(`  outbound frames by sender: ${[...senders].map(([k, v]) => `${k} ${v}`).join(', ')}\n`);
    process.stdout.write(`  delayed-ACK timer's frames, delay after the inbound frame before them: ${quantiles(delays)}\n`);
    const buckets = new Map();
    for (const d of delays) buckets.set(Math.floor(d), (buckets.get(Math.floor(d)) ?? 0) + 1);
    process.stdout.write(`  by millisecond: ${[...buckets].sort((a, b) => a[0] - b[0]).map(([k, v]) => `${k}-${k + 1} ms ${v}`).join(', ')}\n\n`);
  }
}

main().catch((e) => die(e.message));
