// The native syscall addon, on the live kernel, over 127.0.0.1 only.

import { readFileSync, rmSync } from 'node:fs';
import { endianness, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  call,
  callAsync,
  constants as C,
  errnoName,
  native,
  NativeAddonMissingError,
  nullBuffer,
  strerror,
  type OpName,
} from '../src/syscalls/index.js';

const LOOPBACK = '127.0.0.1';

// --- helpers -----------------------------------------------------------------

/** fds opened by a test; shut down (waking any blocked call) and closed after it. */
const open = new Set<number>();

function track(fd: number): number {
  expect(fd).toBeGreaterThanOrEqual(0);
  open.add(fd);
  return fd;
}

function closeFd(fd: number): void {
  open.delete(fd);
  expect(call('close', fd).ret).toBe(0);
}

afterEach(() => {
  for (const fd of open) {
    call('shutdown', fd, C.SHUT_RDWR!);
    call('close', fd);
  }
  open.clear();
});

function int32(v: number): Buffer {
  const b = Buffer.alloc(4);
  if (endianness() === 'LE') b.writeInt32LE(v);
  else b.writeInt32BE(v);
  return b;
}

function readInt32(b: Buffer): number {
  return endianness() === 'LE' ? b.readInt32LE(0) : b.readInt32BE(0);
}

function tcpSocket(extraType = 0): number {
  return track(call('socket', C.AF_INET!, C.SOCK_STREAM! | extraType, 0).ret);
}

/** A listener on 127.0.0.1 at a kernel-chosen port. */
function listener(backlog = 8): { fd: number; port: number } {
  const fd = tcpSocket();
  expect(call('setsockopt', fd, C.SOL_SOCKET!, C.SO_REUSEADDR!, int32(1)).ret).toBe(0);
  expect(call('bind', fd, C.AF_INET!, LOOPBACK, 0).ret).toBe(0);
  expect(call('listen', fd, backlog).ret).toBe(0);
  const name = call('getsockname', fd);
  expect(name.ret).toBe(0);
  return { fd, port: name.addr!.port };
}

/** A port on 127.0.0.1 that nothing listens on (bound once, then released). */
function closedPort(): number {
  const fd = tcpSocket();
  expect(call('bind', fd, C.AF_INET!, LOOPBACK, 0).ret).toBe(0);
  const port = call('getsockname', fd).addr!.port;
  closeFd(fd);
  return port;
}

/** A connected pair: [client, server side]. */
function connectedPair(): [number, number] {
  const l = listener();
  const client = tcpSocket();
  expect(call('connect', client, C.AF_INET!, LOOPBACK, l.port).ret).toBe(0);
  const server = track(call('accept', l.fd).ret);
  closeFd(l.fd);
  return [client, server];
}

function expectOk(r: { ret: number; errno: number }): void {
  expect(r.errno).toBe(0);
  expect(r.ret).toBeGreaterThanOrEqual(0);
}

function expectErrno(r: { ret: number; errno: number }, name: string): void {
  expect(r.ret).toBe(-1);
  expect(errnoName(r.errno)).toBe(name);
  expect(r.errno).toBe(C[name]);
}

const sleep = (ms: number) => new Promise<void>((res) => setTimeout(res, ms));

// --- tests -------------------------------------------------------------------

