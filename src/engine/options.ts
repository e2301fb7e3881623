// Options, from the command line or a script's `--name=value` lines, applied
// to a RunConfig. packetdrill's names; an unknown one names the closest.

import { closest, KNOWN_OPTIONS } from '../script/known.js';
import { DEFAULTS, IPV6_DEFAULTS, netmaskToPrefix, type RunConfig } from './config.js';

export interface OptionSpec {
  name: string;
  /** Takes a value (`--name=value`), or is a flag: from the one list of names (script/known.ts). */
  value: boolean;
  help: string;
  apply: (cfg: RunConfig, value: string, explicit: Set<string>) => string | null;
}

function intIn(name: string, v: string, min: number, max: number, set: (n: number) => void): string | null {
  if (!/^-?\d+$/.test(v)) return `bad --${name}: '${v}' is not an integer`;
  const n = Number(v);
  if (n < min || n > max) return `bad --${name}: ${n} is not in ${min}..${max}`;
  set(n);
  return null;
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
function isIp(v: string): boolean {
  const m = IPV4.exec(v);
  if (m) return m.slice(1).every((x) => Number(x) <= 255);
  return /^[0-9a-fA-F:]+(:\d+\.\d+\.\d+\.\d+)?$/.test(v) && v.includes(':');
}

type OwnSpec = Omit<OptionSpec, 'value'>;

function ipOption(name: string, key: 'localIp' | 'remoteIp' | 'gatewayIp'): OwnSpec {
  return {
    name,
    help: `the ${name.replace('_ip', '')} address`,
    apply: (cfg, v, explicit) => {
      if (!isIp(v)) return `bad --${name}: '${v}' is not an IP address`;
      cfg[key] = v;
      explicit.add(key);
      return null;
    },
  };
}

function accepted(name: string, help: string): OwnSpec {
  return { name, help, apply: () => null };
}

/** What each option does; an option of the list without an entry here is accepted and ignored. */
const OWN: OwnSpec[] = [
  {
    name: 'ip_version',
    help: 'ipv4 | ipv6 | ipv4-mapped-ipv6',
    apply: (cfg, v) => {
      if (v !== 'ipv4' && v !== 'ipv6' && v !== 'ipv4-mapped-ipv6') return `bad --ip_version: '${v}'; expected ipv4, ipv6 or ipv4-mapped-ipv6`;
      cfg.ipVersion = v;
      return null;
    },
  },
  ipOption('local_ip', 'localIp'),
  ipOption('remote_ip', 'remoteIp'),
  ipOption('gateway_ip', 'gatewayIp'),
  {
    name: 'netmask_ip',
    help: 'the local netmask, e.g. 255.255.0.0',
    apply: (cfg, v, explicit) => {
      const p = netmaskToPrefix(v);
      if (p === null) return `bad --netmask_ip: '${v}' is not a netmask`;
      cfg.prefixLen = p;
      explicit.add('prefixLen');
      return null;
    },
  },
  { name: 'bind_port', help: 'the local port a listener binds (8080)', apply: (c, v) => intIn('bind_port', v, 1, 65535, (n) => (c.bindPort = n)) },
  { name: 'connect_port', help: 'the remote port connect() reaches (8080)', apply: (c, v) => intIn('connect_port', v, 1, 65535, (n) => (c.connectPort = n)) },
  { name: 'tolerance_usecs', help: 'timing tolerance in µs (4000)', apply: (c, v) => intIn('tolerance_usecs', v, 1, 1e9, (n) => (c.toleranceUsecs = n)) },
  {
    name: 'tolerance_percent',
    help: 'tolerance as a percentage of the time since the last event (12.5)',
    apply: (c, v) => {
      const n = Number(v);
      if (!Number.isFinite(n) || n < 0 || n > 100) return `bad --tolerance_percent: '${v}'; expected 0..100`;
      c.tolerancePercent = n;
      return null;
    },
  },
  { name: 'mtu', help: 'MTU of the test interface (1500)', apply: (c, v) => intIn('mtu', v, 68, 65535, (n) => (c.mtu = n)) },
  accepted('mss', 'accepted for packetdrill compatibility (GSO size of injected packets)'),
  {
    name: 'offloads',
    help: "on (or auto, the default): TSO/GSO and checksum offload on tun0, as packetdrill's tun; off: real segments with real checksums",
    apply: (c, v) => {
      if (v !== 'on' && v !== 'off' && v !== 'auto') return `bad --offloads: '${v}'; expected auto, on or off`;
      c.offloads = v;
      return null;
    },
  },
  {
    name: 'define',
    help: 'NAME=value: a symbol for expressions and commands',
    apply: (c, v) => {
      const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(v);
      if (!m) return `bad --define: '${v}'; expected NAME=value`;
      c.defines[m[1]!] = m[2]!;
      return null;
    },
  },
  { name: 'strict_segments', help: 'each outbound segment as the script has it (no aggregation of TSO segments)', apply: (c) => ((c.strictSegments = true), null) },
  { name: 'non_fatal', help: 'keep going after a failure and report them all', apply: (c) => ((c.nonFatal = true), null) },
  accepted('dry_run', 'parse and check only'),
  accepted('send_omit_free', 'accepted and ignored'),
  { name: 'tcp_ts_tick_usecs', help: 'check outbound TS val with this tick (0: unchecked)', apply: (c, v) => intIn('tcp_ts_tick_usecs', v, 0, 1e9, (n) => (c.tsTickUsecs = n)) },
  { name: 'tcp_ts_ecr_scaled', help: 'infer inbound TS ecr from the first outbound TS val', apply: (c) => ((c.tsEcrScaled = true), null) },
  { name: 'seed', help: 'seed for the tool\'s ISNs and ports (printed with -v)', apply: (c, v) => intIn('seed', v, 0, 2 ** 32 - 1, (n) => (c.seed = n)) },
  { name: 'deadline', help: 'give up on a script after this many seconds', apply: (c, v) => intIn('deadline', v, 1, 86400, (n) => (c.deadlineSecs = n)) },
  accepted('verbose', 'print every packet and call (-v)'),
  accepted('init_scripts', 'accepted for compatibility'),
  accepted('wire_client', 'remote mode: not supported, ignored'),
  accepted('wire_server', 'remote mode: not supported, ignored'),
  accepted('wire_server_ip', 'remote mode: not supported, ignored'),
  accepted('wire_server_port', 'remote mode: not supported, ignored'),
  accepted('wire_client_dev', 'remote mode: not supported, ignored'),
  accepted('wire_server_dev', 'remote mode: not supported, ignored'),
  accepted('speed', 'accepted for compatibility'),
  accepted('persistent_tun_dev', 'accepted for compatibility'),
  accepted('so_filename', 'accepted for compatibility'),
  accepted('so_flags', 'accepted for compatibility'),
];

/** Whether the option takes a value on the command line and in a script's option lines. */
function takesValue(name: string): boolean {
  const known = KNOWN_OPTIONS.get(name);
  if (known === undefined) throw new Error(`option --${name} is not in KNOWN_OPTIONS (src/script/known.ts)`);
  return known.value === 'required' && known.flagOnCommandLine !== true;
}

export const OPTIONS: OptionSpec[] = [
  ...OWN,
  ...[...KNOWN_OPTIONS.keys()].filter((name) => !OWN.some((o) => o.name === name)).map((name) => accepted(name, 'accepted for compatibility, ignored')),
].map((o) => ({ ...o, value: takesValue(o.name) }));

export function findOption(name: string): OptionSpec | undefined {
  if (name === 'D') return OPTIONS.find((o) => o.name === 'define');
  return OPTIONS.find((o) => o.name === name);
}

/** Apply `--name[=value]`; an error message, or null. */
export function applyOption(cfg: RunConfig, name: string, value: string | null, explicit: Set<string>): string | null {
  const spec = findOption(name);
  if (!spec) {
    const near = closest(name, OPTIONS.map((o) => o.name));
    return `unknown option --${name}${near ? `; did you mean --${near}?` : ''}`;
  }
  if (spec.value && value === null) return `option --${name} needs a value (--${name}=...)`;
  return spec.apply(cfg, value ?? '', explicit);
}

/** After all options: fill in the family's default addresses where none were given. */
export function finishConfig(cfg: RunConfig, explicit: Set<string>): RunConfig {
  if (cfg.ipVersion === 'ipv6') {
    if (!explicit.has('localIp')) cfg.localIp = IPV6_DEFAULTS.localIp;
    if (!explicit.has('remoteIp')) cfg.remoteIp = IPV6_DEFAULTS.remoteIp;
    if (!explicit.has('prefixLen')) cfg.prefixLen = IPV6_DEFAULTS.prefixLen;
  }
  return cfg;
}

export function newConfig(): RunConfig {
  return { ...DEFAULTS, defines: {} };
}
