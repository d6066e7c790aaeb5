// ReportBuilder and log excerpts (report.h).
#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <deque>
#include <map>
#include <string>
#include <unordered_map>

#include "sidecar/core/detail/strings.h"
#include "sidecar/report.h"

namespace sidecar {
namespace {

constexpr std::size_t kMaxKnownKeys = 4096;    // distinct raw keys remembered (bound or not)
constexpr std::size_t kMaxTimeSamples = 2048;  // (ts, step) samples kept
constexpr std::size_t kMaxAlertsKept = 10000;  // alerts kept for markers

struct SeriesState {
  std::string key;
  Role role;
  SeriesDownsampler ds;
};

inline std::uint64_t load8(const char* p) {
  std::uint64_t w;
  std::memcpy(&w, p, sizeof w);
  return w;
}

inline std::uint32_t load4(const char* p) {
  std::uint32_t w;
  std::memcpy(&w, p, sizeof w);
  return w;
}

// a == b for metric keys, inline (observe compares every key of every row
// with the previous row's): overlapping word loads, none past either end.
inline bool same_key(std::string_view a, std::string_view b) {
  const std::size_t n = a.size();
  if (n != b.size()) return false;
  if (n >= 8) {
    for (std::size_t i = 0; i + 8 < n; i += 8)
      if (load8(a.data() + i) != load8(b.data() + i)) return false;
    return load8(a.data() + n - 8) == load8(b.data() + n - 8);
  }
  if (n >= 4) return load4(a.data()) == load4(b.data()) && load4(a.data() + n - 4) == load4(b.data() + n - 4);
  for (std::size_t i = 0; i < n; ++i)
    if (a[i] != b[i]) return false;
  return true;
}

std::string cap_line(std::string_view line, std::size_t max) {
  if (line.size() <= max) return std::string(line);
  std::size_t cut = max;
  while (cut > 0 && (static_cast<unsigned char>(line[cut]) & 0xC0) == 0x80) --cut;  // not inside a UTF-8 sequence
  return std::string(line.substr(0, cut)) + " …";
}

// Strips ANSI escape sequences and keeps the text after the last '\r' (a
// progress bar's final state), as the log scanner does.
std::string clean_line(std::string_view raw) {
  std::size_t cr = raw.rfind('\r');
  if (cr != std::string_view::npos && cr + 1 < raw.size()) raw = raw.substr(cr + 1);
  std::string out;
  out.reserve(raw.size());
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == '\x1b') {
      if (i + 1 < raw.size() && raw[i + 1] == '[') {
        i += 2;
        while (i < raw.size() && !(raw[i] >= '@' && raw[i] <= '~')) ++i;
      }
      continue;
    }
    if (raw[i] == '\r') continue;
    out += raw[i];
  }
  return out;
}

// Whether `line` mentions step `step`: the word "step" (any case) followed,
// within a few characters, by the number as a whole token.
bool mentions_step(std::string_view line, const std::string& step_text) {
  std::string lower = detail::to_lower(line.substr(0, std::min<std::size_t>(line.size(), 4096)));
  std::size_t pos = 0;
  while ((pos = lower.find("step", pos)) != std::string::npos) {
    std::size_t i = pos + 4;
    std::size_t limit = std::min(lower.size(), i + 8);
    while (i < limit && !(lower[i] >= '0' && lower[i] <= '9')) {
      char c = lower[i];
      if (!(c == ' ' || c == '=' || c == ':' || c == '\'' || c == '"' || c == 's' || c == '_' || c == '[' || c == '#'))
        break;
      ++i;
    }
    if (i < lower.size() && lower.compare(i, step_text.size(), step_text) == 0) {
      std::size_t end = i + step_text.size();
      if (end >= lower.size() || !(lower[end] >= '0' && lower[end] <= '9')) return true;
    }
    pos += 4;
  }
  return false;
}

}  // namespace

