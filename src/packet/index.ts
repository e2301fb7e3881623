/**
 * Wire formats. Each header module has `parse(bytes) → Result<…>` (never
 * throws on hostile bytes) and `emit(fields) → Uint8Array` (throws RangeError
 * only on a representation that cannot exist on the wire); they round-trip.
 * Header modules are exported as namespaces since they share verb names:
 *   import { tcp, decodeFrame } from '../packet/index.js';
 *   tcp.parse(bytes); tcp.SYN | tcp.ACK
 */
export * as ethernet from './ethernet.js';
export * as ipv4 from './ipv4.js';
export * as ipv6 from './ipv6.js';
export * as tcp from './tcp.js';
export * as tcpOptions from './tcp-options.js';
export * as udp from './udp.js';
export * as icmp from './icmp.js';
export * as icmpv6 from './icmpv6.js';

export type { Result, Failure } from './result.js';
export * from './addr.js';
export * from './checksum.js';
export * from './ip.js';
export * from './frame.js';

export type { EthernetFrame } from './ethernet.js';
export type { Ipv4Fields, Ipv4Packet } from './ipv4.js';
export type { Ipv6Fields, Ipv6Packet, Ipv6Fragment } from './ipv6.js';
export type { TcpFields, TcpSegment } from './tcp.js';
export type { TcpOption, SackBlock } from './tcp-options.js';
export type { UdpFields, UdpDatagram } from './udp.js';
export type { IcmpFields, IcmpMessage } from './icmp.js';
export type { Icmpv6Fields, Icmpv6Message } from './icmpv6.js';
