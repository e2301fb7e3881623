// The system-call table without a kernel: how script arguments become op
// arguments, and how results are checked, in packetdrill's words.

import { describe, expect, it } from 'vitest';
import type { SyscallEvent } from '../src/script/ast.js';
import { parseScript } from '../src/script/parse.js';
import {
  CallError,
  decodeStruct,
  Evaluator,
  FdTable,
  unescapeString,
  type CallContext,
  type CallResult,
  type FieldLayout,
  type Syscalls,
} from '../src/engine/calls.js';
import { pollFlagsToString, prepareCall, supportedCalls } from '../src/engine/syscall-table.js';

/** The Linux values of the symbols these tests use. */
const C: Record<string, number> = {
  AF_INET: 2,
  AF_INET6: 10,
  AF_UNSPEC: 0,
  SOCK_STREAM: 1,
  IPPROTO_TCP: 6,
  SOL_SOCKET: 1,
  SOL_TCP: 6,
  SOL_IP: 0,
  SOL_IPV6: 41,
  IP_RECVERR: 11,
  SO_LINGER: 13,
  SO_ERROR: 4,
  TCP_INFO: 11,
  TCP_CONGESTION: 13,
  MSG_FASTOPEN: 0x20000000,
  MSG_ERRQUEUE: 0x2000,
  MSG_PEEK: 2,
  SO_EE_ORIGIN_ZEROCOPY: 5,
  POLLIN: 0x1,
  POLLPRI: 0x2,
  POLLOUT: 0x4,
  POLLERR: 0x8,
  POLLHUP: 0x10,
  POLLNVAL: 0x20,
  POLLRDNORM: 0x40,
  POLLRDBAND: 0x80,
  POLLWRNORM: 0x100,
  POLLWRBAND: 0x200,
  POLLMSG: 0x400,
  POLLREMOVE: 0x1000,
  POLLRDHUP: 0x2000,
  EPOLLIN: 0x1,
  EPOLLOUT: 0x4,
  EPOLLET: 2 ** 31,
  EPOLL_CTL_ADD: 1,
  SIOCINQ: 0x541b,
  O_RDONLY: 0,
  TCP_ESTABLISHED: 1,
  NULL: 0,
};

const TCP_INFO_FIELDS: Record<string, FieldLayout> = {
  tcpi_state: { offset: 0, size: 1 },
  tcpi_snd_wscale: { offset: 6, size: 1, shift: 0, bits: 4 },
  tcpi_rcv_wscale: { offset: 6, size: 1, shift: 4, bits: 4 },
  tcpi_rto: { offset: 8, size: 4 },
  tcpi_snd_cwnd: { offset: 80, size: 4 },
  tcpi_pacing_rate: { offset: 104, size: 8 },
};
const EE_FIELDS: Record<string, FieldLayout> = {
  ee_errno: { offset: 0, size: 4 },
  ee_origin: { offset: 4, size: 1 },
  ee_type: { offset: 5, size: 1 },
  ee_code: { offset: 6, size: 1 },
  ee_pad: { offset: 7, size: 1 },
  ee_info: { offset: 8, size: 4 },
  ee_data: { offset: 12, size: 4 },
};

const sys: Syscalls = {
  invoke: () => {
    throw new Error('no calls in these tests');
  },
  invokeAsync: () => Promise.reject(new Error('no calls in these tests')),
  constants: C,
  strerror: (e) => `error ${e}`,
  errnoName: (e) => `E${e}`,
  layouts: {
    tcp_info: { size: 232, fields: TCP_INFO_FIELDS },
    sock_extended_err: { size: 16, fields: EE_FIELDS },
  },
};

const ctx: CallContext = {
  family: 4,
  localIp: '192.168.0.1',
  remoteIp: '192.0.2.1',
  bindPort: 8080,
  connectPort: 8080,
  defines: {},
  startRealtimeUsecs: () => 0,
  toleranceUsecs: 4000,
};

/** The call event of a one-line script. */
function call(text: string): SyscallEvent {
  const r = parseScript(`0 ${text}\n`, 't.pkt');
  if (!r.ok) throw new Error(r.error.message);
  const ev = r.value.events[0]!;
  if (ev.kind !== 'syscall') throw new Error('not a call');
  return ev;
}

/** Script fds 3..9 are live fds 103..109. */
function fdTable(): FdTable {
  const fds = new FdTable();
  for (let fd = 3; fd <= 9; fd++) fds.bind(fd, 100 + fd);
  return fds;
}

