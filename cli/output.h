// Terminal output for sidecar-cli: colour only on a TTY (NO_COLOR respected),
// errors as "sidecar-cli: <where>: <what>" on stderr.
#pragma once

#include <cstdio>
#include <string>
#include <string_view>

#include "sidecar/core/types.h"

namespace sidecar::cli {

// Documented exit statuses (README "Exit status").
inline constexpr int kExitOk = 0;        // nothing at or above --fail-on
inline constexpr int kExitFindings = 1;  // findings at or above --fail-on (or GPUs busy)
inline constexpr int kExitError = 2;     // an error (errors win over findings)

struct Style {
  bool color = false;
  // Colour when `stream` is a TTY and NO_COLOR is unset (or empty).
  static Style for_stream(std::FILE* stream);
  std::string severity(Severity s) const;  // "CRIT" / "WARN" / "INFO", coloured
  std::string dim(std::string_view text) const;
  std::string bold(std::string_view text) const;
};

// Text from outside (response files, file names, log lines, a job's output)
// made safe to print on a terminal: control characters become visible
// escapes — C0 bytes other than tab and newline as "\x1b", "\r", DEL as
// "\x7f", C1 (U+0080..U+009F, e.g. the one-byte CSI) as "\u009b" — so no
// text can move the cursor, retitle the window or hide a line. With keep_sgr,
// colour sequences (ESC [ digits ; m: our own Style) pass unchanged. Escaped
// C1 stays valid inside a JSON string.
//   terminal_safe("a\x1b]0;pwned\x07b")  // "a\x1b]0;pwned\x07b" as visible text
std::string terminal_safe(std::string_view text, bool keep_sgr = false);

// Prints "sidecar-cli: <what>" to stderr (what already says where), control
// characters escaped (terminal_safe).
void print_error(std::string_view what);
void print_warning(std::string_view what);

// Whether a decision is a later event of an incident that was already
// notified (evidence notify "no"): printed as one indented line under it,
// without the answer prompt, so one failure reads as one incident.
inline bool is_incident_follow_up(const Decision& d) {
  const std::string* n = evidence_get(d.evidence, "notify");
  return n != nullptr && *n == "no";
}

// Writes one line (a JSONL record or human text) and flushes; control
// characters other than colour sequences are escaped (terminal_safe).
void write_line(std::FILE* stream, std::string_view line);

}  // namespace sidecar::cli
