/**
 * RFC 1071 internet checksum.
 *
 * Sums are kept as plain numbers: `sum16` returns a ones'-complement sum
 * folded to 16 bits (not yet complemented); `finishChecksum` folds and
 * complements. Several sums can be added together with `+` before finishing
 * (a JS number holds far more than any packet's worth of 16-bit words).
 */
import { writeIPv4, writeIPv6 } from './addr.js';

/** Fold a running sum to 16 bits with end-around carry. */
export function fold16(sum: number): number {
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  return sum;
}

/**
 * Ones'-complement sum of `data[start, end)` taken as big-endian 16-bit words,
 * the range assumed to start on an even offset of the checksummed stream. An
 * odd trailing byte is padded with zero. Returns a value folded to 16 bits.
 */
export function sum16(data: Uint8Array, start = 0, end = data.length): number {
  let sum = 0;
  let i = start;
  const evenEnd = end - ((end - start) & 1);
  // Unrolled by 4 words; the sum stays far below 2^53 for any real packet.
  for (; i + 8 <= evenEnd; i += 8) {
    sum +=
      ((data[i]! << 8) | data[i + 1]!) +
      ((data[i + 2]! << 8) | data[i + 3]!) +
      ((data[i + 4]! << 8) | data[i + 5]!) +
      ((data[i + 6]! << 8) | data[i + 7]!);
  }
  for (; i < evenEnd; i += 2) sum += (data[i]! << 8) | data[i + 1]!;
  if (evenEnd < end) sum += data[evenEnd]! << 8;
  return fold16(sum);
}

/** Complement of the folded sum: the value that goes in a checksum field. */
export function finishChecksum(sum: number): number {
  return ~fold16(sum) & 0xffff;
}

/**
 * Internet checksum over the concatenation of `parts`, starting from a partial
 * sum `initial` (e.g. a pseudo-header sum). Parts of odd length are handled as
 * a byte stream: the next part then starts on an odd offset.
 */
export function internetChecksum(parts: Uint8Array | readonly Uint8Array[], initial = 0): number {
  if (parts instanceof Uint8Array) return finishChecksum(initial + sum16(parts));
  let sum = initial;
  let odd = false;
  for (const p of parts) {
    let s = sum16(p);
    if (odd) s = ((s & 0xff) << 8) | (s >>> 8); // a sum over a byte-shifted stream is byte-swapped
    sum += s;
    if (p.length & 1) odd = !odd;
  }
  return finishChecksum(sum);
}

/**
 * Partial sum of the IPv4 pseudo header (RFC 793 / 768): source, destination
 * (4 bytes each), zero, protocol, upper-layer length.
 */
export function pseudoHeaderSumV4(src: Uint8Array, dst: Uint8Array, protocol: number, length: number): number {
  return fold16(sum16(src, 0, 4) + sum16(dst, 0, 4) + (protocol & 0xff) + (length & 0xffff));
}

/**
 * Partial sum of the IPv6 pseudo header (RFC 8200 §8.1): source, destination
 * (16 bytes each), 32-bit upper-layer length, 24 zero bits, next header.
 */
export function pseudoHeaderSumV6(src: Uint8Array, dst: Uint8Array, nextHeader: number, length: number): number {
  return fold16(
    sum16(src, 0, 16) + sum16(dst, 0, 16) + Math.floor(length / 0x10000) + (length & 0xffff) + (nextHeader & 0xff),
  );
}

/**
 * Complete a pseudo-header sum from the sum of its two addresses (`sum16`
 * over source and destination, which sit next to each other in both IP
 * headers: bytes 12..20 of IPv4, 8..40 of IPv6). The same formula serves
 * IPv4 (16-bit length) and IPv6 (32-bit length) since the high half is zero
 * below 64 KiB.
 */
export function pseudoHeaderSum(addrSum: number, protocol: number, length: number): number {
  return fold16(addrSum + (protocol & 0xff) + Math.floor(length / 0x10000) + (length & 0xffff));
}

/** The addresses of a pseudo header, as text. */
export interface PseudoHeader {
  src: string;
  dst: string;
  version: 4 | 6;
}

/**
 * The address sum for a pseudo header given as text. Throws RangeError when an
 * address does not parse as the stated version (a caller bug).
 */
export function pseudoAddressSum(pseudo: PseudoHeader): number {
  const n = pseudo.version === 4 ? 4 : 16;
  const buf = new Uint8Array(2 * n);
  const write = pseudo.version === 4 ? writeIPv4 : writeIPv6;
  if (!write(pseudo.src, buf, 0)) throw new RangeError(`pseudo header: bad IPv${pseudo.version} source '${pseudo.src}'`);
  if (!write(pseudo.dst, buf, n)) throw new RangeError(`pseudo header: bad IPv${pseudo.version} destination '${pseudo.dst}'`);
  return sum16(buf);
}

/**
 * An Ethernet frame with its TCP or UDP checksum computed: what a frame
 * sent with checksum offload (the kernel leaves the transport checksum
 * partial for the device to finish) would carry on a wire. IPv4, or IPv6
 * with the transport header right after the fixed header; anything else
 * comes back unchanged. A new array; the input is not touched.
 */
export function withTransportChecksum(frame: Uint8Array): Uint8Array {
  const ETH = 14;
  if (frame.length < ETH + 20) return frame;
  const type = (frame[12]! << 8) | frame[13]!;
  let l4: number;
  let end: number;
  let proto: number;
  let addrSum: number;
  if (type === 0x0800) {
    const ihl = (frame[ETH]! & 0x0f) * 4;
    const total = (frame[ETH + 2]! << 8) | frame[ETH + 3]!;
    l4 = ETH + ihl;
    end = ETH + total;
    proto = frame[ETH + 9]!;
    addrSum = sum16(frame, ETH + 12, ETH + 20);
  } else if (type === 0x86dd) {
    if (frame.length < ETH + 40) return frame;
    l4 = ETH + 40;
    end = l4 + ((frame[ETH + 4]! << 8) | frame[ETH + 5]!);
    proto = frame[ETH + 6]!;
    addrSum = sum16(frame, ETH + 8, ETH + 40);
  } else {
    return frame;
  }
  const at = proto === 6 ? 16 : proto === 17 ? 6 : -1;
  if (at < 0 || end > frame.length || end - l4 < at + 2) return frame;
  const out = frame.slice();
  out[l4 + at] = 0;
  out[l4 + at + 1] = 0;
  let c = finishChecksum(pseudoHeaderSum(addrSum, proto, end - l4) + sum16(out, l4, end));
  if (proto === 17 && c === 0) c = 0xffff;
  out[l4 + at] = c >> 8;
  out[l4 + at + 1] = c & 0xff;
  return out;
}
