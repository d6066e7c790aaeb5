// Uses both targets of the installed package: the header-only core and the
// compiled library (the embedded default playbook).
#include <cstdio>

#include "sidecar/config.h"
#include "sidecar/core/types.h"
#include "sidecar/version.h"

int main() {
  auto tree = sidecar::default_playbook_tree();
  if (!tree) {
    std::fprintf(stderr, "%s\n", tree.status().message().c_str());
    return 1;
  }
  std::printf("sidecar %s: %s, playbook sections: %zu\n", sidecar::kVersion,
              std::string(sidecar::to_string(sidecar::Severity::kCritical)).c_str(), tree->members.size());
  return 0;
}
