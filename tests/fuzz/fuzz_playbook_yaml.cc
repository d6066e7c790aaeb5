// Fuzzes the playbook front end: YAML text -> Value tree -> merge over the
// default playbook -> typed reading of a section. Must never crash or hang.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "sidecar/config.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto tree = sidecar::parse_yaml(text, "fuzz.yaml");
  if (!tree) return 0;
  static const sidecar::Value kDefault = sidecar::default_playbook_tree().value();
  sidecar::Value merged = kDefault;
  sidecar::merge_into(merged, *tree);
  std::vector<sidecar::Status> errors;
  sidecar::ConfigReader r(merged, "", &errors);
  for (const auto& [key, value] : merged.members) {
    double d = 0;
    r.read(key, &d);
  }
  r.finish();
  (void)sidecar::join_errors(errors);
  return 0;
}
