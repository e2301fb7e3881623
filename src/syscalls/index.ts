// Typed access to the native syscall addon (src/syscalls/native, built by
// node-gyp into build/Release/pktdrill_native.node).
//
//   call('socket', AF_INET, SOCK_STREAM, 0)           // on this thread
//   await callAsync('accept', fd)                     // on the libuv pool
//
// Every op makes exactly one real system call and reports what it returned:
// `ret` (-1 on failure), `errno` (0 unless ret is -1), and the
// CLOCK_MONOTONIC nanoseconds just before and after the call (`startNs`,
// `endNs`; the same clock as process.hrtime.bigint()). A failing call is a
// result, never an exception. Exceptions are only for bad arguments (a
// TypeError naming the op and the argument) and for a missing addon
// (NativeAddonMissingError).
//
// The addon is loaded on first use, so importing this module never fails.

import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// --- results -----------------------------------------------------------------

/** What every op returns. */
export interface SyscallResult {
  /** The call's return value; -1 on failure. */
  ret: number;
  /** errno when ret is -1, else 0. */
  errno: number;
  /** CLOCK_MONOTONIC ns immediately before the call. */
  startNs: bigint;
  /** CLOCK_MONOTONIC ns immediately after the call. */
  endNs: bigint;
}

export interface SockAddrResult {
  family: 'inet' | 'inet6';
  address: string;
  port: number;
}

/** read, recv: the bytes read (empty on failure). */
export interface DataResult extends SyscallResult {
  data: Buffer;
}

/** accept, accept4, getsockname, getpeername: the address, on success. */
export interface AddrResult extends SyscallResult {
  addr?: SockAddrResult;
}

/** recvfrom: the bytes, and the source address when the kernel gave one
 * (a connected TCP socket gives none). */
export interface RecvfromResult extends DataResult {
  addr?: SockAddrResult;
}

/** readv: `data` is all bytes read; `iov` the same bytes split over the
 * requested iovecs in order (each at most its requested length). */
export interface ReadvResult extends DataResult {
  iov: Buffer[];
}

/** getsockopt: `data` holds the first min(optlen in, optlen out) bytes the
 * kernel wrote (empty on failure); `optlen` is the resulting optlen. */
export interface GetsockoptResult extends DataResult {
  optlen: number;
}

/** ioctl_int: the int the kernel wrote, on success. */
export interface IoctlIntResult extends SyscallResult {
  value?: number;
}

/** poll: the revents of each entry, in order. */
export interface PollResult extends SyscallResult {
  revents: number[];
}

/** pipe: [read end, write end], on success. */
export interface PipeResult extends SyscallResult {
  fds?: [number, number];
}

export interface EpollEventResult {
  events: number;
  data: bigint;
}

/** epoll_wait: the ready events (ret of them). */
export interface EpollWaitResult extends SyscallResult {
  events: EpollEventResult[];
}

/** A control message: sendmsg input, recvmsg output (`len` is the
 * cmsg_len the kernel wrote: the header plus the data). */
export interface CmsgData {
  level: number;
  type: number;
  data: Uint8Array;
}
export interface CmsgResult extends CmsgData {
  len: number;
  data: Buffer;
}

/** recvmsg: the bytes (as readv), msg_flags, the source address when the
 * kernel gave one, and the control messages, on success. */
export interface RecvmsgResult extends ReadvResult {
  msgFlags?: number;
  addr?: SockAddrResult;
  cmsgs?: CmsgResult[];
}

/** Where one member of a kernel struct lives (from the uapi headers at
 * build time). Bit-fields have `shift` and `bits` within their byte. */
export interface FieldLayout {
  offset: number;
  size: number;
  shift?: number;
  bits?: number;
}

export interface StructLayout {
  /** sizeof in the headers the addon was built with. */
  size: number;
  fields: Readonly<Record<string, FieldLayout>>;
}

export interface PollFd {
  fd: number;
  events: number;
}

/**
 * A NULL buffer pointer passed with a length, as in `write(fd, NULL, 1000)`:
 * nothing is copied or allocated, so the kernel faults on it (EFAULT). Any
 * buffer argument (the bytes of a write, the length of a read, an iovec,
 * an optval) may be one.
 */
export interface NullBuffer {
  readonly pointer: null;
  readonly length: number;
}

/** The NULL buffer of this length. */
export function nullBuffer(length: number): NullBuffer {
  return { pointer: null, length };
}

// --- the op table ------------------------------------------------------------

/**
 * Every op: its arguments in order, and its result. Integer arguments may
 * also be given as bigint. Addresses are three arguments: family (AF_INET,
 * AF_INET6, or AF_UNSPEC, whose address and port are ignored), address
 * string, port.
 */