struct ReportBuilder::Impl {
  ReportOptions options;
  KeyMatcher matcher;
  std::vector<SeriesState> series;
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view k) const { return std::hash<std::string_view>{}(k); }
  };
  std::unordered_map<std::string, int, Hash, std::equal_to<>> index;  // raw key -> series index, or -1
  std::vector<std::pair<std::string, int>> last_keys;  // the previous row's keys in order (the usual case: same keys)
  std::array<std::size_t, kRoleCount> per_role{};
  std::uint64_t rows = 0;
  std::optional<double> first_ts, last_ts;
  std::vector<std::pair<double, double>> time_to_x;
  std::uint64_t time_stride = 1;  // a power of two: rows % time_stride is rows & (time_stride - 1)
  std::vector<Alert> alerts;
  std::vector<std::string> incident_ids;
  std::uint64_t alerts_dropped = 0;
  std::vector<Resolved> resolved;
  RunFacts facts;
  std::vector<BaselineComparison> baseline;
  std::string baseline_note;
  std::vector<std::string> notes;

  Impl(ReportOptions o, const RoleAliases& aliases) : options(std::move(o)), matcher(aliases) {}

  int series_for(std::string_view key) {
    auto it = index.find(key);
    if (it != index.end()) return it->second;
    int idx = -1;
    if (auto e = matcher.match(key)) {
      auto r = static_cast<std::size_t>(e->role);
      if (per_role[r] < options.max_keys_per_role) {
        ++per_role[r];
        idx = static_cast<int>(series.size());
        series.push_back({std::string(key), e->role, SeriesDownsampler(options.max_buckets)});
      }
    }
    if (index.size() < kMaxKnownKeys) index.emplace(std::string(key), idx);
    return idx;
  }
};

ReportBuilder::ReportBuilder(ReportOptions options, const RoleAliases& aliases)
    : impl_(std::make_unique<Impl>(std::move(options), aliases)) {}
ReportBuilder::~ReportBuilder() = default;
ReportBuilder::ReportBuilder(ReportBuilder&&) noexcept = default;
ReportBuilder& ReportBuilder::operator=(ReportBuilder&&) noexcept = default;

void ReportBuilder::observe(const MetricRow& row) {
  Impl& m = *impl_;
  double x = row.step ? static_cast<double>(*row.step) : static_cast<double>(m.rows);
  if (row.timestamp && std::isfinite(*row.timestamp)) {
    if (!m.first_ts) m.first_ts = *row.timestamp;
    m.last_ts = *row.timestamp;
    if ((m.rows & (m.time_stride - 1)) == 0) {  // no division per row
      if (m.time_to_x.size() >= kMaxTimeSamples) {
        std::size_t out = 0;
        for (std::size_t i = 0; i < m.time_to_x.size(); i += 2) m.time_to_x[out++] = m.time_to_x[i];
        m.time_to_x.resize(out);
        m.time_stride *= 2;
      }
      if ((m.rows & (m.time_stride - 1)) == 0) m.time_to_x.emplace_back(*row.timestamp, x);
    }
  }
  ++m.rows;
  // Rows usually repeat the previous row's keys in the same order: compare
  // those before hashing.
  bool same = row.values.size() == m.last_keys.size();
  if (!same) m.last_keys.clear();
  for (std::size_t i = 0; i < row.values.size(); ++i) {
    const MetricValue& v = row.values[i];
    int idx;
    if (same && same_key(m.last_keys[i].first, v.key)) {
      idx = m.last_keys[i].second;
    } else {
      if (same) {
        same = false;
        m.last_keys.resize(i);
      }
      idx = m.series_for(v.key);
      if (m.last_keys.size() < 64) m.last_keys.emplace_back(std::string(v.key), idx);
    }
    if (idx >= 0) m.series[static_cast<std::size_t>(idx)].ds.add(x, v.value);
  }
}

void ReportBuilder::add_alert(const Alert& alert, std::string incident_id) {
  if (impl_->alerts.size() >= kMaxAlertsKept) {
    ++impl_->alerts_dropped;
    return;
  }
  impl_->alerts.push_back(alert);
  impl_->incident_ids.push_back(std::move(incident_id));
}

