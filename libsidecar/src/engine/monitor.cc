// The Monitor: roles -> series -> detectors -> dedupe -> alerts/snapshots/history.
#include "sidecar/monitor.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <deque>
#include <limits>
#include <unordered_map>

#include "rank_lines.h"
#include "sidecar/core/detectors/grad_norm.h"
#include "sidecar/core/detectors/loss.h"
#include "sidecar/core/detectors/rl.h"
#include "sidecar/core/detectors/supervised.h"
#include "sidecar/core/detectors/throughput.h"
#include "sidecar/core/snapshot.h"
#include "sidecar/detail/iso8601.h"
#include "sidecar/incidents.h"

namespace sidecar {
namespace {

constexpr std::size_t kMaxKeys = 4096;               // distinct raw keys remembered
constexpr std::size_t kMaxWatches = 256;             // keys without a bound role watched by family
constexpr std::size_t kMaxUnknownWatches = 128;      // keys without a family, watched for non-finite values only
constexpr std::size_t kWatchCapacity = 32;           // points kept per watched key
constexpr std::size_t kMaxCurve = 32;                // val-accuracy curve points kept
constexpr std::size_t kProfileLogBytes = 64 * 1024;  // log text read for profile hints
constexpr std::size_t kMaxOutbox = 4096;             // alerts/resolutions waiting for tick()

// Detector slots: each remembers the signature it raised last, so that the
// condition can be cleared when the detector stops finding it.
enum Slot : std::size_t {
  kNanLoss,
  kNanValLoss,
  kHighLoss,
  kLossSpike,
  kGradNorm,
  kStall,
  kValAccDrop,
  kValLossRegression,
  kRewardDrop,
  kRewardHacking,
  kKlExplosion,
  kEntropy,
  kThroughput,
  kQualityBehind,
  kLossDivergence,
  kValLossDivergence,
  kFrozenLoss,
  kValFrozenLoss,
  kValFrozenMetric,
  kThroughputCollapse,
  kLossMissing,
  kSuccessDrop,
  kSlotCount
};

struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

std::optional<int> rank_from_label(std::string_view label) {
  // "rank3.log", "logs/rank_12.txt", "node0-rank7": the last "rank" followed by digits.
  std::size_t pos = label.rfind("rank");
  while (pos != std::string_view::npos) {
    std::size_t i = pos + 4;
    while (i < label.size() && (label[i] == '_' || label[i] == '-')) ++i;
    std::size_t j = i;
    while (j < label.size() && j - i < 6 && label[j] >= '0' && label[j] <= '9') ++j;
    if (j > i) return std::stoi(std::string(label.substr(i, j - i)));
    if (pos == 0) break;
    pos = label.rfind("rank", pos - 1);
  }
  return std::nullopt;
}

}  // namespace

struct Monitor::Impl {
  struct RoleSlot {
    std::string key;  // bound raw key ("" = unbound)
    int priority = 0;
    std::uint64_t bound_row = 0;
    Series series;
    bool dirty = false;
  };

  MonitorOptions opt;
  KeyMatcher matcher;
  std::array<RoleSlot, kRoleCount> roles;
  // raw key -> role index (-1: no role); the hot path is one lookup per value.
  std::unordered_map<std::string, int, StringHash, std::equal_to<>> key_roles;
  std::vector<std::string> keys_seen;  // the keys of key_roles, in first-seen order (key report)
  ProfileTracker profile;
  Profile profile_value = Profile::kGeneric;
  DedupeBook book;
  Baseline baseline;
  ArrivalClock arrivals;
  // One detector condition: the signature it raised last, the band it must
  // come back into before it may clear, and the decision (to hold it open).
  struct Cond {
    std::string sig;
    std::optional<Band> band;
    std::optional<Decision> last;
  };
  std::array<Cond, kSlotCount> active;
  // A non-finite value of a bound role without a rule of its own for it
  // (throughput, val accuracy, reward, KL, entropy ...): nonfinite_metric.
  std::array<Cond, kRoleCount> role_nonfinite;
  // The missing form of nan_loss: consecutive training rows (with a learning
  // rate or loss scale) that carried the loss, and whether the latest
  // training row left it out.
  std::uint64_t loss_train_rows = 0;
  std::uint64_t loss_rows_before_missing = 0;
  std::size_t loss_row_keys = 0;
  bool loss_missing = false;
  // Keys with a family but no bound role (policy_loss, bbox/AP, lr, a second
  // throughput key ...): watched for non-finite values, quality collapse and
  // throughput collapse.
  struct Watch {
    Series series;
    KeyFamily family = KeyFamily::kNone;
    Cond nonfinite, quality, throughput, frozen, absurd;
    Cond step_rate;  // a time per step judged by its reciprocal (detect_step_time_collapse)
    bool dirty = false;
    bool is_best = false;       // a logged best-so-far ("best test acc")
    bool may_be_clock = false;  // a bare time unit ("s", "ms"): a step time or an elapsed clock
    bool mmcv_time = false;     // mmcv's "time" beside "data_time" (seconds, printed to the millisecond)
    bool clock = false;         // an elapsed wall clock: per_step holds its rise per step
    bool clock_fell = false;    // ... unless it ever fell: then it is no clock (a per-interval time)
    bool plain_loss = false;    // a training-side loss key that names no other quantity (sole_loss)
    bool eval_loss = false;     // ... a validation-side one (a test loss beside the validation loss)
    bool error_rate = false;    // a word/character/token error rate (detect_error_ceiling)
    bool mean_token = false;    // a key that says avg/average/mean (running_mean_of_clock, promote_clocks)
    bool time_token = false;    // a key without a family that says "time" (a clock candidate: promote_clocks)
    bool policy_loss = false;   // a policy-gradient objective: a loss key naming a policy, actor, pg or surrogate
    char pr_part = 0;           // 'p' a precision, 'r' a recall, of a detector or classifier (pr_traded_off)
    bool train_side = false;    // the key has a train token (run_quality)
    bool val_side = false;      // the key has a val/test/dev token (never_scored)
    char gan = 0;               // a loss-family key's GAN side, 'g' or 'd' (gan_side), else 0
    Series per_step;
    Series rate;  // a clock's steps per second over each interval (cumulative_throughput); 1 / a step time
    std::optional<SeriesPoint> tick;  // a clock: where its last interval ended (push_clock)
    bool whole_ticks = true;          // a clock: every value so far a whole number (seconds, minutes: coarse)
    std::string norm;                 // normalized key, without a "best" token
  };
  // Best-so-far values the run logs itself, by the normalized name of the
  // metric they are the best of ("best test acc" -> "test_accuracy").
  std::unordered_map<std::string, double> logged_best;

  static std::string strip_best(const std::string& normalized, bool* had) {
    std::string out;
    std::size_t i = 0;
    *had = false;
    while (i <= normalized.size()) {
      std::size_t j = normalized.find('_', i);
      if (j == std::string::npos) j = normalized.size();
      std::string_view tok(normalized.data() + i, j - i);
      if (tok == "best") {
        *had = true;
      } else if (!tok.empty()) {
        if (!out.empty()) out += '_';
        out += tok;
      }
      i = j + 1;
    }
    return out;
  }

  double known_best(const std::string& norm) const {
    if (logged_best.empty()) return -std::numeric_limits<double>::infinity();
    auto it = logged_best.find(norm);
    return it == logged_best.end() ? -std::numeric_limits<double>::infinity() : it->second;
  }
  std::vector<Watch> watches;
  int train_quality = -1;              // the first quality watch of the training side (Keras' "acc"), -1 none
  int clip_fraction = -1;              // the watch of PPO's clip fraction (clipfrac, clip_fraction), -1 none
  int stop_iter = -1;                  // the watch of PPO's KL early-stop iteration (Spinning Up's StopIter), -1 none
  int work_watch = -1;                 // the watch of a generated length per step (unless_work_explains), -1 none
  int error_rate_watch = -1;           // the first error rate's watch (WER, CER, TER), -1 none
  std::size_t unknown_watches = 0;     // watches of keys without a family
  int precision_watch = -1;            // the first precision's watch (pr_part), -1 none
  int recall_watch = -1;               // the first recall's watch, -1 none
  bool combined_quality = false;       // a quality watch that is no pr_part (mAP, F1, accuracy) was seen
  bool reward_keys = false;            // a key of the reward or KL family was seen
  bool loss_keys = false;              // a key of the loss family was seen
  std::size_t train_loss_watches = 0;  // loss-family watches without a val/test/dev token
  std::unordered_map<std::string, int, StringHash, std::equal_to<>> watch_index;  // raw key -> watches index, -1 none
  std::vector<int> dirty_watches;
  LossSpikeOptions ceiling_only_;  // loss_spike options with only the ceiling rule (watched loss keys)
  FrozenLossOptions val_frozen_;   // frozen_loss for the validation loss: the zero and flat rules only
  IncidentBook incidents;
  std::shared_ptr<const LogScanner> scanner;
  Status log_status;
  std::unordered_map<std::string, LogStream, StringHash, std::equal_to<>> streams;
  detail::RankLines rank_lines;  // per-rank lines of the log sources (the hang that prints no line)
  std::string hang_sig;          // the open rank-progress condition's signature
  std::vector<LogMatch> matches;
  std::size_t profile_log_bytes = 0;
  std::int64_t next_step = 0;
  std::optional<std::int64_t> first_loss_step;  // the first row with a loss-family value
  std::optional<std::int64_t> last_step;
  std::uint64_t rows_since_tick = 0;
  bool rows_have_time = false;
  double last_now = 0.0;
  std::optional<double> first_time;
  double last_snapshot = -std::numeric_limits<double>::infinity();
  bool material = true;
  MonitorStats stats;
  std::string fingerprint;
  std::vector<SeriesPoint> curve;  // best-so-far val accuracy at steps
  std::vector<Alert> outbox;       // surfaced since the last tick()/take()
  std::vector<Resolved> resolved_out;

  explicit Impl(MonitorOptions o)
      : opt(std::move(o)),
        matcher(opt.playbook.roles),
        profile(opt.playbook.profile),
        book(opt.playbook.dedupe, opt.run_id.empty() ? "alert" : opt.run_id, opt.alert_id_nonce),
        incidents(IncidentOptions{},
                  (opt.run_id.empty() ? std::string("run") : DedupeBook::sanitize_id(opt.run_id)) + "-incident"),
        rank_lines(opt.playbook.detectors.rank_progress) {
    ceiling_only_ = opt.playbook.detectors.loss_spike;
    ceiling_only_.early_ratio = 0;
    ceiling_only_.min_points = std::numeric_limits<int>::max() / 2;
    val_frozen_ = opt.playbook.detectors.frozen_loss;
    val_frozen_.points = std::numeric_limits<int>::max() / 2;  // a constant eval loss of a small set is common
    val_frozen_.precise_points = 0;
    val_frozen_.flat_excerpt_tolerance = 0;  // an excerpt's flat eval loss: converged as often as stuck
    std::size_t cap = Series::kDefaultCapacity;
    const auto& d = opt.playbook.detectors;
    cap = std::max<std::size_t>(cap, static_cast<std::size_t>(d.loss_spike.window + d.loss_spike.persistence + 2));
    cap = std::max<std::size_t>(cap, static_cast<std::size_t>(2 * d.high_loss.window + 1));
    cap = std::max<std::size_t>(cap, static_cast<std::size_t>(d.grad_norm.window + d.grad_norm.persistence + 2));
    cap = std::min<std::size_t>(cap, 1 << 16);
    for (std::size_t r = 0; r < kRoleCount; ++r)
      roles[r].series = Series(std::string(to_string(static_cast<Role>(r))), cap);
    if (opt.profile) profile.pin(*opt.profile);
    if (!opt.command.empty()) profile.add(opt.command);
    profile_value = profile.current();
    fingerprint = sidecar::command_fingerprint(opt.command, opt.playbook.history.masks);
    if (opt.baseline) {
      baseline = *opt.baseline;
    } else if (std::string path = history_path(); !path.empty()) {
      if (auto h = read_history(path)) baseline = compute_baseline(h->rows, fingerprint, opt.playbook.history);
    }
    if (opt.scan_logs) {
      auto s = LogScanner::create(opt.playbook.logs);
      if (s)
        scanner = std::move(s).value();
      else
        log_status = s.status();
    }
  }

