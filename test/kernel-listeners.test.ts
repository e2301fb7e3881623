import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listenerState, listenerStateFrom, parseProcNetTcp, parseSsListeners, readCounters } from '../src/kernel/index.js';

const isRoot = typeof process.geteuid === 'function' && process.geteuid() === 0;

// Captured on Linux 6.18 in a throwaway namespace (tcp_syncookies=1):
//   127.0.0.1:9000 listen(fd, 1), three loopback clients, none accepted: 2
//     children wait (rx_queue 2), the 3rd client stays in SYN_SENT;
//   0.0.0.0:8080 listen(fd, 1), three SYNs from a veth peer that never ACKs:
//     2 SYN_RECV requests, the 3rd got a syncookie (no row);
//   *:8081 (dual-stack) listen(fd, 3), one IPv6 and one IPv4 SYN: both
//     requests are in tcp6, the IPv4 one with ::ffff: addresses.
const PROC_TCP = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode                                                     
   0: 0100007F:2328 00000000:0000 0A 00000000:00000002 00:00000000 00000000     0        0 83224 3 00000000e895023f 100 0 0 10 0                     
   1: 00000000:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 83222 3 0000000067eed6a7 100 0 0 10 0                     
   2: 0100A8C0:1F90 010200C0:9C41 03 00000000:00000000 01:00000050 00000000     0        0 0 0 000000002b2d13f1                                      
   3: 0100007F:C69C 0100007F:2328 01 00000000:00000000 00:00000000 00000000     0        0 83225 2 000000009d516a27 20 0 0 10 -1                     
   4: 0100007F:C6AA 0100007F:2328 01 00000000:00000000 00:00000000 00000000     0        0 83226 2 00000000fb657c44 20 0 0 10 -1                     
   5: 0100007F:C6BA 0100007F:2328 02 00000001:00000000 01:0000004B 00000000     0        0 83227 2 000000005e546906 100 0 0 10 -1                    
   6: 0100007F:2328 0100007F:C6AA 01 00000000:00000000 00:00000000 00000000     0        0 0 1 00000000c231d44a 20 0 0 10 -1                         
   7: 0100007F:2328 0100007F:C69C 01 00000000:00000000 00:00000000 00000000     0        0 0 1 0000000013913473 20 0 0 10 -1                         
   8: 0100A8C0:1F90 010200C0:9C40 03 00000000:00000000 01:0000004F 00000000     0        0 0 0 000000003c6c4080                                      
`;
const PROC_TCP6 = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000000000000:1F91 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 83223 3 0000000015e1471a 100 0 0 10 0
   1: 0000000000000000FFFF00000100A8C0:1F91 0000000000000000FFFF0000010200C0:9D08 03 00000000:00000000 01:0000004F 00000000     0        0 0 0 000000005ef165f7
   2: 7BFA3DFD00007DD10000000001000000:1F91 7BFA3DFD88887DD10000000001000000:9CA4 03 00000000:00000000 01:0000004F 00000000     0        0 0 0 000000008869351c
`;
const SS = `LISTEN 2      1      127.0.0.1:9000 0.0.0.0:*
LISTEN 0      1        0.0.0.0:8080 0.0.0.0:*
LISTEN 0      3              *:8081       *:*
`;

describe('parseProcNetTcp', () => {
  const rows = parseProcNetTcp(PROC_TCP, { littleEndian: true });
  const rows6 = parseProcNetTcp(PROC_TCP6, { littleEndian: true });

  it('reads every row and skips the header', () => {
    expect(rows.length).toBe(9);
    expect(rows6.length).toBe(3);
  });

  it('reads a listener: rx_queue is the accept queue, tx_queue is 0 (not the backlog)', () => {
    expect(rows[0]).toEqual({
      family: 4,
      localAddress: '127.0.0.1',
      localPort: 9000,
      remoteAddress: '0.0.0.0',
      remotePort: 0,
      state: 0x0a,
      stateName: 'LISTEN',
      txQueue: 0,
      rxQueue: 2,
      timer: 0,
      uid: 0,
      inode: 83224,
    });
  });

  it('reads request sockets (SYN_RECV, inode 0, request timer on)', () => {
    const req = rows.filter((r) => r.stateName === 'SYN_RECV');
    expect(req.map((r) => [r.localAddress, r.localPort, r.remoteAddress, r.remotePort, r.timer, r.inode])).toEqual([
      ['192.168.0.1', 8080, '192.0.2.1', 40001, 1, 0],
      ['192.168.0.1', 8080, '192.0.2.1', 40000, 1, 0],
    ]);
    expect(rows.filter((r) => r.stateName === 'SYN_SENT').map((r) => [r.remotePort, r.txQueue])).toEqual([[9000, 1]]);
  });

  it('reads IPv6 and IPv4-mapped addresses', () => {
    expect(rows6.map((r) => [r.family, r.localAddress, r.localPort, r.remoteAddress, r.remotePort, r.stateName])).toEqual([
      [6, '::', 8081, '::', 0, 'LISTEN'],
      [6, '::ffff:192.168.0.1', 8081, '::ffff:192.0.2.1', 40200, 'SYN_RECV'],
      [6, 'fd3d:fa7b:d17d::1', 8081, 'fd3d:fa7b:d17d:8888::1', 40100, 'SYN_RECV'],
    ]);
  });

  it('reads a big-endian host the other way round', () => {
    const be = parseProcNetTcp('   0: C0A80001:1F90 C0000201:9C40 03 00000000:00000000 01:0000004F 00000000     0        0 0 0 0\n', {
      littleEndian: false,
    });
    expect([be[0]!.localAddress, be[0]!.remoteAddress]).toEqual(['192.168.0.1', '192.0.2.1']);
  });

  it('skips what is not a row, never throws', () => {
    expect(parseProcNetTcp('garbage\n  0: zz:1F90 00000000:0000 0A 0:0 00:0 0 0 0 1\n\n\x00\x01')).toEqual([]);
  });
});

