// The paired statistics against reference values computed independently with scipy 1.10.1 on the
// fixed data below: tests/measure/data/paired_statistics_reference.py prints every expected value
// (regenerate: /usr/bin/python3.11 tests/measure/data/paired_statistics_reference.py).
#include "measure/paired_statistics.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <vector>

namespace offload::measure {
namespace {

// The data sets of the script, in its order.
const std::vector<double> kN5AllPositive = {0.011, 0.023, 0.035, 0.047, 0.052};
const std::vector<double> kN8Mixed = {0.31, -0.12, 0.45, 0.27, -0.05, 0.66, 0.18, 0.52};
const std::vector<double> kN12Mixed = {-0.8, 1.3, 0.4, -0.25, 2.1, 0.95, -1.7, 0.6, 1.15, 0.05, 1.9, -0.45};
const std::vector<double> kN16Ties = {0.1, 0.2, 0.2, -0.1, 0.3, 0.3, 0.3, -0.2, 0.4, 0.1, 0.5, -0.3, 0.2, 0.6, 0.1, 0.4};
const std::vector<double> kN9WithZeros = {0.0, 0.3, -0.1, 0.0, 0.5, 0.7, 0.2, 0.9, 1.1};
const std::vector<double> kN10Ci = {0.052, -0.013, 0.031, 0.088, 0.021, 0.047, -0.002, 0.064, 0.039, 0.075};
const std::vector<double> kCandidate = {101.0, 98.5, 103.2, 99.1, 97.8, 100.4, 96.9, 98.0, 99.7, 97.2};
const std::vector<double> kBaseline = {104.5, 103.0, 105.1, 104.4, 101.0, 102.2, 103.9, 100.8, 104.0, 102.6};

// Beyond the exact range, with no ties among the differences nor their Walsh averages (so the CI's
// order statistic is pinned down): minstd's x_i = 48271 x_{i-1} mod (2^31 - 1), x_0 = 1, and
// d_i = x_i / (2^31 - 1) - 0.3.
std::vector<double> n60() {
  std::vector<double> d;
  std::int64_t x = 1;
  for (int i = 0; i < 60; ++i) {
    x = x * 48271 % 2147483647;
    d.push_back(static_cast<double>(x) / 2147483647.0 - 0.3);
  }
  return d;
}

// Exact p-values are multiples of 2^-n: equal to the last bit. Approximations agree to rounding.
constexpr double kApprox = 1e-12;

TEST(PairedStatistics, ExactSignedRankPValuesMatchScipy) {
  EXPECT_DOUBLE_EQ(wilcoxon_signed_rank_p_value(kN5AllPositive), 0.0625)
      << "five pairs all one way: the smallest p five pairs can give";
  EXPECT_DOUBLE_EQ(wilcoxon_signed_rank_p_value(kN8Mixed), 0.0390625);
  EXPECT_DOUBLE_EQ(wilcoxon_signed_rank_p_value(kN12Mixed), 0.20361328125);
}

TEST(PairedStatistics, TiesUseTheTieCorrectedNormalApproximation) {
  EXPECT_NEAR(wilcoxon_signed_rank_p_value(kN16Ties), 0.011703211722932563, kApprox);
}

TEST(PairedStatistics, ZeroDifferencesAreDroppedBeforeRanking) {
  // Seven non-zero differences left, one of them negative and the smallest: exact p = 4 / 2^7.
  EXPECT_DOUBLE_EQ(wilcoxon_signed_rank_p_value(kN9WithZeros), 0.03125);
  EXPECT_DOUBLE_EQ(wilcoxon_signed_rank_p_value(std::vector<double>{0, 0, 0}), 1.0);
}

TEST(PairedStatistics, MoreThanFiftyPairsUseTheNormalApproximation) {
  EXPECT_NEAR(wilcoxon_signed_rank_p_value(n60()), 2.0221290441362343e-07, 1e-15);
}

TEST(PairedStatistics, HodgesLehmannIsTheMedianOfTheWalshAverages) {
  EXPECT_NEAR(hodges_lehmann(kN5AllPositive), 0.035, kApprox);
  EXPECT_NEAR(hodges_lehmann(kN8Mixed), 0.28, kApprox);
  EXPECT_NEAR(hodges_lehmann(kN12Mixed), 0.475, kApprox);
  EXPECT_NEAR(hodges_lehmann(kN16Ties), 0.2, kApprox);
  EXPECT_NEAR(hodges_lehmann(kN9WithZeros), 0.4, kApprox) << "zeros count in the estimate";
  EXPECT_NEAR(hodges_lehmann(n60()), 0.25724183926696043, kApprox);
}

TEST(PairedStatistics, ConfidenceIntervalForTenPairsUsesTheExactDistribution) {
  // 95%: the 9th smallest and largest of 55 Walsh averages; 99%: the 4th.
  const Interval ci95 = hodges_lehmann_ci(kN10Ci, 0.95);
  EXPECT_NEAR(ci95.low, 0.017, kApprox);
  EXPECT_NEAR(ci95.high, 0.0635, kApprox);
  const Interval ci99 = hodges_lehmann_ci(kN10Ci, 0.99);
  EXPECT_NEAR(ci99.low, 0.004, kApprox);
  EXPECT_NEAR(ci99.high, 0.075, kApprox);
}

TEST(PairedStatistics, ConfidenceIntervalForSixtyPairsUsesTheNormalQuantile) {
  // k = 649 of 1830 Walsh averages: the normal approximation's k, equal to the exact one here
  // (the 648th and 1183rd, one step wider, are 0.18235 and 0.34317).
  const Interval ci = hodges_lehmann_ci(n60(), 0.95);
  EXPECT_NEAR(ci.low, 0.18309083584839986, kApprox);
  EXPECT_NEAR(ci.high, 0.34227950835706644, kApprox);
}

TEST(PairedStatistics, TooFewPairsForTheConfidenceGiveTheWidestInterval) {
  const Interval ci = hodges_lehmann_ci(kN5AllPositive, 0.99);
  EXPECT_DOUBLE_EQ(ci.low, 0.011);
  EXPECT_DOUBLE_EQ(ci.high, 0.052);
}

TEST(PairedStatistics, CompareIsTheRatioOfPerRoundLogRatios) {
  const PairedComparison c = compare_paired(kCandidate, kBaseline, 0.05);
  EXPECT_NEAR(c.ratio, 0.96229503136321493, kApprox);
  EXPECT_NEAR(c.ratio_ci.low, 0.94941624055525897, kApprox);
  EXPECT_NEAR(c.ratio_ci.high, 0.97418408940801471, kApprox);
  EXPECT_DOUBLE_EQ(c.p_value, 0.001953125) << "every round faster: 2 / 2^10";
  EXPECT_EQ(c.pairs, 10u);
  // The wider side of the interval: 1 - low / ratio.
  EXPECT_NEAR(relative_half_width(c.ratio, c.ratio_ci), 1 - 0.94941624055525897 / 0.96229503136321493, kApprox);
}

TEST(PairedStatistics, CompareIsSymmetricInItsArguments) {
  const PairedComparison forward = compare_paired(kCandidate, kBaseline, 0.05);
  const PairedComparison backward = compare_paired(kBaseline, kCandidate, 0.05);
  EXPECT_NEAR(forward.ratio * backward.ratio, 1.0, kApprox);
  EXPECT_NEAR(forward.ratio_ci.low * backward.ratio_ci.high, 1.0, kApprox);
  EXPECT_DOUBLE_EQ(forward.p_value, backward.p_value);
}

TEST(PairedStatistics, MinPairsIsTheFewestWhoseSmallestPPassesAlpha) {
  EXPECT_EQ(min_pairs_for(0.05), 6u);
  EXPECT_EQ(min_pairs_for(0.05 / 2), 7u);
  EXPECT_EQ(min_pairs_for(0.05 / 4), 8u);
  EXPECT_EQ(min_pairs_for(0.05 / 36), 11u);
  EXPECT_EQ(min_pairs_for(0.001), 11u);
  EXPECT_EQ(min_pairs_for(0.0625), 5u) << "the bound is inclusive";
}

TEST(PairedStatistics, RejectsInputsWithoutAnAnswer) {
  EXPECT_THROW(wilcoxon_signed_rank_p_value(std::vector<double>{}), std::invalid_argument);
  EXPECT_THROW(hodges_lehmann(std::vector<double>{1.0, NAN}), std::invalid_argument);
  EXPECT_THROW(hodges_lehmann_ci(kN10Ci, 1.0), std::invalid_argument);
  EXPECT_THROW(compare_paired(kCandidate, std::vector<double>{1.0}, 0.05), std::invalid_argument);
  EXPECT_THROW(compare_paired(std::vector<double>{1.0}, std::vector<double>{0.0}, 0.05), std::invalid_argument);
  EXPECT_THROW(min_pairs_for(0), std::invalid_argument);
}

}  // namespace
}  // namespace offload::measure
