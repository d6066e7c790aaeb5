// Fuzzes a catalogue of one's own against text: a scanner built from one
// pattern (first byte: its length, then the pattern, then the text) finds the
// same in the text fed whole (the quiet test scans raw pieces with a database
// whose ^ and $ also anchor at a \r, log_scan.cc) as fed byte by byte (every
// line on its own, \r segments split), and a pattern the playbook check
// accepts always builds a scanner.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "sidecar/log_scan.h"

namespace sidecar::detail {
std::string check_log_pattern(const std::string& pattern, bool case_sensitive, bool multi);  // log_scan.cc
}  // namespace sidecar::detail

namespace {

std::vector<sidecar::LogMatch> run(const std::shared_ptr<const sidecar::LogScanner>& scanner, std::string_view text,
                                   std::size_t step) {
  sidecar::LogStream stream(scanner, "fuzz");
  std::vector<sidecar::LogMatch> out;
  for (std::size_t i = 0; i < text.size(); i += step) stream.feed(text.substr(i, step), &out);
  stream.flush(&out);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::size_t len = std::min<std::size_t>(data[0] % 64, size - 1);
  const std::string pattern(reinterpret_cast<const char*>(data) + 1, len);
  const std::string_view text(reinterpret_cast<const char*>(data) + 1 + len,
                              std::min<std::size_t>(size - 1 - len, 4096));
  // Bounded repeats can make a compile take seconds; the rewrite never touches them.
  if (pattern.find('{') != std::string::npos || !sidecar::detail::check_log_pattern(pattern, false, true).empty())
    return 0;
  sidecar::SyndromeSpec spec;
  spec.name = "fuzz";
  spec.patterns = {pattern};
  spec.message = "m";
  sidecar::LogOptions opts;
  opts.syndromes = {spec};
  auto scanner = sidecar::LogScanner::create(opts);
  if (!scanner.ok()) std::abort();  // the check accepted it
  const auto whole = run(*scanner, text, text.size() + 1);
  const auto bytes = run(*scanner, text, 1);
  if (whole.size() != bytes.size()) std::abort();
  for (std::size_t i = 0; i < whole.size(); ++i)
    if (whole[i].line != bytes[i].line || whole[i].offset != bytes[i].offset || whole[i].text != bytes[i].text)
      std::abort();
  return 0;
}
