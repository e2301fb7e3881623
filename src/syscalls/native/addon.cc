// N-API glue: decode JavaScript arguments into an op's Input (main thread),
// run the op (main thread, or a libuv pool thread for invokeAsync), and
// encode its Output as a result object (main thread).
//
// Exports:
//   invoke(op, args)        -> result            (synchronous)
//   invokeAsync(op, args)   -> Promise<result>   (same code, off the loop)
//   constants               frozen { NAME: number }
//   strerror(errno)         glibc's message text
//   errnoName(errno)        'EINPROGRESS'
//   ops                     [{ name, args: [argument names] }]
//   tcp_info_layout         { tcpi_*: { offset, size, shift?, bits? } }
//   layouts                 { tcp_info | tcp_bbr_info | tcp_dctcp_info |
//                             tcpvegas_info | sock_extended_err:
//                             { size, fields } }
#include <napi.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <string.h>

#include <cmath>
#include <string>
#include <utility>

#include "constants.h"
#include "layouts.h"
#include "ops.h"

namespace pktdrill {
namespace {

constexpr double kMaxSafeInteger = 9007199254740991.0;  // 2^53 - 1

// --- describing bad arguments -------------------------------------------------

std::string Describe(const Napi::Value& v) {
  switch (v.Type()) {
    case napi_undefined:
      return "undefined";
    case napi_null:
      return "null";
    case napi_boolean:
      return v.As<Napi::Boolean>().Value() ? "true" : "false";
    case napi_number: {
      std::string s = v.ToString().Utf8Value();
      return "number " + s;
    }
    case napi_string: {
      std::string s = v.As<Napi::String>().Utf8Value();
      if (s.size() > 40) s = s.substr(0, 40) + "...";
      return "string \"" + s + "\"";
    }
    case napi_bigint:
      return "bigint " + v.ToString().Utf8Value() + "n";
    case napi_symbol:
      return "symbol";
    case napi_function:
      return "function";
    default:
      if (v.IsArray()) return "array";
      if (v.IsTypedArray()) return "typed array";
      if (v.IsArrayBuffer()) return "ArrayBuffer";
      return "object";
  }
}

// Where an argument error happened, for the message.
struct Site {
  const OpSpec& op;
  const ArgSpec& arg;
  size_t position;     // 0-based index into the JS args array
  const char* part;    // sub-argument name (e.g. "port"), or nullptr
};

[[noreturn]] void Fail(Napi::Env env, const Site& at, const std::string& what,
                       const Napi::Value& got) {
  std::string msg = std::string("syscall ") + at.op.name + ": argument " +
                    std::to_string(at.position + 1) + " (" +
                    (at.part ? at.part : at.arg.name) + ") " + what + ", got " +
                    Describe(got);
  throw Napi::TypeError::New(env, msg);
}

// --- decoding -------------------------------------------------------------------

bool IsAbsent(const Napi::Value& v) { return v.IsUndefined() || v.IsNull(); }

bool ToInt64(const Napi::Value& v, int64_t* out) {
  if (v.IsNumber()) {
    const double d = v.As<Napi::Number>().DoubleValue();
    if (!std::isfinite(d) || std::trunc(d) != d || std::fabs(d) > kMaxSafeInteger)
      return false;
    *out = static_cast<int64_t>(d);
    return true;
  }
  if (v.IsBigInt()) {
    bool lossless = false;
    *out = v.As<Napi::BigInt>().Int64Value(&lossless);
    return lossless;
  }
  return false;
}

int64_t DecodeInteger(Napi::Env env, const Site& at, const Napi::Value& v,
                      int64_t lo, int64_t hi, const char* what) {
  int64_t x = 0;
  if (!ToInt64(v, &x) || x < lo || x > hi) Fail(env, at, what, v);
  return x;
}

int64_t DecodeInt(Napi::Env env, const Site& at, const Napi::Value& v) {
  if (at.arg.upper != 0) {
    const std::string what = "must be an integer <= " +
                             std::to_string(at.arg.upper);
    int64_t x = 0;
    if (!ToInt64(v, &x) || x < INT32_MIN || x > at.arg.upper)
      Fail(env, at, what, v);
    return x;
  }
  return DecodeInteger(env, at, v, INT32_MIN, UINT32_MAX,
                       "must be a 32-bit integer (number or bigint)");
}

std::vector<uint8_t> DecodeBytes(Napi::Env env, const Site& at,
                                 const Napi::Value& v) {
  if (!v.IsTypedArray() ||
      v.As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
    Fail(env, at, "must be a Buffer or Uint8Array", v);
  }
  auto a = v.As<Napi::Uint8Array>();
  const uint8_t* p = a.Data();
  return std::vector<uint8_t>(p, p + a.ByteLength());
}

// A null buffer, {pointer: null, length}: the script's NULL as a buffer.
bool IsNullBuffer(const Napi::Value& v) {
  if (!v.IsObject() || v.IsArray() || v.IsTypedArray()) return false;
  auto o = v.As<Napi::Object>();
  return o.Has("pointer") && o.Get("pointer").IsNull();
}

// A null buffer's length is only passed on, never allocated.
BufferArg DecodeNullBuffer(Napi::Env env, const Site& at, const Napi::Value& v,
                           const std::string& where) {
  BufferArg b;
  b.null = true;
  b.length = static_cast<size_t>(DecodeInteger(
      env, at, v.As<Napi::Object>().Get("length"), 0, int64_t{1} << 53,
      (where + "a null buffer's length must be a non-negative integer")
          .c_str()));
  return b;
}

// Bytes to pass in: a Buffer or Uint8Array (copied), or a null buffer.
BufferArg DecodeInBuffer(Napi::Env env, const Site& at, const Napi::Value& v,
                         const std::string& where = "") {
  if (IsNullBuffer(v)) return DecodeNullBuffer(env, at, v, where);
  if (!v.IsTypedArray() ||
      v.As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
    Fail(env, at,
         where + "must be a Buffer or Uint8Array (or a null buffer "
                 "{pointer: null, length})",
         v);
  }
  BufferArg b;
  b.bytes = DecodeBytes(env, at, v);
  b.length = b.bytes.size();
  return b;
}

// family, address, port starting at args[i].
SockAddr DecodeSockAddr(Napi::Env env, const OpSpec& op, const ArgSpec& arg,
                        const Napi::Array& args, size_t i) {
  const Napi::Value family = args.Get(i);
  const Napi::Value address = args.Get(i + 1);
  const Napi::Value port = args.Get(i + 2);
  const int64_t fam = DecodeInteger(
      env, {op, arg, i, "family"}, family, 0, 0xffff,
      "must be AF_INET, AF_INET6 or AF_UNSPEC");
  SockAddr sa;
  if (fam == AF_UNSPEC) {
    // connect(AF_UNSPEC) dissolves an association; the rest is ignored.
    sa.storage.ss_family = AF_UNSPEC;
    sa.len = sizeof(sockaddr);
    return sa;
  }
  if (fam != AF_INET && fam != AF_INET6) {
    Fail(env, {op, arg, i, "family"}, "must be AF_INET, AF_INET6 or AF_UNSPEC",
         family);
  }
  if (!address.IsString()) {
    Fail(env, {op, arg, i + 1, "address"}, "must be an address string",
         address);
  }
  const std::string text = address.As<Napi::String>().Utf8Value();
  const uint16_t p = static_cast<uint16_t>(DecodeInteger(
      env, {op, arg, i + 2, "port"}, port, 0, 65535,
      "must be an integer in [0, 65535]"));
  if (fam == AF_INET) {
    auto* sin = reinterpret_cast<sockaddr_in*>(&sa.storage);
    sin->sin_family = AF_INET;
    sin->sin_port = htons(p);
    if (inet_pton(AF_INET, text.c_str(), &sin->sin_addr) != 1) {
      Fail(env, {op, arg, i + 1, "address"},
           "must be a dotted-quad IPv4 address for AF_INET", address);
    }
    sa.len = sizeof(sockaddr_in);
  } else {
    auto* sin6 = reinterpret_cast<sockaddr_in6*>(&sa.storage);
    sin6->sin6_family = AF_INET6;
    sin6->sin6_port = htons(p);
    if (inet_pton(AF_INET6, text.c_str(), &sin6->sin6_addr) != 1) {
      Fail(env, {op, arg, i + 1, "address"},
           "must be an IPv6 address for AF_INET6", address);
    }
    sa.len = sizeof(sockaddr_in6);
  }
  return sa;
}

size_t Width(const ArgSpec& a) {
  return a.kind == ArgKind::SockAddr || a.kind == ArgKind::OptSockAddr ? 3 : 1;
}

std::string Signature(const OpSpec& op) {
  std::string s;
  for (const auto& a : op.args) {
    if (!s.empty()) s += ", ";
    if (Width(a) == 3) {
      s += "family, address, port";
    } else {
      s += a.name;
    }
    if (a.optional || a.kind == ArgKind::OptSockAddr) s += "?";
  }
  return s;
}

// Decodes every argument of op from the JS array into plain C++ data.
Input Decode(Napi::Env env, const OpSpec& op, const Napi::Array& args) {
  size_t required = 0, total = 0;
  for (const auto& a : op.args) {
    total += Width(a);
    if (!a.optional && a.kind != ArgKind::OptSockAddr) required = total;
  }
  const size_t n = args.Length();
  if (n < required || n > total) {
    std::string msg = std::string("syscall ") + op.name + "(" + Signature(op) +
                      ") takes " + std::to_string(required);
    if (total != required) msg += " to " + std::to_string(total);
    msg += " argument" + std::string(total == 1 && required == 1 ? "" : "s") +
           ", got " + std::to_string(n);
    throw Napi::TypeError::New(env, msg);
  }

  Input in;
  in.args.resize(op.args.size());
  size_t pos = 0;
  for (size_t k = 0; k < op.args.size(); ++k) {
    const ArgSpec& spec = op.args[k];
    ArgValue& out = in.args[k];
    const Site at{op, spec, pos, nullptr};
    const Napi::Value v = args.Get(pos);
    pos += Width(spec);
    if (spec.optional && IsAbsent(v)) {
      out.i = spec.fallback;
      out.u = static_cast<uint64_t>(spec.fallback);
      continue;
    }
    switch (spec.kind) {
      case ArgKind::Int:
        out.i = DecodeInt(env, at, v);
        break;
      case ArgKind::Len:
        out.i = DecodeInteger(env, at, v, 0, kMaxAllocBytes,
                              ("must be an integer in [0, " +
                               std::to_string(kMaxAllocBytes) + "]").c_str());
        break;
      case ArgKind::Count:
        out.i = DecodeInteger(env, at, v, 0, int64_t{1} << 53,
                              "must be a non-negative integer");
        break;
      case ArgKind::U64: {
        if (v.IsBigInt()) {
          bool lossless = false;
          out.u = v.As<Napi::BigInt>().Uint64Value(&lossless);
          if (!lossless) Fail(env, at, "must fit in 64 unsigned bits", v);
        } else {
          out.u = static_cast<uint64_t>(DecodeInteger(
              env, at, v, 0, int64_t{1} << 53,
              "must be a bigint or a non-negative integer"));
        }
        break;
      }
      case ArgKind::Bytes:
        out.buf = DecodeInBuffer(env, at, v);
        break;
      case ArgKind::RoomLen: {
        if (IsNullBuffer(v)) {
          out.buf = DecodeNullBuffer(env, at, v, "");
          break;
        }
        const std::string what = "must be an integer in [0, " +
                                 std::to_string(kMaxAllocBytes) +
                                 "] or a null buffer {pointer: null, length}";
        out.buf.length = static_cast<size_t>(
            DecodeInteger(env, at, v, 0, kMaxAllocBytes, what.c_str()));
        break;
      }
      case ArgKind::SockAddr:
        out.addr = DecodeSockAddr(env, op, spec, args, at.position);
        break;
      case ArgKind::OptSockAddr:
        if (!IsAbsent(v)) {
          out.addr = DecodeSockAddr(env, op, spec, args, at.position);
        }
        break;
      case ArgKind::BytesList: {
        if (!v.IsArray())
          Fail(env, at, "must be an array of Buffers or null buffers", v);
        auto list = v.As<Napi::Array>();
        for (uint32_t j = 0; j < list.Length(); ++j) {
          out.bufs.push_back(DecodeInBuffer(
              env, at, list.Get(j), "item " + std::to_string(j) + " "));
        }
        break;
      }
      case ArgKind::IovLengths: {
        if (!v.IsArray())
          Fail(env, at, "must be an array of lengths, Buffers or null buffers",
               v);
        auto list = v.As<Napi::Array>();
        int64_t sum = 0;
        for (uint32_t j = 0; j < list.Length(); ++j) {
          const Napi::Value item = list.Get(j);
          const std::string where = "item " + std::to_string(j) + " ";
          if (IsNullBuffer(item)) {
            out.bufs.push_back(DecodeNullBuffer(env, at, item, where));
            continue;
          }
          int64_t len = 0;
          if (item.IsTypedArray()) {
            len = static_cast<int64_t>(
                item.As<Napi::TypedArray>().ByteLength());
          } else if (!ToInt64(item, &len) || len < 0) {
            Fail(env, at,
                 "must be an array of lengths, Buffers or null buffers (item " +
                     std::to_string(j) + ")",
                 item);
          }
          sum += len;
          if (sum > kMaxAllocBytes)
            Fail(env, at, "must total at most " +
                              std::to_string(kMaxAllocBytes) + " bytes", v);
          BufferArg b;
          b.length = static_cast<size_t>(len);
          out.bufs.push_back(std::move(b));
        }
        break;
      }
      case ArgKind::PollList: {
        if (!v.IsArray())
          Fail(env, at, "must be an array of {fd, events}", v);
        auto list = v.As<Napi::Array>();
        for (uint32_t j = 0; j < list.Length(); ++j) {
          const Napi::Value item = list.Get(j);
          if (!item.IsObject() || item.IsArray())
            Fail(env, at, "must be an array of {fd, events} (item " +
                              std::to_string(j) + ")", item);
          auto o = item.As<Napi::Object>();
          const Napi::Value fd = o.Get("fd");
          const Napi::Value events = o.Get("events");
          pollfd p{};
          p.fd = static_cast<int>(DecodeInteger(
              env, at, fd, INT32_MIN, INT32_MAX,
              ("item " + std::to_string(j) + ".fd must be an integer").c_str()));
          p.events = static_cast<short>(DecodeInteger(
              env, at, events, INT16_MIN, UINT16_MAX,
              ("item " + std::to_string(j) + ".events must be a 16-bit integer")
                  .c_str()));
          out.pollfds.push_back(p);
        }
        break;
      }
      case ArgKind::CmsgList: {
        if (!v.IsArray())
          Fail(env, at, "must be an array of {level, type, data}", v);
        auto list = v.As<Napi::Array>();
        for (uint32_t j = 0; j < list.Length(); ++j) {
          const Napi::Value item = list.Get(j);
          const std::string where = "item " + std::to_string(j);
          if (!item.IsObject() || item.IsArray())
            Fail(env, at, "must be an array of {level, type, data} (" + where +
                              ")", item);
          auto o = item.As<Napi::Object>();
          Cmsg c;
          c.level = static_cast<int>(DecodeInteger(
              env, at, o.Get("level"), INT32_MIN, INT32_MAX,
              (where + ".level must be an integer").c_str()));
          c.type = static_cast<int>(DecodeInteger(
              env, at, o.Get("type"), INT32_MIN, INT32_MAX,
              (where + ".type must be an integer").c_str()));
          c.data = DecodeBytes(env, at, o.Get("data"));
          out.cmsgs.push_back(std::move(c));
        }
        break;
      }
      case ArgKind::Path: {
        if (!v.IsString()) Fail(env, at, "must be a string", v);
        out.text = v.As<Napi::String>().Utf8Value();
        if (out.text.find('\0') != std::string::npos)
          Fail(env, at, "must not contain NUL", v);
        break;
      }
    }
  }
  return in;
}

// --- encoding -------------------------------------------------------------------

Napi::Value AddrToJs(Napi::Env env, const SockAddr& sa) {
  char text[INET6_ADDRSTRLEN] = {0};
  auto obj = Napi::Object::New(env);
  if (sa.storage.ss_family == AF_INET) {
    const auto* sin = reinterpret_cast<const sockaddr_in*>(&sa.storage);
    inet_ntop(AF_INET, &sin->sin_addr, text, sizeof(text));
    obj.Set("family", "inet");
    obj.Set("address", text);
    obj.Set("port", ntohs(sin->sin_port));
    return obj;
  }
  if (sa.storage.ss_family == AF_INET6) {
    const auto* sin6 = reinterpret_cast<const sockaddr_in6*>(&sa.storage);
    inet_ntop(AF_INET6, &sin6->sin6_addr, text, sizeof(text));
    obj.Set("family", "inet6");
    obj.Set("address", text);
    obj.Set("port", ntohs(sin6->sin6_port));
    return obj;
  }
  return env.Undefined();  // other families: no addr field
}

Napi::Buffer<uint8_t> BufferOf(Napi::Env env, const std::vector<uint8_t>& v) {
  if (v.empty()) return Napi::Buffer<uint8_t>::New(env, 0);
  return Napi::Buffer<uint8_t>::Copy(env, v.data(), v.size());
}

Napi::Object Encode(Napi::Env env, const Output& out) {
  auto r = Napi::Object::New(env);
  r.Set("ret", Napi::Number::New(env, static_cast<double>(out.ret)));
  r.Set("errno", Napi::Number::New(env, out.err));
  r.Set("startNs", Napi::BigInt::New(env, out.startNs));
  r.Set("endNs", Napi::BigInt::New(env, out.endNs));
  if (out.data) r.Set("data", BufferOf(env, *out.data));
  if (out.iov) {
    auto a = Napi::Array::New(env, out.iov->size());
    for (size_t k = 0; k < out.iov->size(); ++k)
      a.Set(static_cast<uint32_t>(k), BufferOf(env, (*out.iov)[k]));
    r.Set("iov", a);
  }
  if (out.addr) {
    Napi::Value a = AddrToJs(env, *out.addr);
    if (!a.IsUndefined()) r.Set("addr", a);
  }
  if (out.optlen) r.Set("optlen", Napi::Number::New(env, *out.optlen));
  if (out.value) r.Set("value", Napi::Number::New(env, *out.value));
  if (out.revents) {
    auto a = Napi::Array::New(env, out.revents->size());
    for (size_t k = 0; k < out.revents->size(); ++k)
      a.Set(static_cast<uint32_t>(k),
            Napi::Number::New(env, static_cast<uint16_t>((*out.revents)[k])));
    r.Set("revents", a);
  }
  if (out.fds) {
    auto a = Napi::Array::New(env, 2);
    a.Set(0u, Napi::Number::New(env, (*out.fds)[0]));
    a.Set(1u, Napi::Number::New(env, (*out.fds)[1]));
    r.Set("fds", a);
  }
  if (out.events) {
    auto a = Napi::Array::New(env, out.events->size());
    for (size_t k = 0; k < out.events->size(); ++k) {
      auto e = Napi::Object::New(env);
      e.Set("events", Napi::Number::New(env, (*out.events)[k].events));
      e.Set("data", Napi::BigInt::New(env, (*out.events)[k].data));
      a.Set(static_cast<uint32_t>(k), e);
    }
    r.Set("events", a);
  }
  if (out.msgFlags) r.Set("msgFlags", Napi::Number::New(env, *out.msgFlags));
  if (out.cmsgs) {
    auto a = Napi::Array::New(env, out.cmsgs->size());
    for (size_t k = 0; k < out.cmsgs->size(); ++k) {
      const Cmsg& c = (*out.cmsgs)[k];
      auto o = Napi::Object::New(env);
      o.Set("level", Napi::Number::New(env, c.level));
      o.Set("type", Napi::Number::New(env, c.type));
      o.Set("len", Napi::Number::New(env, static_cast<double>(c.len)));
      o.Set("data", BufferOf(env, c.data));
      a.Set(static_cast<uint32_t>(k), o);
    }
    r.Set("cmsgs", a);
  }
  return r;
}

// --- entry points ---------------------------------------------------------------

std::pair<const OpSpec*, Input> Prepare(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsString()) {
    throw Napi::TypeError::New(
        env, "syscall: the op name must be a string, got " +
                 Describe(info.Length() < 1 ? env.Undefined() : info[0]));
  }
  const std::string name = info[0].As<Napi::String>().Utf8Value();
  const OpSpec* op = FindOp(name);
  if (!op) {
    std::string known;
    for (const auto& o : AllOps()) known += (known.empty() ? "" : ", ") +
                                            std::string(o.name);
    throw Napi::TypeError::New(
        env, "syscall: unknown op '" + name + "' (known: " + known + ")");
  }
  Napi::Array args = Napi::Array::New(env, 0);
  if (info.Length() >= 2 && !info[1].IsUndefined()) {
    if (!info[1].IsArray()) {
      throw Napi::TypeError::New(env, std::string("syscall ") + op->name +
                                          ": args must be an array, got " +
                                          Describe(info[1]));
    }
    args = info[1].As<Napi::Array>();
  }
  return {op, Decode(env, *op, args)};
}

Napi::Value Invoke(const Napi::CallbackInfo& info) {
  auto [op, input] = Prepare(info);
  Output out;
  op->exec(input, out);
  return Encode(info.Env(), out);
}

// Runs an op on the libuv pool. It owns copies of all inputs (Input holds no
// N-API values), so nothing JavaScript is touched off the main thread.
class CallWorker final : public Napi::AsyncWorker {
 public:
  CallWorker(Napi::Env env, const OpSpec& op, Input input)
      : Napi::AsyncWorker(env, "pktdrill.syscall"),
        op_(op),
        input_(std::move(input)),
        deferred_(Napi::Promise::Deferred::New(env)) {}

