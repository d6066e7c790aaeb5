// A consumer of sidecar's core alone: detectors, dedupe and records from the
// headers, no library but the standard one. Prints the alert it raises.
#include <cmath>
#include <cstdio>
#include <limits>
#include <string>

#include "sidecar/core/dedupe.h"
#include "sidecar/core/detectors/loss.h"
#include "sidecar/core/records.h"
#include "sidecar/core/series.h"
#include "sidecar/core/types.h"
#include "sidecar/version.h"

int main() {
  // The parsers are part of the core: a declaration without a definition here
  // fails this program's link.
  auto sev = sidecar::parse_severity(" Error ");
  auto profile = sidecar::parse_profile("rl");
  if (sev != sidecar::Severity::kCritical || profile != sidecar::Profile::kReinforcementLearning) return 1;

  sidecar::Series loss("loss");
  loss.push(1, 2.5);
  loss.push(2, std::numeric_limits<double>::quiet_NaN());
  auto decision = sidecar::detect_nan_loss(loss, {});
  if (!decision) return 2;

  sidecar::DedupeBook book({}, "core");
  book.raise(*decision, 1.0);
  auto alert = book.select(1.0);
  if (!alert) return 3;
  std::printf("sidecar %s core: %s\n", sidecar::kVersion, sidecar::to_json(*alert).c_str());
  return 0;
}
