// HttpQueue: bounded queue + one sender thread (see http_queue.h).
#include "http_queue.h"
#include "sidecar/detail/sinks.h"

#include <algorithm>
#include <chrono>
#include <limits>

namespace sidecar::detail {

double mono_now() {
  using namespace std::chrono;
  return duration<double>(steady_clock::now().time_since_epoch()).count();
}

namespace {

constexpr double kClosingRetryS = 0.2;
constexpr std::size_t kMaxNotices = 32;  // waiting to be taken

std::chrono::steady_clock::time_point to_tp(double mono_s) {
  using namespace std::chrono;
  return steady_clock::time_point(duration_cast<steady_clock::duration>(duration<double>(mono_s)));
}

// "POST /runs/r1/alerts" for error texts (the URL path only: never a query or credentials).
std::string describe(const HttpQueue::Item& item) {
  std::string_view u = item.url;
  if (auto p = u.find("://"); p != std::string_view::npos) {
    auto slash = u.find('/', p + 3);
    u = slash == std::string_view::npos ? std::string_view("/") : u.substr(slash);
  }
  if (auto q = u.find('?'); q != std::string_view::npos) u = u.substr(0, q);
  return "POST " + std::string(u);
}

}  // namespace

HttpQueue::HttpQueue(Options options, OnReply on_reply, Periodic periodic, OnNotFound on_not_found)
    : options_(std::move(options)),
      on_reply_(std::move(on_reply)),
      periodic_(std::move(periodic)),
      on_not_found_(std::move(on_not_found)) {
  if (options_.capacity == 0) options_.capacity = 1;
  thread_ = std::thread([this] { run(); });
}

HttpQueue::~HttpQueue() { close(0.0); }

void HttpQueue::insert_locked(Item item) {
  auto has_final = [&] {
    return std::any_of(queue_.begin(), queue_.end(), [](const Item& q) { return q.kind == Kind::kFinal; });
  };
  if (item.kind == Kind::kStatus && has_final()) {
    ++stats_.coalesced;  // the final status already supersedes it
    return;
  }
  if (item.kind == Kind::kPeriodic) {
    for (auto& q : queue_) {
      if (q.kind != Kind::kPeriodic) continue;
      q.url = std::move(item.url);
      q.body = std::move(item.body);
      q.tag = std::move(item.tag);
      ++stats_.coalesced;
      return;
    }
  }
  if (item.kind == Kind::kStatus) {
    // Replace the newest queued status when no alert waits behind it: the
    // update then reaches the server no earlier than the alerts before it.
    for (auto it = queue_.rbegin(); it != queue_.rend(); ++it) {
      if (it->kind == Kind::kAlert) break;
      if (it->kind != Kind::kStatus) continue;
      it->url = std::move(item.url);
      it->body = std::move(item.body);
      it->tag = std::move(item.tag);
      ++stats_.coalesced;
      return;
    }
  }
  if (item.kind == Kind::kFinal) {
    auto before = queue_.size();
    std::erase_if(queue_, [](const Item& q) {
      return (q.kind == Kind::kStatus && !q.recovery) || q.kind == Kind::kFinal;  // a 404's recovery post stays
    });
    stats_.coalesced += before - queue_.size();
    queue_.push_back(std::move(item));  // after what came before it; always accepted
    return;
  }
  if (queue_.size() >= options_.capacity) {
    auto oldest = [&](auto pred) { return std::find_if(queue_.begin(), queue_.end(), pred); };
    auto victim = oldest([](const Item& q) { return q.kind == Kind::kMetrics; });
    if (victim == queue_.end() && item.kind == Kind::kMetrics) {
      ++stats_.dropped;  // metrics are the least valuable
      return;
    }
    if (victim == queue_.end()) victim = oldest([&](const Item& q) { return coalescible(q.kind); });
    if (victim == queue_.end() && coalescible(item.kind)) {
      ++stats_.dropped;  // full of alerts: the new update is the least valuable
      return;
    }
    if (victim == queue_.end()) victim = oldest([](const Item& q) { return q.kind == Kind::kAlert; });
    if (victim == queue_.end()) {
      ++stats_.dropped;
      return;
    }
    queue_.erase(victim);
    ++stats_.dropped;
  }
  queue_.push_back(std::move(item));
}

void HttpQueue::requeue_locked(Item item) {
  if (coalescible(item.kind)) {
    bool superseded = std::any_of(queue_.begin(), queue_.end(), [&](const Item& q) {
      return q.kind == item.kind || (item.kind == Kind::kStatus && q.kind == Kind::kFinal);
    });
    if (superseded) {
      ++stats_.coalesced;
      return;
    }
  }
  queue_.push_front(std::move(item));  // back at the front: order kept
}

void HttpQueue::notice_locked(std::string text, bool force) {
  double now = mono_now();
  if (now - last_notice_ < (force ? std::min(1.0, options_.notice_interval_s) : options_.notice_interval_s)) {
    ++suppressed_;
    return;
  }
  if (suppressed_ > 0) text += " (" + std::to_string(suppressed_) + " similar notices held back)";
  suppressed_ = 0;
  last_notice_ = now;
  if (notices_.size() >= kMaxNotices) notices_.erase(notices_.begin());
  notices_.push_back(std::move(text));
}

void HttpQueue::push(Item item) {
  std::lock_guard<std::mutex> lock(mu_);
  if (stopping_ || closed_) {
    ++stats_.dropped;
    return;
  }
  insert_locked(std::move(item));
  cv_.notify_one();
}

SinkStats HttpQueue::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  SinkStats s = stats_;
  s.queue_depth = queue_.size() + (in_flight_ ? 1 : 0);
  return s;
}

