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