function prepare(text: string, fds = fdTable(), defines: Record<string, string> = {}) {
  return prepareCall(call(text), ctx, fds, new Evaluator(sys, defines), C);
}

function result(extra: Partial<CallResult> = {}): CallResult {
  return { ret: 0, errno: 0, startNs: 0n, endNs: 0n, ...extra };
}

function errorOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof CallError) return e.message;
    throw e;
  }
  throw new Error('no CallError');
}

describe('strings are unescaped as packetdrill does', () => {
  it('knows the C escapes and \\xHH', () => {
    expect(unescapeString('\\x41\\n')).toBe('A\n');
    expect(unescapeString('a\\tb\\r\\f\\v')).toBe('a\tb\r\f\v');
    expect(unescapeString('\\\\ \\"')).toBe('\\ "');
    expect(unescapeString('\\x00\\xff')).toBe('\u0000\u00ff');
  });
  it('refuses the rest in packetdrill words', () => {
    expect(errorOf(() => unescapeString('a\\qb'))).toBe("unsupported escape code: 'q'");
    expect(errorOf(() => unescapeString('\\xZ1rest'))).toBe("invalid hex escape (\\xhh): '\\xZ1rest'");
    expect(errorOf(() => unescapeString('\\x4'))).toBe("invalid hex escape (\\xhh): '\\x4'");
  });
  it('a write sends the unescaped bytes, and `...` for the length counts them', () => {
    const p = prepare('write(4, "GET\\x20/\\r\\n", ...) = 7');
    expect(p.op).toBe('write');
    expect((p.args[1] as Buffer).toString('latin1')).toBe('GET /\r\n');
  });
  it('a bad escape is a call error on the string', () => {
    expect(errorOf(() => prepare('write(4, "\\q", 1) = 1'))).toBe("unsupported escape code: 'q'");
  });
  it('-D NAME="text" is a string; -D NAME=SYMBOL names a constant', () => {
    const p = prepare('setsockopt(3, SOL_TCP, TCP_CONGESTION, CC, 4) = 0', fdTable(), { CC: '"reno"' });
    expect((p.args[3] as Buffer).toString('latin1')).toBe('reno');
    const q = prepare('socket(..., SOCK_STREAM, PROTO) = 3', fdTable(), { PROTO: 'IPPROTO_TCP' });
    expect(q.args).toEqual([2, 1, 6]);
  });
  it('NULL is 0', () => {
    expect(new Evaluator(sys, {}).symbol('NULL')).toBe(0);
  });
});

describe('buffer arguments, as packetdrill reads them', () => {
  const NULL_1000 = { pointer: null, length: 1000 };
  it('NULL (or 0) is a NULL pointer with the length, for every call with a buffer', () => {
    expect(prepare('write(4, NULL, 1000) = -1').args).toEqual([104, NULL_1000]);
    expect(prepare('send(4, NULL, 1000, 0) = -1').args).toEqual([104, NULL_1000, 0]);
    expect(prepare('sendto(4, 0, 1000, MSG_FASTOPEN, ..., ...) = -1').args).toEqual([104, NULL_1000, C.MSG_FASTOPEN, 2, '192.0.2.1', 8080]);
    expect(prepare('read(4, NULL, 1000) = -1').args).toEqual([104, NULL_1000]);
    expect(prepare('recv(4, NULL, 1000, 0) = -1').args).toEqual([104, NULL_1000, 0]);
    expect(prepare('recvfrom(4, NULL, 1000, 0, ..., ...) = -1').args).toEqual([104, NULL_1000, 0]);
  });
  it('`...` is a buffer of the length: zeros to send, room to read into', () => {
    const p = prepare('write(4, ..., 1000) = 1000');
    expect(Buffer.isBuffer(p.args[1]) && (p.args[1] as Buffer).equals(Buffer.alloc(1000))).toBe(true);
    expect(prepare('read(4, ..., 1000) = 1000').args).toEqual([104, 1000]);
  });
  it('an iov_base of NULL is a NULL iovec', () => {
    const p = prepare('writev(4, [{iov_base=..., iov_len=10}, {iov_base=NULL, iov_len=20}], 2) = -1');
    expect((p.args[1] as Buffer[])[0]!.length).toBe(10);
    expect((p.args[1] as unknown[])[1]).toEqual({ pointer: null, length: 20 });
    expect(prepare('readv(4, [{iov_base=NULL, iov_len=100}], 1) = -1').args).toEqual([104, [{ pointer: null, length: 100 }]]);
    const msg = '{msg_name(...)=..., msg_iov(1)=[{iov_base=NULL, iov_len=50}], msg_flags=0}';
    expect(prepare(`sendmsg(4, ${msg}, 0) = -1`).args[1]).toEqual([{ pointer: null, length: 50 }]);
    expect(prepare(`recvmsg(4, ${msg}, 0) = -1`).args[1]).toEqual([{ pointer: null, length: 50 }]);
  });
  it('anything else is an error in packetdrill words; a string only where bytes are sent', () => {
    expect(errorOf(() => prepare('write(4, 5, 1000) = 1000'))).toBe('Expected ... or NULL for buffer');
    expect(errorOf(() => prepare('read(4, [0], 1000) = 1000'))).toBe('Expected ... or NULL for buffer');
    expect(errorOf(() => prepare('recv(4, "text", 4, 0) = 4'))).toBe('Expected ... or NULL for buffer');
    expect(errorOf(() => prepare('readv(4, [{iov_base="x", iov_len=1}], 1) = 1'))).toBe('Expected ... or NULL for buffer');
    expect(errorOf(() => prepare('write(4, NULL, ...) = 0'))).toBe('write(): give the length');
  });
  it('a string define is sent as a string is', () => {
    const p = prepare('send(4, MSG, ..., 0) = 2', fdTable(), { MSG: '"hi"' });
    expect((p.args[1] as Buffer).toString('latin1')).toBe('hi');
  });
});

