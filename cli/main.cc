// sidecar-cli: parse -> dispatch -> exit code. Only main prints a fatal error.
#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "commands/commands.h"
#include "flags.h"
#include "output.h"
#include "sidecar/core/detail/strings.h"
#include "sidecar/detail/cache_dir.h"
#include "sidecar/version.h"

namespace {

std::string usage() {
  std::string out =
      "usage: sidecar-cli <command> [options] [args]\n\n"
      "sidecar watches ML training runs and tells you, early and once, what went wrong.\n\ncommands:\n";
  for (const auto& c : sidecar::cli::kCommands)
    out += "  " + std::string(c.name) + std::string(12 - c.name.size(), ' ') + std::string(c.summary) + "\n";
  out +=
      "\nRun 'sidecar-cli <command> --help' for a command's options.\n"
      "Exit status: " +
      std::string(sidecar::cli::kFindingsExit) + "; 'run' passes the child's through.\n";
  return out;
}

// The heap a command builds before its first line of work (the default playbook's tree and options, the
// catalogue: about 2 MB) in transparent huge pages where the kernel lends them for the asking: a 4 KiB page's first
// touch costs ~10 us on a paravirtualised machine, about 5 ms of an empty scan's 17, and a 2 MiB page ~0.2 ms. The
// brk heap grows and stays 4 MiB at a time, and the part above its top now is advised once; no call here can fail in a
// way that matters (on error the heap is only paged as before).
void heap_in_huge_pages() {
  constexpr std::size_t kHuge = std::size_t{2} << 20;
  mallopt(M_MMAP_THRESHOLD, 8 << 20);
  mallopt(M_TOP_PAD, 4 << 20);
  mallopt(M_TRIM_THRESHOLD, 64 << 20);
  void* room = std::malloc(3 * kHuge);  // from the brk heap (under the mmap threshold): it grows past it
  if (room == nullptr) return;
  const auto from = (reinterpret_cast<std::uintptr_t>(room) + kHuge - 1) & ~(kHuge - 1);
  const auto to = reinterpret_cast<std::uintptr_t>(sbrk(0)) & ~(kHuge - 1);
  if (to > from) madvise(reinterpret_cast<void*>(from), to - from, MADV_HUGEPAGE);
  std::free(room);
}

int run(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
    std::fputs(usage().c_str(), args.empty() ? stderr : stdout);
    return args.empty() ? sidecar::cli::kExitError : sidecar::cli::kExitOk;
  }
  if (args[0] == "--version" || args[0] == "-V" || args[0] == "version") {
    std::printf("sidecar-cli %s\n", sidecar::kVersion);
    return sidecar::cli::kExitOk;
  }
  // The parsed default playbook and the compiled pattern databases, for every
  // command (compiling the catalogue costs more than scanning 100 MB; parsing
  // the playbook's YAML was a fifth of an empty scan).
  heap_in_huge_pages();
  sidecar::detail::set_cache_dir(sidecar::detail::cache_dir_from_environment());
  for (const auto& c : sidecar::cli::kCommands) {
    if (c.name != args[0]) continue;
    auto result = c.fn(sidecar::cli::Args(args).subspan(1));
    if (!result) {
      sidecar::cli::print_error(std::string(c.name) + ": " + result.status().message());
      return sidecar::cli::kExitError;
    }
    return *result;
  }
  std::vector<std::string_view> names;
  for (const auto& c : sidecar::cli::kCommands) names.push_back(c.name);
  std::string msg = "unknown command '" + args[0] + "'";
  std::string guess = sidecar::detail::did_you_mean(args[0], names);
  if (!guess.empty()) msg += " (did you mean '" + guess + "'?)";
  sidecar::cli::print_error(msg + "; see 'sidecar-cli --help'");
  return sidecar::cli::kExitError;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    sidecar::cli::print_error(std::string("internal error: ") + e.what());
    return sidecar::cli::kExitError;
  }
}
