// A big classic pcap of many short TCP flows, for pcap2pkt/replay memory and
// start-up measurements. Writes outside the repo:
//   node bench/bigtrace.mjs [OUT.pcap] [MB] [open]   (default /root/exp/big.pcap, 100 MB)
// Each flow: SYN, SYN-ACK, ACK, 1 data segment each way and their ACKs, FIN/ACKs
// (10 packets, 54..1514 bytes) from 192.0.2.1:port to 192.168.0.1:8080.
// `open`: one more connection (from port 9999) opens first and closes last, so
// there is no moment free of open connections (replay cannot cut the trace).
import { mkdirSync, openSync, writeSync, closeSync } from 'node:fs';
import { dirname } from 'node:path';

const out = process.argv[2] ?? '/root/exp/big.pcap';
const targetBytes = Number(process.argv[3] ?? 100) * 1e6;
const holdOpen = process.argv[4] === 'open';
mkdirSync(dirname(out), { recursive: true });
const fd = openSync(out, 'w');
const head = Buffer.alloc(24);
head.writeUInt32LE(0xa1b2c3d4, 0); head.writeUInt16LE(2, 4); head.writeUInt16LE(4, 6);
head.writeUInt32LE(65535, 16); head.writeUInt32LE(1, 20);
writeSync(fd, head);

function sum16(b, s, e, init = 0) { let x = init; for (let i = s; i < e; i += 2) x += (b[i] << 8) | (i + 1 < e ? b[i + 1] : 0); while (x > 0xffff) x = (x & 0xffff) + (x >>> 16); return x; }
const A = [192, 0, 2, 1], B = [192, 168, 0, 1];
function frame(fromA, sport, dport, seq, ack, flags, payload) {
  const len = 14 + 20 + 20 + payload;
  const f = Buffer.alloc(len);
  f.writeUInt16BE(0x0800, 12);
  f[14] = 0x45; f.writeUInt16BE(20 + 20 + payload, 16); f[22] = 64; f[23] = 6;
  Buffer.from(fromA ? A : B).copy(f, 26); Buffer.from(fromA ? B : A).copy(f, 30);
  f.writeUInt16BE(~sum16(f, 14, 34) & 0xffff, 24);
  f.writeUInt16BE(sport, 34); f.writeUInt16BE(dport, 36); f.writeUInt32BE(seq >>> 0, 38); f.writeUInt32BE(ack >>> 0, 42);
  f[46] = 0x50; f[47] = flags; f.writeUInt16BE(65535, 48);
  const ph = Buffer.alloc(12); f.copy(ph, 0, 26, 34); ph[9] = 6; ph.writeUInt16BE(20 + payload, 10);
  f.writeUInt16BE(~sum16(f, 34, len, sum16(ph, 0, 12)) & 0xffff, 50);
  return f;
}
const S = 0x02, Ac = 0x10, F = 0x01, P = 0x08;
let written = 24, packets = 0, flows = 0, t = 1_700_000_000 * 1e6;
const chunks = [];
let pending = 0;
function rec(f) {
  const h = Buffer.alloc(16);
  h.writeUInt32LE(Math.floor(t / 1e6), 0); h.writeUInt32LE(t % 1e6, 4); h.writeUInt32LE(f.length, 8); h.writeUInt32LE(f.length, 12);
  chunks.push(h, f); pending += 16 + f.length; written += 16 + f.length; packets++; t += 100;
  if (pending > 4e6) { writeSync(fd, Buffer.concat(chunks)); chunks.length = 0; pending = 0; }
}
// The connection held open: its handshake now, its close (3 records of 70 bytes) after the rest.
const HELD = 9999, heldA = 77, heldB = 88;
if (holdOpen) {
  rec(frame(true, HELD, 8080, heldA, 0, S, 0));
  rec(frame(false, 8080, HELD, heldB, heldA + 1, S | Ac, 0));
  rec(frame(true, HELD, 8080, heldA + 1, heldB + 1, Ac, 0));
}
const closing = holdOpen ? 3 * (16 + 54) : 0;
while (written + closing < targetBytes) {
  const port = 10000 + (flows % 50000);
  // Each connection its own ISNs: a reused port's SYN is then a new
  // connection, not a retransmission of the one before on that port.
  const a = (1000 + flows * 100_003) % 2 ** 31, b = (5000 + flows * 7_919) % 2 ** 31;
  rec(frame(true, port, 8080, a, 0, S, 0));
  rec(frame(false, 8080, port, b, a + 1, S | Ac, 0));
  rec(frame(true, port, 8080, a + 1, b + 1, Ac, 0));
  rec(frame(true, port, 8080, a + 1, b + 1, P | Ac, 100));
  rec(frame(false, 8080, port, b + 1, a + 101, Ac, 0));
  rec(frame(false, 8080, port, b + 1, a + 101, P | Ac, 1000));
  rec(frame(true, port, 8080, a + 101, b + 1001, Ac, 0));
  rec(frame(true, port, 8080, a + 101, b + 1001, F | Ac, 0));
  rec(frame(false, 8080, port, b + 1001, a + 102, F | Ac, 0));
  rec(frame(true, port, 8080, a + 102, b + 1002, Ac, 0));
  flows++;
}
if (holdOpen) {
  rec(frame(true, HELD, 8080, heldA + 1, heldB + 1, F | Ac, 0));
  rec(frame(false, 8080, HELD, heldB + 1, heldA + 2, F | Ac, 0));
  rec(frame(true, HELD, 8080, heldA + 2, heldB + 2, Ac, 0));
}
if (chunks.length) writeSync(fd, Buffer.concat(chunks));
closeSync(fd);
console.log(`${out}: ${written} bytes, ${packets} packets, ${flows} flows`);
