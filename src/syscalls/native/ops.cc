// The op table and the exec functions. No N-API here: everything runs on
// plain data and may run on any thread.
#include "ops.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/sendfile.h>
#include <sys/uio.h>
#include <sched.h>

#include <atomic>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <unordered_map>

namespace pktdrill {

uint64_t MonotonicNs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000ull +
         static_cast<uint64_t>(ts.tv_nsec);
}

// The real-time priority the process asked for (0: none). Pool threads that
// run blocking calls take it too, on their first call after it was set, so a
// blocking connect() starts (and sends its SYN) on time under load.
std::atomic<int> g_realtime_priority{0};

void ApplyRealtimeToThisThread() {
  thread_local int applied = 0;
  const int want = g_realtime_priority.load(std::memory_order_relaxed);
  if (want == applied) return;
  sched_param p{};
  p.sched_priority = want;
  if (::sched_setscheduler(0, want ? (SCHED_RR | SCHED_RESET_ON_FORK) : SCHED_OTHER, &p) == 0) applied = want;
}

namespace {

// Runs one system call between two clock readings and records ret/errno.
template <typename Call>
int64_t Timed(Output& out, Call&& call) {
  out.startNs = MonotonicNs();
  const int64_t ret = static_cast<int64_t>(call());
  const int saved = errno;
  out.endNs = MonotonicNs();
  out.ret = ret;
  out.err = ret == -1 ? saved : 0;
  return ret;
}

int Int(const Input& in, size_t i) { return static_cast<int>(in.args[i].i); }
size_t Size(const Input& in, size_t i) {
  return static_cast<size_t>(in.args[i].i);
}

// The address argument at i, or {nullptr, 0} when absent.
const sockaddr* AddrPtr(const Input& in, size_t i) {
  const auto& a = in.args[i].addr;
  return a ? reinterpret_cast<const sockaddr*>(&a->storage) : nullptr;
}
socklen_t AddrLen(const Input& in, size_t i) {
  const auto& a = in.args[i].addr;
  return a ? a->len : 0;
}

// The bytes a buffer argument passes in: its own, or NULL for a null buffer.
const void* InPtr(const BufferArg& b) {
  return b.null ? nullptr : b.bytes.data();
}

// The room a call reads into for a buffer argument: `length` zeroed bytes,
// none for a null buffer.
std::vector<uint8_t> Room(const BufferArg& b) {
  return std::vector<uint8_t>(b.null ? 0 : b.length);
}

// The pointer a call reads into: the room's, or NULL for a null buffer.
void* RoomPtr(const BufferArg& b, std::vector<uint8_t>& room) {
  return b.null ? nullptr : room.data();
}

// The iovecs passing in the bytes of bufs (NULL bases for null buffers).
std::vector<iovec> InIov(const std::vector<BufferArg>& bufs) {
  std::vector<iovec> iov;
  for (const auto& b : bufs)
    iov.push_back({const_cast<void*>(InPtr(b)), b.length});
  return iov;
}

// The rooms and iovecs a scatter read fills (NULL bases for null buffers).
std::vector<iovec> RoomIov(const std::vector<BufferArg>& bufs,
                           std::vector<std::vector<uint8_t>>& rooms) {
  rooms.clear();
  rooms.reserve(bufs.size());
  for (const auto& b : bufs) rooms.push_back(Room(b));
  std::vector<iovec> iov;
  for (size_t k = 0; k < bufs.size(); ++k)
    iov.push_back({RoomPtr(bufs[k], rooms[k]), bufs[k].length});
  return iov;
}

// Splits the `ret` bytes a read filled over its iovecs, in order: `iov` per
// buffer, `data` the same bytes concatenated.
void SplitIov(std::vector<std::vector<uint8_t>> bufs, int64_t ret, Output& out) {
  std::vector<uint8_t> all;
  int64_t left = ret > 0 ? ret : 0;
  for (auto& b : bufs) {
    const size_t take = std::min<size_t>(b.size(), static_cast<size_t>(left));
    b.resize(take);
    all.insert(all.end(), b.begin(), b.end());
    left -= static_cast<int64_t>(take);
  }
  out.iov = std::move(bufs);
  out.data = std::move(all);
}

// Keeps the first n bytes of buf (n = a call's return value; none if < 0).
std::vector<uint8_t> Filled(std::vector<uint8_t> buf, int64_t n) {
  buf.resize(n > 0 ? std::min<size_t>(static_cast<size_t>(n), buf.size()) : 0);
  return buf;
}

// --- sockets ---------------------------------------------------------------

void Socket(const Input& in, Output& out) {
  Timed(out, [&] { return ::socket(Int(in, 0), Int(in, 1), Int(in, 2)); });
}

void Bind(const Input& in, Output& out) {
  Timed(out, [&] { return ::bind(Int(in, 0), AddrPtr(in, 1), AddrLen(in, 1)); });
}

void Connect(const Input& in, Output& out) {
  Timed(out,
        [&] { return ::connect(Int(in, 0), AddrPtr(in, 1), AddrLen(in, 1)); });
}

void Listen(const Input& in, Output& out) {
  Timed(out, [&] { return ::listen(Int(in, 0), Int(in, 1)); });
}

void Accept(const Input& in, Output& out) {
  SockAddr peer;
  peer.len = sizeof(peer.storage);
  const int64_t ret = Timed(out, [&] {
    return ::accept(Int(in, 0), reinterpret_cast<sockaddr*>(&peer.storage),
                    &peer.len);
  });
  if (ret >= 0) out.addr = peer;
}

void Accept4(const Input& in, Output& out) {
  SockAddr peer;
  peer.len = sizeof(peer.storage);
  const int64_t ret = Timed(out, [&] {
    return ::accept4(Int(in, 0), reinterpret_cast<sockaddr*>(&peer.storage),
                     &peer.len, Int(in, 1));
  });
  if (ret >= 0) out.addr = peer;
}

void Shutdown(const Input& in, Output& out) {
  Timed(out, [&] { return ::shutdown(Int(in, 0), Int(in, 1)); });
}

void Setsockopt(const Input& in, Output& out) {
  const auto& val = in.args[3].buf;
  Timed(out, [&] {
    return ::setsockopt(Int(in, 0), Int(in, 1), Int(in, 2),
                        val.length == 0 ? nullptr : InPtr(val),
                        static_cast<socklen_t>(val.length));
  });
}

void Getsockopt(const Input& in, Output& out) {
  std::vector<uint8_t> buf(Size(in, 3));
  socklen_t len = static_cast<socklen_t>(buf.size());
  const int64_t ret = Timed(out, [&] {
    return ::getsockopt(Int(in, 0), Int(in, 1), Int(in, 2),
                        buf.empty() ? nullptr : buf.data(), &len);
  });
  out.optlen = len;
  out.data = Filled(std::move(buf), ret == 0 ? static_cast<int64_t>(len) : 0);
}

void NameOf(const Input& in, Output& out,
            int (*fn)(int, sockaddr*, socklen_t*)) {
  SockAddr name;
  name.len = sizeof(name.storage);
  const int64_t ret = Timed(out, [&] {
    return fn(Int(in, 0), reinterpret_cast<sockaddr*>(&name.storage),
              &name.len);
  });
  if (ret == 0) out.addr = name;
}

void Getsockname(const Input& in, Output& out) {
  NameOf(in, out, ::getsockname);
}
void Getpeername(const Input& in, Output& out) {
  NameOf(in, out, ::getpeername);
}

// --- data --------------------------------------------------------------------

void Read(const Input& in, Output& out) {
  const auto& b = in.args[1].buf;
  std::vector<uint8_t> room = Room(b);
  const int64_t ret = Timed(
      out, [&] { return ::read(Int(in, 0), RoomPtr(b, room), b.length); });
  out.data = Filled(std::move(room), ret);
}

void Write(const Input& in, Output& out) {
  const auto& b = in.args[1].buf;
  Timed(out, [&] { return ::write(Int(in, 0), InPtr(b), b.length); });
}

void Send(const Input& in, Output& out) {
  const auto& b = in.args[1].buf;
  Timed(out,
        [&] { return ::send(Int(in, 0), InPtr(b), b.length, Int(in, 2)); });
}

void Sendto(const Input& in, Output& out) {
  const auto& b = in.args[1].buf;
  Timed(out, [&] {
    return ::sendto(Int(in, 0), InPtr(b), b.length, Int(in, 2), AddrPtr(in, 3),
                    AddrLen(in, 3));
  });
}

void Recv(const Input& in, Output& out) {
  const auto& b = in.args[1].buf;
  std::vector<uint8_t> room = Room(b);
  const int64_t ret = Timed(out, [&] {
    return ::recv(Int(in, 0), RoomPtr(b, room), b.length, Int(in, 2));
  });
  out.data = Filled(std::move(room), ret);
}

void Recvfrom(const Input& in, Output& out) {
  const auto& b = in.args[1].buf;
  std::vector<uint8_t> room = Room(b);
  SockAddr from;
  from.len = sizeof(from.storage);
  const int64_t ret = Timed(out, [&] {
    return ::recvfrom(Int(in, 0), RoomPtr(b, room), b.length, Int(in, 2),
                      reinterpret_cast<sockaddr*>(&from.storage), &from.len);
  });
  out.data = Filled(std::move(room), ret);
  // A connected TCP socket reports no source address (len stays 0).
  if (ret >= 0 && from.len > 0) out.addr = from;
}

void Readv(const Input& in, Output& out) {
  std::vector<std::vector<uint8_t>> rooms;
  std::vector<iovec> iov = RoomIov(in.args[1].bufs, rooms);
  const int64_t ret = Timed(out, [&] {
    return ::readv(Int(in, 0), iov.data(), static_cast<int>(iov.size()));
  });
  SplitIov(std::move(rooms), ret, out);
}

void Writev(const Input& in, Output& out) {
  std::vector<iovec> iov = InIov(in.args[1].bufs);
  Timed(out, [&] {
    return ::writev(Int(in, 0), iov.data(), static_cast<int>(iov.size()));
  });
}

// sendfile(out_fd, in_fd, offset ? &offset : NULL, count); offset -1 (the
// default) means NULL.
void Sendfile(const Input& in, Output& out) {
  off_t offset = static_cast<off_t>(in.args[3].i);
  off_t* at = in.args[3].i >= 0 ? &offset : nullptr;
  Timed(out, [&] {
    return ::sendfile(Int(in, 0), Int(in, 1), at, Size(in, 2));
  });
}

// splice(fd_in, off_in, fd_out, off_out, len, flags); an offset of -1 (the
// default) means NULL, as sockets and pipes require.
void Splice(const Input& in, Output& out) {
  loff_t off_in = static_cast<loff_t>(in.args[1].i);
  loff_t off_out = static_cast<loff_t>(in.args[3].i);
  Timed(out, [&] {
    return ::splice(Int(in, 0), in.args[1].i >= 0 ? &off_in : nullptr,
                    Int(in, 2), in.args[3].i >= 0 ? &off_out : nullptr,
                    Size(in, 4), static_cast<unsigned int>(in.args[5].i));
  });
}

// sendmsg(fd, {msg_name, msg_iov, msg_control}, flags). The control
// messages are laid out with the CMSG_* macros; msg_name is the optional
// address (a connected TCP socket ignores it; MSG_FASTOPEN connects to it).
void Sendmsg(const Input& in, Output& out) {
  std::vector<iovec> iov = InIov(in.args[1].bufs);
  const auto& cmsgs = in.args[3].cmsgs;
  size_t space = 0;
  for (const auto& c : cmsgs) space += CMSG_SPACE(c.data.size());
  std::vector<uint8_t> control(space);
  msghdr msg{};
  msg.msg_name = const_cast<sockaddr*>(AddrPtr(in, 4));
  msg.msg_namelen = AddrLen(in, 4);
  msg.msg_iov = iov.empty() ? nullptr : iov.data();
  msg.msg_iovlen = iov.size();
  if (space > 0) {
    msg.msg_control = control.data();
    msg.msg_controllen = space;
    cmsghdr* h = CMSG_FIRSTHDR(&msg);
    for (const auto& c : cmsgs) {
      h->cmsg_level = c.level;
      h->cmsg_type = c.type;
      h->cmsg_len = CMSG_LEN(c.data.size());
      if (!c.data.empty()) std::memcpy(CMSG_DATA(h), c.data.data(), c.data.size());
      h = CMSG_NXTHDR(&msg, h);
    }
  }
  Timed(out, [&] { return ::sendmsg(Int(in, 0), &msg, Int(in, 2)); });
}

// recvmsg(fd, {msg_name, msg_iov, msg_control of controllen bytes}, flags):
// the bytes as readv reports them, msg_flags, the source address when the
// kernel gave one, and each control message the kernel wrote.
void Recvmsg(const Input& in, Output& out) {
  std::vector<std::vector<uint8_t>> rooms;
  std::vector<iovec> iov = RoomIov(in.args[1].bufs, rooms);
  // Aligned for cmsghdr.
  std::vector<uint64_t> control((Size(in, 3) + 7) / 8);
  SockAddr name;
  name.len = sizeof(name.storage);
  msghdr msg{};
  msg.msg_name = &name.storage;
  msg.msg_namelen = name.len;
  msg.msg_iov = iov.empty() ? nullptr : iov.data();
  msg.msg_iovlen = iov.size();
  msg.msg_control = control.empty() ? nullptr : control.data();
  msg.msg_controllen = Size(in, 3);
  const int64_t ret =
      Timed(out, [&] { return ::recvmsg(Int(in, 0), &msg, Int(in, 2)); });
  SplitIov(std::move(rooms), ret, out);
  if (ret < 0) return;
  out.msgFlags = msg.msg_flags;
  name.len = msg.msg_namelen;
  if (name.len > 0) out.addr = name;
  std::vector<Cmsg> got;
  if (msg.msg_controllen > 0) {
    for (cmsghdr* h = CMSG_FIRSTHDR(&msg); h != nullptr;
         h = CMSG_NXTHDR(&msg, h)) {
      if (h->cmsg_len < CMSG_LEN(0)) break;
      Cmsg c;
      c.level = h->cmsg_level;
      c.type = h->cmsg_type;
      c.len = h->cmsg_len;
      const auto* p = CMSG_DATA(h);
      c.data.assign(p, p + (h->cmsg_len - CMSG_LEN(0)));
      got.push_back(std::move(c));
    }
  }
  out.cmsgs = std::move(got);
}

// --- descriptors -------------------------------------------------------------

// Not script calls: process control for the sandboxed script process.

// _exit(2) at once. Node's own exit joins the libuv pool, which never returns
// while a script's blocking call (connect, accept, read) is still in the
// kernel; the script process is PID 1 of its namespaces, so this ends them all.
void ExitNow(const Input& in, Output& out) {
  (void)out;
  ::_exit(Int(in, 0));
}

// Sleeps until an absolute CLOCK_MONOTONIC time (nanoseconds). The engine
// calls it on the main thread for the last stretch before an event: a
// real-time thread woken by an hrtimer is on time to tens of microseconds,
// without spinning a core away from parallel scripts.
void SleepUntil(const Input& in, Output& out) {
  timespec ts;
  ts.tv_sec = static_cast<time_t>(in.args[0].u / 1000000000ull);
  ts.tv_nsec = static_cast<long>(in.args[0].u % 1000000000ull);
  Timed(out, [&] {
    int r;
    do {
      r = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr);
    } while (r == EINTR);
    errno = r;
    return r == 0 ? 0 : -1;
  });
}

