// packetdrill's ICMP names → type and code numbers, for IPv4 and IPv6: the
// same names packetdrill knows, no more (an IPv6 script's `unreachable
// frag_needed` or `host_unreachable` is an error there, as here), and its
// `type_N` / `code_N` notation.

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
  net_unreachable: 0,
  no_route: 0,
  admin_prohibited: 1,
  not_neighbour: 2,
  address_unreachable: 3,
  port_unreachable: 4,
};

const V6_TIME_EXCEEDED: Record<string, number> = { exceeded_hop_limit: 0, exceeded_frag_time: 1 };
const V6_PARAMPROB: Record<string, number> = { header_field: 0, unknown_next_header: 1, unknown_option: 2 };

/** The code names of one type, by family and type number. */
function codeTable(family: 4 | 6, type: number): Record<string, number> {
  if (family === 4) return type === 3 ? V4_UNREACH : {};
  return type === 1 ? V6_UNREACH : type === 3 ? V6_TIME_EXCEEDED : type === 4 ? V6_PARAMPROB : {};
}

/** Numbers for a script's `icmp TYPE [CODE]`, or an error message (packetdrill's words). */
export function icmpCode(family: 4 | 6, type: string, code: string | null): IcmpCode | string {
  const typeN = /^type_(\d+)$/.exec(type);
  const t = typeN ? Number(typeN[1]) : (family === 4 ? V4_TYPES : V6_TYPES)[type];
  if (t === undefined || t > 255) return `bad ICMP type ${type}`;
  if (code === null) return { type: t, code: 0 };
  const codeN = /^(?:code_)?(\d+)$/.exec(code);
  const c = codeN ? Number(codeN[1]) : codeTable(family, t)[code];
  if (c === undefined || c > 255) return `bad ICMP code ${code}`;
  return { type: t, code: c };
}

/** Names for numbers, for printing what the kernel sent. */
export function icmpName(family: 4 | 6, type: number, code: number): string {
  const types = family === 4 ? V4_TYPES : V6_TYPES;
  const tn = Object.keys(types).find((k) => types[k] === type) ?? String(type);
  const codes = codeTable(family, type);
  const cn = Object.keys(codes).find((k) => codes[k] === code);
  return cn ? `${tn} ${cn}` : code ? `${tn} ${code}` : tn;
}
