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

/** One libpcap handle: its buffer lives exactly as long as the handle. */
class Handle {
  readonly cap: CapHandle;
  // cap keeps no reference to this Buffer; libpcap writes into it for the
  // life of the capture, so it must live exactly as long as this object.
  readonly buffer = Buffer.alloc(SNAP);

  constructor(Cap: new () => CapHandle, device: string, filter: string) {
    this.cap = new Cap();
    let link: string;
    try {
      link = this.cap.open(device, filter, KERNEL_BUFFER, this.buffer);
    } catch (e) {
      throw new WireError(`cannot capture on ${device}: ${(e as Error).message}`);
    }
    if (link !== 'ETHERNET') throw new WireError(`${device}: link type ${link}, expected ETHERNET`);
  }
}

/**
 * Frames are injected on the wire's end (`veth1`, as the remote peer) and
 * captured on the kernel's own interface (`tun0`) as it transmits: a packet
 * tap on the sending side sees each frame synchronously in the kernel's
 * transmit path, so its capture time is not delayed by the receive softirq
 * of the other end, which a loaded machine defers.
 */
export class Wire {
  private readonly inject: Handle;
  private readonly capture: Handle;
  private closed = false;

  constructor(
    injectDevice: string,
    captureDevice: string,
    filter: string,
    onFrame: (frame: CapturedFrame) => void,
  ) {
    let Cap: new () => CapHandle;
    try {
      Cap = (require('cap') as { Cap: new () => CapHandle }).Cap;
    } catch (e) {
      throw new WireError(`libpcap binding 'cap' is not built (${(e as Error).message.split('\n')[0]}): run npm ci`);
    }
    this.capture = new Handle(Cap, captureDevice, filter);
    // The injecting handle captures nothing ('less 1' matches no frame).
    this.inject = injectDevice === captureDevice ? this.capture : new Handle(Cap, injectDevice, 'less 1');
    const buf = this.capture.buffer;
    this.capture.cap.on('packet', (nbytes: number) => {
      const timeNs = process.hrtime.bigint();
      onFrame({ bytes: Uint8Array.prototype.slice.call(buf, 0, nbytes), timeNs });
    });
  }

  /**
   * Inject one Ethernet frame; returns the CLOCK_MONOTONIC time it was handed
   * to the kernel (the veth delivers it to the stack within the same call).
   */
  send(frame: Uint8Array): bigint {
    const b = Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength);
    const t = process.hrtime.bigint();
    this.inject.cap.send(b, b.length);
    return t;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.capture.cap.removeAllListeners('packet');
    this.capture.cap.close();
    if (this.inject !== this.capture) this.inject.cap.close();
  }
}
