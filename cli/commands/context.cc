// sidecar-cli context RUNS.json: renders the orchestrator's experiment context
// ("Wild Loop") from research-agent run records (context.h).
#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <variant>

#include "commands/commands.h"
#include "flags.h"
#include "output.h"
#include "sidecar/context.h"
#include "sidecar/core/detectors/common.h"

namespace sidecar::cli {
namespace {

// --max-active and --max-failed set fields of OptionTable<ContextOptions>
// (context.h): their help, default and bounds are read from there.
const OptionField<ContextOptions>& context_field(std::string_view name) {
  for (const auto& f : OptionTable<ContextOptions>::fields)
    if (f.name == name) return f;
  std::abort();  // a name below that is not in the table: caught by any run of the command
}

std::string count_help(std::string_view name) {
  auto member = std::get<std::size_t ContextOptions::*>(context_field(name).member);
  return std::string(context_field(name).why) + " (default " + std::to_string(ContextOptions{}.*member) + ")";
}

const std::string kMaxActiveHelp = count_help("max_active");
const std::string kMaxFailedHelp = count_help("max_failed");
const FlagSpec kFlags[] = {
    {"max-active", 0, "N", kMaxActiveHelp},
    {"max-failed", 0, "N", kMaxFailedHelp},
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

// Sets the field `name` from its flag (--max-active for max_active): a whole
// number within the field's bounds.
Status set_count(const ParsedFlags& flags, std::string_view name, ContextOptions* options) {
  std::string flag(name);
  std::replace(flag.begin(), flag.end(), '_', '-');
  auto v = flags.number(flag);
  if (!v) return v.status();
  if (!*v) return Status::Ok();
  const OptionField<ContextOptions>& f = context_field(name);
  double d = **v;
  if (!(d >= f.bounds.min) || d > f.bounds.max || d != std::floor(d))
    return Status(StatusCode::kInvalidArgument, "--" + flag + ": expected a whole number " +
                                                    detail::fmt_num(f.bounds.min) + ".." +
                                                    detail::fmt_num(f.bounds.max));
  options->*std::get<std::size_t ContextOptions::*>(f.member) = static_cast<std::size_t>(d);
  return Status::Ok();
}

const CommandHelp kHelp = {.usage = "sidecar-cli context [options] RUNS.json",
                           .summary =
                               "Render the orchestrator's experiment context from research-agent run records\n"
                               "(a JSON array of runs, or {\"runs\": [...]}; '-' reads stdin).",
                           .flags = kFlags,
                           .one_positional = "RUNS.json"};

Result<int> context_main(const ParsedFlags& flags) {
  ContextOptions options;
  for (std::string_view name : {"max_active", "max_failed"})
    if (Status st = set_count(flags, name, &options); !st.ok()) return st;
  const std::string& path = flags.positional[0];
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
