// Gradient-norm rules (header-only, std-only). Under mixed precision a NaN
// grad norm is often a skipped step and benign; a NaN loss is not. So a
// non-finite grad norm is a warning, escalated to critical when it persists
// for `persistence` consecutive points or the loss is exactly 0.0 at the same
// time (DOMAIN 2.1, SY-Xuan/Pink#6), or the AMP loss scale has fallen to
// min_loss_scale (DeepSpeed/apex: "loss scale already at minimum"). An
// explosion is the grad norm at explosion_ratio x its trailing median
// (warm-up first) at two points running, or at twice that at one (r30: a
// TrOCR fine-tune's heavy-tailed grad norm blips to 12.5x its median twice
// while the loss falls), critical when persistent. Growth (detect_grad_norm_growth)
// is the grad norm rising by growth_ratio or more on each of growth_points
// consecutive logged rows while the loss does not improve: an optimizer
// blowing up geometrically, before any median exists.
#pragma once

#include <cmath>
#include <limits>
#include <optional>
#include <string>

#include "sidecar/core/detectors/common.h"
#include "sidecar/core/option_table.h"

namespace sidecar {

#define SIDECAR_GRAD_NORM_OPTIONS(X)                                                                           \
  X(bool, enabled, true, (), "off: no grad-norm rule runs")                                                    \
  X(int, persistence, 3, (1, 1000), "consecutive non-finite grad norms that make it critical")                 \
  X(double, explosion_ratio, 10.0, (0.0), "explosion: >= this x the trailing median")                          \
  X(int, window, 50, (3, 1e5), "trailing points of the median")                                                \
  X(int, min_points, 20, (2, 1e8), "points before the explosion rule applies")                                 \
  X(double, min_loss_scale, 1.0, (0.0), "AMP loss scale at or below this: a non-finite grad norm is critical") \
  X(int, growth_points, 6, (0, 1e5), "growth: this many consecutive rises of the grad norm (0: off)")          \
  X(double, growth_ratio, 1.3, (1.0), "growth: each rise at least this factor")                                \
  X(double, growth_loss_drop, 0.05, (0.0, 1.0),                                                                \
    "growth: the loss fell less than this fraction of itself over those rows")                                 \
  X(Severity, severity, Severity::kWarning, (),                                                                \
    "severity of one non-finite grad norm or an explosion (AMP skips such steps)")                             \
  X(Severity, persistent_severity, Severity::kCritical, (), "severity once non-finite grad norms persist")
SIDECAR_OPTIONS(GradNormOptions, SIDECAR_GRAD_NORM_OPTIONS);

namespace detail {
// Whether the non-finite run at the end of `g` looks like a dynamic loss
// scaler's skipped steps, which every healthy fp16 run has: the scaler starts
// at a scale that overflows (torch GradScaler 2^16, DeepSpeed 2^16-2^32) and
// halves it on the first steps, so a run's first logged grad norms may be
// non-finite before any finite one; and later, each time it has grown the
// scale again, one step overflows and is skipped, and the next is finite.
// So: no finite grad norm yet, or the series already recovered on its own
// from an earlier non-finite value (a finite value followed one; the points
// retained). The caller also asks for fewer than `persistence` consecutive
// non-finite values and a finite, non-zero loss.
inline bool loss_scaler_skip(const Series& g) {
  if (g.finite_count() == 0) return true;
  for (std::size_t i = g.trailing_nonfinite(); i + 1 < g.size(); ++i)
    if (std::isfinite(g.from_back(i).value) && !std::isfinite(g.from_back(i + 1).value)) return true;
  return false;
}
}  // namespace detail

// Returns a "grad_norm_nonfinite" or "grad_norm_explosion" decision. `loss`
// and `loss_scale` may be null (not logged). A non-finite grad norm that
// looks like a loss scaler's skipped step (detail::loss_scaler_skip: at the
// run's start before any finite one, or in a run that already recovered from
// one on its own) with a finite, non-zero loss is info, not a warning
// (Time-MoE#71: nan at the first logged row and again three rows later, a
// steady loss 0.15-0.19 throughout). Known false negative: a grad norm that
// turns non-finite for good in such a run warns only at `persistence`
// consecutive points (critical then), or at the loss's own nan_loss.
inline std::optional<Decision> detect_grad_norm(const Series& g, const Series* loss, const GradNormOptions& opt,
                                                const Series* loss_scale = nullptr) {
  if (!opt.enabled || g.empty()) return std::nullopt;
  double v = g.back().value;
  auto p = static_cast<std::size_t>(std::max(opt.persistence, 1));
  if (!std::isfinite(v)) {
    std::size_t run = g.trailing_nonfinite();
    bool zero_loss = loss && !loss->empty() && loss->back().value == 0.0;
    bool scale_floor = loss_scale && !loss_scale->empty() && std::isfinite(loss_scale->back().value) &&
                       loss_scale->back().value <= opt.min_loss_scale;
    bool persistent = run >= p || zero_loss || scale_floor;
    bool finite_loss = !loss || loss->empty() || std::isfinite(loss->back().value);
    bool skipped = !persistent && finite_loss && detail::loss_scaler_skip(g);
    Decision d = detail::make_decision(
        Source::kRulebased, "grad_norm_nonfinite",
        persistent ? opt.persistent_severity
        : skipped  ? Severity::kInfo
                   : opt.severity,
        g.name() + " is " + detail::fmt_num(v) +
            (zero_loss     ? " with the loss at exactly 0.0"
             : scale_floor ? " with the loss scale at its minimum (" + detail::fmt_num(loss_scale->back().value) + ")"
             : skipped     ? " (a loss scaler's skipped step: the run recovered from one before, or has not "
                             "started yet; watch whether it persists)"
             : run > 1     ? " for " + std::to_string(run) + " consecutive points"
                           : " (often a skipped step under mixed precision; watch whether it persists)"),
        g.name(), &g, {{"consecutive", std::to_string(run)}});
    if (zero_loss) d.evidence.emplace_back("loss", "0");
    if (scale_floor) d.evidence.emplace_back("loss_scale", detail::fmt_num(loss_scale->back().value));
    if (skipped) d.evidence.emplace_back("rule", "loss_scaler_skip");
    return d;
  }
  if (g.finite_count() < static_cast<std::uint64_t>(std::max(opt.min_points, 2)) || opt.explosion_ratio <= 0)
    return std::nullopt;
  auto mn = g.min();
  if (mn && *mn > 0 && v < opt.explosion_ratio * *mn) return std::nullopt;  // cheap exit
  // How many of the latest points are exploded, against the median before them.
  auto& ref = detail::scratch(0);
  std::size_t run = 0;
  double med = 0;
  for (std::size_t k = 1; k <= p; ++k) {
    g.finite_window(k, static_cast<std::size_t>(std::max(opt.window, 1)), &ref);
    if (ref.size() < 3) break;
    double m = detail::median_inplace(ref);
    double x = g.from_back(k - 1).value;
    if (!(m > 0 && std::isfinite(x) && x >= opt.explosion_ratio * m)) break;
    if (k == 1) med = m;
    run = k;
  }
  if (run == 0) return std::nullopt;
  if (run < 2 && v < 2.0 * opt.explosion_ratio * med) return std::nullopt;  // one blip under 2 x ratio: wait
  Decision d = detail::make_decision(
      Source::kRulebased, "grad_norm_explosion", run >= p ? opt.persistent_severity : opt.severity,
      g.name() + " jumped to " + detail::fmt_num(v) + ", " + detail::fmt_num(v / med) + "x its recent median " +
          detail::fmt_num(med),
      g.name(), &g, {{"recent_median", detail::fmt_num(med)}, {"consecutive", std::to_string(run)}});
  detail::set_band(d, -std::numeric_limits<double>::infinity(), std::sqrt(opt.explosion_ratio) * med);
  return d;
}

// The grad norm multiplied by growth_ratio or more on each of the last
// growth_points rows (growth_points + 1 finite, positive values), while the
// loss logged on the same rows fell by less than growth_loss_drop of itself
// over them: gradients that grow geometrically while the loss stops
// improving are an optimizer blowing up towards inf, before the explosion
// rule has the min_points it needs for a median (grokfast#9: grad_norm
// 3.79e12 -> 1.44e14, x1.5 per logged step, with the loss at 11.1-11.4;
// fairseq#41's gnorm climbs the same way). A healthy warm-up's rising grad
// norm comes with a falling loss; `loss` null (not logged): no decision.
// Scanning every grad-norm key of the corpus's healthy curves, none rises
// x1.2 on even 4 consecutive rows. Known false positive: a run that sits on
// a loss plateau while its grad norm grows x1.3 per logged row for 6 rows
// and then recovers on its own. Returns a "grad_norm_explosion" decision
// (evidence "rule": growth).
inline std::optional<Decision> detect_grad_norm_growth(const Series& g, const Series* loss,
                                                       const GradNormOptions& opt) {
  if (!opt.enabled || opt.growth_points <= 0 || !loss) return std::nullopt;
  const auto k = static_cast<std::size_t>(opt.growth_points);
  if (g.size() < k + 1 || loss->size() < k + 1) return std::nullopt;
  for (std::size_t i = 0; i < k; ++i) {
    const double hi = g.from_back(i).value;
    const double lo = g.from_back(i + 1).value;
    if (!(std::isfinite(hi) && lo > 0 && hi >= opt.growth_ratio * lo)) return std::nullopt;
  }
  const auto& l_end = loss->from_back(0);
  const auto& l_start = loss->from_back(k);
  if (l_end.step != g.back().step || l_start.step != g.from_back(k).step) return std::nullopt;
  if (!(std::isfinite(l_end.value) && std::isfinite(l_start.value) && l_start.value > 0 &&
        l_end.value >= (1.0 - opt.growth_loss_drop) * l_start.value))
    return std::nullopt;
  const double first = g.from_back(k).value;
  return detail::make_decision(
      Source::kRulebased, "grad_norm_explosion", opt.severity,
      g.name() + " grew from " + detail::fmt_num(first) + " to " + detail::fmt_num(g.back().value) + " over " +
          std::to_string(k) + " rows (>= " + detail::fmt_num(opt.growth_ratio) + "x each) while " + loss->name() +
          " did not improve (" + detail::fmt_num(l_start.value) + " -> " + detail::fmt_num(l_end.value) + ")",
      g.name(), &g,
      {{"rule", "growth"}, {"consecutive", std::to_string(k)}, {"growth", detail::fmt_num(g.back().value / first)}});
}

}  // namespace sidecar
