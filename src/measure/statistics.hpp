// Pure statistics over benchmark samples: location and spread, percentile-bootstrap confidence
// intervals, the Mann-Whitney U test, Holm-Bonferroni correction and the faster/slower verdict.
// Every function is deterministic: randomness comes only from an explicit seed and a PRNG defined here.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace offload::measure {

// Requires (all functions taking samples): finite values; a NaN or infinity gives unspecified results.
// Requires: non-empty spans, otherwise std::invalid_argument is thrown.

// Middle value; the mean of the two middle values when n is even. n = 1 gives the sample itself.
double median(std::span<const double> samples);

double mean(std::span<const double> samples);

// Sample standard deviation (divides by n - 1).
// Note: n = 1 gives 0, not NaN: one sample shows no spread (Google Benchmark's convention).
double stddev(std::span<const double> samples);

// Coefficient of variation, stddev / mean.
// Note: n = 1 gives 0. A zero mean gives 0 when stddev is 0, otherwise +infinity.
double cv(std::span<const double> samples);

// Quantile by linear interpolation between order statistics (Hyndman-Fan type 7, the default of R
// and NumPy): h = (n - 1) q, x[floor h] + (h - floor h) (x[floor h + 1] - x[floor h]).
// Requires: 0 <= q <= 1, otherwise std::invalid_argument.
double quantile(std::span<const double> samples, double q);

struct Interval {
  double low;
  double high;
};

// Percentile-bootstrap confidence interval of the MEDIAN: `resamples` resamples with replacement, the
// interval between the (1 - confidence) / 2 and (1 + confidence) / 2 type-7 quantiles of their medians.
// Requires: 0 < confidence < 1 and resamples >= 1, otherwise std::invalid_argument.
// Note: identical on every platform for a given seed (xoshiro256** seeded by splitmix64, unbiased
//   bounded integers by rejection; no std:: distributions, whose output is implementation-defined).
//   n = 1 gives {x, x}. 2000 resamples keep the Monte-Carlo error of a 95% bound near 1% of the
//   interval width; more buys little for the cost.
Interval bootstrap_ci(std::span<const double> samples, double confidence = 0.95,
                      std::size_t resamples = 2000, std::uint64_t seed = 1);

// Percentile-bootstrap confidence interval of median(candidate) / median(baseline); each resample
// draws both samples independently (they come from separate runs, not pairs).
// Requires: as bootstrap_ci, and every baseline sample > 0 (so every resampled ratio is finite),
//   otherwise std::invalid_argument.
Interval bootstrap_ratio_ci(std::span<const double> candidate, std::span<const double> baseline,
                            double confidence = 0.95, std::size_t resamples = 2000,
                            std::uint64_t seed = 1);

// Two-sided p-value of the Mann-Whitney U (Wilcoxon rank-sum) test that a and b share a distribution.
// Which distribution of U is used:
//  - exact (the permutation distribution, by dynamic programming over ranks) when both sizes are
//    <= 20 and the pooled sample has no tied values at all; p = min(1, 2 min(P(U <= u), P(U >= u)));
//  - otherwise the normal approximation with the tie-corrected variance
//    mn/12 ((N + 1) - sum(t^3 - t) / (N (N - 1))) and a continuity correction of 0.5.
// Note: any tie, even one within a single sample, changes the permutation distribution of U, so the
//   tie-free exact table is used only when there are none (scipy's rule). All values equal gives 1.
double mann_whitney_u_p_value(std::span<const double> a, std::span<const double> b);

// Holm's step-down threshold for the p-value of the given rank (1 = smallest of m): alpha / (m - rank + 1).
// Requires: 1 <= rank <= m, otherwise std::invalid_argument.
double holm_threshold(double alpha, std::size_t rank, std::size_t m);

// Holm-Bonferroni step-down: walk the p-values from smallest up, rejecting while p <= holm_threshold
// and stopping at the first that fails. Returns, in input order, which hypotheses are rejected
// (the differences that are significant with family-wise error rate <= alpha).
// Note: an empty input gives an empty result; ties in p are ordered by input position.
std::vector<bool> holm_bonferroni(std::span<const double> p_values, double alpha);

enum class Verdict { kFaster, kSlower, kNoDifference };

struct Comparison {
  double ratio;        // median(candidate) / median(baseline); < 1 means the candidate is faster.
  Interval ratio_ci;   // bootstrap_ratio_ci at confidence 1 - alpha.
  double p_value;      // mann_whitney_u_p_value(candidate, baseline).
  bool significant;    // p_value <= alpha.
  Verdict verdict;     // decide(ratio_ci, significant, threshold).
};

// The verdict for a LOWER-IS-BETTER metric (ns/op), an equivalence test: a difference must be
// statistically real, and the data must not rule out that it reaches the threshold.
//   kFaster  iff significant && ratio_ci.high < 1 && ratio_ci.low  <= 1 - threshold;
//   kSlower  iff significant && ratio_ci.low  > 1 && ratio_ci.high >= 1 + threshold;
//   kNoDifference otherwise: not significant (the CI may contain 1), or a real change whose whole
//   CI lies inside (1 - threshold, 1 + threshold) — shown to be smaller than the threshold.
// Why the CI and not the point estimate: a true change of exactly the threshold has an estimate
// below it half the time, so a point-estimate rule would miss half of the regressions a user
// asked to catch. With this rule a change of the threshold or more is called whenever it is
// significant (the CI bound reaches it with the CI's coverage), and no-change is still protected
// by the significance test alone.
// Requires: threshold >= 0, otherwise std::invalid_argument.
Verdict decide(Interval ratio_ci, bool significant, double threshold);

// One candidate/baseline comparison at an already-corrected alpha (e.g. holm_threshold for its rank).
// Requires: as bootstrap_ratio_ci; 0 < alpha < 1; threshold >= 0.
// Note: the ratio CI uses confidence 1 - alpha so that it agrees with the test's level.
Comparison compare_samples(std::span<const double> candidate, std::span<const double> baseline,
                           double alpha, double threshold, std::uint64_t seed = 1);

struct Summary {
  std::size_t n;
  double median;
  double mean;
  double stddev;
  double cv;
  double min;
  double max;
  Interval ci;  // bootstrap_ci of the median at 95%.
};

// Requires: non-empty samples, otherwise std::invalid_argument.
Summary summarize(std::span<const double> samples, std::uint64_t seed = 1);

}  // namespace offload::measure