  std::string history_path() const {
    if (opt.history_path == "-" || !opt.playbook.history.enabled) return {};
    return opt.history_path.empty() ? opt.playbook.history.path : opt.history_path;
  }

  int role_of(std::string_view key) {
    auto it = key_roles.find(key);
    if (it != key_roles.end()) return it->second;
    auto info = matcher.classify(key);
    auto e = info.role;
    int r = e ? static_cast<int>(e->role) : -1;
    // A loss-family key: a stuck quality metric is weighed against a loss
    // (detect_frozen_metric), never judged alone (detect_frozen_metric_alone).
    loss_keys = loss_keys || info.family == KeyFamily::kLoss;
    // A reward, KL or preference key ("kl_loss", "logps/chosen" too): the
    // run may be RL or preference tuning, whose losses sit at 0.0
    // (detect_zero_start).
    const bool unbound_quality = r < 0 && info.family == KeyFamily::kQuality;
    if (!reward_keys || unbound_quality) {
      auto tk = detail::key_tokens(key, true);
      const detail::TokenFlags f = detail::token_flags(tk);
      if (!reward_keys)
        reward_keys = info.family == KeyFamily::kReward || info.family == KeyFamily::kKl || f.kl || f.reward ||
                      detail::has(tk, {"chosen", "rejected", "advantage", "advantages"});
      // fastai's Recorder prints its metrics under their own names beside "train_loss" and "valid_loss"
      // ("accuracy", "f1_score"), computed on the validation set: a bare quality metric first seen after fastai's
      // "valid_loss" is the validation accuracy (r33: unbound, the validation-loss rules could not ask whether it
      // held). Keras' bare "accuracy" is the training one; Keras names its validation loss "val_loss".
      if (unbound_quality && !f.train && !f.val) {
        auto vl = key_roles.find(std::string_view("valid_loss"));
        if (vl != key_roles.end() && vl->second == static_cast<int>(Role::kValLoss))
          r = static_cast<int>(Role::kValAccuracy);
      }
    }
    // A key without a role: -2 - its watch index when it is watched (one
    // lookup per value on the hot path), else -1.
    if (r < 0) {
      if (Watch* w = watch_of(key)) r = -2 - static_cast<int>(w - watches.data());
    }
    if (key_roles.size() < kMaxKeys) {
      key_roles.emplace(std::string(key), r);
      keys_seen.emplace_back(key);
      if (profile.add(key)) on_profile_change();
    }
    return r;
  }

  // role_of(key) for the key at position i of a row: rows repeat their keys
  // in the same order, so the previous row's key there usually answers
  // without a hash lookup. Only keys memoised in key_roles are remembered.
  std::vector<std::pair<std::string, int>> roles_by_position;
  int role_at(std::size_t i, std::string_view key) {
    if (i < roles_by_position.size() && roles_by_position[i].first == key) return roles_by_position[i].second;
    int r = role_of(key);
    if (i < 256 && key_roles.count(key) != 0) {
      if (roles_by_position.size() <= i) roles_by_position.resize(i + 1);
      roles_by_position[i] = {std::string(key), r};
    }
    return r;
  }

  void on_profile_change() {
    profile_value = profile.current();
    material = true;
  }

  // The previous row without a step of its own (keys and values), to tell a
  // reprint of one logging step from a new one (reprint()).
  std::vector<std::string> prev_keys;
  std::vector<double> prev_values;

  // A row without a step that repeats the one before it in every key and
  // value (at least two keys), among them a learning rate printed with
  // precise_digits significant digits or more, is the same logging step
  // printed again: a scheduled learning rate moves at every optimizer step,
  // so an identical full-precision value means no step was taken between the
  // two prints -- a launcher that shows each node's (or rank's) copy of the
  // line (LLaMA-Factory#813: every HF dict four times, once per node, loss
  // 1.8673 x 4, then 0.7744 x 4). It adds no point to any series; a NaN never
  // compares equal, so a non-finite row is always evaluated. A constant
  // learning rate (0.1, 5e-05) or a row without one is no such proof: a
  // frozen loss beside constant keys still counts (Lightning#20344).
  bool reprint(const MetricRow& row) {
    if (row.step) {
      prev_keys.clear();
      prev_values.clear();
      return false;
    }
    const std::size_t n = row.values.size();
    bool same = n >= 2 && n == prev_values.size();
    for (std::size_t i = 0; i < n && same; ++i)
      same = row.values[i].value == prev_values[i] && row.values[i].key == prev_keys[i];
    if (same) {
      const int digits = opt.playbook.detectors.frozen_loss.precise_digits;
      for (const MetricValue& mv : row.values)
        if (mv.value > 0 && matcher.classify(mv.key).family == KeyFamily::kLr &&
            detail::significant_digits(mv.value) >= digits)
          return true;
      return false;
    }
    prev_values.resize(n);
    if (prev_keys.size() != n) prev_keys.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
      prev_values[i] = row.values[i].value;
      if (prev_keys[i] != row.values[i].key) prev_keys[i].assign(row.values[i].key);
    }
    return false;
  }

  void observe(const MetricRow& row) {
    ++stats.rows;
    ++rows_since_tick;
    std::int64_t step = row.step ? *row.step : next_step;
    next_step = step + 1;
    last_step = step;
    if (row.timestamp && std::isfinite(*row.timestamp)) {
      rows_have_time = true;
      arrivals.arrive(*row.timestamp);
      if (!first_time) first_time = *row.timestamp;
    }
    if (reprint(row)) return;  // the same logging step again: nothing new to judge
    std::size_t position = 0;
    bool has_loss = false, any_loss = false, training_row = false;
    for (const MetricValue& mv : row.values) {
      ++stats.values;
      if (!std::isfinite(mv.value)) ++stats.nonfinite_values;
      int r = role_at(position++, mv.key);
      if (r < 0) {
        if (r <= -2) {
          Watch& w = watches[static_cast<std::size_t>(-2 - r)];
          training_row = training_row || w.family == KeyFamily::kLr;
          any_loss = any_loss || w.family == KeyFamily::kLoss;
          push_watch(w, step, mv.value);
        }
        continue;
      }
      training_row = training_row || static_cast<Role>(r) == Role::kLossScale;
      any_loss = any_loss || static_cast<Role>(r) == Role::kLoss || static_cast<Role>(r) == Role::kValLoss;
      RoleSlot& slot = roles[static_cast<std::size_t>(r)];
      if (slot.key.empty()) {
        auto e = matcher.match(mv.key);
        slot.key = std::string(mv.key);
        slot.priority = e ? e->priority : 0;
        slot.bound_row = stats.rows;
        slot.series.set_name(slot.key);
      } else if (slot.key != mv.key) {
        // Another alias of a role already bound: it wins only within the
        // first row, when it is listed earlier (first present key wins).
        // A key that does not bind is still watched by its family.
        auto e = slot.bound_row == stats.rows ? matcher.match(mv.key) : std::nullopt;
        if (!e || e->priority >= slot.priority) {
          push_watch(mv.key, step, mv.value);
          continue;
        }
        slot.key = std::string(mv.key);
        slot.priority = e->priority;
        slot.series.set_name(slot.key);
      }
      slot.series.push(step, mv.value);
      slot.dirty = true;
      if (static_cast<Role>(r) == Role::kValAccuracy) record_curve(step);
      has_loss = has_loss || static_cast<Role>(r) == Role::kLoss;
    }
    if (any_loss && !first_loss_step) first_loss_step = step;
    track_training_row(has_loss, any_loss, training_row, row.values.size());
    // Every row is evaluated where it stands in the input order.
    double now = row.timestamp && std::isfinite(*row.timestamp) ? *row.timestamp : last_now;
    evaluate(now);
    surface(now);
  }

  // The missing form of nan_loss (NanLossOptions::missing_rows).
  // A training row that leaves the loss out carries no other loss either
  // (fairseq's epoch summary has a "train loss") and fewer keys than the
  // training rows that had it, but at least half as many: a trainer that
  // drops a non-finite loss prints the rest of its line (Megatron-LLM#33: 6
  // of 10 keys), while a row with less is another kind of line or a paste
  // cut short (Megatron-LM#449: 'learning rate: 0.0001132' and no more).
  void track_training_row(bool has_loss, bool any_loss, bool training_row, std::size_t keys) {
    if (has_loss) {
      loss_missing = false;
      if (training_row) {
        ++loss_train_rows;
        loss_row_keys = keys;
      }
    } else if (training_row && !any_loss && !loss_missing) {
      loss_missing = bound(Role::kLoss) && loss_train_rows > 0 && keys < loss_row_keys && 2 * keys >= loss_row_keys &&
                     loss_train_rows >= static_cast<std::uint64_t>(opt.playbook.detectors.nan_loss.missing_rows);
      loss_rows_before_missing = loss_train_rows;
      loss_train_rows = 0;
    }
  }

  // One selection: at most one new alert per evaluation; losers stay pending.
  void surface(double now) {
    ++stats.evaluations;
    if (auto a = book.select(now)) {  // every evaluation: the book counts them (recur_ticks)
      a->run_id = opt.run_id;
      file_incident(*a, now);
      ++stats.alerts;
      if (a->decision.severity == Severity::kCritical) ++stats.critical_alerts;
      material = true;
      push_bounded(outbox, std::move(*a));
    }
    take_resolved_from_book();
  }

  // Every surfaced decision is an event of an incident (evidence "incident");
  // "notify" says whether it is one of the incident's (at most two)
  // notifications: "opened", "escalated" or "no". An incident a condition
  // opened past IncidentOptions::max_recurrences opens without one, and says
  // which episode of that condition it is (evidence "recurrence").
  void file_incident(Alert& a, double now) {
    bool event = a.decision.source == Source::kLogwatch || a.decision.source == Source::kPreflight ||
                 a.decision.source == Source::kJudge;
    IncidentBook::Placement p = incidents.add(a.decision, now, event);
    a.decision.evidence.emplace_back("incident", p.incident_id);
    a.decision.evidence.emplace_back("notify", p.notify == IncidentBook::Notify::kOpened      ? "opened"
                                               : p.notify == IncidentBook::Notify::kEscalated ? "escalated"
                                                                                              : "no");
    if (p.quiet_recurrence) a.decision.evidence.emplace_back("recurrence", std::to_string(p.recurrence));
  }

  void take_resolved_from_book() {
    auto res = book.take_resolved();
    if (res.empty()) return;
    material = true;
    stats.resolved += res.size();
    for (auto& r : res) {
      incidents.resolve(r.signature, r.ts);
      push_bounded(resolved_out, std::move(r));
    }
  }

  // The outbox is bounded (a caller that never ticks cannot grow it without
  // end): past kMaxOutbox the oldest entries are dropped and counted.
  template <class T>
  void push_bounded(std::vector<T>& v, T item) {
    if (v.size() >= kMaxOutbox) {
      v.erase(v.begin());
      ++stats.dropped_outputs;
    }
    v.push_back(std::move(item));
  }

  TickResult take_output() {
    TickResult out;
    out.alerts.swap(outbox);
    out.resolved.swap(resolved_out);
    stats.suppressed = book.suppressed();
    return out;
  }

