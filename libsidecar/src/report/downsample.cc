// SeriesDownsampler (report.h): min/max per bucket, buckets merging pairwise
// as the series grows, so a 10 M-point series costs max_buckets buckets.
#include <algorithm>
#include <cmath>
#include <limits>

#include "sidecar/report.h"

namespace sidecar {

SeriesDownsampler::SeriesDownsampler(std::size_t max_buckets, std::size_t max_nonfinite)
    : max_buckets_(std::max<std::size_t>(max_buckets, 2)), max_nonfinite_(std::max<std::size_t>(max_nonfinite, 2)) {
  buckets_.reserve(max_buckets_);
}

void SeriesDownsampler::add(double x, double y) {
  ++count_;
  const std::uint64_t order = order_++;
  if (!std::isfinite(y)) {
    ++nonfinite_count_;
    pending_gap_ = true;
    ReportPoint p{x, y};
    std::size_t half = max_nonfinite_ / 2;
    if (nf_head_.size() < half) {
      nf_head_.push_back(p);
    } else if (nf_tail_.size() < max_nonfinite_ - half) {
      nf_tail_.push_back(p);
    } else {
      nf_tail_[nf_tail_pos_] = p;
      nf_tail_pos_ = (nf_tail_pos_ + 1) % nf_tail_.size();
    }
    return;
  }
  last_finite_ = y;
  const Kept k{{x, y}, order};
  auto no_room = [&] { return pending_gap_ || buckets_.empty() || buckets_.back().n >= width_; };
  if (no_room()) {  // the rare case: a new bucket, after a merge when they are all taken
    if (buckets_.size() >= max_buckets_) merge_pairs();
    if (no_room()) {  // the merge left no room in the last bucket
      Bucket b;
      b.first = b.lo = b.hi = b.last = k;
      b.n = 1;
      b.gap_before = pending_gap_ && !buckets_.empty();
      buckets_.push_back(b);
      pending_gap_ = false;
      return;
    }
  }
  Bucket& b = buckets_.back();  // the usual case: the value joins the last bucket
  if (y < b.lo.p.y) b.lo = k;
  if (y > b.hi.p.y) b.hi = k;
  b.last = k;
  ++b.n;
}

void SeriesDownsampler::merge_pairs() {
  std::size_t out = 0;
  for (std::size_t i = 0; i < buckets_.size(); i += 2) {
    Bucket m = buckets_[i];
    if (i + 1 < buckets_.size()) {
      const Bucket& b = buckets_[i + 1];
      if (b.lo.p.y < m.lo.p.y) m.lo = b.lo;
      if (b.hi.p.y > m.hi.p.y) m.hi = b.hi;
      m.last = b.last;
      m.n += b.n;
      // A gap inside the merged bucket is lost; the non-finite markers still show it.
    }
    buckets_[out++] = m;
  }
  buckets_.resize(out);
  width_ *= 2;
}

std::vector<std::vector<ReportPoint>> SeriesDownsampler::segments() const {
  std::vector<std::vector<ReportPoint>> out;
  for (const Bucket& b : buckets_) {
    if (out.empty() || b.gap_before) out.emplace_back();
    Kept ks[4] = {b.first, b.lo, b.hi, b.last};
    std::sort(std::begin(ks), std::end(ks), [](const Kept& a, const Kept& c) { return a.order < c.order; });
    std::uint64_t prev = std::numeric_limits<std::uint64_t>::max();
    for (const Kept& k : ks) {
      if (k.order == prev) continue;
      prev = k.order;
      out.back().push_back(k.p);
    }
  }
  return out;
}

std::vector<ReportPoint> SeriesDownsampler::nonfinite() const {
  std::vector<ReportPoint> out = nf_head_;
  if (nf_tail_.size() < max_nonfinite_ - max_nonfinite_ / 2) {
    out.insert(out.end(), nf_tail_.begin(), nf_tail_.end());
  } else {
    for (std::size_t i = 0; i < nf_tail_.size(); ++i) out.push_back(nf_tail_[(nf_tail_pos_ + i) % nf_tail_.size()]);
  }
  return out;
}

std::optional<double> SeriesDownsampler::min_finite() const {
  std::optional<double> m;
  for (const Bucket& b : buckets_)
    if (!m || b.lo.p.y < *m) m = b.lo.p.y;
  return m;
}

std::optional<double> SeriesDownsampler::max_finite() const {
  std::optional<double> m;
  for (const Bucket& b : buckets_)
    if (!m || b.hi.p.y > *m) m = b.hi.p.y;
  return m;
}

}  // namespace sidecar