// The calling thread takes SCHED_RR at the given priority with
// SCHED_RESET_ON_FORK, so commands it starts run at normal priority; 0 puts
// it (and, on their next call, the pool threads) back to SCHED_OTHER.
void SetRealtime(const Input& in, Output& out) {
  Timed(out, [&] {
    sched_param p{};
    p.sched_priority = Int(in, 0);
    // 0 goes back to normal scheduling (the script's timed part is over).
    const int policy = p.sched_priority ? (SCHED_RR | SCHED_RESET_ON_FORK) : SCHED_OTHER;
    const int r = ::sched_setscheduler(0, policy, &p);
    if (r == 0) g_realtime_priority.store(p.sched_priority);
    return r;
  });
}

void Close(const Input& in, Output& out) {
  Timed(out, [&] { return ::close(Int(in, 0)); });
}

void Fcntl(const Input& in, Output& out) {
  Timed(out, [&] {
    return ::fcntl(Int(in, 0), Int(in, 1), static_cast<long>(in.args[2].i));
  });
}

void IoctlInt(const Input& in, Output& out) {
  int value = 0;
  const int64_t ret = Timed(out, [&] {
    return ::ioctl(Int(in, 0), static_cast<unsigned long>(
                                   static_cast<uint32_t>(in.args[1].i)),
                   &value);
  });
  if (ret >= 0) out.value = value;
}

