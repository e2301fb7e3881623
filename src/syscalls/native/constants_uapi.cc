// Layer 2 of the constants: names from the Linux uapi headers, used where
// glibc's headers lack them (layer 1 wins on a clash; see constants.h). This
// is its own translation unit because <linux/tcp.h> and <netinet/tcp.h>, or
// <linux/in.h> and <netinet/in.h>, cannot be included together.
//
// Enumerators (TCP_NLA_*, SOF_TIMESTAMPING_*, SCM_TSTAMP_*) cannot be
// #ifdef-tested; those listed are in every uapi header set this builds with,
// and newer ones are in the fallback layer.
#include <time.h>  // struct timespec, for <linux/errqueue.h>

#include <asm/ioctls.h>  // FIONREAD, TIOCOUTQ: what SIOCINQ/SIOCOUTQ expand to
#include <asm/socket.h>
#include <linux/capability.h>
#include <linux/errqueue.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/net_tstamp.h>
#include <linux/socket.h>
#include <linux/sockios.h>
#include <linux/tcp.h>
#include <linux/tls.h>
#include <linux/inet_diag.h>  // TCP_CC_INFO structs
#include <linux/sock_diag.h>  // SK_MEMINFO_*

#include <cstddef>
#include <cstring>
#include <type_traits>

#include "constants.h"
#include "layouts.h"

#define K(name) out.push_back({#name, static_cast<int64_t>(name)})

