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
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

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

// scan_flat_json with a memory of the last flat line's shape: the runs of
// bytes between its values ('{"step": ', ', "loss": ', ..., '}'). A line
// with the same runs (one writer, one dict per step: nearly every line) is
// checked against them instead of tokenised; any other line is scanned in
// full and its shape remembered. Same results as scan_flat_json, keys
// pointing into `line`. Not thread-safe (one per parser).
class FlatLineScanner {
 public:
  FlatScan scan(std::string_view line, FlatField* out, std::size_t capacity, std::size_t* count);

 private:
  static constexpr std::size_t kMaxShapeBytes = 64 * 1024;  // longer lines are always scanned in full
  struct Gap {
    std::uint32_t off, len;          // the run of bytes before a value (the last: after the last value)
    std::uint32_t key_off, key_len;  // the key inside the run
  };
  FlatScan scan_and_learn(std::string_view line, FlatField* out, std::size_t capacity, std::size_t* count);
  bool match(std::string_view line, FlatField* out, std::size_t capacity, std::size_t* count) const;
  std::string bytes_;                 // the line the shape was learnt from
  std::vector<Gap> gaps_;             // one per value, then the tail
  std::vector<std::uint32_t> spans_;  // scratch: each value's [begin, end) offsets
  // Tries the shape only while it pays: a hit earns one try (up to kMaxCredit),
  // a miss costs kMissCost; with none left lines are scanned in full and the
  // shape is learnt again every kProbeEvery-th line (shapes in turn cost at
  // most a wasted try and a learning per kProbeEvery lines).
  static constexpr int kMaxCredit = 8, kMissCost = 4;
  static constexpr std::uint32_t kProbeEvery = 16;
  int credit_ = 0;
  std::uint32_t since_probe_ = 0;
};

}  // namespace sidecar::detail
