// What the Slack and webhook sinks share (notify.h): one incident gate, one
// HTTP queue posting to one URL, and the messages dropped while no URL is set.
// Each sink says what an alert and a resolution become.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http_queue.h"
#include "sidecar/notify.h"
#include "sidecar/sinks.h"

namespace sidecar::detail {

class NotifySink : public Sink {
 public:
  ~NotifySink() override { close(0.0); }
  // An alert that opens or escalates an incident becomes one message.
  void on_alert(const Alert& alert) final;
  // A resolution that closes a notified incident becomes one message.
  void on_resolved(const Resolved& resolved) final;
  void on_snapshot(const Snapshot&) override {}
  void on_finish(const RunEnd&) override {}
  void close(double timeout_s) override { queue_->close(timeout_s); }
  // The queue's notices (a failing endpoint, a missing libcurl), named by the
  // sink and with the URL redacted: the front end prints them.
  std::vector<std::string> take_notices() override;

 protected:
  NotifySink(Severity min_severity, std::string url, HttpQueue::Options queue)
      : gate_(min_severity), url_(std::move(url)) {
    queue_.emplace(std::move(queue), HttpQueue::OnReply{});
  }
  const std::string& url() const { return url_; }
  // The message for an alert the gate let through (`event`: kOpen or
  // kEscalated; `key`: its incident). Called with mu_ held.
  virtual std::string alert_message(const Alert& alert, IncidentGate::Event event, const std::string& key) = 0;
  // The message for a resolution of the notified incident `key`, or none.
  // Called with mu_ held.
  virtual std::optional<std::string> resolved_message(const Resolved& resolved, const std::string& key) = 0;
  // Queues `body` for the URL (`tag`: the alert it is about); without a URL, counts a drop.
  void push(std::string body, const std::string& tag);
  // The queue's counters, the URL redacted from the last error; `no_url` is
  // the error while messages are dropped for want of a URL.
  SinkStats notify_stats(std::string_view no_url) const;

  mutable std::mutex mu_;  // guards gate_ and what the sink keeps beside it
  IncidentGate gate_;

 private:
  std::string url_;
  std::uint64_t no_url_drops_ = 0;
  std::optional<HttpQueue> queue_;  // last: its thread stops first
};

}  // namespace sidecar::detail
