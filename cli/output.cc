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

namespace {

// Length of a colour sequence ESC [ [0-9;]* m at text[i], or 0.
std::size_t sgr_length(std::string_view text, std::size_t i) {
  if (i + 2 >= text.size() || text[i] != '\033' || text[i + 1] != '[') return 0;
  for (std::size_t j = i + 2; j < text.size() && j < i + 32; ++j) {
    char c = text[j];
    if (c == 'm') return j - i + 1;
    if (!((c >= '0' && c <= '9') || c == ';')) return 0;
  }
  return 0;
}

bool is_c1_at(std::string_view text, std::size_t i) {
  return static_cast<unsigned char>(text[i]) == 0xC2 && i + 1 < text.size() &&
         static_cast<unsigned char>(text[i + 1]) >= 0x80 && static_cast<unsigned char>(text[i + 1]) <= 0x9F;
}

bool needs_escape(unsigned char c) { return (c < 0x20 && c != '\t' && c != '\n') || c == 0x7F || c == 0xC2; }

}  // namespace

std::string terminal_safe(std::string_view text, bool keep_sgr) {
  std::size_t first = 0;
  while (first < text.size() && !needs_escape(static_cast<unsigned char>(text[first]))) ++first;
  if (first == text.size()) return std::string(text);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(text.substr(0, first));
  out.reserve(text.size() + 16);
  for (std::size_t i = first; i < text.size(); ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if (!needs_escape(c)) {
      out += static_cast<char>(c);
      continue;
    }
    if (c == 0xC2) {
      if (is_c1_at(text, i)) {
        auto d = static_cast<unsigned char>(text[++i]);
        out += "\\u00";
        out += kHex[d >> 4];
        out += kHex[d & 15];
      } else {
        out += static_cast<char>(c);  // an ordinary two-byte UTF-8 character
      }
      continue;
    }
    if (keep_sgr && c == 0x1B)
      if (std::size_t n = sgr_length(text, i)) {
        out.append(text.substr(i, n));
        i += n - 1;
        continue;
      }
    if (c == '\r') {
      out += "\\r";
      continue;
    }
    out += "\\x";
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

void print_error(std::string_view what) {
  std::string line = "sidecar-cli: " + terminal_safe(what) + "\n";
  std::fwrite(line.data(), 1, line.size(), stderr);
}

void print_warning(std::string_view what) {
  std::string line = "sidecar-cli: warning: " + terminal_safe(what) + "\n";
  std::fwrite(line.data(), 1, line.size(), stderr);
}

void write_line(std::FILE* stream, std::string_view line) {
  std::string safe = terminal_safe(line, /*keep_sgr=*/true);
  std::fwrite(safe.data(), 1, safe.size(), stream);
  std::fputc('\n', stream);
  std::fflush(stream);
}

}  // namespace sidecar::cli
