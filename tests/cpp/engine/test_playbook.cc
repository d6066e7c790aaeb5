// Playbook loading: defaults agree with the C++ structs, user files merge,
// errors are located with did-you-mean.
#include <unistd.h>
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "sidecar/core/detail/strings.h"
#include "sidecar/gpu.h"
#include "sidecar/log_scan.h"
#include "sidecar/playbook.h"

namespace {

// Changes the i-th option of `o` to another valid value; returns false past the last.
template <typename Options>
bool change_option(Options& o, std::size_t i) {
  const auto& fields = sidecar::OptionTable<Options>::fields;
  if (i >= std::size(fields)) return false;
  std::visit(
      [&](auto member) {
        auto& v = o.*member;
        using T = std::remove_cvref_t<decltype(v)>;
        if constexpr (std::is_same_v<T, bool>) {
          v = !v;
        } else if constexpr (std::is_same_v<T, std::string>) {
          v = v == "Stop Job" ? "Continue Anyway" : v + "_x";  // gpu.default_action: the other choice
        } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
          v.push_back("changed_x");
        } else if constexpr (std::is_same_v<T, sidecar::Severity>) {
          v = v == sidecar::Severity::kInfo ? sidecar::Severity::kCritical : sidecar::Severity::kInfo;
        } else if constexpr (std::is_same_v<T, sidecar::Action>) {
          v = v == sidecar::Action::kStop ? sidecar::Action::kContinue : sidecar::Action::kStop;
        } else {
          // another value inside the bounds: a step up, else a step down, else half way to a bound
          const sidecar::OptionBounds& b = fields[i].bounds;
          const double step = std::is_same_v<T, double> ? 0.125 : 1.0, x = static_cast<double>(v);
          double next = x + step <= b.max ? x + step : x - step >= b.min ? x - step : (x + b.max) / 2;
          if (next == x) next = (x + b.min) / 2;
          v = static_cast<T>(next);
        }
      },
      fields[i].member);
  return true;
}

// Checks that every option of `a` in its table equals `b`'s.
template <typename Options>
void check_same_options(const Options& a, const Options& b) {
  for (const auto& field : sidecar::OptionTable<Options>::fields) {
    INFO(field.name);
    std::visit([&](auto member) { CHECK(a.*member == b.*member); }, field.member);
  }
}

std::string write_temp(const std::string& name, const std::string& text) {
  std::string path = std::string("/tmp/sidecar_engine_test_") + std::to_string(::getpid()) + "_" + name;
  std::ofstream(path) << text;
  return path;
}

// The playbook at `path`, which must load.
sidecar::Playbook load_ok(const std::string& path) {
  auto pb = sidecar::load_playbook(path);
  INFO(pb.status().message());
  REQUIRE(pb.ok());
  return *std::move(pb);
}

}  // namespace

TEST_CASE("default playbook loads and equals the C++ defaults", "[playbook]") {
  const sidecar::Playbook pb = load_ok("");
  sidecar::Playbook def;
  // Every detector option (the renderer walks the same tables the reader
  // does, and prints each value so that it reads back the same).
  CHECK(sidecar::playbook_to_yaml(sidecar::detectors_tree(pb.detectors)) ==
        sidecar::playbook_to_yaml(sidecar::detectors_tree(def.detectors)));
  CHECK(pb.profile.pin == def.profile.pin);
  CHECK(pb.profile.rl_hints == def.profile.rl_hints);
  CHECK(pb.profile.supervised_hints == def.profile.supervised_hints);
  for (std::size_t r = 0; r < sidecar::kRoleCount; ++r) {
    INFO(sidecar::to_string(static_cast<sidecar::Role>(r)));
    CHECK(pb.roles.aliases[r] == def.roles.aliases[r]);
  }
  check_same_options(pb.profile, def.profile);
  check_same_options(pb.dedupe, def.dedupe);
  check_same_options(pb.snapshot, def.snapshot);
  check_same_options(pb.history, def.history);
}