void ReportBuilder::add_resolved(const Resolved& resolved) {
  if (impl_->resolved.size() < kMaxAlertsKept) impl_->resolved.push_back(resolved);
}

RunFacts& ReportBuilder::facts() { return impl_->facts; }
void ReportBuilder::add_baseline(BaselineComparison row) { impl_->baseline.push_back(std::move(row)); }
void ReportBuilder::set_baseline_note(std::string note) { impl_->baseline_note = std::move(note); }
void ReportBuilder::add_note(std::string note) { impl_->notes.push_back(std::move(note)); }

ReportData ReportBuilder::build() const {
  const Impl& m = *impl_;
  ReportData d;
  d.facts = m.facts;
  if (d.facts.rows == 0) d.facts.rows = m.rows;
  if (!d.facts.started_at && m.first_ts) d.facts.started_at = m.first_ts;
  if (!d.facts.ended_at && m.last_ts && d.facts.status != "running") d.facts.ended_at = m.last_ts;
  for (const SeriesState& s : m.series) {
    ReportSeries rs;
    rs.key = s.key;
    rs.role = s.role;
    rs.segments = s.ds.segments();
    rs.nonfinite = s.ds.nonfinite();
    rs.count = s.ds.count();
    rs.nonfinite_count = s.ds.nonfinite_count();
    rs.last = s.ds.last_finite();
    rs.min = s.ds.min_finite();
    rs.max = s.ds.max_finite();
    d.series.push_back(std::move(rs));
  }
  std::stable_sort(d.series.begin(), d.series.end(),
                   [](const ReportSeries& a, const ReportSeries& b) { return a.role < b.role; });
  d.alerts = m.alerts;
  d.incident_ids = m.incident_ids;
  d.resolved = m.resolved;
  d.time_to_x = m.time_to_x;
  d.baseline = m.baseline;
  d.baseline_note = m.baseline_note;
  d.notes = m.notes;
  if (m.alerts_dropped > 0)
    d.notes.push_back(std::to_string(m.alerts_dropped) + " alerts beyond the first " + std::to_string(kMaxAlertsKept) +
                      " are not shown");
  if (!d.facts.log_path.empty()) read_log_excerpts(d.facts.log_path, d.alerts, m.options, &d.excerpts, &d.log_tail);
  d.excerpts.resize(d.alerts.size());
  return d;
}

namespace {

// What identifies an alert's anchor line in the log.
struct Want {
  std::uint64_t line_no = 0;  // evidence line_no
  std::string text;           // evidence line (a prefix of it)
  std::string step;           // the step as text
  bool done = false;
};

Want want_of(const Decision& dec) {
  Want w;
  // The matched text first: a scanner's line_no counts lines of its own
  // stream (stdout and stderr apart), not of run.log.
  for (const char* key : {"line", "exception"}) {
    if (!w.text.empty()) break;
    if (const std::string* t = evidence_get(dec.evidence, key)) {
      std::string c = clean_line(*t);
      std::string_view tv = detail::trim(c);
      if (tv.size() >= 8) w.text = std::string(tv.substr(0, 160));
    }
  }
  if (w.text.empty())
    if (const std::string* ln = evidence_get(dec.evidence, "line_no"))
      if (auto v = detail::parse_number(*ln); v && *v >= 1) w.line_no = static_cast<std::uint64_t>(*v);
  if (dec.step) w.step = std::to_string(*dec.step);
  if (!w.line_no && w.text.empty() && w.step.empty()) w.done = true;
  return w;
}

// The log read line by line: each alert's excerpt around its anchor, and the log's last lines.
struct ExcerptScan {
  const ReportOptions& options;
  std::vector<LogExcerpt>& excerpts;
  std::vector<Want> wants;
  std::size_t pending = 0;
  std::size_t ctx = 0;
  std::size_t max_line = 0;
  std::deque<std::string> recent;  // the last ctx lines (before the current one)
  std::deque<std::string> last;    // the last log_tail_lines lines
  struct Open {
    std::size_t alert;
    std::size_t after_left;
  };
  std::vector<Open> open;  // excerpts still collecting lines after their anchor
  std::uint64_t line_no = 0;