  void record_curve(std::int64_t step) {
    auto best = roles[static_cast<std::size_t>(Role::kValAccuracy)].series.max();
    if (!best) return;
    if (!curve.empty() && curve.back().step == step) {
      curve.back().value = *best;
      return;
    }
    curve.push_back({step, *best});
    if (curve.size() > kMaxCurve) {  // halve the resolution, keep the newest point
      std::vector<SeriesPoint> half;
      for (std::size_t i = 0; i < curve.size(); i += 2) half.push_back(curve[i]);
      if (half.back().step != curve.back().step) half.push_back(curve.back());
      curve.swap(half);
    }
  }

  // Open until recovered: a condition whose detector no longer finds it
  // still holds while its series is non-finite (a NaN never counts as
  // recovery) or outside the band the decision carried; only then do the
  // dedupe's clean evaluations count towards its resolution.
  void apply(Cond& c, std::optional<Decision>&& d, double now, const Series* s) {
    if (!d && c.sig.empty()) return;  // the common case: nothing found, nothing open
    if (d) {
      if (!c.sig.empty() && c.sig != d->signature) book.clear(c.sig, now);
      c.sig = d->signature;
      c.band = band_of(*d);
      c.last = *d;
      book.raise(std::move(*d), now);
      return;
    }
    if (c.sig.empty()) return;
    if (s && !s->empty() && c.last) {
      double v = s->back().value;
      if (!std::isfinite(v) || (c.band && !c.band->contains(v))) {
        book.raise(*c.last, now);  // still holds (suppressed within the TTL)
        return;
      }
    }
    if (book.clear(c.sig, now)) {
      c.sig.clear();
      c.band.reset();
      c.last.reset();
    }
  }
  void apply(Slot s, std::optional<Decision>&& d, double now, const Series* series_of = nullptr) {
    apply(active[s], std::move(d), now, series_of);
  }

  // The mean length of what the policy generates in each step, as RL on language models logs it: TRL's
  // completions/mean_length, verl's response_length/mean, OpenRLHF's response_length. Not its minimum, maximum,
  // spread or clipped share.
  static bool is_generated_length(const std::vector<std::string>& tk) {
    return detail::has(tk, {"completion", "completions", "response", "responses", "generation", "generated"}) &&
           detail::has(tk, {"length", "len", "tokens"}) &&
           !detail::has(tk, {"min", "max", "std", "clip", "clipped", "ratio", "frac", "terminated"});
  }

  // PPO's clip fraction, however spelled: SB3's train/clip_fraction, CleanRL's clipfrac, the RL-baselines' ClipFrac,
  // TRL's policy/clipfrac.
  static bool is_clip_fraction_key(std::string_view key) {
    std::string k;
    for (char c : key)
      if (std::isalnum(static_cast<unsigned char>(c)))
        k += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return k.find("clipfrac") != std::string::npos;
  }

  // The watch of a key that binds no role (or whose role is bound to another
  // key), created on first sight while there is room; nullptr otherwise.
  Watch* watch_of(std::string_view key) {
    auto it = watch_index.find(key);
    if (it != watch_index.end()) return it->second >= 0 ? &watches[static_cast<std::size_t>(it->second)] : nullptr;
    int idx = -1;
    KeyFamily fam = matcher.classify(key).family;
    // A key without a family (Marian's "Cost", an "epoch" counter) is still
    // watched for a non-finite value after finite ones (issue 16: at least a
    // warning), within a budget of its own so that unknown keys never crowd
    // out the ones with a family.
    bool room =
        fam != KeyFamily::kNone ? watches.size() - unknown_watches < kMaxWatches : unknown_watches < kMaxUnknownWatches;
    if (room) {
      unknown_watches += fam == KeyFamily::kNone ? 1 : 0;
      idx = static_cast<int>(watches.size());
      Watch w;
      w.series = Series(std::string(key), kWatchCapacity);
      w.family = fam;
      if (fam != KeyFamily::kNone) w.norm = strip_best(normalize_key(key), &w.is_best);
      w.may_be_clock = fam == KeyFamily::kStepTime && is_bare_time_key(key);
      w.clock = fam == KeyFamily::kNone && is_elapsed_clock_key(key);
      const auto tk = detail::key_tokens(key, true);
      const detail::TokenFlags f = detail::token_flags(tk);
      w.train_side = f.train;
      w.val_side = f.val;
      w.time_token = fam == KeyFamily::kNone && !w.clock && detail::has(tk, {"time"});
      w.error_rate = fam == KeyFamily::kNone && detail::has(tk, {"wer", "cer", "ter"});
      if (fam == KeyFamily::kLoss) {
        w.gan = gan_side(key);
        // A loss key that names no other quantity: plain_loss on the training
        // side, eval_loss on the validation side.
        const bool plain = !f.not_metric && !f.kl && !f.entropy && !f.reward &&
                           !detail::has(tk, {"perplexity", "ppl", "policy", "value", "critic", "actor"});
        if (!f.val) ++train_loss_watches;
        (f.val ? w.eval_loss : w.plain_loss) = plain;
        w.policy_loss = detail::has(tk, {"policy", "actor", "pg", "surrogate"});
      }
      if (w.clock) {
        w.per_step = Series(std::string(key) + " per step", kWatchCapacity);
        w.rate = Series("steps per second (from " + std::string(key) + ")", kWatchCapacity);
      }
      w.mean_token = detail::has(tk, {"avg", "average", "mean"});
      if (fam == KeyFamily::kStepTime) w.rate = step_rate_series(key);
      if (fam == KeyFamily::kQuality) {
        const bool precision = detail::has(tk, {"precision", "prec"}), recall = detail::has(tk, {"recall"});
        w.pr_part = precision == recall ? 0 : precision ? 'p' : 'r';
        int& first = precision ? precision_watch : recall_watch;
        if (w.pr_part && first < 0) first = idx;
        combined_quality = combined_quality || !w.pr_part;
      }
      if (fam == KeyFamily::kQuality && !w.is_best && train_quality < 0 && !f.val)
        train_quality = idx;  // the first quality key of the training side
      if (clip_fraction < 0 && is_clip_fraction_key(key)) clip_fraction = idx;
      if (stop_iter < 0 && fam == KeyFamily::kNone && tk.size() == 2 && tk[0] == "stop" &&
          detail::one_of(tk[1], {"iter", "iters", "iteration"}))
        stop_iter = idx;
      if (work_watch < 0 && fam == KeyFamily::kNone && is_generated_length(tk)) work_watch = idx;
      if (error_rate_watch < 0 && w.error_rate) error_rate_watch = idx;
      watches.push_back(std::move(w));
    }
    if (watch_index.size() < kMaxKeys) watch_index.emplace(std::string(key), idx);
    if (plain_time_key(key) || key == "data_time") pair_iter_time();
    return idx >= 0 ? &watches[static_cast<std::size_t>(idx)] : nullptr;
  }

  // A plain "time" under 1e6 (the parser delivers it as a metric then, and
  // as the row's timestamp) is judged as a step's duration, like a bare time
  // unit (detect_step_time_growth's may_be_clock: it must fall once before a
  // rise counts). A timestamp, a time since the start and a running total
  // never fall; a value that does is a duration: mmcv's and mmengine's
  // logger print "time: 0.828, data_time: 0.050" per iteration (mmaction#199),
  // lit-llama "iter 56: loss 2.6219, time: 24229.89ms" (lit-llama#257: 1.1-8.4
  // s per iteration, then 24-73 s with the RAM full). Only while its minimum
  // is at least kMmcvTimeFloor: mmcv prints it rounded to the millisecond, so
  // a toy model's 0.002 -> 0.005 s is three print steps of noise, not a
  // slowdown (mmengine#155). Runs once per key, when either is first seen.
  // "Time" and "TIME" likewise: PyTorch's ImageNet example and its many
  // forks print 'Time 7.259 (3.650)  Data 0.003 (0.004)' per iteration, the
  // batch time beside the data time (pytorch#2769: an LSTM whose iterations
  // grow from 7.2-7.8 s to 12.5-13 s as it keeps its graph).
  static constexpr double kMmcvTimeFloor = 0.01;  // 10 print steps of 1 ms
  static constexpr std::string_view kPlainTimeKeys[] = {"time", "Time", "TIME"};
  static bool plain_time_key(std::string_view k) {
    return std::find(std::begin(kPlainTimeKeys), std::end(kPlainTimeKeys), k) != std::end(kPlainTimeKeys);
  }
  void pair_iter_time() {
    for (std::string_view name : kPlainTimeKeys) {
      auto t = watch_index.find(name);
      if (t == watch_index.end() || t->second < 0) continue;
      Watch& w = watches[static_cast<std::size_t>(t->second)];
      if (w.family != KeyFamily::kNone) continue;
      --unknown_watches;  // now a watch with a family
      w.family = KeyFamily::kStepTime;
      w.may_be_clock = true;
      w.mmcv_time = true;
      w.rate = step_rate_series(name);
      for (std::size_t i = w.series.size(); i-- > 0;) push_step_rate(w, w.series.from_back(i));
    }
  }

  // The reciprocal of a time per step, one point per finite positive time.
  static Series step_rate_series(std::string_view key) { return Series("1/" + std::string(key), kWatchCapacity); }
  static void push_step_rate(Watch& w, const SeriesPoint& p) {
    if (std::isfinite(p.value) && p.value > 0) w.rate.push(p.step, 1.0 / p.value);
  }

  void push_watch(std::string_view key, std::int64_t step, double value) {
    if (Watch* w = watch_of(key)) push_watch(*w, step, value);
  }
  void push_watch(Watch& watch, std::int64_t step, double value) {
    Watch* w = &watch;
    if (w->is_best) {  // a reference for its metric, not a metric to judge
      if (std::isfinite(value)) {
        auto [it, fresh] = logged_best.emplace(w->norm, value);
        if (!fresh) it->second = std::max(it->second, value);
      }
      if (std::isfinite(value) || w->series.finite_count() == 0) return;
    }
    if (w->clock) push_clock(*w, step, value);
    w->series.push(step, value);
    if (w->family == KeyFamily::kStepTime) push_step_rate(*w, w->series.back());
    // Families judged only for non-finite values cost one push per row
    // while healthy: evaluated when the value is not finite or a condition is open.
    bool judged = w->family == KeyFamily::kLoss || w->family == KeyFamily::kQuality ||
                  w->family == KeyFamily::kThroughput || w->family == KeyFamily::kStepTime ||
                  w->family == KeyFamily::kEta || w->clock || w->error_rate;
    if (!judged && std::isfinite(value) && w->nonfinite.sig.empty()) return;
    if (!w->dirty) {
      w->dirty = true;
      dirty_watches.push_back(static_cast<int>(w - watches.data()));
    }
  }

  // An elapsed clock's rise per step since its previous value (a repeated
  // step adds no point). A clock never falls: a key named "elapsed" that
  // does is a time per log interval (or a restarted run) and is judged no
  // more, so the noise of a per-interval time never reads as a slowdown.
  // A clock printed in whole units (SB3's time/time_elapsed, in seconds) is read over intervals of at least
  // kCoarseTicks units, from the row where the last interval ended: a row-to-row reading of a one-second tick
  // between rows 0.3 s apart says 3 steps/s where the run makes 11 (r40: an SB3 DQN's "collapse" 4.5 -> 1). Over
  // ten units a reading is within 10 % of the true rate, under the slowdown rules' bars even when the reference
  // reading errs the other way.
  static constexpr double kCoarseTicks = 10.0;
  static void push_clock(Watch& w, std::int64_t step, double value) {
    if (!std::isfinite(value)) return;
    w.whole_ticks = w.whole_ticks && value == std::floor(value);
    if (w.series.empty()) {
      w.tick = SeriesPoint{step, value};
      return;
    }
    const SeriesPoint& prev = w.series.back();
    if (!std::isfinite(prev.value) || step <= prev.step) return;
    if (value < prev.value) w.clock_fell = true;
    if (w.clock_fell) return;
    if (!w.tick || !std::isfinite(w.tick->value) || w.tick->step >= step) w.tick = prev;
    const double rise = value - w.tick->value;
    if (w.whole_ticks ? rise < kCoarseTicks : rise < 0) return;
    const auto steps = static_cast<double>(step - w.tick->step);
    w.per_step.push(step, rise / steps);
    if (rise > 0) w.rate.push(step, steps / rise);
    w.tick = {step, value};
  }