std::vector<std::string> HttpQueue::take_notices() {
  std::lock_guard<std::mutex> lock(mu_);
  return std::exchange(notices_, {});
}

void HttpQueue::run() {
  constexpr double kNever = std::numeric_limits<double>::infinity();
  std::unique_lock<std::mutex> lock(mu_);
  double next_periodic = options_.period_s > 0 ? mono_now() + options_.period_s : kNever;
  while (!abort_.load()) {
    double now = mono_now();
    if (periodic_ && now >= next_periodic && !stopping_) {
      lock.unlock();
      std::optional<Item> item = periodic_();
      lock.lock();
      if (item) insert_locked(std::move(*item));
      next_periodic = now + options_.period_s;
      continue;
    }
    if (queue_.empty()) {
      idle_cv_.notify_all();
      if (stopping_) break;
      if (next_periodic == kNever)
        cv_.wait(lock);
      else
        cv_.wait_until(lock, to_tp(next_periodic));
      continue;
    }
    if (now < retry_at_) {
      cv_.wait_until(lock, to_tp(std::min(retry_at_, next_periodic)));
      continue;
    }
    Item item = std::move(queue_.front());
    queue_.pop_front();
    in_flight_ = true;
    if (item.attempts > 0) ++stats_.retried;
    lock.unlock();
    Result<HttpReply> r =
        http_request("POST", item.url, item.body, options_.headers, options_.timeout_s, &abort_, 64 * 1024);
    bool ok = r && r->code >= 200 && r->code < 300;
    if (ok && on_reply_) on_reply_(item, *r);
    std::optional<Item> first;  // after a 404: what to send before the retry
    bool not_found = r && r->code == 404;
    if (not_found && on_not_found_ && !item.recovery) first = on_not_found_(item);
    lock.lock();
    in_flight_ = false;
    if (ok)
      delivered_locked(item);
    else
      failed_locked(std::move(item), r, std::move(first), not_found);
  }
  idle_cv_.notify_all();
}

void HttpQueue::delivered_locked(const Item& item) {
  ++stats_.sent;
  if (failing_)
    notice_locked(describe(item) + ": delivered again after " + std::to_string(failed_since_) + " failed attempt" +
                      (failed_since_ == 1 ? "" : "s"),
                  true);
  failing_ = false;
  failed_since_ = 0;
  if (!item.recovery) backoff_ = 0.0;  // a recovery post alone does not prove the record goes through
  retry_at_ = 0.0;
}

void HttpQueue::failed_locked(Item item, const Result<HttpReply>& r, std::optional<Item> first, bool not_found) {
  ++stats_.failed;
  ++failed_since_;
  bool auth = r && (r->code == 401 || r->code == 403);
  bool retryable = !r || r->code >= 500 || r->code == 408 || r->code == 429 || r->code < 200 ||
                   (not_found && (first.has_value() || item.recovery));
  std::string what;
  if (!r)
    what = r.status().message();
  else if (auth)
    what = "HTTP " + std::to_string(r->code) +
           " (the server refused the token: check SIDECAR_AUTH_TOKEN or --auth-token-file)";
  else
    what = "HTTP " + std::to_string(r->code);
  stats_.last_error = describe(item) + ": " + what + (retryable ? "" : " (not retried)");
  if (!retryable) {
    ++stats_.rejected;
    if (auth) ++stats_.auth_failures;
    notice_locked(stats_.last_error + "; the record is lost", !failing_);
    failing_ = true;
    return;
  }
  notice_locked(stats_.last_error + "; retrying with backoff", !failing_);
  failing_ = true;
  bool first_404 = first.has_value() && item.attempts == 0;
  ++item.attempts;
  if (options_.max_attempts > 0 && item.attempts >= options_.max_attempts) {
    ++stats_.dropped;
  } else {
    requeue_locked(std::move(item));
  }
  if (first) {
    first->recovery = true;
    queue_.push_front(std::move(*first));  // the run's status, then the record again
  }
  backoff_ = backoff_ <= 0.0 ? options_.initial_backoff_s : std::min(backoff_ * 2.0, options_.max_backoff_s);
  // Closing: the time left is close()'s, so retry briskly rather than sleep a long backoff.
  // After a record's first 404 the recovery post goes at once.
  retry_at_ = first_404 ? 0.0 : mono_now() + (stopping_ ? std::min(backoff_, kClosingRetryS) : backoff_);
}

void HttpQueue::close(double timeout_s) {
  std::unique_lock<std::mutex> lock(mu_);
  if (closed_) return;
  stopping_ = true;
  retry_at_ = 0.0;  // one prompt attempt for what is queued
  cv_.notify_all();
  double deadline = mono_now() + std::max(0.0, timeout_s);
  idle_cv_.wait_until(lock, to_tp(deadline), [&] { return queue_.empty() && !in_flight_; });
  abort_.store(true);
  cv_.notify_all();
  lock.unlock();
  if (thread_.joinable()) thread_.join();
  lock.lock();
  stats_.dropped += queue_.size();
  queue_.clear();
  closed_ = true;
}

}  // namespace sidecar::detail