describe('readv and writev', () => {
  it('writev sends each iovec; both iovec spellings work', () => {
    const p = prepare('writev(4, [{iov_base=..., iov_len=10}, {..., 20}], 2) = 30');
    expect(p.op).toBe('writev');
    expect(p.args[0]).toBe(104);
    expect((p.args[1] as Buffer[]).map((b) => b.length)).toEqual([10, 20]);
  });
  it('readv asks for the iovec lengths', () => {
    const p = prepare('readv(4, [{iov_base=..., iov_len=100}, {iov_base=..., iov_len=500}], 2) = 300');
    expect(p.args).toEqual([104, [100, 500]]);
  });
  it('the count must match the array', () => {
    expect(errorOf(() => prepare('writev(4, [{..., 10}], 2) = 10'))).toBe('iov_count 2 does not match 1-element iovec array');
  });
});

describe('sendmsg and recvmsg', () => {
  const MSG = '{msg_name(...)=..., msg_iov(2)=[{iov_base=..., iov_len=50}, {iov_base=..., iov_len=50}], msg_flags=0}';
  it('sendmsg sends the iovecs to the remote address', () => {
    const p = prepare(`sendmsg(4, ${MSG}, MSG_FASTOPEN) = 100`);
    expect(p.op).toBe('sendmsg');
    expect((p.args[1] as Buffer[]).map((b) => b.length)).toEqual([50, 50]);
    expect(p.args.slice(2)).toEqual([C.MSG_FASTOPEN, [], 2, '192.0.2.1', 8080]);
  });
  it('sendmsg refuses msg_flags, as packetdrill does', () => {
    expect(errorOf(() => prepare('sendmsg(4, {msg_name(...)=..., msg_iov(1)=[{..., 1}], msg_flags=MSG_PEEK}, 0) = 1'))).toBe(
      'sendmsg ignores msg_flags field in msghdr',
    );
  });
  it('msg_iovlen must match the array', () => {
    expect(errorOf(() => prepare('recvmsg(4, {msg_name(...)=..., msg_iov(3)=[{..., 1}], msg_flags=0}, 0) = 1'))).toBe(
      'msg_iovlen 3 does not match 1-element iovec array',
    );
  });
  it('recvmsg without msg_control gives no control room and checks msg_flags', () => {
    const p = prepare('recvmsg(4, {msg_name(...)=..., msg_iov(1)=[{..., 1000}], msg_flags=0}, MSG_PEEK) = 90');
    expect(p.args).toEqual([104, [1000], C.MSG_PEEK, 0]);
    expect(p.check!(result({ ret: 90, msgFlags: 0, cmsgs: [] }))).toBeNull();
    expect(p.check!(result({ ret: 90, msgFlags: 0x20, cmsgs: [] }))).toBe('Expected msg_flags 0x00000000 but got 0x00000020');
  });
  const ERRQ =
    'recvmsg(4, {msg_name(...)=..., msg_iov(1)=[{..., 0}], msg_flags=MSG_ERRQUEUE, msg_control=[{cmsg_level=SOL_IP, cmsg_type=IP_RECVERR, cmsg_data={ee_errno=0, ee_origin=SO_EE_ORIGIN_ZEROCOPY, ee_type=0, ee_code=1, ee_info=0, ee_data=3}}]}, MSG_ERRQUEUE) = 0';
  function ee(fields: Partial<Record<string, number>>): Buffer {
    const b = Buffer.alloc(32);
    b.writeUInt32LE(fields.errno ?? 0, 0);
    b.writeUInt8(fields.origin ?? 5, 4);
    b.writeUInt8(fields.type ?? 0, 5);
    b.writeUInt8(fields.code ?? 1, 6);
    b.writeUInt32LE(fields.info ?? 0, 8);
    b.writeUInt32LE(fields.data ?? 3, 12);
    return b;
  }
  it('recvmsg sizes the control buffer for the expected extended error', () => {
    const p = prepare(ERRQ);
    // CMSG_SPACE(sizeof(sock_extended_err) + sizeof(sockaddr_in)) on LP64.
    expect(p.args[3]).toBe(48);
    const ok = { level: 0, type: 11, len: 48, data: ee({}) };
    expect(p.check!(result({ msgFlags: C.MSG_ERRQUEUE, cmsgs: [ok] }))).toBeNull();
  });
  it('recvmsg compares each cmsg in packetdrill words', () => {
    const p = prepare(ERRQ);
    const cm = (over: object) => [{ level: 0, type: 11, len: 48, data: ee({}), ...over }];
    const flags = C.MSG_ERRQUEUE;
    expect(p.check!(result({ msgFlags: flags, cmsgs: cm({ level: 41 }) }))).toBe('Bad level in cmsg 0: expected=0 actual=41');
    expect(p.check!(result({ msgFlags: flags, cmsgs: cm({ type: 25 }) }))).toBe('Bad type in cmsg 0: expected=11 actual=25');
    expect(p.check!(result({ msgFlags: flags, cmsgs: cm({ len: 60 }) }))).toBe('Bad len in cmsg 0: expected=48 actual=60');
    expect(p.check!(result({ msgFlags: flags, cmsgs: cm({ data: ee({ code: 0 }) }) }))).toBe('Bad code in extended err 0: expected=1 actual=0');
    expect(p.check!(result({ msgFlags: flags, cmsgs: cm({ data: ee({ data: 7 }) }) }))).toBe('Bad data in extended err 0: expected=3 actual=7');
    expect(p.check!(result({ msgFlags: flags, cmsgs: [] }))).toBe('received only 0 cmsgs');
    expect(p.check!(result({ msgFlags: flags, cmsgs: [...cm({}), ...cm({})] }))).toBe('received more than 1 cmsgs');
  });
});

