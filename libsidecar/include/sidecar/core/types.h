// Core vocabulary shared by every part of sidecar (header-only, std-only):
// severities, decision sources, workload profiles, metric rows and decisions.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sidecar/core/detail/strings.h"

namespace sidecar {

enum class Severity { kInfo = 0, kWarning = 1, kCritical = 2 };

constexpr std::string_view to_string(Severity s) {
  switch (s) {
    case Severity::kInfo:
      return "info";
    case Severity::kWarning:
      return "warning";
    case Severity::kCritical:
      return "critical";
  }
  return "info";
}

// Parses "info" / "warning" / "warn" / "critical" / "error" (any case).
inline std::optional<Severity> parse_severity(std::string_view text) {
  std::string t = detail::to_lower(detail::trim(text));
  if (t == "info") return Severity::kInfo;
  if (t == "warning" || t == "warn") return Severity::kWarning;
  if (t == "critical" || t == "error" || t == "crit") return Severity::kCritical;
  return std::nullopt;
}

// Where a decision came from. The order is the tie-break order of the
// per-tick selection: on equal severity, the lower value wins.
enum class Source { kRulebased = 0, kLogwatch, kPlaybook, kBaseline, kPreflight, kJudge };

constexpr std::string_view to_string(Source s) {
  switch (s) {
    case Source::kRulebased:
      return "rulebased";
    case Source::kLogwatch:
      return "logwatch";
    case Source::kPlaybook:
      return "playbook";
    case Source::kBaseline:
      return "baseline";
    case Source::kPreflight:
      return "preflight";
    case Source::kJudge:
      return "judge";
  }
  return "rulebased";
}

enum class Profile { kGeneric = 0, kSupervised, kReinforcementLearning };

constexpr std::string_view to_string(Profile p) {
  switch (p) {
    case Profile::kGeneric:
      return "generic";
    case Profile::kSupervised:
      return "supervised";
    case Profile::kReinforcementLearning:
      return "reinforcement_learning";
  }
  return "generic";
}

// Parses "generic" / "supervised" / "reinforcement_learning" (also "rl").
inline std::optional<Profile> parse_profile(std::string_view text) {
  std::string t = detail::to_lower(detail::trim(text));
  if (t == "generic") return Profile::kGeneric;
  if (t == "supervised") return Profile::kSupervised;
  if (t == "reinforcement_learning" || t == "rl") return Profile::kReinforcementLearning;
  return std::nullopt;
}

// A small ordered key -> value map carried by decisions and log matches.
using Evidence = std::vector<std::pair<std::string, std::string>>;

inline const std::string* evidence_get(const Evidence& e, std::string_view key) {
  for (const auto& [k, v] : e)
    if (k == key) return &v;
  return nullptr;
}

// One metric of a row. NaN/Inf are values like any other (a finding, not an error).
struct MetricValue {
  std::string_view key;
  double value = 0.0;
};

// One row of metrics as parsed from a file or passed in process. Keys and the
// span are borrowed: valid only for the duration of the call that receives it.
struct MetricRow {
  std::optional<std::int64_t> step;
  std::optional<double> timestamp;  // seconds since the epoch, when the row has one
  std::span<const MetricValue> values;
};

// The choices alerts offer, as they spell them (the playbook's operator:
// section maps choice texts to actions): the one that stops a run, the GPU
// gate's "go on regardless", and "carry on, this is fine".
inline constexpr std::string_view kStopChoice = "Stop Job";
inline constexpr std::string_view kContinueChoice = "Continue Anyway";
inline constexpr std::string_view kIgnoreChoice = "Ignore";
inline std::vector<std::string> default_choices() { return {std::string(kIgnoreChoice), std::string(kStopChoice)}; }

// What a detector (or the log scanner, the baseline, the judge) found.
struct Decision {
  Source source = Source::kRulebased;
  std::string syndrome;  // e.g. "nan_loss", "cuda_oom"
  Severity severity = Severity::kWarning;
  std::string message;  // one line for a human
  std::vector<std::string> choices = default_choices();
  Evidence evidence;
  std::string signature;  // identity of the condition (never changing numbers)
  std::optional<std::int64_t> step;
};

}  // namespace sidecar
