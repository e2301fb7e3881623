// The two ends of the test link have fixed, locally administered MACs: stable
// captures, easy to read. The sandbox gives them to its veth pair; a rendered
// script's frames carry them too.

/** The kernel's interface (tun0). */
export const KERNEL_MAC = '02:70:6b:00:00:01';
/** The tool's side, where frames are injected and captured. */
export const WIRE_MAC = '02:70:6b:00:00:02';