export interface OpTable {
  socket: { args: [domain: number, type: number, protocol: number]; result: SyscallResult };
  bind: { args: [fd: number, family: number, address: string, port: number]; result: SyscallResult };
  connect: {
    args: [fd: number, family: number, address: string, port: number];
    result: SyscallResult;
  };
  listen: { args: [fd: number, backlog: number]; result: SyscallResult };
  accept: { args: [fd: number]; result: AddrResult };
  accept4: { args: [fd: number, flags: number]; result: AddrResult };
  /** len: the room to read into, or a NullBuffer. */
  read: { args: [fd: number, len: number | NullBuffer]; result: DataResult };
  write: { args: [fd: number, buf: Uint8Array | NullBuffer]; result: SyscallResult };
  send: { args: [fd: number, buf: Uint8Array | NullBuffer, flags: number]; result: SyscallResult };
  /** Without family/address/port (or with family null) no address is passed. */
  sendto: {
    args:
      | [fd: number, buf: Uint8Array | NullBuffer, flags: number]
      | [fd: number, buf: Uint8Array | NullBuffer, flags: number, family: number, address: string, port: number];
    result: SyscallResult;
  };
  recv: { args: [fd: number, len: number | NullBuffer, flags: number]; result: DataResult };
  recvfrom: { args: [fd: number, len: number | NullBuffer, flags: number]; result: RecvfromResult };
  /** iov: the length of each iovec, a Buffer whose length is used, or a NullBuffer. */
  readv: { args: [fd: number, iov: ReadonlyArray<number | Uint8Array | NullBuffer>]; result: ReadvResult };
  writev: { args: [fd: number, iov: ReadonlyArray<Uint8Array | NullBuffer>]; result: SyscallResult };
  /** sendfile(out_fd, in_fd, offset === undefined ? NULL : &offset, count). */
  sendfile: { args: [outFd: number, inFd: number, count: number, offset?: number]; result: SyscallResult };
  /** splice(fd_in, off_in, fd_out, off_out, len, flags); an undefined offset is NULL. */
  splice: {
    args: [fdIn: number, offIn: number | undefined, fdOut: number, offOut: number | undefined, len: number, flags: number];
    result: SyscallResult;
  };
  /** sendmsg with these iovecs and control messages; the address is msg_name (none when family is null). */
  sendmsg: {
    args:
      | [fd: number, iov: ReadonlyArray<Uint8Array | NullBuffer>, flags: number, control: ReadonlyArray<CmsgData>]
      | [fd: number, iov: ReadonlyArray<Uint8Array | NullBuffer>, flags: number, control: ReadonlyArray<CmsgData>, family: number, address: string, port: number];
    result: SyscallResult;
  };
  /** recvmsg into iovecs of these lengths, with controllen bytes for control messages. */
  recvmsg: {
    args: [fd: number, iov: ReadonlyArray<number | Uint8Array | NullBuffer>, flags: number, controllen: number];
    result: RecvmsgResult;
  };
  close: { args: [fd: number]; result: SyscallResult };
  /** _exit(2) at once, skipping Node's exit (which waits for blocked pool threads). */
  _exit: { args: [code: number]; result: SyscallResult };
  /** Sleep until an absolute CLOCK_MONOTONIC time (ns), on the calling thread. */
  sleep_until: { args: [monotonicNs: bigint]; result: SyscallResult };
  /** SCHED_RR at this priority for the calling thread, reset on fork. */
  set_realtime: { args: [priority: number]; result: SyscallResult };
  shutdown: { args: [fd: number, how: number]; result: SyscallResult };
  /** optlen is optval.length. */
  setsockopt: {
    args: [fd: number, level: number, optname: number, optval: Uint8Array | NullBuffer];
    result: SyscallResult;
  };
  getsockopt: {
    args: [fd: number, level: number, optname: number, optlen: number];
    result: GetsockoptResult;
  };
  getsockname: { args: [fd: number]; result: AddrResult };
  getpeername: { args: [fd: number]; result: AddrResult };
  /** arg defaults to 0. */
  fcntl: { args: [fd: number, cmd: number, arg?: number]; result: SyscallResult };
  /** ioctl(fd, request, &int): SIOCINQ, SIOCOUTQ, SIOCOUTQNSD, FIONREAD... */
  ioctl_int: { args: [fd: number, request: number]; result: IoctlIntResult };
  pipe: { args: []; result: PipeResult };
  /** mode defaults to 0. */
  open: { args: [path: string, flags: number, mode?: number]; result: SyscallResult };
  poll: { args: [fds: ReadonlyArray<PollFd>, timeoutMs: number]; result: PollResult };
  epoll_create: { args: [size: number]; result: SyscallResult };
  /** events and data default to 0. */
  epoll_ctl: {
    args: [epfd: number, op: number, fd: number, events?: number, data?: bigint | number];
    result: SyscallResult;
  };
  epoll_wait: {
    args: [epfd: number, maxevents: number, timeoutMs: number];
    result: EpollWaitResult;
  };
}

export type OpName = keyof OpTable;
export type OpArgs<K extends OpName> = OpTable[K]['args'];
export type OpResult<K extends OpName> = OpTable[K]['result'];

// --- the addon ---------------------------------------------------------------