describe('parseSsListeners', () => {
  it('reads Recv-Q, Send-Q and the local end', () => {
    expect(parseSsListeners(SS)).toEqual([
      { recvQ: 2, sendQ: 1, localAddress: '127.0.0.1', localPort: 9000 },
      { recvQ: 0, sendQ: 1, localAddress: '0.0.0.0', localPort: 8080 },
      { recvQ: 0, sendQ: 3, localAddress: '*', localPort: 8081 },
    ]);
    expect(parseSsListeners('LISTEN 0 4096 [::1]:80 [::]:*\nLISTEN 0 5 127.0.0.1%lo:53 0.0.0.0:*\nESTAB 0 0 1.2.3.4:5 6.7.8.9:10\n')).toEqual([
      { recvQ: 0, sendQ: 4096, localAddress: '::1', localPort: 80 },
      { recvQ: 0, sendQ: 5, localAddress: '127.0.0.1%lo', localPort: 53 },
    ]);
  });
});

describe('listenerStateFrom', () => {
  const opts = { littleEndian: true };
  it('combines /proc (accept queue, requests) with ss (backlog)', () => {
    expect(listenerStateFrom(9000, { tcp: PROC_TCP, tcp6: PROC_TCP6, ss: SS }, opts)).toEqual({ found: true, recvQ: 2, sendQ: 1, synRecv: 0, listeners: 1 });
    expect(listenerStateFrom(8080, { tcp: PROC_TCP, tcp6: PROC_TCP6, ss: SS }, opts)).toEqual({ found: true, recvQ: 0, sendQ: 1, synRecv: 2, listeners: 1 });
    expect(listenerStateFrom(8081, { tcp: PROC_TCP, tcp6: PROC_TCP6, ss: SS }, opts)).toEqual({ found: true, recvQ: 0, sendQ: 3, synRecv: 2, listeners: 1 });
  });
  it('says when there is no listener', () => {
    expect(listenerStateFrom(8081, { tcp: PROC_TCP, ss: '' }, opts)).toEqual({ found: false, recvQ: 0, sendQ: 0, synRecv: 0, listeners: 0 });
    expect(listenerStateFrom(1, { tcp: PROC_TCP, tcp6: PROC_TCP6, ss: SS }, opts).found).toBe(false);
  });
});

