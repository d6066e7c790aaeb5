#include "output.h"

#include <unistd.h>
#include <cstdlib>

namespace sidecar::cli {

Style Style::for_stream(std::FILE* stream) {
  const char* no_color = std::getenv("NO_COLOR");
  Style s;
  s.color = isatty(fileno(stream)) && !(no_color && *no_color);
  return s;
}

std::string Style::severity(Severity sev) const {
  std::string_view label = sev == Severity::kCritical ? "CRIT" : sev == Severity::kWarning ? "WARN" : "INFO";
  if (!color) return std::string(label);
  std::string_view code = sev == Severity::kCritical  ? "\033[1;31m"
                          : sev == Severity::kWarning ? "\033[33m"
                                                      : "\033[36m";
  return std::string(code) + std::string(label) + "\033[0m";
}

std::string Style::dim(std::string_view text) const {
  return color ? "\033[2m" + std::string(text) + "\033[0m" : std::string(text);
}

std::string Style::bold(std::string_view text) const {
  return color ? "\033[1m" + std::string(text) + "\033[0m" : std::string(text);
}

// Where compiled pattern databases are kept between runs (compiling the
// catalogue costs more than scanning 100 MB): $SIDECAR_CACHE_DIR, else
// $XDG_CACHE_HOME/sidecar, else ~/.cache/sidecar; SIDECAR_NO_CACHE=1 turns it off.
std::string pattern_cache_dir() {
  auto env = [](const char* name) -> std::string {
    const char* v = std::getenv(name);
    return v ? v : "";
  };
  if (!env("SIDECAR_NO_CACHE").empty() && env("SIDECAR_NO_CACHE") != "0") return "";
  if (!env("SIDECAR_CACHE_DIR").empty()) return env("SIDECAR_CACHE_DIR");
  if (!env("XDG_CACHE_HOME").empty()) return env("XDG_CACHE_HOME") + "/sidecar";
  if (!env("HOME").empty()) return env("HOME") + "/.cache/sidecar";
  return "";
}

void print_error(std::string_view what) {
  std::string line = "sidecar-cli: " + std::string(what) + "\n";
  std::fwrite(line.data(), 1, line.size(), stderr);
}

void print_warning(std::string_view what) {
  std::string line = "sidecar-cli: warning: " + std::string(what) + "\n";
  std::fwrite(line.data(), 1, line.size(), stderr);
}

void write_line(std::FILE* stream, std::string_view line) {
  std::fwrite(line.data(), 1, line.size(), stream);
  std::fputc('\n', stream);
  std::fflush(stream);
}

}  // namespace sidecar::cli
