// sidecar-cli playbook — show the effective playbook, or check a playbook file.
//
//   sidecar-cli playbook show [--playbook F]     # the default merged with F, as YAML
//   sidecar-cli playbook show --format md        # every option table (docs/playbook.md)
//   sidecar-cli playbook check FILE              # exit 0 when valid, 2 with located errors
//
// Errors read "sidecar-cli: FILE:LINE:COL: section.key: what (did you mean ...?)",
// one per line, on stderr.
#include <cstdio>
#include <string>

#include "commands/commands.h"
#include "flags.h"
#include "output.h"
#include "sidecar/core/detail/strings.h"
#include "sidecar/playbook.h"
#include "sidecar/session.h"

namespace sidecar::cli {

namespace {

constexpr FlagSpec kPlaybookFlags[] = {
    {"playbook", 'p', "FILE", "playbook merged over the default (show)"},
    {"format", 0, "FMT", "show: yaml (default) or md (every option table: key, default, bounds, why)"},
};

int print_errors(const Status& s) {
  for (std::string_view line : detail::split(s.message(), '\n'))
    if (!line.empty()) print_error(line);
  return kExitError;
}

constexpr CommandHelp kHelp = {"sidecar-cli playbook show [--playbook F] | sidecar-cli playbook check FILE",
                               "show: print the effective playbook (the embedded default merged with F) as YAML.\n"
                               "check: validate FILE; exit 0 when valid, 2 with file:line:col errors.",
                               kPlaybookFlags, true};

Result<int> playbook_main(const ParsedFlags& flags) {
  const std::string& sub = flags.positional[0];
  if (sub == "show") {
    if (flags.positional.size() > 1)
      return Status(StatusCode::kInvalidArgument, "show takes no FILE; use --playbook FILE");
    std::string format = flags.get_or("format", "yaml");
    if (format != "yaml" && format != "md")
      return Status(StatusCode::kInvalidArgument, "--format: expected yaml or md, got '" + format + "'");
    auto pb = load_playbook(flags.get_or("playbook", ""));
    if (!pb) return print_errors(pb.status());
    if (Status s = check_session_sections(pb->tree); !s.ok()) return print_errors(s);
    print_playbook_notices(*pb);
    if (format == "md") {
      std::string md = options_markdown(*pb);
      std::fwrite(md.data(), 1, md.size(), stdout);
      return kExitOk;
    }
    std::string yaml = "# effective sidecar playbook";
    if (auto f = flags.get("playbook")) yaml += " (default + " + *f + ")";
    yaml += "\n" + playbook_to_yaml(pb->tree);
    std::fwrite(yaml.data(), 1, yaml.size(), stdout);
    return kExitOk;
  }
  if (sub == "check") {
    if (flags.positional.size() != 2) return Status(StatusCode::kInvalidArgument, "check: expected one FILE");
    const std::string& file = flags.positional[1];
    auto pb = load_playbook(file);
    if (!pb) return print_errors(pb.status());
    if (Status s = check_session_sections(pb->tree); !s.ok()) return print_errors(s);
    print_playbook_notices(*pb);
    std::size_t enabled = 0;
    for (const auto& s : pb->logs.syndromes) enabled += s.enabled ? 1 : 0;
    write_line(stdout, file + ": ok (" + std::to_string(enabled) + " log syndromes enabled)");
    return kExitOk;
  }
  return unknown_subcommand(sub, {"show", "check"});
}

}  // namespace

void print_playbook_notices(const Playbook& pb) {
  for (const std::string& n : pb.notices) write_line(stderr, "sidecar-cli: note: " + n);
}

Result<int> cmd_playbook(Args args) { return run_command(kHelp, args, playbook_main); }

}  // namespace sidecar::cli