TEST_CASE("a user playbook overrides, extends and disables", "[playbook]") {
  std::string path = write_temp("ok.yaml", R"yaml(detectors:
  loss_spike: {z: 6.5, persistence: 5}
  high_loss:
    enabled: false
roles:
  loss: {extra: [my_loss]}
  reward: [team_reward]
profile: {pin: supervised, extra_hints: {reinforcement_learning: [bandit]}}
dedupe: {ttl_s: 60}
history: {extra_masks: [--tag]}
)yaml");
  const sidecar::Playbook pb = load_ok(path);
  CHECK(pb.detectors.loss_spike.z == 6.5);
  CHECK(pb.detectors.loss_spike.persistence == 5);
  CHECK(pb.detectors.loss_spike.window == 100);  // untouched default
  CHECK_FALSE(pb.detectors.high_loss.enabled);
  const auto& loss = pb.roles.aliases[static_cast<std::size_t>(sidecar::Role::kLoss)];
  CHECK(loss.front() == "loss");
  CHECK(loss.back() == "my_loss");
  CHECK(pb.roles.aliases[static_cast<std::size_t>(sidecar::Role::kReward)].back() == "team_reward");
  CHECK(pb.profile.pin == sidecar::Profile::kSupervised);
  CHECK(pb.profile.rl_hints.back() == "bandit");
  CHECK(pb.dedupe.ttl_s == 60);
  CHECK(pb.history.masks.back() == "--tag");
  std::remove(path.c_str());
}

namespace {

// Loads `yaml` from a temporary file named after `name`: the load must fail;
// returns the file's path and the error message.
std::pair<std::string, std::string> load_error(const std::string& name, const std::string& yaml) {
  const std::string path = write_temp(name, yaml);
  auto pb = sidecar::load_playbook(path);
  std::remove(path.c_str());
  REQUIRE_FALSE(pb.ok());
  return {path, pb.status().message()};
}

}  // namespace

TEST_CASE("playbook errors are located, with did-you-mean", "[playbook]") {
  using Catch::Contains;
  SECTION("unknown detector key") {
    auto [path, msg] = load_error("typo.yaml", "detectors:\n  loss_spike:\n    windw: 50\n");
    CHECK_THAT(msg, Contains(path + ":3:") && Contains("unknown key 'windw'") && Contains("did you mean 'window'"));
  }
  SECTION("unknown top-level section") {
    auto [path, msg] = load_error("section.yaml", "version: 1\ndetector:\n  nan_loss: {enabled: false}\n");
    CHECK_THAT(
        msg, Contains(path + ":3:") && Contains("unknown section 'detector'") && Contains("did you mean 'detectors'"));
  }
  SECTION("wrong type and range") {
    auto [path, msg] = load_error("type.yaml", "detectors:\n  loss_spike: {z: high, persistence: 0}\n");
    CHECK_THAT(msg, Contains("detectors.loss_spike.z: expected a number, got 'high'") &&
                        Contains("detectors.loss_spike.persistence: value 0 out of range"));
  }
  SECTION("unknown role and bad pin") {
    auto [path, msg] = load_error("role.yaml", "roles:\n  los: [x]\nprofile: {pin: rlhf}\n");
    CHECK_THAT(msg, Contains("unknown role 'los' (did you mean 'loss'?)") && Contains("profile.pin: expected auto"));
  }
  SECTION("bad severity") {
    auto [path, msg] = load_error("sev.yaml", "detectors:\n  nan_loss: {severity: fatal}\n");
    CHECK_THAT(msg, Contains("expected info, warning or critical"));
  }
  SECTION("missing file") {
    auto pb = sidecar::load_playbook("/nonexistent/playbook.yaml");
    REQUIRE_FALSE(pb.ok());
    CHECK(pb.status().code() == sidecar::StatusCode::kNotFound);
  }
  SECTION("broken YAML") {
    std::string path = write_temp("broken.yaml", "detectors: [\n");
    auto pb = sidecar::load_playbook(path);
    std::remove(path.c_str());
    REQUIRE_FALSE(pb.ok());
    CHECK(pb.status().code() == sidecar::StatusCode::kParseError);
  }
}