/** The addon's own exports, untyped per op. */
export interface NativeAddon {
  invoke(op: string, args: readonly unknown[]): SyscallResult;
  invokeAsync(op: string, args: readonly unknown[]): Promise<SyscallResult>;
  strerror(errno: number): string;
  errnoName(errno: number): string;
  readonly constants: Readonly<Record<string, number>>;
  readonly ops: ReadonlyArray<{ name: string; args: string[] }>;
  /** struct tcp_info, member by member (the same as layouts.tcp_info.fields). */
  readonly tcp_info_layout: Readonly<Record<string, FieldLayout>>;
  /** tcp_info, tcp_bbr_info, tcp_dctcp_info, tcpvegas_info, sock_extended_err. */
  readonly layouts: Readonly<Record<string, StructLayout>>;
}

export class NativeAddonMissingError extends Error {
  constructor(
    readonly addonPath: string,
    cause?: unknown,
  ) {
    const detail = cause instanceof Error ? `: ${cause.message}` : '';
    const built = existsSync(addonPath);
    super(
      built
        ? `native addon failed to load (${addonPath})${detail}; rebuild it: run npm run build`
        : `native addon not built: run npm run build (looked for ${addonPath})`,
      cause === undefined ? undefined : { cause },
    );
    this.name = 'NativeAddonMissingError';
  }
}

/** The directory holding package.json, walking up from this module (works
 * from src/syscalls/ under vitest and from dist/syscalls/ after tsc). */
function packageRoot(): string {
  const start = dirname(fileURLToPath(import.meta.url));
  for (let dir = start; ; ) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error(`no package.json above ${start}`);
    dir = up;
  }
}

/** Where the addon is expected. */
export function nativeAddonPath(): string {
  return join(packageRoot(), 'build', 'Release', 'pktdrill_native.node');
}

let loaded: NativeAddon | undefined;
let loadError: Error | undefined;

/** The addon, loaded on first use; throws NativeAddonMissingError. */
export function native(): NativeAddon {
  if (loaded) return loaded;
  if (loadError) throw loadError;
  const path = nativeAddonPath();
  try {
    if (!existsSync(path)) throw new NativeAddonMissingError(path);
    loaded = createRequire(import.meta.url)(path) as NativeAddon;
    return loaded;
  } catch (err) {
    loadError = err instanceof NativeAddonMissingError ? err : new NativeAddonMissingError(path, err);
    throw loadError;
  }
}

/** The raw addon (untyped invoke/invokeAsync), as the engine drives it with
 * evaluated script arguments. Same as native(). */
export function loadSyscalls(): NativeAddon {
  return native();
}

/** Whether the addon can be loaded (for skipping live tests). */
export function nativeAvailable(): boolean {
  try {
    native();
    return true;
  } catch {
    return false;
  }
}

// --- the API -----------------------------------------------------------------

/** Makes the call on this thread. Blocking calls block the event loop: use
 * callAsync for anything that may wait (accept, blocking connect/read,
 * poll/epoll_wait with a timeout). */
export function call<K extends OpName>(op: K, ...args: OpArgs<K>): OpResult<K> {
  return native().invoke(op, args) as OpResult<K>;
}

/** Makes the call on a libuv pool thread; the promise resolves when the
 * call returns. Bad arguments reject with a TypeError. The pool has
 * UV_THREADPOOL_SIZE threads (4 by default), shared with fs and dns: that
 * many calls blocked at once stall the rest. */
export function callAsync<K extends OpName>(op: K, ...args: OpArgs<K>): Promise<OpResult<K>> {
  try {
    return native().invokeAsync(op, args) as Promise<OpResult<K>>;
  } catch (err) {
    return Promise.reject(err);
  }
}

/** glibc's text for errno, e.g. 'Operation now in progress'. */
export function strerror(errno: number): string {
  return native().strerror(errno);
}

/** The symbolic name of errno, e.g. 'EINPROGRESS' (for aliases, the
 * canonical one: EAGAIN, not EWOULDBLOCK); the number as a string when the
 * headers name no such errno. */
export function errnoName(errno: number): string {
  return native().errnoName(errno);
}

/**
 * The numeric value of every symbolic constant scripts use (AF_*, SOCK_*,
 * IPPROTO_*, SOL_*, SO_*, TCP_*, IP_*, IPV6_*, MSG_*, O_*, F_*, POLL*,
 * EPOLL*, SIOC*, SOF_TIMESTAMPING_*, SO_EE_*, SCM_*, INADDR_*, every errno
 * name, ...), from the system headers at build time. Read-only; the addon is
 * loaded on first access. A name not listed reads as undefined.
 */
export const constants: Readonly<Record<string, number>> = new Proxy(
  Object.create(null) as Record<string, number>,
  {
    get: (_t, key) => (typeof key === 'string' ? native().constants[key] : undefined),
    has: (_t, key) => typeof key === 'string' && Object.hasOwn(native().constants, key),
    ownKeys: () => Reflect.ownKeys(native().constants),
    getOwnPropertyDescriptor: (_t, key) => {
      const d = Reflect.getOwnPropertyDescriptor(native().constants, key);
      return d && { value: d.value, enumerable: true, writable: false, configurable: true };
    },
    set: () => false,
    defineProperty: () => false,
    deleteProperty: () => false,
  },
);
