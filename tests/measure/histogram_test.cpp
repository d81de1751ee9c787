// Tests for LatencyHistogram: bucket layout, quantiles within the documented relative error, exact
// extremes, merge, reset and the full std::uint64_t range.
#include "measure/histogram.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <stdexcept>

namespace offload::measure {
namespace {

using H = LatencyHistogram;

TEST(LatencyHistogram, BucketsTileTheWholeRangeWithBoundedWidth) {
  std::uint64_t expected_lower = 0;
  for (std::size_t i = 0; i < H::kBucketCount; ++i) {
    const std::uint64_t lower = H::bucket_lower_bound(i);
    const std::uint64_t width = H::bucket_width(i);
    ASSERT_EQ(lower, expected_lower) << "bucket " << i;  // Contiguous, no gaps or overlaps.
    ASSERT_EQ(H::bucket_index(lower), i);
    ASSERT_EQ(H::bucket_index(lower + (width - 1)), i);
    if (i >= 2 * H::kSubBuckets) {
      ASSERT_LE(width * H::kSubBuckets, lower);
    }
    expected_lower = lower + width;  // Wraps to 0 after the last bucket.
  }
  EXPECT_EQ(expected_lower, 0u);
}

TEST(LatencyHistogram, SmallValuesAreExact) {
  for (std::uint64_t v = 0; v < 2 * H::kSubBuckets; ++v) {
    EXPECT_EQ(H::bucket_index(v), v);
    EXPECT_EQ(H::bucket_width(H::bucket_index(v)), 1u);
  }
}

TEST(LatencyHistogram, UniformQuantilesAreWithinTheDocumentedRelativeError) {
  auto h = std::make_unique<H>();
  constexpr std::uint64_t kN = 1'000'000;
  for (std::uint64_t v = 1; v <= kN; ++v) h->record(v);
  EXPECT_EQ(h->count(), kN);
  for (double q : {0.001, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 0.999, 0.9999}) {
    // Nearest rank of 1..N is the value itself.
    const double truth = std::ceil(q * static_cast<double>(kN));
    EXPECT_LE(std::abs(h->value_at_quantile(q) - truth), truth * H::kMaxRelativeError) << "q=" << q;
  }
  EXPECT_EQ(h->value_at_quantile(0.0), 1.0);
  EXPECT_EQ(h->value_at_quantile(1.0), static_cast<double>(kN));
}

TEST(LatencyHistogram, ConstantInputGivesThatValueAtEveryQuantile) {
  auto h = std::make_unique<H>();
  for (int i = 0; i < 1000; ++i) h->record(123'457);
  for (double q : {0.0, 0.01, 0.5, 0.99, 1.0}) EXPECT_EQ(h->value_at_quantile(q), 123'457.0);
}

TEST(LatencyHistogram, RecordingAValueNTimesEqualsRecordingItNTimesOneByOne) {
  auto bulk = std::make_unique<H>();
  auto one_by_one = std::make_unique<H>();
  bulk->record(40, 3);
  bulk->record(123'457, 1000);
  bulk->record(9, 0);  // Nothing recorded: min stays 40.
  for (int i = 0; i < 3; ++i) one_by_one->record(40);
  for (int i = 0; i < 1000; ++i) one_by_one->record(123'457);
  EXPECT_EQ(bulk->count(), one_by_one->count());
  EXPECT_EQ(bulk->min(), 40u);
  EXPECT_EQ(bulk->max(), one_by_one->max());
  for (double q : {0.0, 0.001, 0.5, 1.0}) EXPECT_EQ(bulk->value_at_quantile(q), one_by_one->value_at_quantile(q));
}

TEST(LatencyHistogram, MinAndMaxAreExact) {
  auto h = std::make_unique<H>();
  h->record(999);
  h->record(1'000'003);
  h->record(7'777);
  EXPECT_EQ(h->min(), 999u);
  EXPECT_EQ(h->max(), 1'000'003u);
  EXPECT_EQ(h->count(), 3u);
  // The middle value's bucket [7680, 7808) has middle 7744, within 1/64 of 7777.
  EXPECT_NEAR(h->value_at_quantile(0.5), 7777.0, 7777.0 * H::kMaxRelativeError);
}

TEST(LatencyHistogram, MergeEqualsRecordingEverythingInOne) {
  auto whole = std::make_unique<H>();
  auto low = std::make_unique<H>();
  auto high = std::make_unique<H>();
  for (std::uint64_t v = 10; v < 20'000; v += 3) {
    whole->record(v);
    (v < 5'000 ? *low : *high).record(v);
  }
  low->merge(*high);
  EXPECT_EQ(low->count(), whole->count());
  EXPECT_EQ(low->min(), whole->min());
  EXPECT_EQ(low->max(), whole->max());
  for (double q : {0.0, 0.1, 0.5, 0.9, 0.99, 1.0}) {
    EXPECT_EQ(low->value_at_quantile(q), whole->value_at_quantile(q)) << "q=" << q;
  }
  auto empty = std::make_unique<H>();
  low->merge(*empty);  // Merging nothing changes nothing, including min.
  EXPECT_EQ(low->min(), whole->min());
}

TEST(LatencyHistogram, HugeValuesDoNotOverflow) {
  auto h = std::make_unique<H>();
  constexpr std::uint64_t kHour = 3'600'000'000'000;
  constexpr std::uint64_t kTop = std::numeric_limits<std::uint64_t>::max();
  h->record(kHour);
  h->record(kTop);
  h->record(kHour);
  EXPECT_EQ(h->max(), kTop);
  EXPECT_EQ(h->min(), kHour);
  const double hour = static_cast<double>(kHour);
  EXPECT_NEAR(h->value_at_quantile(0.5), hour, hour * H::kMaxRelativeError);
  EXPECT_EQ(h->value_at_quantile(1.0), static_cast<double>(kTop));
  EXPECT_EQ(H::bucket_index(kTop), H::kBucketCount - 1);
}

TEST(LatencyHistogram, EmptyAndResetHistogramsReportZero) {
  auto h = std::make_unique<H>();
  EXPECT_EQ(h->count(), 0u);
  EXPECT_EQ(h->min(), 0u);
  EXPECT_EQ(h->max(), 0u);
  EXPECT_EQ(h->value_at_quantile(0.5), 0.0);
  h->record(5);
  h->record(50'000);
  h->reset();
  EXPECT_EQ(h->count(), 0u);
  EXPECT_EQ(h->min(), 0u);
  EXPECT_EQ(h->max(), 0u);
  h->record(42);
  EXPECT_EQ(h->value_at_quantile(0.5), 42.0);  // No stale counts survive reset.
  EXPECT_THROW(h->value_at_quantile(1.5), std::invalid_argument);
  EXPECT_THROW(h->value_at_quantile(-0.5), std::invalid_argument);
}

}  // namespace
}  // namespace offload::measure
