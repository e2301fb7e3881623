// Parent side of the sandbox: the command line that starts a script's process
// inside fresh namespaces of its own.
//
//  setpriv --pdeathsig KILL      if pktdrill dies (even by SIGKILL), unshare dies
//  unshare --net                 a network namespace that exists only while its processes do
//          --pid --fork          the script process is PID 1 there: when it exits, the kernel
//          --kill-child          kills every process it started; when unshare dies, so does it
//          --mount --mount-proc  a private /proc and /sys showing the namespace's own view
//          [--user --map-root-user]  when not root
//  sh -c 'mount ...; exec node <entry> ...'
//                                /proc/sys read-only except /proc/sys/net (the namespace's
//                                own sysctls), so no script can change a host setting;
//                                a private /tmp over the host's (see PRIVATE_TMP).

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

export interface SandboxCommand {
  command: string;
  args: string[];
}

const PREPARE = [
  // sysfs must be mounted again or /sys/class/net shows the host's interfaces.
  'mount -t sysfs sysfs /sys',
  // Everything under /proc/sys read-only but the namespace's own network sysctls.
  'mount --bind /proc/sys /proc/sys',
  'mount -o remount,bind,ro /proc/sys',
  'mount --bind /proc/sys/net /proc/sys/net',
  'mount -o remount,bind,rw /proc/sys/net',
].join(' && ');

/**
 * A private /tmp: the host's /tmp stays readable through it (scripts and
 * the helpers they call may live there), but what the script's commands
 * write there (packetdrill's set_sysctls.py leaves /tmp/sysctl_restore_PID.sh)
 * lands in a tmpfs of the sandbox's own and goes with it. So each run may
 * call itself PID 1, as its commands' `${PPID}` says, without two runs
 * sharing a file, and nothing is left on the host. The host's /tmp itself
 * stays open on fd 9, for the capture the script process writes for the
 * user (src/sandbox/host-path.ts). Where an overlay cannot be mounted, /tmp
 * is the host's and PACKETDRILL_PID a number unique to the run.
 */
const PRIVATE_TMP = [
  '[ -d /tmp ] && [ -d /dev/shm ]',
  'mount -t tmpfs -o mode=700 pktdrill-tmp /dev/shm',
  'mkdir /dev/shm/upper /dev/shm/work',
  'chmod 1777 /dev/shm/upper',
  'exec 9</tmp',
  'mount -t overlay pktdrill-tmp -o lowerdir=/tmp,upperdir=/dev/shm/upper,workdir=/dev/shm/work /tmp',
  'export PKTDRILL_HOST_TMP_FD=9',
].join(' && ');

/**
 * V8 flags of the script process. Its main thread runs at a real-time
 * priority; V8's parallel scavenger makes it wait for helper threads that
 * run at normal priority, which on a loaded machine wait behind every other
 * script's start-up: a priority inversion that made injections 5-15 ms late
 * at -j 8 (bench/RESULTS.md). Collecting on the main thread alone costs
 * little for a heap this small. --expose-gc lets the engine collect where
 * the script waits (Clock.until), never between two close events.
 * PKTDRILL_CHILD_NODE_FLAGS replaces them,
 * for measuring (bench/RESULTS.md).
 */
const CHILD_NODE_FLAGS = (process.env.PKTDRILL_CHILD_NODE_FLAGS ?? '--single-threaded-gc --expose-gc').split(' ').filter(Boolean);

export function isRoot(): boolean {
  return typeof process.geteuid === 'function' && process.geteuid() === 0;
}

/**
 * The sandbox launcher built with the native addon (src/sandbox/native/launch.c):
 * the same namespaces and mounts as the shell command line below, in one
 * exec instead of eleven. PKTDRILL_SANDBOX=shell takes the command line
 * (for measuring what the launcher saves, bench/RESULTS.md).
 */
function findLauncher(): string | null {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  const path = join(dir, 'build', 'Release', 'pktdrill_sandbox');
  return existsSync(path) ? path : null;
}

/**
 * The launcher's exit code when the kernel refused its namespaces or mounts
 * (launch.c's SETUP_REFUSED): pktdrill needs root or unprivileged user
 * namespaces. The script's process never exits with it.
 */
export const SANDBOX_SETUP_REFUSED = 125;

let launcherPath: string | null | undefined;

