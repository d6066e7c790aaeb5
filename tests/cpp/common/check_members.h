// Checking that options read from a playbook are the C++ defaults: no
// errors, and two structs that agree member by member, naming the member
// that differs:
//   check_members_equal(got, Options{}, MEMBER(Options, timeout_s), MEMBER(Options, url));
#pragma once

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "sidecar/config.h"

namespace sidecar::test {

// CHECK that a reader reported no errors, showing them all when it did.
inline void check_no_errors(const std::vector<Status>& errors) {
  INFO(join_errors(errors).message());
  CHECK(errors.empty());
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
