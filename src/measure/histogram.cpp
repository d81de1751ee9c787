// LatencyHistogram's cold paths: quantile lookup, merge and reset. record() is inline in the header.
#include "measure/histogram.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace offload::measure {

double LatencyHistogram::value_at_quantile(double q) const {
  if (!(q >= 0.0 && q <= 1.0)) throw std::invalid_argument("value_at_quantile: q must lie in [0, 1]");
  if (count_ == 0) return 0.0;
  if (q == 0.0) return static_cast<double>(min_);
  if (q == 1.0) return static_cast<double>(max_);
  // Nearest rank; the product is computed in double, exact for counts below 2^53.
  const auto wanted = static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(count_)));
  const std::uint64_t rank = std::clamp<std::uint64_t>(wanted, 1, count_);
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < kBucketCount; ++i) {
    seen += counts_[i];
    if (seen >= rank) {
      const std::uint64_t middle = bucket_lower_bound(i) + bucket_width(i) / 2;
      return static_cast<double>(std::clamp(middle, min_, max_));
    }
  }
  return static_cast<double>(max_);  // Unreachable while counts_ sums to count_.
}

void LatencyHistogram::merge(const LatencyHistogram& other) noexcept {
  for (std::size_t i = 0; i < kBucketCount; ++i) counts_[i] += other.counts_[i];
  count_ += other.count_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
}

void LatencyHistogram::reset() noexcept {
  counts_.fill(0);
  count_ = 0;
  min_ = std::numeric_limits<std::uint64_t>::max();
  max_ = 0;
}

}  // namespace offload::measure
