// The state of a listener's two queues, read from the kernel's own interfaces
// in the current network namespace.
//
// Facts (Linux 6.18, measured in throwaway namespaces):
// - /proc/net/tcp{,6}, LISTEN row (st 0A): rx_queue is sk_ack_backlog, the
//   children that completed the handshake and wait for accept() (ss's Recv-Q).
//   tx_queue is write_seq - snd_una, which is 0 for a listener: it is NOT the
//   backlog. The backlog (sk_max_ack_backlog, ss's Send-Q) is not in /proc at
//   all; only sock_diag has it, so it is read from `ss -Hltn`.
// - listen(fd, N) stores min(N, net.core.somaxconn) as the backlog (a negative
//   N, as unsigned, becomes somaxconn: listen(fd, -1) → Send-Q 4096, the
//   default somaxconn; listen(fd, 100000) → 4096; with somaxconn 2,
//   listen(fd, 10) → 2). The accept queue holds backlog + 1 children:
//   listen(fd, 0) → 1 connection completes, listen(fd, 1) → 2, listen(fd, 3) →
//   4; the next SYN is dropped (TcpExtListenOverflows and ListenDrops +1 each,
//   the client stays in SYN_SENT).
// - Half-open requests appear as st 03 (SYN_RECV) rows whose local port is the
//   listener's, in the file of the LISTENER's family: IPv4 SYNs to a dual-stack
//   [::] listener show in /proc/net/tcp6 with ::ffff: addresses. The request
//   queue also holds backlog + 1: with listen(fd, 1) the first 2 SYNs make
//   SYN_RECV requests; the 3rd gets a syncookie (tcp_syncookies=1:
//   TcpExtSyncookiesSent and TCPReqQFullDoCookies +1) or is dropped silently
//   (tcp_syncookies=0: TCPReqQFullDrop and ListenDrops +1). A closed
//   listener's requests linger in the table until their timer next fires.

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { endianness } from 'node:os';
import { ipv4FromBytes, ipv6FromBytes } from '../packet/addr.js';
import type { NamespaceRef } from './counters.js';

/** The st column of /proc/net/tcp (include/net/tcp_states.h). */
export const TCP_STATES: Readonly<Record<number, string>> = {
  0x01: 'ESTABLISHED',
  0x02: 'SYN_SENT',
  0x03: 'SYN_RECV',
  0x04: 'FIN_WAIT1',
  0x05: 'FIN_WAIT2',
  0x06: 'TIME_WAIT',
  0x07: 'CLOSE',
  0x08: 'CLOSE_WAIT',
  0x09: 'LAST_ACK',
  0x0a: 'LISTEN',
  0x0b: 'CLOSING',
  0x0c: 'NEW_SYN_RECV',
};
export const TCP_LISTEN = 0x0a;
export const TCP_SYN_RECV = 0x03;

/** One row of /proc/net/tcp or /proc/net/tcp6. */
export interface ProcTcpRow {
  family: 4 | 6;
  localAddress: string;
  localPort: number;
  remoteAddress: string;
  remotePort: number;
  state: number;
  stateName: string;
  /** LISTEN: always 0 (write_seq - snd_una), not the backlog. */
  txQueue: number;
  /** LISTEN: children waiting for accept(); otherwise unread bytes. */
  rxQueue: number;
  /** The `tr` column: 0 none, 1 retransmit/request timer, 2 keepalive, 3 TIME_WAIT, 4 probe. */
  timer: number;
  uid: number;
  /** 0 for request sockets (SYN_RECV rows) and TIME_WAIT. */
  inode: number;
}

export interface ParseOptions {
  /**
   * Addresses are printed as the host's 32-bit words (%08X of a __be32), so
   * their bytes are reversed on a little-endian host. Default: this host.
   */
  littleEndian?: boolean;
}

