// %{ python }% code blocks: snapshots of TCP_INFO at their times, Python at
// the end, failures mapped back to the script's lines.

import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import type { CodeEvent } from '../src/script/ast.js';
import type { CallResult, FieldLayout, Syscalls } from '../src/engine/calls.js';
import { CodeBlocks, runCodeBlock, tcpInfoOf } from '../src/engine/code.js';
import { call, constants as C, nativeAvailable, native } from '../src/syscalls/index.js';

const cwd = tmpdir();

describe('runCodeBlock', () => {
  it('passes when the block runs cleanly, with the tcp_info values defined', async () => {
    expect(await runCodeBlock('assert tcpi_snd_cwnd == 10', { tcpi_snd_cwnd: 10 }, cwd)).toBeNull();
    expect(await runCodeBlock('assert tcpi_bytes_acked == 2**40', { tcpi_bytes_acked: 2n ** 40n }, cwd)).toBeNull();
  });
  it('defines packetdrill symbols', async () => {
    expect(await runCodeBlock('assert TCP_ESTABLISHED == 1 and TCP_CA_Loss == 4 and TCPI_OPT_SYN_DATA == 32', null, cwd)).toBeNull();
  });
  it("reports Python's last line and the block line", async () => {
    expect(await runCodeBlock('x = 1\nassert tcpi_snd_cwnd == 9, "cwnd %d" % tcpi_snd_cwnd', { tcpi_snd_cwnd: 10 }, cwd)).toBe(
      'error in Python code (line 2 of the block): AssertionError: cwnd 10',
    );
    expect(await runCodeBlock('print(tcpi_nope)', {}, cwd)).toBe(
      "error in Python code (line 1 of the block): NameError: name 'tcpi_nope' is not defined",
    );
    expect(await runCodeBlock('assert (', null, cwd)).toMatch(/^error in Python code \(line 1 of the block\): SyntaxError: /);
  });
  it('says when Python cannot run', async () => {
    expect(await runCodeBlock('pass', null, cwd, { command: 'no-such-python-here' })).toBe(
      "error executing code: 'no-such-python-here' returned non-zero status 127",
    );
  });
});

// ---------------------------------------------------------------- CodeBlocks with a fake kernel

const TCP_INFO: Record<string, FieldLayout> = {
  tcpi_state: { offset: 0, size: 1 },
  tcpi_snd_wscale: { offset: 6, size: 1, shift: 0, bits: 4 },
  tcpi_snd_cwnd: { offset: 80, size: 4 },
};

/** A kernel whose only socket (live fd 7) has the given cwnd; the others fail with EBADF. */
function fakeKernel(cwnd: () => number): Syscalls {
  const consts: Record<string, number> = { SOL_TCP: 6, SOL_SOCKET: 1, TCP_INFO: 11, TCP_CC_INFO: 26, SO_MEMINFO: 55, SK_MEMINFO_VARS: 9 };
  for (const [i, n] of ['RMEM_ALLOC', 'RCVBUF', 'WMEM_ALLOC', 'SNDBUF', 'FWD_ALLOC', 'WMEM_QUEUED', 'OPTMEM', 'BACKLOG', 'DROPS'].entries()) {
    consts[`SK_MEMINFO_${n}`] = i;
  }
  const invoke = (op: string, args: unknown[]): CallResult => {
    const [fd, , name, len] = args as number[];
    const base = { startNs: 0n, endNs: 0n };
    if (op !== 'getsockopt' || fd !== 7) return { ...base, ret: -1, errno: 9 };
    let data = Buffer.alloc(0);
    if (name === 11) {
      data = Buffer.alloc(Math.min(len!, 232));
      data.writeUInt8(1, 0);
      data.writeUInt8(7, 6);
      data.writeUInt32LE(cwnd(), 80);
    } else if (name === 55) {
      data = Buffer.alloc(36);
      data.writeUInt32LE(2304, 4 * 5);
    }
    return { ...base, ret: 0, errno: 0, data, optlen: data.length };
  };
  return {
    invoke,
    invokeAsync: (op, args) => Promise.resolve(invoke(op, args)),
    constants: consts,
    strerror: (e) => `error ${e}`,
    errnoName: (e) => `E${e}`,
    layouts: { tcp_info: { size: 232, fields: TCP_INFO } },
  };
}

/** A code event whose `%{` is at (line, column). */
function codeEvent(code: string, line: number, column = 4): CodeEvent {
  return { kind: 'code', time: null, code, span: { line, column, endLine: line, endColumn: column + 2 } };
}