TEST_CASE("playbook_to_yaml round-trips the effective tree", "[playbook]") {
  auto pb = sidecar::load_playbook("");
  REQUIRE(pb.ok());
  std::string yaml = sidecar::playbook_to_yaml(pb->tree);
  CHECK(yaml.find("detectors:") != std::string::npos);
  auto again = sidecar::parse_yaml(yaml, "shown.yaml");
  if (!again.ok()) std::ofstream("/tmp/sidecar_shown.yaml") << yaml;
  INFO(again.status().message());
  REQUIRE(again.ok());
  auto pb2 = sidecar::playbook_from_tree(std::move(again).value());
  INFO(pb2.status().message());
  REQUIRE(pb2.ok());
  CHECK(pb2->detectors.loss_spike.z == pb->detectors.loss_spike.z);
  CHECK(pb2->history.masks == pb->history.masks);
  CHECK(pb2->logs.syndromes.size() == pb->logs.syndromes.size());
  for (std::size_t i = 0; i < pb->logs.syndromes.size() && i < pb2->logs.syndromes.size(); ++i) {
    CHECK(pb2->logs.syndromes[i].patterns == pb->logs.syndromes[i].patterns);
    CHECK(pb2->logs.syndromes[i].message == pb->logs.syndromes[i].message);
  }
}

TEST_CASE("detector defaults are written once: the embedded YAML restates none", "[playbook][defaults]") {
  auto tree = sidecar::default_playbook_tree();
  REQUIRE(tree.ok());
  CHECK(tree->find("detectors") == nullptr);
  // ... and yet the effective default tree shows every option of every detector.
  const sidecar::Value* shown = sidecar::default_playbook().tree.find("detectors");
  REQUIRE(shown != nullptr);
  std::size_t options = 0;
  sidecar::for_each_detector(sidecar::default_playbook().detectors, [&](std::string_view key, std::string_view,
                                                                        const auto& o, std::string_view) {
    const sidecar::Value* section = shown->find(key);
    REQUIRE(section != nullptr);
    for (const auto& f : sidecar::OptionTable<std::remove_cvref_t<decltype(o)>>::fields) {
      INFO(std::string(key) + "." + std::string(f.name));
      CHECK(section->find(f.name) != nullptr);
      ++options;
    }
    CHECK(section->members.size() == std::size(sidecar::OptionTable<std::remove_cvref_t<decltype(o)>>::fields));
  });
  CHECK(options >= 100);
}

// Each option of each group that for_each_group(options, visit) walks, changed alone (change_option) in fresh
// Options: calls check(changed) for each; returns how many there were.
template <typename Options, typename ForEachGroup, typename Check>
std::size_t each_option_changed_alone(ForEachGroup for_each_group, Check check) {
  std::size_t changed_options = 0;
  for (std::size_t group = 0;; ++group) {
    bool any = false;
    for (std::size_t i = 0;; ++i) {
      Options changed;
      std::size_t n = 0;
      bool done = true;
      for_each_group(changed, [&](auto& o) {
        if (n++ == group) done = !change_option(o, i);
      });
      if (n <= group || done) break;
      any = true;
      ++changed_options;
      check(changed);
    }
    if (!any) break;
  }
  return changed_options;
}