describe('poll', () => {
  it('maps script fds and checks nfds', () => {
    const p = prepare('poll([{fd=3, events=POLLIN}, {fd=4, events=POLLIN|POLLOUT, revents=POLLOUT}], 2, 0) = 1');
    expect(p.args).toEqual([
      [
        { fd: 103, events: 1 },
        { fd: 104, events: 5 },
      ],
      0,
    ]);
    expect(errorOf(() => prepare('poll([{fd=3, events=POLLIN}], 2, 0) = 0'))).toBe('nfds 2 does not match 1-element pollfd array');
  });
  it('names revents bits the packetdrill way', () => {
    expect(pollFlagsToString(0x1 | 0x4 | 0x2000, C)).toBe('POLLIN|POLLOUT|POLLRDHUP');
    expect(pollFlagsToString(0x10, C)).toBe('POLLHUP');
    expect(pollFlagsToString(0, C)).toBe('');
    expect(pollFlagsToString(0x8000, C)).toBe('???');
  });
  it('reports the first pollfd whose revents differ', () => {
    const p = prepare('poll([{fd=3, events=POLLIN}, {fd=4, events=POLLIN, revents=POLLIN}], 2, 0) = 1');
    expect(p.check!(result({ ret: 1, revents: [0, 1] }))).toBeNull();
    expect(p.check!(result({ ret: 1, revents: [0, 0x11] }))).toBe('Expected revents of POLLIN but got POLLIN|POLLHUP for pollfd 1');
    expect(p.check!(result({ ret: 1, revents: [1, 1] }))).toBe('Expected revents of  but got POLLIN for pollfd 0');
  });
});

