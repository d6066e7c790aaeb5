// Quickstart: detect a loss spike and a NaN loss with the header-only core
// (sidecar::core — std-only headers, nothing to link).
//
//   #include "sidecar/core/detectors/loss.h"
//   sidecar::Series loss("loss");
//   loss.push(step, value);                                   // O(1), bounded memory
//   if (auto d = sidecar::detect_loss_spike(loss, {})) ...    // a Decision, or nothing
#include <cmath>
#include <cstdio>
#include <limits>
#include <string>

#include "sidecar/core/dedupe.h"
#include "sidecar/core/detectors/loss.h"

int main() {
  sidecar::Series loss("loss");
  sidecar::DedupeBook book;  // selection + dedupe: one alert per condition per TTL
  int alerts = 0;
  auto check = [&](double now) {
    for (auto d : {sidecar::detect_nan_loss(loss, {}), sidecar::detect_loss_spike(loss, {})})
      if (d) book.raise(*d, now);
    if (auto a = book.select(now)) {
      ++alerts;
      std::printf("%-8s step %-5lld %-10s %s\n", std::string(sidecar::to_string(a->decision.severity)).c_str(),
                  static_cast<long long>(a->decision.step.value_or(-1)), a->decision.syndrome.c_str(),
                  a->decision.message.c_str());
    }
  };
  // A language-model run: loss ~10.8 at step 0 (no alert: that is normal),
  // decaying to ~2, then a spike that persists, then NaN.
  std::int64_t step = 0;
  for (; step < 200; ++step) {
    loss.push(step, 2.0 + 8.8 * std::exp(-step / 15.0) + 0.02 * std::sin(step * 1.7));
    check(static_cast<double>(step));
  }
  for (int i = 0; i < 3; ++i, ++step) {
    loss.push(step, 6.0);
    check(static_cast<double>(step));
  }
  for (int i = 0; i < 3; ++i, ++step) {
    loss.push(step, std::numeric_limits<double>::quiet_NaN());
    check(static_cast<double>(step));  // critical once, then deduped
  }
  std::printf("%d alerts\n", alerts);
  return alerts == 2 ? 0 : 1;
}
