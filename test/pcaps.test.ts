// Captures and replay against the live kernel: the traces in pcaps/ replay,
// a trace edited to disagree with the kernel fails at the right packet, and
// every one-flow corpus script survives run → pcap → .pkt → run.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runScriptFile } from '../src/runner.js';
import { parseScript } from '../src/script/parse.js';
import { pcapFileToPkt } from '../src/tools/pcap2pkt.js';
import { replayTrace } from '../src/tools/replay.js';
import { readPcap } from '../src/pcap/read.js';
import { encodePcap } from '../src/pcap/write.js';
import { explain } from '../src/testing.js';

const DEFAULTS = resolve('scripts-tcp/defaults.sh');
const tmp = mkdtempSync(join(tmpdir(), 'pktdrill-pcaps-'));

const REPLAYS: Array<[string, { init: string; localIs?: 'opener' | 'acceptor' }]> = [
  ['passive-open.pcap', { init: DEFAULTS }],
  ['syncookie-handshake.pcap', { init: `${DEFAULTS}; sysctl -q net.ipv4.tcp_syncookies=2 net.ipv4.tcp_timestamps=2` }],
  ['syn-retransmit.pcap', { init: `${DEFAULTS}; sysctl -q net.ipv4.tcp_syn_linear_timeouts=0 net.ipv4.tcp_syn_retries=2`, localIs: 'opener' }],
  // All three flows of the listener in one script; the backlog (1) is inferred from the dropped ACK.
  ['accept-queue-overflow.pcap', { init: DEFAULTS }],
];

describe('replay of the traces in pcaps/', () => {
  for (const [name, opts] of REPLAYS) {
    it(name, async () => {
      const r = await replayTrace(join('pcaps', name), opts);
      expect(r.error).toBeUndefined();
      expect(r.result!.status, r.messages.join('\n')).toBe('pass');
    });
  }

  it('replays against a separate server program (--server) too', async () => {
    const r = await replayTrace('pcaps/passive-open.pcap', { init: DEFAULTS, server: `python3 ${resolve('test/fixtures/servers/answer-200.py')}` });
    expect(r.error).toBeUndefined();
    expect(r.result!.status, r.messages.join('\n')).toBe('pass');
  });

  it('a trace edited to disagree with the kernel fails at the edited packet', async () => {
    // Packet 2 is the kernel's SYN-ACK; claim it acknowledged 2 instead of 1.
    const trace = await readPcap('pcaps/passive-open.pcap');
    if (!trace.ok) throw new Error(trace.error);
    const frames = trace.value.records.map((r) => ({ frame: new Uint8Array(r.frame), timeNs: BigInt(r.timeUsecs) * 1000n }));
    const synAck = frames[1]!.frame;
    const tcp = 14 + 20;
    const ack = new DataView(synAck.buffer, synAck.byteOffset).getUint32(tcp + 8);
    new DataView(synAck.buffer, synAck.byteOffset).setUint32(tcp + 8, ack + 1);
    const edited = join(tmp, 'edited.pcap');
    writeFileSync(edited, encodePcap(frames, { anchor: { monotonicNs: 0n, wallUsecs: 0 } }));
    const r = await replayTrace(edited, { init: DEFAULTS });
    expect(r.result!.status).toBe('fail');
    expect(r.messages[0]).toMatch(
      new RegExp(`^${edited.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: packet 2: error handling packet: live packet field tcp_ack_seq: expected: 2 \\(0x2\\) vs actual: 1 \\(0x1\\)`),
    );
  });
});

/** The init command of a script: its first backtick command (what a trace cannot show). */
function initOf(file: string): string | undefined {
  const parsed = parseScript(readFileSync(file, 'utf8'), file);
  if (!parsed.ok) throw new Error(parsed.error.message);
  const cmd = parsed.value.events.find((e) => e.kind === 'command');
  return cmd && cmd.kind === 'command' ? cmd.command.replace(/\n/g, '; ') : undefined;
}

const ONE_FLOW = [
  'passive-open.pkt',
  'active-open-nonblocking.pkt',
  'connect-refused.pkt',
  'synack-retransmit.pkt',
  'syn-retransmit-exponential.pkt',
  'syn-retransmit-linear.pkt',
  'syncookie-mss-table.pkt',
  'syncookie-ts-bits.pkt',
  'ipv6-passive-open.pkt',
  'mapped-active-open.pkt',
  'calls-linger-rst.pkt',
  'calls-tcp-info.pkt',
];
// Not here: defines.pkt (its init command uses a --define the trace cannot
// carry), UDP and ICMP (a trace's non-TCP packets are not converted), the
// Fast Open client (data on a SYN needs sendto(MSG_FASTOPEN), which pcap2pkt
// does not write), and scripts of several flows (test/pcap2pkt.test.ts).

describe('captures of runs', () => {
  it("tshark reads a run's capture without warnings, checksums good, in order", async () => {
    const pcap = join(tmp, 'tshark.pcap');
    const r = await runScriptFile('scripts-tcp/passive-open.pkt', { pcap });
    expect(r.status, explain(r)).toBe('pass');
    let out: string;
    try {
      out = execFileSync('tshark', ['-r', pcap, '-o', 'tcp.check_checksum:TRUE', '-T', 'fields', '-e', 'frame.number', '-e', 'tcp.flags.str', '-e', 'tcp.checksum.status', '-e', '_ws.expert.message'], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return; // no tshark: nothing to check with
      throw e;
    }
    const rows = out.trim().split('\n').map((l) => l.split('\t'));
    expect(rows.length).toBe(10);
    for (const row of rows) expect(row[2], row.join(' ')).toBe('1'); // 1 = good
    expect(rows[0]![1]).toMatch(/S/);
    expect(rows[1]![1]).toMatch(/A.*S|S.*A/);
  });
});

describe('run → pcap → .pkt → run, for every one-flow corpus script', () => {
  for (const name of ONE_FLOW) {
    it(name, async () => {
      const file = join('scripts-tcp', name);
      const pcap = join(tmp, name.replace('.pkt', '.pcap'));
      const first = await runScriptFile(file, { pcap });
      expect(first.status, explain(first)).toBe('pass');
      const active = /active-open|connect-refused|syn-retransmit/.test(name);
      const conv = await pcapFileToPkt(pcap, { init: initOf(file), localIs: active ? 'opener' : 'acceptor', source: pcap });
      expect(conv.ok, conv.ok ? '' : conv.error).toBe(true);
      if (!conv.ok) return;
      const script = join(tmp, `rt-${name}`);
      writeFileSync(script, conv.value.script);
      const second = await runScriptFile(script, { commandDir: 'scripts-tcp' });
      expect(second.status, `${explain(second)}\n--- generated:\n${conv.value.script}`).toBe('pass');
    });
  }
});
