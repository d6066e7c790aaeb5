// HTTP through libcurl (the only file that uses curl): one request per call
// on the caller's thread, bounded in time, abortable.
//
// libcurl is loaded with dlopen on the first request, not linked: it and its
// TLS, Kerberos and LDAP stack (~27 shared libraries) cost every process
// start in the dynamic loader, and most commands (scan, replay, report) never
// send anything. A missing library makes each request fail with an error
// that names it; the caller's monitoring goes on. $SIDECAR_LIBCURL names the
// library file to load instead of the system's.
#include <curl/curl.h>
#include <dlfcn.h>

#include <atomic>
#include <cmath>
#include <cstdlib>
#include <mutex>
#include <string>
#include <vector>

#include "sidecar/detail/sinks.h"
#include "sidecar/sinks.h"

namespace sidecar::detail {
namespace {

// The part of libcurl's API used here, resolved from the loaded library.
struct CurlApi {
  CURLcode (*global_init)(long) = nullptr;
  CURL* (*easy_init)() = nullptr;
  void (*easy_cleanup)(CURL*) = nullptr;
  CURLcode (*easy_setopt)(CURL*, CURLoption, ...) = nullptr;
  CURLcode (*easy_perform)(CURL*) = nullptr;
  CURLcode (*easy_getinfo)(CURL*, CURLINFO, ...) = nullptr;
  const char* (*easy_strerror)(CURLcode) = nullptr;
  curl_slist* (*slist_append)(curl_slist*, const char*) = nullptr;
  void (*slist_free_all)(curl_slist*) = nullptr;
  std::string error;  // why the library is unusable; "" when loaded
};

// Resolves `name` into *fn; false (with api->error set) when it is missing.
template <typename Fn>
bool resolve(void* lib, const char* name, const std::string& file, Fn* fn, CurlApi* api) {
  *fn = reinterpret_cast<Fn>(dlsym(lib, name));
  if (*fn != nullptr) return true;
  api->error = "libcurl (" + file + ") has no " + name;
  return false;
}

CurlApi load_curl() {
  CurlApi api;
  const char* env = std::getenv("SIDECAR_LIBCURL");
  std::vector<std::string> names = {"libcurl.so.4", "libcurl-gnutls.so.4", "libcurl-nss.so.4"};
  if (env != nullptr && *env != '\0') names = {env};
  void* lib = nullptr;
  std::string file, why;
  for (const std::string& name : names) {
    file = name;
    if ((lib = dlopen(name.c_str(), RTLD_NOW | RTLD_LOCAL)) != nullptr) break;
    const char* e = dlerror();
    if (why.empty() && e != nullptr) why = e;
  }
  if (lib == nullptr) {
    api.error = "HTTP needs libcurl, which could not be loaded (" + why +
                "); install it (Debian: apt install libcurl4) or set SIDECAR_LIBCURL to its path";
    return api;
  }
  // Never unloaded: its threads and handlers may outlive any one request.
  bool ok = resolve(lib, "curl_global_init", file, &api.global_init, &api) &&
            resolve(lib, "curl_easy_init", file, &api.easy_init, &api) &&
            resolve(lib, "curl_easy_cleanup", file, &api.easy_cleanup, &api) &&
            resolve(lib, "curl_easy_setopt", file, &api.easy_setopt, &api) &&
            resolve(lib, "curl_easy_perform", file, &api.easy_perform, &api) &&
            resolve(lib, "curl_easy_getinfo", file, &api.easy_getinfo, &api) &&
            resolve(lib, "curl_easy_strerror", file, &api.easy_strerror, &api) &&
            resolve(lib, "curl_slist_append", file, &api.slist_append, &api) &&
            resolve(lib, "curl_slist_free_all", file, &api.slist_free_all, &api);
  if (ok && api.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) api.error = "libcurl (" + file + "): global init failed";
  return api;
}

// Loaded (and initialised) once per process, on the first request.
const CurlApi& curl_api() {
  static const CurlApi api = load_curl();
  return api;
}

struct Transfer {
  std::string body;
  std::size_t max_body = 0;
  const std::atomic<bool>* abort = nullptr;
};

std::size_t on_data(char* ptr, std::size_t size, std::size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  std::size_t bytes = size * n;
  std::size_t room = t->max_body > t->body.size() ? t->max_body - t->body.size() : 0;
  t->body.append(ptr, std::min(room, bytes));
  return bytes;  // keep reading (and discarding) past the cap
}

int on_progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  auto* t = static_cast<Transfer*>(user);
  return (t->abort != nullptr && t->abort->load(std::memory_order_relaxed)) ? 1 : 0;
}

struct EasyDeleter {
  void operator()(CURL* c) const { curl_api().easy_cleanup(c); }
};
struct ListDeleter {
  void operator()(curl_slist* l) const { curl_api().slist_free_all(l); }
};

}  // namespace