  ExcerptScan(const std::vector<Alert>& alerts, const ReportOptions& o, std::vector<LogExcerpt>& out)
      : options(o), excerpts(out), wants(alerts.size()) {
    for (std::size_t i = 0; i < alerts.size() && i < options.max_alerts; ++i) {
      wants[i] = want_of(alerts[i].decision);
      if (!wants[i].done) ++pending;
    }
    ctx = options.excerpt_context;
    max_line = std::max<std::size_t>(options.max_excerpt_line, 16);
  }

  void match_anchors(const std::string& clean, const std::string& shown) {
    for (std::size_t i = 0; i < wants.size(); ++i) {
      Want& w = wants[i];
      if (w.done) continue;
      bool hit = false;
      if (w.line_no != 0)
        hit = w.line_no == line_no;
      else if (!w.text.empty())
        hit = clean.find(w.text) != std::string::npos;
      else
        hit = mentions_step(clean, w.step);
      if (!hit) continue;
      w.done = true;
      --pending;
      LogExcerpt& e = excerpts[i];
      e.first_line = line_no - recent.size();
      e.anchor_line = line_no;
      e.lines.assign(recent.begin(), recent.end());
      e.lines.push_back(shown);
      if (ctx > 0) open.push_back({i, ctx});
    }
  }

  void handle(std::string_view raw) {
    ++line_no;
    std::string clean = clean_line(raw);
    std::string shown = cap_line(clean, max_line);
    for (auto it = open.begin(); it != open.end();) {
      excerpts[it->alert].lines.push_back(shown);
      if (--it->after_left == 0)
        it = open.erase(it);
      else
        ++it;
    }
    if (pending > 0) match_anchors(clean, shown);
    if (ctx > 0) {
      recent.push_back(shown);
      if (recent.size() > ctx) recent.pop_front();
    }
    if (options.log_tail_lines > 0) {
      last.push_back(std::move(shown));
      if (last.size() > options.log_tail_lines) last.pop_front();
    }
  }
};

// Calls scan.handle() on each line of f (without its newline); an over-long line is cut, the rest
// skipped until its newline.
void scan_lines(std::FILE* f, ExcerptScan& scan) {
  constexpr std::size_t kMaxCarry = 1 << 20;
  char buf[1 << 16];
  std::string carry;
  bool skipping = false;
  for (;;) {
    std::size_t n = std::fread(buf, 1, sizeof buf, f);
    if (n == 0) break;
    std::string_view chunk(buf, n);
    std::size_t start = 0;
    while (start < chunk.size()) {
      std::size_t nl = chunk.find('\n', start);
      if (nl == std::string_view::npos) {
        if (!skipping) {
          carry.append(chunk.substr(start));
          if (carry.size() > kMaxCarry) {
            carry.resize(kMaxCarry);
            skipping = true;
          }
        }
        break;
      }
      if (!skipping) carry.append(chunk.substr(start, nl - start));
      scan.handle(carry);
      carry.clear();
      skipping = false;
      start = nl + 1;
    }
  }
  if (!carry.empty()) scan.handle(carry);
}

}  // namespace

void read_log_excerpts(const std::string& log_path, const std::vector<Alert>& alerts, const ReportOptions& options,
                       std::vector<LogExcerpt>* excerpts, std::vector<std::string>* tail) {
  excerpts->assign(alerts.size(), LogExcerpt{});
  tail->clear();
  std::FILE* f = std::fopen(log_path.c_str(), "rb");
  if (f == nullptr) return;
  ExcerptScan scan(alerts, options, *excerpts);
  scan_lines(f, scan);
  std::fclose(f);
  tail->assign(scan.last.begin(), scan.last.end());
}

}  // namespace sidecar
