// Checking that options read from a playbook are the C++ defaults: no
// errors, and two structs that agree member by member, naming the member
// that differs:
//   check_members_equal(got, Options{}, MEMBER(Options, timeout_s), MEMBER(Options, url));
// And what a reader reports for a playbook text:
//   auto errors = playbook_errors("judge:\n  interval_s: -1\n",
//                                 [&](const Value& tree, auto* errors) { read_judge_options(tree, &j, errors); });
#pragma once

#include <catch2/catch.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "sidecar/config.h"

namespace sidecar::test {

// CHECK that a reader reported no errors, showing them all when it did.
inline void check_no_errors(const std::vector<Status>& errors) {
  INFO(join_errors(errors).message());
  CHECK(errors.empty());
}

// The errors `read(tree, &errors)` reports for the playbook `yaml` (parsed
// as "pb.yaml", so that messages say "pb.yaml:LINE:COL").
template <typename Read>
std::vector<Status> playbook_errors(std::string_view yaml, Read&& read) {
  auto tree = parse_yaml(yaml, "pb.yaml");
  REQUIRE(tree);
  std::vector<Status> errors;
  read(*tree, &errors);
  return errors;
}

template <typename T, typename V>
struct Member {
  const char* name;
  V T::*pointer;
};

#define MEMBER(Type, name) (::sidecar::test::Member<Type, decltype(Type::name)>{#name, &Type::name})

template <typename T, typename... V>
void check_members_equal(const T& got, const T& want, Member<T, V>... members) {
  auto one = [&](auto member) {
    INFO("member " << member.name);
    CHECK(got.*member.pointer == want.*member.pointer);
  };
  (one(members), ...);
}

}  // namespace sidecar::test
