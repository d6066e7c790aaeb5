#include "flags.h"

#include <algorithm>

#include "output.h"
#include "sidecar/core/detail/strings.h"

namespace sidecar::cli {

bool ParsedFlags::has(std::string_view name) const {
  return std::any_of(values_.begin(), values_.end(), [&](const auto& kv) { return kv.first == name; });
}

std::optional<std::string> ParsedFlags::get(std::string_view name) const {
  for (auto it = values_.rbegin(); it != values_.rend(); ++it)
    if (it->first == name) return it->second;
  return std::nullopt;
}

std::string ParsedFlags::get_or(std::string_view name, std::string_view fallback) const {
  auto v = get(name);
  return v ? *v : std::string(fallback);
}

std::vector<std::string> ParsedFlags::get_all(std::string_view name) const {
  std::vector<std::string> out;
  for (const auto& [k, v] : values_)
    if (k == name) out.push_back(v);
  return out;
}

Result<std::optional<double>> ParsedFlags::number(std::string_view name) const {
  auto v = get(name);
  if (!v) return std::optional<double>();
  auto n = detail::parse_number(*v);
  if (!n || !std::isfinite(*n))
    return Status(StatusCode::kInvalidArgument, "--" + std::string(name) + ": expected a number, got '" + *v + "'");
  return std::optional<double>(*n);
}

Result<ParsedFlags> parse_flags(std::span<const FlagSpec> specs, std::span<const std::string> args) {
  ParsedFlags out;
  auto unknown = [&](std::string_view flag) {
    std::vector<std::string> names;
    for (const auto& s : specs) names.push_back(std::string(s.name));
    names.emplace_back("help");
    std::string bare(flag.substr(flag.find_first_not_of('-')));
    std::string msg = "unknown flag '" + std::string(flag) + "'";
    std::string guess = detail::did_you_mean(bare, names);
    if (!guess.empty()) msg += " (did you mean '--" + guess + "'?)";
    return Status(StatusCode::kInvalidArgument, msg);
  };
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--") {
      out.rest.assign(args.begin() + static_cast<std::ptrdiff_t>(i) + 1, args.end());
      break;
    }
    if (a == "-h" || a == "--help") {
      out.help = true;
      continue;
    }
    if (a.size() < 2 || a[0] != '-' || a == "-") {
      out.positional.push_back(a);
      continue;
    }
    const FlagSpec* spec = nullptr;
    std::optional<std::string> inline_value;
    if (a[1] == '-') {
      std::string_view body = std::string_view(a).substr(2);
      std::size_t eq = body.find('=');
      std::string_view name = body.substr(0, eq);
      if (eq != std::string_view::npos) inline_value = std::string(body.substr(eq + 1));
      for (const auto& s : specs)
        if (s.name == name) spec = &s;
    } else if (a.size() == 2) {
      for (const auto& s : specs)
        if (s.short_name == a[1]) spec = &s;
    } else if (a.size() > 2 && a[0] == '-' && (std::isdigit(static_cast<unsigned char>(a[1])) || a[1] == '.')) {
      out.positional.push_back(a);  // a negative number
      continue;
    }
    if (!spec) return unknown(a);
    std::string value;
    if (!spec->metavar.empty()) {
      if (inline_value) {
        value = *inline_value;
      } else {
        if (i + 1 >= args.size())
          return Status(StatusCode::kInvalidArgument,
                        "--" + std::string(spec->name) + " needs a value (" + std::string(spec->metavar) + ")");
        value = args[++i];
      }
    } else if (inline_value) {
      return Status(StatusCode::kInvalidArgument, "--" + std::string(spec->name) + " takes no value");
    }
    if (!spec->repeatable && !spec->metavar.empty() && out.has(spec->name))
      return Status(StatusCode::kInvalidArgument, "--" + std::string(spec->name) + " given more than once");
    out.values_.emplace_back(std::string(spec->name), std::move(value));
  }
  return out;
}

std::vector<FlagSpec> join_flags(std::initializer_list<std::span<const FlagSpec>> parts) {
  std::vector<FlagSpec> all;
  for (std::span<const FlagSpec> part : parts) all.insert(all.end(), part.begin(), part.end());
  return all;
}

Result<bool> jsonl_format(const ParsedFlags& flags) {
  std::string format = flags.get_or("format", "text");
  if (format == "jsonl" || format == "json") return true;
  if (format == "text" || format == "human") return false;
  return Status(StatusCode::kInvalidArgument, "--format: expected text or jsonl, got '" + format + "'");
}

Result<Severity> fail_on_severity(const ParsedFlags& flags) {
  auto v = flags.get("fail-on");
  if (!v) return Severity::kWarning;
  auto s = parse_severity(*v);
  if (!s)
    return Status(StatusCode::kInvalidArgument, "--fail-on: expected info, warning or critical, got '" + *v + "'");
  return *s;
}

std::string format_help(const CommandHelp& help) {
  std::string out = "usage: " + std::string(help.usage) + "\n\n" + std::string(help.summary) + "\n";
  if (!help.exit_status.empty()) out += "Exit status: " + std::string(help.exit_status) + ".\n";
  std::span<const FlagSpec> specs = help.flags;
  if (specs.empty()) return out;
  std::vector<std::string> lefts;
  std::size_t width = 0;
  for (const auto& s : specs) {
    std::string left = s.short_name ? std::string("-") + s.short_name + ", " : std::string("    ");
    left += "--" + std::string(s.name);
    if (!s.metavar.empty()) left += " " + std::string(s.metavar);
    width = std::max(width, left.size());
    lefts.push_back(std::move(left));
  }
  out += "\noptions:\n";
  for (std::size_t i = 0; i < specs.size(); ++i) {
    out += "  " + lefts[i] + std::string(width - lefts[i].size() + 2, ' ') + std::string(specs[i].help);
    if (specs[i].repeatable) out += " (repeatable)";
    out += "\n";
  }
  out += "  -h, --help" + std::string(width > 10 ? width - 10 + 2 : 2, ' ') + "show this help\n";
  return out;
}

Result<int> run_command(const CommandHelp& help, std::span<const std::string> args,
                        Result<int> (*body)(const ParsedFlags& flags)) {
  auto flags = parse_flags(help.flags, args);
  if (!flags) return flags.status();
  const bool missing = help.needs_positional && flags->positional.empty();
  if (flags->help || missing) {
    std::string text = format_help(help);
    std::FILE* out = flags->help ? stdout : stderr;
    std::fwrite(text.data(), 1, text.size(), out);
    std::fflush(out);
    return flags->help ? kExitOk : kExitError;
  }
  if (!help.one_positional.empty() && flags->positional.size() != 1)
    return Status(StatusCode::kInvalidArgument,
                  "expected one " + std::string(help.one_positional) + " argument (see --help)");
  return body(*flags);
}

Status unknown_subcommand(std::string_view sub, std::vector<std::string> known) {
  std::string msg = "unknown subcommand '" + std::string(sub) + "'";
  std::string guess = detail::did_you_mean(sub, known);
  if (!guess.empty()) msg += " (did you mean '" + guess + "'?)";
  return Status(StatusCode::kInvalidArgument, msg);
}

Result<OutputFlags> output_flags(const ParsedFlags& flags) {
  auto jsonl = jsonl_format(flags);
  if (!jsonl) return jsonl.status();
  auto fail_on = fail_on_severity(flags);
  if (!fail_on) return fail_on.status();
  return OutputFlags{*jsonl, *fail_on};
}

}  // namespace sidecar::cli