  void evaluate_watches(double now) {
    const DetectorOptions& d = opt.playbook.detectors;
    for (int i : dirty_watches) {
      Watch& w = watches[static_cast<std::size_t>(i)];
      w.dirty = false;
      const Series& s = w.series;
      if (w.family == KeyFamily::kLoss) {
        apply(w.nonfinite, detect_nan_loss(s, d.nan_loss), now, &s);
        // Other loss-family keys (component losses are spiky): the ceiling only. Not a policy-gradient objective under
        // reinforcement learning: an advantage-weighted ratio around 0 has no scale to exceed (SB3's
        // policy_gradient_loss 0.00014 then 0.0087, a GRPO actor loss 0.0005 then 1.78 for two steps; healthy).
        if (std::isfinite(s.back().value) && !(w.policy_loss && rl()))
          apply(w.quality, detect_loss_spike(s, ceiling_only_), now, &s);
        // ... and the absurd level (a perplexity pinned at exp(100), a component loss at 1e20), or a loss three orders
        // of magnitude over where it started (a DDPG critic's Q-values running away).
        if (std::isfinite(s.back().value) || !w.absurd.sig.empty()) {
          auto a = detect_absurd_loss(s, d.loss_divergence);
          if (!a) a = detect_runaway_loss(s, d.loss_divergence);
          apply(w.absurd, std::move(a), now, &s);
        }
        // The run's only training-side loss key, one no alias or token rule
        // takes for the loss ("MultiLogisticLoss", Julia's "Current loss
        // is"), is the loss as far as the frozen rules go.
        const bool sole = sole_loss(w);
        // Any loss-family key at exactly 0 beside a perfect score is a head
        // with nothing to learn (detect_zero_perfect), the sole loss or not;
        // a GAN side's loss at exactly 0 beside its opponent's is a dead game.
        auto perfect = zero_perfect(s, d.frozen_loss);
        if (!perfect) perfect = adversarial_zero(w, d.frozen_loss);
        if (sole || perfect || w.eval_loss || !w.frozen.sig.empty())
          apply(w.frozen,
                perfect                                 ? std::move(perfect)
                : sole && std::isfinite(s.back().value) ? detect_frozen_loss_in(s, d.frozen_loss, reward_run())
                : w.eval_loss && bound(Role::kValLoss)  ? detect_frozen_eval(s, series(Role::kValLoss), d.frozen_loss)
                                                        : std::nullopt,
                now, &s);
      } else
        apply(w.nonfinite, detect_nonfinite_metric(s, d.nonfinite_metric), now, &s);
      if (w.error_rate && !rl())
        apply(w.frozen, detect_error_ceiling(s, bound(Role::kLoss) ? &series(Role::kLoss) : nullptr, d.frozen_loss),
              now, &s);
      if (w.family == KeyFamily::kQuality && !w.is_best) {
        apply(w.quality,
              pr_traded_off(w)
                  ? std::nullopt
                  : unless_lr_rose(detect_val_acc_drop(s, d.validation_drop, "quality_drop", known_best(w.norm))),
              now, &s);
        apply(w.frozen, frozen_metric(s), now, &s);
      } else if (w.family == KeyFamily::kThroughput && !w.val_side)
        // Not an evaluation's speed (the HF Trainer's eval_samples_per_second): it moves with what each evaluation
        // does and with what shares the host then (r34: a DistilBERT's evaluations 38 s, then 1050 s at one of
        // them, while training ran on at its pace), not with the training loop's; a stall stops the training rows.
        apply(w.throughput, detect_throughput_slowdown(s, d.throughput_collapse, learning_start_possible(s)), now, &s);
      else if (w.family == KeyFamily::kStepTime) {
        // Two rules, one slowdown at a time: the growth rule (each step
        // slower than the last), and a time that jumped to a new level and
        // stays there, judged by its reciprocal; a bare unit ("s", mmcv's
        // "time") by the latter only once it fell somewhere (a clock never
        // falls, its reciprocal always does).
        const bool coarse = w.mmcv_time && !(s.min().value_or(0.0) >= kMmcvTimeFloor);
        if (!running_mean_of_clock(w))
          judge_step_times(w, s, &s, !coarse, w.may_be_clock, !coarse && (!w.may_be_clock || detail::fell_once(s)),
                           now);
      } else if (w.family == KeyFamily::kEta)
        apply(w.throughput, detect_eta_growth(s, d.throughput_collapse), now, &s);
      else if (w.clock && !w.per_step.empty())
        // The same two rules on the clock's rise per step (its rate is the reciprocal: stat453's VGG-16 notebook,
        // 1.2 min per epoch, then 2.15 from epoch 18, is the level rule's); not the growth rule across an RL
        // learner's start, whose steps slow as its replay buffer fills (an SB3 DQN on Breakout: 11.1 steps/s in the
        // interval that starts learning, easing to 7.4 over five more, then steady; r26), as for a throughput
        judge_step_times(w, w.per_step, w.clock_fell ? nullptr : &w.per_step,
                         !w.clock_fell && !learning_start_possible(w.series), false, !w.clock_fell, now);
    }
    dirty_watches.clear();
  }

  // A time per step's two slowdown rules, one slowdown at a time: `growth` (each step slower than the last, on
  // `times`; an open one recovers on `recovery`) and `level` (a time that jumped to a new level and stays there,
  // judged by its reciprocal, w.rate).
  void judge_step_times(Watch& w, const Series& times, const Series* recovery, bool growth, bool may_be_clock,
                        bool level, double now) {
    const ThroughputCollapseOptions& o = opt.playbook.detectors.throughput_collapse;
    const bool rate_open = !w.step_rate.sig.empty();
    apply(w.throughput,
          growth && !(rate_open && w.throughput.sig.empty())
              ? unless_work_explains(detect_step_time_growth(times, o, may_be_clock), times)
              : std::nullopt,
          now, recovery);
    apply(w.step_rate,
          level && w.throughput.sig.empty()
              ? unless_work_explains(detect_step_time_collapse(w.rate, times.name(), o), times)
              : std::nullopt,
          now, &w.rate);
  }

  // Whether a time per step is an average since the start ("AVG Time Per Epoch" of Spinning Up's logger and its
  // forks): on each of the last kCumulativeRows rows it is another key's value over the step (or step + 1), that
  // key a clock of seconds since the start (one that never fell; Spinning Up's "Time"). Such a mean lags and creeps
  // up for ever after a fast first epoch (an off-policy learner's random steps before its first update: 33 s, then
  // 42-48 s, averaging 33, 37, 40, 42, 43 ...), so the slowdown rules leave it alone; the clock is judged by its rise
  // per step when its key names one (`elapsed`, `wall`), and a plain "Time" is not (known false negative: a real
  // slowdown of such a run, which its average shows late and diluted).
  bool running_mean_of_clock(const Watch& w) const {
    return w.mean_token && watch_related_on_last_rows(
                               w.series, [](const Watch& c) { return !detail::fell_once(c.series); },
                               [](const SeriesPoint& p, const SeriesPoint& q) { return mean_per_step(p, q.value); });
  }

  // Whether `mean` is `clock` over its step (or step + 1, a count from 0), within 1 %.
  static bool mean_per_step(const SeriesPoint& mean, double clock) {
    const auto near = [&](double n) { return n > 0 && std::fabs(mean.value - clock / n) <= 0.01 * mean.value; };
    return mean.step >= 0 && mean.value > 0 && std::isfinite(mean.value) &&
           (near(static_cast<double>(mean.step)) || near(static_cast<double>(mean.step) + 1.0));
  }

  // The clock watch whose steps per second the throughput is, cumulatively (its step count over the elapsed
  // clock logged beside it, on each of the last kCumulativeRows rows), else null: SB3's time/fps =
  // num_timesteps / time_elapsed (a DQN's 268, 20, 14, 12 ... 8 frames/s is 8356/31 s, 16675/799 s, ...
  // 413666/46273 s: a learning start, then an average still catching up while the speed of each interval
  // stays at 8-11). Such a series lags, and decays for ever after a fast start; the throughput rules judge
  // the speed of each interval (the clock's rate) instead.
  const Watch* cumulative_throughput() const {
    return watch_related_on_last_rows(
        series(Role::kThroughput), [](const Watch& c) { return c.clock && !c.clock_fell && !c.rate.empty(); },
        [](const SeriesPoint& p, const SeriesPoint& clock) {
          return p.step > 0 && clock.value > 0 && std::isfinite(p.value) &&
                 std::fabs(p.value - static_cast<double>(p.step) / clock.value) <= std::max(1.0, 0.03 * p.value);
        });
  }

  // The first other watch c that `candidate` admits and for which `related(p, q)` holds on each of the last
  // kCumulativeRows points p of `s` with q the point of c at p's step, else null: a series derived from another
  // key row by row (an average of a clock, a count over a clock) is told by the relation holding for a while.
  static constexpr std::size_t kCumulativeRows = 3;
  template <class Candidate, class Related>
  const Watch* watch_related_on_last_rows(const Series& s, Candidate candidate, Related related) const {
    if (s.size() < kCumulativeRows) return nullptr;
    for (const Watch& c : watches) {
      if (&c.series == &s || c.series.size() < kCumulativeRows || !candidate(c)) continue;
      bool all = true;
      for (std::size_t i = 0, j = 0; i < kCumulativeRows && all; ++i) {
        const SeriesPoint& p = s.from_back(i);
        const SeriesPoint* q = detail::point_at(c.series, p.step, &j);
        all = q && related(p, *q);
      }
      if (all) return &c;
    }
    return nullptr;
  }

