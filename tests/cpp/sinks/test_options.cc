// The sinks: section `playbook show` prints reads back as the C++ defaults
// (written once, in the structs), and bad values are located errors.
#include <catch2/catch.hpp>

#include "common/check_members.h"
#include "sidecar/config.h"
#include "sidecar/playbook.h"
#include "sidecar/sinks.h"

using namespace sidecar;

TEST_CASE("the shown playbook's sinks section reads back as the C++ defaults", "[sinks][options]") {
  const Value& tree = default_playbook().tree;  // `playbook show`: rendered from the structs
  ServerSinkOptions s;
  s.queue_capacity = 1;
  s.timeout_s = s.initial_backoff_s = s.max_backoff_s = 99;
  s.max_attempts = 7;
  AlertmanagerSinkOptions a;
  a.resend_s = a.timeout_s = a.initial_backoff_s = a.max_backoff_s = 99;
  a.queue_capacity = 1;
  a.resolve_on_finish = false;
  std::vector<Status> errors;
  read_sink_options(tree, &s, &a, &errors);
  test::check_no_errors(errors);
  test::check_members_equal(s, ServerSinkOptions{}, MEMBER(ServerSinkOptions, queue_capacity),
                            MEMBER(ServerSinkOptions, timeout_s), MEMBER(ServerSinkOptions, initial_backoff_s),
                            MEMBER(ServerSinkOptions, max_backoff_s), MEMBER(ServerSinkOptions, max_attempts));
  test::check_members_equal(a, AlertmanagerSinkOptions{}, MEMBER(AlertmanagerSinkOptions, resend_s),
                            MEMBER(AlertmanagerSinkOptions, resolve_on_finish),
                            MEMBER(AlertmanagerSinkOptions, queue_capacity), MEMBER(AlertmanagerSinkOptions, timeout_s),
                            MEMBER(AlertmanagerSinkOptions, initial_backoff_s),
                            MEMBER(AlertmanagerSinkOptions, max_backoff_s));
}

TEST_CASE("sinks playbook errors are located, with did-you-mean", "[sinks][options]") {
  ServerSinkOptions s;
  AlertmanagerSinkOptions a;
  auto errors = test::playbook_errors("sinks:\n  server:\n    timout_s: 3\n  alertmanager:\n    resend_s: 0\n",
                                      [&](const Value& tree, auto* e) { read_sink_options(tree, &s, &a, e); });
  std::string all = join_errors(errors).message();
  INFO(all);
  CHECK(all.find("pb.yaml:3:") != std::string::npos);
  CHECK(all.find("did you mean 'timeout_s'") != std::string::npos);
  CHECK(all.find("pb.yaml:5:") != std::string::npos);  // resend_s below 1
  CHECK(a.resend_s == 60);                             // kept the default on error
}

TEST_CASE("a sinks.prometheus key is refused: the exporter is a command-line flag", "[sinks][options]") {
  SinksOptions o;
  auto errors = test::playbook_errors("sinks:\n  server:\n    timeout_s: 3\n  prometheus:\n    port: 9464\n",
                                      [&](const Value& tree, auto* e) { read_sinks_options(tree, &o, e); });
  REQUIRE(errors.size() == 1);
  std::string msg = errors[0].message();
  INFO(msg);
  CHECK(msg.find("pb.yaml:5:") != std::string::npos);  // at the value given
  CHECK(msg.find("sinks.prometheus") != std::string::npos);
  CHECK(msg.find("--prometheus ADDR:PORT") != std::string::npos);
  CHECK(o.server.timeout_s == 3);  // the rest of the section is still read
}