namespace pktdrill {

void AddUapiConstants(std::vector<Constant>& out) {
  // TCP (linux/tcp.h): options glibc may not know yet
#include "both_layers.inc"

  // Error queue (linux/errqueue.h)
#ifdef SO_EE_ORIGIN_NONE
  K(SO_EE_ORIGIN_NONE);
#endif
#ifdef SO_EE_ORIGIN_LOCAL
  K(SO_EE_ORIGIN_LOCAL);
#endif
#ifdef SO_EE_ORIGIN_ICMP
  K(SO_EE_ORIGIN_ICMP);
#endif
#ifdef SO_EE_ORIGIN_ICMP6
  K(SO_EE_ORIGIN_ICMP6);
#endif
#ifdef SO_EE_ORIGIN_TXSTATUS
  K(SO_EE_ORIGIN_TXSTATUS);
#endif
#ifdef SO_EE_ORIGIN_ZEROCOPY
  K(SO_EE_ORIGIN_ZEROCOPY);
#endif
#ifdef SO_EE_ORIGIN_TXTIME
  K(SO_EE_ORIGIN_TXTIME);
#endif
#ifdef SO_EE_ORIGIN_TIMESTAMPING
  K(SO_EE_ORIGIN_TIMESTAMPING);
#endif
#ifdef SO_EE_CODE_ZEROCOPY_COPIED
  K(SO_EE_CODE_ZEROCOPY_COPIED);
#endif
#ifdef SO_EE_CODE_TXTIME_INVALID_PARAM
  K(SO_EE_CODE_TXTIME_INVALID_PARAM);
#endif
#ifdef SO_EE_CODE_TXTIME_MISSED
  K(SO_EE_CODE_TXTIME_MISSED);
#endif
#ifdef SO_EE_RFC4884_FLAG_INVALID
  K(SO_EE_RFC4884_FLAG_INVALID);
#endif

  // Timestamping (linux/net_tstamp.h)
#ifdef SOF_TIMESTAMPING_TX_RECORD_MASK
  K(SOF_TIMESTAMPING_TX_RECORD_MASK);
#endif
#ifdef SOF_TXTIME_DEADLINE_MODE
  K(SOF_TXTIME_DEADLINE_MODE);
#endif
#ifdef SOF_TXTIME_REPORT_ERRORS
  K(SOF_TXTIME_REPORT_ERRORS);
#endif

  // Socket ioctls (linux/sockios.h)
#ifdef SIOCINQ
  K(SIOCINQ);
#endif
#ifdef SIOCOUTQ
  K(SIOCOUTQ);
#endif
#ifdef SIOCOUTQNSD
  K(SIOCOUTQNSD);
#endif
#ifdef SIOCGSTAMP_OLD
  K(SIOCGSTAMP_OLD);
#endif
#ifdef SIOCGSTAMPNS_OLD
  K(SIOCGSTAMPNS_OLD);
#endif

  // Kernel TLS (linux/tls.h)
#ifdef TLS_TX
  K(TLS_TX);
#endif
#ifdef TLS_RX
  K(TLS_RX);
#endif
#ifdef TLS_TX_ZEROCOPY_RO
  K(TLS_TX_ZEROCOPY_RO);
#endif
#ifdef TLS_RX_EXPECT_NO_PAD
  K(TLS_RX_EXPECT_NO_PAD);
#endif
#ifdef TLS_1_2_VERSION
  K(TLS_1_2_VERSION);
#endif
#ifdef TLS_1_3_VERSION
  K(TLS_1_3_VERSION);
#endif
#ifdef TLS_CIPHER_AES_GCM_128
  K(TLS_CIPHER_AES_GCM_128);
#endif
#ifdef TLS_CIPHER_AES_GCM_256
  K(TLS_CIPHER_AES_GCM_256);
#endif
#ifdef TLS_CIPHER_AES_CCM_128
  K(TLS_CIPHER_AES_CCM_128);
#endif
#ifdef TLS_CIPHER_CHACHA20_POLY1305
  K(TLS_CIPHER_CHACHA20_POLY1305);
#endif
#ifdef TLS_SET_RECORD_TYPE
  K(TLS_SET_RECORD_TYPE);
#endif
#ifdef TLS_GET_RECORD_TYPE
  K(TLS_GET_RECORD_TYPE);
#endif

  // Capabilities (linux/capability.h)
#ifdef CAP_CHOWN
  K(CAP_CHOWN);
#endif
#ifdef CAP_DAC_OVERRIDE
  K(CAP_DAC_OVERRIDE);
#endif
#ifdef CAP_DAC_READ_SEARCH
  K(CAP_DAC_READ_SEARCH);
#endif
#ifdef CAP_FOWNER
  K(CAP_FOWNER);
#endif
#ifdef CAP_FSETID
  K(CAP_FSETID);
#endif
#ifdef CAP_KILL
  K(CAP_KILL);
#endif
#ifdef CAP_SETGID
  K(CAP_SETGID);
#endif
#ifdef CAP_SETUID
  K(CAP_SETUID);
#endif
#ifdef CAP_SETPCAP
  K(CAP_SETPCAP);
#endif
#ifdef CAP_LINUX_IMMUTABLE
  K(CAP_LINUX_IMMUTABLE);
#endif
#ifdef CAP_NET_BIND_SERVICE
  K(CAP_NET_BIND_SERVICE);
#endif
#ifdef CAP_NET_BROADCAST
  K(CAP_NET_BROADCAST);
#endif
#ifdef CAP_NET_ADMIN
  K(CAP_NET_ADMIN);
#endif
#ifdef CAP_NET_RAW
  K(CAP_NET_RAW);
#endif
#ifdef CAP_IPC_LOCK
  K(CAP_IPC_LOCK);
#endif
#ifdef CAP_IPC_OWNER
  K(CAP_IPC_OWNER);
#endif
#ifdef CAP_SYS_MODULE
  K(CAP_SYS_MODULE);
#endif
#ifdef CAP_SYS_RAWIO
  K(CAP_SYS_RAWIO);
#endif
#ifdef CAP_SYS_CHROOT
  K(CAP_SYS_CHROOT);
#endif
#ifdef CAP_SYS_PTRACE
  K(CAP_SYS_PTRACE);
#endif
#ifdef CAP_SYS_PACCT
  K(CAP_SYS_PACCT);
#endif
#ifdef CAP_SYS_ADMIN
  K(CAP_SYS_ADMIN);
#endif
#ifdef CAP_SYS_BOOT
  K(CAP_SYS_BOOT);
#endif
#ifdef CAP_SYS_NICE
  K(CAP_SYS_NICE);
#endif
#ifdef CAP_SYS_RESOURCE
  K(CAP_SYS_RESOURCE);
#endif
#ifdef CAP_SYS_TIME
  K(CAP_SYS_TIME);
#endif
#ifdef CAP_SYS_TTY_CONFIG
  K(CAP_SYS_TTY_CONFIG);
#endif
#ifdef CAP_MKNOD
  K(CAP_MKNOD);
#endif
#ifdef CAP_LEASE
  K(CAP_LEASE);
#endif
#ifdef CAP_AUDIT_WRITE
  K(CAP_AUDIT_WRITE);
#endif
#ifdef CAP_AUDIT_CONTROL
  K(CAP_AUDIT_CONTROL);
#endif
#ifdef CAP_SETFCAP
  K(CAP_SETFCAP);
#endif
#ifdef CAP_MAC_OVERRIDE
  K(CAP_MAC_OVERRIDE);
#endif
#ifdef CAP_MAC_ADMIN
  K(CAP_MAC_ADMIN);
#endif
#ifdef CAP_SYSLOG
  K(CAP_SYSLOG);
#endif
#ifdef CAP_WAKE_ALARM
  K(CAP_WAKE_ALARM);
#endif
#ifdef CAP_BLOCK_SUSPEND
  K(CAP_BLOCK_SUSPEND);
#endif
#ifdef CAP_AUDIT_READ
  K(CAP_AUDIT_READ);
#endif
#ifdef CAP_PERFMON
  K(CAP_PERFMON);
#endif
#ifdef CAP_BPF
  K(CAP_BPF);
#endif
#ifdef CAP_CHECKPOINT_RESTORE
  K(CAP_CHECKPOINT_RESTORE);
#endif

  // IPv4/IPv6 options glibc may not know yet (linux/in.h, linux/in6.h)

  // Socket options glibc may not know yet (asm/socket.h)

  // Levels glibc may not know yet (linux/socket.h)

  // TCP_NLA_* attributes of SCM_TIMESTAMPING_OPT_STATS (linux/tcp.h enum)
  K(TCP_NLA_PAD);
  K(TCP_NLA_BUSY);
  K(TCP_NLA_RWND_LIMITED);
  K(TCP_NLA_SNDBUF_LIMITED);
  K(TCP_NLA_DATA_SEGS_OUT);
  K(TCP_NLA_TOTAL_RETRANS);
  K(TCP_NLA_PACING_RATE);
  K(TCP_NLA_DELIVERY_RATE);
  K(TCP_NLA_SND_CWND);
  K(TCP_NLA_REORDERING);
  K(TCP_NLA_MIN_RTT);
  K(TCP_NLA_RECUR_RETRANS);
  K(TCP_NLA_DELIVERY_RATE_APP_LMT);
  K(TCP_NLA_SNDQ_SIZE);
  K(TCP_NLA_CA_STATE);
  K(TCP_NLA_SND_SSTHRESH);
  K(TCP_NLA_DELIVERED);
  K(TCP_NLA_DELIVERED_CE);
  K(TCP_NLA_BYTES_SENT);
  K(TCP_NLA_BYTES_RETRANS);
  K(TCP_NLA_DSACK_DUPS);
  K(TCP_NLA_REORD_SEEN);
  K(TCP_NLA_SRTT);
  K(TCP_NLA_TIMEOUT_REHASH);
  K(TCP_NLA_BYTES_NOTSENT);
  K(TCP_NLA_EDT);
  K(TCP_NLA_TTL);

  // SOF_TIMESTAMPING_* flags (linux/net_tstamp.h enum)
  K(SOF_TIMESTAMPING_TX_HARDWARE);
  K(SOF_TIMESTAMPING_TX_SOFTWARE);
  K(SOF_TIMESTAMPING_RX_HARDWARE);
  K(SOF_TIMESTAMPING_RX_SOFTWARE);
  K(SOF_TIMESTAMPING_SOFTWARE);
  K(SOF_TIMESTAMPING_SYS_HARDWARE);
  K(SOF_TIMESTAMPING_RAW_HARDWARE);
  K(SOF_TIMESTAMPING_OPT_ID);
  K(SOF_TIMESTAMPING_TX_SCHED);
  K(SOF_TIMESTAMPING_TX_ACK);
  K(SOF_TIMESTAMPING_OPT_CMSG);
  K(SOF_TIMESTAMPING_OPT_TSONLY);
  K(SOF_TIMESTAMPING_OPT_STATS);
  K(SOF_TIMESTAMPING_OPT_PKTINFO);
  K(SOF_TIMESTAMPING_OPT_TX_SWHW);
  K(SOF_TIMESTAMPING_BIND_PHC);

  // SCM_TSTAMP_* (linux/errqueue.h enum)
  K(SCM_TSTAMP_SND);
  K(SCM_TSTAMP_SCHED);
  K(SCM_TSTAMP_ACK);

  // SO_MEMINFO indices (linux/sock_diag.h enum)
  K(SK_MEMINFO_RMEM_ALLOC);
  K(SK_MEMINFO_RCVBUF);
  K(SK_MEMINFO_WMEM_ALLOC);
  K(SK_MEMINFO_SNDBUF);
  K(SK_MEMINFO_FWD_ALLOC);
  K(SK_MEMINFO_WMEM_QUEUED);
  K(SK_MEMINFO_OPTMEM);
  K(SK_MEMINFO_BACKLOG);
  K(SK_MEMINFO_DROPS);
  K(SK_MEMINFO_VARS);
}

// ---------------------------------------------------------------- struct layouts
// See layouts.h. kUnknown marks a member with no fallback: left out when the
// installed header lacks it.

namespace {

constexpr uint32_t kUnknown = 0xffffffffu;

// For each member: a trait telling whether the installed header has it, and
// its layout from offsetof/sizeof when it does, else the fallback numbers.
#define PKT_MEMBER(member, fallback_offset, fallback_size)                     \
  template <typename T, typename = void>                                       \
  struct Has_##member : std::false_type {};                                    \
  template <typename T>                                                        \
  struct Has_##member<T, std::void_t<decltype(&T::member)>>                    \
      : std::true_type {};                                                     \
  template <typename T>                                                        \
  FieldLayout Layout_##member() {                                              \
    if constexpr (Has_##member<T>::value) {                                    \
      return {#member, static_cast<uint32_t>(offsetof(T, member)),             \
              static_cast<uint32_t>(sizeof(static_cast<T*>(nullptr)->member)), \
              0, 0};                                                           \
    } else {                                                                   \
      return {#member, fallback_offset, fallback_size, 0, 0};                  \
    }                                                                          \
  }

// struct tcp_info, in header order. The fallback numbers are those of the
// members Linux added after the oldest headers this builds with (6.2:
// rcv_wnd, rehash; 6.7: total_rto*; 6.18: the AccECN counters).
PKT_MEMBER(tcpi_state, kUnknown, 0)
PKT_MEMBER(tcpi_ca_state, kUnknown, 0)
PKT_MEMBER(tcpi_retransmits, kUnknown, 0)
PKT_MEMBER(tcpi_probes, kUnknown, 0)
PKT_MEMBER(tcpi_backoff, kUnknown, 0)
PKT_MEMBER(tcpi_options, kUnknown, 0)
PKT_MEMBER(tcpi_rto, kUnknown, 0)
PKT_MEMBER(tcpi_ato, kUnknown, 0)
PKT_MEMBER(tcpi_snd_mss, kUnknown, 0)
PKT_MEMBER(tcpi_rcv_mss, kUnknown, 0)
PKT_MEMBER(tcpi_unacked, kUnknown, 0)
PKT_MEMBER(tcpi_sacked, kUnknown, 0)
PKT_MEMBER(tcpi_lost, kUnknown, 0)
PKT_MEMBER(tcpi_retrans, kUnknown, 0)
PKT_MEMBER(tcpi_fackets, kUnknown, 0)
PKT_MEMBER(tcpi_last_data_sent, kUnknown, 0)
PKT_MEMBER(tcpi_last_ack_sent, kUnknown, 0)
PKT_MEMBER(tcpi_last_data_recv, kUnknown, 0)
PKT_MEMBER(tcpi_last_ack_recv, kUnknown, 0)
PKT_MEMBER(tcpi_pmtu, kUnknown, 0)
PKT_MEMBER(tcpi_rcv_ssthresh, kUnknown, 0)
PKT_MEMBER(tcpi_rtt, kUnknown, 0)
PKT_MEMBER(tcpi_rttvar, kUnknown, 0)
PKT_MEMBER(tcpi_snd_ssthresh, kUnknown, 0)
PKT_MEMBER(tcpi_snd_cwnd, kUnknown, 0)
PKT_MEMBER(tcpi_advmss, kUnknown, 0)
PKT_MEMBER(tcpi_reordering, kUnknown, 0)
PKT_MEMBER(tcpi_rcv_rtt, kUnknown, 0)
PKT_MEMBER(tcpi_rcv_space, kUnknown, 0)
PKT_MEMBER(tcpi_total_retrans, kUnknown, 0)
PKT_MEMBER(tcpi_pacing_rate, kUnknown, 0)
PKT_MEMBER(tcpi_max_pacing_rate, kUnknown, 0)
PKT_MEMBER(tcpi_bytes_acked, kUnknown, 0)
PKT_MEMBER(tcpi_bytes_received, kUnknown, 0)
PKT_MEMBER(tcpi_segs_out, kUnknown, 0)
PKT_MEMBER(tcpi_segs_in, kUnknown, 0)
PKT_MEMBER(tcpi_notsent_bytes, kUnknown, 0)
PKT_MEMBER(tcpi_min_rtt, kUnknown, 0)
PKT_MEMBER(tcpi_data_segs_in, kUnknown, 0)
PKT_MEMBER(tcpi_data_segs_out, kUnknown, 0)
PKT_MEMBER(tcpi_delivery_rate, kUnknown, 0)
PKT_MEMBER(tcpi_busy_time, kUnknown, 0)
PKT_MEMBER(tcpi_rwnd_limited, kUnknown, 0)
PKT_MEMBER(tcpi_sndbuf_limited, kUnknown, 0)
PKT_MEMBER(tcpi_delivered, kUnknown, 0)
PKT_MEMBER(tcpi_delivered_ce, kUnknown, 0)
PKT_MEMBER(tcpi_bytes_sent, kUnknown, 0)
PKT_MEMBER(tcpi_bytes_retrans, kUnknown, 0)
PKT_MEMBER(tcpi_dsack_dups, kUnknown, 0)
PKT_MEMBER(tcpi_reord_seen, kUnknown, 0)
PKT_MEMBER(tcpi_rcv_ooopack, kUnknown, 0)
PKT_MEMBER(tcpi_snd_wnd, kUnknown, 0)
PKT_MEMBER(tcpi_rcv_wnd, 232, 4)                     // 6.2
PKT_MEMBER(tcpi_rehash, 236, 4)                      // 6.2
PKT_MEMBER(tcpi_total_rto, 240, 2)                   // 6.7
PKT_MEMBER(tcpi_total_rto_recoveries, 242, 2)        // 6.7
PKT_MEMBER(tcpi_total_rto_time, 244, 4)              // 6.7
PKT_MEMBER(tcpi_received_ce, 248, 4)                 // 6.18
PKT_MEMBER(tcpi_delivered_e1_bytes, 252, 4)          // 6.18
PKT_MEMBER(tcpi_delivered_e0_bytes, 256, 4)          // 6.18
PKT_MEMBER(tcpi_delivered_ce_bytes, 260, 4)          // 6.18
PKT_MEMBER(tcpi_received_e1_bytes, 264, 4)           // 6.18
PKT_MEMBER(tcpi_received_e0_bytes, 268, 4)           // 6.18
PKT_MEMBER(tcpi_received_ce_bytes, 272, 4)           // 6.18

// Where a bit-field lives: set it to all ones in a zeroed struct and look
// for the bits that changed (offsetof cannot name a bit-field).
template <typename T, typename Set>
FieldLayout BitField(const char* name, Set set) {
  T probe;
  std::memset(&probe, 0, sizeof(probe));
  set(probe);
  const auto* bytes = reinterpret_cast<const uint8_t*>(&probe);
  for (uint32_t i = 0; i < sizeof(probe); ++i) {
    const uint32_t mask = bytes[i];
    if (mask == 0) continue;
    const uint32_t shift = static_cast<uint32_t>(__builtin_ctz(mask));
    const uint32_t bits = static_cast<uint32_t>(__builtin_popcount(mask));
    return {name, i, 1, shift, bits};
  }
  return {name, kUnknown, 0, 0, 0};
}

#define PKT_PLAIN(type, member)                                     \
  FieldLayout {                                                     \
    #member, static_cast<uint32_t>(offsetof(type, member)),         \
        static_cast<uint32_t>(sizeof(static_cast<type*>(nullptr)->member)), \
        0, 0                                                        \
  }

StructLayout TcpInfo() {
  using T = struct tcp_info;
  std::vector<FieldLayout> all = {
      Layout_tcpi_state<T>(),
      Layout_tcpi_ca_state<T>(),
      Layout_tcpi_retransmits<T>(),
      Layout_tcpi_probes<T>(),
      Layout_tcpi_backoff<T>(),
      Layout_tcpi_options<T>(),
      BitField<T>("tcpi_snd_wscale", [](T& t) { t.tcpi_snd_wscale = 0xf; }),
      BitField<T>("tcpi_rcv_wscale", [](T& t) { t.tcpi_rcv_wscale = 0xf; }),
      BitField<T>("tcpi_delivery_rate_app_limited",
                  [](T& t) { t.tcpi_delivery_rate_app_limited = 1; }),
      BitField<T>("tcpi_fastopen_client_fail",
                  [](T& t) { t.tcpi_fastopen_client_fail = 3; }),
      Layout_tcpi_rto<T>(),
      Layout_tcpi_ato<T>(),
      Layout_tcpi_snd_mss<T>(),
      Layout_tcpi_rcv_mss<T>(),
      Layout_tcpi_unacked<T>(),
      Layout_tcpi_sacked<T>(),
      Layout_tcpi_lost<T>(),
      Layout_tcpi_retrans<T>(),
      Layout_tcpi_fackets<T>(),
      Layout_tcpi_last_data_sent<T>(),
      Layout_tcpi_last_ack_sent<T>(),
      Layout_tcpi_last_data_recv<T>(),
      Layout_tcpi_last_ack_recv<T>(),
      Layout_tcpi_pmtu<T>(),
      Layout_tcpi_rcv_ssthresh<T>(),
      Layout_tcpi_rtt<T>(),
      Layout_tcpi_rttvar<T>(),
      Layout_tcpi_snd_ssthresh<T>(),
      Layout_tcpi_snd_cwnd<T>(),
      Layout_tcpi_advmss<T>(),
      Layout_tcpi_reordering<T>(),
      Layout_tcpi_rcv_rtt<T>(),
      Layout_tcpi_rcv_space<T>(),
      Layout_tcpi_total_retrans<T>(),
      Layout_tcpi_pacing_rate<T>(),
      Layout_tcpi_max_pacing_rate<T>(),
      Layout_tcpi_bytes_acked<T>(),
      Layout_tcpi_bytes_received<T>(),
      Layout_tcpi_segs_out<T>(),
      Layout_tcpi_segs_in<T>(),
      Layout_tcpi_notsent_bytes<T>(),
      Layout_tcpi_min_rtt<T>(),
      Layout_tcpi_data_segs_in<T>(),
      Layout_tcpi_data_segs_out<T>(),
      Layout_tcpi_delivery_rate<T>(),
      Layout_tcpi_busy_time<T>(),
      Layout_tcpi_rwnd_limited<T>(),
      Layout_tcpi_sndbuf_limited<T>(),
      Layout_tcpi_delivered<T>(),
      Layout_tcpi_delivered_ce<T>(),
      Layout_tcpi_bytes_sent<T>(),
      Layout_tcpi_bytes_retrans<T>(),
      Layout_tcpi_dsack_dups<T>(),
      Layout_tcpi_reord_seen<T>(),
      Layout_tcpi_rcv_ooopack<T>(),
      Layout_tcpi_snd_wnd<T>(),
      Layout_tcpi_rcv_wnd<T>(),
      Layout_tcpi_rehash<T>(),
      Layout_tcpi_total_rto<T>(),
      Layout_tcpi_total_rto_recoveries<T>(),
      Layout_tcpi_total_rto_time<T>(),
      Layout_tcpi_received_ce<T>(),
      Layout_tcpi_delivered_e1_bytes<T>(),
      Layout_tcpi_delivered_e0_bytes<T>(),
      Layout_tcpi_delivered_ce_bytes<T>(),
      Layout_tcpi_received_e1_bytes<T>(),
      Layout_tcpi_received_e0_bytes<T>(),
      Layout_tcpi_received_ce_bytes<T>(),
  };
  std::vector<FieldLayout> known;
  for (const auto& f : all) {
    if (f.offset != kUnknown) known.push_back(f);
  }
  return {"tcp_info", static_cast<uint32_t>(sizeof(T)), known};
}

}  // namespace

const std::vector<StructLayout>& StructLayouts() {
  static const std::vector<StructLayout> layouts = [] {
    std::vector<StructLayout> v;
    v.push_back(TcpInfo());
    v.push_back({"tcp_bbr_info",
                 static_cast<uint32_t>(sizeof(struct tcp_bbr_info)),
                 {PKT_PLAIN(struct tcp_bbr_info, bbr_bw_lo),
                  PKT_PLAIN(struct tcp_bbr_info, bbr_bw_hi),
                  PKT_PLAIN(struct tcp_bbr_info, bbr_min_rtt),
                  PKT_PLAIN(struct tcp_bbr_info, bbr_pacing_gain),
                  PKT_PLAIN(struct tcp_bbr_info, bbr_cwnd_gain)}});
    v.push_back({"tcp_dctcp_info",
                 static_cast<uint32_t>(sizeof(struct tcp_dctcp_info)),
                 {PKT_PLAIN(struct tcp_dctcp_info, dctcp_enabled),
                  PKT_PLAIN(struct tcp_dctcp_info, dctcp_ce_state),
                  PKT_PLAIN(struct tcp_dctcp_info, dctcp_alpha),
                  PKT_PLAIN(struct tcp_dctcp_info, dctcp_ab_ecn),
                  PKT_PLAIN(struct tcp_dctcp_info, dctcp_ab_tot)}});
    v.push_back({"tcpvegas_info",
                 static_cast<uint32_t>(sizeof(struct tcpvegas_info)),
                 {PKT_PLAIN(struct tcpvegas_info, tcpv_enabled),
                  PKT_PLAIN(struct tcpvegas_info, tcpv_rttcnt),
                  PKT_PLAIN(struct tcpvegas_info, tcpv_rtt),
                  PKT_PLAIN(struct tcpvegas_info, tcpv_minrtt)}});
    v.push_back({"sock_extended_err",
                 static_cast<uint32_t>(sizeof(struct sock_extended_err)),
                 {PKT_PLAIN(struct sock_extended_err, ee_errno),
                  PKT_PLAIN(struct sock_extended_err, ee_origin),
                  PKT_PLAIN(struct sock_extended_err, ee_type),
                  PKT_PLAIN(struct sock_extended_err, ee_code),
                  PKT_PLAIN(struct sock_extended_err, ee_pad),
                  PKT_PLAIN(struct sock_extended_err, ee_info),
                  PKT_PLAIN(struct sock_extended_err, ee_data)}});
    return v;
  }();
  return layouts;
}

}  // namespace pktdrill
