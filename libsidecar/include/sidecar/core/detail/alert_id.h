// The one spelling of an alert id (header-only, std-only): the ids the
// engine gives alerts and the response-file names the operator writes are
// both made by safe_alert_id(), so `alerts.jsonl`'s "id" is always the
// response file's name. Idempotent: safe_alert_id(safe_alert_id(x)) ==
// safe_alert_id(x), and ids joined with '-' from safe pieces stay safe.
//
//   detail::safe_alert_id("v1..2/run")  // "v1._2_run"
#pragma once

#include <cstddef>
#include <random>
#include <string>
#include <string_view>

namespace sidecar::detail {

// Bytes outside [A-Za-z0-9._-] become '_'; a '.' at the start or after a
// '.' becomes '_' (no "..", no hidden file); at most max_bytes; never empty.
inline std::string safe_alert_id(std::string_view raw, std::size_t max_bytes = 128) {
  std::string out;
  out.reserve(raw.size() < max_bytes ? raw.size() : max_bytes);
  for (char c : raw) {
    if (out.size() >= max_bytes) break;
    bool ok =
        (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    if (!ok) c = '_';
    if (c == '.' && (out.empty() || out.back() == '.')) c = '_';
    out += c;
  }
  if (out.empty()) out = "alert";
  return out;
}

// A short random tag (6 hex digits) that makes one run's alert ids its own:
// "<run>-<nonce>-0001-cuda_oom" cannot match a response file a previous run
// with the same run id (the same --run-dir) left behind.
inline std::string run_nonce() {
  static constexpr char kHex[] = "0123456789abcdef";
  std::random_device rd;
  unsigned v = rd();
  std::string out(6, '0');
  for (char& c : out) {
    c = kHex[v & 15];
    v >>= 4;
  }
  return out;
}

}  // namespace sidecar::detail
