#include "judge_feeder.h"

#include "sidecar/core/detail/strings.h"
#include "sidecar/judge.h"

namespace sidecar::detail {

JudgeFeeder::JudgeFeeder(std::unique_ptr<Judge> judge, std::size_t recent_bytes, std::string run_id)
    : judge_(std::move(judge)), run_id_(std::move(run_id)), recent_bytes_(recent_bytes) {}

JudgeFeeder::~JudgeFeeder() = default;

void JudgeFeeder::on_output(std::string_view bytes) {
  if (!judge_) return;
  // The tail of the output (bounded, cut at a line start).
  recent_output_.append(bytes.substr(bytes.size() > recent_bytes_ ? bytes.size() - recent_bytes_ : 0));
  if (recent_output_.size() > 2 * recent_bytes_) {
    std::size_t cut = recent_output_.find('\n', recent_output_.size() - recent_bytes_);
    recent_output_.erase(0, cut == std::string::npos ? recent_output_.size() - recent_bytes_ : cut + 1);
  }
}

std::optional<Decision> JudgeFeeder::poll(const Monitor& monitor, double wall) {
  if (!judge_) return std::nullopt;
  std::optional<Decision> verdict = judge_->poll();
  if (judge_->due(wall, new_rows_ > 0, !active_.empty())) {
    JudgeContext ctx;
    ctx.run_id = run_id_;
    ctx.profile = std::string(to_string(monitor.profile()));
    ctx.summary_json = monitor.snapshot(wall).monitoring_json;
    for (const auto& [k, v] : monitor.syndrome_counts()) ctx.syndrome_counts.emplace_back(k, static_cast<int>(v));
    for (auto line : split(recent_output_, '\n'))
      if (!trim(line).empty()) ctx.recent_log_lines.emplace_back(line);
    judge_->submit(std::move(ctx), wall);
    new_rows_ = 0;
  }
  return verdict;
}

}  // namespace sidecar::detail
