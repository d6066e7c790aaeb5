// The judge feeder: hands the optional LLM judge (playbook `judge:`, off by
// default) a compact context when the rules have nothing open, new rows
// arrived and its interval passed; turns a verdict into a decision. Never
// blocks (the Judge runs its calls on its own thread).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "sidecar/core/records.h"
#include "sidecar/monitor.h"

namespace sidecar {
class Judge;
}

namespace sidecar::detail {

class JudgeFeeder {
 public:
  JudgeFeeder(std::unique_ptr<Judge> judge, std::size_t recent_bytes, std::string run_id);
  ~JudgeFeeder();

  void on_row() { ++new_rows_; }
  void on_output(std::string_view bytes);
  void on_alert(const Alert& a) { active_.insert(a.decision.signature); }
  void on_resolved(const Resolved& r) { active_.erase(r.signature); }
  // A verdict that came back (as a decision), after submitting a new
  // question when one is due.
  std::optional<Decision> poll(const Monitor& monitor, double wall);

 private:
  std::unique_ptr<Judge> judge_;
  std::string run_id_;
  std::size_t recent_bytes_;
  std::string recent_output_;
  std::set<std::string> active_;  // signatures alerted and not resolved
  std::uint64_t new_rows_ = 0;
};

}  // namespace sidecar::detail
