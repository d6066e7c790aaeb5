// The playbook's judge: section agrees with the C++ defaults, and bad values
// are located errors.
#include <catch2/catch.hpp>

#include "sidecar/config.h"
#include "sidecar/judge.h"

using namespace sidecar;

TEST_CASE("the default playbook's judge section is the C++ defaults", "[judge][options]") {
  auto tree = default_playbook_tree();
  REQUIRE(tree);
  REQUIRE(tree->find("judge") != nullptr);
  std::vector<Status> errors;
  JudgeOptions j;
  j.enabled = true;
  j.model = "x";
  j.interval_s = j.timeout_s = 99;
  j.max_calls_per_hour = 1;
  j.known_choices = j.default_choices = {"x"};
  j.max_severity = Severity::kCritical;
  j.api_key_env = "X";
  read_judge_options(*tree, &j, &errors);
  for (const auto& e : errors) INFO(e.message());
  CHECK(errors.empty());
  JudgeOptions dj;
  CHECK(j.enabled == dj.enabled);
  CHECK(j.command == dj.command);
  CHECK(j.url == dj.url);
  CHECK(j.model == dj.model);
  CHECK(j.api_key_env == dj.api_key_env);
  CHECK(j.interval_s == dj.interval_s);
  CHECK(j.timeout_s == dj.timeout_s);
  CHECK(j.max_calls_per_hour == dj.max_calls_per_hour);
  CHECK(j.known_choices == dj.known_choices);
  CHECK(j.default_choices == dj.default_choices);
  CHECK(j.max_severity == dj.max_severity);
}

TEST_CASE("judge playbook errors are located", "[judge][options]") {
  auto tree = parse_yaml("judge:\n  enabled: true\n  interval_s: -1\n", "pb.yaml");
  REQUIRE(tree);
  std::vector<Status> errors;
  JudgeOptions j;
  read_judge_options(*tree, &j, &errors);
  std::string all = join_errors(errors).message();
  INFO(all);
  CHECK(all.find("pb.yaml:3:") != std::string::npos);  // interval_s below 0
  CHECK(all.find("neither a command nor a url") != std::string::npos);
  CHECK(j.interval_s == 30);  // kept the default on error
}
