/**
 * Classic pcap reading, for replay and pcap → .pkt conversion.
 *
 * The 24-byte global header is checked first (magic, byte order,
 * resolution, version, link type); the records are then decoded here as the
 * file is read, 1 MiB at a time, so reading never holds the file whole.
 * `scanPcap` hands each record to a visitor and keeps nothing; `readPcap`
 * keeps them all.
 *
 * Nothing here throws: every failure is one line naming the file, e.g.
 * `TRACE.pcap: truncated record 17 (expected 74 bytes, file has 30)`.
 * A file cut in a later record is not an error: the whole records before it
 * are returned, with that line in `warnings`. One cut inside its first record
 * is (`TRACE.pcap: truncated record 1 header (...), at byte offset 24`).
 */
import * as fs from 'node:fs';
import { fail, ok, type Result } from '../packet/result.js';
import {
  DEFAULT_SNAPLEN,
  LINKTYPE_ETHERNET,
  PCAP_GLOBAL_HEADER_LENGTH,
  PCAP_RECORD_HEADER_LENGTH,
  type PcapResolution,
} from './write.js';

export interface PcapRecord {
  /** 1-based packet number, as Wireshark shows it. */
  readonly index: number;
  /** Absolute capture time from the record header, µs since the epoch (ns files are floored to µs). */
  readonly timeUsecs: number;
  /** The captured bytes (may be shorter than `origLen` if the capture was snapped). */
  readonly frame: Uint8Array;
  /** Length of the packet on the wire. */
  readonly origLen: number;
}

export interface PcapTrace {
  /** LINKTYPE_* number (1 = Ethernet). */
  readonly linkType: number;
  readonly resolution: PcapResolution;
  readonly snaplen: number;
  readonly records: PcapRecord[];
  /** Problems that did not stop the read, one line each (e.g. a truncated last record, skipped). */
  readonly warnings: string[];
}

export interface PcapReadOptions {
  /** Link types accepted; any other is an error. Default: Ethernet only. */
  readonly linkTypes?: readonly number[];
}

/** Names of the link types one is likely to meet (tcpdump.org/linktypes.html). */
const LINKTYPE_NAMES: ReadonlyMap<number, string> = new Map([
  [0, 'NULL'],
  [1, 'ETHERNET'],
  [9, 'PPP'],
  [101, 'RAW'],
  [105, 'IEEE802_11'],
  [108, 'LOOP'],
  [113, 'LINUX_SLL'],
  [127, 'IEEE802_11_RADIOTAP'],
  [228, 'IPV4'],
  [229, 'IPV6'],
  [239, 'NFLOG'],
  [276, 'LINUX_SLL2'],
]);

export function linkTypeName(linkType: number): string | undefined {
  return LINKTYPE_NAMES.get(linkType);
}

function describeLinkType(linkType: number): string {
  const name = linkTypeName(linkType);
  return name === undefined ? `${linkType}` : `${linkType} (${name})`;
}

const CONVERT_HINT = 'convert with `tshark -F pcap -r IN -w OUT.pcap`';

interface GlobalHeader {
  readonly littleEndian: boolean;
  readonly resolution: PcapResolution;
  readonly snaplen: number;
  readonly linkType: number;
  readonly warnings: string[];
  /** What pcap-parser is given instead: same byte order, microsecond magic, version 2.4. */
  readonly canonical: Buffer;
}