describe('epoll', () => {
  it('epoll_ctl registers the live fd as the event data', () => {
    const p = prepare('epoll_ctl(5, EPOLL_CTL_ADD, 3, {events=EPOLLIN|EPOLLET, fd=3}) = 0');
    expect(p.args).toEqual([105, 1, 103, 0x80000001, 103n]);
    expect(prepare('epoll_ctl(5, EPOLL_CTL_ADD, 3, {events=EPOLLIN, u64=42}) = 0').args[4]).toBe(42n);
  });
  it('epoll_ctl wants the event fd to be the fd argument', () => {
    expect(errorOf(() => prepare('epoll_ctl(5, EPOLL_CTL_ADD, 3, {events=EPOLLIN, fd=4}) = 0'))).toBe('wrong fd specified in epoll_event');
  });
  it('epoll_wait checks the first event', () => {
    const p = prepare('epoll_wait(5, {events=EPOLLIN, fd=4}, 2, 0) = 1');
    expect(p.args).toEqual([105, 2, 0]);
    expect(p.check!(result({ ret: 1, events: [{ events: 1, data: 104n }] }))).toBeNull();
    expect(p.check!(result({ ret: 1, events: [{ events: 5, data: 104n }] }))).toBe(
      'epoll_event->events does not match script: expected: 0x1 actual: 0x5',
    );
    expect(p.check!(result({ ret: 1, events: [{ events: 1, data: 103n }] }))).toBe(
      'epoll_event->data does not match script: expected: 4 actual: 3',
    );
  });
  it('with no event the zeroed one is compared', () => {
    const p = prepare('epoll_wait(5, {events=0, u64=0}, 1, 0) = 0');
    expect(p.check!(result({ ret: 0, events: [] }))).toBeNull();
  });
});

describe('getsockopt', () => {
  it('checks optlen first, then the int', () => {
    const p = prepare('getsockopt(3, SOL_SOCKET, SO_ERROR, [0], [4]) = 0');
    expect(p.args).toEqual([103, 1, 4, 4]);
    const int = (v: number, optlen = 4) => {
      const b = Buffer.alloc(4);
      b.writeInt32LE(v);
      return result({ data: b, optlen });
    };
    expect(p.check!(int(0))).toBeNull();
    expect(p.check!(int(111))).toBe('Bad getsockopt optval: expected: 0 actual: 111');
    expect(p.check!(int(0, 8))).toBe('Bad getsockopt optlen: expected: 4 actual: 8');
  });
  it('compares strings as packetdrill prints them', () => {
    const p = prepare('getsockopt(3, SOL_TCP, TCP_CONGESTION, "reno", [4]) = 0');
    expect(p.args[3]).toBe(4);
    expect(p.check!(result({ data: Buffer.from('reno'), optlen: 4 }))).toBeNull();
    expect(p.check!(result({ data: Buffer.from('bbr\0'), optlen: 4 }))).toBe("Bad getsockopt optval: expected: 'reno' actual: 'bbr'");
    const q = prepare('getsockopt(3, SOL_TCP, TCP_CONGESTION, "reno", [16]) = 0');
    expect(q.check!(result({ data: Buffer.alloc(16), optlen: 16 }))).toBe(
      "Bad getsockopt optval: expected optlen (16 bytes) does not match length of expected optval string 'reno' (4 bytes)",
    );
  });
  it('reads SO_LINGER as a struct', () => {
    const p = prepare('getsockopt(3, SOL_SOCKET, SO_LINGER, {l_onoff=1, l_linger=0}, [8]) = 0');
    const b = Buffer.alloc(8);
    b.writeInt32LE(1, 0);
    expect(p.check!(result({ data: b, optlen: 8 }))).toBeNull();
    expect(p.check!(result({ data: Buffer.alloc(8), optlen: 8 }))).toBe(
      'Bad getsockopt optval: expected: {l_onoff=1, l_linger=0} actual: {l_onoff=0, l_linger=0}',
    );
  });
  it('compares only the TCP_INFO members the script names', () => {
    const p = prepare('getsockopt(3, SOL_TCP, TCP_INFO, {tcpi_state=TCP_ESTABLISHED, tcpi_snd_cwnd=10, tcpi_rcv_wscale=7}, [...]) = 0');
    expect(p.args).toEqual([103, 6, 11, 512]);
    const info = Buffer.alloc(232);
    info.writeUInt8(1, 0);
    info.writeUInt8(0x7 << 4, 6);
    info.writeUInt32LE(10, 80);
    expect(p.check!(result({ data: info, optlen: 232 }))).toBeNull();
    info.writeUInt32LE(9, 80);
    expect(p.check!(result({ data: info, optlen: 232 }))).toBe('Bad getsockopt TCP_INFO tcpi_snd_cwnd: expected: 10 actual: 9');
    expect(errorOf(() => prepare('getsockopt(3, SOL_TCP, TCP_INFO, {tcpi_nonsense=1}, [...]) = 0'))).toBe("unknown struct tcp_info field 'tcpi_nonsense'");
  });
  it('a failed call is not checked further', () => {
    const p = prepare('getsockopt(3, SOL_SOCKET, SO_ERROR, [0], [4]) = -1');
    expect(p.check!(result({ ret: -1, errno: 9, data: Buffer.alloc(0), optlen: 4 }))).toBeNull();
  });
});

