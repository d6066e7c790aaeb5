// Fuzzes the orchestrator-facing parsers: run records -> context (never a
// crash; every rendered line bounded), and the judge's answer parser (strict:
// a verdict's fields are always normalised).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "sidecar/config.h"
#include "sidecar/context.h"
#include "sidecar/detail/sinks.h"
#include "sidecar/judge.h"
#include "sidecar/sinks.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto runs = sidecar::parse_run_records(text, "fuzz")) {
    std::string out = sidecar::render_experiment_context(*runs);
    std::size_t start = 0;
    for (std::size_t i = 0; i <= out.size(); ++i) {
      if (i == out.size() || out[i] == '\n') {
        // id 64 + name 80 + status 20 + cmd 80 + note 120 (+ "..." each) + labels: far below 1 KiB.
        if (i - start > 1024) std::abort();
        start = i + 1;
      }
    }
  } else if (runs.status().message().empty()) {
    std::abort();
  }
  // The error locator never rejects what the JSON parser accepts (nesting under 512).
  if (sidecar::parse_json(text) && !sidecar::detail::json_syntax_error(text).empty() &&
      sidecar::detail::json_syntax_error(text).find("nesting too deep") == std::string::npos)
    std::abort();
  if (auto v = sidecar::parse_judge_output(text)) {
    if (v->syndrome.empty() || v->choices.empty() || v->message.size() > 256) std::abort();
    if (v->severity == sidecar::Severity::kCritical) std::abort();  // capped at warning by default
    for (char c : v->syndrome)
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) std::abort();
  }
  return 0;
}
