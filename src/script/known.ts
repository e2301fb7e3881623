// Names the language knows: packetdrill's system calls and script options,
// and the "did you mean" lookup used when a name is not one of them.

/** Every system call packetdrill can make from a script (its run_system_call.c table). */
export const KNOWN_SYSCALLS: ReadonlySet<string> = new Set([
  // pktdrill's kernel-state extensions (src/engine/kernel-calls.ts)
  'nstat',
  'listen_queue',
  'syncookie',
  'socket_state',
  'sysctl',
  // packetdrill's
  'socket',
  'bind',
  'listen',
  'accept',
  'connect',
  'read',
  'readv',
  'recv',
  'recvfrom',
  'recvmsg',
  'write',
  'writev',
  'send',
  'sendto',
  'sendmsg',
  'fcntl',
  'ioctl',
  'close',
  'shutdown',
  'getsockopt',
  'setsockopt',
  'poll',
  'cap_set',
  'open',
  'sendfile',
  'epoll_create',
  'epoll_ctl',
  'epoll_wait',
  'pipe',
  'splice',
]);

/** Whether an option takes a value: `--tolerance_usecs=8000` or a bare `--dry_run`. */
export interface OptionSpec {
  value: 'required' | 'forbidden';
  /** On pktdrill's command line a bare flag, whatever a script must write (`--non_fatal`). */
  flagOnCommandLine?: true;
}

/**
 * packetdrill's options (its config.c), as written in a script after `--`,
 * and pktdrill's own: the one list of option names, for the checker, the
 * command line and the run (src/engine/options.ts gives each its meaning).
 * In a script they are long names only: `-D X=1` on the command line is
 * `--define=X=1` here.
 */
export const KNOWN_OPTIONS: ReadonlyMap<string, OptionSpec> = new Map<string, OptionSpec>([
  ['ip_version', { value: 'required' }],
  ['bind_port', { value: 'required' }],
  ['code_command', { value: 'required' }],
  ['code_format', { value: 'required' }],
  ['code_sockopt', { value: 'required' }],
  ['connect_port', { value: 'required' }],
  ['remote_ip', { value: 'required' }],
  ['local_ip', { value: 'required' }],
  ['gateway_ip', { value: 'required' }],
  ['netmask_ip', { value: 'required' }],
  ['speed', { value: 'required' }],
  ['mss', { value: 'required' }],
  // pktdrill's own (src/engine/options.ts)
  ['offloads', { value: 'required' }],
  ['seed', { value: 'required' }],
  ['deadline', { value: 'required' }],
  ['mtu', { value: 'required' }],
  ['init_scripts', { value: 'required' }],
  ['tolerance_usecs', { value: 'required' }],
  ['tolerance_percent', { value: 'required' }],
  ['wire_client', { value: 'forbidden' }],
  ['wire_server', { value: 'forbidden' }],
  ['wire_server_ip', { value: 'required' }],
  ['wire_server_at', { value: 'required' }],
  ['wire_server_port', { value: 'required' }],
  ['wire_client_dev', { value: 'required' }],
  ['wire_server_dev', { value: 'required' }],
  ['so_filename', { value: 'required' }],
  ['so_flags', { value: 'required' }],
  ['tcp_ts_ecr_scaled', { value: 'forbidden' }],
  ['tcp_ts_tick_usecs', { value: 'required' }],
  ['strict_segments', { value: 'forbidden' }],
  ['non_fatal', { value: 'required', flagOnCommandLine: true }], // packet, syscall (comma separated)
  ['dry_run', { value: 'forbidden' }],
  ['is_anyip', { value: 'forbidden' }],
  ['send_omit_free', { value: 'forbidden' }],
  ['persistent_tun_dev', { value: 'forbidden' }],
  ['psp_udp_port', { value: 'required' }],
  ['debug', { value: 'forbidden' }],
  ['define', { value: 'required' }],
  ['verbose', { value: 'forbidden' }],
]);

/**
 * The candidate closest to `name`, if it is close enough to be a likely typo
 * (one edit per three characters, at least one; a swap of two neighbours
 * counts as one edit). Ties go to the earlier candidate.
 */
export function closest(name: string, candidates: Iterable<string>): string | undefined {
  const limit = Math.max(1, Math.floor(name.length / 3));
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const candidate of candidates) {
    if (candidate === name) return candidate;
    const d = editDistance(name, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

/** Edits (insert, delete, replace, swap of neighbours) turning a into b. */
function editDistance(a: string, b: string): number {
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    const row: number[] = [i];
    for (let j = 1; j <= b.length; j++) {
      if (i === 0) {
        row.push(j);
        continue;
      }
      const up = rows[i - 1]!;
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(up[j]! + 1, row[j - 1]! + 1, up[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d = Math.min(d, rows[i - 2]![j - 2]! + 1);
      }
      row.push(d);
    }
    rows.push(row);
  }
  return rows[a.length]![b.length]!;
}
