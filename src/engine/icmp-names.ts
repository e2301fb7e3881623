// packetdrill's ICMP names → type and code numbers, for IPv4 and IPv6.
// In an IPv6 script `unreachable frag_needed` means ICMPv6 Packet Too Big.

export interface IcmpCode {
  type: number;
  code: number;
}

const V4_TYPES: Record<string, number> = {
  echo_reply: 0,
  unreachable: 3,
  source_quench: 4,
  redirect: 5,
  echo_request: 8,
  time_exceeded: 11,
  parameter_problem: 12,
};

const V4_UNREACH: Record<string, number> = {
  net_unreachable: 0,
  host_unreachable: 1,
  protocol_unreachable: 2,
  port_unreachable: 3,
  frag_needed: 4,
  source_route_failed: 5,
  net_unknown: 6,
  host_unknown: 7,
  source_host_isolated: 8,
  net_prohibited: 9,
  host_prohibited: 10,
  net_unreachable_for_tos: 11,
  host_unreachable_for_tos: 12,
  packet_filtered: 13,
  precedence_violation: 14,
  precedence_cutoff: 15,
};

const V6_TYPES: Record<string, number> = {
  unreachable: 1,
  packet_too_big: 2,
  time_exceeded: 3,
  parameter_problem: 4,
  echo_request: 128,
  echo_reply: 129,
};

const V6_UNREACH: Record<string, number> = {
  no_route: 0,
  net_unreachable: 0,
  admin_prohibited: 1,
  beyond_scope: 2,
  address_unreachable: 3,
  host_unreachable: 3,
  port_unreachable: 4,
};

/** Numbers for a script's `icmp TYPE [CODE]`, or an error message. */
export function icmpCode(family: 4 | 6, type: string, code: string | null): IcmpCode | string {
  if (family === 6 && type === 'unreachable' && code === 'frag_needed') return { type: 2, code: 0 };
  const t = (family === 4 ? V4_TYPES : V6_TYPES)[type];
  if (t === undefined) return `unknown ICMP${family === 6 ? 'v6' : ''} type '${type}'`;
  if (code === null) return { type: t, code: 0 };
  if (/^\d+$/.test(code)) return { type: t, code: Number(code) };
  const table = (family === 4 && t === 3) || (family === 6 && t === 1) ? (family === 4 ? V4_UNREACH : V6_UNREACH) : {};
  const c = table[code];
  if (c === undefined) return `unknown ICMP${family === 6 ? 'v6' : ''} code '${code}' for type '${type}'`;
  return { type: t, code: c };
}

/** Names for numbers, for printing what the kernel sent. */
export function icmpName(family: 4 | 6, type: number, code: number): string {
  const types = family === 4 ? V4_TYPES : V6_TYPES;
  const tn = Object.keys(types).find((k) => types[k] === type) ?? String(type);
  const codes = (family === 4 && type === 3) || (family === 6 && type === 1) ? (family === 4 ? V4_UNREACH : V6_UNREACH) : {};
  const cn = Object.keys(codes).find((k) => codes[k] === code);
  return cn ? `${tn} ${cn}` : code ? `${tn} ${code}` : tn;
}
