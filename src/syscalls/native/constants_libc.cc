// Layer 1 of the constants: names defined by the glibc headers, with the
// values those headers give. Every macro is #ifdef-guarded so that the addon
// builds against older headers; a name missing here may still be supplied by
// the uapi layer or the fallback layer (see constants.h).
//
// To add a constant: add its header if needed and one guarded K() line.
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <netinet/udp.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "constants.h"

#define K(name) out.push_back({#name, static_cast<int64_t>(name)})

namespace pktdrill {

void AddLibcConstants(std::vector<Constant>& out) {
  // Address and protocol families (sys/socket.h)
#ifdef AF_UNSPEC
  K(AF_UNSPEC);
#endif
#ifdef AF_UNIX
  K(AF_UNIX);
#endif
#ifdef AF_LOCAL
  K(AF_LOCAL);
#endif
#ifdef AF_INET
  K(AF_INET);
#endif
#ifdef AF_INET6
  K(AF_INET6);
#endif
#ifdef AF_NETLINK
  K(AF_NETLINK);
#endif
#ifdef AF_PACKET
  K(AF_PACKET);
#endif
#ifdef AF_ALG
  K(AF_ALG);
#endif
#ifdef AF_VSOCK
  K(AF_VSOCK);
#endif
#ifdef AF_XDP
  K(AF_XDP);
#endif
#ifdef PF_UNSPEC
  K(PF_UNSPEC);
#endif
#ifdef PF_UNIX
  K(PF_UNIX);
#endif
#ifdef PF_LOCAL
  K(PF_LOCAL);
#endif
#ifdef PF_INET
  K(PF_INET);
#endif
#ifdef PF_INET6
  K(PF_INET6);
#endif
#ifdef PF_NETLINK
  K(PF_NETLINK);
#endif
#ifdef PF_PACKET
  K(PF_PACKET);
#endif
#ifdef PF_ALG
  K(PF_ALG);
#endif
#ifdef PF_VSOCK
  K(PF_VSOCK);
#endif
#ifdef PF_XDP
  K(PF_XDP);
#endif

  // Socket types and socket() flags
#ifdef SOCK_STREAM
  K(SOCK_STREAM);
#endif
#ifdef SOCK_DGRAM
  K(SOCK_DGRAM);
#endif
#ifdef SOCK_RAW
  K(SOCK_RAW);
#endif
#ifdef SOCK_RDM
  K(SOCK_RDM);
#endif
#ifdef SOCK_SEQPACKET
  K(SOCK_SEQPACKET);
#endif
#ifdef SOCK_DCCP
  K(SOCK_DCCP);
#endif
#ifdef SOCK_PACKET
  K(SOCK_PACKET);
#endif
#ifdef SOCK_NONBLOCK
  K(SOCK_NONBLOCK);
#endif
#ifdef SOCK_CLOEXEC
  K(SOCK_CLOEXEC);
#endif
#ifdef SOMAXCONN
  K(SOMAXCONN);
#endif

  // IP protocols (netinet/in.h)
#ifdef IPPROTO_IP
  K(IPPROTO_IP);
#endif
#ifdef IPPROTO_HOPOPTS
  K(IPPROTO_HOPOPTS);
#endif
#ifdef IPPROTO_ICMP
  K(IPPROTO_ICMP);
#endif
#ifdef IPPROTO_IGMP
  K(IPPROTO_IGMP);
#endif
#ifdef IPPROTO_IPIP
  K(IPPROTO_IPIP);
#endif
#ifdef IPPROTO_TCP
  K(IPPROTO_TCP);
#endif
#ifdef IPPROTO_EGP
  K(IPPROTO_EGP);
#endif
#ifdef IPPROTO_PUP
  K(IPPROTO_PUP);
#endif
#ifdef IPPROTO_UDP
  K(IPPROTO_UDP);
#endif
#ifdef IPPROTO_IDP
  K(IPPROTO_IDP);
#endif
#ifdef IPPROTO_TP
  K(IPPROTO_TP);
#endif
#ifdef IPPROTO_DCCP
  K(IPPROTO_DCCP);
#endif
#ifdef IPPROTO_IPV6
  K(IPPROTO_IPV6);
#endif
#ifdef IPPROTO_ROUTING
  K(IPPROTO_ROUTING);
#endif
#ifdef IPPROTO_FRAGMENT
  K(IPPROTO_FRAGMENT);
#endif
#ifdef IPPROTO_RSVP
  K(IPPROTO_RSVP);
#endif
#ifdef IPPROTO_GRE
  K(IPPROTO_GRE);
#endif
#ifdef IPPROTO_ESP
  K(IPPROTO_ESP);
#endif
#ifdef IPPROTO_AH
  K(IPPROTO_AH);
#endif
#ifdef IPPROTO_ICMPV6
  K(IPPROTO_ICMPV6);
#endif
#ifdef IPPROTO_NONE
  K(IPPROTO_NONE);
#endif
#ifdef IPPROTO_DSTOPTS
  K(IPPROTO_DSTOPTS);
#endif
#ifdef IPPROTO_MTP
  K(IPPROTO_MTP);
#endif
#ifdef IPPROTO_BEETPH
  K(IPPROTO_BEETPH);
#endif
#ifdef IPPROTO_ENCAP
  K(IPPROTO_ENCAP);
#endif
#ifdef IPPROTO_PIM
  K(IPPROTO_PIM);
#endif
#ifdef IPPROTO_COMP
  K(IPPROTO_COMP);
#endif
#ifdef IPPROTO_L2TP
  K(IPPROTO_L2TP);
#endif
#ifdef IPPROTO_SCTP
  K(IPPROTO_SCTP);
#endif
#ifdef IPPROTO_MH
  K(IPPROTO_MH);
#endif
#ifdef IPPROTO_UDPLITE
  K(IPPROTO_UDPLITE);
#endif
#ifdef IPPROTO_MPLS
  K(IPPROTO_MPLS);
#endif
#ifdef IPPROTO_RAW
  K(IPPROTO_RAW);
#endif

  // Socket option levels
#ifdef SOL_SOCKET
  K(SOL_SOCKET);
#endif
#ifdef SOL_IP
  K(SOL_IP);
#endif
#ifdef SOL_IPV6
  K(SOL_IPV6);
#endif
#ifdef SOL_TCP
  K(SOL_TCP);
#endif
#ifdef SOL_UDP
  K(SOL_UDP);
#endif
#ifdef SOL_RAW
  K(SOL_RAW);
#endif
#ifdef SOL_ICMPV6
  K(SOL_ICMPV6);
#endif
#ifdef SOL_PACKET
  K(SOL_PACKET);
#endif

  // SOL_SOCKET options (asm/socket.h via sys/socket.h)
#ifdef SO_DEBUG
  K(SO_DEBUG);
#endif
#ifdef SO_REUSEADDR
  K(SO_REUSEADDR);
#endif
#ifdef SO_TYPE
  K(SO_TYPE);
#endif
#ifdef SO_ERROR
  K(SO_ERROR);
#endif
#ifdef SO_DONTROUTE
  K(SO_DONTROUTE);
#endif
#ifdef SO_BROADCAST
  K(SO_BROADCAST);
#endif
#ifdef SO_SNDBUF
  K(SO_SNDBUF);
#endif
#ifdef SO_RCVBUF
  K(SO_RCVBUF);
#endif
#ifdef SO_SNDBUFFORCE
  K(SO_SNDBUFFORCE);
#endif
#ifdef SO_RCVBUFFORCE
  K(SO_RCVBUFFORCE);
#endif
#ifdef SO_KEEPALIVE
  K(SO_KEEPALIVE);
#endif
#ifdef SO_OOBINLINE
  K(SO_OOBINLINE);
#endif
#ifdef SO_NO_CHECK
  K(SO_NO_CHECK);
#endif
#ifdef SO_PRIORITY
  K(SO_PRIORITY);
#endif
#ifdef SO_LINGER
  K(SO_LINGER);
#endif
#ifdef SO_BSDCOMPAT
  K(SO_BSDCOMPAT);
#endif
#ifdef SO_REUSEPORT
  K(SO_REUSEPORT);
#endif
#ifdef SO_PASSCRED
  K(SO_PASSCRED);
#endif
#ifdef SO_PEERCRED
  K(SO_PEERCRED);
#endif
#ifdef SO_RCVLOWAT
  K(SO_RCVLOWAT);
#endif
#ifdef SO_SNDLOWAT
  K(SO_SNDLOWAT);
#endif
#ifdef SO_RCVTIMEO
  K(SO_RCVTIMEO);
#endif
#ifdef SO_SNDTIMEO
  K(SO_SNDTIMEO);
#endif
#ifdef SO_RCVTIMEO_OLD
  K(SO_RCVTIMEO_OLD);
#endif
#ifdef SO_SNDTIMEO_OLD
  K(SO_SNDTIMEO_OLD);
#endif
#ifdef SO_RCVTIMEO_NEW
  K(SO_RCVTIMEO_NEW);
#endif
#ifdef SO_SNDTIMEO_NEW
  K(SO_SNDTIMEO_NEW);
#endif
#ifdef SO_SECURITY_AUTHENTICATION
  K(SO_SECURITY_AUTHENTICATION);
#endif
#ifdef SO_SECURITY_ENCRYPTION_TRANSPORT
  K(SO_SECURITY_ENCRYPTION_TRANSPORT);
#endif
#ifdef SO_SECURITY_ENCRYPTION_NETWORK
  K(SO_SECURITY_ENCRYPTION_NETWORK);
#endif
#ifdef SO_BINDTODEVICE
  K(SO_BINDTODEVICE);
#endif
#ifdef SO_ATTACH_FILTER
  K(SO_ATTACH_FILTER);
#endif
#ifdef SO_DETACH_FILTER
  K(SO_DETACH_FILTER);
#endif
#ifdef SO_GET_FILTER
  K(SO_GET_FILTER);
#endif
#ifdef SO_PEERNAME
  K(SO_PEERNAME);
#endif
#ifdef SO_TIMESTAMP
  K(SO_TIMESTAMP);
#endif
#ifdef SO_TIMESTAMP_OLD
  K(SO_TIMESTAMP_OLD);
#endif
#ifdef SO_TIMESTAMP_NEW
  K(SO_TIMESTAMP_NEW);
#endif
#ifdef SO_ACCEPTCONN
  K(SO_ACCEPTCONN);
#endif
#ifdef SO_PEERSEC
  K(SO_PEERSEC);
#endif
#ifdef SO_PASSSEC
  K(SO_PASSSEC);
#endif
#ifdef SO_TIMESTAMPNS
  K(SO_TIMESTAMPNS);
#endif
#ifdef SO_TIMESTAMPNS_OLD
  K(SO_TIMESTAMPNS_OLD);
#endif
#ifdef SO_TIMESTAMPNS_NEW
  K(SO_TIMESTAMPNS_NEW);
#endif
#ifdef SO_MARK
  K(SO_MARK);
#endif
#ifdef SO_TIMESTAMPING
  K(SO_TIMESTAMPING);
#endif
#ifdef SO_TIMESTAMPING_OLD
  K(SO_TIMESTAMPING_OLD);
#endif
#ifdef SO_TIMESTAMPING_NEW
  K(SO_TIMESTAMPING_NEW);
#endif
#ifdef SO_PROTOCOL
  K(SO_PROTOCOL);
#endif
#ifdef SO_DOMAIN
  K(SO_DOMAIN);
#endif
#ifdef SO_RXQ_OVFL
  K(SO_RXQ_OVFL);
#endif
#ifdef SO_WIFI_STATUS
  K(SO_WIFI_STATUS);
#endif
#ifdef SO_PEEK_OFF
  K(SO_PEEK_OFF);
#endif
#ifdef SO_NOFCS
  K(SO_NOFCS);
#endif
#ifdef SO_LOCK_FILTER
  K(SO_LOCK_FILTER);
#endif
#ifdef SO_SELECT_ERR_QUEUE
  K(SO_SELECT_ERR_QUEUE);
#endif
#ifdef SO_BUSY_POLL
  K(SO_BUSY_POLL);
#endif
#ifdef SO_MAX_PACING_RATE
  K(SO_MAX_PACING_RATE);
#endif
#ifdef SO_BPF_EXTENSIONS
  K(SO_BPF_EXTENSIONS);
#endif
#ifdef SO_INCOMING_CPU
  K(SO_INCOMING_CPU);
#endif
#ifdef SO_ATTACH_BPF
  K(SO_ATTACH_BPF);
#endif
#ifdef SO_DETACH_BPF
  K(SO_DETACH_BPF);
#endif
#ifdef SO_ATTACH_REUSEPORT_CBPF
  K(SO_ATTACH_REUSEPORT_CBPF);
#endif
#ifdef SO_ATTACH_REUSEPORT_EBPF
  K(SO_ATTACH_REUSEPORT_EBPF);
#endif
#ifdef SO_CNX_ADVICE
  K(SO_CNX_ADVICE);
#endif
#ifdef SO_MEMINFO
  K(SO_MEMINFO);
#endif
#ifdef SO_INCOMING_NAPI_ID
  K(SO_INCOMING_NAPI_ID);
#endif
#ifdef SO_COOKIE
  K(SO_COOKIE);
#endif
#ifdef SO_PEERGROUPS
  K(SO_PEERGROUPS);
#endif

  // Control message types
#ifdef SCM_RIGHTS
  K(SCM_RIGHTS);
#endif
#ifdef SCM_CREDENTIALS
  K(SCM_CREDENTIALS);
#endif
#ifdef SCM_TIMESTAMP
  K(SCM_TIMESTAMP);
#endif
#ifdef SCM_TIMESTAMPNS
  K(SCM_TIMESTAMPNS);
#endif
#ifdef SCM_TIMESTAMPING
  K(SCM_TIMESTAMPING);
#endif
#ifdef SCM_WIFI_STATUS
  K(SCM_WIFI_STATUS);
#endif

  // TCP socket options (netinet/tcp.h)
#include "both_layers.inc"

  // UDP socket options (netinet/udp.h)
#ifdef UDP_CORK
  K(UDP_CORK);
#endif
#ifdef UDP_ENCAP
  K(UDP_ENCAP);
#endif
#ifdef UDP_NO_CHECK6_TX
  K(UDP_NO_CHECK6_TX);
#endif
#ifdef UDP_NO_CHECK6_RX
  K(UDP_NO_CHECK6_RX);
#endif
#ifdef UDP_SEGMENT
  K(UDP_SEGMENT);
#endif
#ifdef UDP_GRO
  K(UDP_GRO);
#endif

  // IPv4 socket options (netinet/in.h)
#ifdef IP_TOS
  K(IP_TOS);
#endif
#ifdef IP_TTL
  K(IP_TTL);
#endif
#ifdef IP_HDRINCL
  K(IP_HDRINCL);
#endif
#ifdef IP_OPTIONS
  K(IP_OPTIONS);
#endif
#ifdef IP_ROUTER_ALERT
  K(IP_ROUTER_ALERT);
#endif
#ifdef IP_RECVOPTS
  K(IP_RECVOPTS);
#endif
#ifdef IP_RETOPTS
  K(IP_RETOPTS);
#endif
#ifdef IP_PKTINFO
  K(IP_PKTINFO);
#endif
#ifdef IP_PKTOPTIONS
  K(IP_PKTOPTIONS);
#endif
#ifdef IP_MTU_DISCOVER
  K(IP_MTU_DISCOVER);
#endif
#ifdef IP_RECVERR
  K(IP_RECVERR);
#endif
#ifdef IP_RECVTTL
  K(IP_RECVTTL);
#endif
#ifdef IP_RECVTOS
  K(IP_RECVTOS);
#endif
#ifdef IP_MTU
  K(IP_MTU);
#endif
#ifdef IP_FREEBIND
  K(IP_FREEBIND);
#endif
#ifdef IP_IPSEC_POLICY
  K(IP_IPSEC_POLICY);
#endif
#ifdef IP_XFRM_POLICY
  K(IP_XFRM_POLICY);
#endif
#ifdef IP_PASSSEC
  K(IP_PASSSEC);
#endif
#ifdef IP_TRANSPARENT
  K(IP_TRANSPARENT);
#endif
#ifdef IP_ORIGDSTADDR
  K(IP_ORIGDSTADDR);
#endif
#ifdef IP_RECVORIGDSTADDR
  K(IP_RECVORIGDSTADDR);
#endif
#ifdef IP_MINTTL
  K(IP_MINTTL);
#endif
#ifdef IP_NODEFRAG
  K(IP_NODEFRAG);
#endif
#ifdef IP_CHECKSUM
  K(IP_CHECKSUM);
#endif
#ifdef IP_MULTICAST_IF
  K(IP_MULTICAST_IF);
#endif
#ifdef IP_MULTICAST_TTL
  K(IP_MULTICAST_TTL);
#endif
#ifdef IP_MULTICAST_LOOP
  K(IP_MULTICAST_LOOP);
#endif
#ifdef IP_ADD_MEMBERSHIP
  K(IP_ADD_MEMBERSHIP);
#endif
#ifdef IP_DROP_MEMBERSHIP
  K(IP_DROP_MEMBERSHIP);
#endif
#ifdef IP_MULTICAST_ALL
  K(IP_MULTICAST_ALL);
#endif
#ifdef IP_UNICAST_IF
  K(IP_UNICAST_IF);
#endif
#ifdef IP_PMTUDISC_DONT
  K(IP_PMTUDISC_DONT);
#endif
#ifdef IP_PMTUDISC_WANT
  K(IP_PMTUDISC_WANT);
#endif
#ifdef IP_PMTUDISC_DO
  K(IP_PMTUDISC_DO);
#endif
#ifdef IP_PMTUDISC_PROBE
  K(IP_PMTUDISC_PROBE);
#endif
#ifdef IP_DEFAULT_MULTICAST_TTL
  K(IP_DEFAULT_MULTICAST_TTL);
#endif
#ifdef IP_DEFAULT_MULTICAST_LOOP
  K(IP_DEFAULT_MULTICAST_LOOP);
#endif

  // IP header values (netinet/ip.h)
#ifdef IPTOS_LOWDELAY
  K(IPTOS_LOWDELAY);
#endif
#ifdef IPTOS_THROUGHPUT
  K(IPTOS_THROUGHPUT);
#endif
#ifdef IPTOS_RELIABILITY
  K(IPTOS_RELIABILITY);
#endif
#ifdef IPTOS_LOWCOST
  K(IPTOS_LOWCOST);
#endif
#ifdef IPTOS_MINCOST
  K(IPTOS_MINCOST);
#endif
#ifdef IPTOS_ECN_MASK
  K(IPTOS_ECN_MASK);
#endif
#ifdef IPTOS_ECN_NOT_ECT
  K(IPTOS_ECN_NOT_ECT);
#endif
#ifdef IPTOS_ECN_ECT1
  K(IPTOS_ECN_ECT1);
#endif
#ifdef IPTOS_ECN_ECT0
  K(IPTOS_ECN_ECT0);
#endif
#ifdef IPTOS_ECN_CE
  K(IPTOS_ECN_CE);
#endif
#ifdef IPTOS_DSCP_MASK
  K(IPTOS_DSCP_MASK);
#endif
#ifdef IP_DF
  K(IP_DF);
#endif
#ifdef IP_MF
  K(IP_MF);
#endif
#ifdef IP_RF
  K(IP_RF);
#endif
#ifdef IP_OFFMASK
  K(IP_OFFMASK);
#endif
#ifdef IP_MAXPACKET
  K(IP_MAXPACKET);
#endif
#ifdef IPDEFTTL
  K(IPDEFTTL);
#endif
#ifdef IPVERSION
  K(IPVERSION);
#endif

  // IPv6 socket options (netinet/in.h)
#ifdef IPV6_ADDRFORM
  K(IPV6_ADDRFORM);
#endif
#ifdef IPV6_2292PKTINFO
  K(IPV6_2292PKTINFO);
#endif
#ifdef IPV6_2292HOPOPTS
  K(IPV6_2292HOPOPTS);
#endif
#ifdef IPV6_2292DSTOPTS
  K(IPV6_2292DSTOPTS);
#endif
#ifdef IPV6_2292RTHDR
  K(IPV6_2292RTHDR);
#endif
#ifdef IPV6_2292PKTOPTIONS
  K(IPV6_2292PKTOPTIONS);
#endif
#ifdef IPV6_CHECKSUM
  K(IPV6_CHECKSUM);
#endif
#ifdef IPV6_2292HOPLIMIT
  K(IPV6_2292HOPLIMIT);
#endif
#ifdef IPV6_NEXTHOP
  K(IPV6_NEXTHOP);
#endif
#ifdef IPV6_AUTHHDR
  K(IPV6_AUTHHDR);
#endif
#ifdef IPV6_UNICAST_HOPS
  K(IPV6_UNICAST_HOPS);
#endif
#ifdef IPV6_MULTICAST_IF
  K(IPV6_MULTICAST_IF);
#endif
#ifdef IPV6_MULTICAST_HOPS
  K(IPV6_MULTICAST_HOPS);
#endif
#ifdef IPV6_MULTICAST_LOOP
  K(IPV6_MULTICAST_LOOP);
#endif
#ifdef IPV6_JOIN_GROUP
  K(IPV6_JOIN_GROUP);
#endif
#ifdef IPV6_LEAVE_GROUP
  K(IPV6_LEAVE_GROUP);
#endif
#ifdef IPV6_ADD_MEMBERSHIP
  K(IPV6_ADD_MEMBERSHIP);
#endif
#ifdef IPV6_DROP_MEMBERSHIP
  K(IPV6_DROP_MEMBERSHIP);
#endif
#ifdef IPV6_ROUTER_ALERT
  K(IPV6_ROUTER_ALERT);
#endif
#ifdef IPV6_MTU_DISCOVER
  K(IPV6_MTU_DISCOVER);
#endif
#ifdef IPV6_MTU
  K(IPV6_MTU);
#endif
#ifdef IPV6_RECVERR
  K(IPV6_RECVERR);
#endif
#ifdef IPV6_V6ONLY
  K(IPV6_V6ONLY);
#endif
#ifdef IPV6_JOIN_ANYCAST
  K(IPV6_JOIN_ANYCAST);
#endif
#ifdef IPV6_LEAVE_ANYCAST
  K(IPV6_LEAVE_ANYCAST);
#endif
#ifdef IPV6_IPSEC_POLICY
  K(IPV6_IPSEC_POLICY);
#endif
#ifdef IPV6_XFRM_POLICY
  K(IPV6_XFRM_POLICY);
#endif
#ifdef IPV6_HDRINCL
  K(IPV6_HDRINCL);
#endif
#ifdef IPV6_RECVPKTINFO
  K(IPV6_RECVPKTINFO);
#endif
#ifdef IPV6_PKTINFO
  K(IPV6_PKTINFO);
#endif
#ifdef IPV6_RECVHOPLIMIT
  K(IPV6_RECVHOPLIMIT);
#endif
#ifdef IPV6_HOPLIMIT
  K(IPV6_HOPLIMIT);
#endif
#ifdef IPV6_RECVHOPOPTS
  K(IPV6_RECVHOPOPTS);
#endif
#ifdef IPV6_HOPOPTS
  K(IPV6_HOPOPTS);
#endif
#ifdef IPV6_RTHDRDSTOPTS
  K(IPV6_RTHDRDSTOPTS);
#endif
#ifdef IPV6_RECVRTHDR
  K(IPV6_RECVRTHDR);
#endif
#ifdef IPV6_RTHDR
  K(IPV6_RTHDR);
#endif
#ifdef IPV6_RECVDSTOPTS
  K(IPV6_RECVDSTOPTS);
#endif
#ifdef IPV6_DSTOPTS
  K(IPV6_DSTOPTS);
#endif
#ifdef IPV6_RECVPATHMTU
  K(IPV6_RECVPATHMTU);
#endif
#ifdef IPV6_PATHMTU
  K(IPV6_PATHMTU);
#endif
#ifdef IPV6_DONTFRAG
  K(IPV6_DONTFRAG);
#endif
#ifdef IPV6_RECVTCLASS
  K(IPV6_RECVTCLASS);
#endif
#ifdef IPV6_TCLASS
  K(IPV6_TCLASS);
#endif
#ifdef IPV6_ADDR_PREFERENCES
  K(IPV6_ADDR_PREFERENCES);
#endif
#ifdef IPV6_MINHOPCOUNT
  K(IPV6_MINHOPCOUNT);
#endif
#ifdef IPV6_ORIGDSTADDR
  K(IPV6_ORIGDSTADDR);
#endif
#ifdef IPV6_RECVORIGDSTADDR
  K(IPV6_RECVORIGDSTADDR);
#endif
#ifdef IPV6_TRANSPARENT
  K(IPV6_TRANSPARENT);
#endif
#ifdef IPV6_UNICAST_IF
  K(IPV6_UNICAST_IF);
#endif
#ifdef IPV6_FLOWINFO
  K(IPV6_FLOWINFO);
#endif
#ifdef IPV6_FLOWLABEL_MGR
  K(IPV6_FLOWLABEL_MGR);
#endif
#ifdef IPV6_FLOWINFO_SEND
  K(IPV6_FLOWINFO_SEND);
#endif
#ifdef IPV6_FLOWINFO_FLOWLABEL
  K(IPV6_FLOWINFO_FLOWLABEL);
#endif
#ifdef IPV6_FLOWINFO_PRIORITY
  K(IPV6_FLOWINFO_PRIORITY);
#endif
#ifdef IPV6_PMTUDISC_DONT
  K(IPV6_PMTUDISC_DONT);
#endif
#ifdef IPV6_PMTUDISC_WANT
  K(IPV6_PMTUDISC_WANT);
#endif
#ifdef IPV6_PMTUDISC_DO
  K(IPV6_PMTUDISC_DO);
#endif
#ifdef IPV6_PMTUDISC_PROBE
  K(IPV6_PMTUDISC_PROBE);
#endif

  // Well-known IPv4 addresses, host byte order (netinet/in.h)
#ifdef INADDR_ANY
  K(INADDR_ANY);
#endif
#ifdef INADDR_BROADCAST
  K(INADDR_BROADCAST);
#endif
#ifdef INADDR_NONE
  K(INADDR_NONE);
#endif
#ifdef INADDR_LOOPBACK
  K(INADDR_LOOPBACK);
#endif

  // send/recv flags
#ifdef MSG_OOB
  K(MSG_OOB);
#endif
#ifdef MSG_PEEK
  K(MSG_PEEK);
#endif
#ifdef MSG_DONTROUTE
  K(MSG_DONTROUTE);
#endif
#ifdef MSG_TRYHARD
  K(MSG_TRYHARD);
#endif
#ifdef MSG_CTRUNC
  K(MSG_CTRUNC);
#endif
#ifdef MSG_PROXY
  K(MSG_PROXY);
#endif
#ifdef MSG_TRUNC
  K(MSG_TRUNC);
#endif
#ifdef MSG_DONTWAIT
  K(MSG_DONTWAIT);
#endif
#ifdef MSG_EOR
  K(MSG_EOR);
#endif
#ifdef MSG_WAITALL
  K(MSG_WAITALL);
#endif
#ifdef MSG_FIN
  K(MSG_FIN);
#endif
#ifdef MSG_SYN
  K(MSG_SYN);
#endif
#ifdef MSG_CONFIRM
  K(MSG_CONFIRM);
#endif
#ifdef MSG_RST
  K(MSG_RST);
#endif
#ifdef MSG_ERRQUEUE
  K(MSG_ERRQUEUE);
#endif
#ifdef MSG_NOSIGNAL
  K(MSG_NOSIGNAL);
#endif
#ifdef MSG_MORE
  K(MSG_MORE);
#endif
#ifdef MSG_WAITFORONE
  K(MSG_WAITFORONE);
#endif
#ifdef MSG_BATCH
  K(MSG_BATCH);
#endif
#ifdef MSG_ZEROCOPY
  K(MSG_ZEROCOPY);
#endif
#ifdef MSG_FASTOPEN
  K(MSG_FASTOPEN);
#endif
#ifdef MSG_CMSG_CLOEXEC
  K(MSG_CMSG_CLOEXEC);
#endif

  // shutdown()
#ifdef SHUT_RD
  K(SHUT_RD);
#endif
#ifdef SHUT_WR
  K(SHUT_WR);
#endif
#ifdef SHUT_RDWR
  K(SHUT_RDWR);
#endif

  // open() flags (fcntl.h)
#ifdef O_RDONLY
  K(O_RDONLY);
#endif
#ifdef O_WRONLY
  K(O_WRONLY);
#endif
#ifdef O_RDWR
  K(O_RDWR);
#endif
#ifdef O_ACCMODE
  K(O_ACCMODE);
#endif
#ifdef O_CREAT
  K(O_CREAT);
#endif
#ifdef O_EXCL
  K(O_EXCL);
#endif
#ifdef O_NOCTTY
  K(O_NOCTTY);
#endif
#ifdef O_TRUNC
  K(O_TRUNC);
#endif
#ifdef O_APPEND
  K(O_APPEND);
#endif
#ifdef O_NONBLOCK
  K(O_NONBLOCK);
#endif
#ifdef O_NDELAY
  K(O_NDELAY);
#endif
#ifdef O_DSYNC
  K(O_DSYNC);
#endif
#ifdef O_SYNC
  K(O_SYNC);
#endif
#ifdef O_RSYNC
  K(O_RSYNC);
#endif
#ifdef O_ASYNC
  K(O_ASYNC);
#endif
#ifdef O_FSYNC
  K(O_FSYNC);
#endif
#ifdef O_DIRECT
  K(O_DIRECT);
#endif
#ifdef O_LARGEFILE
  K(O_LARGEFILE);
#endif
#ifdef O_DIRECTORY
  K(O_DIRECTORY);
#endif
#ifdef O_NOFOLLOW
  K(O_NOFOLLOW);
#endif
#ifdef O_NOATIME
  K(O_NOATIME);
#endif
#ifdef O_CLOEXEC
  K(O_CLOEXEC);
#endif
#ifdef O_PATH
  K(O_PATH);
#endif
#ifdef O_TMPFILE
  K(O_TMPFILE);
#endif

  // fcntl() commands and values (fcntl.h)
#ifdef F_DUPFD
  K(F_DUPFD);
#endif
#ifdef F_GETFD
  K(F_GETFD);
#endif
#ifdef F_SETFD
  K(F_SETFD);
#endif
#ifdef F_GETFL
  K(F_GETFL);
#endif
#ifdef F_SETFL
  K(F_SETFL);
#endif
#ifdef F_GETLK
  K(F_GETLK);
#endif
#ifdef F_SETLK
  K(F_SETLK);
#endif
#ifdef F_SETLKW
  K(F_SETLKW);
#endif
#ifdef F_GETLK64
  K(F_GETLK64);
#endif
#ifdef F_SETLK64
  K(F_SETLK64);
#endif
#ifdef F_SETLKW64
  K(F_SETLKW64);
#endif
#ifdef F_OFD_GETLK
  K(F_OFD_GETLK);
#endif
#ifdef F_OFD_SETLK
  K(F_OFD_SETLK);
#endif
#ifdef F_OFD_SETLKW
  K(F_OFD_SETLKW);
#endif
#ifdef F_GETOWN
  K(F_GETOWN);
#endif
#ifdef F_SETOWN
  K(F_SETOWN);
#endif
#ifdef F_SETSIG
  K(F_SETSIG);
#endif
#ifdef F_GETSIG
  K(F_GETSIG);
#endif
#ifdef F_SETOWN_EX
  K(F_SETOWN_EX);
#endif
#ifdef F_GETOWN_EX
  K(F_GETOWN_EX);
#endif
#ifdef F_SETLEASE
  K(F_SETLEASE);
#endif
#ifdef F_GETLEASE
  K(F_GETLEASE);
#endif
#ifdef F_NOTIFY
  K(F_NOTIFY);
#endif
#ifdef F_DUPFD_CLOEXEC
  K(F_DUPFD_CLOEXEC);
#endif
#ifdef F_SETPIPE_SZ
  K(F_SETPIPE_SZ);
#endif
#ifdef F_GETPIPE_SZ
  K(F_GETPIPE_SZ);
#endif
#ifdef F_ADD_SEALS
  K(F_ADD_SEALS);
#endif
#ifdef F_GET_SEALS
  K(F_GET_SEALS);
#endif
#ifdef F_SEAL_SEAL
  K(F_SEAL_SEAL);
#endif
#ifdef F_SEAL_SHRINK
  K(F_SEAL_SHRINK);
#endif
#ifdef F_SEAL_GROW
  K(F_SEAL_GROW);
#endif
#ifdef F_SEAL_WRITE
  K(F_SEAL_WRITE);
#endif
#ifdef F_GET_RW_HINT
  K(F_GET_RW_HINT);
#endif
#ifdef F_SET_RW_HINT
  K(F_SET_RW_HINT);
#endif
#ifdef F_RDLCK
  K(F_RDLCK);
#endif
#ifdef F_WRLCK
  K(F_WRLCK);
#endif
#ifdef F_UNLCK
  K(F_UNLCK);
#endif
#ifdef F_EXLCK
  K(F_EXLCK);
#endif
#ifdef F_SHLCK
  K(F_SHLCK);
#endif
#ifdef F_OK
  K(F_OK);
#endif
#ifdef R_OK
  K(R_OK);
#endif
#ifdef W_OK
  K(W_OK);
#endif
#ifdef X_OK
  K(X_OK);
#endif
#ifdef FD_CLOEXEC
  K(FD_CLOEXEC);
#endif
#ifdef AT_FDCWD
  K(AT_FDCWD);
#endif

  // flock() and lseek()
#ifdef LOCK_SH
  K(LOCK_SH);
#endif
#ifdef LOCK_EX
  K(LOCK_EX);
#endif
#ifdef LOCK_NB
  K(LOCK_NB);
#endif
#ifdef LOCK_UN
  K(LOCK_UN);
#endif
#ifdef SEEK_SET
  K(SEEK_SET);
#endif
#ifdef SEEK_CUR
  K(SEEK_CUR);
#endif
#ifdef SEEK_END
  K(SEEK_END);
#endif
#ifdef SEEK_DATA
  K(SEEK_DATA);
#endif
#ifdef SEEK_HOLE
  K(SEEK_HOLE);
#endif

  // splice() flags (fcntl.h)
#ifdef SPLICE_F_MOVE
  K(SPLICE_F_MOVE);
#endif
#ifdef SPLICE_F_NONBLOCK
  K(SPLICE_F_NONBLOCK);
#endif
#ifdef SPLICE_F_MORE
  K(SPLICE_F_MORE);
#endif
#ifdef SPLICE_F_GIFT
  K(SPLICE_F_GIFT);
#endif

  // poll() events (poll.h)
#ifdef POLLIN
  K(POLLIN);
#endif
#ifdef POLLPRI
  K(POLLPRI);
#endif
#ifdef POLLOUT
  K(POLLOUT);
#endif
#ifdef POLLERR
  K(POLLERR);
#endif
#ifdef POLLHUP
  K(POLLHUP);
#endif
#ifdef POLLNVAL
  K(POLLNVAL);
#endif
#ifdef POLLRDNORM
  K(POLLRDNORM);
#endif
#ifdef POLLRDBAND
  K(POLLRDBAND);
#endif
#ifdef POLLWRNORM
  K(POLLWRNORM);
#endif
#ifdef POLLWRBAND
  K(POLLWRBAND);
#endif
#ifdef POLLMSG
  K(POLLMSG);
#endif
#ifdef POLLREMOVE
  K(POLLREMOVE);
#endif
#ifdef POLLRDHUP
  K(POLLRDHUP);
#endif

  // epoll (sys/epoll.h)
#ifdef EPOLLIN
  K(EPOLLIN);
#endif
#ifdef EPOLLPRI
  K(EPOLLPRI);
#endif
#ifdef EPOLLOUT
  K(EPOLLOUT);
#endif
#ifdef EPOLLRDNORM
  K(EPOLLRDNORM);
#endif
#ifdef EPOLLRDBAND
  K(EPOLLRDBAND);
#endif
#ifdef EPOLLWRNORM
  K(EPOLLWRNORM);
#endif
#ifdef EPOLLWRBAND
  K(EPOLLWRBAND);
#endif
#ifdef EPOLLMSG
  K(EPOLLMSG);
#endif
#ifdef EPOLLERR
  K(EPOLLERR);
#endif
#ifdef EPOLLHUP
  K(EPOLLHUP);
#endif
#ifdef EPOLLRDHUP
  K(EPOLLRDHUP);
#endif
#ifdef EPOLLEXCLUSIVE
  K(EPOLLEXCLUSIVE);
#endif
#ifdef EPOLLWAKEUP
  K(EPOLLWAKEUP);
#endif
#ifdef EPOLLONESHOT
  K(EPOLLONESHOT);
#endif
#ifdef EPOLLET
  K(EPOLLET);
#endif
#ifdef EPOLL_CTL_ADD
  K(EPOLL_CTL_ADD);
#endif
#ifdef EPOLL_CTL_DEL
  K(EPOLL_CTL_DEL);
#endif
#ifdef EPOLL_CTL_MOD
  K(EPOLL_CTL_MOD);
#endif
#ifdef EPOLL_CLOEXEC
  K(EPOLL_CLOEXEC);
#endif

  // ioctl() requests (sys/ioctl.h)
#ifdef FIONREAD
  K(FIONREAD);
#endif
#ifdef FIONBIO
  K(FIONBIO);
#endif
#ifdef FIOASYNC
  K(FIOASYNC);
#endif
#ifdef FIOCLEX
  K(FIOCLEX);
#endif
#ifdef FIONCLEX
  K(FIONCLEX);
#endif
#ifdef TIOCINQ
  K(TIOCINQ);
#endif
#ifdef TIOCOUTQ
  K(TIOCOUTQ);
#endif
#ifdef SIOCATMARK
  K(SIOCATMARK);
#endif
#ifdef SIOCGIFMTU
  K(SIOCGIFMTU);
#endif
#ifdef SIOCGIFINDEX
  K(SIOCGIFINDEX);
#endif

  // Enumerators without a macro: they cannot be #ifdef-tested, and every
  // glibc this builds with has them.

  // TCP states (netinet/tcp.h enum)
  K(TCP_ESTABLISHED);
  K(TCP_SYN_SENT);
  K(TCP_SYN_RECV);
  K(TCP_FIN_WAIT1);
  K(TCP_FIN_WAIT2);
  K(TCP_TIME_WAIT);
  K(TCP_CLOSE);
  K(TCP_CLOSE_WAIT);
  K(TCP_LAST_ACK);
  K(TCP_LISTEN);
  K(TCP_CLOSING);

  // TCP congestion-avoidance states (netinet/tcp.h enum); packetdrill spells them upper case
  K(TCP_CA_Open);
  K(TCP_CA_Disorder);
  K(TCP_CA_CWR);
  K(TCP_CA_Recovery);
  K(TCP_CA_Loss);
  out.push_back({"TCP_CA_OPEN", static_cast<int64_t>(TCP_CA_Open)});
  out.push_back({"TCP_CA_DISORDER", static_cast<int64_t>(TCP_CA_Disorder)});
  out.push_back({"TCP_CA_RECOVERY", static_cast<int64_t>(TCP_CA_Recovery)});
  out.push_back({"TCP_CA_LOSS", static_cast<int64_t>(TCP_CA_Loss)});

  // errno values
  for (const Constant& e : ErrnoNames()) out.push_back(e);
}

const std::vector<Constant>& ErrnoNames() {
  static const std::vector<Constant> names = [] {
    std::vector<Constant> out;
    // Canonical names, in numeric order on Linux.
#ifdef EPERM
    K(EPERM);
#endif
#ifdef ENOENT
    K(ENOENT);
#endif
#ifdef ESRCH
    K(ESRCH);
#endif
#ifdef EINTR
    K(EINTR);
#endif
#ifdef EIO
    K(EIO);
#endif
#ifdef ENXIO
    K(ENXIO);
#endif
#ifdef E2BIG
    K(E2BIG);
#endif
#ifdef ENOEXEC
    K(ENOEXEC);
#endif
#ifdef EBADF
    K(EBADF);
#endif
#ifdef ECHILD
    K(ECHILD);
#endif
#ifdef EAGAIN
    K(EAGAIN);
#endif
#ifdef ENOMEM
    K(ENOMEM);
#endif
#ifdef EACCES
    K(EACCES);
#endif
#ifdef EFAULT
    K(EFAULT);
#endif
#ifdef ENOTBLK
    K(ENOTBLK);
#endif
#ifdef EBUSY
    K(EBUSY);
#endif
#ifdef EEXIST
    K(EEXIST);
#endif
#ifdef EXDEV
    K(EXDEV);
#endif
#ifdef ENODEV
    K(ENODEV);
#endif
#ifdef ENOTDIR
    K(ENOTDIR);
#endif
#ifdef EISDIR
    K(EISDIR);
#endif
#ifdef EINVAL
    K(EINVAL);
#endif
#ifdef ENFILE
    K(ENFILE);
#endif
#ifdef EMFILE
    K(EMFILE);
#endif
#ifdef ENOTTY
    K(ENOTTY);
#endif
#ifdef ETXTBSY
    K(ETXTBSY);
#endif
#ifdef EFBIG
    K(EFBIG);
#endif
#ifdef ENOSPC
    K(ENOSPC);
#endif
#ifdef ESPIPE
    K(ESPIPE);
#endif
#ifdef EROFS
    K(EROFS);
#endif
#ifdef EMLINK
    K(EMLINK);
#endif
#ifdef EPIPE
    K(EPIPE);
#endif
#ifdef EDOM
    K(EDOM);
#endif
#ifdef ERANGE
    K(ERANGE);
#endif
#ifdef EDEADLK
    K(EDEADLK);
#endif
#ifdef ENAMETOOLONG
    K(ENAMETOOLONG);
#endif
#ifdef ENOLCK
    K(ENOLCK);
#endif
#ifdef ENOSYS
    K(ENOSYS);
#endif
#ifdef ENOTEMPTY
    K(ENOTEMPTY);
#endif
#ifdef ELOOP
    K(ELOOP);
#endif
#ifdef ENOMSG
    K(ENOMSG);
#endif
#ifdef EIDRM
    K(EIDRM);
#endif
#ifdef ECHRNG
    K(ECHRNG);
#endif
#ifdef EL2NSYNC
    K(EL2NSYNC);
#endif
#ifdef EL3HLT
    K(EL3HLT);
#endif
#ifdef EL3RST
    K(EL3RST);
#endif
#ifdef ELNRNG
    K(ELNRNG);
#endif
#ifdef EUNATCH
    K(EUNATCH);
#endif
#ifdef ENOCSI
    K(ENOCSI);
#endif
#ifdef EL2HLT
    K(EL2HLT);
#endif
#ifdef EBADE
    K(EBADE);
#endif
#ifdef EBADR
    K(EBADR);
#endif
#ifdef EXFULL
    K(EXFULL);
#endif
#ifdef ENOANO
    K(ENOANO);
#endif
#ifdef EBADRQC
    K(EBADRQC);
#endif
#ifdef EBADSLT
    K(EBADSLT);
#endif
#ifdef EBFONT
    K(EBFONT);
#endif
#ifdef ENOSTR
    K(ENOSTR);
#endif
#ifdef ENODATA
    K(ENODATA);
#endif
#ifdef ETIME
    K(ETIME);
#endif
#ifdef ENOSR
    K(ENOSR);
#endif
#ifdef ENONET
    K(ENONET);
#endif
#ifdef ENOPKG
    K(ENOPKG);
#endif
#ifdef EREMOTE
    K(EREMOTE);
#endif
#ifdef ENOLINK
    K(ENOLINK);
#endif
#ifdef EADV
    K(EADV);
#endif
#ifdef ESRMNT
    K(ESRMNT);
#endif
#ifdef ECOMM
    K(ECOMM);
#endif
#ifdef EPROTO
    K(EPROTO);
#endif
#ifdef EMULTIHOP
    K(EMULTIHOP);
#endif
#ifdef EDOTDOT
    K(EDOTDOT);
#endif
#ifdef EBADMSG
    K(EBADMSG);
#endif
#ifdef EOVERFLOW
    K(EOVERFLOW);
#endif
#ifdef ENOTUNIQ
    K(ENOTUNIQ);
#endif
#ifdef EBADFD
    K(EBADFD);
#endif
#ifdef EREMCHG
    K(EREMCHG);
#endif
#ifdef ELIBACC
    K(ELIBACC);
#endif
#ifdef ELIBBAD
    K(ELIBBAD);
#endif
#ifdef ELIBSCN
    K(ELIBSCN);
#endif
#ifdef ELIBMAX
    K(ELIBMAX);
#endif
#ifdef ELIBEXEC
    K(ELIBEXEC);
#endif
#ifdef EILSEQ
    K(EILSEQ);
#endif
#ifdef ERESTART
    K(ERESTART);
#endif
#ifdef ESTRPIPE
    K(ESTRPIPE);
#endif
#ifdef EUSERS
    K(EUSERS);
#endif
#ifdef ENOTSOCK
    K(ENOTSOCK);
#endif
#ifdef EDESTADDRREQ
    K(EDESTADDRREQ);
#endif
#ifdef EMSGSIZE
    K(EMSGSIZE);
#endif
#ifdef EPROTOTYPE
    K(EPROTOTYPE);
#endif
#ifdef ENOPROTOOPT
    K(ENOPROTOOPT);
#endif
#ifdef EPROTONOSUPPORT
    K(EPROTONOSUPPORT);
#endif
#ifdef ESOCKTNOSUPPORT
    K(ESOCKTNOSUPPORT);
#endif
#ifdef EOPNOTSUPP
    K(EOPNOTSUPP);
#endif
#ifdef EPFNOSUPPORT
    K(EPFNOSUPPORT);
#endif
#ifdef EAFNOSUPPORT
    K(EAFNOSUPPORT);
#endif
#ifdef EADDRINUSE
    K(EADDRINUSE);
#endif
#ifdef EADDRNOTAVAIL
    K(EADDRNOTAVAIL);
#endif
#ifdef ENETDOWN
    K(ENETDOWN);
#endif
#ifdef ENETUNREACH
    K(ENETUNREACH);
#endif
#ifdef ENETRESET
    K(ENETRESET);
#endif
#ifdef ECONNABORTED
    K(ECONNABORTED);
#endif
#ifdef ECONNRESET
    K(ECONNRESET);
#endif
#ifdef ENOBUFS
    K(ENOBUFS);
#endif
#ifdef EISCONN
    K(EISCONN);
#endif
#ifdef ENOTCONN
    K(ENOTCONN);
#endif
#ifdef ESHUTDOWN
    K(ESHUTDOWN);
#endif
#ifdef ETOOMANYREFS
    K(ETOOMANYREFS);
#endif
#ifdef ETIMEDOUT
    K(ETIMEDOUT);
#endif
#ifdef ECONNREFUSED
    K(ECONNREFUSED);
#endif
#ifdef EHOSTDOWN
    K(EHOSTDOWN);
#endif
#ifdef EHOSTUNREACH
    K(EHOSTUNREACH);
#endif
#ifdef EALREADY
    K(EALREADY);
#endif
#ifdef EINPROGRESS
    K(EINPROGRESS);
#endif
#ifdef ESTALE
    K(ESTALE);
#endif
#ifdef EUCLEAN
    K(EUCLEAN);
#endif
#ifdef ENOTNAM
    K(ENOTNAM);
#endif
#ifdef ENAVAIL
    K(ENAVAIL);
#endif
#ifdef EISNAM
    K(EISNAM);
#endif
#ifdef EREMOTEIO
    K(EREMOTEIO);
#endif
#ifdef EDQUOT
    K(EDQUOT);
#endif
#ifdef ENOMEDIUM
    K(ENOMEDIUM);
#endif
#ifdef EMEDIUMTYPE
    K(EMEDIUMTYPE);
#endif
#ifdef ECANCELED
    K(ECANCELED);
#endif
#ifdef ENOKEY
    K(ENOKEY);
#endif
#ifdef EKEYEXPIRED
    K(EKEYEXPIRED);
#endif
#ifdef EKEYREVOKED
    K(EKEYREVOKED);
#endif
#ifdef EKEYREJECTED
    K(EKEYREJECTED);
#endif
#ifdef EOWNERDEAD
    K(EOWNERDEAD);
#endif
#ifdef ENOTRECOVERABLE
    K(ENOTRECOVERABLE);
#endif
#ifdef ERFKILL
    K(ERFKILL);
#endif
#ifdef EHWPOISON
    K(EHWPOISON);
#endif
    // Aliases last, so that the canonical name is found first by value.
#ifdef EWOULDBLOCK
    K(EWOULDBLOCK);
#endif
#ifdef EDEADLOCK
    K(EDEADLOCK);
#endif
#ifdef ENOTSUP
    K(ENOTSUP);
#endif
    return out;
  }();
  return names;
}

}  // namespace pktdrill
