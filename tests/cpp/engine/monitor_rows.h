// The engine tests' way to feed a Monitor one metric row: (key, value) pairs
// at a step, as a parsed metrics line would give them.
#pragma once

#include <cstdint>
#include <vector>

#include "sidecar/monitor.h"

namespace sidecar::test {

// Observes one row of (key, value) pairs at `step`; the keys are read
// during the call only.
template <class Pairs>
void observe_row(Monitor& m, std::int64_t step, const Pairs& kv) {
  std::vector<MetricValue> vals;
  for (const auto& [k, v] : kv) vals.push_back({k, v});
  MetricRow r;
  r.step = step;
  r.values = vals;
  m.observe(r);
}

}  // namespace sidecar::test