// A one-line default change (the option's row) is all it takes: every
// option, changed alone in the options the reader starts from, is what the
// reader keeps, what `playbook show` prints, what the docs' tables say, and it
// reads back from the shown YAML.
TEST_CASE("a changed default is followed by the reader, show and the docs tables", "[playbook][defaults]") {
  const sidecar::DetectorOptions base;
  const std::string base_yaml = sidecar::playbook_to_yaml(sidecar::detectors_tree(base));
  const std::string base_md = sidecar::detectors_markdown(base);
  auto for_each_group = [](sidecar::DetectorOptions& d, auto visit) {
    sidecar::for_each_detector(d, [&](std::string_view, std::string_view, auto& o, std::string_view) { visit(o); });
  };
  const std::size_t changed_options =
      each_option_changed_alone<sidecar::DetectorOptions>(for_each_group, [&](const sidecar::DetectorOptions& changed) {
        // show
        const std::string yaml = sidecar::playbook_to_yaml(sidecar::detectors_tree(changed));
        CHECK(yaml != base_yaml);
        // docs tables
        CHECK(sidecar::detectors_markdown(changed) != base_md);
        // the reader: given no detector keys, it keeps the changed default
        sidecar::Playbook pb;
        pb.detectors = changed;
        std::vector<sidecar::Status> errors;
        auto empty = sidecar::parse_yaml("dedupe: {ttl_s: 60}\n", "empty.yaml");
        REQUIRE(empty.ok());
        sidecar::read_engine_options(*empty, &pb, &errors);
        CHECK(errors.empty());
        CHECK(sidecar::playbook_to_yaml(sidecar::detectors_tree(pb.detectors)) == yaml);
        // ... and the shown YAML reads back as the changed options
        auto shown = sidecar::parse_yaml(
            "detectors:\n" +
                [&] {
                  std::string indented;
                  for (std::string_view line : sidecar::detail::split(yaml, '\n'))
                    if (!line.empty()) indented += "  " + std::string(line) + "\n";
                  return indented;
                }(),
            "shown.yaml");
        REQUIRE(shown.ok());
        sidecar::Playbook back;
        sidecar::read_engine_options(*shown, &back, &errors);
        INFO(yaml);
        CHECK(errors.empty());
        CHECK(sidecar::playbook_to_yaml(sidecar::detectors_tree(back.detectors)) == yaml);
      });
  CHECK(changed_options >= 100);
}

// Every section read from an option table, rendered as `playbook show` does.
std::string shown_sections(const sidecar::Playbook& pb) { return sidecar::playbook_to_yaml(sidecar::options_tree(pb)); }

// The readers of every sectionized option (engine, logs:, gpu:, operator:,
// sinks:, judge:) over `tree`.
void read_sections(const sidecar::Value& tree, sidecar::Playbook* pb, std::vector<sidecar::Status>* errors) {
  sidecar::read_engine_options(tree, pb, errors);
  sidecar::read_log_options(tree, &pb->logs, errors);
  sidecar::read_gpu_options(tree, &pb->gpu, errors);
  sidecar::read_operator_options(tree, &pb->actions, errors);
  sidecar::read_sinks_options(tree, &pb->sinks, errors);
  sidecar::read_judge_options(tree, &pb->judge, errors);
}

// The node at a dotted path of for_each_section ("sinks.slack"), or nullptr.
const sidecar::Value* at_path(const sidecar::Value& tree, std::string_view path) {
  const sidecar::Value* node = &tree;
  for (std::string_view part : sidecar::detail::split(path, '.'))
    if (node = node->find(part); node == nullptr) return nullptr;
  return node;
}