Result<HttpReply> http_request(std::string_view method, const std::string& url, std::string_view body,
                               const std::vector<std::string>& headers, double timeout_s,
                               const std::atomic<bool>* abort, std::size_t max_body) {
  if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0)
    return Status(StatusCode::kInvalidArgument, "not an http(s) URL: '" + url + "'");
  const CurlApi& api = curl_api();
  if (!api.error.empty()) return Status(StatusCode::kUnavailable, api.error);
  std::unique_ptr<CURL, EasyDeleter> curl(api.easy_init());
  if (!curl) return Status(StatusCode::kInternal, "curl_easy_init failed");
  Transfer t;
  t.max_body = max_body;
  t.abort = abort;
  std::unique_ptr<curl_slist, ListDeleter> list;
  curl_slist* raw = nullptr;
  for (const auto& h : headers) raw = api.slist_append(raw, h.c_str());
  raw = api.slist_append(raw, "Expect:");  // no 100-continue round trip
  list.reset(raw);
  long ms = static_cast<long>(std::ceil(std::max(0.001, timeout_s) * 1000.0));
  CURL* c = curl.get();
  api.easy_setopt(c, CURLOPT_URL, url.c_str());
  api.easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  api.easy_setopt(c, CURLOPT_TIMEOUT_MS, ms);
  api.easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, ms);
  api.easy_setopt(c, CURLOPT_HTTPHEADER, list.get());
  api.easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
  api.easy_setopt(c, CURLOPT_WRITEDATA, &t);
  api.easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
  api.easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
  api.easy_setopt(c, CURLOPT_XFERINFODATA, &t);
  api.easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  api.easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  api.easy_setopt(c, CURLOPT_USERAGENT, "sidecar");
  if (method == "POST" || method == "PUT") {
    api.easy_setopt(c, CURLOPT_POSTFIELDS, body.data());
    api.easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    if (method == "PUT") api.easy_setopt(c, CURLOPT_CUSTOMREQUEST, "PUT");
  } else if (method != "GET") {
    api.easy_setopt(c, CURLOPT_CUSTOMREQUEST, std::string(method).c_str());
  }
  CURLcode rc = api.easy_perform(c);
  if (rc != CURLE_OK) {
    StatusCode code = rc == CURLE_OPERATION_TIMEDOUT ? StatusCode::kDeadlineExceeded : StatusCode::kUnavailable;
    if (rc == CURLE_URL_MALFORMAT || rc == CURLE_UNSUPPORTED_PROTOCOL) code = StatusCode::kInvalidArgument;
    if (rc == CURLE_ABORTED_BY_CALLBACK) return Status(StatusCode::kUnavailable, "aborted (closing)");
    return Status(code, std::string(api.easy_strerror(rc)));
  }
  HttpReply reply;
  api.easy_getinfo(c, CURLINFO_RESPONSE_CODE, &reply.code);
  reply.body = std::move(t.body);
  return reply;
}

}  // namespace sidecar::detail
