// SinkSet (fan-out) and read_auth_token (sinks.h).
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <thread>

#include "sidecar/core/detail/strings.h"
#include "sidecar/detail/sinks.h"
#include "sidecar/sinks.h"

namespace sidecar {

SinkSet::~SinkSet() { close(0.0); }

void SinkSet::add(std::unique_ptr<Sink> sink) {
  if (sink) sinks_.push_back(std::move(sink));
}

std::vector<std::pair<std::string, SinkStats>> SinkSet::each_stats() const {
  std::vector<std::pair<std::string, SinkStats>> out;
  for (const auto& s : sinks_) out.emplace_back(std::string(s->name()), s->stats());
  return out;
}

void SinkSet::on_alert(const Alert& alert) {
  for (auto& s : sinks_) s->on_alert(alert);
}
void SinkSet::on_resolved(const Resolved& resolved) {
  for (auto& s : sinks_) s->on_resolved(resolved);
}
void SinkSet::on_snapshot(const Snapshot& snapshot) {
  for (auto& s : sinks_) s->on_snapshot(snapshot);
}
void SinkSet::on_status(std::string_view status) {
  for (auto& s : sinks_) s->on_status(status);
}
void SinkSet::on_finish(const RunEnd& end) {
  for (auto& s : sinks_) s->on_finish(end);
}

void SinkSet::on_row(const MetricRow& row) {
  for (auto& s : sinks_) s->on_row(row);
}

std::vector<ServerAnswer> SinkSet::take_answers() {
  std::vector<ServerAnswer> out;
  for (auto& s : sinks_)
    for (auto& a : s->take_answers()) out.push_back(std::move(a));
  return out;
}

std::vector<std::string> SinkSet::take_notices() {
  std::vector<std::string> out;
  for (auto& s : sinks_)
    for (auto& n : s->take_notices()) out.push_back(std::move(n));
  return out;
}

Status SinkSet::check(double timeout_s) {
  for (auto& s : sinks_)
    if (Status st = s->check(timeout_s); !st.ok()) return st;
  return Status::Ok();
}

std::optional<std::string> SinkSet::server_alert_id(const std::string& local_alert_id) {
  for (auto& s : sinks_)
    if (auto id = s->server_alert_id(local_alert_id)) return id;
  return std::nullopt;
}

SinkStats SinkSet::stats() const {
  SinkStats total;
  for (const auto& s : sinks_) {
    SinkStats st = s->stats();
    for_each_sink_counter([&](const char*, auto member) { total.*member += st.*member; });
    if (!st.last_error.empty()) total.last_error = std::string(s->name()) + ": " + st.last_error;
  }
  return total;
}

void SinkSet::close(double timeout_s) {
  if (sinks_.size() <= 1) {
    for (auto& s : sinks_) s->close(timeout_s);
    return;
  }
  // In parallel: the whole set takes at most timeout_s (plus thread start-up).
  std::vector<std::thread> threads;
  threads.reserve(sinks_.size());
  for (auto& s : sinks_) threads.emplace_back([&s, timeout_s] { s->close(timeout_s); });
  for (auto& t : threads) t.join();
}

Result<std::string> read_auth_token(const std::string& token_file) {
  if (token_file.empty()) {
    const char* env = std::getenv("SIDECAR_AUTH_TOKEN");
    std::string token(detail::trim(env != nullptr ? std::string_view(env) : std::string_view()));
    if (std::any_of(token.begin(), token.end(),
                    [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; }))
      return Status(StatusCode::kInvalidArgument, "SIDECAR_AUTH_TOKEN holds a control character");
    return token;
  }
  int fd = ::open(token_file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return errno_status(errno, token_file);
  std::string text;
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int e = errno;
      ::close(fd);
      return Status(StatusCode::kIoError, token_file + ": " + std::strerror(e));
    }
    if (n == 0) break;
    text.append(buf, static_cast<std::size_t>(n));
    if (text.size() > 64 * 1024) {
      ::close(fd);
      return Status(StatusCode::kInvalidArgument, token_file + ": too large for a token (over 64 KiB)");
    }
  }
  ::close(fd);
  std::string token(detail::trim(text));
  if (token.empty()) return Status(StatusCode::kInvalidArgument, token_file + ": the token file is empty");
  if (std::any_of(token.begin(), token.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; }))
    return Status(StatusCode::kInvalidArgument,
                  token_file + ": the token holds a newline or control character (one line expected)");
  return token;
}

}  // namespace sidecar