TEST_CASE("profile, roles, dedupe .. gpu, operator, sinks and judge defaults are written once",
          "[playbook][defaults]") {
  auto tree = sidecar::default_playbook_tree();
  REQUIRE(tree.ok());
  const sidecar::Value& shown = sidecar::default_playbook().tree;
  std::size_t options = 0;
  sidecar::for_each_section(sidecar::default_playbook(), [&](std::string_view key, const auto& o, std::string_view) {
    INFO(std::string(key));
    CHECK(at_path(*tree, key) == nullptr);  // the embedded YAML restates none of it
    const sidecar::Value* section = at_path(shown, key);
    REQUIRE(section != nullptr);  // ... and `playbook show` prints all of it
    for (const auto& f : sidecar::OptionTable<std::remove_cvref_t<decltype(o)>>::fields) {
      INFO(std::string(f.name));
      CHECK(section->find(f.name) != nullptr);
      ++options;
    }
  });
  CHECK(options >= 70);
  for (std::string_view key : {"roles", "operator", "sinks", "judge"}) CHECK(tree->find(key) == nullptr);
  REQUIRE(shown.find("roles") != nullptr);
  CHECK(shown.find("roles")->members.size() == sidecar::kRoleCount);
  REQUIRE(shown.find("profile")->find("hints") != nullptr);
  // the order `playbook show` prints them in
  std::vector<std::string> order;
  for (const auto& [k, v] : shown.members) order.push_back(k);
  auto at = [&](std::string_view k) { return std::find(order.begin(), order.end(), k) - order.begin(); };
  CHECK(at("version") == 0);
  CHECK(at("detectors") < at("profile"));
  CHECK(at("history") < at("logs"));
  CHECK(at("logs") < at("syndromes"));
  CHECK(at("gpu") < at("operator"));
  CHECK(at("operator") < at("sinks"));
  CHECK(at("sinks") < at("judge"));
  REQUIRE(shown.find("operator")->find("actions") != nullptr);  // by hand, from the ActionTable's map
  CHECK(shown.find("operator")->find("actions")->members.size() == sidecar::ActionTable{}.map.size());
}

// The same for every option of the other sections: a changed default (one
// line: the option's row) is kept by its reader, printed by `playbook
// show`, put in the docs' tables, and reads back from the shown YAML.
TEST_CASE("a changed section default is followed by the reader, show and the docs tables", "[playbook][defaults]") {
  const sidecar::Playbook base;
  const std::string base_yaml = shown_sections(base), base_md = sidecar::options_markdown(base);
  auto for_each_group = [](sidecar::Playbook& p, auto visit) {
    sidecar::for_each_section(p, [&](std::string_view, auto& o, std::string_view) { visit(o); });
  };
  const std::size_t changed_options =
      each_option_changed_alone<sidecar::Playbook>(for_each_group, [&](sidecar::Playbook& changed) {
        sidecar::JudgeOptions& judge = changed.judge;  // an enabled judge needs a transport (a located error)
        if (judge.enabled && judge.command.empty() && judge.url.empty()) judge.command = {"my-judge"};
        const std::string yaml = shown_sections(changed);
        INFO(yaml);
        CHECK(yaml != base_yaml);                              // show
        CHECK(sidecar::options_markdown(changed) != base_md);  // docs tables
        std::vector<sidecar::Status> errors;
        auto other = sidecar::parse_yaml("detectors: {nan_loss: {enabled: true}}\n", "other.yaml");
        REQUIRE(other.ok());
        sidecar::Playbook kept = changed;
        read_sections(*other, &kept, &errors);  // the reader: no key of it given, it keeps the changed default
        CHECK(shown_sections(kept) == yaml);
        auto shown = sidecar::parse_yaml(yaml, "shown.yaml");
        REQUIRE(shown.ok());
        sidecar::Playbook back;
        read_sections(*shown, &back, &errors);  // ... and the shown YAML reads back as the changed options
        for (const auto& e : errors) INFO(e.message());
        CHECK(errors.empty());
        CHECK(shown_sections(back) == yaml);
      });
  CHECK(changed_options >= 70);
}

