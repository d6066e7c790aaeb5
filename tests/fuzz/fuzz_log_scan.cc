// Fuzzes the log scanner with the default catalogue: any bytes (NUL, invalid
// UTF-8, broken ANSI escapes, bare \r, over-long lines) never crash, matches
// are bounded, and the result does not depend on how the bytes are split
// across feeds (the first input byte picks the split points) nor on the
// quiet test done ahead (LogPrechecker) for some of them.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "sidecar/config.h"
#include "sidecar/log_scan.h"

namespace {

std::shared_ptr<const sidecar::LogScanner> scanner() {
  static auto s = [] {
    sidecar::LogOptions opts;
    std::vector<sidecar::Status> errors;
    sidecar::read_log_options(*sidecar::default_playbook_tree(), &opts, &errors);
    opts.max_line_bytes = 512;  // exercise the cap
    opts.max_traceback_lines = 8;
    auto r = sidecar::LogScanner::create(opts);
    if (!errors.empty() || !r.ok()) std::abort();
    return r.value();
  }();
  return s;
}

// `checked`: every other feed comes with the quiet test done ahead (as the
// reader thread of 'scan' does), which must change nothing.
std::vector<sidecar::LogMatch> run(std::string_view text, std::size_t step, bool checked = false) {
  sidecar::LogStream stream(scanner(), "fuzz");
  sidecar::LogPrechecker checker(scanner());
  std::vector<sidecar::LogMatch> out;
  for (std::size_t i = 0; i < text.size(); i += step) {
    std::string_view chunk = text.substr(i, step);
    if (checked && (i / step) % 2 == 1)
      stream.feed(chunk, &out, checker.check(chunk));
    else
      stream.feed(chunk, &out);
  }
  stream.flush(&out);
  if (stream.bytes_seen() != text.size()) std::abort();
  return out;
}

}  // namespace

// The catalogue is compiled before the first input: its compile (under a loaded machine's sanitizers, seconds)
// must not count against the first input's -timeout.
extern "C" int LLVMFuzzerInitialize(int*, char***) {
  scanner();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  std::size_t step = 1 + data[0] % 97;
  std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  auto whole = run(text, text.size() + 1);
  for (bool checked : {false, true}) {
    auto split = run(text, step, checked);
    if (whole.size() != split.size()) std::abort();
    for (std::size_t i = 0; i < whole.size(); ++i) {
      const auto& a = whole[i];
      const auto& b = split[i];
      if (a.syndrome != b.syndrome || a.line != b.line || a.offset != b.offset || a.text != b.text) std::abort();
      if (a.offset > text.size() || a.line == 0) std::abort();
      if (a.text.size() > scanner()->options().max_text_bytes) std::abort();
    }
  }
  return 0;
}
