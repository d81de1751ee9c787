// Pure statistics over PAIRED samples: rounds that measured two contenders moments apart under the
// same machine noise. The ratio of a candidate to its baseline is estimated from the per-round
// log-ratios, so drift between rounds cancels instead of widening the interval: the
// Hodges-Lehmann estimate, its distribution-free confidence interval from the Wilcoxon
// signed-rank distribution, and the signed-rank test. The unpaired functions (statistics.hpp)
// stay for samples that do not pair (two reports taken apart).
#pragma once

#include <cstddef>
#include <span>

#include "measure/statistics.hpp"

namespace offload::measure {

// Requires (all): finite values; equal, non-empty spans where two are taken; positive values where
// ratios are taken; otherwise std::invalid_argument.

// Two-sided p-value of the Wilcoxon signed-rank test that the differences are symmetric about 0.
// Zero differences are dropped (Wilcoxon's method, scipy's zero_method="wilcox"). Which
// distribution of the statistic T+ is used:
//  - exact (by dynamic programming over the ranks 1..n) when n <= 50 and the absolute differences
//    have no ties; p = min(1, 2 min(P(T <= t), P(T >= t)));
//  - otherwise the normal approximation with the tie-corrected variance
//    n(n+1)(2n+1)/24 - sum(t^3 - t)/48 and no continuity correction (scipy's defaults).
// Note: all differences zero gives 1. With n pairs the smallest possible p is 2 / 2^n (n = 5:
//   0.0625), so a verdict at a corrected alpha needs enough pairs: min_pairs_for below.
double wilcoxon_signed_rank_p_value(std::span<const double> differences);

// The fewest pairs whose smallest possible signed-rank p-value is <= alpha (> 0).
std::size_t min_pairs_for(double alpha);

// Hodges-Lehmann estimate of the differences' centre: the median of the n(n+1)/2 Walsh averages
// (d_i + d_j) / 2, i <= j.
double hodges_lehmann(std::span<const double> differences);

// The confidence interval of the Hodges-Lehmann estimate: [W_(k), W_(M + 1 - k)] of the sorted Walsh
// averages W_(1..M), M = n(n+1)/2, k the largest integer with P(T+ <= k - 1) <= (1 - confidence) / 2
// under the exact null distribution (n <= 50) or its normal approximation (n > 50).
// Note: when n is too small for `confidence` (k < 1), the widest interval [W_(1), W_(M)] is given;
//   the test cannot be significant then either.
Interval hodges_lehmann_ci(std::span<const double> differences, double confidence);

struct PairedComparison {
  double ratio;       // exp(hodges_lehmann(log(candidate_i / baseline_i))): < 1 means faster
  Interval ratio_ci;  // exp(hodges_lehmann_ci(...)) at confidence 1 - alpha
  double p_value;     // wilcoxon_signed_rank_p_value of the log-ratios
  std::size_t pairs;
};

// Candidate against baseline, round by round: round i measured candidate[i] and baseline[i].
// Requires: equal sizes >= 1, every value > 0; 0 < alpha < 1.
PairedComparison compare_paired(std::span<const double> candidate, std::span<const double> baseline, double alpha);

// The relative half-width of a ratio's interval: the larger of high/ratio - 1 and 1 - low/ratio
// (0.03 = the ratio is known to +-3%).
double relative_half_width(double ratio, Interval ratio_ci);

}  // namespace offload::measure
