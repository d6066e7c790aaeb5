// discover_metrics: which metrics file of a run directory to follow, and why.
//
// Precedence (the first kind present wins): metrics.jsonl, agent_metrics.jsonl,
// W&B history (newest run), Lightning CSVLogger (highest version), SB3
// progress.csv. Only a few directory levels are listed, each bounded.
#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <string>
#include <system_error>
#include <tuple>
#include <vector>

#include "sidecar/metrics.h"

namespace sidecar {

namespace fs = std::filesystem;

namespace {

constexpr std::size_t kMaxEntries = 4096;  // per directory listed

struct Candidate {
  fs::path path;
  MetricsFormat format;
  std::string kind;  // "W&B run run-2024...", "Lightning version_3"
  std::string sort_key;
  std::int64_t number = -1;
  fs::file_time_type mtime{};
};

bool is_file(const fs::path& p) {
  std::error_code ec;
  return fs::is_regular_file(p, ec);
}

fs::file_time_type mtime_of(const fs::path& p) {
  std::error_code ec;
  auto t = fs::last_write_time(p, ec);
  return ec ? fs::file_time_type{} : t;
}

// Immediate entries of `dir` that keep(entry) accepts (the first kMaxEntries
// looked at), sorted by name.
template <typename Keep>
std::vector<fs::path> list_dir(const fs::path& dir, Keep keep) {
  std::vector<fs::path> out;
  std::error_code ec;
  fs::directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec);
  if (ec) return out;
  std::size_t seen = 0;
  for (; it != fs::directory_iterator(); it.increment(ec)) {
    if (ec || ++seen > kMaxEntries) break;
    if (keep(*it)) out.push_back(it->path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Immediate subdirectories of `dir` (bounded, sorted by name).
std::vector<fs::path> subdirs(const fs::path& dir) {
  return list_dir(dir, [](const fs::directory_entry& e) {
    std::error_code ec;
    return e.is_directory(ec);
  });
}

std::string rel(const fs::path& p, const fs::path& base) {
  std::error_code ec;
  fs::path r = fs::relative(p, base, ec);
  return ec || r.empty() ? p.string() : r.string();
}

// W&B run directories: run-YYYYMMDD_HHMMSS-id or offline-run-YYYYMMDD_HHMMSS-id.
void add_wandb_runs(const fs::path& wandb_dir, std::vector<Candidate>* out) {
  for (const fs::path& d : subdirs(wandb_dir)) {
    std::string name = d.filename().string();
    std::string stamp;
    if (name.starts_with("run-")) {
      stamp = name.substr(4);
    } else if (name.starts_with("offline-run-")) {
      stamp = name.substr(12);
    } else {
      continue;
    }
    for (const fs::path& f : {d / "files" / "wandb-history.jsonl", d / "wandb-history.jsonl"}) {
      if (is_file(f)) {
        out->push_back({f, MetricsFormat::kWandbHistory, "W&B run " + name, stamp, -1, mtime_of(f)});
        break;
      }
    }
  }
}

std::optional<std::int64_t> version_number(const std::string& name) {
  if (!name.starts_with("version_")) return std::nullopt;
  std::int64_t v = 0;
  const char* b = name.data() + 8;
  const char* e = name.data() + name.size();
  auto [p, ec] = std::from_chars(b, e, v);
  if (ec != std::errc() || p != e) return std::nullopt;
  return v;
}

void add_lightning_versions(const fs::path& logs_dir, std::vector<Candidate>* out) {
  for (const fs::path& d : subdirs(logs_dir)) {
    std::string name = d.filename().string();
    auto v = version_number(name);
    if (!v) continue;
    fs::path f = d / "metrics.csv";
    if (is_file(f)) out->push_back({f, MetricsFormat::kLightningCsv, "Lightning " + name, name, *v, mtime_of(f)});
  }
}

// The newest candidate: by time stamp in the name, then version, then mtime.
const Candidate* newest(const std::vector<Candidate>& c) {
  const Candidate* best = nullptr;
  for (const Candidate& x : c) {
    if (best == nullptr) {
      best = &x;
      continue;
    }
    auto key = [](const Candidate& y) { return std::tie(y.number, y.sort_key, y.mtime); };
    if (key(*best) < key(x)) best = &x;
  }
  return best;
}

// One kind of metrics file discover_metrics() looks for, in order of
// preference, and the files of that kind found.
struct Kind {
  std::string what;
  std::vector<Candidate> found;
};

// Every kind, searched under `dir` (found may be empty).
std::vector<Kind> find_kinds(const fs::path& dir) {
  std::vector<Kind> kinds;

  // 1-2. The generic and research-agent JSON Lines files.
  for (const char* name : {"metrics.jsonl", "agent_metrics.jsonl"}) {
    Kind k{std::string(name) + " at the top of the run directory", {}};
    if (fs::path f = dir / name; is_file(f)) k.found.push_back({f, MetricsFormat::kJsonl, name, "", -1, mtime_of(f)});
    kinds.push_back(std::move(k));
  }

  // 3. W&B: <dir>/wandb/{run,offline-run}-*/files/wandb-history.jsonl, or <dir> is a W&B run or wandb/ dir.
  {
    Kind k{"W&B history, newest run", {}};
    add_wandb_runs(dir / "wandb", &k.found);
    add_wandb_runs(dir, &k.found);
    for (const fs::path& f : {dir / "files" / "wandb-history.jsonl", dir / "wandb-history.jsonl"}) {
      if (is_file(f)) k.found.push_back({f, MetricsFormat::kWandbHistory, "W&B run directory", "", -1, mtime_of(f)});
    }
    kinds.push_back(std::move(k));
  }

  // 4. Lightning CSVLogger: [<name>/]version_N/metrics.csv under <dir>/lightning_logs, <dir>/*, <dir>.
  {
    Kind k{"Lightning CSVLogger metrics.csv, highest version", {}};
    add_lightning_versions(dir / "lightning_logs", &k.found);
    add_lightning_versions(dir, &k.found);
    for (const fs::path& d : subdirs(dir)) {
      if (d.filename() != "lightning_logs" && !version_number(d.filename().string()))
        add_lightning_versions(d, &k.found);
    }
    if (fs::path f = dir / "metrics.csv"; is_file(f)) {
      k.found.push_back({f, MetricsFormat::kLightningCsv, "metrics.csv", "", -1, mtime_of(f)});
    }
    kinds.push_back(std::move(k));
  }

  // 5. Stable-Baselines3: <dir>/progress.csv or <dir>/*/progress.csv (newest).
  {
    Kind k{"Stable-Baselines3 progress.csv, newest", {}};
    if (fs::path f = dir / "progress.csv"; is_file(f)) {
      k.found.push_back({f, MetricsFormat::kSb3ProgressCsv, "progress.csv", "", -1, mtime_of(f)});
    } else {
      for (const fs::path& d : subdirs(dir)) {
        if (fs::path f2 = d / "progress.csv"; is_file(f2)) {
          k.found.push_back({f2, MetricsFormat::kSb3ProgressCsv, d.filename().string(), "", -1, mtime_of(f2)});
        }
      }
      // Newest by modification time only.
      for (auto& c : k.found) c.sort_key.clear();
    }
    kinds.push_back(std::move(k));
  }

  return kinds;
}

}  // namespace

Result<DiscoveredSource> discover_metrics(const std::string& run_dir) {
  const fs::path dir(run_dir);
  std::error_code ec;
  const fs::file_status st = fs::status(dir, ec);
  if (ec || !fs::exists(st)) return Status(StatusCode::kNotFound, run_dir + ": no such directory (yet)");
  if (fs::is_regular_file(st)) {
    MetricsFormat f = metrics_format_for_path(run_dir);
    return DiscoveredSource{run_dir, f,      "given a file; format " + std::string(to_string(f)) + " from its name",
                            0.0,     "file", false};
  }
  if (!fs::is_directory(st)) return Status(StatusCode::kNotFound, run_dir + ": not a directory or a file");

  std::vector<Kind> kinds = find_kinds(dir);
  const Candidate* chosen = nullptr;
  std::string why;
  std::vector<std::string> others;
  for (const Kind& k : kinds) {
    if (k.found.empty()) continue;
    if (chosen == nullptr) {
      chosen = newest(k.found);
      why = k.what;
      if (k.found.size() > 1) why += " (of " + std::to_string(k.found.size()) + ")";
      for (const Candidate& c : k.found) {
        if (&c != chosen) others.push_back(rel(c.path, dir));
      }
    } else {
      for (const Candidate& c : k.found) others.push_back(rel(c.path, dir));
    }
  }
  if (chosen == nullptr) {
    return Status(StatusCode::kNotFound,
                  run_dir +
                      ": no metrics file yet (looked for metrics.jsonl, agent_metrics.jsonl, "
                      "wandb/run-*/files/wandb-history.jsonl, lightning_logs/version_*/metrics.csv, progress.csv)");
  }
  DiscoveredSource out;
  out.path = chosen->path.string();
  out.format = chosen->format;
  out.reason = rel(chosen->path, dir) + ": " + why;
  if (!others.empty()) {
    out.reason += "; also present: ";
    for (std::size_t i = 0; i < others.size() && i < 4; ++i) out.reason += (i ? ", " : "") + others[i];
    if (others.size() > 4) out.reason += ", +" + std::to_string(others.size() - 4) + " more";
  }
  return out;
}

// --- Several sources: the run dir, the job's working directory, the usual places ---

namespace {

// Note: libstdc++'s file clock has its epoch in 2174, so real times are negative: "none" is min().
double seconds_of(fs::file_time_type t) {
  if (t == fs::file_time_type{} || t == fs::file_time_type::min()) return 0.0;
  const auto sys = std::chrono::time_point_cast<std::chrono::system_clock::duration>(
      t - fs::file_time_type::clock::now() + std::chrono::system_clock::now());
  return std::chrono::duration<double>(sys.time_since_epoch()).count();
}

bool is_dir(const fs::path& p) {
  std::error_code ec;
  return fs::is_directory(p, ec);
}

// Immediate entries of `dir` whose name satisfies pred (bounded).
template <typename Pred>
std::vector<fs::path> entries(const fs::path& dir, Pred pred) {
  return list_dir(dir, [&](const fs::directory_entry& e) { return pred(e.path().filename().string()); });
}

// The newest tfevents file of a directory (by modification time), or 0.
fs::file_time_type newest_tfevents(const fs::path& dir, std::size_t* count) {
  fs::file_time_type best = fs::file_time_type::min();
  *count = 0;
  for (const fs::path& f : entries(dir, [](const std::string& n) { return n.find("tfevents") != std::string::npos; })) {
    if (!is_file(f)) continue;
    ++*count;
    best = std::max(best, mtime_of(f));
  }
  return best;
}

std::optional<std::int64_t> number_after(const std::string& name, std::string_view prefix) {
  if (!name.starts_with(prefix)) return std::nullopt;
  std::int64_t v = 0;
  const char* b = name.data() + prefix.size();
  const char* e = name.data() + name.size();
  auto [p, ec] = std::from_chars(b, e, v);
  if (ec != std::errc() || p != e) return std::nullopt;
  return v;
}

struct Found {
  std::string kind;  // one source per kind and root
  DiscoveredSource src;
  fs::file_time_type mtime = fs::file_time_type::min();
};

class Finder {
 public:
  explicit Finder(std::vector<Found>* out) : out_(out) {}

  void add(const std::string& kind, const fs::path& p, MetricsFormat f, std::string why, fs::file_time_type t) {
    for (Found& x : *out_) {
      if (x.src.path == p.string()) return;
      if (x.kind == kind) {
        if (t <= x.mtime) return;  // keep the newest of a kind
        x = Found{kind, {p.string(), f, std::move(why), seconds_of(t), {}, false}, t};
        return;
      }
    }
    out_->push_back(Found{kind, {p.string(), f, std::move(why), seconds_of(t), {}, false}, t});
  }

  // The usual places under one root (the run dir or the working directory).
  void root(const fs::path& dir, const std::string& label, int depth = 0) {
    for (const char* name : {"metrics.jsonl", "agent_metrics.jsonl"}) {
      if (fs::path f = dir / name; is_file(f))
        add(name, f, MetricsFormat::kJsonl, std::string(name) + " in " + label, mtime_of(f));
    }
    wandb(dir, label);
    lightning(dir, label);
    tensorboard(dir, label);
    mlflow(dir, label);
    trainer_state(dir, label, depth);
    // detectron2 metrics.json (here or output/), SB3 progress.csv.
    for (const fs::path& f : {dir / "metrics.json", dir / "output" / "metrics.json"}) {
      if (is_file(f))
        add("detectron2", f, MetricsFormat::kDetectron2, "detectron2 metrics.json in " + label, mtime_of(f));
    }
    if (fs::path f = dir / "progress.csv"; is_file(f))
      add("sb3", f, MetricsFormat::kSb3ProgressCsv, "SB3 progress.csv in " + label, mtime_of(f));
    if (fs::path f = dir / "metrics.csv"; is_file(f))
      add("csv", f, MetricsFormat::kLightningCsv, "metrics.csv in " + label, mtime_of(f));
    if (depth == 0) hydra(dir, label);
  }

 private:
  // W&B: latest-run, else the newest run.
  void wandb(const fs::path& dir, const std::string& label) {
    std::vector<Candidate> c;
    const fs::path latest = dir / "wandb" / "latest-run";
    for (const fs::path& f : {latest / "files" / "wandb-history.jsonl", latest / "wandb-history.jsonl"}) {
      if (is_file(f)) {
        add("wandb", f, MetricsFormat::kWandbHistory, "W&B wandb/latest-run in " + label, mtime_of(f));
        break;
      }
    }
    add_wandb_runs(dir / "wandb", &c);
    if (const Candidate* n = newest(c))
      add("wandb", n->path, n->format, n->kind + " (newest of " + std::to_string(c.size()) + ") in " + label, n->mtime);
  }

  // Lightning: the highest version_N under lightning_logs/ (and <name>/version_N).
  void lightning(const fs::path& dir, const std::string& label) {
    std::vector<fs::path> roots = {dir / "lightning_logs", dir};
    std::optional<std::int64_t> best;
    fs::path best_dir;
    for (const fs::path& r : roots) {
      for (const fs::path& d : subdirs(r)) {
        auto v = version_number(d.filename().string());
        if (v && (!best || *v > *best)) {
          best = v;
          best_dir = d;
        }
      }
    }
    if (best) {
      const std::string why = "Lightning " + best_dir.filename().string() + " (highest version) in " + label;
      if (fs::path f = best_dir / "metrics.csv"; is_file(f))
        add("lightning_csv", f, MetricsFormat::kLightningCsv, "CSVLogger metrics.csv of " + why, mtime_of(f));
      std::size_t n = 0;
      if (auto t = newest_tfevents(best_dir, &n); n > 0)
        add("lightning_tb", best_dir, MetricsFormat::kTfEvents, "TensorBoardLogger events of " + why, t);
    }
  }

  // TensorBoard: the directory itself, runs/*/ (HF Trainer), tb/ and logs/ (newest directory).
  void tensorboard(const fs::path& dir, const std::string& label) {
    std::size_t n = 0;
    if (auto t = newest_tfevents(dir, &n); n > 0)
      add("tfevents", dir, MetricsFormat::kTfEvents, std::to_string(n) + " tfevents file(s) in " + label, t);
    for (const char* sub : {"runs", "tb", "logs", "tensorboard"}) {
      if (auto t = newest_tfevents(dir / sub, &n); n > 0)
        add("tfevents", dir / sub, MetricsFormat::kTfEvents, std::string(sub) + "/ tfevents in " + label, t);
      for (const fs::path& d : subdirs(dir / sub)) {
        if (auto t2 = newest_tfevents(d, &n); n > 0)
          add("tfevents", d, MetricsFormat::kTfEvents,
              std::string(sub) + "/" + d.filename().string() + " tfevents (newest run directory) in " + label, t2);
      }
    }
  }

  // MLflow: mlruns/<exp>/<run> with metrics/ (newest by its metrics/ directory).
  void mlflow(const fs::path& dir, const std::string& label) {
    for (const fs::path& exp : subdirs(dir / "mlruns")) {
      for (const fs::path& run : subdirs(exp)) {
        if (fs::path m = run / "metrics"; is_dir(m)) {
          // Values are appended to metrics/<key> files: the newest of those dates the run.
          fs::file_time_type t = mtime_of(m);
          for (const fs::path& k : entries(m, [](const std::string&) { return true; })) t = std::max(t, mtime_of(k));
          add("mlflow", run, MetricsFormat::kMlflow,
              "MLflow run " + exp.filename().string() + "/" + run.filename().string() + " (newest) in " + label, t);
        }
      }
    }
  }

  // HF: trainer_state.json of the highest checkpoint-N (here and one level down: output_dir), or the final one.
  void trainer_state(const fs::path& dir, const std::string& label, int depth) {
    std::optional<std::int64_t> best;
    fs::path best_file;
    auto scan = [&](const fs::path& d) {
      for (const fs::path& c : subdirs(d)) {
        auto v = number_after(c.filename().string(), "checkpoint-");
        if (!v || (best && *v <= *best)) continue;
        if (fs::path f = c / "trainer_state.json"; is_file(f)) {
          best = v;
          best_file = f;
        }
      }
    };
    scan(dir);
    if (depth == 0) {
      for (const fs::path& d : subdirs(dir)) {
        const std::string n = d.filename().string();
        if (!n.starts_with("checkpoint-") && n != "wandb" && n != "mlruns" && n != "lightning_logs") scan(d);
      }
    }
    if (best)
      add("trainer_state", best_file, MetricsFormat::kHfTrainerState,
          "HF trainer_state.json of checkpoint-" + std::to_string(*best) + " (highest) in " + label,
          mtime_of(best_file));
    if (fs::path f = dir / "trainer_state.json"; is_file(f))
      add("trainer_state", f, MetricsFormat::kHfTrainerState, "HF trainer_state.json in " + label, mtime_of(f));
  }

  // Hydra: outputs/<date>/<time>/ (the newest two levels down).
  void hydra(const fs::path& dir, const std::string& label) {
    fs::path newest_out;
    fs::file_time_type t = fs::file_time_type::min();
    for (const fs::path& d1 : subdirs(dir / "outputs")) {
      for (const fs::path& d2 : subdirs(d1)) {
        if (auto m = mtime_of(d2); m > t) {
          t = m;
          newest_out = d2;
        }
      }
      if (auto m = mtime_of(d1); m > t && subdirs(d1).empty()) {
        t = m;
        newest_out = d1;
      }
    }
    if (!newest_out.empty()) root(newest_out, label + " outputs/" + rel(newest_out, dir / "outputs"), 1);
  }

  std::vector<Found>* out_;
};

}  // namespace

std::vector<DiscoveredSource> discover_metrics_sources(const std::string& run_dir, const std::string& work_dir,
                                                       const DiscoverOptions& options) {
  std::vector<Found> found;
  std::vector<std::pair<fs::path, std::string>> roots;
  if (!run_dir.empty()) roots.emplace_back(run_dir, "the run directory");
  if (!work_dir.empty()) {
    std::error_code ec;
    const bool same = !run_dir.empty() && fs::equivalent(fs::path(run_dir), fs::path(work_dir), ec);
    if (!same) roots.emplace_back(work_dir, "the working directory");
  }
  for (const auto& [dir, label] : roots) {
    if (is_file(dir)) {
      const MetricsFormat f = metrics_format_for_path(dir.string());
      found.push_back(Found{"file:" + dir.string(),
                            {dir.string(), f, "given a file; format " + std::string(to_string(f)) + " from its name",
                             seconds_of(mtime_of(dir)), "file", label == "the working directory"},
                            mtime_of(dir)});
      continue;
    }
    if (!is_dir(dir)) continue;
    // Kinds are per root: the same kind in the run dir and in the working directory are both kept.
    std::vector<Found> local;
    Finder f2(&local);
    f2.root(dir, label);
    for (Found& x : local) {
      bool dup = false;
      for (const Found& y : found) dup = dup || y.src.path == x.src.path;
      x.src.kind = x.kind + " in " + label;
      x.src.in_work_dir = label == "the working directory";
      if (!dup) found.push_back(std::move(x));
    }
  }
  std::stable_sort(found.begin(), found.end(), [](const Found& a, const Found& b) { return a.mtime > b.mtime; });
  std::vector<DiscoveredSource> out;
  for (Found& x : found) {
    if (out.size() >= options.max_sources) break;
    out.push_back(std::move(x.src));
  }
  return out;
}

std::string no_metrics_message(const std::string& run_dir, const std::string& work_dir, double seconds) {
  std::string where = run_dir.empty() ? std::string() : run_dir;
  if (!work_dir.empty() && work_dir != run_dir) where += (where.empty() ? "" : " and ") + work_dir;
  char secs[32];
  std::snprintf(secs, sizeof secs, "%.0f", seconds);
  return std::string("no metric row after ") + secs + " s: looked in " + (where.empty() ? "(nowhere)" : where) +
         " for metrics.jsonl, agent_metrics.jsonl, wandb/latest-run, lightning_logs/version_*/, runs/*/ tfevents, "
         "mlruns/, checkpoint-*/trainer_state.json, metrics.json, progress.csv, outputs/, and for metric lines "
         "({'loss': ...} dicts, key=value) in the output; point sidecar at the file with --metrics PATH or "
         "SIDECAR_METRICS_FILE=PATH";
}

}  // namespace sidecar
