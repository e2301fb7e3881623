// Everything a run needs to know that is not in the events: addresses, ports,
// tolerances. Set from the command line and from a script's option lines.

export interface RunConfig {
  ipVersion: 'ipv4' | 'ipv6' | 'ipv4-mapped-ipv6';
  localIp: string;
  remoteIp: string;
  gatewayIp: string | null;
  /** Prefix length of the local address. */
  prefixLen: number;
  bindPort: number;
  connectPort: number;
  toleranceUsecs: number;
  tolerancePercent: number;
  mtu: number;
  /**
   * TSO/GSO and checksum offload on the kernel's tun device, as
   * packetdrill's tun always has them: 'on' (and 'auto', the default, the
   * same), or 'off' (the kernel segments and checksums in software).
   */
  offloads: 'auto' | 'on' | 'off';
  /** Symbols from -D NAME=value; visible to expressions and to commands' environment. */
  defines: Record<string, string>;
  /** packetdrill's --strict_segments: each outbound segment must be as the script has it, with no aggregation. */
  strictSegments: boolean;
  /** Keep going after a failure and report all of them (packetdrill's --non_fatal). */
  nonFatal: boolean;
  /** Seed for the tool's ISNs and ports; printed with -v so a run can be repeated. */
  seed: number;
  /** The default flow's remote port when the remote side opens. */
  defaultRemotePort: number;
  /** packetdrill's --tcp_ts_tick_usecs: 0 leaves outbound TS val unchecked. */
  tsTickUsecs: number;
  /** packetdrill's --tcp_ts_ecr_scaled. */
  tsEcrScaled: boolean;
  /** Where commands run (default: the script's directory). */
  commandDir: string | null;
  /** Give up on a script after this long (seconds); 0: derive from the script. */
  deadlineSecs: number;
}

export const DEFAULTS: Readonly<RunConfig> = {
  ipVersion: 'ipv4',
  localIp: '192.168.0.1',
  remoteIp: '192.0.2.1',
  gatewayIp: null,
  prefixLen: 16,
  bindPort: 8080,
  connectPort: 8080,
  toleranceUsecs: 4000,
  tolerancePercent: 12.5,
  mtu: 1500,
  offloads: 'auto',
  defines: {},
  nonFatal: false,
  strictSegments: false,
  seed: 0,
  defaultRemotePort: 0,
  deadlineSecs: 0,
  commandDir: null,
  tsTickUsecs: 0,
  tsEcrScaled: false,
};

/** packetdrill's IPv6 defaults (the kernel selftests use these too). */
export const IPV6_DEFAULTS = {
  localIp: 'fd3d:fa7b:d17d::1',
  remoteIp: 'fd3d:0a0b:17d6::1',
  prefixLen: 48,
};

export function netmaskToPrefix(mask: string): number | null {
  const parts = mask.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !(p >= 0 && p <= 255))) return null;
  const bits = parts.map((p) => p.toString(2).padStart(8, '0')).join('');
  if (!/^1*0*$/.test(bits)) return null;
  return bits.indexOf('0') === -1 ? 32 : bits.indexOf('0');
}
