// sidecar-cli history — the cross-run memory.
//
//   sidecar-cli history show [--history F] [--command CMD] [--format text|jsonl] [--limit N]
//   sidecar-cli history baseline --command CMD [--history F] [--format text|jsonl]
//
// The default file is the playbook's history.path (.sidecar/history.jsonl).
// `show` lists rows (only those of CMD's fingerprint with --command), newest
// last; `baseline` prints the medians over finished runs of CMD with the
// sample size. Corrupt lines are skipped and reported on stderr. Runs
// registered as live in this history whose supervisor vanished are first
// written as lost (lost_runs.h).
#include <cstdio>
#include <ctime>
#include <string>

#include "commands/commands.h"
#include "flags.h"
#include "output.h"
#include "sidecar/core/detail/json_writer.h"
#include "sidecar/core/detail/strings.h"
#include "sidecar/detail/iso8601.h"
#include "sidecar/history.h"
#include "sidecar/lost_runs.h"
#include "sidecar/playbook.h"

namespace sidecar::cli {

namespace {

constexpr FlagSpec kHistoryFlags[] = {
    {"history", 0, "FILE", "history file (default: the playbook's history.path)"},
    {"command", 'c', "CMD", "only runs of this command (same fingerprint)"},
    kFormatFlag,
    {"limit", 'n', "N", "show: at most the newest N rows (default 50)"},
    {"playbook", 'p', "FILE", "playbook merged over the default (history masks, min_samples)"},
};

std::string pad(std::string s, std::size_t n) { return s.size() >= n ? s + " " : s + std::string(n - s.size(), ' '); }

std::string num(std::optional<double> v) { return v ? detail::fmt_num(*v) : "-"; }

// Runs of this history whose supervisor vanished (SIGKILLed): their rows are
// written as lost before the history is read; each is named on stderr.
void report_lost_runs(const std::string& path, const HistoryOptions& hopt) {
  auto reaped = reap_lost_runs(path, hopt);
  if (!reaped) print_warning(reaped.status().message());
  for (const auto& line : reaped ? *reaped : std::vector<std::string>{}) print_warning(line);
}

// history show: the last --limit rows (default 50), of --command's runs when given.
Result<int> history_show(const ParsedFlags& flags, const HistoryFile& file, const std::string& path,
                         const std::optional<std::string>& fp, bool jsonl) {
  auto limit = flags.number("limit");
  if (!limit) return limit.status();
  std::size_t n = limit->has_value() && **limit >= 0 ? static_cast<std::size_t>(**limit) : 50;
  std::vector<const HistoryRow*> rows;
  for (const auto& r : file.rows)
    if (!fp || r.command_fingerprint == *fp) rows.push_back(&r);
  std::size_t from = rows.size() > n ? rows.size() - n : 0;
  if (!jsonl && rows.empty()) {
    write_line(stdout, path + ": no runs" + std::string(fp ? " of this command" : ""));
    return kExitOk;
  }
  if (!jsonl)
    write_line(stdout, pad("time", 21) + pad("run_id", 20) + pad("status", 10) + pad("profile", 23) +
                           pad("fingerprint", 17) + pad("throughput", 11) + "val_acc_best");
  for (std::size_t i = from; i < rows.size(); ++i) {
    const HistoryRow& r = *rows[i];
    if (jsonl) {
      write_line(stdout, history_row_to_json(r));
    } else {
      write_line(stdout, pad(detail::format_iso8601(r.timestamp, /*with_ms=*/false), 21) + pad(r.run_id, 20) +
                             pad(r.status, 10) + pad(std::string(to_string(r.profile)), 23) +
                             pad(r.command_fingerprint, 17) + pad(num(r.get("throughput")), 11) +
                             num(r.get("val_accuracy_best")));
    }
  }
  return kExitOk;
}

// history baseline: the medians of the finished runs with fingerprint `fp`.
int history_baseline(const HistoryFile& file, const std::string& fp, const HistoryOptions& hopt, bool jsonl) {
  Baseline b = compute_baseline(file.rows, fp, hopt);
  std::size_t matched = 0;
  for (const auto& r : file.rows) matched += r.status == "finished" && r.command_fingerprint == fp ? 1 : 0;
  if (jsonl) {
    detail::JsonWriter w;
    w.begin_object().key("type").value("baseline").key("command_fingerprint").value(fp);
    w.key("finished_runs").value(static_cast<std::uint64_t>(matched));
    w.key("min_samples").value(hopt.min_samples);
    w.key("runs").value(static_cast<std::uint64_t>(b.runs));
    w.key("throughput").value(b.throughput).key("throughput_n").value(static_cast<std::uint64_t>(b.throughput_n));
    w.key("val_accuracy_best")
        .value(b.val_accuracy_best)
        .key("val_accuracy_n")
        .value(static_cast<std::uint64_t>(b.val_accuracy_n));
    w.end_object();
    write_line(stdout, w.take());
  } else if (b.empty()) {
    write_line(stdout, "no baseline for " + fp + ": " + std::to_string(matched) + " finished run(s), " +
                           std::to_string(hopt.min_samples) + " needed");
  } else {
    write_line(stdout,
               "baseline for " + fp + " (" + std::to_string(b.runs) + " finished run" + (b.runs == 1 ? "" : "s") + ")");
    write_line(stdout,
               "  throughput         " + num(b.throughput) + "  (median of " + std::to_string(b.throughput_n) + ")");
    write_line(stdout, "  val_accuracy_best  " + num(b.val_accuracy_best) + "  (median of " +
                           std::to_string(b.val_accuracy_n) + ")");
  }
  return kExitOk;
}

constexpr CommandHelp kHelp = {"sidecar-cli history show|baseline [options]",
                               "show: list the run history; baseline: the medians of finished runs of --command.",
                               kHistoryFlags, true};

Result<int> history_main(const ParsedFlags& flags) {
  auto jsonl = jsonl_format(flags);
  if (!jsonl) return jsonl.status();
  auto pb = load_playbook(flags.get_or("playbook", ""));
  if (!pb) return pb.status();
  print_playbook_notices(*pb);
  const HistoryOptions& hopt = pb->history;
  std::string path = flags.get_or("history", hopt.path);
  report_lost_runs(path, hopt);
  auto file = read_history(path);
  if (!file) return file.status();
  if (file->corrupt_lines)
    print_warning(path + ": " + std::to_string(file->corrupt_lines) + " corrupt line(s) skipped");
  std::optional<std::string> fp;
  if (auto c = flags.get("command")) fp = command_fingerprint(*c, hopt.masks);

  const std::string& sub = flags.positional[0];
  if (sub == "show") return history_show(flags, *file, path, fp, *jsonl);
  if (sub == "baseline") {
    if (!fp) return Status(StatusCode::kInvalidArgument, "baseline: --command CMD is required");
    return history_baseline(*file, *fp, hopt, *jsonl);
  }
  return unknown_subcommand(sub, {"show", "baseline"});
}

}  // namespace

Result<int> cmd_history(Args args) { return run_command(kHelp, args, history_main); }

}  // namespace sidecar::cli
