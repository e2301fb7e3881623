// The two ends of the test link have fixed, locally administered MACs: stable
// captures, easy to read. tun0 has no link layer: the wire (src/link/wire.ts)
// puts them in the Ethernet header it adds to every frame it captures; a
// rendered script's frames carry them too.

/** The kernel's interface (tun0). */
export const KERNEL_MAC = '02:70:6b:00:00:01';
/** The tool's side, where frames are injected and captured. */
export const WIRE_MAC = '02:70:6b:00:00:02';
