// sidecar-cli report RUN_DIR: writes the run's self-contained HTML report
// (report.h) and prints its path.
#include <cstdio>
#include <string>

#include "commands/commands.h"
#include "flags.h"
#include "output.h"
#include "sidecar/report.h"

namespace sidecar::cli {
namespace {

constexpr FlagSpec kFlags[] = {
    {"output", 'o', "FILE", "where to write the report (default RUN_DIR/sidecar/report.html)"},
    {"metrics", 'm', "FILE", "the metrics file (default: discovered in RUN_DIR)"},
    {"log", 0, "FILE", "the run's log for excerpts (default RUN_DIR/run.log)"},
    {"history", 0, "FILE", "history file: compare the run with its baseline"},
    {"title", 0, "TEXT", "the report's title"},
    {"max-points", 0, "N", "buckets per curve (each draws up to 4 points; default 500)"},
};

constexpr CommandHelp kHelp = {
    .usage = "sidecar-cli report [options] RUN_DIR",
    .summary =
        "Write one self-contained HTML file (no network, no scripts) with the run's curves,\n"
        "its alerts marked at their steps, an incident timeline with log excerpts, the\n"
        "comparison with the baseline from history and the run's facts.",
    .flags = kFlags,
    .one_positional = "RUN_DIR"};

Result<int> report_main(const ParsedFlags& flags) {
  RunReportInputs in;
  in.run_dir = flags.positional[0];
  in.metrics_path = flags.get_or("metrics", "");
  in.log_path = flags.get_or("log", "");
  in.history_path = flags.get_or("history", "");
  in.options.title = flags.get_or("title", "");
  auto points = flags.number("max-points");
  if (!points) return points.status();
  if (*points) {
    double v = **points;
    if (!(v >= 10 && v <= 100000))
      return Status(StatusCode::kInvalidArgument, "--max-points: expected a number from 10 to 100000");
    in.options.max_buckets = static_cast<std::size_t>(v);
  }
  std::string out = flags.get_or("output", in.run_dir + "/sidecar/report.html");
  auto written = write_run_report(in, out);
  if (!written) return written.status();
  write_line(stdout, *written);
  return kExitOk;
}

}  // namespace

Result<int> cmd_report(Args args) { return run_command(kHelp, args, report_main); }

}  // namespace sidecar::cli
