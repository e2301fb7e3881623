// The AST of a .pkt script. Built by the grammar (grammar/pkt.peggy), which
// attaches a source span to every node and decides nothing else; meaning
// (checks, symbol values, time arithmetic) lives in src/script/.

/** A place in the source: 1-based line and column, end exclusive. */
export interface Span {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

export interface Node {
  span: Span;
}

/** The span of a node the tool made rather than read (a converted trace, an added command): it has no source. */
export const NO_SPAN: Span = Object.freeze({ line: 0, column: 0, endLine: 0, endColumn: 0 });

// ---------------------------------------------------------------- times

/** `0.100` absolute, `+0.1` relative to the previous event. */
export interface PointTime extends Node {
  kind: 'absolute' | 'relative';
  /** Microseconds, as written (relative ones are offsets). */
  usecs: number;
}

/** `*`: any time. */
export interface AnyTime extends Node {
  kind: 'any';
}

/** `0.1~0.2` or `+0.1~+0.2`: the event may happen anywhere in the window. */
export interface RangeTime extends Node {
  kind: 'range';
  start: PointTime;
  end: PointTime;
}

/** `+0...0.2`: a call that starts at `start` and returns at `end`. */
export interface BlockingTime extends Node {
  kind: 'blocking';
  start: PointTime;
  end: PointTime;
}

export type EventTime = PointTime | AnyTime | RangeTime | BlockingTime;

// ---------------------------------------------------------------- expressions
// Used by system call arguments and return values.

export type Expr =
  | IntExpr
  | EllipsisExpr
  | StringExpr
  | SymbolExpr
  | BinaryOrExpr
  | ArrayExpr
  | StructExpr
  | CallExpr
  | FieldExpr;

export interface IntExpr extends Node {
  kind: 'int';
  /** Exact integer value (bigint keeps 64-bit values exact). */
  value: bigint;
  /** How it was written, for messages: decimal or hex. */
  radix: 10 | 16;
}

/** `...`: the natural value (an address, a buffer, a length). */
export interface EllipsisExpr extends Node {
  kind: 'ellipsis';
}

/** `"text"`; `ellipsis` when written `"abc"...` (packetdrill's prefix form). */
export interface StringExpr extends Node {
  kind: 'string';
  value: string;
  ellipsis: boolean;
}

/** A symbolic constant such as `SOL_SOCKET`, `O_NONBLOCK`, `EINPROGRESS`. */
export interface SymbolExpr extends Node {
  kind: 'symbol';
  name: string;
}

/** `A|B|C` */
export interface BinaryOrExpr extends Node {
  kind: 'or';
  left: Expr;
  right: Expr;
}

/** `[1]`, `[1, 2]`, `[]` */
export interface ArrayExpr extends Node {
  kind: 'array';
  items: Expr[];
}

/** `{l_onoff=1, l_linger=0}` and `{fd=3, events=POLLIN}`. */
export interface StructExpr extends Node {
  kind: 'struct';
  fields: FieldExpr[];
  /** Every member in written order, present only when some member has no
   * name: `{..., 1000}` (an iovec), `{1, 2}`. Named members are FieldExprs. */
  items?: Expr[];
}

/** `name=value` inside a struct, or as a bare argument (`sa_family=AF_INET`). */
export interface FieldExpr extends Node {
  kind: 'field';
  name: string;
  value: Expr;
  /** `msg_iov(1)=[...]`, `msg_name(...)=...`: the arguments written after the name. */
  args?: Expr[];
}

/** `htons(8080)`, `inet_addr("192.0.2.1")`, `sockaddr(...)`: a function-like value. */
export interface CallExpr extends Node {
  kind: 'call';
  name: string;
  args: Expr[];
}

// ---------------------------------------------------------------- packets

export type Direction = 'inbound' | 'outbound';

/** One TCP option as written inside `<...>`. */
export type TcpOptionAst =
  | (Node & { kind: 'nop' })
  | (Node & { kind: 'eol' })
  | (Node & { kind: 'mss'; value: number })
  | (Node & { kind: 'wscale'; value: number })
  | (Node & { kind: 'sackOK' })
  | (Node & { kind: 'sack'; blocks: Array<{ start: number; end: number }> })
  | (Node & { kind: 'timestamp'; val: number; ecr: number })
  | (Node & { kind: 'fastopen'; cookie: string /* hex, may be empty */; exp: boolean })
  | (Node & { kind: 'md5'; digest?: string /* hex as written, when given */ })
  | (Node & {
      kind: 'generic';
      type: number;
      data: string /* hex */;
      /** The AccECN option as written (`ECN e1b 1 ceb 0 e0b 1`): kind 172 (order 0) or 174 (order 1). */
      accecn?: { order: 0 | 1; fields: AccEcnFieldAst[] };
    });

/** One AccECN counter as written: `e0b 1`, `ceb 0`, `e1b 1` (24 bits on the wire). */
export interface AccEcnFieldAst {
  name: 'e0b' | 'ceb' | 'e1b';
  value: number;
}

/** `[ect0]`, `[ect1]`, `[ce]`, `[ect01]`, `[noecn]` */
export type EcnAst = 'noecn' | 'ect0' | 'ect1' | 'ce' | 'ect01';

export interface IpAttrsAst {
  ecn?: EcnAst;
  tos?: number;
  flowlabel?: number;
  ttl?: number;
}

/** `40001>8080`; `41000..41199>8080` (a flood: one packet per port). */
export interface PortsAst {
  src: number;
  dst: number;
  /** Last port of a range on that side, or null. */
  srcEnd: number | null;
  dstEnd: number | null;
  span: Span;
}

export interface TcpPacketAst extends Node {
  kind: 'tcp';
  direction: Direction;
  /** Source and destination port as written (null: the default flow). */
  ports: PortsAst | null;
  /** Flag letters as written, e.g. "S", "S.", "P.", "F.", "R", "." */
  flags: string;
  /** Relative sequence numbers: start:end(len). */
  seq: { start: number; end: number; len: number };
  ack: number | null;
  win: number | null;
  urg: number | null;
  /** null: no `<...>` at all; 'any': `<...>` (do not check); else the list. */
  options: TcpOptionAst[] | 'any' | null;
  ip: IpAttrsAst;
  /**
   * `{ mut tcp mss; ... }` after the packet: the mutations of packetdrill's
   * fuzzing scripts, as written between the braces. Parsed so such scripts
   * check; nothing applies them.
   */
  fuzz?: string;
}

export interface UdpPacketAst extends Node {
  kind: 'udp';
  direction: Direction;
  ports: PortsAst | null;
  len: number;
  ip: IpAttrsAst;
}

export interface IcmpPacketAst extends Node {
  kind: 'icmp';
  direction: Direction;
  /** e.g. "unreachable", "echo_request" */
  type: string;
  /** e.g. "port_unreachable", "frag_needed" */
  code: string | null;
  mtu: number | null;
  /** `id N`: the ICMP echo identifier, when written. */
  id?: number;
  /** The echoed packet written after the ICMP header, if any. */
  echoed: TcpPacketAst | UdpPacketAst | null;
  ip: IpAttrsAst;
}

export type PacketAst = TcpPacketAst | UdpPacketAst | IcmpPacketAst;

// ---------------------------------------------------------------- events

export interface PacketEvent extends Node {
  kind: 'packet';
  time: EventTime;
  packet: PacketAst;
}

export interface SyscallEvent extends Node {
  kind: 'syscall';
  time: EventTime;
  name: string;
  nameSpan: Span;
  args: Expr[];
  /** Expected return value expression (often an int, may be `...`, a struct...). */
  result: Expr;
  /** `= -1 EAGAIN (Resource temporarily unavailable)`: the errno name and note. */
  errno: { name: string; note: string | null; span: Span } | null;
}

/** `` `shell command` `` at a time, or untimed (null): runs where it stands. */
export interface CommandEvent extends Node {
  kind: 'command';
  time: EventTime | null;
  command: string;
}

/** `%{ python }%` code block at a time, or untimed (null): runs where it stands. */
export interface CodeEvent extends Node {
  kind: 'code';
  time: EventTime | null;
  code: string;
}

export type Event = PacketEvent | SyscallEvent | CommandEvent | CodeEvent;

/** `--tolerance_usecs=8000` at the top of a script. */
export interface OptionLine extends Node {
  kind: 'option';
  name: string;
  /** null for a bare flag such as `--non_fatal`. */
  value: string | null;
}

export interface Script {
  options: OptionLine[];
  /** Every event in source order. Untimed backtick commands before the first
   * timed event are packetdrill's init commands. */
  events: Event[];
}
