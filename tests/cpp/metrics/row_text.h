// The metric tests' text form of a row, compared with the fixtures'
// expectations: "step=N ts=T key=value ..." (numbers shortest round-trip,
// nan/inf spelled out, "-" for an absent step or time stamp).
#pragma once

#include <string>

#include "sidecar/core/detail/strings.h"
#include "sidecar/core/types.h"

namespace sidecar::test {

inline std::string num(double v) { return detail::round_trip_text(v); }

// with_ts = false leaves out " ts=…" (printed-output rows have no time stamp).
inline std::string render(const MetricRow& row, bool with_ts = true) {
  std::string s = "step=" + (row.step ? std::to_string(*row.step) : std::string("-"));
  if (with_ts) s += " ts=" + (row.timestamp ? num(*row.timestamp) : std::string("-"));
  for (const auto& v : row.values) s += " " + std::string(v.key) + "=" + num(v.value);
  return s;
}

}  // namespace sidecar::test