/** The command that runs `node entry ...args` as PID 1 of new namespaces. */
export function sandboxCommand(entry: string, args: string[]): SandboxCommand {
  const launcher = process.env.PKTDRILL_SANDBOX === 'shell' ? null : (launcherPath ??= findLauncher());
  if (launcher) {
    return {
      command: launcher,
      args: [...(isRoot() ? [] : ['--user']), '--', process.execPath, ...process.execArgv, ...CHILD_NODE_FLAGS, entry, ...args],
    };
  }
  const unshare = ['unshare'];
  if (!isRoot()) unshare.push('--user', '--map-root-user');
  unshare.push(
    '--net',
    '--pid',
    '--fork',
    '--kill-child=KILL',
    '--mount',
    '--propagation',
    'private',
    '--mount-proc',
  );
  const script = `${PREPARE} && { ${PRIVATE_TMP} || exec 9<&-; } && exec "$0" "$@"`;
  return {
    command: 'setpriv',
    args: ['--pdeathsig', 'KILL', '--', ...unshare, 'sh', '-c', script, process.execPath, ...process.execArgv, ...CHILD_NODE_FLAGS, entry, ...args],
  };
}

/**
 * The compiled child entry, found from the package root (works from src/
 * under vitest too): its bundle (one file, a faster start; bootstrap.mjs)
 * when that is not older than the compiled modules, else those.
 */
export function childEntry(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  const modules = join(dir, 'dist', 'sandbox', 'child-entry.js');
  const bundled = join(dir, 'dist', 'bundle', 'child-entry.js');
  if (process.env.PKTDRILL_NO_BUNDLE === '1') return modules;
  const at = (p: string): number => {
    try {
      return statSync(p).mtimeMs;
    } catch {
      return -1;
    }
  };
  // Every compiled module is written by each tsc run: the newest of two stands for all.
  return at(bundled) >= Math.max(at(modules), at(join(dir, 'dist', 'engine', 'run.js'))) ? bundled : modules;
}

let entryPath: string | undefined;

/** The script's process in a fresh sandbox; without `args` it reads its job on stdin. */
export function spawnSandbox(args: string[]): ChildProcess {
  entryPath ??= childEntry();
  const cmd = sandboxCommand(entryPath, args);
  return spawn(cmd.command, cmd.args, { stdio: [args.length ? 'ignore' : 'pipe', 'pipe', 'pipe', 'pipe'], env: { ...process.env, UV_THREADPOOL_SIZE: '16' } });
}

type Pipe = { ref?: () => void; unref?: () => void } | null | undefined;

/**
 * Whether `c` keeps pktdrill's event loop alive. A sandbox that waits for
 * its job, or has sent its verdict, does not: pktdrill may exit, and the
 * sandbox dies with its launcher.
 */
export function holdSandbox(c: ChildProcess, hold: boolean): void {
  if (hold) c.ref();
  else c.unref();
  for (const p of [c.stdin, c.stdout, c.stderr, c.stdio[3]] as unknown as Pipe[]) {
    if (hold) p?.ref?.();
    else p?.unref?.();
  }
}

/** A sandbox that waits for its job on stdin (and holds nothing), or null when none could start. */
export function spawnWaitingSandbox(): ChildProcess | null {
  try {
    const c = spawnSandbox([]);
    c.on('error', () => undefined);
    holdSandbox(c, false);
    return c;
  } catch {
    return null;
  }
}

/** A waiting sandbox taken for a job: held again; null when it died meanwhile. */
export function adoptSandbox(c: ChildProcess | null): ChildProcess | null {
  if (!c || c.exitCode !== null || c.signalCode !== null || !c.stdin || c.stdin.destroyed) return null;
  holdSandbox(c, true);
  return c;
}

const EARLY = Symbol.for('pktdrill.earlySandbox');
type Early = { [EARLY]?: ChildProcess | null };

/**
 * For `pktdrill run`: the first script's sandbox, started by bin/pktdrill.js
 * before it loads the CLI, so that its Node start overlaps the CLI's load
 * and the script's checks (about 30 ms of a one-script run). It waits for
 * its job on stdin; if none comes (bad input, a usage error), it dies with
 * its launcher when pktdrill exits. Nothing of the script reaches it first.
 * The symbol is global: bin/pktdrill.js and the bundled CLI each hold a copy
 * of this module.
 */
export function startEarlySandbox(): void {
  (globalThis as Early)[EARLY] = spawnWaitingSandbox();
}

/** The sandbox startEarlySandbox started, once. */
export function takeEarlySandbox(): ChildProcess | null {
  const g = globalThis as Early;
  const c = g[EARLY] ?? null;
  delete g[EARLY];
  return c;
}
