// A fixed-size, log-bucketed latency histogram (HDR-like) for per-operation nanosecond timings:
// recording is a bit_width, a shift and an increment, with no allocation.
//
// Threading: not synchronised; give each thread its own histogram and merge() them afterwards.
#pragma once

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <limits>

namespace offload::measure {

// Bucket layout: values below 2 * kSubBuckets (64) get one bucket each and are exact. Above, each
// power-of-two range [2^e, 2^(e+1)) is split into kSubBuckets (32) equal sub-buckets of width
// 2^(e-5), so a bucket is never wider than 1/32 of its lower bound. The whole std::uint64_t range is
// covered (1920 buckets, 15 KiB), so nothing is clamped and no value can overflow an index.
//
// Relative error: value_at_quantile returns the middle of a bucket, at most half a bucket from any
// value in it, so it is within kMaxRelativeError = 1/64 (~1.6%) of the true order statistic.
class LatencyHistogram {
 public:
  static constexpr unsigned kSubBucketBits = 5;
  static constexpr std::size_t kSubBuckets = std::size_t{1} << kSubBucketBits;
  // Shifts run 0 .. 64 - kSubBucketBits - 1, each covering kSubBuckets indices past the first 2 rows.
  static constexpr std::size_t kBucketCount = (64 - kSubBucketBits + 1) * kSubBuckets;
  static constexpr double kMaxRelativeError = 1.0 / 64.0;

  // O(1): one bit_width, a max (a cmov), a shift and increments; never allocates.
  void record(std::uint64_t ns) noexcept {
    ++counts_[bucket_index(ns)];
    ++count_;
    min_ = ns < min_ ? ns : min_;
    max_ = ns > max_ ? ns : max_;
  }

  // Records `ns` `times` times (ops that share one timing, as a batch's ops do); O(1).
  void record(std::uint64_t ns, std::uint64_t times) noexcept {
    if (times == 0) return;
    counts_[bucket_index(ns)] += times;
    count_ += times;
    min_ = ns < min_ ? ns : min_;
    max_ = ns > max_ ? ns : max_;
  }

  std::uint64_t count() const noexcept { return count_; }
  // Exact recorded extremes. Note: both are 0 when nothing has been recorded.
  std::uint64_t min() const noexcept { return count_ == 0 ? 0 : min_; }
  std::uint64_t max() const noexcept { return max_; }

  // A representative value (the bucket's middle, clamped to [min(), max()]) of the bucket holding
  // the nearest-rank order statistic: rank max(1, ceil(q * count())). q = 0 gives min(), q = 1 max().
  // Requires: 0 <= q <= 1, otherwise std::invalid_argument.
  // Note: an empty histogram gives 0.
  double value_at_quantile(double q) const;

  // Adds other's counts into this one; afterwards count, min and max describe both.
  void merge(const LatencyHistogram& other) noexcept;

  void reset() noexcept;

  // Layout helpers, public for tests and exporters.
  static constexpr std::size_t bucket_index(std::uint64_t ns) noexcept {
    // shift = 0 for ns < 64, where index == ns; otherwise ns >> shift lies in [32, 64).
    const auto width = static_cast<int>(std::bit_width(ns));
    const int shift = width > static_cast<int>(kSubBucketBits) + 1
                          ? width - static_cast<int>(kSubBucketBits) - 1
                          : 0;
    return (static_cast<std::size_t>(shift) << kSubBucketBits) + static_cast<std::size_t>(ns >> shift);
  }
  static constexpr std::uint64_t bucket_lower_bound(std::size_t index) noexcept {
    if (index < 2 * kSubBuckets) return index;
    const std::size_t shift = index / kSubBuckets - 1;
    return static_cast<std::uint64_t>(index % kSubBuckets + kSubBuckets) << shift;
  }
  static constexpr std::uint64_t bucket_width(std::size_t index) noexcept {
    return index < 2 * kSubBuckets ? 1 : std::uint64_t{1} << (index / kSubBuckets - 1);
  }

 private:
  std::array<std::uint64_t, kBucketCount> counts_{};
  std::uint64_t count_ = 0;
  std::uint64_t min_ = std::numeric_limits<std::uint64_t>::max();
  std::uint64_t max_ = 0;
};

static_assert(LatencyHistogram::bucket_index(std::numeric_limits<std::uint64_t>::max()) ==
                  LatencyHistogram::kBucketCount - 1,
              "the largest value must land in the last bucket");

}  // namespace offload::measure