describe('CodeBlocks: snapshots at event time, Python at the end', () => {
  it('each block sees the values of its own moment', async () => {
    let cwnd = 10;
    const blocks = new CodeBlocks(fakeKernel(() => cwnd), 'x.pkt', { source: '' });
    expect(blocks.snapshot(codeEvent('assert tcpi_snd_cwnd == 10 and tcpi_state == TCP_ESTABLISHED', 1), 7)).toBeNull();
    cwnd = 20;
    expect(blocks.snapshot(codeEvent('assert tcpi_snd_cwnd == 20 and tcpi_snd_wscale == 7', 2), 7)).toBeNull();
    expect(blocks.snapshot(codeEvent('assert SK_MEMINFO_WMEM_QUEUED == 2304', 3), 7)).toBeNull();
    expect(blocks.pending).toBe(true);
    expect(await blocks.execute(cwd)).toBeNull();
  });

  it('nothing runs until execute', async () => {
    const blocks = new CodeBlocks(fakeKernel(() => 10), 'x.pkt', { source: '' });
    expect(blocks.snapshot(codeEvent('raise SystemExit(3)', 1), 7)).toBeNull();
    const f = await blocks.execute(cwd);
    expect(f?.message).toBe("error executing code: 'python3' returned non-zero status 3");
  });

  it("fails at the block's line, as packetdrill, with the traceback mapped to the failing statement", async () => {
    const source = ['`true`', '0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3', '+0 %{', 'x = tcpi_snd_cwnd', 'assert x == 11, "cwnd %d" % x', '}%', ''].join('\n');
    const blocks = new CodeBlocks(fakeKernel(() => 10), 'dir/t.pkt', { source });
    expect(blocks.snapshot(codeEvent('\nx = tcpi_snd_cwnd\nassert x == 11, "cwnd %d" % x\n', 3), 7)).toBeNull();
    const f = await blocks.execute(cwd);
    expect(f).not.toBeNull();
    expect(f!.line).toBe(3);
    expect(f!.statementLine).toBe(5);
    expect(f!.message).toBe('error in Python code: AssertionError: cwnd 10');
    expect(f!.detail).toContain('dir/t.pkt:3: error in Python code');
    expect(f!.detail).toContain('File "dir/t.pkt", line 5');
    expect(f!.detail).toMatch(/dir\/t\.pkt: error executing code: 'python3' returned non-zero status 1$/);
  });

  it('names the block that failed, not an earlier one, when a later block fails deep inside', async () => {
    const source = ['0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3', '+0 %{ assert tcpi_snd_cwnd == 10 }%', '+.1 %{', 'y = 1', '', 'assert tcpi_snd_cwnd == 4, tcpi_snd_cwnd', '}%', ''].join('\n');
    const blocks = new CodeBlocks(fakeKernel(() => 10), 'c.pkt', { source });
    expect(blocks.snapshot(codeEvent('assert tcpi_snd_cwnd == 10 ', 2), 7)).toBeNull();
    expect(blocks.snapshot(codeEvent('\ny = 1\n\nassert tcpi_snd_cwnd == 4, tcpi_snd_cwnd\n', 3, 5), 7)).toBeNull();
    const f = await blocks.execute(cwd);
    expect(f!.line).toBe(3);
    expect(f!.statementLine).toBe(6);
    expect(f!.message).toBe('error in Python code: AssertionError: 10');
    expect(f!.detail).toContain('c.pkt:3: error in Python code');
    expect(f!.detail).toContain('File "c.pkt", line 6');
  });

  it('a syntax error (no block ran) is reported at the block holding it', async () => {
    const source = ['0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3', '+0 %{ assert True }%', '+0 %{', 'assert (', '}%', ''].join('\n');
    const blocks = new CodeBlocks(fakeKernel(() => 10), 's.pkt', { source });
    blocks.snapshot(codeEvent('assert True ', 2), 7);
    blocks.snapshot(codeEvent('\nassert (\n', 3), 7);
    const f = await blocks.execute(cwd);
    expect(f!.line).toBe(3);
    expect(f!.message).toMatch(/^error in Python code: SyntaxError: /);
  });

  it('the first failing block stops the run; later ones do not run', async () => {
    const blocks = new CodeBlocks(fakeKernel(() => 10), 't.pkt', { source: '' });
    blocks.snapshot(codeEvent('assert False, "first"', 4), 7);
    blocks.snapshot(codeEvent('assert False, "second"', 9), 7);
    const f = await blocks.execute(cwd);
    expect(f!.line).toBe(4);
    expect(f!.message).toBe('error in Python code: AssertionError: first');
  });

  it("reports, at the block, what packetdrill reports when there is no socket to read", () => {
    const blocks = new CodeBlocks(fakeKernel(() => 10), 't.pkt', { source: '' });
    expect(blocks.snapshot(codeEvent('pass', 1), null)).toBe('runtime error in code: no socket to use for code');
    expect(blocks.snapshot(codeEvent('pass', 1), 8)).toBe("runtime error in code: can't find getsockopt to get TCP info");
    expect(blocks.pending).toBe(false);
  });

  it('no blocks: nothing to run', async () => {
    expect(await new CodeBlocks(fakeKernel(() => 10), 't.pkt').execute(cwd)).toBeNull();
  });
});

describe.skipIf(!nativeAvailable())('tcpInfoOf on a live socket', () => {
  it('reads struct tcp_info with the layout from the kernel headers', () => {
    const fd = call('socket', C.AF_INET!, C.SOCK_STREAM!, 0).ret;
    try {
      expect(call('bind', fd, C.AF_INET!, '127.0.0.1', 0).ret).toBe(0);
      expect(call('listen', fd, 3).ret).toBe(0);
      const info = tcpInfoOf(native() as unknown as Syscalls, fd);
      expect(info.tcpi_state).toBe(C.TCP_LISTEN);
      // A listener reports its backlog in tcpi_sacked and its queue in tcpi_unacked.
      expect(info.tcpi_sacked).toBe(3);
      expect(info.tcpi_unacked).toBe(0);
      expect(typeof info.tcpi_pacing_rate).toBe('bigint');
    } finally {
      call('close', fd);
    }
  });
  it('knows every member packetdrill emits, and where the kernel headers put them', () => {
    const layout = native().tcp_info_layout;
    for (const name of ['tcpi_state', 'tcpi_ca_state', 'tcpi_snd_wscale', 'tcpi_rcv_wscale', 'tcpi_delivery_rate_app_limited', 'tcpi_rto', 'tcpi_snd_cwnd', 'tcpi_delivery_rate', 'tcpi_reord_seen']) {
      expect(layout[name], name).toBeDefined();
    }
    expect(layout.tcpi_state).toEqual({ offset: 0, size: 1 });
    expect(layout.tcpi_rcv_wscale).toEqual({ offset: 6, size: 1, shift: 4, bits: 4 });
    expect(layout.tcpi_pacing_rate!.size).toBe(8);
  });
});