  // An RL run's throughput steps down once when learning starts (throughput.h).
  bool rl() const { return profile_value == Profile::kReinforcementLearning; }
  // ... unless it logged a loss from the throughput's first row on: it was
  // learning all along, so a step down is no learning start (dotaclient#15: a
  // PPO optimizer's loss on every steps_per_s row, 805 -> 242 -> 141 while
  // its rollout pods were preempted; a DQN filling its replay buffer logs no
  // loss yet, Deep-RL-Hands-On#80).
  bool learning_start_possible(const Series& tp) const {
    if (!rl()) return false;
    if (!first_loss_step || tp.empty() || tp.count() != tp.size()) return true;
    return *first_loss_step > tp.from_back(tp.size() - 1).step;
  }
  // Reinforcement learning, or a run that logs a reward, KL or preference
  // key: its losses may sit at a print step from zero (detect_frozen_loss).
  bool reward_run() const { return rl() || reward_keys; }
  // Under the RL profile the loss chases moving targets: a TD loss or an actor-critic total (its value loss) grows
  // with the returns as the policy improves and jumps as the target network or the data move (SB3 PPO's `loss`
  // 0.704, then 2.93 .. 10.2 over six updates of a healthy fighting-game run; an SB3 DQN's 0.0002 -> 0.00074 at one
  // update; r26). Its rises and spikes against its own recent values (divergence's fast, slow, creep, step and
  // settle; loss_spike's early_ratio and robust_z) say nothing there; the overwhelming rules (absurd, blowup, hold at
  // 5x, jump, above chance; the spike's ceiling at 10x anything seen) still do, and the reward rules judge the policy.
  // The overwhelming rules' references are no level while they lie in the loss's first kRlLossWarmup values: a
  // value-based learner's first TD errors, right after its learning starts, measure a critic that predicts ~0 against
  // rewards near 0 (r28: an SB3 DQN on Breakout, loss 2.8e-05, 0.000107, 9.2e-05, then 0.00122 at its fourth update
  // and 0.0003-0.004 for the rest of a run whose reward rises from 2 to 21: no ceiling over its first three values,
  // and no hold or jump over a minimum among its first five).
  static constexpr std::size_t kRlLossWarmup = 5;
  std::optional<Decision> rl_moving_target(std::optional<Decision> d, const Series& loss) const {
    if (!d || !rl()) return d;
    const std::string* rule = evidence_get(d->evidence, "rule");
    if (rule && (*rule == "fast" || *rule == "slow" || *rule == "creep" || *rule == "step" || *rule == "settle" ||
                 *rule == "early_ratio" || *rule == "robust_z" || *rule == "above_chance"))
      return std::nullopt;
    if (rule && *rule == "ceiling" && loss.count() <= kRlLossWarmup) return std::nullopt;
    const auto steps = loss.initial_steps();  // hold and jump measure against the run's minimum (their min_step)
    if (rule && (*rule == "hold" || *rule == "jump") && steps.size() >= kRlLossWarmup &&
        loss.argmin_step() <= steps[kRlLossWarmup - 1])
      return std::nullopt;
    if (rule && (*rule == "hold" || *rule == "jump") && reward_rose_since(loss.argmin_step())) return std::nullopt;
    return d;
  }
  // The reward's last kRewardLevel values all above where it stood at `step` (its latest value at or before it; its
  // first when it starts later): the returns grew since then, and a value or TD loss regresses onto the returns, so
  // its level follows them up (r42: an SB3 PPO's total loss 0.024 -> 2.1 as the episode reward climbs back to 1000;
  // a tf-agents DQN's loss 822 -> 5e4 while its return rises 9 -> 200). A policy that gets worse while its loss
  // jumps still fires (a TD loss to 5e8 while the reward falls 90 -> 9).
  static constexpr std::size_t kRewardLevel = 3;
  bool reward_rose_since(std::int64_t step) const {
    if (!bound(Role::kReward)) return false;
    const Series& r = series(Role::kReward);
    if (r.size() < kRewardLevel + 1) return false;
    const SeriesPoint& first = r.from_back(r.size() - 1);
    const double then = first.step <= step ? detail::value_at(r, step) : first.value;
    for (std::size_t i = 0; i < kRewardLevel; ++i)
      if (!(r.from_back(i).value > then) || r.from_back(i).step <= step) return false;
    return true;
  }
  // A logged learning rate so small no weight can move (<= kNegligibleLr, 0 included): the first steps of a warm-up
  // from ~0 (tinygrad's Llama 3 8B at LR 1e-12 .. 5e-12: loss 11.875 on nine of ten steps), or a schedule's end. A
  // loss that does not change then is the schedule's doing, not a frozen model.
  bool lr_negligible() const {
    constexpr double kNegligibleLr = 1e-8;
    for (const Watch& w : watches)
      if (w.family == KeyFamily::kLr && !w.series.empty() && w.series.back().value >= 0 &&
          w.series.back().value <= kNegligibleLr)
        return true;
    return false;
  }
  // A learning rate still warming up from near 0: each of its last kWarmupRows values above the one before, the
  // first of them at most kWarmupFrom. The weights have hardly moved yet, so a loss that sits where it started is the
  // schedule's doing (r43: TinyLlama's DPO, loss 0.6931 = ln 2 by construction while the learning rate climbs
  // 1.7e-9 -> 6.9e-8 over its first five logged steps). A model that stays frozen is judged once the warm-up ends.
  static constexpr std::size_t kWarmupRows = 5;
  static constexpr double kWarmupFrom = 1e-6;
  bool lr_warming_up() const {
    for (const Watch& w : watches) {
      if (w.family != KeyFamily::kLr || w.series.size() < kWarmupRows) continue;
      bool rising = w.series.from_back(kWarmupRows - 1).value <= kWarmupFrom;
      for (std::size_t i = 0; i + 1 < kWarmupRows && rising; ++i)
        rising = w.series.from_back(i).value > w.series.from_back(i + 1).value;
      if (rising) return true;
    }
    return false;
  }
  // A KL-regularised policy objective that has stayed within +-kKlScaledLoss (GRPO's: beta x KL plus a clipped
  // advantage term near 0 with group-normalised advantages, 1e-6 .. 0.03 in unsloth's notebooks): its jumps are the
  // KL's, which kl_explosion judges on the KL itself; the spike rules read a 0.0001 -> 0.0014 step as 14x.
  bool kl_scaled_loss(const Series& loss) const {
    constexpr double kKlScaledLoss = 0.1;
    return rl() && bound(Role::kKl) && loss.min() && loss.max() && *loss.min() > -kKlScaledLoss &&
           *loss.max() < kKlScaledLoss;
  }
  const Series& series(Role r) const { return roles[static_cast<std::size_t>(r)].series; }
  bool dirty(Role r) const { return roles[static_cast<std::size_t>(r)].dirty; }
  bool bound(Role r) const { return !roles[static_cast<std::size_t>(r)].key.empty(); }

  // A quality drop from a best set before the learning rate rose to over kLrRise x its value then: a warm-up that
  // is still ramping up, or a warm restart, shakes a model that had already scored well (a fine-tuned YOLO's
  // mAP50 0.86 at epoch 2, 0.17 at epoch 5 as its warm-up takes the LR from 0.0006 to 0.0015, 0.79 by epoch 9;
  // r37). The schedule's doing: the drop is judged again once the LR is back under that bar. Any LR key of the
  // run (one per parameter group) counts; its value at the best is the latest retained at or before that step.
  static constexpr double kLrRise = 1.5;
  std::optional<Decision> unless_lr_rose(std::optional<Decision> d) const {
    const std::string* best_step = d ? evidence_get(d->evidence, "best_step") : nullptr;
    if (!best_step) return d;
    std::int64_t at = 0;
    if (std::from_chars(best_step->data(), best_step->data() + best_step->size(), at).ec != std::errc()) return d;
    for (const Watch& w : watches) {
      if (w.family != KeyFamily::kLr || w.series.empty()) continue;
      const double now = w.series.back().value, then = detail::value_at(w.series, at);  // NaN when none retained
      if (std::isfinite(now) && then > 0 && now > kLrRise * then) return std::nullopt;
    }
    return d;
  }

  // A step time that follows the work each step does: RL on a language model generates its answers inside the
  // step, and the step takes longer as they grow (TRL GRPO runs, r32 and r37: step_time 1.3 s while the policy
  // answers in 3 tokens, 4.3 s at 340). Such a slowdown waits while the run logs a generated length (work_watch) and
  // the time now is within kWorkExplains x what a straight line through the earlier (length, time) pairs gives for
  // the length now, the line rising with the length (correlation at least kWorkCorrelation, over at least
  // kWorkPairs pairs). A step time that rises while the length holds is judged as before. Known false negative: a
  // real slowdown that comes while the answers grow by as much.
  static constexpr double kWorkExplains = 1.25;
  static constexpr double kWorkCorrelation = 0.8;
  static constexpr std::size_t kWorkPairs = 5;
  std::optional<Decision> unless_work_explains(std::optional<Decision> d, const Series& times) const {
    if (!d || work_watch < 0 || times.empty()) return d;
    const Series& work = watches[static_cast<std::size_t>(work_watch)].series;
    // (length, time) at the steps both logged, newest first; the first is the time judged now.
    double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
    std::size_t n = 0;
    std::optional<std::pair<double, double>> latest;
    for (std::size_t i = 0, j = 0; i < times.size() && j < work.size();) {
      const SeriesPoint &t = times.from_back(i), &x = work.from_back(j);
      if (t.step != x.step) {
        (t.step > x.step ? i : j) += 1;
        continue;
      }
      ++i, ++j;
      if (!std::isfinite(t.value) || !std::isfinite(x.value)) continue;
      if (!latest) {
        latest.emplace(x.value, t.value);
        continue;
      }
      sx += x.value, sy += t.value, sxx += x.value * x.value, syy += t.value * t.value, sxy += x.value * t.value;
      ++n;
    }
    if (!latest || n < kWorkPairs || times.back().step != work.back().step) return d;
    const double k = static_cast<double>(n);
    const double vx = sxx - sx * sx / k, vy = syy - sy * sy / k, cxy = sxy - sx * sy / k;
    if (!(vx > 0) || !(vy > 0) || !(cxy > 0) || cxy / std::sqrt(vx * vy) < kWorkCorrelation) return d;
    const double slope = cxy / vx, predicted = (sy - slope * sx) / k + slope * latest->first;
    return predicted > 0 && latest->second <= kWorkExplains * predicted ? std::nullopt : d;
  }

  // The run's quality metric on held-out data (higher is better): the validation accuracy role, else the first
  // quality key that names no training side, is no precision or recall alone and no logged best-so-far (HF's
  // evaluation table prints a bare "Accuracy" beside "Validation Loss"); null when it logs none. A training accuracy
  // rises while a model over-fits, so it never speaks for the validation side.
  const Series* run_quality() const {
    if (bound(Role::kValAccuracy)) return &series(Role::kValAccuracy);
    for (const Watch& w : watches)
      if (w.family == KeyFamily::kQuality && !w.is_best && !w.pr_part && !w.train_side && !w.series.empty())
        return &w.series;
    return nullptr;
  }
  // A loss that rises gently while the run's quality metric, measured since the loss's minimum, is at its best (within
  // kQualityHeld of it): the model is getting better at its task. A fine-tuned classifier's evaluation loss climbs as
  // it grows confident on the examples it gets wrong while its accuracy and F1 still rise (r39: a DistilBERT's
  // validation loss 2.1 -> 5.8 as its accuracy goes 0.21 -> 0.40; r40: an NER model's eval loss 0.51 -> 1.23, F1
  // rising), and a speech model's noisy batch loss settles higher while its WER keeps falling (r32). The gentle rules
  // (slow, creep, settle, step) wait for the quality metric; on a validation-side loss the fast, hold and jump rules
  // too. The overwhelming ones (absurd, blowup, runaway) and a NaN do not. The metric: run_quality(), else an error
  // rate (lower is better); an accuracy holds within its validation set's sampling spread too (sampling_tolerance).
  static constexpr double kQualityHeld = 0.01;
  std::optional<Decision> unless_quality_holds(std::optional<Decision> d, const Series& loss,
                                               bool val_role = false) const {
    const std::string* rule = d ? evidence_get(d->evidence, "rule") : nullptr;
    if (!rule) return d;
    const bool gentle = *rule == "slow" || *rule == "creep" || *rule == "settle" || *rule == "step";
    const bool val_side = val_role || detail::token_flags(detail::key_tokens(loss.name(), true)).val;
    if (!gentle && !(val_side && (*rule == "fast" || *rule == "hold" || *rule == "jump"))) return d;
    const Series* q = run_quality();
    const bool higher_better = q != nullptr;
    if (!q && error_rate_watch >= 0) q = &watches[static_cast<std::size_t>(error_rate_watch)].series;
    if (!q || q->empty() || q->finite_count() < 2 || q->back().step < loss.argmin_step()) return d;
    const double v = q->back().value;
    const bool held =
        higher_better ? v >= *q->max() - detail::sampling_tolerance(*q, *q->max(), kQualityHeld) * std::fabs(*q->max())
                      : v <= *q->min() + kQualityHeld * std::fabs(*q->min());
    return std::isfinite(v) && held ? std::nullopt : d;
  }