describe('setsockopt values', () => {
  it('a string is sent as is, cut or padded to optlen', () => {
    expect((prepare('setsockopt(3, SOL_TCP, TCP_CONGESTION, "reno", 4) = 0').args[3] as Buffer).toString()).toBe('reno');
    expect((prepare('setsockopt(3, SOL_TCP, TCP_CONGESTION, "reno", 6) = 0').args[3] as Buffer).length).toBe(6);
  });
  it('a linger struct is two ints', () => {
    const b = prepare('setsockopt(4, SOL_SOCKET, SO_LINGER, {l_onoff=1, l_linger=0}, 8) = 0').args[3] as Buffer;
    expect([...b]).toEqual([1, 0, 0, 0, 0, 0, 0, 0]);
  });
});

describe('fds the calls make', () => {
  it('pipe maps both script fds', () => {
    const fds = new FdTable();
    const p = prepare('pipe([5, 6]) = 0', fds);
    expect(p.args).toEqual([]);
    p.check!(result({ fds: [20, 21] }));
    expect(fds.live(5)).toBe(20);
    expect(fds.live(6)).toBe(21);
    expect(errorOf(() => prepare('pipe([5]) = 0'))).toBe('1 pipe file descriptors instead of 2');
  });
  it('socket() and accept() make the socket under test', () => {
    const fds = fdTable();
    prepare('socket(..., SOCK_STREAM, IPPROTO_TCP) = 3', fds).check!(result({ ret: 30 }));
    expect(fds.socketUnderTest).toBe(30);
    prepare('accept(3, ..., ...) = 4', fds).check!(result({ ret: 31 }));
    expect(fds.socketUnderTest).toBe(31);
  });
  it('open takes a path; sendfile and splice take offsets', () => {
    expect(prepare('open("/dev/zero", O_RDONLY) = 7').args).toEqual(['/dev/zero', 0, 0]);
    expect(prepare('sendfile(4, 5, NULL, 1000) = 1000').args).toEqual([104, 105, 1000, undefined]);
    expect(prepare('sendfile(4, 5, [10], 1000) = 1000').args).toEqual([104, 105, 1000, 10]);
    expect(prepare('splice(6, NULL, 4, NULL, 18, 0) = 18').args).toEqual([106, undefined, 104, undefined, 18, 0]);
  });
  it('ioctl checks the int it reads', () => {
    const p = prepare('ioctl(4, SIOCINQ, [90]) = 0');
    expect(p.check!(result({ value: 90 }))).toBeNull();
    expect(p.check!(result({ value: 0 }))).toBe('Bad ioctl optval: expected: 90 actual: 0');
  });
});

describe('the table', () => {
  it('covers packetdrill calls', () => {
    for (const name of ['sendmsg', 'recvmsg', 'readv', 'writev', 'poll', 'epoll_create', 'epoll_ctl', 'epoll_wait', 'pipe', 'open', 'sendfile', 'splice']) {
      expect(supportedCalls()).toContain(name);
    }
  });
  it('decodes struct members, bit-fields and 64-bit ones', () => {
    const b = Buffer.alloc(112);
    b.writeUInt8(0x97, 6);
    b.writeBigUInt64LE(1n << 40n, 104);
    const v = decodeStruct(b, TCP_INFO_FIELDS);
    expect(v.tcpi_snd_wscale).toBe(7);
    expect(v.tcpi_rcv_wscale).toBe(9);
    expect(v.tcpi_pacing_rate).toBe(1n << 40n);
    expect(decodeStruct(Buffer.alloc(8), TCP_INFO_FIELDS).tcpi_rto).toBeUndefined();
  });
});
