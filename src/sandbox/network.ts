// Child side of the sandbox: the wire inside the script's own network namespace.
//
//   kernel under test ── tun0 (local address) ══ veth1 ── cap (inject + capture)
//
// The kernel's side is a veth named `tun0`, the name packetdrill's tun device
// has, so scripts that tune it (`ethtool -K tun0 ...`, `tc qdisc add dev tun0
// root fq`) work unchanged.
//
// Offloads off so a captured frame is one real segment with a real checksum;
// No qdisc of our own: a veth has none (noqueue), so nothing is queued or
// paced, and a script may install its own. A permanent neighbour entry so
// there is no ARP/ND.

import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';

export const KERNEL_IF = 'tun0';
export const WIRE_IF = 'veth1';
/** Fixed, locally administered MACs: stable captures, easy to read. */
export const KERNEL_MAC = '02:70:6b:00:00:01';
export const WIRE_MAC = '02:70:6b:00:00:02';

export interface NetworkConfig {
  /** 4, 6, or 'mapped' (IPv4 on the wire, IPv4-mapped IPv6 in the socket API). */
  family: 4 | 6;
  localIp: string;
  remoteIp: string;
  /** Prefix length of the local address (packetdrill: 192.168.0.1/16). */
  prefixLen: number;
  mtu: number;
  /**
   * Keep TSO/GSO and checksum offload on the kernel's side, as packetdrill's
   * tun device has them: the kernel then sends super-segments (one per write,
   * up to 64 KB) and their TCP checksums are left partial.
   */
  offloads: boolean;
  /** A gateway on the local subnet through which the remote is reached, or null for on-link. */
  gatewayIp: string | null;
  /**
   * The MTU of the two veth ends when the script injects packets larger
   * than `mtu` (packetdrill's tun takes them as GSO writes): the links take
   * frames up to this size while the route to the remote keeps `mtu`, so
   * what the kernel sends and the MSS it announces are those of `mtu`.
   */
  linkMtu?: number;
}

export interface Network {
  kernelIf: string;
  wireIf: string;
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

/** Build the veth wire. Must run inside the script's fresh network namespace. */
export function setUpNetwork(cfg: NetworkConfig): Network {
  const v = cfg.family === 6 ? '-6' : '-4';
  const linkMtu = Math.max(cfg.mtu, cfg.linkMtu ?? cfg.mtu);
  // With a larger link MTU the route carries the script's MTU (not locked,
  // so ICMP "fragmentation needed" can still lower it).
  const routeMtu = linkMtu > cfg.mtu ? ` mtu ${cfg.mtu}` : '';
  // One `ip` process for everything, in order.
  const batch = [
    'link set lo up',
    `link add ${KERNEL_IF} address ${KERNEL_MAC} mtu ${linkMtu} type veth peer name ${WIRE_IF} address ${WIRE_MAC} mtu ${linkMtu}`,
  ];
  run('ip', ['-batch', '-'], batch.join('\n') + '\n');
  // The wire side never speaks for itself: no IPv6 link-local, no router solicitations, no MLD.
  sysctl(`net/ipv6/conf/${WIRE_IF}/disable_ipv6`, 1);
  if (cfg.family === 4) {
    sysctl(`net/ipv6/conf/${KERNEL_IF}/disable_ipv6`, 1);
  } else {
    sysctl(`net/ipv6/conf/${KERNEL_IF}/accept_dad`, 0);
    sysctl(`net/ipv6/conf/${KERNEL_IF}/router_solicitations`, 0);
  }
  for (const dev of cfg.offloads ? [] : [KERNEL_IF, WIRE_IF]) {
    run('ethtool', ['-K', dev, 'tso', 'off', 'gso', 'off', 'gro', 'off', 'tx', 'off', 'rx', 'off']);
  }
  if (cfg.offloads) {
    run('ethtool', ['-K', KERNEL_IF, 'tso', 'on', 'gso', 'on', 'tx', 'on']);
    run('ethtool', ['-K', WIRE_IF, 'gro', 'on', 'rx', 'on']);
  }
  // A gateway that is the local address itself (the kernel selftests pass
  // --gateway_ip=192.168.0.1 with the same local address) means nothing on
  // packetdrill's tun, which has no link layer: here the remote is on-link.
  const gateway = cfg.gatewayIp && cfg.gatewayIp.toLowerCase() !== cfg.localIp.toLowerCase() ? cfg.gatewayIp : null;
  const neighbour = gateway ?? cfg.remoteIp;
  const route = `${cfg.remoteIp}${gateway ? ` via ${gateway}` : ''} dev ${KERNEL_IF}${routeMtu}`;
  const ipRest = [
    `link set ${WIRE_IF} up`,
    `link set ${KERNEL_IF} up`,
    `addr add ${cfg.localIp}/${cfg.prefixLen} dev ${KERNEL_IF}${cfg.family === 6 ? ' nodad' : ''}`,
    `route add ${route}`,
    `neigh replace ${neighbour} lladdr ${WIRE_MAC} dev ${KERNEL_IF} nud permanent`,
  ];
  run('ip', [v, '-batch', '-'], ipRest.join('\n') + '\n');
  return { kernelIf: KERNEL_IF, wireIf: WIRE_IF, kernelMac: KERNEL_MAC, wireMac: WIRE_MAC, route: { family: v, spec: route } };
}

/** Interfaces of the current namespace, from `ip -j` (sysfs may show another namespace's). */
export function listInterfaces(): string[] {
  const out = run('ip', ['-j', 'link', 'show']);
  return (JSON.parse(out) as Array<{ ifname: string }>).map((l) => l.ifname);
}
