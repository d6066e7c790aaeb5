// The metrics reader's fast path: one JSON line that is a flat object of
// numbers — what nearly every training script writes per step
// (`{"step": 10, "loss": 2.31, "lr": 3e-4}`) — scanned in one pass without
// building a document.
//
// It accepts only a subset of JSON it can check exactly: ASCII keys without
// escapes, values that are JSON numbers or Python's bare NaN / Infinity /
// -Infinity, JSON whitespace. Anything else (strings, nesting, escapes,
// non-ASCII bytes, numbers whose value needs more than the exact fast path
// or std::from_chars, trailing text) is kOther, and the caller parses the
// line with simdjson; so a line gives the same row on either path.
//
//   sidecar::detail::FlatField fields[64];
//   std::size_t n = 0;
//   if (sidecar::detail::scan_flat_json(line, fields, 64, &n) == FlatScan::kObject) ...
#pragma once

#include <cstddef>
#include <string_view>

namespace sidecar::detail {

struct FlatField {
  std::string_view key;  // a view into the scanned line
  double value = 0.0;
};

enum class FlatScan {
  kObject,  // a flat object of numbers: its members in order (duplicates kept)
  kBlank,   // only JSON whitespace
  kOther,   // anything else: parse it with the full parser
};

// Scans `line` (without its newline) into out[0 .. *count). An object with
// more than `capacity` members is kOther. On kOther, out and *count are
// unspecified.
FlatScan scan_flat_json(std::string_view line, FlatField* out, std::size_t capacity, std::size_t* count);

}  // namespace sidecar::detail