  // A precision or a recall beside its counterpart and a score that combines them (mAP, F1, an accuracy), while the
  // counterpart holds above half its best: the two trade off against each other as the model's confidence shifts,
  // and the combined score says whether quality fell. A YOLO run's precision 0.52 -> 0.005 for one epoch while its
  // recall and mAP50 hold (r30), its recall 0.73 -> 0.56 while its precision rises (r36): healthy runs, flagged on
  // the component alone. Either alone, the pair without a combined score, or both fallen (a detector that finds
  // nothing: precision and recall at exactly 0 for good, r37) is still judged.
  bool pr_traded_off(const Watch& w) const {
    if (!w.pr_part || !(combined_quality || bound(Role::kValAccuracy))) return false;
    const int other = w.pr_part == 'p' ? recall_watch : precision_watch;
    if (other < 0) return false;
    const Series& o = watches[static_cast<std::size_t>(other)].series;
    return !o.empty() && o.max() && std::isfinite(o.back().value) && o.back().value > 0.5 * *o.max();
  }

  // A watched loss-family key that stands in for the loss: no key is bound
  // to the loss, it is the run's only training-side loss-family key and it
  // names no other quantity (KL, entropy, a policy or value loss, a
  // perplexity, a reward), outside reinforcement learning.
  bool sole_loss(const Watch& w) const {
    return w.plain_loss && train_loss_watches == 1 && !bound(Role::kLoss) && !rl();
  }

  // The loss frozen_metric weighs a stuck accuracy against: the bound loss,
  // outside reinforcement learning (a sparse task's success rate sits at 0
  // for long while the value loss rises: healthy).
  const Series* frozen_metric_loss() const {
    if (profile_value == Profile::kReinforcementLearning || !bound(Role::kLoss)) return nullptr;
    return &series(Role::kLoss);
  }

  // A stuck quality metric: weighed against the loss (detect_frozen_metric),
  // or, in a run that logs no loss-family key at all and is no reward run,
  // stuck from its first row (detect_frozen_metric_alone).
  std::optional<Decision> frozen_metric(const Series& m) const {
    const FrozenLossOptions& fo = opt.playbook.detectors.frozen_loss;
    if (auto d = never_scored(m, fo)) return d;
    if (const Series* l = frozen_metric_loss()) return detect_frozen_metric(m, l, fo);
    if (loss_keys || reward_run()) return std::nullopt;
    if (auto d = detect_frozen_metric_alone(m, fo)) return d;
    // An accuracy's first evaluation is the untrained model's chance level;
    // a BLEU or a PSNR has no such level and is not judged this way.
    return accuracy_key(m.name()) ? detect_metric_start(m, fo) : std::nullopt;
  }

  // The run's held-out quality metric (run_quality) exactly 0 at every evaluation, kNeverScoredPoints of them or more,
  // while a training-side loss fell to under kNeverScoredFall x its first value: the model learns what training
  // shows it and the evaluation finds none of it, its labels or classes not the model's (r42: a YOLO26n whose
  // data.yaml named other classes, precision, recall and mAP exactly 0 for 100 epochs while its training losses
  // fell; r41: a YOLOv5 from scratch on coco8, mAP 0 for 100 epochs). A model trained from scratch scores 0 for its
  // first evaluations, fewer than 20 on the tuned corpus (a Faster R-CNN's foreground accuracy 0 for 17 of 90, a
  // machine-translation model's accuracy 0 for 11). Not in reinforcement learning or a reward run, where a sparse
  // task's success or accuracy reward sits at 0 for long. Rule "never_scored" of frozen_metric.
  static constexpr std::size_t kNeverScoredPoints = 20;
  static constexpr double kNeverScoredFall = 0.8;
  std::optional<Decision> never_scored(const Series& m, const FrozenLossOptions& fo) const {
    if (!fo.enabled || m.size() < kNeverScoredPoints || m.back().value != 0.0 || rl() || reward_run() ||
        m.count() != m.size() || run_quality() != &m || m.max() != 0.0 || m.min() != 0.0 ||
        m.finite_count() != m.size())
      return std::nullopt;
    const auto learned = [](const Series& l) {
      const auto first = l.initial_values();
      const auto lo = l.min();
      return !first.empty() && first.front() > 0 && lo && *lo < kNeverScoredFall * first.front();
    };
    const Series* fell = bound(Role::kLoss) && learned(series(Role::kLoss)) ? &series(Role::kLoss) : nullptr;
    for (const Watch& w : watches) {
      if (fell) break;
      if (w.family == KeyFamily::kLoss && !w.val_side && !w.series.empty() && learned(w.series)) fell = &w.series;
    }
    if (!fell) return std::nullopt;
    Decision d = detail::make_decision(
        Source::kRulebased, "frozen_metric", fo.severity,
        m.name() + " has been exactly 0 at each of its " + std::to_string(m.size()) + " evaluations while " +
            fell->name() + " fell from " + detail::fmt_num(fell->initial_values().front()) + " to " +
            detail::fmt_num(*fell->min()) + ": the model learns and the evaluation finds none of it",
        m.name(), &m, {{"rule", "never_scored"}, {"points", std::to_string(m.size())}});
    detail::set_band(d, kScoredAtAll, std::numeric_limits<double>::infinity());  // open until it scores anything
    return d;
  }
  static constexpr double kScoredAtAll = 1e-9;

  // The training-side accuracy (the first quality key without a val/test/dev
  // token), if the run logs one.
  const Series* train_accuracy() const {
    return train_quality >= 0 ? &watches[static_cast<std::size_t>(train_quality)].series : nullptr;
  }

  // Whether a quality key is an accuracy (the fraction of examples classified right), whose chance level 1/k a
  // cross-entropy at ln k matches (detect_chance_pair): not an F1, a ROUGE, a BLEU or an mAP, which have no such
  // relation to the loss (r40: an NER model's eval loss 0.95 read as ln of 1 / its F1 0.36; r39: a summariser's
  // loss as log2 of 1 / its ROUGE average).
  static bool accuracy_key(std::string_view key) {
    const auto tk = detail::key_tokens(key, true);
    if (detail::has(tk, {"f1", "fscore", "f1score", "rouge", "bleu", "sacrebleu", "map", "ap", "map50", "auc", "iou",
                         "miou", "dice", "precision", "recall", "psnr", "ssim", "ndcg", "mrr"}))
      return false;
    return std::any_of(tk.begin(), tk.end(), [](const std::string& t) {
      return t == "accuracy" || t == "acc" || t == "correct" || t.starts_with("acc") || t.starts_with("top");
    });
  }

  // A loss at chance that does not repeat a value: beside an accuracy of the
  // same rows at the same chance level (detect_chance_pair), or hovering at
  // ln 2 .. ln 4 (detect_chance_wobble, vetoed by an accuracy above chance).
  // Not in a reward run: a DPO loss sits at ln 2 while the policy is still
  // the reference, and a GRPO loss means no class count.
  std::optional<Decision> at_chance_noisy(const Series& loss, const Series* acc, const FrozenLossOptions& fo) const {
    if (reward_run()) return std::nullopt;
    if (acc && accuracy_key(acc->name()))
      if (auto p = detect_chance_pair(loss, *acc, fo)) return p;
    if (!acc && bound(Role::kValAccuracy)) acc = &series(Role::kValAccuracy);
    return detect_chance_wobble(loss, acc, fo);
  }

  // The loss at exactly 0.0 beside another loss-family key that is a real
  // loss on the same rows (detect_zero_total).
  std::optional<Decision> zero_total(const Series& loss, const FrozenLossOptions& fo) const {
    for (const Watch& w : watches)
      if (w.family == KeyFamily::kLoss && w.series.name() != loss.name())
        if (auto z = detect_zero_total(loss, w.series, fo)) return z;
    return std::nullopt;
  }

  // A loss-family series at exactly 0.0 beside a quality key at its ceiling on
  // the same rows (detect_zero_perfect); outside RL and reward runs.
  std::optional<Decision> zero_perfect(const Series& loss, const FrozenLossOptions& fo) const {
    if (reward_run() || loss.empty() || loss.back().value != 0.0) return std::nullopt;
    for (const Watch& w : watches)
      if (w.family == KeyFamily::kQuality && !w.is_best)
        if (auto z = detect_zero_perfect(loss, w.series, fo)) return z;
    if (bound(Role::kValAccuracy)) return detect_zero_perfect(loss, series(Role::kValAccuracy), fo);
    return std::nullopt;
  }

  // Which side of a GAN a loss-family key names: 'g' (generator: "g_loss",
  // "G GAN Loss", "loss_G", "gen_loss"), 'd' (discriminator: "d_loss",
  // "D loss", "disc_loss"), or 0.
  static char gan_side(std::string_view key) {
    const auto tk = detail::key_tokens(key, false);
    const bool g = detail::has(tk, {"g", "gen", "generator", "netg"});
    const bool d = detail::has(tk, {"d", "dis", "disc", "discriminator", "netd"});
    return g == d ? 0 : g ? 'g' : 'd';
  }

  // A GAN side's loss at exactly 0.0 from its first row beside the other
  // side's real loss (detect_adversarial_zero); outside RL and reward runs.
  std::optional<Decision> adversarial_zero(const Watch& w, const FrozenLossOptions& fo) const {
    if (!w.gan || rl() || reward_run() || w.series.empty() || w.series.back().value != 0.0) return std::nullopt;
    for (const Watch& o : watches)
      if (o.gan && o.gan != w.gan)
        if (auto z = detect_adversarial_zero(w.series, o.series, fo)) return z;
    return std::nullopt;
  }

  // The training and validation loss rules.
  void evaluate_losses(double now) {
    const DetectorOptions& d = opt.playbook.detectors;
    if (dirty(Role::kLoss)) {
      const Series& loss = series(Role::kLoss);
      apply(kNanLoss, detect_nan_loss(loss, d.nan_loss), now, &loss);
      // A loss that went NaN/Inf has not recovered from a spike or a high
      // plateau: keep those conditions as they are instead of reporting
      // them cleared (nan_loss speaks for the run now).
      if (std::isfinite(loss.back().value)) {
        apply(kHighLoss, rl() ? std::nullopt : detect_high_loss(loss, d.high_loss), now, &loss);
        apply(kLossSpike,
              kl_scaled_loss(loss) ? std::nullopt : rl_moving_target(detect_loss_spike(loss, d.loss_spike), loss), now,
              &loss);
        auto div = unless_quality_holds(rl_moving_target(detect_loss_divergence(loss, d.loss_divergence), loss), loss);
        if (!div && bound(Role::kValLoss))
          div = detect_joint_divergence(loss, series(Role::kValLoss), d.loss_divergence);
        apply(kLossDivergence, std::move(div), now, &loss);
        auto frozen = detect_frozen_loss_in(loss, d.frozen_loss, reward_run());
        if (!frozen && bound(Role::kGradNorm) && !reward_run())
          frozen = detect_no_gradient(loss, series(Role::kGradNorm), d.frozen_loss);
        if (!frozen && loss.back().value == 0.0 && !rl()) frozen = zero_total(loss, d.frozen_loss);
        if (!frozen && loss.back().value == 0.0 && !reward_run()) frozen = detect_zero_start(loss, d.frozen_loss);
        if (!frozen) frozen = zero_perfect(loss, d.frozen_loss);
        if (!frozen) frozen = at_chance_noisy(loss, train_accuracy(), d.frozen_loss);
        if (frozen && (lr_negligible() || lr_warming_up())) frozen.reset();
        apply(kFrozenLoss, std::move(frozen), now, &loss);
      }
    }
    if (bound(Role::kLoss) && (loss_missing || !active[kLossMissing].sig.empty()))
      apply(kLossMissing,
            loss_missing
                ? detect_missing_loss(series(Role::kLoss), last_step.value_or(0), loss_rows_before_missing, d.nan_loss)
                : std::nullopt,
            now);
    if (dirty(Role::kValLoss)) {
      const Series& vl = series(Role::kValLoss);
      // A validation loss logged on a row of its own (at the training row's
      // step) still confirms a training loss jump.
      if (!dirty(Role::kLoss) && bound(Role::kLoss))
        if (auto j = detect_joint_divergence(series(Role::kLoss), vl, d.loss_divergence))
          apply(kLossDivergence, std::move(j), now, &series(Role::kLoss));
      apply(kNanValLoss, detect_nan_loss(vl, d.nan_loss), now, &vl);
      if (std::isfinite(vl.back().value)) {
        apply(kValLossDivergence, unless_quality_holds(detect_loss_divergence(vl, d.loss_divergence), vl, true), now,
              &vl);
        // The cautious reading (reward_run true) on purpose, and no different
        // from detect_frozen_loss_in(vl, val_frozen_, reward_run()): the flag
        // only decides whether 0.01 / 0.1 count as zero for the identical
        // rule, which val_frozen_ turns off (forward-filled eval rows repeat);
        // switching changes no curve of the corpus (round 16: 518 replayed).
        auto frozen = detect_frozen_loss(vl, val_frozen_);
        // ... and the identical rule beside another evaluation loss that
        // moved at the same rows (detect_frozen_eval).
        for (const Watch& w : watches)
          if (!frozen && w.eval_loss) frozen = detect_frozen_eval(vl, w.series, d.frozen_loss);
        // ... and at chance beside the validation accuracy of the same rows.
        if (!frozen && bound(Role::kValAccuracy) && !reward_run() && accuracy_key(series(Role::kValAccuracy).name()))
          frozen = detect_chance_pair(vl, series(Role::kValAccuracy), d.frozen_loss);
        apply(kValFrozenLoss, std::move(frozen), now, &vl);
      }
    }
  }

