/** Numbers shared by IPv4 and IPv6. */

/** IP protocol numbers (IPv4 Protocol / IPv6 Next Header). */
export const IPPROTO_ICMP = 1;
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;
export const IPPROTO_ICMPV6 = 58;

/** ECN codepoints: the low 2 bits of the IPv4 TOS byte and of the IPv6 traffic class (RFC 3168). */
export const ECN_MASK = 0x03;
export const ECN_NOT_ECT = 0;
export const ECN_ECT1 = 1;
export const ECN_ECT0 = 2;
export const ECN_CE = 3;