  Napi::Promise Promise() const { return deferred_.Promise(); }

 protected:
  void Execute() override {
    ApplyRealtimeToThisThread();
    op_.exec(input_, output_);
  }
  void OnOK() override {
    Napi::HandleScope scope(Env());
    deferred_.Resolve(Encode(Env(), output_));
  }
  void OnError(const Napi::Error& e) override {
    Napi::HandleScope scope(Env());
    deferred_.Reject(e.Value());
  }

 private:
  const OpSpec& op_;
  Input input_;
  Output output_;
  Napi::Promise::Deferred deferred_;
};

Napi::Value InvokeAsync(const Napi::CallbackInfo& info) {
  auto [op, input] = Prepare(info);
  auto* worker = new CallWorker(info.Env(), *op, std::move(input));
  Napi::Promise promise = worker->Promise();
  worker->Queue();  // deletes itself after OnOK/OnError
  return promise;
}

int ErrnoArg(const Napi::CallbackInfo& info, const char* fn) {
  int64_t e = 0;
  if (info.Length() < 1 || !ToInt64(info[0], &e) || e < INT32_MIN ||
      e > INT32_MAX) {
    throw Napi::TypeError::New(
        info.Env(), std::string(fn) + ": errno must be an integer, got " +
                        Describe(info.Length() < 1 ? info.Env().Undefined()
                                                   : info[0]));
  }
  return static_cast<int>(e);
}

// GNU strerror_r returns char*; the XSI one returns int. Accept either.
[[maybe_unused]] const char* StrerrorText(const char* r, const char*) {
  return r;
}
[[maybe_unused]] const char* StrerrorText(int r, const char* buf) {
  return r == 0 ? buf : "Unknown error";
}

Napi::Value Strerror(const Napi::CallbackInfo& info) {
  const int e = ErrnoArg(info, "strerror");
  char buf[256] = {0};
  return Napi::String::New(info.Env(),
                           StrerrorText(strerror_r(e, buf, sizeof(buf)), buf));
}

Napi::Value ErrnoName(const Napi::CallbackInfo& info) {
  const int e = ErrnoArg(info, "errnoName");
  for (const Constant& c : ErrnoNames()) {
    if (c.value == e) return Napi::String::New(info.Env(), c.name);
  }
  return Napi::String::New(info.Env(), std::to_string(e));
}

Napi::Object Constants(Napi::Env env) {
  std::vector<Constant> all;
  AddLibcConstants(all);
  AddUapiConstants(all);
  AddFallbackConstants(all);
  auto obj = Napi::Object::New(env);
  for (const Constant& c : all) {
    if (!obj.HasOwnProperty(c.name)) {
      obj.Set(c.name, Napi::Number::New(env, static_cast<double>(c.value)));
    }
  }
  obj.Freeze();
  return obj;
}

Napi::Array OpList(Napi::Env env) {
  const auto& ops = AllOps();
  auto list = Napi::Array::New(env, ops.size());
  for (size_t k = 0; k < ops.size(); ++k) {
    auto args = Napi::Array::New(env);
    uint32_t j = 0;
    for (const auto& a : ops[k].args) {
      if (Width(a) == 3) {
        args.Set(j++, "family");
        args.Set(j++, "address");
        args.Set(j++, "port");
      } else {
        args.Set(j++, a.name);
      }
    }
    auto o = Napi::Object::New(env);
    o.Set("name", ops[k].name);
    o.Set("args", args);
    list.Set(static_cast<uint32_t>(k), o);
  }
  return list;
}

// { member: { offset, size, shift?, bits? } } for one struct.
Napi::Object FieldsOf(Napi::Env env, const StructLayout& l) {
  auto fields = Napi::Object::New(env);
  for (const FieldLayout& f : l.fields) {
    auto o = Napi::Object::New(env);
    o.Set("offset", Napi::Number::New(env, f.offset));
    o.Set("size", Napi::Number::New(env, f.size));
    if (f.bits != 0) {
      o.Set("shift", Napi::Number::New(env, f.shift));
      o.Set("bits", Napi::Number::New(env, f.bits));
    }
    o.Freeze();
    fields.Set(f.name, o);
  }
  fields.Freeze();
  return fields;
}

// { struct: { size, fields } } for every struct of layouts.h.
Napi::Object Layouts(Napi::Env env) {
  auto all = Napi::Object::New(env);
  for (const StructLayout& l : StructLayouts()) {
    auto o = Napi::Object::New(env);
    o.Set("size", Napi::Number::New(env, l.size));
    o.Set("fields", FieldsOf(env, l));
    o.Freeze();
    all.Set(l.name, o);
  }
  all.Freeze();
  return all;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  // A write to a reset connection must return EPIPE, not kill the process.
  // Node ignores SIGPIPE already; make sure of it wherever we are loaded.
  signal(SIGPIPE, SIG_IGN);

  exports.Set("invoke", Napi::Function::New(env, Invoke, "invoke"));
  exports.Set("invokeAsync",
              Napi::Function::New(env, InvokeAsync, "invokeAsync"));
  exports.Set("strerror", Napi::Function::New(env, Strerror, "strerror"));
  exports.Set("errnoName", Napi::Function::New(env, ErrnoName, "errnoName"));
  exports.Set("constants", Constants(env));
  exports.Set("ops", OpList(env));
  exports.Set("layouts", Layouts(env));
  for (const StructLayout& l : StructLayouts()) {
    if (std::string(l.name) == "tcp_info")
      exports.Set("tcp_info_layout", FieldsOf(env, l));
  }
  return exports;
}

}  // namespace
}  // namespace pktdrill

namespace pktdrill_link {
Napi::Object TunExports(Napi::Env env);
}

Napi::Object InitPktdrillNative(Napi::Env env, Napi::Object exports) {
  pktdrill::Init(env, exports);
  // The wire (src/link/native/tun.cc): the tun device and its packet socket.
  exports.Set("tun", pktdrill_link::TunExports(env));
  return exports;
}

NODE_API_MODULE(pktdrill_native, InitPktdrillNative)