function hexAddress(hex: string, littleEndian: boolean): { family: 4 | 6; text: string } | undefined {
  if (!/^[0-9A-Fa-f]+$/.test(hex) || (hex.length !== 8 && hex.length !== 32)) return undefined;
  const bytes = new Uint8Array(hex.length / 2);
  for (let w = 0; w < hex.length / 8; w++) {
    const word = parseInt(hex.slice(w * 8, w * 8 + 8), 16);
    for (let k = 0; k < 4; k++) {
      const shift = littleEndian ? 8 * k : 8 * (3 - k);
      bytes[w * 4 + k] = (word >>> shift) & 0xff;
    }
  }
  return hex.length === 8 ? { family: 4, text: ipv4FromBytes(bytes) } : { family: 6, text: ipv6FromBytes(bytes) };
}

function endpoint(s: string, le: boolean): { family: 4 | 6; address: string; port: number } | undefined {
  const colon = s.indexOf(':');
  if (colon < 0) return undefined;
  const addr = hexAddress(s.slice(0, colon), le);
  const portHex = s.slice(colon + 1);
  if (addr === undefined || !/^[0-9A-Fa-f]{1,4}$/.test(portHex)) return undefined;
  return { family: addr.family, address: addr.text, port: parseInt(portHex, 16) };
}

/**
 * Parse the text of /proc/net/tcp or /proc/net/tcp6. Pure; never throws: the
 * header and any line that is not a well-formed row are skipped.
 *
 * Row layout (both files): `sl local rem st tx_queue:rx_queue tr:tm->when
 * retrnsmt uid timeout inode ...`.
 */
export function parseProcNetTcp(text: string, opts: ParseOptions = {}): ProcTcpRow[] {
  const le = opts.littleEndian ?? endianness() === 'LE';
  const rows: ProcTcpRow[] = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10 || !/^\d+:$/.test(f[0]!)) continue;
    const local = endpoint(f[1]!, le);
    const remote = endpoint(f[2]!, le);
    const queues = /^([0-9A-Fa-f]{1,8}):([0-9A-Fa-f]{1,8})$/.exec(f[4]!);
    const timer = /^([0-9A-Fa-f]{1,2}):/.exec(f[5]!);
    if (!local || !remote || !queues || !timer || !/^[0-9A-Fa-f]{2}$/.test(f[3]!)) continue;
    const state = parseInt(f[3]!, 16);
    rows.push({
      family: local.family,
      localAddress: local.address,
      localPort: local.port,
      remoteAddress: remote.address,
      remotePort: remote.port,
      state,
      stateName: TCP_STATES[state] ?? `0x${f[3]}`,
      txQueue: parseInt(queues[1]!, 16),
      rxQueue: parseInt(queues[2]!, 16),
      timer: parseInt(timer[1]!, 16),
      uid: Number(f[7]),
      inode: Number(f[9]),
    });
  }
  return rows;
}

/** One LISTEN line of `ss -Hltn`: `LISTEN 2 1 127.0.0.1:8080 0.0.0.0:*`. */
export interface SsListener {
  /** Children waiting for accept() (sk_ack_backlog). */
  recvQ: number;
  /** The backlog (sk_max_ack_backlog): min(listen()'s N, somaxconn). */
  sendQ: number;
  localAddress: string;
  localPort: number;
}

/**
 * Parse `ss -Hltn` output (no header; numeric). Pure; lines that are not
 * LISTEN rows are skipped. Addresses: `0.0.0.0`, `*` (dual-stack any),
 * `[::]`, `[::1]`, `127.0.0.1%lo` (bound to a device) and so on.
 */
export function parseSsListeners(text: string): SsListener[] {
  const out: SsListener[] = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 5 || f[0] !== 'LISTEN' || !/^\d+$/.test(f[1]!) || !/^\d+$/.test(f[2]!)) continue;
    const local = f[3]!;
    const colon = local.lastIndexOf(':');
    if (colon < 0 || !/^\d+$/.test(local.slice(colon + 1))) continue;
    let address = local.slice(0, colon);
    if (address.startsWith('[') && address.endsWith(']')) address = address.slice(1, -1);
    out.push({ recvQ: Number(f[1]), sendQ: Number(f[2]), localAddress: address, localPort: Number(local.slice(colon + 1)) });
  }
  return out;
}

