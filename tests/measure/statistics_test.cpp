// Tests for the pure statistics: hand-worked values, exact Mann-Whitney tables, and determinism of
// the bootstrap for a fixed seed.
#include "measure/statistics.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>
#include <vector>

namespace offload::measure {
namespace {

// Sorted: 1 1 2 3 4 5 6 9.
const std::vector<double> kPi = {3, 1, 4, 1, 5, 9, 2, 6};
// Mean 5; squared deviations 9 1 1 1 0 0 4 16 sum to 32; sample variance 32 / 7.
const std::vector<double> kSpread = {2, 4, 4, 4, 5, 5, 7, 9};

TEST(Statistics, MedianAveragesTheMiddlePairForEvenCounts) {
  EXPECT_DOUBLE_EQ(median(kPi), 3.5);
  EXPECT_DOUBLE_EQ(median(std::vector<double>{5, 1, 3}), 3.0);
  EXPECT_DOUBLE_EQ(median(std::vector<double>{42}), 42.0);
}

TEST(Statistics, MeanAndSampleStddevMatchHandWorkedValues) {
  EXPECT_DOUBLE_EQ(mean(kPi), 31.0 / 8.0);
  EXPECT_DOUBLE_EQ(mean(kSpread), 5.0);
  EXPECT_DOUBLE_EQ(stddev(kSpread), std::sqrt(32.0 / 7.0));
  EXPECT_DOUBLE_EQ(cv(kSpread), std::sqrt(32.0 / 7.0) / 5.0);
}

TEST(Statistics, SingleSampleHasZeroSpread) {
  const std::vector<double> one = {7.5};
  EXPECT_EQ(stddev(one), 0.0);
  EXPECT_EQ(cv(one), 0.0);
  const Interval ci = bootstrap_ci(one);
  EXPECT_EQ(ci.low, 7.5);
  EXPECT_EQ(ci.high, 7.5);
}

TEST(Statistics, QuantileInterpolatesLinearlyAsType7) {
  // h = 7q: q = 0.25 -> x[1] + 0.75 (x[2] - x[1]) = 1.75; q = 0.9 -> x[6] + 0.3 (x[7] - x[6]) = 6.9.
  EXPECT_DOUBLE_EQ(quantile(kPi, 0.0), 1.0);
  EXPECT_DOUBLE_EQ(quantile(kPi, 0.25), 1.75);
  EXPECT_DOUBLE_EQ(quantile(kPi, 0.5), 3.5);
  EXPECT_DOUBLE_EQ(quantile(kPi, 0.9), 6.9);
  EXPECT_DOUBLE_EQ(quantile(kPi, 1.0), 9.0);
  EXPECT_THROW(quantile(kPi, 1.5), std::invalid_argument);
  EXPECT_THROW(quantile(kPi, -0.1), std::invalid_argument);
}

TEST(Statistics, EmptySamplesAreRejected) {
  const std::vector<double> none;
  EXPECT_THROW(median(none), std::invalid_argument);
  EXPECT_THROW(mean(none), std::invalid_argument);
  EXPECT_THROW(stddev(none), std::invalid_argument);
  EXPECT_THROW(cv(none), std::invalid_argument);
  EXPECT_THROW(quantile(none, 0.5), std::invalid_argument);
  EXPECT_THROW(bootstrap_ci(none), std::invalid_argument);
  EXPECT_THROW(bootstrap_ratio_ci(none, kPi), std::invalid_argument);
  EXPECT_THROW(bootstrap_ratio_ci(kPi, none), std::invalid_argument);
  EXPECT_THROW(mann_whitney_u_p_value(none, kPi), std::invalid_argument);
  EXPECT_THROW(summarize(none), std::invalid_argument);
}

// 201 values symmetric about 100 (100 + k / 10 for k = -100..100, shuffled by a stride).
std::vector<double> well_behaved_sample() {
  std::vector<double> xs;
  for (int i = 0; i < 201; ++i) xs.push_back(100.0 + ((i * 37) % 201 - 100) / 10.0);
  return xs;
}

TEST(Bootstrap, CiContainsTheTrueMedianOfAWellBehavedSample) {
  const Interval ci = bootstrap_ci(well_behaved_sample());
  EXPECT_LT(ci.low, 100.0);
  EXPECT_GT(ci.high, 100.0);
  EXPECT_GT(ci.low, 90.0);  // Informative, not the whole range.
  EXPECT_LT(ci.high, 110.0);
}

TEST(Bootstrap, IsDeterministicForAFixedSeed) {
  const auto xs = well_behaved_sample();
  const Interval first = bootstrap_ci(xs, 0.95, 2000, 123);
  const Interval second = bootstrap_ci(xs, 0.95, 2000, 123);
  EXPECT_EQ(first.low, second.low);
  EXPECT_EQ(first.high, second.high);
  const Interval ratio_first = bootstrap_ratio_ci(xs, xs, 0.95, 2000, 9);
  const Interval ratio_second = bootstrap_ratio_ci(xs, xs, 0.95, 2000, 9);
  EXPECT_EQ(ratio_first.low, ratio_second.low);
  EXPECT_EQ(ratio_first.high, ratio_second.high);
}

TEST(Bootstrap, MatchesAnIndependentImplementationOfThePrng) {
  // Golden values from a separate Python re-implementation of splitmix64 seeding, xoshiro256**,
  // rejection-bounded indices and type-7 percentiles; they pin the stream on every platform.
  const std::vector<double> xs = {12.5, 3.25, 7.0,  9.75, 1.5, 15.0,  4.0,  11.25,
                                  6.5,  8.0,  2.75, 13.5, 5.25, 10.0, 14.25, 0.5};
  const Interval ci = bootstrap_ci(xs, 0.9, 500, 42);
  EXPECT_DOUBLE_EQ(ci.low, 4.625);
  EXPECT_DOUBLE_EQ(ci.high, 10.631249999999994);
  const Interval default_ci = bootstrap_ci(xs);
  EXPECT_DOUBLE_EQ(default_ci.low, 4.0);
  EXPECT_DOUBLE_EQ(default_ci.high, 11.25);
  const std::span<const double> all(xs);
  const Interval ratio = bootstrap_ratio_ci(all.first(8), all.last(8), 0.9, 500, 7);
  EXPECT_DOUBLE_EQ(ratio.low, 0.4444444444444444);
  EXPECT_DOUBLE_EQ(ratio.high, 2.262323037323037);
}

TEST(Bootstrap, RatioCiOfIdenticalSamplesContainsOne) {
  const auto xs = well_behaved_sample();
  const Interval ci = bootstrap_ratio_ci(xs, xs);
  EXPECT_LE(ci.low, 1.0);
  EXPECT_GE(ci.high, 1.0);
}

TEST(Bootstrap, RatioCiRejectsNonPositiveBaselines) {
  EXPECT_THROW(bootstrap_ratio_ci(kPi, std::vector<double>{1.0, 0.0}), std::invalid_argument);
  EXPECT_THROW(bootstrap_ci(kPi, 1.0), std::invalid_argument);
  EXPECT_THROW(bootstrap_ci(kPi, 0.95, 0), std::invalid_argument);
}

// Exact p-values: U counts pairs (a, b) with a > b; p = 2 min(P(U <= u), P(U >= u)) over the
// C(m + n, m) equally likely arrangements, checked by brute-force enumeration.
TEST(MannWhitney, ExactPValueForCompletelySeparatedSamples) {
  // u = 0 is the single most extreme of C(6, 3) = 20 arrangements: p = 2 / 20.
  EXPECT_NEAR(mann_whitney_u_p_value(std::vector<double>{1, 2, 3}, std::vector<double>{4, 5, 6}),
              0.1, 1e-12);
  // C(10, 5) = 252: p = 2 / 252; the test is symmetric in its arguments.
  const std::vector<double> low = {1, 2, 3, 4, 5};
  const std::vector<double> high = {6, 7, 8, 9, 10};
  EXPECT_NEAR(mann_whitney_u_p_value(low, high), 2.0 / 252.0, 1e-12);
  EXPECT_NEAR(mann_whitney_u_p_value(high, low), 2.0 / 252.0, 1e-12);
  // The largest exact case, 20 against 20: p = 2 / C(40, 20) = 2 / 137846528820.
  std::vector<double> first;
  std::vector<double> second;
  for (int i = 0; i < 20; ++i) {
    first.push_back(i);
    second.push_back(100 + i);
  }
  EXPECT_NEAR(mann_whitney_u_p_value(first, second) / (2.0 / 137846528820.0), 1.0, 1e-12);
}

TEST(MannWhitney, ExactPValueForInterleavedSamples) {
  // a = {1,3,5,7}, b = {2,4,6,8}: u = 0 + 1 + 2 + 3 = 6 of mn = 16. Of C(8, 4) = 70 arrangements
  // 24 have U <= 6 (counts 1,1,2,3,5,5,7 for U = 0..6), so p = 48 / 70.
  EXPECT_NEAR(mann_whitney_u_p_value(std::vector<double>{1, 3, 5, 7}, std::vector<double>{2, 4, 6, 8}),
              48.0 / 70.0, 1e-12);
  // a = {1,4,6,9}, b = {2,3,5,7,8}: u = 0 + 2 + 3 + 5 = 10 = mn / 2, the centre: p = 1.
  EXPECT_DOUBLE_EQ(
      mann_whitney_u_p_value(std::vector<double>{1, 4, 6, 9}, std::vector<double>{2, 3, 5, 7, 8}),
      1.0);
  // a = {2,5,7,11,13}, b = {1,3,4,6,8,9}: u = 1 + 3 + 4 + 6 + 6 = 20 of 30; P(U >= 20) = 99 / 462.
  EXPECT_NEAR(
      mann_whitney_u_p_value(std::vector<double>{2, 5, 7, 11, 13}, std::vector<double>{1, 3, 4, 6, 8, 9}),
      198.0 / 462.0, 1e-12);
}

TEST(MannWhitney, NormalApproximationWithTiesMatchesTheFormula) {
  // a = {1,2,3,4,5}, b = {3,4,5,6,7}: ties at 3, 4, 5 force the approximation. u = 4.5 (three
  // half-pairs for ties plus 4>3, 5>3, 5>4); mean mn/2 = 12.5; tie term 3 (2^3 - 2) = 18;
  // var = 25/12 (11 - 18/90) = 22.5; z = (8 - 0.5) / sqrt(22.5) = 1.58114; p = erfc(z / sqrt 2).
  EXPECT_NEAR(mann_whitney_u_p_value(std::vector<double>{1, 2, 3, 4, 5}, std::vector<double>{3, 4, 5, 6, 7}),
              0.11384629800665812, 1e-12);
}

TEST(MannWhitney, NormalApproximationOnALargerTiedSample) {
  // 30 per side, values 1..8 with heavy ties. By the same formula (python3): u = 153, tie-corrected
  // var = 4444.703389830509, z = (|153 - 450| - 0.5) / sqrt(var) = 4.447370443955679.
  std::vector<double> a;
  std::vector<double> b;
  for (int rep = 0; rep < 3; ++rep) {
    for (double x : {1, 2, 2, 3, 3, 3, 4, 4, 5, 6}) a.push_back(x);
    for (double x : {3, 4, 4, 5, 5, 5, 6, 6, 7, 8}) b.push_back(x);
  }
  EXPECT_NEAR(mann_whitney_u_p_value(a, b), 8.69278546772494e-06, 1e-15);
}

TEST(MannWhitney, IdenticalSamplesGiveNoEvidence) {
  const std::vector<double> same = {5, 5, 5, 5};
  EXPECT_DOUBLE_EQ(mann_whitney_u_p_value(same, same), 1.0);
  const auto xs = well_behaved_sample();
  EXPECT_DOUBLE_EQ(mann_whitney_u_p_value(xs, xs), 1.0);
}

TEST(Holm, StepDownStopsAtTheFirstFailure) {
  // Sorted: 0.005 <= 0.05/4, 0.01 <= 0.05/3, 0.03 > 0.05/2 stops; 0.04 < 0.05 is NOT rejected.
  const std::vector<double> p = {0.01, 0.04, 0.03, 0.005};
  EXPECT_EQ(holm_bonferroni(p, 0.05), (std::vector<bool>{true, false, false, true}));
  EXPECT_DOUBLE_EQ(holm_threshold(0.05, 1, 4), 0.0125);
  EXPECT_DOUBLE_EQ(holm_threshold(0.05, 4, 4), 0.05);
  EXPECT_THROW(holm_threshold(0.05, 0, 4), std::invalid_argument);
  EXPECT_TRUE(holm_bonferroni(std::vector<double>{}, 0.05).empty());
}

TEST(Decide, SignificantButShownSmallerThanTheThresholdIsNoDifference) {
  EXPECT_EQ(decide({0.97, 0.99}, true, 0.05), Verdict::kNoDifference);
  EXPECT_EQ(decide({1.01, 1.03}, true, 0.05), Verdict::kNoDifference);
}

// A true change of exactly the threshold has its estimate below the threshold half the time;
// the CI reaching it is what decides.
TEST(Decide, SignificantChangeWhoseCiReachesTheThresholdGetsAVerdict) {
  EXPECT_EQ(decide({1.046, 1.051}, true, 0.05), Verdict::kSlower);
  EXPECT_EQ(decide({0.949, 0.955}, true, 0.05), Verdict::kFaster);
  EXPECT_EQ(decide({1.046, 1.049}, true, 0.05), Verdict::kNoDifference);
}

TEST(Decide, NotSignificantIsNoDifferenceHoweverLargeTheRatio) {
  EXPECT_EQ(decide({0.4, 0.6}, false, 0.05), Verdict::kNoDifference);
  EXPECT_EQ(decide({1.8, 2.2}, false, 0.05), Verdict::kNoDifference);
}

TEST(Decide, CiContainingOneIsNoDifference) {
  EXPECT_EQ(decide({0.7, 1.05}, true, 0.05), Verdict::kNoDifference);
  EXPECT_EQ(decide({0.95, 1.3}, true, 0.05), Verdict::kNoDifference);
}

TEST(Decide, ClearSignificantChangesGetAVerdict) {
  EXPECT_EQ(decide({0.75, 0.85}, true, 0.05), Verdict::kFaster);
  EXPECT_EQ(decide({1.15, 1.25}, true, 0.05), Verdict::kSlower);
  EXPECT_THROW(decide({1.0, 1.0}, true, -0.1), std::invalid_argument);
}

TEST(CompareSamples, HalvedTimesAreFasterAndEqualTimesAreNot) {
  const auto baseline = well_behaved_sample();
  std::vector<double> halved;
  for (double x : baseline) halved.push_back(x / 2.0);
  const Comparison faster = compare_samples(halved, baseline, 0.05, 0.05, 1);
  EXPECT_DOUBLE_EQ(faster.ratio, 0.5);
  EXPECT_LT(faster.ratio_ci.high, 1.0);
  EXPECT_LT(faster.p_value, 1e-6);
  EXPECT_TRUE(faster.significant);
  EXPECT_EQ(faster.verdict, Verdict::kFaster);
  EXPECT_EQ(compare_samples(baseline, halved, 0.05, 0.05, 1).verdict, Verdict::kSlower);

  const Comparison same = compare_samples(baseline, baseline, 0.05, 0.05, 1);
  EXPECT_DOUBLE_EQ(same.ratio, 1.0);
  EXPECT_FALSE(same.significant);
  EXPECT_EQ(same.verdict, Verdict::kNoDifference);
}

TEST(Summary, CollectsEveryStatistic) {
  const Summary s = summarize(kSpread);
  EXPECT_EQ(s.n, 8u);
  EXPECT_DOUBLE_EQ(s.median, 4.5);
  EXPECT_DOUBLE_EQ(s.mean, 5.0);
  EXPECT_DOUBLE_EQ(s.stddev, std::sqrt(32.0 / 7.0));
  EXPECT_DOUBLE_EQ(s.min, 2.0);
  EXPECT_DOUBLE_EQ(s.max, 9.0);
  EXPECT_LE(s.ci.low, s.median);
  EXPECT_GE(s.ci.high, s.median);
}

}  // namespace
}  // namespace offload::measure
