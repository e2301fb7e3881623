// The wire, native side: the kernel's interface is a tun device, as
// packetdrill's is, and every frame carries the kernel's own time.
//
//   kernel under test ── tun0 ══ fd (inject: writev with a virtio-net header)
//                          └──── packet socket (both directions, kernel
//                                timestamps, in the kernel's order)
//
// A tun device with IFF_VNET_HDR and TSO4/TSO6 offloads gets from TCP the
// super-segments packetdrill's scripts expect; a veth does not (its TSO and
// queueing differ, and its peer in the same namespace counts every frame
// the kernel sends as received). The packet socket sees each outbound frame
// in dev_queue_xmit_nit, stamped there by the kernel (SO_TIMESTAMPNS), and
// each injected frame when the stack takes it in; the stamp, converted to
// CLOCK_MONOTONIC, is the frame's time, so no delay of the event loop moves
// a time. The socket is watched by the event loop itself (uv_poll): the
// kernel wakes the script's own thread, one hand-off as in packetdrill,
// where a reader thread would add a second wake-up (measured here: 1.7 ms
// from the kernel's SYN to JavaScript with a thread and a thread-safe
// function). The tun fd's own queue is drained at each wake-up: tun
// orphans every skb it queues, so when it is read does not change what TCP
// does, and the psock has seen each frame already.

#include <napi.h>
#include <uv.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <poll.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace pktdrill_link {
namespace {

// struct virtio_net_hdr (linux/virtio_net.h, which does not build as C++):
// what a tun device with IFF_VNET_HDR puts before every packet.
struct VnetHdr {
  uint8_t flags;
  uint8_t gso_type;
  uint16_t hdr_len;
  uint16_t gso_size;
  uint16_t csum_start;
  uint16_t csum_offset;
};
static_assert(sizeof(VnetHdr) == 10, "virtio_net_hdr is 10 bytes");

int64_t NowNs(clockid_t clock) {
  timespec ts;
  clock_gettime(clock, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000LL + ts.tv_nsec;
}

struct Frame {
  std::vector<uint8_t> bytes;  // the IP packet, as the kernel has it
  int64_t monoNs;              // kernel time, on CLOCK_MONOTONIC
  bool outgoing;               // sent by the kernel (else taken in by it)
  uint16_t gsoSize;            // a TSO/GSO super-segment's MSS, else 0
};

class Tun {
 public:
  int tunFd = -1;
  int psock = -1;
  int ifindex = 0;
  Napi::Env env = nullptr;
  Napi::FunctionReference onFrames;
  uv_poll_t* poll = nullptr;  // freed by its close callback
  std::vector<uint8_t> buf = std::vector<uint8_t>(256 * 1024);
  std::vector<Frame> frames;
  int err = 0;

  ~Tun() { Close(); }

  void Close() {
    if (poll) {
      uv_poll_stop(poll);
      uv_close(reinterpret_cast<uv_handle_t*>(poll),
               [](uv_handle_t* h) { delete reinterpret_cast<uv_poll_t*>(h); });
      poll = nullptr;
    }
    if (psock >= 0) close(psock), psock = -1;
    if (tunFd >= 0) close(tunFd), tunFd = -1;
  }

  // Everything readable now: frames from the packet socket, in order.
  void Receive() {
    alignas(cmsghdr) char control[256];
    for (;;) {
      sockaddr_ll from;
      iovec iov = {buf.data(), buf.size()};
      msghdr msg = {};
      msg.msg_name = &from;
      msg.msg_namelen = sizeof from;
      msg.msg_iov = &iov;
      msg.msg_iovlen = 1;
      msg.msg_control = control;
      msg.msg_controllen = sizeof control;
      ssize_t got = recvmsg(psock, &msg, MSG_DONTWAIT | MSG_TRUNC);
      if (got < 0) {
        if (errno == EAGAIN || errno == EINTR) break;
        // Bound while the device was down: the socket reports that once
        // when the device comes up. Nothing is lost.
        if (errno == ENETDOWN) continue;
        err = errno;
        break;
      }
      if (from.sll_ifindex != ifindex) continue;
      if (from.sll_pkttype != PACKET_OUTGOING && from.sll_pkttype != PACKET_HOST) continue;
      int64_t stampReal = -1;
      for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
          timespec ts;
          memcpy(&ts, CMSG_DATA(c), sizeof ts);
          stampReal = static_cast<int64_t>(ts.tv_sec) * 1000000000LL + ts.tv_nsec;
        }
      }
      // The stamp is CLOCK_REALTIME; the script's clock is MONOTONIC.
      // Convert with a pair read now, so a step of the wall clock between
      // two frames moves neither.
      const int64_t mono = NowNs(CLOCK_MONOTONIC);
      const int64_t real = NowNs(CLOCK_REALTIME);
      const int64_t age = stampReal < 0 ? 0 : real - stampReal;
      Frame f;
      // Each frame starts with its virtio-net header (PACKET_VNET_HDR): the
      // GSO size of a super-segment, the MSS TCP cut it for.
      const size_t len = static_cast<size_t>(got) < buf.size() ? static_cast<size_t>(got) : buf.size();
      if (len < sizeof(VnetHdr)) continue;
      VnetHdr h;
      memcpy(&h, buf.data(), sizeof h);
      f.gsoSize = h.gso_type != 0 ? h.gso_size : 0;
      f.bytes.assign(buf.data() + sizeof(VnetHdr), buf.data() + len);
      f.monoNs = mono - (age > 0 ? age : 0);
      f.outgoing = from.sll_pkttype == PACKET_OUTGOING;
      frames.push_back(std::move(f));
    }
    // Drain what the device queued for "the wire": seen above already.
    while (read(tunFd, buf.data(), buf.size()) > 0) {
    }
  }

