/**
 * Classic pcap (libpcap 2.4) writing: the trace a run leaves behind, and the
 * in-memory encoding the `render` command and the tests use.
 *
 * Not pcapng: classic pcap is what every tool reads (tcpdump, tshark,
 * Wireshark, scapy, old libpcap). Records are little-endian; timestamps are
 * microseconds by default (magic 0xa1b2c3d4), nanoseconds on request
 * (magic 0xa1b23c4d).
 *
 * The engine stamps packets with CLOCK_MONOTONIC nanoseconds
 * (`process.hrtime.bigint()`); a pcap record wants wall-clock time. A
 * `WallClockAnchor` pairs one monotonic reading with the wall time taken at the
 * same moment, and every record time is placed relative to it.
 */
import * as fs from 'node:fs';
import { fail, ok, type Result } from '../packet/result.js';

/** A monotonic reading and the wall-clock time (µs since the epoch) at the same moment. */
export interface WallClockAnchor {
  readonly monotonicNs: bigint;
  readonly wallUsecs: number;
}

/** Timestamp resolution of the records. */
export type PcapResolution = 'usec' | 'nsec';

export interface PcapWriteOptions {
  /** Maps record times to wall time. Default: `wallClockAnchor()` taken when the writer (or encoding) starts. */
  readonly anchor?: WallClockAnchor;
  /** Default 'usec' (widest tool support). */
  readonly resolution?: PcapResolution;
  /** Frames longer than this are cut, keeping their original length. Default 262144. */
  readonly snaplen?: number;
  /** LINKTYPE_* number. Default 1 (Ethernet). */
  readonly linkType?: number;
}

export interface PcapRecordInput {
  readonly frame: Uint8Array;
  /** Capture time, in the anchor's monotonic clock (nanoseconds). */
  readonly timeNs: bigint;
}

export const PCAP_MAGIC_USEC = 0xa1b2c3d4;
export const PCAP_MAGIC_NSEC = 0xa1b23c4d;
export const PCAP_GLOBAL_HEADER_LENGTH = 24;
export const PCAP_RECORD_HEADER_LENGTH = 16;
export const DEFAULT_SNAPLEN = 262144;
export const LINKTYPE_ETHERNET = 1;

/** Buffered record bytes above which `PcapWriter.write` flushes to the file. */
const FLUSH_THRESHOLD_BYTES = 4 * 1024 * 1024;

/** Now, on both clocks: `process.hrtime.bigint()` is CLOCK_MONOTONIC on Linux. */
export function wallClockAnchor(): WallClockAnchor {
  return { monotonicNs: process.hrtime.bigint(), wallUsecs: Date.now() * 1000 };
}

interface Settings {
  readonly anchor: WallClockAnchor;
  readonly nsec: boolean;
  readonly snaplen: number;
  readonly linkType: number;
}

function settings(opts: PcapWriteOptions): Settings {
  const snaplen = opts.snaplen ?? DEFAULT_SNAPLEN;
  const linkType = opts.linkType ?? LINKTYPE_ETHERNET;
  if (!Number.isInteger(snaplen) || snaplen < 1 || snaplen > 0xffffffff) {
    throw new RangeError(`pcap: snaplen ${snaplen} out of range 1..4294967295`);
  }
  if (!Number.isInteger(linkType) || linkType < 0 || linkType > 0xffff) {
    throw new RangeError(`pcap: link type ${linkType} out of range 0..65535`);
  }
  const anchor = opts.anchor ?? wallClockAnchor();
  if (!Number.isFinite(anchor.wallUsecs)) throw new RangeError(`pcap: anchor wall time ${anchor.wallUsecs} is not finite`);
  return { anchor, nsec: opts.resolution === 'nsec', snaplen, linkType };
}

function globalHeader(s: Settings): Buffer {
  const b = Buffer.alloc(PCAP_GLOBAL_HEADER_LENGTH);
  b.writeUInt32LE(s.nsec ? PCAP_MAGIC_NSEC : PCAP_MAGIC_USEC, 0);
  b.writeUInt16LE(2, 4); // version 2.4
  b.writeUInt16LE(4, 6);
  b.writeInt32LE(0, 8); // thiszone: always UTC
  b.writeUInt32LE(0, 12); // sigfigs
  b.writeUInt32LE(s.snaplen, 16);
  b.writeUInt32LE(s.linkType, 20);
  return b;
}

/** Floor division for bigint (the `/` operator truncates toward zero). */
function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return (a % b !== 0n) && ((a < 0n) !== (b < 0n)) ? q - 1n : q;
}

/** µs (possibly fractional) to ns without going through a double above 2^53. */
function usecsToNs(usecs: number): bigint {
  const whole = Math.floor(usecs);
  return BigInt(whole) * 1000n + BigInt(Math.round((usecs - whole) * 1000));
}