  // The logged best-so-far of the key bound to r (a "best val acc" printed beside it), else -infinity.
  double logged_best_of(Role r) const {
    return logged_best.empty() ? -std::numeric_limits<double>::infinity()
                               : known_best(normalize_key(roles[static_cast<std::size_t>(r)].key));
  }

  // The bound quality roles. validation_drop under every profile: an evaluation accuracy is the task's own
  // score, in reinforcement learning too (a GRPO run's eval_acc 40.8 -> 0.0 while its KL loss and entropy blow
  // up, LLMs-from-scratch reasoning ch. 7). A success rate is a quality metric that should rise too (a
  // meta-learner's evaluation success, maml#86: 89 % at epoch 12, then 16-24 % from epoch 20); bound to its
  // role it has no watch, so the quality rules are asked here, but not under reinforcement learning: a sparse
  // task's success rate scatters between 0 and a few episodes in ten for long (reward_hacking reads it there).
  void evaluate_quality(double now) {
    const DetectorOptions& d = opt.playbook.detectors;
    if (dirty(Role::kValAccuracy))
      apply(kValAccDrop,
            unless_lr_rose(detect_val_acc_drop(
                series(Role::kValAccuracy), d.validation_drop, "validation_drop", logged_best_of(Role::kValAccuracy),
                train_quality >= 0 ? &watches[static_cast<std::size_t>(train_quality)].series : nullptr,
                bound(Role::kValLoss) ? &series(Role::kValLoss)
                : bound(Role::kLoss)  ? &series(Role::kLoss)
                                      : nullptr)),
            now, &series(Role::kValAccuracy));
    if (rl()) return;
    if (dirty(Role::kSuccessRate))
      apply(kSuccessDrop,
            detect_val_acc_drop(series(Role::kSuccessRate), d.validation_drop, "quality_drop",
                                logged_best_of(Role::kSuccessRate)),
            now, &series(Role::kSuccessRate));
    if (dirty(Role::kValLoss))
      apply(kValLossRegression,
            detect_val_loss_regression(
                series(Role::kValLoss), d.validation_loss_regression,
                bound(Role::kLoss) ? &series(Role::kLoss) : nullptr, run_quality(),
                error_rate_watch >= 0 ? &watches[static_cast<std::size_t>(error_rate_watch)].series : nullptr),
            now, &series(Role::kValLoss));
  }

  // A key that says "time" and has no family is an elapsed clock when another key is its running mean per step on
  // each of the last kCumulativeRows rows (modded-nanogpt's speedrun log and its forks: 'train_time:253681ms
  // step_avg:650.46ms' at step 390): its rise per step is then judged like an elapsed clock's (the mean lags: 514 ->
  // 650 ms while each step takes 5.8 s). Looked for in a run's first kClockSearchRows rows only.
  static constexpr std::size_t kClockSearchRows = 32;
  static constexpr std::size_t kClockWarmupIntervals = 2;
  void promote_clocks() {
    for (Watch& w : watches) {
      if (!w.time_token || w.clock || w.series.size() < kCumulativeRows || w.series.size() > kClockSearchRows ||
          w.series.count() != w.series.size() || detail::fell_once(w.series))
        continue;
      const Watch* mean = watch_related_on_last_rows(
          w.series, [](const Watch& c) { return c.mean_token; },
          [](const SeriesPoint& p, const SeriesPoint& q) { return p.step > 0 && mean_per_step(q, p.value); });
      if (!mean) continue;
      w.time_token = false;
      w.clock = true;
      w.per_step = Series(w.series.name() + " per step", kWatchCapacity);
      w.rate = Series("steps per second (from " + w.series.name() + ")", kWatchCapacity);
      Series history = std::move(w.series);
      w.series = Series(history.name(), kWatchCapacity);
      // (not its first kClockWarmupIntervals intervals: a compiled model's first steps, 19 ms then 69-73 ms each)
      for (std::size_t i = history.size(); i-- > 0;) {
        if (history.size() - i > kClockWarmupIntervals + 1)
          push_clock(w, history.from_back(i).step, history.from_back(i).value);
        w.series.push(history.from_back(i).step, history.from_back(i).value);
      }
      if (!w.dirty) {
        w.dirty = true;
        dirty_watches.push_back(static_cast<int>(&w - watches.data()));
      }
    }
  }

  void evaluate(double now) {
    const DetectorOptions& d = opt.playbook.detectors;
    promote_clocks();
    evaluate_losses(now);
    if (dirty(Role::kThroughput)) {
      const Watch* clock = cumulative_throughput();
      const Series& tp = clock ? clock->rate : series(Role::kThroughput);
      // (a clock's rate starts one interval after the clock: its first interval may span the learning start)
      apply(kThroughputCollapse,
            detect_throughput_slowdown(tp, d.throughput_collapse, learning_start_possible(clock ? clock->series : tp)),
            now, &tp);
    }
    if (dirty(Role::kValAccuracy))
      apply(kValFrozenMetric, frozen_metric(series(Role::kValAccuracy)), now, &series(Role::kValAccuracy));
    if (dirty(Role::kGradNorm)) {
      const Series* loss = bound(Role::kLoss) ? &series(Role::kLoss) : nullptr;
      auto g = detect_grad_norm(series(Role::kGradNorm), loss, d.grad_norm,
                                bound(Role::kLossScale) ? &series(Role::kLossScale) : nullptr);
      // Geometric growth while the loss stalls, before the explosion rule has a median.
      if (!g) g = detect_grad_norm_growth(series(Role::kGradNorm), loss, d.grad_norm);
      apply(kGradNorm, std::move(g), now, &series(Role::kGradNorm));
    }
    evaluate_quality(now);
    // A bound reward is judged whatever the profile: a reward key is the RL run's own evidence, and an evaluation log
    // of a GRPO run (eval_loss, eval_accuracy, eval_reward) reads as supervised by its other keys
    if (dirty(Role::kReward) && (profile_value == Profile::kReinforcementLearning || !profile.pinned()))
      apply(kRewardDrop, detect_reward_drop(series(Role::kReward), d.reward_drop), now, &series(Role::kReward));
    if (profile_value == Profile::kReinforcementLearning) {
      Role q = bound(Role::kSuccessRate) ? Role::kSuccessRate : Role::kRewardAccuracy;
      if (bound(Role::kReward) && bound(q) && (dirty(Role::kReward) || dirty(q)))
        apply(kRewardHacking, detect_reward_hacking(series(Role::kReward), series(q), d.reward_hacking_suspected), now,
              &series(q));
      if (dirty(Role::kKl)) {
        auto k = detect_kl_explosion(series(Role::kKl), d.kl_explosion);
        if (!k && clip_fraction >= 0)
          k = detect_kl_trust_region(series(Role::kKl), watches[static_cast<std::size_t>(clip_fraction)].series,
                                     d.kl_explosion);
        if (!k && stop_iter >= 0)
          k = detect_kl_early_stop(series(Role::kKl), watches[static_cast<std::size_t>(stop_iter)].series,
                                   d.kl_explosion);
        apply(kKlExplosion, std::move(k), now, &series(Role::kKl));
      }
      if (dirty(Role::kEntropy))
        apply(
            kEntropy,
            detect_entropy(series(Role::kEntropy), d.entropy, bound(Role::kReward) ? &series(Role::kReward) : nullptr),
            now);
    }
    if (!baseline.empty()) {
      if (dirty(Role::kThroughput))
        apply(kThroughput, detect_throughput_regression(series(Role::kThroughput), baseline, d.throughput_regression),
              now);
      if (dirty(Role::kValAccuracy))
        apply(kQualityBehind, detect_quality_behind(series(Role::kValAccuracy), baseline, d.quality_behind), now);
    }
    // Bound roles without a non-finite rule of their own.
    for (Role r : {Role::kValAccuracy, Role::kReward, Role::kSuccessRate, Role::kRewardAccuracy, Role::kThroughput,
                   Role::kKl, Role::kEntropy})
      if (dirty(r))
        apply(role_nonfinite[static_cast<std::size_t>(r)], detect_nonfinite_metric(series(r), d.nonfinite_metric), now,
              &series(r));
    evaluate_watches(now);
    for (auto& slot : roles) slot.dirty = false;
  }

  std::optional<double> latest(Role r) const {
    const Series& s = series(r);
    if (!bound(r) || s.empty()) return std::nullopt;
    return s.back().value;
  }

  SnapshotInput snapshot_input(double now) const {
    SnapshotInput in;
    in.profile = profile_value;
    static constexpr std::pair<Role, const char*> kShown[] = {
        {Role::kLoss, "loss"},          {Role::kValLoss, "val_loss"},     {Role::kValAccuracy, "val_acc"},
        {Role::kReward, "reward"},      {Role::kSuccessRate, "success"},  {Role::kKl, "kl"},
        {Role::kGradNorm, "grad_norm"}, {Role::kThroughput, "throughput"}};
    for (const auto& [r, name] : kShown)
      if (auto v = latest(r)) in.summary.emplace_back(name, *v);
    in.step = last_step;
    in.rows = stats.rows;
    in.baseline = &baseline;
    if (auto tp = latest(Role::kThroughput); tp && baseline.throughput && *baseline.throughput > 0)
      in.tp_vs_base = *tp / *baseline.throughput;
    in.syndrome_counts = syndrome_counts();
    in.open_alerts = book.open_alerts();
    in.updated_at = now;
    return in;
  }

  std::vector<std::pair<std::string, std::uint64_t>> syndrome_counts() const {
    std::vector<std::pair<std::string, std::uint64_t>> out(book.syndrome_counts().begin(),
                                                           book.syndrome_counts().end());
    std::sort(out.begin(), out.end());
    return out;
  }

