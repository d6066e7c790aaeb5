// libsidecar-http.so: the HTTP server behind the Prometheus exporter
// (detail/http_server.h), the only file that includes cpp-httplib. Loaded
// with dlopen by start_http_server() on the first start.
#include <httplib.h>

#include <chrono>
#include <thread>

#include "sidecar/detail/http_server.h"

namespace sidecar::detail {
namespace {

class HttplibServer final : public HttpServer {
 public:
  ~HttplibServer() override { stop(); }
  int port() const override { return port_; }
  void stop() override {
    if (stopped_) return;
    stopped_ = true;
    server_.stop();
    if (thread_.joinable()) thread_.join();
  }

  // Errors as start_http_server's.
  Status start(const HttpServerConfig& config) {
    const auto threads = static_cast<std::size_t>(std::max(1, config.threads));
    server_.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
    server_.set_read_timeout(5, 0);
    server_.set_write_timeout(5, 0);
    server_.set_keep_alive_max_count(100);
    // SO_REUSEADDR only: httplib's default also sets SO_REUSEPORT, which would
    // let a second exporter share a port silently instead of failing to bind.
    server_.set_socket_options([](socket_t sock) {
      int yes = 1;
      ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    });
    for (const HttpRoute& r : config.routes)
      server_.Get(r.path,
                  [r](const httplib::Request&, httplib::Response& res) { res.set_content(r.body(), r.content_type); });
    port_ = config.port;
    if (port_ == 0) {
      port_ = server_.bind_to_any_port(config.address);
      if (port_ <= 0) return Status(StatusCode::kUnavailable, "cannot listen on " + config.address + ":0");
    } else if (!server_.bind_to_port(config.address, port_)) {
      return Status(StatusCode::kUnavailable,
                    "cannot listen on " + config.address + ":" + std::to_string(port_) + " (in use, or not allowed)");
    }
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    // stop() only takes effect once the server runs: wait for it (bounded).
    for (int i = 0; i < 2000 && !server_.is_running(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    return Status::Ok();
  }

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  bool stopped_ = false;
};

}  // namespace
}  // namespace sidecar::detail

extern "C" __attribute__((visibility("default"))) sidecar::detail::HttpServer* sidecar_start_http_server_v1(
    const sidecar::detail::HttpServerConfig& config, int* code, std::string* error) {
  auto server = std::make_unique<sidecar::detail::HttplibServer>();
  sidecar::Status st = server->start(config);
  if (st.ok()) return server.release();
  *code = static_cast<int>(st.code());
  *error = st.message();
  return nullptr;
}
