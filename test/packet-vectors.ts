/**
 * Hand-built byte vectors and a deliberately naive reference checksum shared
 * by the packet tests. Not a test file itself (no `.test.`).
 */

/** RFC 1071 done the slow, obvious way over plain numbers. */
export function refChecksum(bytes: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < bytes.length; i += 2) s += bytes[i]! * 256 + (i + 1 < bytes.length ? bytes[i + 1]! : 0);
  while (s > 0xffff) s = (s % 0x10000) + Math.floor(s / 0x10000);
  return 0xffff - s;
}

export function hex(s: string): number[] {
  const clean = s.replace(/[^0-9a-f]/gi, '');
  const out: number[] = [];
  for (let i = 0; i < clean.length; i += 2) out.push(parseInt(clean.slice(i, i + 2), 16));
  return out;
}

export function toHex(b: ArrayLike<number>): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

/**
 * A Linux-style SYN from 192.0.2.1:40000 to 192.168.0.1:8080, seq 0, win 65535,
 * <mss 1460,sackOK,TS val 100 ecr 0,nop,wscale 7>, as a complete Ethernet
 * frame, checksums filled in by `refChecksum`.
 */
export function synFrameV4(): Uint8Array {
  const eth = hex('02 00 00 00 00 01  02 00 00 00 00 02  08 00');
  const ip = hex('45 00 00 3c  00 00 00 00  ff 06 00 00  c0 00 02 01  c0 a8 00 01');
  const tcp = hex(`
    9c 40 1f 90  00 00 00 00  00 00 00 00  a0 02 ff ff  00 00 00 00
    02 04 05 b4  04 02  08 0a 00 00 00 64 00 00 00 00  01  03 03 07`);
  const ipc = refChecksum(ip);
  ip[10] = ipc >> 8;
  ip[11] = ipc & 0xff;
  const pseudo = [...ip.slice(12, 20), 0, 6, 0, tcp.length];
  const tc = refChecksum([...pseudo, ...tcp]);
  tcp[16] = tc >> 8;
  tcp[17] = tc & 0xff;
  return Uint8Array.from([...eth, ...ip, ...tcp]);
}

/** The same SYN over IPv6, fd3d:fa7b:d17d::1 → fd3d:fa7b:d17d::2 (hop limit 255). */
export function synFrameV6(): Uint8Array {
  const eth = hex('02 00 00 00 00 01  02 00 00 00 00 02  86 dd');
  const tcp = hex(`
    9c 40 1f 90  00 00 00 00  00 00 00 00  a0 02 ff ff  00 00 00 00
    02 04 05 a0  04 02  08 0a 00 00 00 64 00 00 00 00  01  03 03 07`);
  const src = hex('fd3d fa7b d17d 0000 0000 0000 0000 0001');
  const dst = hex('fd3d fa7b d17d 0000 0000 0000 0000 0002');
  const ip = [...hex('60 00 00 00'), 0, tcp.length, 6, 255, ...src, ...dst];
  const pseudo = [...src, ...dst, 0, 0, 0, tcp.length, 0, 0, 0, 6];
  const tc = refChecksum([...pseudo, ...tcp]);
  tcp[16] = tc >> 8;
  tcp[17] = tc & 0xff;
  return Uint8Array.from([...eth, ...ip, ...tcp]);
}

/** mulberry32: a small seeded PRNG so fuzz runs are repeatable. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