describe('constants, strerror, errnoName', () => {
  it('has the header values scripts name', () => {
    expect(C.AF_INET).toBe(2);
    expect(C.AF_INET6).toBe(10);
    expect(C.SOCK_STREAM).toBe(1);
    expect(C.IPPROTO_TCP).toBe(6);
    expect(C.SOL_SOCKET).toBe(1);
    expect(C.SOL_TCP).toBe(6);
    expect(C.TCP_NODELAY).toBe(1);
    expect(C.SO_REUSEADDR).toBe(2);
    expect(C.INADDR_ANY).toBe(0);
    expect(C.EWOULDBLOCK).toBe(C.EAGAIN);
    expect(C.SIOCINQ).toBe(C.FIONREAD);
    expect(C.EPOLLET).toBe(2 ** 31);
    for (const name of [
      'SOCK_NONBLOCK', 'SOCK_CLOEXEC', 'PF_INET', 'SOL_IP', 'SOL_IPV6', 'SO_KEEPALIVE', 'SO_LINGER',
      'SO_RCVBUF', 'SO_SNDBUF', 'SO_ERROR', 'SO_RCVLOWAT', 'SO_SNDLOWAT', 'SO_ZEROCOPY',
      'SO_TIMESTAMPING', 'SO_REUSEPORT', 'TCP_MAXSEG', 'TCP_CORK', 'TCP_KEEPIDLE', 'TCP_KEEPINTVL',
      'TCP_KEEPCNT', 'TCP_SYNCNT', 'TCP_LINGER2', 'TCP_DEFER_ACCEPT', 'TCP_INFO', 'TCP_QUICKACK',
      'TCP_CONGESTION', 'TCP_FASTOPEN', 'TCP_FASTOPEN_CONNECT', 'TCP_FASTOPEN_KEY',
      'TCP_FASTOPEN_NO_COOKIE', 'TCP_USER_TIMEOUT', 'TCP_NOTSENT_LOWAT', 'TCP_ULP', 'TCP_INQ',
      'TCP_TX_DELAY', 'IP_TOS', 'IP_TTL', 'IP_MTU_DISCOVER', 'IP_PMTUDISC_DO', 'IPV6_V6ONLY',
      'IPV6_TCLASS', 'MSG_DONTWAIT', 'MSG_PEEK', 'MSG_WAITALL', 'MSG_FASTOPEN', 'MSG_ZEROCOPY',
      'MSG_ERRQUEUE', 'MSG_MORE', 'MSG_NOSIGNAL', 'MSG_TRUNC', 'O_NONBLOCK', 'O_RDWR', 'O_RDONLY',
      'O_WRONLY', 'O_CREAT', 'O_TRUNC', 'F_GETFL', 'F_SETFL', 'F_GETFD', 'F_SETFD', 'F_SETPIPE_SZ',
      'FD_CLOEXEC', 'SHUT_RD', 'SHUT_WR', 'SHUT_RDWR', 'POLLIN', 'POLLOUT', 'POLLERR', 'POLLHUP',
      'POLLRDHUP', 'POLLPRI', 'POLLNVAL', 'POLLRDNORM', 'POLLWRNORM', 'EPOLLIN', 'EPOLLOUT',
      'EPOLLONESHOT', 'EPOLLEXCLUSIVE', 'EPOLL_CTL_ADD', 'EPOLL_CTL_MOD', 'EPOLL_CTL_DEL',
      'SIOCOUTQ', 'SIOCOUTQNSD', 'SO_EE_ORIGIN_ZEROCOPY', 'SO_EE_ORIGIN_TIMESTAMPING',
      'SOF_TIMESTAMPING_TX_ACK', 'SOF_TIMESTAMPING_OPT_ID', 'SCM_TIMESTAMPING', 'SCM_TSTAMP_ACK',
      'TCP_CA_OPEN', 'TCP_NLA_SND_CWND', 'TCP_ESTABLISHED', 'INADDR_LOOPBACK',
    ]) {
      expect(C[name], name).toBeTypeOf('number');
    }
    expect(C.NO_SUCH_CONSTANT).toBeUndefined();
    expect('AF_INET' in C).toBe(true);
    expect(Object.keys(C).length).toBeGreaterThan(500);
  });

  it('is read-only', () => {
    expect(() => {
      (C as Record<string, number>).AF_INET = 3;
    }).toThrow(TypeError);
    expect(C.AF_INET).toBe(2);
  });

  it('names every errno and prints glibc text', () => {
    expect(errnoName(C.EINPROGRESS!)).toBe('EINPROGRESS');
    expect(strerror(C.EINPROGRESS!)).toBe('Operation now in progress');
    expect(strerror(C.EAGAIN!)).toBe('Resource temporarily unavailable');
    expect(strerror(C.ECONNREFUSED!)).toBe('Connection refused');
    expect(errnoName(C.EWOULDBLOCK!)).toBe('EAGAIN');
    expect(errnoName(C.ENOTSUP!)).toBe('EOPNOTSUPP');
    expect(errnoName(C.EDEADLOCK!)).toBe('EDEADLK');
    for (const name of [
      'EAGAIN', 'EINPROGRESS', 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTCONN',
      'EALREADY', 'EISCONN', 'EINVAL', 'EBADF', 'EADDRINUSE', 'ENOPROTOOPT', 'EOPNOTSUPP',
      'EMSGSIZE', 'ENOBUFS', 'EHOSTUNREACH', 'ENETUNREACH', 'EFAULT', 'EINTR',
    ]) {
      expect(errnoName(C[name]!)).toBe(name);
    }
    expect(errnoName(4000)).toBe('4000');
    expect(strerror(4000)).toBe('Unknown error 4000');
    expect(() => strerror('x' as unknown as number)).toThrow(TypeError);
  });
});

