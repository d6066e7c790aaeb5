// The Prometheus exporter's HTTP server lives in a module of its own
// (libsidecar-http.so, built with cpp-httplib), loaded with dlopen the first
// time a server starts. Linking cpp-httplib into the library cost every
// process ~9 ms at start (its shared library initialises OpenSSL and loads
// brotli), though only `run`/`watch --prometheus` ever serve.
//
// Both sides are built by this project with the same compiler, so the
// interface is C++: one extern "C" entry point that returns an HttpServer.
// The module is never unloaded.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "sidecar/status.h"

namespace sidecar::detail {

struct HttpRoute {
  std::string path;                   // "/metrics": GET only
  std::string content_type;           // "text/plain; charset=utf-8"
  std::function<std::string()> body;  // called on the server's threads for every request
};

struct HttpServerConfig {
  std::string address;  // "127.0.0.1", "::1", "0.0.0.0"
  int port = 0;         // 0: any free port
  int threads = 2;
  std::vector<HttpRoute> routes;
};

class HttpServer {
 public:
  virtual ~HttpServer() = default;  // stops
  virtual int port() const = 0;     // the bound port
  virtual void stop() = 0;          // idempotent; joins the server's threads
};

// The module's entry point: a running server, or null with *code (a StatusCode) and *error set.
using StartHttpServerFn = HttpServer* (*)(const HttpServerConfig& config, int* code, std::string* error);
inline constexpr const char* kStartHttpServerSymbol = "sidecar_start_http_server_v1";
inline constexpr const char* kHttpModuleFile = "libsidecar-http.so";

// Where the module is looked for, in order: $SIDECAR_HTTP_MODULE (a file);
// next to the object holding this library (the Python extension, a shared
// libsidecar, the executable) and in its ../lib/sidecar/; the install
// directory; the build tree. Exposed for tests.
std::vector<std::string> http_module_candidates();

// Loads the module (once per process) and starts a server.
// Errors: kUnavailable (no module, or cannot bind), kInvalidArgument (bad address).
Result<std::unique_ptr<HttpServer>> start_http_server(const HttpServerConfig& config);

}  // namespace sidecar::detail
