// Loads the embedded default playbook and lists its top-level sections.
#include <cstdio>

#include "sidecar/config.h"

int main() {
  auto tree = sidecar::default_playbook_tree();
  if (!tree) {
    std::fprintf(stderr, "%s\n", tree.status().message().c_str());
    return 1;
  }
  for (const auto& [section, value] : tree->members) std::printf("%s\n", section.c_str());
  return 0;
}
