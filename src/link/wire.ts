// The wire: a tun device as the kernel's interface (packetdrill's device),
// driven by the native addon (src/link/native/tun.cc). Frames are injected
// by writing to the tun fd; a packet socket on the device receives both
// directions, each frame stamped by the kernel, and the event loop itself
// watches it.
//
// The rest of pktdrill speaks Ethernet frames (decoding, pcaps), so the
// wire adds and removes a fixed Ethernet header: the kernel's side has
// KERNEL_MAC, the remote's WIRE_MAC. A tun device itself has no link layer
// (and so no ARP or neighbour discovery).

import { native } from '../syscalls/index.js';

export interface CapturedFrame {
  bytes: Uint8Array;
  /** CLOCK_MONOTONIC nanoseconds: the kernel's own time for this frame. */
  timeNs: bigint;
  /** Sent by the kernel (else a frame it took in: one we injected). */
  outgoing: boolean;
  /** A TSO/GSO super-segment's segment size (the MSS TCP used), else 0. */
  gsoSize: number;
}

export class WireError extends Error {}

interface NativeFrame {
  bytes: Buffer;
  timeNs: bigint;
  outgoing: boolean;
  gsoSize: number;
}

interface NativeTun {
  open(name: string, offloads: number, onFrames: (frames: NativeFrame[], err: number) => void): void;
  send(packet: Uint8Array): bigint;
  pump(): void;
  close(): void;
  TUN_F_CSUM: number;
  TUN_F_TSO4: number;
  TUN_F_TSO6: number;
  TUN_F_TSO_ECN: number;
}

const ETH_HLEN = 14;
const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_IPV6 = 0x86dd;

function macBytes(mac: string): Uint8Array {
  return Uint8Array.from(mac.split(':').map((h) => parseInt(h, 16)));
}

export interface WireOptions {
  /** Interface name of the kernel's side. */
  device: string;
  /** TSO4/TSO6 and checksum offload, as packetdrill's tun has them. */
  offloads: boolean;
  kernelMac: string;
  wireMac: string;
}

export class Wire {
  private readonly tun: NativeTun;
  private closed = false;
  /** Ethernet headers for each direction, made once. */
  private readonly outHeader4: Uint8Array;
  private readonly outHeader6: Uint8Array;
  private readonly onExit = (): void => this.close();

  constructor(opts: WireOptions, onFrame: (frame: CapturedFrame) => void, onError: (message: string) => void) {
    try {
      this.tun = (native() as unknown as { tun: NativeTun }).tun;
    } catch (e) {
      throw new WireError((e as Error).message);
    }
    const kernel = macBytes(opts.kernelMac);
    const remote = macBytes(opts.wireMac);
    const header = (dst: Uint8Array, src: Uint8Array, type: number): Uint8Array => {
      const h = new Uint8Array(ETH_HLEN);
      h.set(dst, 0);
      h.set(src, 6);
      h[12] = type >> 8;
      h[13] = type & 0xff;
      return h;
    };
    this.outHeader4 = header(remote, kernel, ETHERTYPE_IPV4);
    this.outHeader6 = header(remote, kernel, ETHERTYPE_IPV6);
    const inHeader4 = header(kernel, remote, ETHERTYPE_IPV4);
    const inHeader6 = header(kernel, remote, ETHERTYPE_IPV6);
    const t = this.tun;
    const offloads = opts.offloads ? t.TUN_F_CSUM | t.TUN_F_TSO4 | t.TUN_F_TSO6 | t.TUN_F_TSO_ECN : 0;
    try {
      t.open(opts.device, offloads, (frames, err) => {
        for (const f of frames) {
          const v6 = f.bytes.length > 0 && f.bytes[0]! >> 4 === 6;
          const h = f.outgoing ? (v6 ? this.outHeader6 : this.outHeader4) : v6 ? inHeader6 : inHeader4;
          const bytes = new Uint8Array(ETH_HLEN + f.bytes.length);
          bytes.set(h, 0);
          bytes.set(f.bytes, ETH_HLEN);
          onFrame({ bytes, timeNs: f.timeNs, outgoing: f.outgoing, gsoSize: f.gsoSize });
        }
        if (err) onError(`capture on ${opts.device} failed: errno ${err}`);
      });
    } catch (e) {
      throw new WireError(`cannot make the wire ${opts.device}: ${(e as Error).message}`);
    }
    process.once('exit', this.onExit);
  }

  /**
   * Inject one Ethernet frame (its header is dropped: the tun takes the IP
   * packet, with an empty virtio-net header, as packetdrill writes it; a
   * tun takes a packet larger than its MTU as it is). Returns the
   * CLOCK_MONOTONIC time just before the write; the kernel takes the packet
   * in within that call.
   */
  send(frame: Uint8Array): bigint {
    return this.tun.send(frame.subarray(ETH_HLEN));
  }

  /** Deliver at once what the kernel has sent so far (before a wait). */
  pump(): void {
    if (!this.closed) this.tun.pump();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    process.removeListener('exit', this.onExit);
    this.tun.close();
  }
}