function parseGlobalHeader(name: string, head: Buffer, opts: PcapReadOptions): Result<GlobalHeader> {
  if (head.length === 0) return fail(`${name}: empty file (no pcap global header)`);
  const truncated = () =>
    fail(`${name}: truncated global header (expected ${PCAP_GLOBAL_HEADER_LENGTH} bytes, file has ${head.length})`);
  if (head.length < 4) return truncated();
  const magic = head.toString('hex', 0, 4);
  let littleEndian: boolean;
  let resolution: PcapResolution;
  switch (magic) {
    case 'a1b2c3d4': littleEndian = false; resolution = 'usec'; break;
    case 'd4c3b2a1': littleEndian = true; resolution = 'usec'; break;
    case 'a1b23c4d': littleEndian = false; resolution = 'nsec'; break;
    case '4d3cb2a1': littleEndian = true; resolution = 'nsec'; break;
    case '0a0d0d0a':
      return fail(`${name}: pcapng is not supported: ${CONVERT_HINT.replace('IN', name)}`);
    case 'a1b2cd34':
    case '34cdb2a1':
      return fail(`${name}: modified (Kuznetzov) pcap is not supported: ${CONVERT_HINT.replace('IN', name)}`);
    default:
      return fail(`${name}: not a pcap file (magic 0x${magic})`);
  }
  if (head.length < PCAP_GLOBAL_HEADER_LENGTH) return truncated();
  const u16 = (o: number) => (littleEndian ? head.readUInt16LE(o) : head.readUInt16BE(o));
  const u32 = (o: number) => (littleEndian ? head.readUInt32LE(o) : head.readUInt32BE(o));
  const major = u16(4);
  const minor = u16(6);
  if (major !== 2) return fail(`${name}: unsupported pcap version ${major}.${minor} (expected 2.4)`);
  const snaplen = u32(16);
  const field = u32(20);
  // The top bits may carry FCS information (as Wireshark reads them).
  const linkType = field & 0x03ffffff;
  const warnings: string[] = [];
  if (field & 0x04000000) {
    warnings.push(`${name}: frames end with a ${((field >>> 28) & 0xf) * 2}-byte FCS`);
  }
  const accepted = opts.linkTypes ?? [LINKTYPE_ETHERNET];
  if (!accepted.includes(linkType)) {
    const hint = linkType === 113 || linkType === 276 ? ' (captured on "any": capture on one interface instead, e.g. `tcpdump -i veth1`)' : '';
    return fail(
      `${name}: link type ${describeLinkType(linkType)} is not supported: only ${accepted.map(describeLinkType).join(', ')}${hint}`,
    );
  }
  const canonical = Buffer.from(head.subarray(0, PCAP_GLOBAL_HEADER_LENGTH));
  if (littleEndian) {
    canonical.writeUInt32LE(0xa1b2c3d4, 0);
    canonical.writeUInt16LE(2, 4);
    canonical.writeUInt16LE(4, 6);
  } else {
    canonical.writeUInt32BE(0xa1b2c3d4, 0);
    canonical.writeUInt16BE(2, 4);
    canonical.writeUInt16BE(4, 6);
  }
  return ok({ littleEndian, resolution, snaplen, linkType, warnings, canonical });
}

/** What a pcap's global header says, before any record. */
export interface PcapHeader {
  /** LINKTYPE_* number (1 = Ethernet). */
  readonly linkType: number;
  readonly resolution: PcapResolution;
  readonly snaplen: number;
}

/** What a scan read: the header, how many records, and problems that did not stop it. */
export interface PcapScan extends PcapHeader {
  readonly packets: number;
  readonly warnings: string[];
}

/**
 * Called once per record, in order. The record's `frame` is a view into the
 * scanner's read buffer, valid only during the call: copy what is kept.
 */
export type PcapVisitor = (record: PcapRecord) => void;

/**
 * Decodes the records after a checked global header, chunk by chunk as
 * `body` yields them (the bytes after the first 24): only the record being
 * cut by a chunk's end is carried over, so a file is never held whole.
 */
async function decodeRecords(
  name: string,
  g: GlobalHeader,
  body: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  visit: PcapVisitor,
): Promise<Result<PcapScan>> {
  const warnings = [...g.warnings];
  const maxCapLen = Math.max(g.snaplen, DEFAULT_SNAPLEN);
  const usecs = g.resolution === 'nsec' ? (frac: number) => Math.floor(frac / 1000) : (frac: number) => frac;
  let packets = 0;
  let carry: Buffer = Buffer.alloc(0);
  let consumed = 0; // body bytes in complete records
  for await (const chunk of body) {
    const piece = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
    const buf = carry.length ? Buffer.concat([carry, piece]) : piece;
    let off = 0;
    while (buf.length - off >= PCAP_RECORD_HEADER_LENGTH) {
      const u32 = (o: number) => (g.littleEndian ? buf.readUInt32LE(off + o) : buf.readUInt32BE(off + o));
      const capLen = u32(8);
      if (capLen > maxCapLen) {
        return fail(`${name}: record ${packets + 1} is corrupt (captured length ${capLen} > ${maxCapLen})`);
      }
      if (buf.length - off < PCAP_RECORD_HEADER_LENGTH + capLen) break;
      const at = off + PCAP_RECORD_HEADER_LENGTH;
      visit({
        index: ++packets,
        timeUsecs: u32(0) * 1_000_000 + usecs(u32(4)),
        frame: buf.subarray(at, at + capLen),
        origLen: u32(12),
      });
      off = at + capLen;
      consumed += PCAP_RECORD_HEADER_LENGTH + capLen;
    }
    carry = off === buf.length ? Buffer.alloc(0) : Buffer.from(buf.subarray(off));
  }
  const left = carry.length;
  if (left > 0) {
    const n = packets + 1;
    const offset = PCAP_GLOBAL_HEADER_LENGTH + consumed;
    const line =
      left >= PCAP_RECORD_HEADER_LENGTH
        ? `${name}: truncated record ${n} (expected ${g.littleEndian ? carry.readUInt32LE(8) : carry.readUInt32BE(8)} bytes, file has ${left - PCAP_RECORD_HEADER_LENGTH})`
        : `${name}: truncated record ${n} header (expected ${PCAP_RECORD_HEADER_LENGTH} bytes, file has ${left})`;
    // Cut inside its first record, a file has nothing to give: that is the error.
    if (packets === 0) return fail(`${line}, at byte offset ${offset}`);
    warnings.push(`${line}; skipped`);
  }
  return ok({ linkType: g.linkType, resolution: g.resolution, snaplen: g.snaplen, packets, warnings });
}