  // Hand what was received to JavaScript: from the loop (MakeCallback), or
  // from a JavaScript call (pump) directly.
  void Deliver(bool fromJs = false) {
    if (frames.empty() && err == 0) return;
    Napi::HandleScope scope(env);
    auto list = Napi::Array::New(env, frames.size());
    for (size_t k = 0; k < frames.size(); ++k) {
      Frame& f = frames[k];
      auto o = Napi::Object::New(env);
      o.Set("bytes", Napi::Buffer<uint8_t>::Copy(env, f.bytes.data(), f.bytes.size()));
      o.Set("timeNs", Napi::BigInt::New(env, f.monoNs));
      o.Set("outgoing", Napi::Boolean::New(env, f.outgoing));
      o.Set("gsoSize", Napi::Number::New(env, f.gsoSize));
      list.Set(static_cast<uint32_t>(k), o);
    }
    frames.clear();
    const int e = err;
    err = 0;
    if (fromJs) {
      onFrames.Call(env.Global(), {list, Napi::Number::New(env, e)});
      return;
    }
    try {
      onFrames.MakeCallback(env.Global(), {list, Napi::Number::New(env, e)});
    } catch (const Napi::Error& thrown) {
      // No JavaScript frame to throw into: the process's uncaught exception.
      napi_fatal_exception(env, thrown.Value());
    }
  }

  static void OnReadable(uv_poll_t* handle, int status, int) {
    Tun* t = static_cast<Tun*>(handle->data);
    if (status < 0) {
      // libuv reports POLLERR as UV_EBADF and stops the handle. Here that
      // is the socket's pending error (ENETDOWN while the device came up):
      // the receive below takes and judges it; go on watching.
      uv_poll_start(handle, UV_READABLE, OnReadable);
    }
    t->Receive();
    t->Deliver();
  }
};

std::mutex g_lock;
std::unique_ptr<Tun> g_tun;  // one wire per process: the script's

[[noreturn]] void Throw(Napi::Env env, const std::string& what, int err) {
  throw Napi::Error::New(env, what + ": " + strerror(err));
}

