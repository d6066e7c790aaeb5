// HTTP through libcurl (the only file that includes curl): one request per
// call on the caller's thread, bounded in time, abortable.
#include <curl/curl.h>

#include <atomic>
#include <cmath>
#include <mutex>
#include <string>

#include "sidecar/detail/sinks.h"
#include "sidecar/sinks.h"

namespace sidecar::detail {
namespace {

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
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
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct ListDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

}  // namespace

Result<HttpReply> http_request(std::string_view method, const std::string& url, std::string_view body,
                               const std::vector<std::string>& headers, double timeout_s,
                               const std::atomic<bool>* abort, std::size_t max_body) {
  if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0)
    return Status(StatusCode::kInvalidArgument, "not an http(s) URL: '" + url + "'");
  global_init();
  std::unique_ptr<CURL, EasyDeleter> curl(curl_easy_init());
  if (!curl) return Status(StatusCode::kInternal, "curl_easy_init failed");
  Transfer t;
  t.max_body = max_body;
  t.abort = abort;
  std::unique_ptr<curl_slist, ListDeleter> list;
  curl_slist* raw = nullptr;
  for (const auto& h : headers) raw = curl_slist_append(raw, h.c_str());
  raw = curl_slist_append(raw, "Expect:");  // no 100-continue round trip
  list.reset(raw);
  long ms = static_cast<long>(std::ceil(std::max(0.001, timeout_s) * 1000.0));
  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, ms);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, ms);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, list.get());
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &t);
  curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
  curl_easy_setopt(c, CURLOPT_XFERINFODATA, &t);
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(c, CURLOPT_USERAGENT, "sidecar");
  if (method == "POST" || method == "PUT") {
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    if (method == "PUT") curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, "PUT");
  } else if (method != "GET") {
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, std::string(method).c_str());
  }
  CURLcode rc = curl_easy_perform(c);
  if (rc != CURLE_OK) {
    StatusCode code = rc == CURLE_OPERATION_TIMEDOUT ? StatusCode::kDeadlineExceeded : StatusCode::kUnavailable;
    if (rc == CURLE_URL_MALFORMAT || rc == CURLE_UNSUPPORTED_PROTOCOL) code = StatusCode::kInvalidArgument;
    if (rc == CURLE_ABORTED_BY_CALLBACK) return Status(StatusCode::kUnavailable, "aborted (closing)");
    return Status(code, std::string(curl_easy_strerror(rc)));
  }
  HttpReply reply;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &reply.code);
  reply.body = std::move(t.body);
  return reply;
}

}  // namespace sidecar::detail
