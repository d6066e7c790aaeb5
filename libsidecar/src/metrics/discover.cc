// discover_metrics: which metrics file of a run directory to follow, and why.
//
// Precedence (the first kind present wins): metrics.jsonl, agent_metrics.jsonl,
// W&B history (newest run), Lightning CSVLogger (highest version), SB3
// progress.csv. Only a few directory levels are listed, each bounded.
#include <algorithm>
#include <charconv>
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

// Immediate subdirectories of `dir` (bounded, sorted by name).
std::vector<fs::path> subdirs(const fs::path& dir) {
  std::vector<fs::path> out;
  std::error_code ec;
  fs::directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec);
  if (ec) return out;
  std::size_t seen = 0;
  for (; it != fs::directory_iterator(); it.increment(ec)) {
    if (ec || ++seen > kMaxEntries) break;
    std::error_code ec2;
    if (it->is_directory(ec2)) out.push_back(it->path());
  }
  std::sort(out.begin(), out.end());
  return out;
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

}  // namespace

Result<DiscoveredSource> discover_metrics(const std::string& run_dir) {
  const fs::path dir(run_dir);
  std::error_code ec;
  const fs::file_status st = fs::status(dir, ec);
  if (ec || !fs::exists(st)) return Status(StatusCode::kNotFound, run_dir + ": no such directory (yet)");
  if (fs::is_regular_file(st)) {
    MetricsFormat f = metrics_format_for_path(run_dir);
    return DiscoveredSource{run_dir, f, "given a file; format " + std::string(to_string(f)) + " from its name"};
  }
  if (!fs::is_directory(st)) return Status(StatusCode::kNotFound, run_dir + ": not a directory or a file");

  struct Kind {
    std::string what;
    std::vector<Candidate> found;
  };
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

}  // namespace sidecar