// The live kernel: a namespace held open by a python3 process that builds a
// veth wire of its own, sets tcp_syncookies=1 there, makes
// listeners, and fills their queues; this process reads the namespace through
// /proc/<pid>/net and `nsenter -t <pid> -n ss`.
const HOLDER = String.raw`
import socket, struct, subprocess, sys, time
def sh(c):
    subprocess.run(c, shell=True, check=True, capture_output=True)
for c in ['ip link set lo up',
          'ip link add veth0 address 02:70:6b:00:00:01 type veth peer name veth1 address 02:70:6b:00:00:02',
          'sysctl -qw net.ipv6.conf.veth1.disable_ipv6=1', 'sysctl -qw net.ipv6.conf.veth0.accept_dad=0',
          'ip link set veth1 up', 'ip link set veth0 up',
          'ip addr add 192.168.0.1/16 dev veth0', 'ip route add 192.0.2.1 dev veth0',
          'ip neigh add 192.0.2.1 lladdr 02:70:6b:00:00:02 dev veth0 nud permanent',
          'ip -6 addr add fd3d::1/64 dev veth0 nodad', 'ip -6 route add fd3d:1::1 dev veth0',
          'ip -6 neigh add fd3d:1::1 lladdr 02:70:6b:00:00:02 dev veth0 nud permanent',
          'sysctl -qw net.ipv4.tcp_syncookies=1']:
    sh(c)
def csum(b):
    if len(b) % 2: b += b'\0'
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    while s >> 16: s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff
def syn(sport, dport, v6):
    seg = struct.pack('!HHIIBBHHH', sport, dport, 1000, 0, 6 << 4, 2, 65535, 0, 0) + struct.pack('!BBH', 2, 4, 1460)
    if v6:
        src, dst = socket.inet_pton(socket.AF_INET6, 'fd3d:1::1'), socket.inet_pton(socket.AF_INET6, 'fd3d::1')
        c = csum(src + dst + struct.pack('!IxxxB', len(seg), 6) + seg)
        seg = seg[:16] + struct.pack('!H', c) + seg[18:]
        return b'\x02pk\x00\x00\x01\x02pk\x00\x00\x02\x86\xdd' + struct.pack('!IHBB16s16s', 6 << 28, len(seg), 6, 64, src, dst) + seg
    src, dst = socket.inet_aton('192.0.2.1'), socket.inet_aton('192.168.0.1')
    c = csum(src + dst + struct.pack('!BBH', 0, 6, len(seg)) + seg)
    seg = seg[:16] + struct.pack('!H', c) + seg[18:]
    ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(seg), 0, 0x4000, 64, 6, 0, src, dst)
    ip = ip[:10] + struct.pack('!H', csum(ip)) + ip[12:]
    return b'\x02pk\x00\x00\x01\x02pk\x00\x00\x02\x08\x00' + ip + seg
for _ in range(100):  # the veth carrier comes up a moment after 'link set up'
    out = subprocess.run(['ip', '-o', 'link', 'show'], capture_output=True, text=True).stdout
    if all('LOWER_UP' in l for l in out.splitlines() if 'veth' in l): break
    time.sleep(0.02)
wire = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
wire.bind(('veth1', 0))
def listener(family, addr, port, backlog):
    l = socket.socket(family)
    l.bind((addr, port))
    l.listen(backlog)
    return l
keep = [listener(socket.AF_INET, '0.0.0.0', 8080, 1), listener(socket.AF_INET6, '::', 8081, 3),
        listener(socket.AF_INET, '127.0.0.1', 9000, 0)]
for i in range(4):
    wire.send(syn(40000 + i, 8080, False))
for i in range(2):
    wire.send(syn(40100 + i, 8081, True))
    wire.send(syn(40200 + i, 8081, False))
for i in range(3):
    c = socket.socket(); c.setblocking(False)
    try: c.connect(('127.0.0.1', 9000))
    except BlockingIOError: pass
    keep.append(c)
    time.sleep(0.05)
time.sleep(0.2)
print('ready', flush=True)
sys.stdin.read()
`;

describe.skipIf(!isRoot)('listenerState and readCounters on the live kernel', () => {
  let holder: ChildProcessWithoutNullStreams;
  let pid = 0;

  beforeAll(async () => {
    holder = spawn('unshare', ['-n', 'python3', '-c', HOLDER]);
    pid = holder.pid!;
    let err = '';
    holder.stderr.on('data', (d: Buffer) => (err += d.toString()));
    await new Promise<void>((resolve, reject) => {
      holder.stdout.on('data', (d: Buffer) => {
        if (d.toString().includes('ready')) resolve();
      });
      holder.on('exit', (code) => reject(new Error(`namespace holder exited (${code}): ${err}`)));
    });
  });

  afterAll(async () => {
    if (!holder || holder.exitCode !== null) return;
    const done = new Promise((r) => holder.on('exit', r));
    holder.stdin.end();
    setTimeout(() => holder.kill('SIGKILL'), 5000).unref();
    await done;
  });

  it('listen(fd, 1) and 4 SYNs: backlog 1, 2 half-open requests, no children', () => {
    expect(listenerState(8080, 4, { pid })).toEqual({ found: true, recvQ: 0, sendQ: 1, synRecv: 2, listeners: 1 });
    expect(listenerState(8080, 6, { pid }).found).toBe(false);
  });

  it('a dual-stack listen(fd, 3): 4 requests (2 IPv6, 2 IPv4), all in tcp6', () => {
    expect(listenerState(8081, 6, { pid })).toEqual({ found: true, recvQ: 0, sendQ: 3, synRecv: 4, listeners: 1 });
    expect(listenerState(8081, 4, { pid })).toEqual({ found: false, recvQ: 0, sendQ: 0, synRecv: 0, listeners: 0 });
    expect(listenerState(8081, undefined, { pid })).toEqual({ found: true, recvQ: 0, sendQ: 3, synRecv: 4, listeners: 1 });
  });

  it('listen(fd, 0) and 3 loopback clients: 1 child waits for accept()', () => {
    expect(listenerState(9000, undefined, { pid })).toEqual({ found: true, recvQ: 1, sendQ: 0, synRecv: 0, listeners: 1 });
  });

  it('no listener on a port', () => {
    expect(listenerState(9999, undefined, { pid }).found).toBe(false);
  });

  it('the counters saw the cookies and the overflows', () => {
    const c = readCounters({ pid });
    expect(c.get('TcpExtSyncookiesSent')).toBe(2n);
    expect(c.get('TcpExtTCPReqQFullDoCookies')).toBe(2n);
    expect(c.get('TcpExtTCPReqQFullDrop')).toBe(0n);
    expect(c.get('TcpExtListenOverflows')).toBeGreaterThanOrEqual(2n);
    expect(c.get('TcpExtListenDrops')).toBe(c.get('TcpExtListenOverflows'));
    expect(c.get('TcpMaxConn')).toBe(-1n);
    expect(c.get('Ip6InReceives')).toBeGreaterThanOrEqual(2n);
  });
});
