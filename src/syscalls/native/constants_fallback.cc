// Layer 3 of the constants: Linux uapi numbers for names that are newer than
// the headers the addon may be built against. Each is used only when neither
// glibc (layer 1) nor the installed uapi headers (layer 2) define the name,
// so a newer header always wins. The numbers are ABI: they never change once
// released. Keep each with the kernel version that added it.
#include "constants.h"

namespace pktdrill {

void AddFallbackConstants(std::vector<Constant>& out) {
  static const Constant kFallbacks[] = {
      // TCP socket options (uapi/linux/tcp.h).
      {"TCP_FASTOPEN_KEY", 33},        // 4.18
      {"TCP_FASTOPEN_NO_COOKIE", 34},  // 4.19
      {"TCP_ZEROCOPY_RECEIVE", 35},    // 4.18
      {"TCP_INQ", 36},                 // 4.18
      {"TCP_CM_INQ", 36},              // 4.18
      {"TCP_TX_DELAY", 37},            // 5.4
      {"TCP_AO_ADD_KEY", 38},          // 6.7
      {"TCP_AO_DEL_KEY", 39},          // 6.7
      {"TCP_AO_INFO", 40},             // 6.7
      {"TCP_AO_GET_KEYS", 41},         // 6.7
      {"TCP_AO_REPAIR", 42},           // 6.7
      {"TCP_IS_MPTCP", 43},            // 6.8
      {"TCP_RTO_MAX_MS", 44},          // 6.15
      {"TCP_RTO_MIN_US", 45},          // 6.15
      {"TCP_DELACK_MAX_US", 46},       // 6.15
      // tcp_info.tcpi_options bits.
      {"TCPI_OPT_USEC_TS", 64},     // 6.7
      {"TCPI_OPT_TFO_CHILD", 128},  // 6.9
      // SCM_TIMESTAMPING_OPT_STATS attributes.
      {"TCP_NLA_REHASH", 28},  // 6.2
      // SOF_TIMESTAMPING_* (uapi/linux/net_tstamp.h).
      {"SOF_TIMESTAMPING_OPT_ID_TCP", 1 << 16},     // 6.2
      {"SOF_TIMESTAMPING_OPT_RX_FILTER", 1 << 17},  // 6.12
      // Socket-level options (uapi/asm-generic/socket.h).
      {"SO_ZEROCOPY", 60},       // 4.14
      {"SO_TXTIME", 61},         // 4.19
      {"SCM_TXTIME", 61},        // 4.19
      {"SO_BINDTOIFINDEX", 62},  // 5.1
      {"SO_PASSPIDFD", 76},      // 6.5
      {"SO_PEERPIDFD", 77},      // 6.5
      // send/recv flags.
      {"MSG_ZEROCOPY", 0x4000000},  // 4.14
      // IPv4 options (uapi/linux/in.h).
      {"IP_LOCAL_PORT_RANGE", 51},  // 6.3
      {"IP_PROTOCOL", 52},          // 6.4
      // Levels (linux/socket.h).
      {"SOL_TLS", 282},    // 4.13
      {"SOL_MPTCP", 284},  // 5.16
      {"IPPROTO_MPTCP", 262},  // 5.6
      // ioctls (uapi/linux/sockios.h).
      {"SIOCOUTQNSD", 0x894B},  // 2.6.34
      // Not uapi: the kernel's "no ssthresh yet" value, which tcp_info
      // reports and which packetdrill scripts name.
      {"TCP_INFINITE_SSTHRESH", 0x7fffffff},
      // Not a header constant: packetdrill's symbol table names NULL (0),
      // for a NULL buffer or offset argument.
      {"NULL", 0},
  };
  for (const Constant& c : kFallbacks) out.push_back(c);
}

}  // namespace pktdrill