// One sink option and one judge option changed as a one-line default
// change would: `playbook show` prints the new value where the playbook
// reads it, the docs' table row says it, and the readers the session wires
// the sinks and the judge with read it back from the shown playbook.
TEST_CASE("a changed sink or judge default is followed by show, the docs tables and the session's readers",
          "[playbook][defaults]") {
  sidecar::Playbook changed;
  changed.sinks.slack.min_severity = sidecar::Severity::kCritical;  // default: warning
  changed.sinks.server.max_attempts = 3;                            // default: 0
  changed.judge.interval_s = 45.5;                                  // default: 30
  changed.actions.fallback = sidecar::Action::kStop;                // default: continue
  const std::string yaml = shown_sections(changed);
  INFO(yaml);
  auto shown = sidecar::parse_yaml(yaml, "shown.yaml");
  REQUIRE(shown.ok());
  auto text = [&](std::string_view path) {
    const sidecar::Value* v = at_path(*shown, path);
    return v ? v->as_string().value_or("?") : "(absent)";
  };
  CHECK(text("sinks.slack.min_severity") == "critical");
  CHECK(text("sinks.server.max_attempts") == "3");
  CHECK(text("judge.interval_s") == "45.5");
  CHECK(text("operator.fallback") == "stop");
  const std::string md = sidecar::options_markdown(changed);
  auto row = [&](std::string_view heading, std::string_view cells) {
    auto at = md.find("#### `" + std::string(heading) + "`\n");
    REQUIRE(at != std::string::npos);
    return md.substr(at, md.find("\n\n####", at) - at).find(cells) != std::string::npos;
  };
  CHECK(row("sinks.slack", "| `min_severity` | `critical` |"));
  CHECK(row("sinks.server", "| `max_attempts` | `3` | 0 – 1000000 |"));
  CHECK(row("judge", "| `interval_s` | `45.5` | 0.0 – 86400.0 |"));
  CHECK(row("operator", "| `fallback` | `stop` |"));
  std::vector<sidecar::Status> errors;
  sidecar::ServerSinkOptions server;
  sidecar::AlertmanagerSinkOptions alertmanager;
  sidecar::read_sink_options(*shown, &server, &alertmanager, &errors);
  sidecar::SlackSinkOptions slack;
  sidecar::WebhookSinkOptions webhook;
  sidecar::read_notify_sink_options(*shown, &slack, &webhook, &errors);
  sidecar::JudgeOptions judge;
  sidecar::read_judge_options(*shown, &judge, &errors);
  sidecar::ActionTable actions;
  sidecar::read_operator_options(*shown, &actions, &errors);
  for (const auto& e : errors) INFO(e.message());
  CHECK(errors.empty());
  CHECK(slack.min_severity == sidecar::Severity::kCritical);
  CHECK(server.max_attempts == 3);
  CHECK(judge.interval_s == 45.5);
  CHECK(actions.fallback == sidecar::Action::kStop);
  CHECK(actions.action_for("Stop Job") == sidecar::Action::kStop);  // the shown actions read back too
}

TEST_CASE("section options: bounds and types are checked where they are written", "[playbook]") {
  std::string path = write_temp("bounds.yaml", R"yaml(dedupe: {max_conditions: 2}
snapshot: {max_tags: -1}
history: {max_rows: many}
logs: {max_text_bytes: 1}
gpu: {poll_s: 0, default_action: Maybe, util_busy_pct: 101}
operator: {fallback: pause}
sinks: {slack: {min_severity: loud, webhook_url: x}, server: {queue_capacity: 0}}
judge: {interval_s: -1}
)yaml");
  auto pb = sidecar::load_playbook(path);
  REQUIRE_FALSE(pb.ok());
  const std::string& msg = pb.status().message();
  INFO(msg);
  CHECK(msg.find(path + ":1:") != std::string::npos);
  CHECK(msg.find("dedupe.max_conditions: value 2 out of range (min 8)") != std::string::npos);
  CHECK(msg.find("snapshot.max_tags: value -1 out of range (min 0)") != std::string::npos);
  CHECK(msg.find(path + ":3:") != std::string::npos);
  CHECK(msg.find("history.max_rows: expected an integer, got 'many'") != std::string::npos);
  CHECK(msg.find("logs.max_text_bytes: value 1 out of range (min 64)") != std::string::npos);
  CHECK(msg.find("gpu.poll_s:") != std::string::npos);
  CHECK(msg.find("gpu.util_busy_pct:") != std::string::npos);
  CHECK(msg.find("gpu.default_action: expected 'Continue Anyway' or 'Stop Job', got 'Maybe'") != std::string::npos);
  CHECK(msg.find(path + ":6:") != std::string::npos);
  CHECK(msg.find("operator.fallback: expected stop or continue, got 'pause'") != std::string::npos);
  CHECK(msg.find(path + ":7:") != std::string::npos);
  CHECK(msg.find("sinks.slack.min_severity: expected info, warning or critical, got 'loud'") != std::string::npos);
  CHECK(msg.find("sinks.slack.webhook_url: the webhook URL is a secret") != std::string::npos);
  CHECK(msg.find("sinks.server.queue_capacity: value 0 out of range (min 1)") != std::string::npos);
  CHECK(msg.find(path + ":8:") != std::string::npos);
  CHECK(msg.find("judge.interval_s: value -1 out of range (min 0)") != std::string::npos);
  std::remove(path.c_str());

  std::string typo = write_temp("section_typo.yaml", "snapshot: {heartbeat: 5}\ngpu: {wait: 5}\n");
  auto bad = sidecar::load_playbook(typo);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().message().find("did you mean 'heartbeat_s'") != std::string::npos);
  CHECK(bad.status().message().find("did you mean 'wait_s'") != std::string::npos);
  std::remove(typo.c_str());
}