describe('sockets on 127.0.0.1', () => {
  it('socket/bind/listen/connect/accept/write/read/close round trip', () => {
    const l = listener();
    const client = tcpSocket();
    const conn = call('connect', client, C.AF_INET!, LOOPBACK, l.port);
    expect(conn).toMatchObject({ ret: 0, errno: 0 });

    const clientName = call('getsockname', client);
    expect(clientName.addr).toMatchObject({ family: 'inet', address: LOOPBACK });

    const acc = call('accept', l.fd);
    expectOk(acc);
    const server = track(acc.ret);
    expect(acc.addr).toEqual({ family: 'inet', address: LOOPBACK, port: clientName.addr!.port });
    expect(call('getpeername', client).addr).toEqual({ family: 'inet', address: LOOPBACK, port: l.port });

    const w = call('write', client, Buffer.from('hello, kernel'));
    expect(w).toMatchObject({ ret: 13, errno: 0 });
    const r = call('read', server, 100);
    expect(r.ret).toBe(13);
    expect(r.data.toString()).toBe('hello, kernel');

    // send/recv and recvfrom (a connected TCP socket reports no source).
    expect(call('send', server, Buffer.from('abc'), 0).ret).toBe(3);
    const peek = call('recv', client, 10, C.MSG_PEEK!);
    expect(peek.data.toString()).toBe('abc');
    const rf = call('recvfrom', client, 10, 0);
    expect(rf.data.toString()).toBe('abc');
    expect(rf.addr).toBeUndefined();
    expect(call('sendto', client, Buffer.from('xy'), 0).ret).toBe(2);
    expect(call('read', server, 10).data.toString()).toBe('xy');

    // writev / readv: the bytes split over the iovecs in order.
    expect(call('writev', client, [Buffer.from('12'), Buffer.from('345'), Buffer.alloc(0)]).ret).toBe(5);
    const rv = call('readv', server, [2, Buffer.alloc(10)]);
    expect(rv.ret).toBe(5);
    expect(rv.data.toString()).toBe('12345');
    expect(rv.iov.map((b) => b.toString())).toEqual(['12', '345']);

    // The peer's close reads as EOF.
    closeFd(client);
    const eof = call('read', server, 10);
    expect(eof).toMatchObject({ ret: 0, errno: 0 });
    expect(eof.data.length).toBe(0);
    closeFd(server);
    closeFd(l.fd);
    expectErrno(call('close', server), 'EBADF');
  });

  it('a non-blocking connect to a closed port: EINPROGRESS, then SO_ERROR ECONNREFUSED', () => {
    const port = closedPort();
    const fd = tcpSocket(C.SOCK_NONBLOCK);
    const conn = call('connect', fd, C.AF_INET!, LOOPBACK, port);
    expectErrno(conn, 'EINPROGRESS');
    expect(strerror(conn.errno)).toBe('Operation now in progress');

    const p = call('poll', [{ fd, events: C.POLLOUT! }], 1000);
    expect(p.ret).toBe(1);
    expect(p.revents[0]! & C.POLLERR!).toBe(C.POLLERR);

    const err = call('getsockopt', fd, C.SOL_SOCKET!, C.SO_ERROR!, 4);
    expect(err).toMatchObject({ ret: 0, errno: 0, optlen: 4 });
    expect(readInt32(err.data)).toBe(C.ECONNREFUSED);
    // SO_ERROR is cleared by reading it.
    expect(readInt32(call('getsockopt', fd, C.SOL_SOCKET!, C.SO_ERROR!, 4).data)).toBe(0);
  });

  it('a blocking connect to a closed port fails with ECONNREFUSED', () => {
    const port = closedPort();
    const fd = tcpSocket();
    const conn = call('connect', fd, C.AF_INET!, LOOPBACK, port);
    expectErrno(conn, 'ECONNREFUSED');
    expect(strerror(conn.errno)).toBe('Connection refused');
  });

  it('accept via callAsync resolves only once a connection arrives; the loop stays responsive', async () => {
    const l = listener();
    let resolved = false;
    const pending = callAsync('accept', l.fd).then((r) => {
      resolved = true;
      return r;
    });
    let timerFired = false;
    setTimeout(() => {
      timerFired = true;
    }, 20);
    await sleep(150);
    expect(timerFired).toBe(true);
    expect(resolved).toBe(false);

    const beforeConnect = process.hrtime.bigint();
    const client = tcpSocket();
    expect(call('connect', client, C.AF_INET!, LOOPBACK, l.port).ret).toBe(0);
    const acc = await pending;
    expectOk(acc);
    track(acc.ret);
    expect(acc.addr?.address).toBe(LOOPBACK);
    // The call started before the connection and ended after it.
    expect(acc.startNs < beforeConnect).toBe(true);
    expect(acc.endNs > beforeConnect).toBe(true);
    expect(Number(acc.endNs - acc.startNs) / 1e6).toBeGreaterThan(100);
  });

  it('blocking read via callAsync returns when data arrives', async () => {
    const [client, server] = connectedPair();
    const pending = callAsync('read', server, 64);
    await sleep(30);
    // The Buffer given to a write is copied; changing it later changes nothing.
    const buf = Buffer.from('late');
    expect(call('write', client, buf).ret).toBe(4);
    buf.fill(0);
    const r = await pending;
    expect(r.ret).toBe(4);
    expect(r.data.toString()).toBe('late');
  });

  it('callAsync input buffers are copied before going off-thread', async () => {
    const [client, server] = connectedPair();
    const buf = Buffer.from('original');
    const pending = callAsync('write', client, buf);
    buf.fill(0x41);
    expect((await pending).ret).toBe(8);
    expect(call('read', server, 64).data.toString()).toBe('original');
  });

  it('setsockopt/getsockopt SO_REUSEADDR and TCP_NODELAY', () => {
    const fd = tcpSocket();
    const get = (level: number, name: number) => {
      const r = call('getsockopt', fd, level, name, 4);
      expect(r).toMatchObject({ ret: 0, errno: 0, optlen: 4 });
      return readInt32(r.data);
    };
    expect(get(C.SOL_SOCKET!, C.SO_REUSEADDR!)).toBe(0);
    expect(call('setsockopt', fd, C.SOL_SOCKET!, C.SO_REUSEADDR!, int32(1))).toMatchObject({ ret: 0, errno: 0 });
    expect(get(C.SOL_SOCKET!, C.SO_REUSEADDR!)).toBe(1);

    expect(get(C.IPPROTO_TCP!, C.TCP_NODELAY!)).toBe(0);
    expect(call('setsockopt', fd, C.SOL_TCP!, C.TCP_NODELAY!, int32(1)).ret).toBe(0);
    expect(get(C.IPPROTO_TCP!, C.TCP_NODELAY!)).toBe(1);

    // A too-short optlen is the kernel's business: EINVAL.
    expectErrno(call('setsockopt', fd, C.SOL_TCP!, C.TCP_NODELAY!, Buffer.alloc(2)), 'EINVAL');
    // Unknown option.
    expectErrno(call('getsockopt', fd, C.SOL_TCP!, 9999, 4), 'ENOPROTOOPT');
    // String option: the bytes written and the resulting optlen.
    const cc = call('getsockopt', fd, C.SOL_TCP!, C.TCP_CONGESTION!, 16);
    expect(cc.ret).toBe(0);
    expect(cc.data.length).toBe(cc.optlen);
    expect(cc.data.toString('latin1').replace(/\0+$/, '').length).toBeGreaterThan(0);
  });

  it('fcntl O_NONBLOCK, and read on an empty non-blocking socket is EAGAIN', () => {
    const [client, server] = connectedPair();
    const fl = call('fcntl', server, C.F_GETFL!);
    expectOk(fl);
    expect(fl.ret & C.O_NONBLOCK!).toBe(0);
    expect(call('fcntl', server, C.F_SETFL!, fl.ret | C.O_NONBLOCK!).ret).toBe(0);
    expect(call('fcntl', server, C.F_GETFL!).ret & C.O_NONBLOCK!).toBe(C.O_NONBLOCK);

    const r = call('read', server, 10);
    expectErrno(r, 'EAGAIN');
    expect(r.data.length).toBe(0);
    expect(strerror(r.errno)).toBe('Resource temporarily unavailable');
    expectErrno(call('recv', client, 10, C.MSG_DONTWAIT!), 'EAGAIN');

    // accept4 with SOCK_NONBLOCK gives a non-blocking socket.
    const l = listener();
    const c2 = tcpSocket();
    expect(call('connect', c2, C.AF_INET!, LOOPBACK, l.port).ret).toBe(0);
    const a = call('accept4', l.fd, C.SOCK_NONBLOCK! | C.SOCK_CLOEXEC!);
    const s2 = track(a.ret);
    expect(call('fcntl', s2, C.F_GETFL!).ret & C.O_NONBLOCK!).toBe(C.O_NONBLOCK);
    expect(call('fcntl', s2, C.F_GETFD!).ret & C.FD_CLOEXEC!).toBe(C.FD_CLOEXEC);
  });

  it('SIOCINQ / SIOCOUTQ via ioctl_int', () => {
    const [client, server] = connectedPair();
    expect(call('write', client, Buffer.alloc(7, 1)).ret).toBe(7);
    // Loopback delivers during the write; allow a moment anyway.
    for (let i = 0; i < 100 && call('ioctl_int', server, C.SIOCINQ!).value !== 7; i++) {
      call('poll', [], 1);
    }
    expect(call('ioctl_int', server, C.SIOCINQ!)).toMatchObject({ ret: 0, value: 7 });
    const outq = call('ioctl_int', client, C.SIOCOUTQ!);
    expect(outq.ret).toBe(0);
    expect(outq.value).toBeTypeOf('number');
    const bad = call('ioctl_int', 1 << 20, C.SIOCINQ!);
    expectErrno(bad, 'EBADF');
    expect(bad.value).toBeUndefined();
  });

  it('poll', async () => {
    const [client, server] = connectedPair();
    const idle = call('poll', [{ fd: server, events: C.POLLIN! }, { fd: client, events: C.POLLOUT! }], 0);
    expect(idle.ret).toBe(1);
    expect(idle.revents).toEqual([0, C.POLLOUT]);

    const waiting = callAsync('poll', [{ fd: server, events: C.POLLIN! }], 5000);
    await sleep(20);
    call('write', client, Buffer.from('x'));
    const ready = await waiting;
    expect(ready.ret).toBe(1);
    expect(ready.revents[0]! & C.POLLIN!).toBe(C.POLLIN);

    const nval = call('poll', [{ fd: 1 << 20, events: C.POLLIN! }], 0);
    expect(nval.revents).toEqual([C.POLLNVAL]);
  });

  it('epoll', () => {
    const [client, server] = connectedPair();
    const ep = track(call('epoll_create', 1).ret);
    const tag = 0x1234_5678_9abc_def0n; // beyond 2^53: must survive as a bigint
    expect(call('epoll_ctl', ep, C.EPOLL_CTL_ADD!, server, C.EPOLLIN! | C.EPOLLET!, tag).ret).toBe(0);
    expectErrno(call('epoll_ctl', ep, C.EPOLL_CTL_ADD!, server, C.EPOLLIN!, 0), 'EEXIST');

    expect(call('epoll_wait', ep, 8, 0)).toMatchObject({ ret: 0, events: [] });
    call('write', client, Buffer.from('ping'));
    const w = call('epoll_wait', ep, 8, 1000);
    expect(w.ret).toBe(1);
    expect(w.events).toEqual([{ events: C.EPOLLIN, data: tag }]);
    // Edge-triggered: no new edge, no event.
    expect(call('epoll_wait', ep, 8, 0).ret).toBe(0);

    expect(call('epoll_ctl', ep, C.EPOLL_CTL_MOD!, server, C.EPOLLIN!, 7).ret).toBe(0);
    expect(call('epoll_wait', ep, 8, 0).events).toEqual([{ events: C.EPOLLIN, data: 7n }]);
    expect(call('epoll_ctl', ep, C.EPOLL_CTL_DEL!, server).ret).toBe(0);
    expect(call('epoll_wait', ep, 8, 0).ret).toBe(0);
    expectErrno(call('epoll_wait', ep, 0, 0), 'EINVAL');
  });

  it('a write after shutdown(SHUT_WR) returns EPIPE: SIGPIPE is ignored', () => {
    const sigIgn = /^SigIgn:\s*([0-9a-f]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    expect(sigIgn).not.toBeNull();
    const SIGPIPE = 13;
    expect((BigInt('0x' + sigIgn![1]) >> BigInt(SIGPIPE - 1)) & 1n).toBe(1n);

    const [client] = connectedPair();
    expect(call('shutdown', client, C.SHUT_WR!).ret).toBe(0);
    expectErrno(call('write', client, Buffer.from('x')), 'EPIPE');
    expectErrno(call('send', client, Buffer.from('x'), 0), 'EPIPE');
  });

  it('a null buffer reaches the kernel as NULL with its length: EFAULT, nothing copied', () => {
    const [client, server] = connectedPair();
    for (const r of [
      call('write', client, nullBuffer(1000)),
      call('send', client, nullBuffer(1000), 0),
      call('sendto', client, nullBuffer(1000), 0),
      call('writev', client, [nullBuffer(1000)]),
      call('sendmsg', client, [nullBuffer(1000)], 0, []),
      call('setsockopt', client, C.SOL_SOCKET!, C.SO_REUSEADDR!, nullBuffer(4)),
    ]) {
      expectErrno(r, 'EFAULT');
    }
    // A NULL of length 0 is touched by nobody.
    expect(call('write', client, nullBuffer(0)).ret).toBe(0);

    expect(call('write', client, Buffer.from('queued')).ret).toBe(6);
    expect(call('poll', [{ fd: server, events: C.POLLIN! }], 1000).ret).toBe(1);
    for (const r of [
      call('read', server, nullBuffer(100)),
      call('recv', server, nullBuffer(100), 0),
      call('recvfrom', server, nullBuffer(100), 0),
      call('readv', server, [nullBuffer(100)]),
      call('recvmsg', server, [nullBuffer(100)], 0, 0),
    ]) {
      expectErrno(r, 'EFAULT');
      expect((r as { data: Buffer }).data.length).toBe(0);
    }
    // None of those consumed a byte, and the NULL writes sent none.
    expect(call('ioctl_int', server, C.SIOCINQ!).value).toBe(6);
    expect(call('read', server, 100).data.toString()).toBe('queued');
  });

  it('connect(AF_UNSPEC) is passed through', () => {
    const fd = tcpSocket();
    // On an unconnected TCP socket, disconnecting is a no-op success.
    expect(call('connect', fd, C.AF_UNSPEC!, '', 0).ret).toBe(0);
  });
});

describe('files and pipes', () => {
  it('pipe, FIONREAD, readv/writev, F_SETPIPE_SZ', () => {
    const p = call('pipe');
    expect(p.ret).toBe(0);
    const [r, w] = p.fds!;
    track(r);
    track(w);
    expect(call('write', w, Buffer.from('through the pipe')).ret).toBe(16);
    expect(call('ioctl_int', r, C.FIONREAD!).value).toBe(16);
    expect(call('read', r, 7).data.toString()).toBe('through');
    expect(call('read', r, 100).data.toString()).toBe(' the pipe');
    expect(call('fcntl', w, C.F_SETPIPE_SZ!, 8192).ret).toBeGreaterThanOrEqual(8192);
    expect(call('fcntl', w, C.F_GETPIPE_SZ!).ret).toBeGreaterThanOrEqual(8192);
    closeFd(r);
    expectErrno(call('write', w, Buffer.from('x')), 'EPIPE');
  });

  it('open and sendfile into a socket', () => {
    const path = join(tmpdir(), `pktdrill-syscalls-${process.pid}.txt`);
    try {
      const fd = track(call('open', path, C.O_RDWR! | C.O_CREAT! | C.O_TRUNC!, 0o600).ret);
      expect(call('write', fd, Buffer.from('file contents')).ret).toBe(13);
      closeFd(fd);
      const ro = track(call('open', path, C.O_RDONLY!).ret);
      const [client, server] = connectedPair();
      expect(call('sendfile', client, ro, 100).ret).toBe(13);
      expect(call('read', server, 100).data.toString()).toBe('file contents');
      expectErrno(call('open', join(tmpdir(), 'pktdrill-no-such-dir', 'x'), C.O_RDONLY!), 'ENOENT');
    } finally {
      rmSync(path, { force: true });
    }
  });
});

describe('timing', () => {
  it('startNs <= endNs, on the clock of process.hrtime.bigint()', () => {
    const before = process.hrtime.bigint();
    const r = call('socket', C.AF_INET!, C.SOCK_STREAM!, 0);
    const after = process.hrtime.bigint();
    track(r.ret);
    expect(typeof r.startNs).toBe('bigint');
    expect(before <= r.startNs).toBe(true);
    expect(r.startNs <= r.endNs).toBe(true);
    expect(r.endNs <= after).toBe(true);
  });

  it('a blocking poll via callAsync measures its own duration', async () => {
    const r = await callAsync('poll', [], 50);
    expect(r.ret).toBe(0);
    const ms = Number(r.endNs - r.startNs) / 1e6;
    expect(ms).toBeGreaterThanOrEqual(49);
    expect(ms).toBeLessThan(1000);
  });
});

describe('bad arguments throw TypeError, never crash', () => {
  const bad = (fn: () => unknown, pattern: RegExp) => expect(fn).toThrow(pattern);
  // Bypass the static types, as a script's evaluated arguments would.
  const loose = call as unknown as (op: string, ...args: unknown[]) => unknown;
  const looseAsync = callAsync as unknown as (op: string, ...args: unknown[]) => Promise<unknown>;

  it('unknown op and non-string op', () => {
    expect(() => loose('frobnicate', 1)).toThrow(TypeError);
    bad(() => loose('frobnicate', 1), /unknown op 'frobnicate'.*socket/);
    bad(() => native().invoke(42 as unknown as string, []), /op name must be a string, got number 42/);
    bad(() => native().invoke('close', 3 as unknown as unknown[]), /args must be an array/);
  });

  it('wrong types name the op and the argument', () => {
    bad(() => loose('socket', 'AF_INET', 1, 0), /socket: argument 1 \(domain\) must be a 32-bit integer.*got string "AF_INET"/);
    bad(() => loose('socket', 2, 1.5, 0), /argument 2 \(type\).*got number 1.5/);
    bad(() => loose('socket', 2, 2 ** 40, 0), /argument 2 \(type\)/);
    bad(() => loose('write', 1, 'text'), /write: argument 2 \(buf\) must be a Buffer or Uint8Array \(or a null buffer \{pointer: null, length\}\), got string/);
    bad(() => loose('write', 1, { pointer: null, length: -1 }), /write: argument 2 \(buf\) a null buffer's length must be a non-negative integer, got number -1/);
    bad(() => loose('write', 1, { pointer: 4096, length: 1 }), /argument 2 \(buf\) must be a Buffer/);
    bad(() => loose('read', 0, { pointer: null }), /read: argument 2 \(len\) a null buffer's length .*got undefined/);
    bad(() => loose('write', 1, [1, 2]), /got array/);
    bad(() => loose('read', 0, -1), /read: argument 2 \(len\) must be an integer in \[0, \d+\] or a null buffer/);
    bad(() => loose('read', 0, 2 ** 40), /argument 2 \(len\)/);
    bad(() => loose('bind', 0, C.AF_INET, 'not-an-address', 80), /argument 3 \(address\) must be a dotted-quad IPv4/);
    bad(() => loose('bind', 0, C.AF_INET6, LOOPBACK, 80), /argument 3 \(address\) must be an IPv6 address/);
    bad(() => loose('bind', 0, C.AF_INET, LOOPBACK, 70000), /argument 4 \(port\) must be an integer in \[0, 65535\]/);
    bad(() => loose('bind', 0, 99, LOOPBACK, 1), /argument 2 \(family\) must be AF_INET, AF_INET6 or AF_UNSPEC/);
    bad(() => loose('bind', 0, C.AF_INET, null, 1), /argument 3 \(address\) must be an address string, got null/);
    bad(() => loose('poll', [{ fd: 0 }], 0), /poll: argument 1 \(fds\) item 0.events must be a 16-bit integer/);
    bad(() => loose('poll', [3], 0), /item 0/);
    bad(() => loose('writev', 1, [Buffer.from('a'), 'b']), /item 1/);
    bad(() => loose('readv', 1, [1, 'x']), /item 1/);
    bad(() => loose('writev', 1, [nullBuffer(1), { pointer: null, length: 'x' }]), /argument 2 \(iov\) item 1 a null buffer's length/);
    bad(() => loose('epoll_ctl', 3, 1, 4, 1, -1n), /argument 5 \(data\) must fit in 64 unsigned bits/);
    bad(() => loose('epoll_wait', 3, 2 ** 30, 0), /argument 2 \(maxevents\) must be an integer <= /);
    bad(() => loose('open', 'a\0b', 0), /must not contain NUL/);
    bad(() => loose('setsockopt', 3, 1, 2, 1), /argument 4 \(optval\) must be a Buffer/);
  });

  it('wrong argument counts', () => {
    bad(() => loose('socket', 2, 1), /socket\(domain, type, protocol\) takes 3 arguments, got 2/);
    bad(() => loose('close'), /close\(fd\) takes 1 argument, got 0/);
    bad(() => loose('pipe', 1), /pipe\(\) takes 0 arguments, got 1/);
    bad(() => loose('fcntl', 1, 2, 3, 4), /fcntl\(fd, cmd, arg\?\) takes 2 to 3 arguments, got 4/);
    bad(() => loose('sendto', 1, Buffer.alloc(1), 0, C.AF_INET), /argument 4|argument 5/);
  });

  it('bigint integers are accepted where exact', () => {
    const r = loose('socket', 2n, 1n, 0n) as { ret: number };
    track(r.ret);
    bad(() => loose('socket', 2n ** 40n, 1, 0), /argument 1 \(domain\)/);
  });

  it('callAsync rejects with the TypeError instead of throwing', async () => {
    await expect(looseAsync('nope')).rejects.toThrow(TypeError);
    await expect(looseAsync('read', 'x', 1)).rejects.toThrow(/read: argument 1 \(fd\)/);
  });

  it('the op table of the addon matches the typed table', () => {
    const names = native().ops.map((o) => o.name).sort();
    const typed: OpName[] = [
      'socket', 'bind', 'connect', 'listen', 'accept', 'accept4', 'read', 'write', 'send', 'sendto',
      'recv', 'recvfrom', 'readv', 'writev', 'sendfile', 'close', 'shutdown', 'setsockopt',
      'getsockopt', 'getsockname', 'getpeername', 'fcntl', 'ioctl_int', 'pipe', 'open', 'poll',
      'epoll_create', 'epoll_ctl', 'epoll_wait',
      // process control for the sandboxed script process
      '_exit', 'set_realtime', 'sleep_until',
      'sendmsg', 'recvmsg', 'splice',
    ];
    expect(names).toEqual([...typed].sort());
  });

  it('NativeAddonMissingError says how to build', () => {
    const e = new NativeAddonMissingError('/nowhere/pktdrill_native.node');
    expect(e.message).toBe('native addon not built: run npm run build (looked for /nowhere/pktdrill_native.node)');
  });
});
