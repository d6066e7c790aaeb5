// HttpQueue: bounded queue + one sender thread (see http_queue.h).
#include "http_queue.h"

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

HttpQueue::HttpQueue(Options options, OnReply on_reply, Periodic periodic)
    : options_(std::move(options)), on_reply_(std::move(on_reply)), periodic_(std::move(periodic)) {
  if (options_.capacity == 0) options_.capacity = 1;
  thread_ = std::thread([this] { run(); });
}

HttpQueue::~HttpQueue() { close(0.0); }

void HttpQueue::insert_locked(Item item) {
  if (coalescible(item.kind)) {
    if (item.kind == Kind::kStatus &&
        std::any_of(queue_.begin(), queue_.end(), [](const Item& q) { return q.kind == Kind::kFinal; })) {
      ++stats_.coalesced;  // the final status already supersedes it
      return;
    }
    for (auto& q : queue_) {
      if (q.kind != item.kind) continue;
      q.url = std::move(item.url);
      q.body = std::move(item.body);
      q.tag = std::move(item.tag);
      ++stats_.coalesced;
      return;
    }
  }
  if (item.kind == Kind::kFinal) {
    auto before = queue_.size();
    std::erase_if(queue_, [](const Item& q) { return q.kind == Kind::kStatus || q.kind == Kind::kFinal; });
    stats_.coalesced += before - queue_.size();
    queue_.push_front(std::move(item));
    return;
  }
  if (queue_.size() >= options_.capacity) {
    auto victim = std::find_if(queue_.begin(), queue_.end(), [&](const Item& q) { return coalescible(q.kind); });
    if (victim == queue_.end() && coalescible(item.kind)) {
      ++stats_.dropped;  // full of alerts: the new update is the least valuable
      return;
    }
    if (victim == queue_.end())
      victim = std::find_if(queue_.begin(), queue_.end(), [](const Item& q) { return q.kind == Kind::kAlert; });
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
  // Back at the front (order kept), but behind a queued final status.
  auto pos = queue_.begin();
  if (item.kind != Kind::kFinal)
    while (pos != queue_.end() && pos->kind == Kind::kFinal) ++pos;
  queue_.insert(pos, std::move(item));
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
    lock.lock();
    in_flight_ = false;
    if (ok) {
      ++stats_.sent;
      backoff_ = 0.0;
      retry_at_ = 0.0;
      continue;
    }
    ++stats_.failed;
    bool retryable = !r || r->code >= 500 || r->code == 408 || r->code == 429 || r->code < 200;
    stats_.last_error =
        describe(item) + ": " +
        (r ? "HTTP " + std::to_string(r->code) + (retryable ? "" : " (not retried)") : r.status().message());
    if (!retryable) continue;
    ++item.attempts;
    if (options_.max_attempts > 0 && item.attempts >= options_.max_attempts) {
      ++stats_.dropped;
    } else {
      requeue_locked(std::move(item));
    }
    backoff_ = backoff_ <= 0.0 ? options_.initial_backoff_s : std::min(backoff_ * 2.0, options_.max_backoff_s);
    // Closing: the time left is close()'s, so retry briskly rather than sleep a long backoff.
    retry_at_ = mono_now() + (stopping_ ? std::min(backoff_, kClosingRetryS) : backoff_);
  }
  idle_cv_.notify_all();
}

void HttpQueue::close(double timeout_s) {
  std::unique_lock<std::mutex> lock(mu_);
  if (closed_) return;
  stopping_ = true;
  retry_at_ = 0.0;  // one prompt attempt for what is queued (the final status first)
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
