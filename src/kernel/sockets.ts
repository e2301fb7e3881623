// The state of connected sockets as `ss` shows it, from the kernel's
// sock_diag (`ss -Htnai`), for the socket_state(PORT) extension and the probe.
//
// Facts (Linux 6.18, measured in throwaway namespaces):
// - For a connection, Recv-Q is rcv_nxt - copied_seq: the bytes not yet
//   read, plus 1 once the peer's FIN has been taken (the FIN takes a
//   sequence number). A CLOSE_WAIT socket whose program read nothing of a
//   10-byte request shows Recv-Q 11.
// - Send-Q is write_seq - snd_una: bytes written and not yet acknowledged
//   (plus 1 for an unacknowledged FIN of ours).
// - `mss:N` on the info line is tcpi_snd_mss: the MSS the socket sends with,
//   less the TS option's 12 bytes when timestamps were negotiated. For a
//   connection made from a syncookie without timestamps it is the cookie's
//   MSS (the table's value: 536, 1300, 1440, 1460 for IPv4).
// - A child in the accept queue (the program never called accept()) is a
//   full socket already: it shows here, ESTAB or CLOSE-WAIT, like any other.

import { execFileSync } from 'node:child_process';
import { KernelStateError } from './listeners.js';
import type { NamespaceRef } from './counters.js';

/** ss's state names → the kernel's (include/net/tcp_states.h, as /proc/net/tcp names them). */
const SS_STATES: Readonly<Record<string, string>> = {
  ESTAB: 'ESTABLISHED',
  'SYN-SENT': 'SYN_SENT',
  'SYN-RECV': 'SYN_RECV',
  'FIN-WAIT-1': 'FIN_WAIT1',
  'FIN-WAIT-2': 'FIN_WAIT2',
  'TIME-WAIT': 'TIME_WAIT',
  UNCONN: 'CLOSE',
  'CLOSE-WAIT': 'CLOSE_WAIT',
  'LAST-ACK': 'LAST_ACK',
  LISTEN: 'LISTEN',
  CLOSING: 'CLOSING',
};

/** The state names a script may write (the kernel's), plus CLOSED: no socket at all. */
export const SOCKET_STATE_NAMES: readonly string[] = [...Object.values(SS_STATES), 'NEW_SYN_RECV', 'CLOSED'];

/** One socket of `ss -Htnai`. */
export interface SocketRow {
  /** The kernel's name: ESTABLISHED, CLOSE_WAIT, ... */
  state: string;
  recvQ: number;
  sendQ: number;
  localAddress: string;
  localPort: number;
  remoteAddress: string;
  remotePort: number;
  /** tcpi_snd_mss from the info line, when ss printed one. */
  mss?: number;
}

function splitEndpoint(s: string): { address: string; port: number } | undefined {
  const colon = s.lastIndexOf(':');
  // A listener's peer is `0.0.0.0:*`.
  if (colon >= 0 && s.slice(colon + 1) === '*') return { address: s.slice(0, colon), port: 0 };
  if (colon < 0 || !/^\d+$/.test(s.slice(colon + 1))) return undefined;
  let address = s.slice(0, colon);
  if (address.startsWith('[') && address.endsWith(']')) address = address.slice(1, -1);
  const pct = address.indexOf('%');
  if (pct >= 0) address = address.slice(0, pct);
  return { address, port: Number(s.slice(colon + 1)) };
}

/**
 * Parse `ss -Htnai`: a socket's line (`ESTAB 0 0 192.168.0.1:8080
 * 192.0.2.1:41000`) and, indented below it, its info line (`... mss:1460
 * ...`). Pure; never throws; lines that are neither are skipped.
 */
export function parseSsSockets(text: string): SocketRow[] {
  const rows: SocketRow[] = [];
  for (const line of text.split('\n')) {
    if (/^\s/.test(line)) {
      const last = rows[rows.length - 1];
      const m = /(?:^|\s)mss:(\d+)/.exec(line);
      if (last && m && last.mss === undefined) last.mss = Number(m[1]);
      continue;
    }
    const f = line.trim().split(/\s+/);
    if (f.length < 5 || !/^\d+$/.test(f[1]!) || !/^\d+$/.test(f[2]!)) continue;
    const state = SS_STATES[f[0]!];
    const local = splitEndpoint(f[3]!);
    const remote = splitEndpoint(f[4]!);
    if (!state || !local || !remote) continue;
    rows.push({
      state,
      recvQ: Number(f[1]),
      sendQ: Number(f[2]),
      localAddress: local.address,
      localPort: local.port,
      remoteAddress: remote.address,
      remotePort: remote.port,
    });
  }
  return rows;
}

/** The sockets of the current network namespace (or `ref.pid`'s). Throws KernelStateError when ss fails. */
export function readSockets(ref?: NamespaceRef): SocketRow[] {
  const ssArgs = ['-Htnai'];
  const [cmd, args] = ref?.pid === undefined ? ['ss', ssArgs] : ['nsenter', ['-t', String(ref.pid), '-n', 'ss', ...ssArgs]];
  try {
    return parseSsSockets(execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }));
  } catch (e) {
    const err = e as { code?: string; stderr?: string; message: string };
    if (err.code === 'ENOENT') throw new KernelStateError(`socket state: '${cmd}' is not installed (iproute2)`);
    throw new KernelStateError(`socket state: '${cmd} ${args.join(' ')}' failed: ${(err.stderr ?? err.message).trim().split('\n')[0]}`);
  }
}

/** The connection whose peer port is `remotePort` (a LISTEN row never is one); undefined when there is none. */
export function socketOfPeer(rows: readonly SocketRow[], remotePort: number, localPort?: number): SocketRow | undefined {
  return rows.find((r) => r.state !== 'LISTEN' && r.remotePort === remotePort && (localPort === undefined || r.localPort === localPort));
}
