// HttpQueue (internal to the sinks component): a bounded queue of HTTP POSTs
// and one sender thread, shared by the server and Alertmanager sinks.
//
// push() takes a mutex for a few pointer moves and never waits on I/O.
// Records are sent in the order they were pushed. Coalescible kinds
// (kStatus, kPeriodic) keep at most one queued entry each: a newer kStatus
// replaces the queued one only when no alert waits behind it (a status stays
// before the alerts that follow it); a newer kPeriodic always replaces. A
// kFinal entry goes to the back and supersedes every queued kStatus. When the
// queue is full, the oldest kMetrics entry is dropped first, then the oldest
// coalescible one, then the oldest kAlert; kFinal is always accepted.
// Failures retry with exponential backoff (the whole queue waits: the peer
// is down). 404 is retried when on_not_found is set (it returns the record
// to send first, e.g. the run's status, which makes a restarted server
// know the run again); other 4xx answers except 408/429 are not retried
// (counted in `rejected`; 401/403 also in `auth_failures`).
// Failures and recoveries produce rate-limited notices (take_notices()).
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "sidecar/detail/sinks.h"
#include "sidecar/sinks.h"

namespace sidecar::detail {

class HttpQueue {
 public:
  enum class Kind { kStatus, kAlert, kPeriodic, kFinal, kMetrics };
  struct Item {
    Kind kind = Kind::kAlert;
    std::string url;
    std::string body;
    std::string tag;  // e.g. the local alert id, for the reply callback
    int attempts = 0;
    bool recovery = false;  // sent first after a 404 (does not end the backoff)
  };
  struct Options {
    std::size_t capacity = 256;
    double timeout_s = 5.0;
    double initial_backoff_s = 0.5;
    double max_backoff_s = 30.0;
    int max_attempts = 0;              // 0 = unbounded
    std::vector<std::string> headers;  // sent with every request (may hold a secret: never logged)
    double period_s = 0.0;             // > 0: call `periodic` this often from the sender thread
    double notice_interval_s = 60.0;   // at most one failure notice this often (the first at once)
  };
  // Called on the sender thread after a 2xx answer.
  using OnReply = std::function<void(const Item&, const HttpReply&)>;
  // Called on the sender thread every period_s; a returned item is queued
  // (coalesced). It may also push() items itself.
  using Periodic = std::function<std::optional<Item>()>;
  // Called on the sender thread after a 404: the record to send before
  // retrying `failed`; nullopt = do not retry the 404 (it is rejected).
  using OnNotFound = std::function<std::optional<Item>(const Item& failed)>;

  HttpQueue(Options options, OnReply on_reply, Periodic periodic = {}, OnNotFound on_not_found = {});
  ~HttpQueue();
  HttpQueue(const HttpQueue&) = delete;
  HttpQueue& operator=(const HttpQueue&) = delete;

  void push(Item item);
  SinkStats stats() const;
  // Notices since the last call ("POST /runs/r1/alerts: HTTP 503; retrying", …).
  std::vector<std::string> take_notices();
  // Waits (at most timeout_s) until the queue is empty, then stops the thread;
  // what is left is counted as dropped. Idempotent.
  void close(double timeout_s);

 private:
  void run();
  bool coalescible(Kind k) const { return k == Kind::kStatus || k == Kind::kPeriodic; }
  void insert_locked(Item item);
  void requeue_locked(Item item);
  void notice_locked(std::string text, bool force);
  // After a POST, with mu_ held: a 2xx ends a failing streak; anything else
  // is counted, noticed, and retried with back-off (after `first`, the
  // recovery post a 404 asked for) or dropped as the reply says.
  void delivered_locked(const Item& item);
  void failed_locked(Item item, const Result<HttpReply>& r, std::optional<Item> first, bool not_found);

  Options options_;
  OnReply on_reply_;
  Periodic periodic_;
  OnNotFound on_not_found_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::condition_variable idle_cv_;
  std::deque<Item> queue_;
  bool in_flight_ = false;
  bool stopping_ = false;  // close() asked the thread to finish
  bool closed_ = false;
  double retry_at_ = 0.0;  // monotonic seconds; nothing is sent before
  double backoff_ = 0.0;
  SinkStats stats_;
  bool failing_ = false;            // the last attempt failed (a recovery notice is due on success)
  std::uint64_t failed_since_ = 0;  // failures since the last success
  double last_notice_ = -1e300;     // monotonic seconds
  std::uint64_t suppressed_ = 0;    // notices not shown since the last one
  std::vector<std::string> notices_;
  std::atomic<bool> abort_{false};
  std::thread thread_;
};

// Monotonic seconds.
double mono_now();

// The queue options every HTTP sink's options carry (capacity, timeout,
// back-off, attempts when it has them) and its Content-Type header.
template <class SinkOptions>
HttpQueue::Options queue_options(const SinkOptions& o, std::string_view content_type) {
  HttpQueue::Options q;
  q.capacity = o.queue_capacity;
  q.timeout_s = o.timeout_s;
  q.initial_backoff_s = o.initial_backoff_s;
  q.max_backoff_s = o.max_backoff_s;
  if constexpr (requires { o.max_attempts; }) q.max_attempts = o.max_attempts;
  q.headers.push_back("Content-Type: " + std::string(content_type));
  return q;
}

}  // namespace sidecar::detail
