// The across-instance statistics against reference values computed independently with scipy 1.10.1
// on the fixed data below: tests/measure/data/instance_statistics_reference.py prints every
// expected value (regenerate: /usr/bin/python3.11 tests/measure/data/instance_statistics_reference.py).
#include "measure/instance_statistics.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <stdexcept>
#include <vector>

namespace offload::measure {
namespace {

constexpr double kTolerance = 1e-10;

TEST(InstanceStatistics, StudentTTailsMatchScipy) {
  EXPECT_NEAR(student_t_two_sided_p(2.0, 5), 0.10193947882985828, kTolerance);
  EXPECT_NEAR(student_t_two_sided_p(0.5, 1), 0.70483276469913358, kTolerance);
  EXPECT_NEAR(student_t_two_sided_p(3.5, 30), 0.0014768074376442554, kTolerance);
  EXPECT_NEAR(student_t_two_sided_p(10.0, 3), 0.0021283990584141494, kTolerance);
  EXPECT_NEAR(student_t_two_sided_p(-1.3, 2.5), 0.30048678927070793, kTolerance) << "two-sided: the sign of t is irrelevant";
  EXPECT_EQ(student_t_two_sided_p(0.0, 7), 1.0);
  EXPECT_THROW(student_t_two_sided_p(1.0, 0), std::invalid_argument);
}

TEST(InstanceStatistics, StudentTCriticalValuesMatchScipy) {
  // The tails are good to ~1e-11, so the quantiles to ~1e-8 (p's error over the density).
  EXPECT_NEAR(student_t_critical(0.05, 4), 2.7764451051977996, 1e-7);
  EXPECT_NEAR(student_t_critical(0.0125, 9), 3.1109348158223269, 1e-7);
  EXPECT_NEAR(student_t_critical(0.01, 1), 63.656741162874042, 1e-5);
  EXPECT_NEAR(student_t_critical(0.05, 100), 1.983971518449634, 1e-7);
  EXPECT_NEAR(student_t_critical(0.5, 3), 0.76489232808089103, 1e-7);
  EXPECT_THROW(student_t_critical(0, 3), std::invalid_argument);
  EXPECT_THROW(student_t_critical(1, 3), std::invalid_argument);
}

// The script's ROUNDS: three instances of 4, 3 and 5 rounds.
struct Rounds {
  std::vector<double> candidate, baseline;
  std::vector<std::int64_t> instance;
};
Rounds three_instances() {
  return {{104.0, 103.0, 106.0, 102.0, 99.0, 101.0, 100.5, 108.0, 107.0, 109.0, 105.0, 106.0},
          {100.0, 100.0, 101.0, 99.0, 100.0, 98.0, 100.0, 101.0, 102.0, 100.0, 103.0, 100.0},
          {0, 0, 0, 0, 1, 1, 1, 2, 2, 2, 2, 2}};
}

TEST(InstanceStatistics, RatioIntervalAndPComeFromTheInstancesEstimates) {
  const Rounds r = three_instances();
  const InstanceComparison c95 = compare_by_instance(r.candidate, r.baseline, r.instance, 0.05);
  EXPECT_NEAR(c95.ratio, 1.0344779038017016, kTolerance);
  EXPECT_NEAR(c95.ratio_ci.low, 0.97199930563186576, kTolerance);
  EXPECT_NEAR(c95.ratio_ci.high, 1.1009725287388921, kTolerance);
  EXPECT_NEAR(c95.p_value, 0.14404754644816323, kTolerance);
  EXPECT_EQ(c95.instances, 3u);
  EXPECT_EQ(c95.pairs, 12u);
  const InstanceComparison c99 = compare_by_instance(r.candidate, r.baseline, r.instance, 0.01);
  EXPECT_NEAR(c99.ratio_ci.low, 0.89601108186719847, kTolerance);
  EXPECT_NEAR(c99.ratio_ci.high, 1.1943429664105127, kTolerance);
}

// What the instances are for: a per-process offset that pooled rounds call significant is, across
// instances that disagree, no evidence at all.
TEST(InstanceStatistics, AnOffsetOfOneInstanceIsNotSignificantAcrossInstances) {
  std::vector<double> candidate, baseline;
  std::vector<std::int64_t> instance;
  for (std::int64_t k = 0; k < 6; ++k) {
    const double offset = k == 2 ? 1.06 : (k % 2 ? 1.004 : 0.996);
    for (int i = 0; i < 40; ++i) {
      candidate.push_back(100.0 * offset * (1 + 0.001 * ((i * 7) % 5 - 2)));
      baseline.push_back(100.0);
      instance.push_back(k);
    }
  }
  const PairedComparison pooled = compare_paired(candidate, baseline, 0.05);
  ASSERT_LT(pooled.p_value, 0.001) << "pooled rounds take the one slow process for a change";
  const InstanceComparison across = compare_by_instance(candidate, baseline, instance, 0.05);
  EXPECT_GT(across.p_value, 0.05);
  EXPECT_LT(across.ratio_ci.low, 1.0);
}

TEST(InstanceStatistics, IdenticalInstancesGiveAZeroWidthInterval) {
  const std::vector<double> candidate = {110, 110, 110, 110};
  const std::vector<double> baseline = {100, 100, 100, 100};
  const std::vector<std::int64_t> instance = {0, 0, 1, 1};
  const InstanceComparison c = compare_by_instance(candidate, baseline, instance, 0.05);
  EXPECT_NEAR(c.ratio, 1.1, 1e-12);
  EXPECT_NEAR(c.ratio_ci.low, 1.1, 1e-12);
  EXPECT_NEAR(c.ratio_ci.high, 1.1, 1e-12);
  EXPECT_EQ(c.p_value, 0.0);
  EXPECT_EQ(compare_by_instance(baseline, baseline, instance, 0.05).p_value, 1.0);
}

TEST(InstanceStatistics, InvalidInputsThrow) {
  const std::vector<double> two = {1, 2};
  const std::vector<std::int64_t> one_instance = {0, 0};
  const std::vector<std::int64_t> instances = {0, 1};
  EXPECT_THROW(compare_by_instance(two, two, one_instance, 0.05), std::invalid_argument);
  EXPECT_THROW(compare_by_instance(two, std::vector<double>{1}, instances, 0.05), std::invalid_argument);
  EXPECT_THROW(compare_by_instance(two, std::vector<double>{1, 0}, instances, 0.05), std::invalid_argument);
  EXPECT_THROW(compare_by_instance(two, two, instances, 1.0), std::invalid_argument);
}

}  // namespace
}  // namespace offload::measure
