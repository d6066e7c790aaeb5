// Command-line flags for sidecar-cli: one table per command defines every
// flag; parsing, "did you mean" and --help are generated from it.
#pragma once

#include <cstdio>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sidecar/core/types.h"
#include "sidecar/status.h"

namespace sidecar::cli {

struct FlagSpec {
  std::string_view name;     // long name without dashes: "fail-on"
  char short_name = 0;       // 'f', or 0
  std::string_view metavar;  // "SEVERITY" for a flag with a value; "" for a switch
  std::string_view help;     // one line
  bool repeatable = false;   // may be given more than once (values accumulate)
};

class ParsedFlags {
 public:
  bool has(std::string_view name) const;
  // The last value given for a flag, or nullopt.
  std::optional<std::string> get(std::string_view name) const;
  std::string get_or(std::string_view name, std::string_view fallback) const;
  // Every value given for a repeatable flag, in order.
  std::vector<std::string> get_all(std::string_view name) const;
  // A numeric flag: nullopt when absent; an error Status when not a number.
  Result<std::optional<double>> number(std::string_view name) const;

  std::vector<std::string> positional;  // arguments that are not flags
  std::vector<std::string> rest;        // everything after "--"
  bool help = false;                    // -h / --help was given

  std::vector<std::pair<std::string, std::string>> values_;  // (name, value); switches have ""
};

// Rows several commands share word for word.
inline constexpr FlagSpec kPlaybookFlag = {"playbook", 'p', "FILE", "playbook merged over the default"};
inline constexpr FlagSpec kProfileFlag = {"profile", 0, "PROFILE",
                                          "pin the workload profile: generic, supervised, reinforcement_learning"};
inline constexpr FlagSpec kFormatFlag = {"format", 'f', "FORMAT", "text (default) or jsonl (one record per line)"};
inline constexpr FlagSpec kFailOnFlag = {"fail-on", 0, "SEVERITY",
                                         "exit 1 when an alert is at or above this: info, warning (default), critical"};

// One flag table made of several, in order (a command's own flags and shared ones).
std::vector<FlagSpec> join_flags(std::initializer_list<std::span<const FlagSpec>> parts);

// Parses args against specs. "--name value", "--name=value", "-x value",
// "--" ends flags. Unknown flags fail with a did-you-mean.
Result<ParsedFlags> parse_flags(std::span<const FlagSpec> specs, std::span<const std::string> args);

// --format: "text" (default) or "jsonl" (also "human" / "json"); true for jsonl.
// Errors: kInvalidArgument.
Result<bool> jsonl_format(const ParsedFlags& flags);

// --fail-on: info | warning (the default) | critical. Errors: kInvalidArgument.
Result<Severity> fail_on_severity(const ParsedFlags& flags);

// A command's help page and flags.
struct CommandHelp {
  std::string_view usage;
  std::string_view summary;
  std::span<const FlagSpec> flags;
  // No positional argument (a show|check command without its verb): the
  // page goes to stderr and the command exits 2.
  bool needs_positional = false;
  // A command that takes exactly one positional argument names it here (RUN_DIR, RUNS.json, METRICS): any other
  // count is kInvalidArgument "expected one WHAT argument (see --help)" before the body runs.
  std::string_view one_positional = {};
  // The page's "Exit status: ..." line (kFindingsExit for the commands that judge findings).
  std::string_view exit_status = {};
};

// The exit statuses of scan, replay and watch (and the top-level page).
inline constexpr std::string_view kFindingsExit = "0 nothing at or above --fail-on, 1 findings, 2 error";

// "usage: ...\n\nsummary\nExit status: ...\n\noptions:\n  -f, --fail-on SEVERITY  help\n..."
std::string format_help(const CommandHelp& help);

// Every command's opening: parses `args` against help.flags, prints the help
// page for -h/--help (exit 0), else returns body(flags).
Result<int> run_command(const CommandHelp& help, std::span<const std::string> args,
                        Result<int> (*body)(const ParsedFlags& flags));

// "unknown subcommand 'X' (did you mean 'Y'?)" for a show|check command.
Status unknown_subcommand(std::string_view sub, std::vector<std::string> known);

// --format and --fail-on, the pair every reporting command reads (in that order).
struct OutputFlags {
  bool jsonl = false;
  Severity fail_on = Severity::kWarning;
};
// Errors: kInvalidArgument, from jsonl_format() or fail_on_severity().
Result<OutputFlags> output_flags(const ParsedFlags& flags);

}  // namespace sidecar::cli