/** A visitor that keeps a copy of every record (for the whole-trace readers). */
function keepingAll(): { records: PcapRecord[]; visit: PcapVisitor } {
  const records: PcapRecord[] = [];
  // A copy: the read buffer is let go.
  return { records, visit: (r) => void records.push({ ...r, frame: new Uint8Array(r.frame) }) };
}

function withRecords(scan: Result<PcapScan>, records: PcapRecord[]): Result<PcapTrace> {
  if (!scan.ok) return scan;
  const { linkType, resolution, snaplen, warnings } = scan.value;
  return ok({ linkType, resolution, snaplen, records, warnings });
}

const IO_ERRORS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'is a directory',
  ENOTDIR: 'a path component is not a directory',
  ELOOP: 'too many symbolic links',
};

function ioMessage(name: string, e: unknown): string {
  const code = (e as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && IO_ERRORS[code] !== undefined) return `${name}: ${IO_ERRORS[code]}`;
  return `${name}: ${e instanceof Error ? e.message : String(e)}`;
}

/**
 * The file's bytes from `start`, 1 MiB at a time, in one buffer read into
 * again for each chunk: `decodeRecords` is done with a chunk (it copies the
 * record cut by its end) before it asks for the next.
 */
async function* chunksOf(fh: fs.promises.FileHandle, start: number): AsyncGenerator<Buffer> {
  const buf = Buffer.allocUnsafe(1 << 20);
  for (let pos = start; ; ) {
    const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
    if (bytesRead === 0) return;
    pos += bytesRead;
    yield buf.subarray(0, bytesRead);
  }
}

/**
 * Reads a classic pcap file record by record: `start` is given the header
 * (after it is checked) and returns the visitor each record goes to, in
 * order, as the file is read; nothing is kept here. Never throws or rejects
 * (what a visitor throws comes back as a failure too). A failed scan may have
 * visited records before the failure.
 */
export async function scanPcap(
  path: string,
  opts: PcapReadOptions,
  start: (header: PcapHeader) => PcapVisitor,
): Promise<Result<PcapScan>> {
  let fh: fs.promises.FileHandle;
  try {
    fh = await fs.promises.open(path, 'r');
  } catch (e) {
    return fail(ioMessage(path, e));
  }
  try {
    const head = Buffer.alloc(PCAP_GLOBAL_HEADER_LENGTH);
    let got = 0;
    while (got < head.length) {
      const { bytesRead } = await fh.read(head, got, head.length - got, got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    const g = parseGlobalHeader(path, head.subarray(0, got), opts);
    if (!g.ok) return g;
    return await decodeRecords(path, g.value, chunksOf(fh, PCAP_GLOBAL_HEADER_LENGTH), start(g.value));
  } catch (e) {
    return fail(ioMessage(path, e));
  } finally {
    await fh.close().catch(() => undefined);
  }
}

/** Reads a classic pcap file (either byte order, µs or ns timestamps), every record kept. Never throws or rejects. */
export async function readPcap(path: string, opts: PcapReadOptions = {}): Promise<Result<PcapTrace>> {
  const { records, visit } = keepingAll();
  return withRecords(await scanPcap(path, opts, () => visit), records);
}

/** `scanPcap` over a classic pcap held in memory; `name` prefixes the messages. */
export async function scanPcapBytes(
  bytes: Uint8Array,
  name: string,
  opts: PcapReadOptions,
  start: (header: PcapHeader) => PcapVisitor,
): Promise<Result<PcapScan>> {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  const g = parseGlobalHeader(name, buf.subarray(0, PCAP_GLOBAL_HEADER_LENGTH), opts);
  if (!g.ok) return g;
  return decodeRecords(name, g.value, [buf.subarray(PCAP_GLOBAL_HEADER_LENGTH)], start(g.value));
}

/** Decodes a classic pcap held in memory; `name` prefixes the messages. Never throws or rejects. */
export async function decodePcap(
  bytes: Uint8Array,
  name = '<pcap>',
  opts: PcapReadOptions = {},
): Promise<Result<PcapTrace>> {
  const { records, visit } = keepingAll();
  try {
    return withRecords(await scanPcapBytes(bytes, name, opts, () => visit), records);
  } catch (e) {
    return fail(`${name}: ${e instanceof Error ? e.message : String(e)}`);
  }
}
