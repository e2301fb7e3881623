// What a run found. The engine fills these in; reports turn them into text.

import type { Span } from '../script/ast.js';

/** A packet as the reports print it: script-relative numbers, already mapped. */
export interface PacketView {
  /** Script time of the packet, microseconds. */
  timeUsecs: number;
  direction: 'inbound' | 'outbound';
  proto: 'tcp' | 'udp' | 'icmp' | 'other';
  srcPort?: number;
  dstPort?: number;
  /** Ports as written when they are a flood's range: `41000..41199>8080`. */
  portsText?: string;
  /** TCP flags in packetdrill letters, e.g. "S.", "P.", "F." */
  flags?: string;
  seq?: number;
  end?: number;
  len: number;
  ack?: number | null;
  win?: number | null;
  urg?: number | null;
  /** Options rendered packetdrill's way, null when not given; '...' when skipped. */
  options?: string | null;
  /** The whole frame (for pcaps and the HTML ladder), when one exists. */
  frame?: Uint8Array;
  /** Extra words after the packet, e.g. "(ecn ce)". */
  extra?: string;
}

export type FailureKind =
  | 'packet' // a live packet differs from the script
  | 'timing' // an event happened outside its window
  | 'missing' // an expected packet never came
  | 'syscall' // a call returned something else
  | 'command' // a backtick command failed
  | 'code' // a %{ }% block failed
  | 'setup' // namespace, wire, or a script error found at run time
  | 'deadline'; // the script ran past its deadline

export interface Failure {
  kind: FailureKind;
  /** The script line the failure belongs to. */
  span: Span | null;
  /** The packetdrill-shaped message without the `file:line: ` prefix. */
  message: string;
  scriptPacket?: PacketView;
  actualPacket?: PacketView;
  /** Extra lines worth showing (a command's output, a listener's log). */
  detail?: string;
  /** A shell command's failure: the command, as the script has it. */
  command?: string;
  /** The wait for a separate listener failed: why, and what listened instead. */
  listener?: ListenerWait;
}

/**
 * A kernel-state call's reading: `text` as the script would write it
 * (`{recv_q=0, send_q=5, syn_recv=6}`, `4`), `fields` the same by name (a
 * single value is `value`).
 */
export interface KernelRead {
  text: string;
  fields: Record<string, string>;
}

/** Why a separate listener was not found where the script's packets go. */
export interface ListenerWait {
  /** `ended`: the program exited first; `wrong-address`: the port listens, not on the local address; `none`: nothing within 10 s. */
  outcome: 'ended' | 'wrong-address' | 'none';
  /** The addresses the port listens on (`wrong-address`). */
  addresses: string[];
  /** What listens on other ports or addresses, `addr:port` (`[addr]:port` for IPv6). */
  elsewhere: string[];
}

/** One thing that happened, for -v, the HTML ladder and the JSON report. */
export interface TraceEntry {
  /** Script time, microseconds. */
  timeUsecs: number;
  /** The script time the event was due (or its window start). */
  expectedUsecs?: number;
  line: number | null;
  kind: 'inbound' | 'outbound' | 'syscall' | 'command' | 'code' | 'note';
  text: string;
  packet?: PacketView;
  /** What a kernel-state call read: as the trace shows it, and field by field. */
  read?: KernelRead;
  ok: boolean;
}

export interface Verdict {
  file: string;
  passed: boolean;
  failures: Failure[];
  trace: TraceEntry[];
  durationMs: number;
  seed: number;
  /** Where the run's capture was written, if it was. */
  pcap?: string;
  /**
   * The congestion control each of the script's connections ran, in the
   * order they were made (TCP_CONGESTION after accept or connect): a host
   * may refuse the algorithm a script asks for (packetdrill then runs the
   * host's default without a word).
   */
  congestionControl?: Array<{ line: number; algorithm: string }>;
}
