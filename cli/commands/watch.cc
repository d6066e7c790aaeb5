// sidecar-cli watch — placeholder until its issue lands; the owner replaces this file.
#include "commands/commands.h"

namespace sidecar::cli {

Result<int> cmd_watch(Args) { return Status(StatusCode::kUnavailable, "not built yet"); }

}  // namespace sidecar::cli