void Pipe(const Input&, Output& out) {
  int fds[2] = {-1, -1};
  const int64_t ret = Timed(out, [&] { return ::pipe(fds); });
  if (ret == 0) out.fds = std::array<int, 2>{fds[0], fds[1]};
}

void Open(const Input& in, Output& out) {
  const std::string& path = in.args[0].text;
  Timed(out, [&] {
    return ::open(path.c_str(), Int(in, 1),
                  static_cast<mode_t>(static_cast<uint32_t>(in.args[2].i)));
  });
}

// --- readiness ---------------------------------------------------------------

void Poll(const Input& in, Output& out) {
  std::vector<pollfd> fds = in.args[0].pollfds;
  Timed(out, [&] {
    return ::poll(fds.data(), static_cast<nfds_t>(fds.size()), Int(in, 1));
  });
  std::vector<int16_t> revents;
  revents.reserve(fds.size());
  for (const auto& p : fds) revents.push_back(p.revents);
  out.revents = std::move(revents);
}

void EpollCreate(const Input& in, Output& out) {
  Timed(out, [&] { return ::epoll_create(Int(in, 0)); });
}

void EpollCtl(const Input& in, Output& out) {
  epoll_event ev{};
  ev.events = static_cast<uint32_t>(in.args[3].i);
  ev.data.u64 = in.args[4].u;
  Timed(out, [&] {
    return ::epoll_ctl(Int(in, 0), Int(in, 1), Int(in, 2), &ev);
  });
}

