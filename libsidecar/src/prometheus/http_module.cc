// start_http_server (detail/http_server.h): finds libsidecar-http.so, loads
// it once per process and starts a server through its entry point.
#include <dlfcn.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "sidecar/detail/http_server.h"

namespace sidecar::detail {
namespace {

struct HttpModule {
  StartHttpServerFn start = nullptr;
  std::string error;  // why no module was loaded; "" when loaded
};

std::string parent_dir(const std::string& file) {
  std::error_code ec;
  std::filesystem::path p = std::filesystem::canonical(file, ec);
  return ec ? std::string() : p.parent_path().string();
}

HttpModule load_module() {
  HttpModule m;
  std::string tried;
  for (const std::string& path : http_module_candidates()) {
    void* lib = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);  // never unloaded: its servers may outlive any caller
    if (lib == nullptr) {
      std::error_code ec;
      if (std::filesystem::exists(path, ec)) {
        const char* e = dlerror();
        m.error = "cannot load the HTTP module " + path + ": " + (e ? e : "dlopen failed");
        return m;
      }
      tried += (tried.empty() ? "" : ", ") + path;
      continue;
    }
    m.start = reinterpret_cast<StartHttpServerFn>(dlsym(lib, kStartHttpServerSymbol));
    if (m.start == nullptr) m.error = "the HTTP module " + path + " has no " + kStartHttpServerSymbol;
    return m;
  }
  m.error = std::string("the HTTP module ") + kHttpModuleFile + " was not found (looked at: " + tried +
            "); set SIDECAR_HTTP_MODULE to its path";
  return m;
}

}  // namespace

std::vector<std::string> http_module_candidates() {
  if (const char* env = std::getenv("SIDECAR_HTTP_MODULE"); env != nullptr && *env != '\0') return {env};
  std::vector<std::string> dirs;
  Dl_info info{};
  if (dladdr(reinterpret_cast<void*>(&http_module_candidates), &info) != 0 && info.dli_fname != nullptr)
    dirs.push_back(parent_dir(info.dli_fname));
  dirs.push_back(parent_dir("/proc/self/exe"));
  std::vector<std::string> out;
  auto add = [&out](const std::string& path) {
    if (!path.empty() && std::find(out.begin(), out.end(), path) == out.end()) out.push_back(path);
  };
  for (const std::string& d : dirs) {
    if (d.empty()) continue;
    add(d + "/" + kHttpModuleFile);
    add(d + "/../lib/sidecar/" + kHttpModuleFile);
  }
#ifdef SIDECAR_HTTP_MODULE_INSTALLED
  add(SIDECAR_HTTP_MODULE_INSTALLED);
#endif
#ifdef SIDECAR_HTTP_MODULE_BUILT
  add(SIDECAR_HTTP_MODULE_BUILT);
#endif
  return out;
}

Result<std::unique_ptr<HttpServer>> start_http_server(const HttpServerConfig& config) {
  static const HttpModule module = load_module();
  if (module.start == nullptr) return Status(StatusCode::kUnavailable, module.error);
  int code = static_cast<int>(StatusCode::kUnavailable);
  std::string error;
  HttpServer* server = module.start(config, &code, &error);
  if (server == nullptr) return Status(static_cast<StatusCode>(code), error);
  return std::unique_ptr<HttpServer>(server);
}

}  // namespace sidecar::detail