TEST_CASE("detector keys are the syndromes they raise, old keys still read, with a notice", "[playbook][defaults]") {
  std::string path = write_temp("old_keys.yaml", R"yaml(detectors:
  val_acc_drop: {min_drop: 0.2, mean_window: 4}
  validation_drop: {mean_window: 5}
  reward_hacking: {enabled: false}
  val_loss_regression: {ratio: 2.0}
  nonfinite: {severity: critical}
)yaml");
  const sidecar::Playbook pb = load_ok(path);
  CHECK(pb.detectors.validation_drop.min_drop == 0.2);
  CHECK(pb.detectors.validation_drop.mean_window == 5);  // the new key wins
  CHECK_FALSE(pb.detectors.reward_hacking_suspected.enabled);
  CHECK(pb.detectors.validation_loss_regression.ratio == 2.0);
  CHECK(pb.detectors.nonfinite_metric.severity == sidecar::Severity::kCritical);
  REQUIRE(pb.notices.size() == 4);
  CHECK(pb.notices[0].find(path + ":2:") == 0);
  CHECK(pb.notices[0].find("detectors.val_acc_drop is now detectors.validation_drop") != std::string::npos);
  CHECK(pb.notices[0].find('\n') == std::string::npos);
  // shown under the new keys only
  CHECK(pb.tree.find("detectors")->find("val_acc_drop") == nullptr);
  CHECK(pb.tree.find("detectors")->find("validation_drop") != nullptr);
  CHECK(sidecar::load_playbook("")->notices.empty());
  std::remove(path.c_str());

  std::string typo = write_temp("typo_key.yaml", "detectors:\n  validation_drp: {}\n");
  auto bad = sidecar::load_playbook(typo);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().message().find("did you mean 'validation_drop'") != std::string::npos);
  std::remove(typo.c_str());

  // every key is the syndrome its detector raises, but for the three that
  // raise two (grad_norm_*, entropy_*) or the `hang` the log rules raise too
  std::vector<std::string> keys;
  const sidecar::DetectorOptions defaults;
  sidecar::for_each_detector(
      defaults, [&](std::string_view key, std::string_view, const auto&, std::string_view) { keys.emplace_back(key); });
  CHECK(keys == std::vector<std::string>{"nan_loss", "high_loss", "loss_spike", "grad_norm", "stall", "validation_drop",
                                         "validation_loss_regression", "reward_drop", "reward_hacking_suspected",
                                         "kl_explosion", "entropy", "throughput_regression", "quality_behind",
                                         "nonfinite_metric", "loss_divergence", "frozen_loss", "throughput_collapse",
                                         "rank_progress"});
}
