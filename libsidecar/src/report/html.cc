// render_report_html (report.h): the run report as one self-contained HTML
// document — inline CSS, inline SVG, no scripts, nothing fetched.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <map>
#include <string>

#include "sidecar/core/detail/names.h"
#include "sidecar/detail/svg.h"
#include "sidecar/report.h"
#include "sidecar/version.h"

namespace sidecar {
namespace {

using detail::format_value;
using detail::svg_coord;
using detail::SvgWriter;
using detail::xml_escape;

constexpr double kWidth = 960, kHeight = 240;
constexpr double kLeft = 72, kRight = 24, kTop = 40, kBottom = 30;
constexpr double kPlotW = kWidth - kLeft - kRight, kPlotH = kHeight - kTop - kBottom;
constexpr const char* kPalette[] = {"#1f77b4", "#2ca02c", "#9467bd", "#e377c2",
                                    "#17becf", "#8c564b", "#bcbd22", "#7f7f7f"};
constexpr int kHoverColumns = 96;

constexpr detail::Named<Severity> kSeverityColors[] = {
    {Severity::kCritical, "#d62728"}, {Severity::kWarning, "#e8890c"}, {Severity::kInfo, "#1c7ed6"}};

std::string severity_color(Severity s) { return std::string(detail::name_of(kSeverityColors, s, "#1c7ed6")); }

struct PanelSpec {
  const char* title;
  std::vector<Role> roles;
  bool allow_log;
};

const std::vector<PanelSpec>& panels() {
  static const std::vector<PanelSpec> kPanels = {
      {"Loss", {Role::kLoss, Role::kValLoss}, true},
      {"Validation / quality", {Role::kValAccuracy, Role::kSuccessRate, Role::kRewardAccuracy}, false},
      {"Reward", {Role::kReward}, false},
      {"KL divergence", {Role::kKl}, true},
      {"Entropy", {Role::kEntropy}, false},
      {"Throughput", {Role::kThroughput}, false},
      {"Gradient norm", {Role::kGradNorm}, true},
      {"Loss scale", {Role::kLossScale}, true},
  };
  return kPanels;
}

std::string utc_text(double epoch_s) {
  if (!std::isfinite(epoch_s) || epoch_s < 0 || epoch_s > 253402300799.0) return "?";
  auto secs = static_cast<std::time_t>(epoch_s);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm);
  return buf;
}

std::string duration_text(double s) {
  if (!std::isfinite(s) || s < 0) return "?";
  char buf[64];
  if (s < 60)
    std::snprintf(buf, sizeof buf, "%.1f s", s);
  else if (s < 3600)
    std::snprintf(buf, sizeof buf, "%d min %02d s", static_cast<int>(s / 60), static_cast<int>(s) % 60);
  else if (s < 86400 * 3)
    std::snprintf(buf, sizeof buf, "%d h %02d min", static_cast<int>(s / 3600), static_cast<int>(s / 60) % 60);
  else
    std::snprintf(buf, sizeof buf, "%.1f days", s / 86400);
  return buf;
}

std::string step_text(double x) {
  if (!std::isfinite(x)) return "?";
  if (std::fabs(x) < 1e15 && x == std::floor(x)) return std::to_string(static_cast<long long>(x));
  return format_value(x);
}

// Where alerts sit on the x axis: the step, else the row time mapped to a step.
struct Placed {
  std::size_t index;  // into data.alerts
  double x;
  std::optional<double> x_end;  // resolved at
};

std::optional<double> x_at_time(const std::vector<std::pair<double, double>>& sorted, double ts) {
  if (sorted.empty() || !(ts > 0)) return std::nullopt;
  if (ts < sorted.front().first - 60 || ts > sorted.back().first + 60) return std::nullopt;
  auto it = std::lower_bound(sorted.begin(), sorted.end(), std::make_pair(ts, -1e300));
  if (it == sorted.end()) return sorted.back().second;
  if (it == sorted.begin()) return it->second;
  auto prev = it - 1;
  return (ts - prev->first <= it->first - ts) ? prev->second : it->second;
}

std::vector<Placed> place_alerts(const ReportData& d, const ReportOptions& o) {
  auto sorted = d.time_to_x;
  std::sort(sorted.begin(), sorted.end());
  std::map<std::string, const Resolved*> resolved;
  for (const Resolved& r : d.resolved) resolved[r.alert_id] = &r;
  std::vector<Placed> out;
  for (std::size_t i = 0; i < d.alerts.size() && i < o.max_alerts; ++i) {
    const Alert& a = d.alerts[i];
    std::optional<double> x;
    if (a.decision.step)
      x = static_cast<double>(*a.decision.step);
    else
      x = x_at_time(sorted, a.ts);
    if (!x) continue;
    Placed p{i, *x, std::nullopt};
    if (auto it = resolved.find(a.id); it != resolved.end()) p.x_end = x_at_time(sorted, it->second->ts);
    out.push_back(p);
  }
  return out;
}

struct Domain {
  double lo = 0, hi = 1;
  bool log = false;
};

std::string alert_hover(const ReportData& d, std::size_t i) {
  const Alert& a = d.alerts[i];
  std::string t =
      "#" + std::to_string(i + 1) + " " + std::string(to_string(a.decision.severity)) + " " + a.decision.syndrome;
  if (a.decision.step) t += " at step " + std::to_string(*a.decision.step);
  t += "\n" + a.decision.message;
  return t;
}

using Series = std::vector<const ReportSeries*>;
using Hline = std::optional<std::pair<double, std::string>>;

// The y domain over every kept finite point (and the baseline line).
Domain y_domain(const PanelSpec& spec, const Series& series, const Hline& hline) {
  double lo = INFINITY, hi = -INFINITY;
  for (const ReportSeries* s : series)
    for (const auto& seg : s->segments)
      for (const ReportPoint& p : seg) {
        lo = std::min(lo, p.y);
        hi = std::max(hi, p.y);
      }
  if (hline) {
    lo = std::min(lo, hline->first);
    hi = std::max(hi, hline->first);
  }
  Domain yd;
  bool have_y = std::isfinite(lo) && std::isfinite(hi);
  if (!have_y) {
    lo = 0;
    hi = 1;
  }
  if (spec.allow_log && have_y && lo > 0 && hi / lo >= 100.0) {
    yd.log = true;
    yd.lo = std::log10(lo) - 0.05 * (std::log10(hi) - std::log10(lo));
    yd.hi = std::log10(hi) + 0.05 * (std::log10(hi) - std::log10(lo));
  } else if (hi > lo) {
    double pad = 0.06 * (hi - lo);
    yd.lo = lo - pad;
    yd.hi = hi + pad;
    if (lo >= 0 && yd.lo < 0) yd.lo = 0;  // a non-negative metric keeps 0 as its floor
  } else {
    double pad = lo == 0 ? 1.0 : std::fabs(lo) * 0.1;
    yd.lo = lo - pad;
    yd.hi = hi + pad;
  }
  return yd;
}

// Data to pixel coordinates of one panel.
struct Scales {
  Domain xd, yd;
  double sx(double x) const { return kLeft + (x - xd.lo) / (xd.hi - xd.lo) * kPlotW; }
  double sy(double y) const {
    double v = yd.log ? (y > 0 ? std::log10(y) : yd.lo) : y;
    double r = (v - yd.lo) / (yd.hi - yd.lo);
    return kTop + (1.0 - std::clamp(r, 0.0, 1.0)) * kPlotH;
  }
};

void draw_grid_and_axes(SvgWriter& svg, const Scales& sc) {
  const Domain& yd = sc.yd;
  svg.open("g", {{"class", "grid"}});
  std::vector<detail::AxisTick> yt =
      yd.log ? detail::log_ticks(std::pow(10.0, std::max(yd.lo, -300.0)), std::pow(10.0, std::min(yd.hi, 300.0)))
             : detail::linear_ticks(yd.lo, yd.hi, 5);
  for (const auto& t : yt) {
    double y = sc.sy(t.value);
    svg.leaf("line",
             {{"x1", svg_coord(kLeft)}, {"x2", svg_coord(kLeft + kPlotW)}, {"y1", svg_coord(y)}, {"y2", svg_coord(y)}});
  }
  std::vector<detail::AxisTick> xt = detail::linear_ticks(sc.xd.lo, sc.xd.hi, 8);
  for (const auto& t : xt) {
    double x = sc.sx(t.value);
    svg.leaf("line",
             {{"x1", svg_coord(x)}, {"x2", svg_coord(x)}, {"y1", svg_coord(kTop)}, {"y2", svg_coord(kTop + kPlotH)}});
  }
  svg.close();
  svg.open("g", {{"class", "axis"}});
  for (const auto& t : yt) svg.text(kLeft - 8, sc.sy(t.value) + 4, t.label, {{"text-anchor", "end"}});
  for (const auto& t : xt) svg.text(sc.sx(t.value), kTop + kPlotH + 18, t.label, {{"text-anchor", "middle"}});
  svg.text(kLeft + kPlotW, kHeight - 1, "step", {{"text-anchor", "end"}, {"class", "unit"}});
  svg.close();
}

// Resolved spans under the curves.
void draw_resolved_spans(SvgWriter& svg, const Scales& sc, const std::vector<Placed>& placed, const ReportData& data) {
  for (const Placed& p : placed) {
    if (!p.x_end || *p.x_end <= p.x) continue;
    double a = sc.sx(std::max(p.x, sc.xd.lo)), b = sc.sx(std::min(*p.x_end, sc.xd.hi));
    if (b <= a) continue;
    const Alert& al = data.alerts[p.index];
    svg.leaf(
        "rect",
        {{"x", svg_coord(a)},
         {"y", svg_coord(kTop)},
         {"width", svg_coord(b - a)},
         {"height", svg_coord(kPlotH)},
         {"fill", severity_color(al.decision.severity)},
         {"class", "span"}},
        "#" + std::to_string(p.index + 1) + " " + al.decision.syndrome + " active until step " + step_text(*p.x_end));
  }
}

// One hover column's values of one series.
struct Cell {
  double lo = INFINITY, hi = -INFINITY, last = NAN;
  double xlo = INFINITY, xhi = -INFINITY;
};

std::vector<std::vector<Cell>> hover_cells(const Scales& sc, const Series& series) {
  std::vector<std::vector<Cell>> cells(kHoverColumns, std::vector<Cell>(series.size()));
  for (std::size_t si = 0; si < series.size(); ++si)
    for (const auto& seg : series[si]->segments)
      for (const ReportPoint& p : seg) {
        int c = static_cast<int>((sc.sx(p.x) - kLeft) / kPlotW * kHoverColumns);
        c = std::clamp(c, 0, kHoverColumns - 1);
        Cell& cell = cells[static_cast<std::size_t>(c)][si];
        cell.lo = std::min(cell.lo, p.y);
        cell.hi = std::max(cell.hi, p.y);
        cell.last = p.y;
        cell.xlo = std::min(cell.xlo, p.x);
        cell.xhi = std::max(cell.xhi, p.x);
      }
  return cells;
}

// Hover columns: the values under the pointer, per series.
void draw_hover_columns(SvgWriter& svg, const Scales& sc, const Series& series) {
  std::vector<std::vector<Cell>> cells = hover_cells(sc, series);
  svg.open("g", {{"class", "cols"}});
  double cw = kPlotW / kHoverColumns;
  for (int c = 0; c < kHoverColumns; ++c) {
    std::string title;
    double xlo = INFINITY, xhi = -INFINITY;
    for (std::size_t si = 0; si < series.size(); ++si) {
      const Cell& cell = cells[static_cast<std::size_t>(c)][si];
      if (!(cell.lo <= cell.hi)) continue;
      xlo = std::min(xlo, cell.xlo);
      xhi = std::max(xhi, cell.xhi);
      title += "\n" + series[si]->key + ": ";
      title += cell.lo == cell.hi ? format_value(cell.lo) : format_value(cell.lo) + " … " + format_value(cell.hi);
    }
    if (title.empty()) continue;
    std::string head = xlo == xhi ? "step " + step_text(xlo) : "steps " + step_text(xlo) + "–" + step_text(xhi);
    svg.leaf("rect",
             {{"x", svg_coord(kLeft + c * cw)},
              {"y", svg_coord(kTop)},
              {"width", svg_coord(cw)},
              {"height", svg_coord(kPlotH)},
              {"class", "col"}},
             head + title);
  }
  svg.close();
}

void draw_baseline_line(SvgWriter& svg, const Scales& sc, const Hline& hline) {
  if (!hline) return;
  double y = sc.sy(hline->first);
  svg.leaf("line",
           {{"x1", svg_coord(kLeft)},
            {"x2", svg_coord(kLeft + kPlotW)},
            {"y1", svg_coord(y)},
            {"y2", svg_coord(y)},
            {"class", "baseline"}},
           hline->second);
  svg.text(kLeft + kPlotW - 4, y - 4, "baseline " + format_value(hline->first),
           {{"text-anchor", "end"}, {"class", "baseline-label"}});
}

void draw_curves(SvgWriter& svg, const Scales& sc, const Series& series) {
  svg.open("g", {{"class", "curves"}});
  for (std::size_t si = 0; si < series.size(); ++si) {
    const char* color = kPalette[si % std::size(kPalette)];
    for (const auto& seg : series[si]->segments) {
      if (seg.size() == 1) {
        svg.leaf(
            "circle",
            {{"cx", svg_coord(sc.sx(seg[0].x))}, {"cy", svg_coord(sc.sy(seg[0].y))}, {"r", "2.5"}, {"fill", color}});
        continue;
      }
      std::vector<std::pair<double, double>> pts;
      pts.reserve(seg.size());
      for (const ReportPoint& p : seg) pts.emplace_back(sc.sx(p.x), sc.sy(p.y));
      svg.polyline(pts, {{"stroke", color}, {"class", "line"}});
    }
  }
  svg.close();
}

// One non-finite marker: kind 0 NaN (a cross at the top), 1 +Inf (▲ at the top), 2 -Inf (▼ at the bottom).
void draw_nonfinite_mark(SvgWriter& svg, double x, int kind, const std::string& title) {
  if (kind == 2) {
    double y = kTop + kPlotH - 5;
    svg.leaf("path",
             {{"d", "M" + svg_coord(x - 5) + " " + svg_coord(y - 5) + "L" + svg_coord(x + 5) + " " + svg_coord(y - 5) +
                        "L" + svg_coord(x) + " " + svg_coord(y + 4) + "Z"},
              {"class", "nf"}},
             title);
  } else if (kind == 1) {
    double y = kTop + 6;
    svg.leaf("path",
             {{"d", "M" + svg_coord(x - 5) + " " + svg_coord(y + 5) + "L" + svg_coord(x + 5) + " " + svg_coord(y + 5) +
                        "L" + svg_coord(x) + " " + svg_coord(y - 4) + "Z"},
              {"class", "nf"}},
             title);
  } else {
    double y = kTop + 8;
    svg.leaf(
        "path",
        {{"d", "M" + svg_coord(x - 4) + " " + svg_coord(y - 4) + "L" + svg_coord(x + 4) + " " + svg_coord(y + 4) + "M" +
                   svg_coord(x + 4) + " " + svg_coord(y - 4) + "L" + svg_coord(x - 4) + " " + svg_coord(y + 4)},
         {"class", "nan"}},
        title);
  }
}

// Non-finite markers: one per pixel column and kind, with the count.
void draw_nonfinite(SvgWriter& svg, const Scales& sc, const Series& series) {
  svg.open("g", {{"class", "nonfinite"}});
  for (const ReportSeries* s : series) {
    std::map<std::pair<int, int>, std::pair<const ReportPoint*, int>> marks;
    for (const ReportPoint& p : s->nonfinite) {
      int kind = std::isnan(p.y) ? 0 : p.y > 0 ? 1 : 2;
      int px = static_cast<int>(std::lround(sc.sx(p.x) / 4.0));
      auto [it, fresh] = marks.try_emplace({px, kind}, &p, 0);
      ++it->second.second;
    }
    for (const auto& [k, v] : marks) {
      const ReportPoint& p = *v.first;
      std::string what = k.second == 0 ? "NaN" : k.second == 1 ? "+Inf" : "-Inf";
      std::string title = s->key + " = " + what + " at step " + step_text(p.x);
      if (v.second > 1) title += " (and " + std::to_string(v.second - 1) + " more here)";
      draw_nonfinite_mark(svg, sc.sx(p.x), k.second, title);
    }
  }
  svg.close();
}

// One alert: its dashed line and, when numbered, its badge (tied to the line when moved aside).
void draw_alert(SvgWriter& svg, const Scales& sc, const Placed& p, const ReportData& data,
                std::optional<double> badge_at) {
  const Alert& a = data.alerts[p.index];
  double x = sc.sx(p.x);
  const std::string color = severity_color(a.decision.severity);
  std::string hover = alert_hover(data, p.index);
  svg.open("g", {{"class", "alert"}});
  svg.leaf("line",
           {{"x1", svg_coord(x)},
            {"x2", svg_coord(x)},
            {"y1", svg_coord(kTop)},
            {"y2", svg_coord(kTop + kPlotH)},
            {"stroke", color},
            {"class", "mark"}},
           hover);
  if (badge_at) {
    double bx = *badge_at;
    if (bx != x)
      svg.leaf("line", {{"x1", svg_coord(x)},
                        {"x2", svg_coord(bx)},
                        {"y1", svg_coord(kTop)},
                        {"y2", svg_coord(kTop - 4)},
                        {"stroke", color},
                        {"class", "tie"}});
    svg.leaf("circle", {{"cx", svg_coord(bx)}, {"cy", svg_coord(kTop - 9)}, {"r", "8"}, {"fill", color}}, hover);
    svg.text(bx, kTop - 5.5, std::to_string(p.index + 1), {{"text-anchor", "middle"}, {"class", "num"}});
  }
  svg.close();
}

// Alert markers.
void draw_alerts(SvgWriter& svg, const Scales& sc, const std::vector<Placed>& placed, const ReportData& data) {
  bool numbered = placed.size() <= 40;
  // Numbered badges side by side when alerts share a step (the lines stay at their steps).
  std::vector<const Placed*> order;
  for (const Placed& p : placed)
    if (p.x >= sc.xd.lo && p.x <= sc.xd.hi) order.push_back(&p);
  std::stable_sort(order.begin(), order.end(), [](const Placed* a, const Placed* b) { return a->x < b->x; });
  std::map<std::size_t, double> badge_x;
  double prev_badge = -1e9;
  for (const Placed* p : order) {
    double bx = std::max(sc.sx(p->x), prev_badge + 17.0);
    badge_x[p->index] = bx;
    prev_badge = bx;
  }
  svg.open("g", {{"class", "alerts"}});
  for (const Placed* pp : order)
    draw_alert(svg, sc, *pp, data, numbered ? std::optional<double>(badge_x[pp->index]) : std::nullopt);
  svg.close();
}

// Title and legend.
void draw_legend(SvgWriter& svg, const PanelSpec& spec, const Series& series, bool log_scale) {
  svg.text(8, 20, spec.title, {{"class", "ptitle"}});
  double lx = 8 + 9.0 * static_cast<double>(std::string_view(spec.title).size()) + 20;
  if (log_scale) {
    svg.text(lx, 20, "log scale", {{"class", "chip"}});
    lx += 72;
  }
  for (std::size_t si = 0; si < series.size(); ++si) {
    const ReportSeries& s = *series[si];
    const char* color = kPalette[si % std::size(kPalette)];
    std::string label = s.key;
    if (s.last) label += "  last " + format_value(*s.last);
    if (s.nonfinite_count > 0) label += "  · " + std::to_string(s.nonfinite_count) + " NaN/Inf";
    svg.leaf("rect", {{"x", svg_coord(lx)}, {"y", "12"}, {"width", "14"}, {"height", "4"}, {"fill", color}});
    svg.text(lx + 20, 20, label, {{"class", "legend"}});
    lx += 20 + 6.6 * static_cast<double>(label.size()) + 22;
  }
}

std::string render_panel(const PanelSpec& spec, const Series& series, Domain xd, const std::vector<Placed>& placed,
                         const ReportData& data, const Hline& hline) {
  Scales sc{xd, y_domain(spec, series, hline)};
  SvgWriter svg(kWidth, kHeight, {{"class", "plot"}, {"role", "img"}, {"aria-label", spec.title}});
  svg.leaf("rect", {{"x", svg_coord(kLeft)},
                    {"y", svg_coord(kTop)},
                    {"width", svg_coord(kPlotW)},
                    {"height", svg_coord(kPlotH)},
                    {"class", "area"}});
  draw_grid_and_axes(svg, sc);
  draw_resolved_spans(svg, sc, placed, data);
  draw_hover_columns(svg, sc, series);
  draw_baseline_line(svg, sc, hline);
  draw_curves(svg, sc, series);
  draw_nonfinite(svg, sc, series);
  draw_alerts(svg, sc, placed, data);
  draw_legend(svg, spec, series, sc.yd.log);
  return svg.finish();
}

std::string badge(std::string_view cls, std::string_view text) {
  return "<span class=\"badge " + std::string(cls) + "\">" + xml_escape(text) + "</span>";
}

std::string status_class(const std::string& status, const std::optional<int>& exit_code) {
  if (status == "finished" && (!exit_code || *exit_code == 0)) return "ok";
  if (status == "running" || status.empty()) return "info";
  return "critical";
}

void fact(std::string& out, std::string_view name, const std::string& value) {
  if (value.empty()) return;
  out += "<dt>" + xml_escape(name) + "</dt><dd>" + xml_escape(value) + "</dd>";
}

constexpr const char* kCss = R"css(
*{box-sizing:border-box}
body{margin:0;background:#f5f6f8;color:#1d2330;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif}
header{background:#1d2330;color:#fff;padding:18px 32px}
header h1{margin:0 0 6px;font-size:20px;font-weight:600}
header .sub{color:#c5cad3;font-size:13px}
header .sub b{color:#fff}
main{max-width:1060px;margin:0 auto;padding:8px 32px 40px}
h2{font-size:16px;margin:22px 0 8px}
.card{background:#fff;border:1px solid #e1e4e9;border-radius:8px;padding:12px 16px;margin:10px 0}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:600;color:#fff;vertical-align:1px}
.badge.critical{background:#d62728}.badge.warning{background:#e8890c}.badge.info{background:#1c7ed6}.badge.ok{background:#2b8a3e}
.headline{border-left:4px solid #d62728}
.headline.warning{border-left-color:#e8890c}
dl.facts{display:grid;grid-template-columns:150px 1fr;gap:4px 12px;margin:0}
dl.facts dt{color:#5c6370}dl.facts dd{margin:0;word-break:break-word}
code,pre{font-family:ui-monospace,"DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:12px}
pre{background:#f3f4f6;border-radius:6px;padding:8px 10px;margin:6px 0 0;overflow-x:auto;white-space:pre}
pre .hit{background:#ffe1e1;display:inline-block;min-width:100%}
pre .ln{color:#9aa1ab}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;vertical-align:top;padding:6px 8px;border-bottom:1px solid #eceef2}
th{color:#5c6370;font-weight:600;font-size:12px}
td.num{font-variant-numeric:tabular-nums;white-space:nowrap}
.ev{color:#444b57;font-size:12px;overflow-wrap:anywhere}
td.what{width:100%;max-width:0}
.muted{color:#6b7280}
.better{color:#2b8a3e;font-weight:600}.worse{color:#d62728;font-weight:600}
svg.plot{width:100%;height:auto;display:block;background:#fff;border:1px solid #e1e4e9;border-radius:8px;margin:10px 0}
svg.plot .area{fill:#fff}
svg.plot .grid line{stroke:#eceef2;stroke-width:1}
svg.plot .axis text{font-size:11px;fill:#5c6370}
svg.plot .axis .unit{fill:#9aa1ab}
svg.plot .line{fill:none;stroke-width:1.6;stroke-linejoin:round;pointer-events:none}
svg.plot .col{fill:transparent}
svg.plot .col:hover{fill:rgba(29,35,48,.07)}
svg.plot .span{opacity:.08}
svg.plot .mark{stroke-width:1.5;stroke-dasharray:4 3}
svg.plot .alert:hover .mark{stroke-width:3}
svg.plot .tie{stroke-width:1}
svg.plot .num{font-size:10px;font-weight:700;fill:#fff;pointer-events:none}
svg.plot .nf{fill:#d62728}
svg.plot .nan{stroke:#d62728;stroke-width:2.2;fill:none}
svg.plot .baseline{stroke:#6b7280;stroke-width:1.2;stroke-dasharray:6 4}
svg.plot .baseline-label{font-size:11px;fill:#6b7280}
svg.plot .ptitle{font-size:15px;font-weight:600;fill:#1d2330}
svg.plot .legend{font-size:12px;fill:#3b4350}
svg.plot .chip{font-size:11px;fill:#6b7280;font-style:italic}
footer{color:#8a919c;font-size:12px;margin-top:28px}
)css";

std::string relative_time(const ReportData& d, double ts) {
  if (!(ts > 0)) return "";
  if (d.facts.started_at && ts >= *d.facts.started_at) return "+" + duration_text(ts - *d.facts.started_at);
  return utc_text(ts);
}

void render_excerpt(std::string& out, const LogExcerpt& e) {
  if (e.lines.empty()) return;
  out += "<pre>";
  std::uint64_t n = e.first_line;
  std::size_t width = std::to_string(e.first_line + e.lines.size()).size();
  for (const std::string& line : e.lines) {
    std::string num = std::to_string(n);
    num = std::string(width > num.size() ? width - num.size() : 0, ' ') + num;
    bool hit = n == e.anchor_line;
    out += hit ? "<span class=\"hit\">" : "<span>";
    out += "<span class=\"ln\">" + num + " │ </span>" + xml_escape(line) + "</span>\n";
    ++n;
  }
  out += "</pre>";
}

void render_head_and_header(std::string& out, const ReportData& d, const std::string& title) {
  const RunFacts& f = d.facts;
  std::size_t crit = 0, warn = 0;
  for (const Alert& a : d.alerts) {
    if (a.decision.severity == Severity::kCritical) ++crit;
    if (a.decision.severity == Severity::kWarning) ++warn;
  }
  out += "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">";
  out += "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">";
  out += "<meta name=\"generator\" content=\"sidecar " + std::string(kVersion) + "\">";
  out += "<title>" + xml_escape(title) + "</title><style>" + kCss + "</style></head><body>\n";

  // Header.
  out += "<header><h1>" + xml_escape(title) + "</h1><div class=\"sub\">";
  std::string status = f.status.empty() ? "unknown" : f.status;
  out += badge(status_class(f.status, f.exit_code), status);
  if (f.exit_code) out += " &nbsp;exit <b>" + std::to_string(*f.exit_code) + "</b>";
  if (f.started_at && f.ended_at) out += " &nbsp;·&nbsp; ran <b>" + duration_text(*f.ended_at - *f.started_at) + "</b>";
  out += " &nbsp;·&nbsp; <b>" + std::to_string(d.alerts.size()) + "</b> alert" + (d.alerts.size() == 1 ? "" : "s");
  if (crit + warn > 0) out += " (" + std::to_string(crit) + " critical, " + std::to_string(warn) + " warning)";
  out += " &nbsp;·&nbsp; <b>" + std::to_string(f.rows) + "</b> metric rows";
  if (!f.profile.empty()) out += " &nbsp;·&nbsp; profile <b>" + xml_escape(f.profile) + "</b>";
  out += "</div></header>\n<main>\n";
}

// Headline: the first most severe alert.
void render_headline(std::string& out, const ReportData& d) {
  const Alert* worst = nullptr;
  std::size_t worst_i = 0;
  for (std::size_t i = 0; i < d.alerts.size(); ++i)
    if (worst == nullptr || d.alerts[i].decision.severity > worst->decision.severity) {
      worst = &d.alerts[i];
      worst_i = i;
    }
  if (worst != nullptr) {
    std::string sev(to_string(worst->decision.severity));
    out += "<div class=\"card headline " + sev + "\">" + badge(sev, sev) + " <b>#" + std::to_string(worst_i + 1) + " " +
           xml_escape(worst->decision.syndrome) + "</b>";
    if (worst->decision.step) out += " at step <b>" + std::to_string(*worst->decision.step) + "</b>";
    out += " — " + xml_escape(worst->decision.message) + "</div>\n";
  } else {
    out += "<div class=\"card\">" + badge("ok", "no alerts") + " sidecar raised no alert for this run.</div>\n";
  }
}

void render_facts(std::string& out, const RunFacts& f) {
  std::string status = f.status.empty() ? "unknown" : f.status;
  out += "<h2>Run</h2><div class=\"card\"><dl class=\"facts\">";
  fact(out, "run id", f.run_id);
  fact(out, "command", f.command);
  fact(out, "status", status + (f.exit_code ? " (exit " + std::to_string(*f.exit_code) + ")" : ""));
  fact(out, "error", f.error);
  if (f.started_at) fact(out, "started", utc_text(*f.started_at));
  if (f.ended_at) fact(out, "ended", utc_text(*f.ended_at));
  if (f.started_at && f.ended_at) fact(out, "duration", duration_text(*f.ended_at - *f.started_at));
  if (!f.gpus.empty()) {
    std::string g;
    for (const auto& s : f.gpus) g += (g.empty() ? "" : ", ") + s;
    fact(out, "GPUs", g);
  } else {
    fact(out, "GPUs", "not recorded");
  }
  fact(out, "profile", f.profile);
  fact(out, "run directory", f.run_dir);
  fact(out, "metrics",
       f.metrics_path.empty()
           ? ""
           : f.metrics_path + " (" + std::to_string(f.rows) + " rows" +
                 (f.malformed_rows ? ", " + std::to_string(f.malformed_rows) + " malformed" : "") + ")");
  fact(out, "log", f.log_path);
  fact(out, "last note", f.monitor_note);
  out += "</dl></div>\n";
}

// Points read and drawn over every series, for the footer.
struct PointCounts {
  std::uint64_t raw = 0, drawn = 0;
};

// The x domain over every point (finite or not) and, when there is one, every placed alert.
Domain x_domain(const ReportData& d, const std::vector<Placed>& placed, PointCounts& counts) {
  Domain xd{INFINITY, -INFINITY, false};
  for (const ReportSeries& s : d.series) {
    counts.raw += s.count;
    for (const auto& seg : s.segments)
      for (const ReportPoint& p : seg) {
        xd.lo = std::min(xd.lo, p.x);
        xd.hi = std::max(xd.hi, p.x);
        ++counts.drawn;
      }
    for (const ReportPoint& p : s.nonfinite) {
      xd.lo = std::min(xd.lo, p.x);
      xd.hi = std::max(xd.hi, p.x);
    }
  }
  if (std::isfinite(xd.lo))
    for (const Placed& p : placed) {
      xd.lo = std::min(xd.lo, p.x);
      xd.hi = std::max(xd.hi, p.x);
    }
  return xd;
}

// The baseline's line in a throughput or validation accuracy panel.
Hline panel_baseline(const PanelSpec& spec, const ReportData& d) {
  Hline hline;
  for (const BaselineComparison& b : d.baseline) {
    if (!b.baseline) continue;
    if (spec.roles.front() == Role::kThroughput && b.metric.find("throughput") != std::string::npos)
      hline = {{*b.baseline, "baseline throughput (median of " + std::to_string(b.baseline_runs) + " runs)"}};
    if (spec.roles.front() == Role::kValAccuracy && b.metric.find("validation accuracy") != std::string::npos)
      hline = {
          {*b.baseline, "baseline best validation accuracy (median of " + std::to_string(b.baseline_runs) + " runs)"}};
  }
  return hline;
}

PointCounts render_curves(std::string& out, const ReportData& d, const ReportOptions& o) {
  out += "<h2>Curves</h2>\n";
  PointCounts counts;
  std::vector<Placed> placed = place_alerts(d, o);
  Domain xd = x_domain(d, placed, counts);
  if (!std::isfinite(xd.lo)) {
    out += "<div class=\"card muted\">No metric series to plot (no metrics file, or no key bound to a role).</div>\n";
    return counts;
  }
  if (xd.hi <= xd.lo) {
    xd.lo -= 1;
    xd.hi += 1;
  }
  int drawn = 0;
  for (const PanelSpec& spec : panels()) {
    Series in_panel;
    for (const ReportSeries& s : d.series)
      if (std::find(spec.roles.begin(), spec.roles.end(), s.role) != spec.roles.end()) in_panel.push_back(&s);
    if (in_panel.empty()) continue;
    out += render_panel(spec, in_panel, xd, placed, d, panel_baseline(spec, d));
    out += "\n";
    ++drawn;
  }
  if (drawn == 0) out += "<div class=\"card muted\">No metric bound to a plotted role.</div>\n";
  return counts;
}

void render_evidence(std::string& out, const Decision& dec) {
  if (dec.evidence.empty()) return;
  out += "<div class=\"ev\">";
  bool first = true;
  for (const auto& [k, v] : dec.evidence) {
    if (k == "line") continue;  // shown in the excerpt
    out += (first ? "" : " · ") + std::string("<code>") + xml_escape(k) +
           "</code>=" + xml_escape(v.size() > 160 ? v.substr(0, 160) + "…" : v);
    first = false;
  }
  out += "</div>";
}

// One timeline row: alert i with its evidence, resolution and log excerpt.
void render_timeline_row(std::string& out, const ReportData& d, std::size_t i, bool any_incident,
                         const std::map<std::string, const Resolved*>& resolved) {
  const Alert& a = d.alerts[i];
  const Decision& dec = a.decision;
  std::string sev(to_string(dec.severity));
  out += "<tr><td class=\"num\"><b>" + std::to_string(i + 1) + "</b></td><td class=\"num\" title=\"" +
         xml_escape(utc_text(a.ts)) + "\">" + xml_escape(relative_time(d, a.ts)) + "</td><td class=\"num\">" +
         (dec.step ? std::to_string(*dec.step) : "—") + "</td><td>" + badge(sev, sev) + "</td>";
  if (any_incident)
    out += "<td><code>" + xml_escape(i < d.incident_ids.size() ? d.incident_ids[i] : "") + "</code></td>";
  out += "<td class=\"what\"><b>" + xml_escape(dec.syndrome) + "</b> <span class=\"muted\">(" +
         xml_escape(to_string(dec.source)) + ")</span><br>" + xml_escape(dec.message);
  render_evidence(out, dec);
  if (auto it = resolved.find(a.id); it != resolved.end())
    out += "<div class=\"ev\">resolved after " + duration_text(it->second->duration_s) + "</div>";
  if (i < d.excerpts.size() && !d.excerpts[i].lines.empty()) {
    render_excerpt(out, d.excerpts[i]);
  } else if (const std::string* line = evidence_get(dec.evidence, "line")) {
    out += "<pre>" + xml_escape(*line) + "</pre>";
  }
  out += "</td></tr>\n";
}

void render_timeline(std::string& out, const ReportData& d, const ReportOptions& o) {
  out += "<h2>Incident timeline</h2>\n";
  if (d.alerts.empty()) {
    out += "<div class=\"card muted\">No alerts.</div>\n";
    return;
  }
  std::map<std::string, const Resolved*> resolved;
  for (const Resolved& r : d.resolved) resolved[r.alert_id] = &r;
  bool any_incident = false;
  for (const auto& id : d.incident_ids) any_incident = any_incident || !id.empty();
  out += "<div class=\"card\"><table><tr><th>#</th><th>when</th><th>step</th><th>severity</th>";
  if (any_incident) out += "<th>incident</th>";
  out += "<th>what</th></tr>\n";
  std::size_t shown = std::min(d.alerts.size(), o.max_alerts);
  for (std::size_t i = 0; i < shown; ++i) render_timeline_row(out, d, i, any_incident, resolved);
  out += "</table>";
  if (shown < d.alerts.size())
    out += "<p class=\"muted\">" + std::to_string(d.alerts.size() - shown) + " more alerts not listed.</p>";
  out += "</div>\n";
}

void render_baseline_table(std::string& out, const ReportData& d) {
  out += "<h2>Compared with the baseline</h2>\n<div class=\"card\">";
  if (d.baseline.empty()) {
    out += "<span class=\"muted\">" +
           xml_escape(d.baseline_note.empty() ? "No history given (sidecar-cli report --history FILE)."
                                              : d.baseline_note) +
           "</span>";
    out += "</div>\n";
    return;
  }
  out += "<table><tr><th>metric</th><th>this run</th><th>baseline</th><th>ratio</th></tr>";
  for (const BaselineComparison& b : d.baseline) {
    out += "<tr><td>" + xml_escape(b.metric) + "</td><td class=\"num\">" +
           (b.this_run ? format_value(*b.this_run) : "—") + "</td><td class=\"num\">" +
           (b.baseline ? format_value(*b.baseline) : "—") + "</td><td class=\"num\">";
    if (b.this_run && b.baseline && *b.baseline != 0) {
      double r = *b.this_run / *b.baseline;
      bool better = b.higher_is_better ? r >= 1.0 : r <= 1.0;
      bool notable = std::fabs(r - 1.0) >= 0.05;
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.2fx", r);
      out += notable ? std::string("<span class=\"") + (better ? "better" : "worse") + "\">" + buf + "</span>" : buf;
    } else {
      out += "—";
    }
    out += "</td></tr>";
  }
  out += "</table>";
  if (!d.baseline_note.empty()) out += "<p class=\"muted\">" + xml_escape(d.baseline_note) + "</p>";
  out += "</div>\n";
}

void render_tail_and_footer(std::string& out, const ReportData& d, const PointCounts& counts) {
  // Log tail.
  if (!d.log_tail.empty()) {
    out += "<h2>End of the log</h2>\n<div class=\"card\"><pre>";
    for (const std::string& line : d.log_tail) out += xml_escape(line) + "\n";
    out += "</pre></div>\n";
  }

  out += "<footer>";
  for (const std::string& n : d.notes) out += xml_escape(n) + "<br>";
  out += "Generated by sidecar " + std::string(kVersion) +
         ". Curves are downsampled (min and max per bucket): " + std::to_string(counts.raw) + " points read, " +
         std::to_string(counts.drawn) +
         " drawn; NaN/Inf values are marked in red at the top (×: NaN, ▲: +Inf) or bottom (▼: -Inf).</footer>\n";
  out += "</main></body></html>\n";
}

}  // namespace

std::string render_report_html(const ReportData& d, const ReportOptions& o) {
  const RunFacts& f = d.facts;
  std::string title = !o.title.empty() ? o.title : "sidecar report: " + (f.run_id.empty() ? "run" : f.run_id);
  std::string out;
  out.reserve(1 << 18);
  render_head_and_header(out, d, title);
  render_headline(out, d);
  render_facts(out, f);
  PointCounts counts = render_curves(out, d, o);
  render_timeline(out, d, o);
  render_baseline_table(out, d);
  render_tail_and_footer(out, d, counts);
  return out;
}

}  // namespace sidecar