// open(name, offloads, onFrames) -> undefined. offloads: TUN_F_* bits.
Napi::Value Open(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 3 || !info[0].IsString() || !info[1].IsNumber() || !info[2].IsFunction())
    throw Napi::TypeError::New(env, "tun.open(name, offloads, onFrames)");
  std::lock_guard<std::mutex> hold(g_lock);
  if (g_tun) throw Napi::Error::New(env, "tun.open: the wire is open already");
  const std::string name = info[0].As<Napi::String>().Utf8Value();
  const unsigned offloads = info[1].As<Napi::Number>().Uint32Value();
  auto t = std::make_unique<Tun>();

  t->tunFd = open("/dev/net/tun", O_RDWR | O_CLOEXEC | O_NONBLOCK);
  if (t->tunFd < 0) Throw(env, "cannot open /dev/net/tun", errno);
  ifreq ifr = {};
  ifr.ifr_flags = IFF_TUN | IFF_NO_PI | IFF_VNET_HDR;
  strncpy(ifr.ifr_name, name.c_str(), IFNAMSIZ - 1);
  if (ioctl(t->tunFd, TUNSETIFF, &ifr) < 0) Throw(env, "TUNSETIFF " + name, errno);
  if (ioctl(t->tunFd, TUNSETOFFLOAD, static_cast<unsigned long>(offloads)) < 0)
    Throw(env, "TUNSETOFFLOAD", errno);
  t->ifindex = static_cast<int>(if_nametoindex(name.c_str()));
  if (t->ifindex == 0) Throw(env, "if_nametoindex " + name, errno);

  // Protocol 0: the socket takes no frames until bind() names the device and
  // ETH_P_ALL. Made with ETH_P_ALL, it is hooked on every device at once and
  // bind() must unhook it first, which waits for an RCU grace period
  // (synchronize_net: 10-20 ms of every script's start, measured).
  t->psock = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
  if (t->psock < 0) Throw(env, "packet socket", errno);
  int on = 1;
  if (setsockopt(t->psock, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on) < 0)
    Throw(env, "SO_TIMESTAMPNS", errno);
  int rcvbuf = 16 * 1024 * 1024;
  if (setsockopt(t->psock, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf) < 0)
    setsockopt(t->psock, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
  if (setsockopt(t->psock, SOL_PACKET, PACKET_VNET_HDR, &on, sizeof on) < 0)
    Throw(env, "PACKET_VNET_HDR", errno);
  sockaddr_ll ll = {};
  ll.sll_family = AF_PACKET;
  ll.sll_protocol = htons(ETH_P_ALL);
  ll.sll_ifindex = t->ifindex;
  if (bind(t->psock, reinterpret_cast<sockaddr*>(&ll), sizeof ll) < 0)
    Throw(env, "bind packet socket", errno);

  t->env = env;
  t->onFrames = Napi::Persistent(info[2].As<Napi::Function>());
  uv_loop_t* loop = nullptr;
  if (napi_get_uv_event_loop(env, &loop) != napi_ok || loop == nullptr)
    throw Napi::Error::New(env, "tun.open: no event loop");
  t->poll = new uv_poll_t;
  if (uv_poll_init(loop, t->poll, t->psock) != 0) {
    delete t->poll;
    t->poll = nullptr;
    throw Napi::Error::New(env, "tun.open: uv_poll_init failed");
  }
  t->poll->data = t.get();
  uv_poll_start(t->poll, UV_READABLE, Tun::OnReadable);
  // Frames alone do not keep the process alive; the engine's own timers do.
  uv_unref(reinterpret_cast<uv_handle_t*>(t->poll));
  g_tun = std::move(t);
  return env.Undefined();
}

// send(ipPacket) -> bigint CLOCK_MONOTONIC ns before the write, or throws
// with the errno's text. The virtio-net header is empty: no GSO, checksums
// as the packet has them.
Napi::Value Send(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsTypedArray())
    throw Napi::TypeError::New(env, "tun.send(packet)");
  auto a = info[0].As<Napi::Uint8Array>();
  VnetHdr h = {};
  Tun* t = g_tun.get();
  if (!t) throw Napi::Error::New(env, "tun.send: the wire is not open");
  iovec iov[2] = {{&h, sizeof h}, {a.Data(), a.ByteLength()}};
  const int64_t at = NowNs(CLOCK_MONOTONIC);
  ssize_t n = writev(t->tunFd, iov, 2);
  if (n < 0) Throw(env, "write to the tun device", errno);
  return Napi::BigInt::New(env, at);
}

// pump() -> undefined: take what the packet socket holds now and hand it to
// onFrames before returning, without waiting for the event loop to get to
// it (the engine calls this before it waits for a packet: a frame that came
// while JavaScript was busy is then seen at once).
Napi::Value Pump(const Napi::CallbackInfo& info) {
  Tun* t = g_tun.get();
  if (t) {
    t->Receive();
    t->Deliver(true);
  }
  return info.Env().Undefined();
}

Napi::Value Close(const Napi::CallbackInfo& info) {
  std::unique_ptr<Tun> t;
  {
    std::lock_guard<std::mutex> hold(g_lock);
    t = std::move(g_tun);
  }
  if (t) t->Close();
  return info.Env().Undefined();
}

}  // namespace

Napi::Object TunExports(Napi::Env env) {
  auto o = Napi::Object::New(env);
  o.Set("open", Napi::Function::New(env, Open, "open"));
  o.Set("send", Napi::Function::New(env, Send, "send"));
  o.Set("close", Napi::Function::New(env, Close, "close"));
  o.Set("pump", Napi::Function::New(env, Pump, "pump"));
  o.Set("TUN_F_CSUM", Napi::Number::New(env, TUN_F_CSUM));
  o.Set("TUN_F_TSO4", Napi::Number::New(env, TUN_F_TSO4));
  o.Set("TUN_F_TSO6", Napi::Number::New(env, TUN_F_TSO6));
  o.Set("TUN_F_TSO_ECN", Napi::Number::New(env, TUN_F_TSO_ECN));
  return o;
}

}  // namespace pktdrill_link
