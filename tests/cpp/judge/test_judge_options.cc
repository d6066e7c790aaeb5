// The judge: section `playbook show` prints reads back as the C++ defaults
// (written once, in the structs), and bad values are located errors.
#include <catch2/catch.hpp>

#include "common/check_members.h"
#include "sidecar/config.h"
#include "sidecar/judge.h"
#include "sidecar/playbook.h"

using namespace sidecar;

TEST_CASE("the shown playbook's judge section reads back as the C++ defaults", "[judge][options]") {
  const Value& tree = default_playbook().tree;  // `playbook show`: rendered from the structs
  JudgeOptions j;
  j.enabled = true;
  j.model = "x";
  j.interval_s = j.timeout_s = 99;
  j.max_calls_per_hour = 1;
  j.known_choices = j.default_choices = {"x"};
  j.max_severity = Severity::kCritical;
  j.api_key_env = "X";
  std::vector<Status> errors;
  read_judge_options(tree, &j, &errors);
  test::check_no_errors(errors);
  test::check_members_equal(j, JudgeOptions{}, MEMBER(JudgeOptions, enabled), MEMBER(JudgeOptions, command),
                            MEMBER(JudgeOptions, url), MEMBER(JudgeOptions, model), MEMBER(JudgeOptions, api_key_env),
                            MEMBER(JudgeOptions, interval_s), MEMBER(JudgeOptions, timeout_s),
                            MEMBER(JudgeOptions, max_calls_per_hour), MEMBER(JudgeOptions, known_choices),
                            MEMBER(JudgeOptions, default_choices), MEMBER(JudgeOptions, max_severity));
}

TEST_CASE("judge playbook errors are located", "[judge][options]") {
  JudgeOptions j;
  auto errors = test::playbook_errors("judge:\n  enabled: true\n  interval_s: -1\n",
                                      [&](const Value& tree, auto* e) { read_judge_options(tree, &j, e); });
  std::string all = join_errors(errors).message();
  INFO(all);
  CHECK(all.find("pb.yaml:3:") != std::string::npos);  // interval_s below 0
  CHECK(all.find("neither a command nor a url") != std::string::npos);
  CHECK(j.interval_s == 30);  // kept the default on error
}