/** Wall-clock time of a monotonic instant, as (seconds, fraction in the file's unit). */
function wallTime(s: Settings, timeNs: bigint): { sec: bigint; frac: bigint } {
  const wallNs = usecsToNs(s.anchor.wallUsecs) + (timeNs - s.anchor.monotonicNs);
  const perSec = s.nsec ? 1_000_000_000n : 1_000_000n;
  const units = s.nsec ? wallNs : floorDiv(wallNs, 1000n);
  const sec = floorDiv(units, perSec);
  if (sec < 0n || sec > 0xffffffffn) {
    throw new RangeError(`pcap: record time ${timeNs} ns maps to ${sec} s since the epoch, outside 0..4294967295`);
  }
  return { sec, frac: units - sec * perSec };
}

function recordHeader(s: Settings, frame: Uint8Array, timeNs: bigint): { header: Buffer; capLen: number } {
  const { sec, frac } = wallTime(s, timeNs);
  const capLen = Math.min(frame.length, s.snaplen);
  if (frame.length > 0xffffffff) throw new RangeError(`pcap: frame length ${frame.length} too large`);
  const h = Buffer.alloc(PCAP_RECORD_HEADER_LENGTH);
  h.writeUInt32LE(Number(sec), 0);
  h.writeUInt32LE(Number(frac), 4);
  h.writeUInt32LE(capLen, 8);
  h.writeUInt32LE(frame.length, 12);
  return { header: h, capLen };
}

function recordChunks(s: Settings, frame: Uint8Array, timeNs: bigint): Buffer[] {
  const { header, capLen } = recordHeader(s, frame, timeNs);
  return [header, Buffer.from(frame.buffer, frame.byteOffset, capLen)];
}

/**
 * A whole pcap file in memory. Throws RangeError only on a caller bug (a time
 * before 1970 or after 2106, a bad snaplen or link type).
 */
export function encodePcap(records: Iterable<PcapRecordInput>, opts: PcapWriteOptions = {}): Buffer {
  const s = settings(opts);
  const chunks: Buffer[] = [globalHeader(s)];
  for (const r of records) chunks.push(...recordChunks(s, r.frame, r.timeNs));
  return Buffer.concat(chunks);
}

/**
 * A pcap file being written. The global header is written when the file is
 * opened, so even an interrupted run leaves a valid (if short) capture; records
 * are kept in memory and written with synchronous I/O by `flush()`/`close()`
 * (and by `write()` once 4 MiB have piled up), so `close()` is safe from a
 * `process.on('exit')` handler. `close()` may be called more than once.
 */
export class PcapWriter {
  readonly path: string;
  private readonly s: Settings;
  private fd: number | null;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private written = 0;

  /** Opens (truncating) `path` and writes the global header; throws as `fs.openSync` does. */
  constructor(path: string, opts: PcapWriteOptions = {}) {
    this.path = path;
    this.s = settings(opts);
    const fd = fs.openSync(path, 'w');
    try {
      writeAll(fd, globalHeader(this.s));
    } catch (e) {
      fs.closeSync(fd);
      throw e;
    }
    this.fd = fd;
  }

  /** Like the constructor, but an I/O failure comes back as an error value: `"out.pcap: EACCES: ..."`. */
  static open(path: string, opts: PcapWriteOptions = {}): Result<PcapWriter> {
    try {
      return ok(new PcapWriter(path, opts));
    } catch (e) {
      if (e instanceof RangeError) throw e;
      return fail(`${path}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /** The anchor record times are mapped with. */
  get anchor(): WallClockAnchor {
    return this.s.anchor;
  }

  /** Records accepted so far (written or still buffered). */
  get count(): number {
    return this.written;
  }

  get closed(): boolean {
    return this.fd === null;
  }

  /** Adds one frame captured (or injected) at monotonic time `timeNs`. The frame bytes are copied. */
  write(frame: Uint8Array, timeNs: bigint): void {
    if (this.fd === null) throw new Error(`pcap: ${this.path}: write after close`);
    const { header, capLen } = recordHeader(this.s, frame, timeNs);
    const body = Buffer.from(frame.subarray(0, capLen)); // copy: callers reuse capture buffers
    this.pending.push(header, body);
    this.pendingBytes += header.length + body.length;
    this.written++;
    if (this.pendingBytes >= FLUSH_THRESHOLD_BYTES) this.flush();
  }

  /** Writes buffered records to the file now. */
  flush(): void {
    if (this.fd === null || this.pending.length === 0) return;
    const data = Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    writeAll(this.fd, data);
  }

  /** Flushes and closes the file. Idempotent; synchronous. */
  close(): void {
    if (this.fd === null) return;
    const fd = this.fd;
    try {
      this.flush();
    } finally {
      this.fd = null;
      fs.closeSync(fd);
    }
  }
}

function writeAll(fd: number, data: Buffer): void {
  let off = 0;
  while (off < data.length) off += fs.writeSync(fd, data, off, data.length - off);
}
