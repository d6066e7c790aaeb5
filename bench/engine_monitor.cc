// Engine cost per row (issue 3): Monitor::observe + tick on 5-key rows, in
// process (no parsing), next to the detectors alone. Prints a table; the
// seed's Python reference does its per-row work in ~44 us (SPEC §8).
//   bench_engine_monitor [ROWS]
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "sidecar/core/detectors/loss.h"
#include "sidecar/monitor.h"

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
  long rows = argc > 1 ? std::atol(argv[1]) : 2000000;
  std::vector<double> loss(static_cast<std::size_t>(rows));
  for (long i = 0; i < rows; ++i)
    loss[static_cast<std::size_t>(i)] = 2.0 + 8.8 * std::exp(-i / 400.0) + 0.03 * std::sin(i * 1.7);

  auto run_monitor = [&](bool tick) {
    sidecar::MonitorOptions o;
    o.run_id = "bench";
    o.history_path = "-";
    sidecar::Monitor m(std::move(o));
    auto t0 = std::chrono::steady_clock::now();
    for (long i = 0; i < rows; ++i) {
      sidecar::MetricValue v[] = {{"loss", loss[static_cast<std::size_t>(i)]},
                                  {"grad_norm", 1.5},
                                  {"learning_rate", 3e-4},
                                  {"tokens_per_second", 900.0},
                                  {"epoch", i / 1000.0}};
      sidecar::MetricRow r;
      r.step = i;
      r.values = v;
      m.observe(r);
      if (tick) m.tick(1e9 + 0.5 * static_cast<double>(i));
    }
    double s = seconds_since(t0);
    if (m.stats().rows != static_cast<std::uint64_t>(rows)) std::exit(1);
    return s;
  };
  double observe_s = run_monitor(false);
  double full_s = run_monitor(true);

  sidecar::Series s("loss");
  std::size_t fired = 0;
  auto t0 = std::chrono::steady_clock::now();
  for (long i = 0; i < rows; ++i) {
    s.push(i, loss[static_cast<std::size_t>(i)]);
    fired += sidecar::detect_nan_loss(s, {}) ? 1 : 0;
    fired += sidecar::detect_high_loss(s, {}) ? 1 : 0;
    fired += sidecar::detect_loss_spike(s, {}) ? 1 : 0;
  }
  double det_s = seconds_since(t0);

  auto line = [&](const char* name, double secs) {
    std::printf("%-46s %12.0f %10.1f\n", name, static_cast<double>(rows) / secs,
                secs * 1e9 / static_cast<double>(rows));
  };
  std::printf("%-46s %12s %10s\n", "what", "rows/s", "ns/row");
  line("Monitor::observe (role binding, series)", observe_s);
  line("Monitor::observe + tick (all detectors)", full_s);
  line("Series::push + 3 loss detectors (header-only)", det_s);
  std::printf("%-46s %12.0f %10.1f\n", "seed Python reference (SPEC 8, 44 us/row)", 1e6 / 44.0, 44000.0);
  std::printf("(%zu detector findings)\n", fired);
  return 0;
}
