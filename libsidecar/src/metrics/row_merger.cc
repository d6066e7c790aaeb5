// RowMerger: each metric key is owned by the first source that delivers it
// (see metric_lines.h).
#include "sidecar/metric_lines.h"

namespace sidecar {

namespace {
const std::string kUnknownSource = "";
}

RowMerger::RowMerger(RowMergerOptions options) : opt_(options) {}

int RowMerger::add_source(std::string name, RowOrigin origin) {
  sources_.push_back({std::move(name), origin});
  return static_cast<int>(sources_.size()) - 1;
}

bool RowMerger::admit(int source, const MetricRow& row, MetricRow* out) {
  if (source < 0 || static_cast<std::size_t>(source) >= sources_.size()) return false;
  kept_.clear();
  for (std::size_t i = 0; i < row.values.size(); ++i) {
    const MetricValue& v = row.values[i];
    std::pair<const std::string, int>* e = i < by_position_.size() ? by_position_[i] : nullptr;
    if (!e || e->first != v.key) {
      auto it = owner_.find(v.key);
      if (it == owner_.end()) {
        if (owner_.size() >= opt_.max_keys) {
          ++untracked_values_;
          kept_.push_back(v);
          continue;
        }
        it = owner_.emplace(std::string(v.key), source).first;
      }
      e = &*it;
      if (i < 256) {
        if (by_position_.size() <= i) by_position_.resize(i + 1, nullptr);
        by_position_[i] = e;
      }
    }
    if (e->second == source) {
      kept_.push_back(v);
    } else if (e->second < 0) {  // released: the first source to deliver it takes it
      e->second = source;
      kept_.push_back(v);
    } else {
      ++dropped_values_;
    }
  }
  if (kept_.empty() && !(row.values.empty() && row.step)) {
    ++dropped_rows_;
    return false;
  }
  out->step = row.step;
  out->timestamp = row.timestamp;
  out->values = std::span<const MetricValue>(kept_.data(), kept_.size());
  return true;
}

void RowMerger::release(int source) {
  for (auto& [key, owner] : owner_) {
    if (owner == source) owner = -1;
  }
}

int RowMerger::owner(std::string_view key) const {
  auto it = owner_.find(key);
  return it == owner_.end() ? -1 : it->second;
}

const std::string& RowMerger::source_name(int source) const {
  if (source < 0 || static_cast<std::size_t>(source) >= sources_.size()) return kUnknownSource;
  return sources_[static_cast<std::size_t>(source)].name;
}

}  // namespace sidecar
