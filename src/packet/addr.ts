/**
 * Address text <-> bytes: IPv4 dotted quads, IPv6 (RFC 4291 text forms, printed
 * the way glibc's inet_ntop prints them, which is what packetdrill shows), and
 * Ethernet MAC addresses.
 */
import { fail, ok, type Result } from './result.js';

/** Parse `192.0.2.1` into 4 bytes. Strict: four decimal octets, no leading `+`, no extra text. */
export function ipv4ToBytes(text: string): Result<Uint8Array> {
  const out = new Uint8Array(4);
  return writeIPv4(text, out, 0) ? ok(out) : fail(`bad IPv4 address '${text}'`);
}

/** Write the IPv4 address `text` into `out` at `offset`; false if the text is not an IPv4 address. */
export function writeIPv4(text: string, out: Uint8Array, offset: number): boolean {
  let part = 0;
  let value = 0;
  let digits = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 0x2e; // virtual trailing '.'
    if (c >= 0x30 && c <= 0x39) {
      value = value * 10 + (c - 0x30);
      if (++digits > 3 || value > 255) return false;
    } else if (c === 0x2e) {
      if (digits === 0 || part > 3) return false;
      out[offset + part++] = value;
      value = 0;
      digits = 0;
    } else {
      return false;
    }
  }
  return part === 4;
}

/** Format 4 bytes at `offset` as a dotted quad. */
export function ipv4FromBytes(bytes: Uint8Array, offset = 0): string {
  return `${bytes[offset]}.${bytes[offset + 1]}.${bytes[offset + 2]}.${bytes[offset + 3]}`;
}

/** Parse an IPv6 address (`fd3d:fa7b:d17d::1`, `::ffff:192.0.2.1`) into 16 bytes. Zone ids are not accepted. */
export function ipv6ToBytes(text: string): Result<Uint8Array> {
  const out = new Uint8Array(16);
  return writeIPv6(text, out, 0) ? ok(out) : fail(`bad IPv6 address '${text}'`);
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  return -1;
}

// Scratch space for writeIPv6 (synchronous and not re-entrant, so one buffer serves every call).
const words = new Uint16Array(8);
const quad = new Uint8Array(4);

/** Write the IPv6 address `text` into `out` at `offset`; false if the text is not an IPv6 address. */
export function writeIPv6(text: string, out: Uint8Array, offset: number): boolean {
  let n = 0; // words written
  let gap = -1; // index in words where '::' was seen
  let i = 0;
  const len = text.length;
  if (len < 2) return false;
  if (text.charCodeAt(0) === 0x3a) {
    if (text.charCodeAt(1) !== 0x3a) return false;
    gap = 0;
    i = 2;
    if (i === len) {
      out.fill(0, offset, offset + 16);
      return true;
    }
  }
  while (i < len) {
    if (n >= 8) return false;
    // Read one group: hex digits, or a trailing dotted quad.
    const start = i;
    let value = 0;
    let digits = 0;
    while (i < len) {
      const h = hexValue(text.charCodeAt(i));
      if (h < 0) break;
      value = (value << 4) | h;
      digits++;
      i++;
    }
    if (i < len && text.charCodeAt(i) === 0x2e) {
      // Embedded IPv4 in the last 32 bits.
      if (n > 6) return false;
      if (!writeIPv4(text.slice(start), quad, 0)) return false;
      words[n++] = (quad[0]! << 8) | quad[1]!;
      words[n++] = (quad[2]! << 8) | quad[3]!;
      i = len;
      break;
    }
    if (digits === 0 || digits > 4) return false;
    words[n++] = value;
    if (i === len) break;
    if (text.charCodeAt(i) !== 0x3a) return false;
    i++;
    if (i < len && text.charCodeAt(i) === 0x3a) {
      if (gap >= 0) return false; // a second '::'
      gap = n;
      i++;
      if (i === len) break;
    } else if (i === len) {
      return false; // trailing single ':'
    }
  }
  if (gap < 0) {
    if (n !== 8) return false;
  } else if (n >= 8) {
    return false; // '::' must stand for at least one group
  }
  out.fill(0, offset, offset + 16);
  const tail = gap < 0 ? 0 : n - gap;
  for (let w = 0; w < n; w++) {
    const pos = gap >= 0 && w >= gap ? 8 - tail + (w - gap) : w;
    out[offset + pos * 2] = words[w]! >>> 8;
    out[offset + pos * 2 + 1] = words[w]! & 0xff;
  }
  return true;
}