  Decision from_match(LogMatch& m) {
    Decision d;
    d.source = Source::kLogwatch;
    d.syndrome = m.syndrome;
    d.severity = m.severity;
    d.message = m.message.empty() ? m.text : m.message;
    // The step current when the line was written: one the line names, else
    // the last row that preceded it in arrival order.
    std::optional<std::int64_t> named = detail::step_in_line(m.text);
    d.step = named ? named : step_of_line(m.source, m.line);
    std::string subject;
    if (const std::string* x = evidence_get(m.evidence, "xid")) subject = "xid" + *x;
    d.signature = detail::make_signature(Source::kLogwatch, m.syndrome, subject);
    d.evidence = std::move(m.evidence);
    d.evidence.emplace_back("sources", m.source);
    if (m.rank && !evidence_get(d.evidence, "ranks")) d.evidence.emplace_back("ranks", std::to_string(*m.rank));
    d.evidence.emplace_back("line_no", std::to_string(m.line));
    if (std::isfinite(last_now) && last_now > 0) d.evidence.emplace_back("read_at", detail::format_iso8601(last_now));
    d.evidence.emplace_back("count", "1");
    return d;
  }

  void take_matches() {
    for (LogMatch& m : matches) {
      ++stats.log_matches;
      book.raise(from_match(m), last_now, /*event=*/true);
    }
    matches.clear();
  }

  LogStream* stream(std::string_view source) {
    auto it = streams.find(source);
    if (it != streams.end()) return &it->second;
    if (!scanner) return nullptr;
    std::string label(source);
    if (streams.size() >= std::max<std::size_t>(opt.max_log_sources, 1)) label = "other";
    it = streams.find(label);
    if (it != streams.end()) return &it->second;
    LogStream s(scanner, label);
    s.set_default_rank(rank_from_label(label));
    return &streams.emplace(label, std::move(s)).first->second;
  }

  void feed_log(std::string_view bytes, std::string_view source) {
    stats.log_bytes += bytes.size();
    if (profile_log_bytes < kProfileLogBytes && !profile.pinned()) {
      std::string_view head = bytes.substr(0, kProfileLogBytes - profile_log_bytes);
      // Whole lines only, so a token is never split across chunks.
      std::size_t nl = head.rfind('\n');
      if (nl != std::string_view::npos) head = head.substr(0, nl);
      profile_log_bytes += head.size() + 1;
      if (profile.add(head)) on_profile_change();
    }
    LogStream* s = stream(source);
    if (!s) return;
    std::uint64_t before = s->lines_seen();
    mark_step(*s, before + 1);
    s->feed(bytes, &matches);
    rank_lines.feed(s->source(), rank_from_label(s->source()), bytes, last_now);
    stats.log_lines += s->lines_seen() - before;
    take_matches();
  }

  // The step current when each stretch of a stream's lines was read, so a
  // finding held back (a traceback, a folded report) keeps the step of its
  // line, not the step when it was released. Bounded per stream.
  struct StepMark {
    std::uint64_t first_line;
    std::optional<std::int64_t> step;
  };
  struct StreamMarks {
    std::deque<StepMark> marks;
    double last_fed = 0;
    bool settled = true;
  };
  std::unordered_map<std::string, StreamMarks, StringHash, std::equal_to<>> stream_marks;

  void mark_step(const LogStream& s, std::uint64_t first_line) {
    StreamMarks& sm = stream_marks[s.source()];
    sm.last_fed = last_now;
    sm.settled = false;
    if (!sm.marks.empty() && sm.marks.back().step == last_step) return;
    sm.marks.push_back({first_line, last_step});
    if (sm.marks.size() > 256) sm.marks.pop_front();
  }

  std::optional<std::int64_t> step_of_line(std::string_view source, std::uint64_t line) const {
    auto it = stream_marks.find(source);
    if (it == stream_marks.end()) return last_step;
    std::optional<std::int64_t> step = last_step;
    for (auto m = it->second.marks.rbegin(); m != it->second.marks.rend(); ++m)
      if (m->first_line <= line) return m->step;
    return step;
  }

  // Sources quiet for a couple of seconds release findings that are complete.
  void settle_quiet_streams(double now) {
    for (auto& [label, sm] : stream_marks) {
      if (sm.settled || now - sm.last_fed < 2.0) continue;
      sm.settled = true;
      if (auto it = streams.find(label); it != streams.end()) it->second.settle(&matches);
    }
    take_matches();
  }

  void flush_log(std::string_view source) {
    auto it = streams.find(source);
    if (it == streams.end()) return;
    std::uint64_t before = it->second.lines_seen();
    it->second.flush(&matches);
    rank_lines.flush(it->second.source(), last_now);
    stats.log_lines += it->second.lines_seen() - before;
    take_matches();
  }

  // A rank whose log stopped while the others went on (RankProgress): one
  // condition, open until that rank writes again.
  void poll_ranks(double now) {
    if (auto d = rank_lines.poll(now)) {
      d->step = last_step;
      hang_sig = d->signature;
      book.raise(std::move(*d), now);
    } else if (!hang_sig.empty() && !rank_lines.incident_open() && book.clear(hang_sig, now)) {
      hang_sig.clear();
    }
  }

  TickResult tick(double now) {
    ++stats.ticks;
    last_now = now;
    if (!first_time) first_time = now;
    if (rows_since_tick > 0 && !rows_have_time) arrivals.arrive(now);
    rows_since_tick = 0;
    apply(kStall, detect_stall(arrivals, now, opt.playbook.detectors.stall), now);
    poll_ranks(now);
    settle_quiet_streams(now);
    surface(now);
    TickResult out = take_output();
    bool heartbeat = now - last_snapshot >= opt.playbook.snapshot.heartbeat_s;
    if (heartbeat || material) {
      out.snapshot = build_snapshot(snapshot_input(now), opt.playbook.snapshot);
      out.snapshot->material_change = material && !heartbeat;
      last_snapshot = now;
      material = false;
      ++stats.snapshots;
    }
    return out;
  }

  TickResult drain(double now) {
    last_now = std::max(last_now, now);
    while (book.pending() > 0) {
      std::uint64_t before = stats.alerts;
      surface(now);
      if (stats.alerts == before) break;
    }
    surface(now);  // resolutions deferred by the last selection
    return take_output();
  }

  double steady_throughput() const {
    const Series& s = series(Role::kThroughput);
    if (!bound(Role::kThroughput) || s.finite_count() == 0) return std::nan("");
    std::size_t warm =
        static_cast<std::size_t>(std::max(opt.playbook.detectors.throughput_regression.warmup_points, 0));
    std::size_t post = s.finite_count() > warm ? static_cast<std::size_t>(s.finite_count() - warm) : s.finite_count();
    std::vector<double> w;
    s.finite_window(0, std::min<std::size_t>(post, 64), &w);
    return detail::median_inplace(w);
  }

  HistoryRow history_row(std::string_view status, double now) const {
    HistoryRow row;
    row.run_id = opt.run_id;
    row.status = std::string(status);
    row.timestamp = now;
    row.profile = profile_value;
    row.command_fingerprint = fingerprint;
    row.command = opt.command;
    row.last_step = last_step.value_or(0);
    auto add = [&](const char* k, std::optional<double> v) {
      if (v && std::isfinite(*v)) row.summary.emplace_back(k, *v);
    };
    add("rows", static_cast<double>(stats.rows));
    add("duration_s", first_time ? std::optional<double>(now - *first_time) : std::nullopt);
    add("loss_last", latest(Role::kLoss));
    add("loss_min", bound(Role::kLoss) ? series(Role::kLoss).min() : std::nullopt);
    add("val_loss_best", bound(Role::kValLoss) ? series(Role::kValLoss).min() : std::nullopt);
    add("val_accuracy_best", bound(Role::kValAccuracy) ? series(Role::kValAccuracy).max() : std::nullopt);
    add("reward_last", latest(Role::kReward));
    add("reward_best", bound(Role::kReward) ? series(Role::kReward).max() : std::nullopt);
    add("throughput", steady_throughput());
    add("alerts", static_cast<double>(stats.alerts));
    add("critical_alerts", static_cast<double>(stats.critical_alerts));
    row.val_accuracy_curve = curve;
    return row;
  }
};

Monitor::Monitor(MonitorOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}
Monitor::~Monitor() = default;
Monitor::Monitor(Monitor&&) noexcept = default;
Monitor& Monitor::operator=(Monitor&&) noexcept = default;

void Monitor::observe(const MetricRow& row) {
  try {
    impl_->observe(row);
  } catch (...) {  // allocation failure: drop the row, keep monitoring
  }
}

void Monitor::feed_log(std::string_view bytes, std::string_view source) {
  try {
    impl_->feed_log(bytes, source);
  } catch (...) {
  }
}

void Monitor::flush_log(std::string_view source) {
  try {
    impl_->flush_log(source);
  } catch (...) {
  }
}

void Monitor::add_decision(Decision d) {
  try {
    if (d.signature.empty()) d.signature = detail::make_signature(d.source, d.syndrome, "");
    impl_->book.raise(std::move(d), impl_->last_now, /*event=*/true);
    impl_->surface(impl_->last_now);
  } catch (...) {
  }
}

TickResult Monitor::take() {
  try {
    return impl_->take_output();
  } catch (...) {
    return {};
  }
}

TickResult Monitor::drain(double now) {
  try {
    return impl_->drain(now);
  } catch (...) {
    return {};
  }
}

void Monitor::advance(double now) {
  if (std::isfinite(now) && now > impl_->last_now) impl_->last_now = now;
}

bool Monitor::has_output() const { return !impl_->outbox.empty() || !impl_->resolved_out.empty(); }

std::optional<std::int64_t> Monitor::last_step() const { return impl_->last_step; }
const std::vector<std::string>& Monitor::keys_seen() const { return impl_->keys_seen; }
const std::string& Monitor::bound_key(Role role) const { return impl_->roles[static_cast<std::size_t>(role)].key; }

std::vector<KeyBinding> Monitor::key_bindings() const {
  std::vector<KeyBinding> out;
  for (std::size_t r = 0; r < kRoleCount; ++r)
    if (!impl_->roles[r].key.empty()) out.push_back(KeyBinding{static_cast<Role>(r), impl_->roles[r].key});
  return out;
}

std::string Monitor::key_report(const KeyReportOptions& options) const {
  // Every key that matches a role binds it when first seen, so with no
  // binding yet the derived one (key_report_json) is empty too.
  return key_report_json(impl_->keys_seen, key_bindings(), impl_->matcher, options);
}

TickResult Monitor::tick(double now) {
  try {
    return impl_->tick(now);
  } catch (...) {
    return {};
  }
}

Snapshot Monitor::snapshot(double now) const {
  try {
    return build_snapshot(impl_->snapshot_input(now), impl_->opt.playbook.snapshot);
  } catch (...) {
    return {};
  }
}

Status Monitor::finish(std::string_view status, double now, std::optional<int> exit_code) {
  try {
    std::string path = impl_->history_path();
    if (path.empty()) return Status::Ok();
    HistoryRow row = impl_->history_row(status, now);
    if (exit_code) row.summary.emplace_back("exit_code", *exit_code);
    return append_history(path, row, impl_->opt.playbook.history);
  } catch (const std::exception& e) {
    return Status(StatusCode::kInternal, std::string("finish: ") + e.what());
  }
}

const Profile& Monitor::profile() const { return impl_->profile_value; }
void Monitor::pin_profile(Profile p) {
  impl_->profile.pin(p);
  if (impl_->profile_value != p) impl_->material = true;
  impl_->profile_value = p;
}
const Baseline& Monitor::baseline() const { return impl_->baseline; }
const MonitorStats& Monitor::stats() const { return impl_->stats; }
std::vector<std::pair<std::string, std::uint64_t>> Monitor::syndrome_counts() const { return impl_->syndrome_counts(); }
std::optional<double> Monitor::latest(Role role) const { return impl_->latest(role); }
HistoryRow Monitor::history_row(std::string_view status, double now) const { return impl_->history_row(status, now); }
const Status& Monitor::log_status() const { return impl_->log_status; }
const std::string& Monitor::command_fingerprint() const { return impl_->fingerprint; }

}  // namespace sidecar
