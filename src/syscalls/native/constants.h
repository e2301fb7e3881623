// Symbolic constants, with their values taken from the system headers when
// the addon is compiled. Three layers, merged in this order; the first
// definition of a name wins:
//   1. glibc headers            (constants_libc.cc)
//   2. Linux uapi headers       (constants_uapi.cc; a separate translation
//                                unit because <linux/tcp.h> and
//                                <netinet/tcp.h> cannot be included together)
//   3. fixed uapi numbers       (constants_fallback.cc) for names newer than
//                                the installed headers.
#pragma once

#include <cstdint>
#include <vector>

namespace pktdrill {

struct Constant {
  const char* name;
  int64_t value;
};

void AddLibcConstants(std::vector<Constant>& out);
void AddUapiConstants(std::vector<Constant>& out);
void AddFallbackConstants(std::vector<Constant>& out);

// Every errno name in <errno.h>; for each value the canonical name comes
// first (EAGAIN before EWOULDBLOCK, EDEADLK before EDEADLOCK, EOPNOTSUPP
// before ENOTSUP).
const std::vector<Constant>& ErrnoNames();

}  // namespace pktdrill
