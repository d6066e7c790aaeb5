// sidecar-cli context RUNS.json: renders the orchestrator's experiment context
// ("Wild Loop") from research-agent run records (context.h).
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include "commands/commands.h"
#include "flags.h"
#include "output.h"
#include "sidecar/context.h"

namespace sidecar::cli {
namespace {

constexpr FlagSpec kFlags[] = {
    {"max-active", 0, "N", "active runs listed (default 5)"},
    {"max-failed", 0, "N", "failed runs listed (default 3)"},
};

Result<std::string> read_input(const std::string& path) {
  std::FILE* f = path == "-" ? stdin : std::fopen(path.c_str(), "rb");
  if (f == nullptr) return errno_status(errno, path);
  std::string text;
  char buf[65536];
  std::size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) {
    text.append(buf, n);
    if (text.size() > (std::size_t{256} << 20)) {
      if (f != stdin) std::fclose(f);
      return Status(StatusCode::kResourceExhausted, path + ": larger than 256 MiB");
    }
  }
  bool err = std::ferror(f) != 0;
  if (f != stdin) std::fclose(f);
  if (err) return Status(StatusCode::kIoError, path + ": read error");
  return text;
}

Result<std::size_t> count_flag(const ParsedFlags& flags, std::string_view name, std::size_t fallback) {
  auto v = flags.number(name);
  if (!v) return v.status();
  if (!*v) return fallback;
  double d = **v;
  if (!(d >= 0) || d > 1000 || d != static_cast<double>(static_cast<long>(d)))
    return Status(StatusCode::kInvalidArgument, "--" + std::string(name) + ": expected a whole number 0..1000");
  return static_cast<std::size_t>(d);
}

constexpr CommandHelp kHelp = {"sidecar-cli context [options] RUNS.json",
                               "Render the orchestrator's experiment context from research-agent run records\n"
                               "(a JSON array of runs, or {\"runs\": [...]}; '-' reads stdin).",
                               kFlags};

Result<int> context_main(const ParsedFlags& flags) {
  auto runs_file = one_positional(flags, "RUNS.json");
  if (!runs_file) return runs_file.status();
  ContextOptions options;
  auto max_active = count_flag(flags, "max-active", options.max_active);
  if (!max_active) return max_active.status();
  auto max_failed = count_flag(flags, "max-failed", options.max_failed);
  if (!max_failed) return max_failed.status();
  options.max_active = *max_active;
  options.max_failed = *max_failed;
  const std::string& path = *runs_file;
  auto text = read_input(path);
  if (!text) return text.status();
  auto runs = parse_run_records(*text, path == "-" ? "<stdin>" : path);
  if (!runs) return runs.status();
  std::string out = render_experiment_context(*runs, options);
  std::fwrite(out.data(), 1, out.size(), stdout);
  std::fflush(stdout);
  return kExitOk;
}

}  // namespace

Result<int> cmd_context(Args args) { return run_command(kHelp, args, context_main); }

}  // namespace sidecar::cli
