// HttpQueue (internal to the sinks component): a bounded queue of HTTP POSTs
// and one sender thread, shared by the server and Alertmanager sinks.
//
// push() takes a mutex for a few pointer moves and never waits on I/O.
// Coalescible kinds (kStatus, kPeriodic) keep at most one queued entry each:
// a newer body replaces the queued one. A kFinal entry goes to the front and
// replaces any queued kStatus. When the queue is full, the oldest coalescible
// entry is dropped first, then the oldest kAlert; kFinal is always accepted.
// Failures retry with exponential backoff (the whole queue waits: the peer
// is down); 4xx answers other than 408/429 are not retried.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "sidecar/sinks.h"

namespace sidecar::detail {

class HttpQueue {
 public:
  enum class Kind { kStatus, kAlert, kPeriodic, kFinal };
  struct Item {
    Kind kind = Kind::kAlert;
    std::string url;
    std::string body;
    std::string tag;  // e.g. the local alert id, for the reply callback
    int attempts = 0;
  };
  struct Options {
    std::size_t capacity = 256;
    double timeout_s = 5.0;
    double initial_backoff_s = 0.5;
    double max_backoff_s = 30.0;
    int max_attempts = 0;              // 0 = unbounded
    std::vector<std::string> headers;  // sent with every request (may hold a secret: never logged)
    double period_s = 0.0;             // > 0: call `periodic` this often from the sender thread
  };
  // Called on the sender thread after a 2xx answer.
  using OnReply = std::function<void(const Item&, const HttpReply&)>;
  // Called on the sender thread every period_s; a returned item is queued (coalesced).
  using Periodic = std::function<std::optional<Item>()>;

  HttpQueue(Options options, OnReply on_reply, Periodic periodic = {});
  ~HttpQueue();
  HttpQueue(const HttpQueue&) = delete;
  HttpQueue& operator=(const HttpQueue&) = delete;

  void push(Item item);
  SinkStats stats() const;
  // Waits (at most timeout_s) until the queue is empty, then stops the thread;
  // what is left is counted as dropped. Idempotent.
  void close(double timeout_s);

 private:
  void run();
  bool coalescible(Kind k) const { return k == Kind::kStatus || k == Kind::kPeriodic; }
  void insert_locked(Item item);
  void requeue_locked(Item item);

  Options options_;
  OnReply on_reply_;
  Periodic periodic_;

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
  std::atomic<bool> abort_{false};
  std::thread thread_;
};

// Monotonic seconds.
double mono_now();

}  // namespace sidecar::detail
