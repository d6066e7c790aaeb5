// The playbook's sinks: section agrees with the C++ defaults, and bad values
// are located errors.
#include <catch2/catch.hpp>

#include "sidecar/config.h"
#include "sidecar/sinks.h"

using namespace sidecar;

TEST_CASE("the default playbook's sinks section is the C++ defaults", "[sinks][options]") {
  auto tree = default_playbook_tree();
  REQUIRE(tree);
  REQUIRE(tree->find("sinks") != nullptr);
  std::vector<Status> errors;
  ServerSinkOptions s;
  s.queue_capacity = 1;
  s.timeout_s = s.initial_backoff_s = s.max_backoff_s = 99;
  s.max_attempts = 7;
  AlertmanagerSinkOptions a;
  a.resend_s = a.timeout_s = a.initial_backoff_s = a.max_backoff_s = 99;
  a.queue_capacity = 1;
  a.resolve_on_finish = false;
  read_sink_options(*tree, &s, &a, &errors);
  for (const auto& e : errors) INFO(e.message());
  CHECK(errors.empty());
  ServerSinkOptions ds;
  CHECK(s.queue_capacity == ds.queue_capacity);
  CHECK(s.timeout_s == ds.timeout_s);
  CHECK(s.initial_backoff_s == ds.initial_backoff_s);
  CHECK(s.max_backoff_s == ds.max_backoff_s);
  CHECK(s.max_attempts == ds.max_attempts);
  AlertmanagerSinkOptions da;
  CHECK(a.resend_s == da.resend_s);
  CHECK(a.resolve_on_finish == da.resolve_on_finish);
  CHECK(a.queue_capacity == da.queue_capacity);
  CHECK(a.timeout_s == da.timeout_s);
  CHECK(a.initial_backoff_s == da.initial_backoff_s);
  CHECK(a.max_backoff_s == da.max_backoff_s);
}

TEST_CASE("sinks playbook errors are located, with did-you-mean", "[sinks][options]") {
  auto tree = parse_yaml("sinks:\n  server:\n    timout_s: 3\n  alertmanager:\n    resend_s: 0\n", "pb.yaml");
  REQUIRE(tree);
  std::vector<Status> errors;
  ServerSinkOptions s;
  AlertmanagerSinkOptions a;
  read_sink_options(*tree, &s, &a, &errors);
  std::string all = join_errors(errors).message();
  INFO(all);
  CHECK(all.find("pb.yaml:3:") != std::string::npos);
  CHECK(all.find("did you mean 'timeout_s'") != std::string::npos);
  CHECK(all.find("pb.yaml:5:") != std::string::npos);  // resend_s below 1
  CHECK(a.resend_s == 60);                             // kept the default on error
}
