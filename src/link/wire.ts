// The wire: cap (libpcap) on the veth peer, injecting crafted frames and
// capturing what the kernel sends.

import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

interface CapHandle {
  open(device: string, filter: string, bufSize: number, buffer: Buffer): string;
  send(buffer: Buffer, length?: number): void;
  close(): void;
  on(event: 'packet', cb: (nbytes: number, truncated: boolean) => void): void;
  removeAllListeners(event?: string): void;
}

export interface CapturedFrame {
  bytes: Uint8Array;
  /** CLOCK_MONOTONIC nanoseconds when the frame reached us. */
  timeNs: bigint;
}

export class WireError extends Error {}

const SNAP = 65536;
const KERNEL_BUFFER = 8 * 1024 * 1024;

export class Wire {
  private readonly cap: CapHandle;
  // cap keeps no reference to this Buffer; libpcap writes into it for the
  // life of the capture, so it must live exactly as long as this object.
  private readonly buffer = Buffer.alloc(SNAP);
  private closed = false;

  constructor(
    device: string,
    filter: string,
    onFrame: (frame: CapturedFrame) => void,
  ) {
    let Cap: new () => CapHandle;
    try {
      Cap = (require('cap') as { Cap: new () => CapHandle }).Cap;
    } catch (e) {
      throw new WireError(`libpcap binding 'cap' is not built (${(e as Error).message.split('\n')[0]}): run npm ci`);
    }
    this.cap = new Cap();
    let link: string;
    try {
      link = this.cap.open(device, filter, KERNEL_BUFFER, this.buffer);
    } catch (e) {
      throw new WireError(`cannot capture on ${device}: ${(e as Error).message}`);
    }
    if (link !== 'ETHERNET') throw new WireError(`${device}: link type ${link}, expected ETHERNET`);
    this.cap.on('packet', (nbytes: number) => {
      const timeNs = process.hrtime.bigint();
      onFrame({ bytes: Uint8Array.prototype.slice.call(this.buffer, 0, nbytes), timeNs });
    });
  }

  /**
   * Inject one Ethernet frame; returns the CLOCK_MONOTONIC time it was handed
   * to the kernel (the veth delivers it to the stack within the same call).
   */
  send(frame: Uint8Array): bigint {
    const b = Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength);
    const t = process.hrtime.bigint();
    this.cap.send(b, b.length);
    return t;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.cap.removeAllListeners('packet');
    this.cap.close();
  }
}
