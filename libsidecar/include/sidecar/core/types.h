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

#include "sidecar/core/detail/names.h"
#include "sidecar/core/detail/strings.h"

namespace sidecar {

enum class Severity { kInfo = 0, kWarning = 1, kCritical = 2 };

// Where a decision came from. The order is the tie-break order of the
// per-tick selection: on equal severity, the lower value wins.
enum class Source { kRulebased = 0, kLogwatch, kPlaybook, kBaseline, kPreflight, kJudge };

enum class Profile { kGeneric = 0, kSupervised, kReinforcementLearning };

namespace detail {
// Each value's name first, then the aliases its parser also accepts.
inline constexpr Named<Severity> kSeverityNames[] = {{Severity::kInfo, "info"},         {Severity::kWarning, "warning"},
                                                     {Severity::kCritical, "critical"}, {Severity::kWarning, "warn"},
                                                     {Severity::kCritical, "error"},    {Severity::kCritical, "crit"}};
inline constexpr Named<Source> kSourceNames[] = {{Source::kRulebased, "rulebased"}, {Source::kLogwatch, "logwatch"},
                                                 {Source::kPlaybook, "playbook"},   {Source::kBaseline, "baseline"},
                                                 {Source::kPreflight, "preflight"}, {Source::kJudge, "judge"}};
inline constexpr Named<Profile> kProfileNames[] = {{Profile::kGeneric, "generic"},
                                                   {Profile::kSupervised, "supervised"},
                                                   {Profile::kReinforcementLearning, "reinforcement_learning"},
                                                   {Profile::kReinforcementLearning, "rl"}};
}  // namespace detail

constexpr std::string_view to_string(Severity s) { return detail::name_of(detail::kSeverityNames, s, "info"); }
constexpr std::string_view to_string(Source s) { return detail::name_of(detail::kSourceNames, s, "rulebased"); }
constexpr std::string_view to_string(Profile p) { return detail::name_of(detail::kProfileNames, p, "generic"); }

// Parses "info" / "warning" / "warn" / "critical" / "error" / "crit" (any case).
inline std::optional<Severity> parse_severity(std::string_view text) {
  return detail::parse_named(detail::kSeverityNames, text);
}

// Parses a source name exactly as to_string(Source) writes it.
constexpr std::optional<Source> parse_source(std::string_view text) {
  return detail::value_of(detail::kSourceNames, text);
}

// Parses "generic" / "supervised" / "reinforcement_learning" (also "rl", any case).
inline std::optional<Profile> parse_profile(std::string_view text) {
  return detail::parse_named(detail::kProfileNames, text);
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

// What an answer to an alert does (the operator's action table maps choice
// texts to one of these; playbook `operator:`).
enum class Action { kContinue, kStop };

namespace detail {
inline constexpr Named<Action> kActionNames[] = {{Action::kContinue, "continue"}, {Action::kStop, "stop"}};
}  // namespace detail

constexpr std::string_view to_string(Action a) { return detail::name_of(detail::kActionNames, a, "continue"); }

// Parses "stop" / "continue" (any case, trimmed).
inline std::optional<Action> parse_action(std::string_view text) {
  return detail::parse_named(detail::kActionNames, text);
}

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
