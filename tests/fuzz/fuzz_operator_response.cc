// Fuzzes operator answers: the response-file reader (any bytes, possibly
// partial), answer matching against an alert's choices, and alert-id
// sanitising (never a path outside <run_dir>/alerts/).
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "sidecar/operator.h"

namespace {
const std::vector<std::string> kChoices = {"Continue Anyway", "Stop Job"};

std::string run_dir() {
  static const std::string dir = [] {
    std::string d =
        (std::filesystem::temp_directory_path() / ("sidecar-fuzz-op-" + std::to_string(::getpid()))).string();
    std::filesystem::create_directories(d + "/alerts");
    return d;
  }();
  return dir;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);

  // Ids: safe, bounded, never empty, never climbing out of alerts/.
  std::string id = sidecar::sanitize_alert_id(text);
  if (id.empty() || id.size() > 128 || id[0] == '.' || id.find("..") != std::string::npos) std::abort();
  for (char c : id)
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
          c == '-'))
      std::abort();

  // Matching: a valid answer is exactly one of the choices; otherwise the fallback with a reason.
  sidecar::ActionTable table;
  auto a = sidecar::match_answer(text, kChoices, table);
  if (a.valid && a.choice != kChoices[0] && a.choice != kChoices[1]) std::abort();
  if (!a.valid && (a.problem.empty() || a.action != table.fallback)) std::abort();
  if (a.valid && a.choice == "Stop Job" && a.action != sidecar::Action::kStop) std::abort();

  // The file reader on these bytes as a response file.
  {
    std::ofstream out(run_dir() + "/alerts/fuzz.response", std::ios::binary | std::ios::trunc);
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
  }
  sidecar::ResponseWatcher w(run_dir(), "fuzz", kChoices, table);
  auto first = w.poll();
  auto second = w.poll();  // complete by now unless blank
  if (first && (!second || second->choice != first->choice)) std::abort();
  if (second && !second->valid && second->problem.empty()) std::abort();
  return 0;
}
