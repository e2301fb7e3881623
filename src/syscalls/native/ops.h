// The system-call table: what each op takes, and how it runs.
//
// This header is deliberately free of N-API: an op's Input is decoded from
// JavaScript values on the main thread (see addon.cc), its exec function runs
// on whatever thread is given (the main thread for invoke(), a libuv pool
// thread for invokeAsync()) touching only plain C++ data, and its Output is
// turned back into JavaScript on the main thread.
//
// Adding an op = one exec function in ops.cc + one row in the table there.
// If it needs a new kind of argument or result field, add an ArgKind (and
// its decoder in addon.cc) or an Output member (and its encoder in addon.cc).
#pragma once

#include <poll.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pktdrill {

// Largest buffer an op may allocate for output (read length, getsockopt
// optlen, readv total, ...). Bigger requests are argument errors.
constexpr int64_t kMaxAllocBytes = int64_t{1} << 28;  // 256 MiB
// Largest epoll_wait maxevents we allocate room for.
constexpr int64_t kMaxEpollEvents = int64_t{1} << 20;

struct SockAddr {
  sockaddr_storage storage{};
  socklen_t len = 0;
};

// How one declared argument is read from JavaScript.
enum class ArgKind {
  Int,          // number (integer) or bigint in [-2^31, 2^32): C int / flags
  Len,          // integer in [0, kMaxAllocBytes]: a size we allocate
  Count,        // integer in [0, 2^53]: a size we do not allocate
  U64,          // bigint or non-negative integer number: epoll data
  Bytes,        // Uint8Array (Buffer): copied; or a null buffer
  RoomLen,      // integer in [0, kMaxAllocBytes]: a buffer of that size the
                // op reads into; or a null buffer
  SockAddr,     // THREE JS args: family (AF_INET|AF_INET6|AF_UNSPEC),
                // address string, port
  OptSockAddr,  // as SockAddr, but family undefined/null means "no address"
  BytesList,    // array of Uint8Array (copied) or null buffers
  IovLengths,   // array whose items are lengths (integers), Uint8Arrays
                // (only their length is used) or null buffers
  PollList,     // array of {fd, events}
  Path,         // string
  CmsgList,     // array of {level, type, data: Uint8Array}: control messages
};

struct ArgSpec {
  ArgKind kind;
  const char* name;
  bool optional = false;   // may be omitted/undefined (Int/Len/Count/U64)
  int64_t fallback = 0;    // the value used when omitted
  int64_t upper = 0;       // if non-zero: inclusive upper bound (Int only)
};

// One control message (sendmsg input, recvmsg output).
struct Cmsg {
  int level = 0;
  int type = 0;
  uint64_t len = 0;  // cmsg_len as the kernel wrote it (output only)
  std::vector<uint8_t> data;
};

// One buffer argument: the bytes to pass in (Bytes, BytesList items), the
// size of the room to read into (RoomLen, IovLengths items), or a null
// buffer ({pointer: null, length} in JavaScript, the script's NULL): the
// call gets a null pointer with that length, and nothing is copied or
// allocated, so the kernel faults on it (EFAULT).
struct BufferArg {
  bool null = false;
  size_t length = 0;           // the length the call is given
  std::vector<uint8_t> bytes;  // Bytes, BytesList: the input (length bytes)
};

// One decoded argument. Only the members that match its ArgKind are set.
struct ArgValue {
  int64_t i = 0;  // Int, Len, Count
  uint64_t u = 0;  // U64
  BufferArg buf;  // Bytes, RoomLen
  std::vector<BufferArg> bufs;  // BytesList, IovLengths
  std::vector<pollfd> pollfds;  // PollList
  std::optional<SockAddr> addr;  // SockAddr, OptSockAddr
  std::string text;  // Path
  std::vector<Cmsg> cmsgs;  // CmsgList
};

// Everything an op needs, owned by value: safe to move to another thread.
struct Input {
  std::vector<ArgValue> args;  // one per ArgSpec, in order
};

struct EpollEvent {
  uint32_t events;
  uint64_t data;
};

// What an op produced. ret/err/startNs/endNs are always set; each optional
// member is set only by the ops that produce it and becomes a result field
// of the same name.
struct Output {
  int64_t ret = -1;
  int err = 0;           // errno when ret == -1, else 0
  uint64_t startNs = 0;  // CLOCK_MONOTONIC just before the call
  uint64_t endNs = 0;    // CLOCK_MONOTONIC just after the call
  std::optional<std::vector<uint8_t>> data;               // data: Buffer
  std::optional<std::vector<std::vector<uint8_t>>> iov;   // iov: Buffer[]
  std::optional<SockAddr> addr;                           // addr
  std::optional<int64_t> optlen;                          // optlen
  std::optional<int64_t> value;                           // value
  std::optional<std::vector<int16_t>> revents;            // revents
  std::optional<std::array<int, 2>> fds;                  // fds
  std::optional<std::vector<EpollEvent>> events;          // events
  std::optional<int64_t> msgFlags;                        // msgFlags
  std::optional<std::vector<Cmsg>> cmsgs;                 // cmsgs
};

using ExecFn = void (*)(const Input&, Output&);

struct OpSpec {
  const char* name;
  std::vector<ArgSpec> args;
  ExecFn exec;
};

const OpSpec* FindOp(const std::string& name);
const std::vector<OpSpec>& AllOps();

uint64_t MonotonicNs();

// Give the calling (pool) thread the process's real-time priority, if any.
void ApplyRealtimeToThisThread();

}  // namespace pktdrill