export interface ListenerState {
  /** A LISTEN socket on the port exists (in the family asked for). */
  found: boolean;
  /** Children that completed the handshake and wait for accept() (ss Recv-Q). */
  recvQ: number;
  /** The backlog the kernel stored, min(N, somaxconn) (ss Send-Q). */
  sendQ: number;
  /** Half-open requests: SYN_RECV rows whose local port is the port. */
  synRecv: number;
  /** How many LISTEN sockets matched (several with SO_REUSEPORT, or one per family); the numbers above are their sums. */
  listeners: number;
}

/** The state of the listener(s) on `port`, from the texts of /proc/net/tcp{,6} and `ss -Hltn`. Pure. */
export function listenerStateFrom(
  port: number,
  tables: { tcp?: string; tcp6?: string; ss: string },
  opts: ParseOptions = {},
): ListenerState {
  const rows = [
    ...(tables.tcp === undefined ? [] : parseProcNetTcp(tables.tcp, opts)),
    ...(tables.tcp6 === undefined ? [] : parseProcNetTcp(tables.tcp6, opts)),
  ].filter((r) => r.localPort === port);
  const listen = rows.filter((r) => r.state === TCP_LISTEN);
  const ss = parseSsListeners(tables.ss).filter((l) => l.localPort === port);
  return {
    found: listen.length > 0,
    recvQ: listen.reduce((n, r) => n + r.rxQueue, 0),
    sendQ: ss.reduce((n, l) => n + l.sendQ, 0),
    synRecv: rows.filter((r) => r.state === TCP_SYN_RECV).length,
    listeners: listen.length,
  };
}

export class KernelStateError extends Error {}

/**
 * The listener queue state on `port` in the current network namespace (or in
 * `ref.pid`'s). `family` 4 reads /proc/net/tcp and `ss -4`, 6 reads
 * /proc/net/tcp6 and `ss -6` (a dual-stack [::] listener is family 6, and so
 * are its requests from IPv4 clients); without it both are read and summed.
 * Throws KernelStateError when /proc or ss cannot be read.
 */
export function listenerState(port: number, family?: 4 | 6, ref?: NamespaceRef): ListenerState {
  const proc = (file: string): string => {
    const path = `/proc/${ref?.pid ?? 'self'}/net/${file}`;
    try {
      return readFileSync(path, 'utf8');
    } catch (e) {
      // No IPv6 in this kernel: an empty table, not an error.
      if (file === 'tcp6' && (e as NodeJS.ErrnoException).code === 'ENOENT') return '';
      throw new KernelStateError(`cannot read ${path}: ${(e as Error).message}`);
    }
  };
  const ssArgs = ['-Hltn', ...(family === 4 ? ['-4'] : family === 6 ? ['-6'] : [])];
  const [cmd, args] = ref?.pid === undefined ? ['ss', ssArgs] : ['nsenter', ['-t', String(ref.pid), '-n', 'ss', ...ssArgs]];
  let ss: string;
  try {
    ss = execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const err = e as { code?: string; stderr?: string; message: string };
    if (err.code === 'ENOENT') throw new KernelStateError(`listener state: '${cmd}' is not installed (iproute2)`);
    throw new KernelStateError(`listener state: '${cmd} ${args.join(' ')}' failed: ${(err.stderr ?? err.message).trim().split('\n')[0]}`);
  }
  return listenerStateFrom(port, {
    ...(family === 6 ? {} : { tcp: proc('tcp') }),
    ...(family === 4 ? {} : { tcp6: proc('tcp6') }),
    ss,
  });
}

/** The LISTEN sockets of this namespace (cheap: /proc only, no `ss`): address and port. */
export function listeningSockets(): Array<{ address: string; port: number }> {
  const out: Array<{ address: string; port: number }> = [];
  for (const file of ['/proc/self/net/tcp', '/proc/self/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const r of parseProcNetTcp(text)) if (r.state === TCP_LISTEN) out.push({ address: r.localAddress, port: r.localPort });
  }
  return out;
}

/** Whether a listener bound to `address` takes connections to `local` (the wildcard, the address itself, or its IPv4-mapped form). */
export function listenerReaches(address: string, local: string): boolean {
  const bare = (a: string): string => a.replace(/^::ffff:/i, '').toLowerCase();
  return address === '0.0.0.0' || address === '::' || bare(address) === bare(local);
}
