// Status and Result<T>: how fallible I/O reports errors (header-only, std-only).
//
// Detectors never fail; parsers, file readers and sinks return Result<T>.
// Modelled on simdjson's simdjson_result and Abseil's status codes:
//
//   sidecar::Result<Playbook> pb = sidecar::load_playbook("my.yaml");
//   if (!pb) std::cerr << pb.status().to_string() << "\n";   // file:line:col: what
//   Playbook p = std::move(pb).value();                        // throws sidecar::Error
#pragma once

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include "sidecar/core/detail/names.h"

namespace sidecar {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,    // bad option, bad value in a config or command line
  kNotFound,           // file or device does not exist
  kParseError,         // malformed input (message carries file:line:col)
  kIoError,            // read/write/exec failed
  kPermissionDenied,   // file not readable / writable
  kUnavailable,        // a tool or service is absent or down (nvidia-smi, server)
  kDeadlineExceeded,   // a bounded wait ran out
  kResourceExhausted,  // a size or count limit was hit
  kInternal,           // a bug in sidecar
};

namespace detail {
inline constexpr Named<StatusCode> kStatusCodeNames[] = {{StatusCode::kOk, "ok"},
                                                         {StatusCode::kInvalidArgument, "invalid_argument"},
                                                         {StatusCode::kNotFound, "not_found"},
                                                         {StatusCode::kParseError, "parse_error"},
                                                         {StatusCode::kIoError, "io_error"},
                                                         {StatusCode::kPermissionDenied, "permission_denied"},
                                                         {StatusCode::kUnavailable, "unavailable"},
                                                         {StatusCode::kDeadlineExceeded, "deadline_exceeded"},
                                                         {StatusCode::kResourceExhausted, "resource_exhausted"},
                                                         {StatusCode::kInternal, "internal"}};
}  // namespace detail

constexpr std::string_view to_string(StatusCode c) { return detail::name_of(detail::kStatusCodeNames, c, "unknown"); }

class Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}
  static Status Ok() { return {}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "message" alone: messages already say where (file:line:col) and what.
  std::string to_string() const { return ok() ? "ok" : message_; }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

// Opening or reading `what` failed with errno `e`: kNotFound, kPermissionDenied
// or kIoError, saying "what: <strerror>".
inline Status errno_status(int e, const std::string& what) {
  StatusCode code = e == ENOENT                   ? StatusCode::kNotFound
                    : (e == EACCES || e == EPERM) ? StatusCode::kPermissionDenied
                                                  : StatusCode::kIoError;
  return Status(code, what + ": " + std::strerror(e));
}

// Thrown only by Result<T>::value() on an error (and by nothing in a hot path).
class Error : public std::runtime_error {
 public:
  explicit Error(Status s) : std::runtime_error(s.message()), status_(std::move(s)) {}
  const Status& status() const { return status_; }

 private:
  Status status_;
};

template <typename T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}         // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {}  // NOLINT
  Result(StatusCode code, std::string message) : v_(Status(code, std::move(message))) {}

  bool ok() const { return std::holds_alternative<T>(v_); }
  explicit operator bool() const { return ok(); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & {
    check();
    return std::get<T>(v_);
  }
  const T& value() const& {
    check();
    return std::get<T>(v_);
  }
  T&& value() && {
    check();
    return std::get<T>(std::move(v_));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  void check() const {
    if (!ok()) throw Error(std::get<Status>(v_));
  }
  std::variant<T, Status> v_;
};

}  // namespace sidecar
