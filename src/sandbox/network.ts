// Child side of the sandbox: the wire inside the script's own network namespace.
//
//   kernel under test ── tun0 (local address) ══ tun fd + packet socket (src/link)
//
// The kernel's side is a tun device named `tun0`, as packetdrill's is, with
// the same flags and offloads (src/link/native/tun.cc makes it), so what
// TCP sends through it is what packetdrill's scripts expect, and scripts
// that tune it (`ethtool -K tun0 ...`, `tc qdisc add dev tun0 root pfifo`)
// work unchanged. A tun device has no link layer: no ARP, no neighbour
// discovery. No qdisc of our own beyond the kernel's default for it.

import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { KERNEL_MAC, WIRE_MAC } from '../link/macs.js';

export const KERNEL_IF = 'tun0';
/** Fixed, locally administered MACs: stable captures, easy to read (src/link/macs.ts). */
export { KERNEL_MAC, WIRE_MAC };

export interface NetworkConfig {
  /** 4, 6, or 'mapped' (IPv4 on the wire, IPv4-mapped IPv6 in the socket API). */
  family: 4 | 6;
  localIp: string;
  remoteIp: string;
  /** Prefix length of the local address (packetdrill: 192.168.0.1/16). */
  prefixLen: number;
  mtu: number;
  /** A gateway on the local subnet through which the remote is reached, or null for on-link. */
  gatewayIp: string | null;
}

export interface Network {
  kernelIf: string;
  kernelMac: string;
  wireMac: string;
  /** The route to the remote address, as `ip route add` took it. */
  route: { family: '-4' | '-6'; spec: string };
}

export class SandboxError extends Error {}

function run(cmd: string, args: string[], input?: string): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', input, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
  } catch (e) {
    const err = e as { stderr?: string; code?: string; message: string };
    if (err.code === 'ENOENT') throw new SandboxError(`sandbox set-up: '${cmd}' is not installed`);
    const detail = (err.stderr ?? err.message).trim().split('\n')[0];
    throw new SandboxError(`sandbox set-up: '${cmd} ${args.join(' ')}' failed: ${detail}`);
  }
}

/** Write a sysctl of this namespace directly (no process per setting). */
function sysctl(name: string, value: string | number): void {
  const path = `/proc/sys/${name.replace(/\./g, '/')}`;
  try {
    writeFileSync(path, String(value));
  } catch (e) {
    throw new SandboxError(`sandbox set-up: cannot set ${name}=${value}: ${(e as Error).message}`);
  }
}

/**
 * Configure the wire's device (the tun0 that src/link made) and the
 * namespace around it. Must run inside the script's fresh network namespace.
 */
export function setUpNetwork(cfg: NetworkConfig): Network {
  const v = cfg.family === 6 ? '-6' : '-4';
  if (cfg.family === 4) {
    sysctl(`net/ipv6/conf/${KERNEL_IF}/disable_ipv6`, 1);
  } else {
    sysctl(`net/ipv6/conf/${KERNEL_IF}/accept_dad`, 0);
    sysctl(`net/ipv6/conf/${KERNEL_IF}/router_solicitations`, 0);
  }
  // A gateway that is the local address itself (the kernel selftests pass
  // --gateway_ip=192.168.0.1 with the same local address) means on-link.
  // Another gateway is taken as packetdrill takes it: the route goes via it
  // (on a tun device nothing is ever asked of it).
  const gateway = cfg.gatewayIp && cfg.gatewayIp.toLowerCase() !== cfg.localIp.toLowerCase() ? cfg.gatewayIp : null;
  const route = `${cfg.remoteIp}${gateway ? ` via ${gateway}` : ''} dev ${KERNEL_IF}${gateway ? ' onlink' : ''}`;
  // One `ip` process for everything, in order.
  const batch = [
    'link set lo up',
    `link set ${KERNEL_IF} mtu ${cfg.mtu} up`,
    `addr add ${cfg.localIp}/${cfg.prefixLen} dev ${KERNEL_IF}${cfg.family === 6 ? ' nodad' : ''}`,
    `route add ${route}`,
  ];
  run('ip', [v, '-batch', '-'], batch.join('\n') + '\n');
  return { kernelIf: KERNEL_IF, kernelMac: KERNEL_MAC, wireMac: WIRE_MAC, route: { family: v, spec: route } };
}

/** Interfaces of the current namespace, from `ip -j` (sysfs may show another namespace's). */
export function listInterfaces(): string[] {
  const out = run('ip', ['-j', 'link', 'show']);
  return (JSON.parse(out) as Array<{ ifname: string }>).map((l) => l.ifname);
}
