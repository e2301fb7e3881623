// The layouts of the kernel structs that scripts read field by field
// (struct tcp_info for getsockopt(TCP_INFO) and %{ }% code blocks, the
// TCP_CC_INFO structs, struct sock_extended_err), taken from the uapi
// headers when the addon is compiled: offsetof/sizeof for ordinary members,
// a probe for bit-fields. They are defined in constants_uapi.cc, the one
// translation unit that includes the uapi headers.
//
// Members newer than the installed headers come from a fallback table of
// fixed offsets (uapi structs only grow at the end and never move a
// member), used only when the header lacks the member; the caller still
// checks each member against the length the kernel actually returned.
#pragma once

#include <cstdint>
#include <vector>

namespace pktdrill {

struct FieldLayout {
  const char* name;
  uint32_t offset;  // bytes from the start of the struct
  uint32_t size;    // bytes: 1, 2, 4 or 8
  uint32_t shift;   // bit-fields: the lowest bit of the member in its byte
  uint32_t bits;    // bit-fields: width in bits; 0 for whole-byte members
};

struct StructLayout {
  const char* name;
  uint32_t size;  // sizeof in the installed headers
  std::vector<FieldLayout> fields;
};

// tcp_info, tcp_bbr_info, tcp_dctcp_info, tcpvegas_info, sock_extended_err.
const std::vector<StructLayout>& StructLayouts();

}  // namespace pktdrill