/**
 * Format 16 bytes at `offset` as glibc's inet_ntop does: lower-case hex, the
 * longest run (first on ties) of two or more zero groups written `::`, and
 * dotted-quad tails for IPv4-mapped (`::ffff:192.0.2.1`) and IPv4-compatible
 * (`::192.0.2.1`) addresses.
 */
export function ipv6FromBytes(bytes: Uint8Array, offset = 0): string {
  const w = (k: number): number => (bytes[offset + 2 * k]! << 8) | bytes[offset + 2 * k + 1]!;
  let bestBase = -1;
  let bestLen = 0;
  let curBase = -1;
  let curLen = 0;
  for (let k = 0; k < 8; k++) {
    if (w(k) === 0) {
      if (curBase < 0) {
        curBase = k;
        curLen = 1;
      } else {
        curLen++;
      }
      if (curLen > bestLen) {
        bestBase = curBase;
        bestLen = curLen;
      }
    } else {
      curBase = -1;
      curLen = 0;
    }
  }
  if (bestLen < 2) bestBase = -1;
  let s = '';
  for (let k = 0; k < 8; k++) {
    if (bestBase >= 0 && k >= bestBase && k < bestBase + bestLen) {
      if (k === bestBase) s += ':';
      continue;
    }
    if (k !== 0) s += ':';
    if (k === 6 && bestBase === 0 && (bestLen === 6 || (bestLen === 5 && w(5) === 0xffff))) {
      s += ipv4FromBytes(bytes, offset + 12);
      break;
    }
    s += w(k).toString(16);
  }
  if (bestBase >= 0 && bestBase + bestLen === 8) s += ':';
  return s;
}

/** Parse either family: a ':' means IPv6. */
export function ipToBytes(text: string): Result<Uint8Array> {
  return text.includes(':') ? ipv6ToBytes(text) : ipv4ToBytes(text);
}

/** 4 or 6 for a well-formed address text, otherwise null. */
export function ipVersionOf(text: string): 4 | 6 | null {
  if (text.includes(':')) return writeIPv6(text, new Uint8Array(16), 0) ? 6 : null;
  return writeIPv4(text, new Uint8Array(4), 0) ? 4 : null;
}

/** Parse `aa:bb:cc:dd:ee:ff` (or with `-` separators, any case) into 6 bytes. */
export function macToBytes(text: string): Result<Uint8Array> {
  const out = new Uint8Array(6);
  return writeMac(text, out, 0) ? ok(out) : fail(`bad MAC address '${text}'`);
}

/** Write the MAC address `text` into `out` at `offset`; false if it is not a MAC address. */
export function writeMac(text: string, out: Uint8Array, offset: number): boolean {
  if (text.length !== 17) return false;
  const sep = text.charCodeAt(2);
  if (sep !== 0x3a && sep !== 0x2d) return false;
  for (let k = 0; k < 6; k++) {
    const hi = hexValue(text.charCodeAt(3 * k));
    const lo = hexValue(text.charCodeAt(3 * k + 1));
    if (hi < 0 || lo < 0) return false;
    if (k < 5 && text.charCodeAt(3 * k + 2) !== sep) return false;
    out[offset + k] = (hi << 4) | lo;
  }
  return true;
}

const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));

/** Format 6 bytes at `offset` as `aa:bb:cc:dd:ee:ff`. */
export function macFromBytes(bytes: Uint8Array, offset = 0): string {
  return (
    HEX[bytes[offset]!]! +
    ':' +
    HEX[bytes[offset + 1]!]! +
    ':' +
    HEX[bytes[offset + 2]!]! +
    ':' +
    HEX[bytes[offset + 3]!]! +
    ':' +
    HEX[bytes[offset + 4]!]! +
    ':' +
    HEX[bytes[offset + 5]!]!
  );
}