void EpollWait(const Input& in, Output& out) {
  const int maxevents = Int(in, 1);
  std::vector<epoll_event> evs(maxevents > 0 ? static_cast<size_t>(maxevents)
                                             : 1);
  const int64_t ret = Timed(out, [&] {
    return ::epoll_wait(Int(in, 0), evs.data(), maxevents, Int(in, 2));
  });
  std::vector<EpollEvent> ready;
  for (int64_t k = 0; k < ret; ++k) {
    ready.push_back({evs[k].events, evs[k].data.u64});
  }
  out.events = std::move(ready);
}

// --- the table ---------------------------------------------------------------

using K = ArgKind;

const std::vector<OpSpec> kOps = {
    {"socket", {{K::Int, "domain"}, {K::Int, "type"}, {K::Int, "protocol"}},
     Socket},
    {"bind", {{K::Int, "fd"}, {K::SockAddr, "addr"}}, Bind},
    {"connect", {{K::Int, "fd"}, {K::SockAddr, "addr"}}, Connect},
    {"listen", {{K::Int, "fd"}, {K::Int, "backlog"}}, Listen},
    {"accept", {{K::Int, "fd"}}, Accept},
    {"accept4", {{K::Int, "fd"}, {K::Int, "flags"}}, Accept4},
    {"read", {{K::Int, "fd"}, {K::RoomLen, "len"}}, Read},
    {"write", {{K::Int, "fd"}, {K::Bytes, "buf"}}, Write},
    {"send", {{K::Int, "fd"}, {K::Bytes, "buf"}, {K::Int, "flags"}}, Send},
    {"sendto",
     {{K::Int, "fd"}, {K::Bytes, "buf"}, {K::Int, "flags"},
      {K::OptSockAddr, "addr"}},
     Sendto},
    {"recv", {{K::Int, "fd"}, {K::RoomLen, "len"}, {K::Int, "flags"}}, Recv},
    {"recvfrom", {{K::Int, "fd"}, {K::RoomLen, "len"}, {K::Int, "flags"}},
     Recvfrom},
    {"readv", {{K::Int, "fd"}, {K::IovLengths, "iov"}}, Readv},
    {"writev", {{K::Int, "fd"}, {K::BytesList, "iov"}}, Writev},
    {"sendfile",
     {{K::Int, "outFd"}, {K::Int, "inFd"}, {K::Count, "count"},
      {K::Count, "offset", true, -1}},
     Sendfile},
    {"splice",
     {{K::Int, "fdIn"}, {K::Count, "offIn", true, -1}, {K::Int, "fdOut"},
      {K::Count, "offOut", true, -1}, {K::Count, "len"}, {K::Int, "flags"}},
     Splice},
    {"sendmsg",
     {{K::Int, "fd"}, {K::BytesList, "iov"}, {K::Int, "flags"},
      {K::CmsgList, "control"}, {K::OptSockAddr, "name"}},
     Sendmsg},
    {"recvmsg",
     {{K::Int, "fd"}, {K::IovLengths, "iov"}, {K::Int, "flags"},
      {K::Len, "controllen"}},
     Recvmsg},
    {"close", {{K::Int, "fd"}}, Close},
    {"_exit", {{K::Int, "code"}}, ExitNow},
    {"sleep_until", {{K::U64, "monotonicNs"}}, SleepUntil},
    {"set_realtime", {{K::Int, "priority"}}, SetRealtime},
    {"shutdown", {{K::Int, "fd"}, {K::Int, "how"}}, Shutdown},
    {"setsockopt",
     {{K::Int, "fd"}, {K::Int, "level"}, {K::Int, "optname"},
      {K::Bytes, "optval"}},
     Setsockopt},
    {"getsockopt",
     {{K::Int, "fd"}, {K::Int, "level"}, {K::Int, "optname"},
      {K::Len, "optlen"}},
     Getsockopt},
    {"getsockname", {{K::Int, "fd"}}, Getsockname},
    {"getpeername", {{K::Int, "fd"}}, Getpeername},
    {"fcntl", {{K::Int, "fd"}, {K::Int, "cmd"}, {K::Int, "arg", true, 0}},
     Fcntl},
    {"ioctl_int", {{K::Int, "fd"}, {K::Int, "request"}}, IoctlInt},
    {"pipe", {}, Pipe},
    {"open", {{K::Path, "path"}, {K::Int, "flags"}, {K::Int, "mode", true, 0}},
     Open},
    {"poll", {{K::PollList, "fds"}, {K::Int, "timeoutMs"}}, Poll},
    {"epoll_create", {{K::Int, "size"}}, EpollCreate},
    {"epoll_ctl",
     {{K::Int, "epfd"}, {K::Int, "op"}, {K::Int, "fd"},
      {K::Int, "events", true, 0}, {K::U64, "data", true, 0}},
     EpollCtl},
    {"epoll_wait",
     {{K::Int, "epfd"},
      {K::Int, "maxevents", false, 0, kMaxEpollEvents},
      {K::Int, "timeoutMs"}},
     EpollWait},
};

}  // namespace

const std::vector<OpSpec>& AllOps() { return kOps; }

const OpSpec* FindOp(const std::string& name) {
  static const std::unordered_map<std::string, const OpSpec*> byName = [] {
    std::unordered_map<std::string, const OpSpec*> m;
    for (const auto& op : kOps) m.emplace(op.name, &op);
    return m;
  }();
  auto it = byName.find(name);
  return it == byName.end() ? nullptr : it->second;
}

}  // namespace pktdrill
