// Implementation of paired_statistics.hpp: exact signed-rank distributions by dynamic programming,
// Walsh averages sorted once per call.
#include "measure/paired_statistics.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

namespace offload::measure {
namespace {

// Up to this many non-zero differences without ties the exact null distribution is used (scipy's
// bound); beyond it the normal approximation is within ~1e-3 of it.
constexpr std::size_t kMaxExactPairs = 50;

// counts[t] = the number of subsets of {1..n} summing to t, t = 0..n(n+1)/2: the null distribution
// of T+ times 2^n.
std::vector<double> signed_rank_counts(std::size_t n) {
  const std::size_t max_t = n * (n + 1) / 2;
  std::vector<double> counts(max_t + 1, 0.0);
  counts[0] = 1.0;
  for (std::size_t rank = 1; rank <= n; ++rank)
    for (std::size_t t = max_t; t >= rank; --t) counts[t] += counts[t - rank];
  return counts;
}

double normal_cdf(double z) { return 0.5 * std::erfc(-z / std::sqrt(2.0)); }

// The inverse of normal_cdf by bisection: plenty for critical values.
double normal_quantile(double p) {
  double low = -40;
  double high = 40;
  for (int i = 0; i < 200; ++i) {
    const double mid = (low + high) / 2;
    (normal_cdf(mid) < p ? low : high) = mid;
  }
  return (low + high) / 2;
}

std::vector<double> walsh_averages(std::span<const double> d) {
  std::vector<double> walsh;
  walsh.reserve(d.size() * (d.size() + 1) / 2);
  for (std::size_t i = 0; i < d.size(); ++i)
    for (std::size_t j = i; j < d.size(); ++j) walsh.push_back((d[i] + d[j]) / 2);
  std::sort(walsh.begin(), walsh.end());
  return walsh;
}

void require_values(std::span<const double> d, const char* what) {
  if (d.empty()) throw std::invalid_argument(std::string(what) + ": empty sample");
  for (double x : d)
    if (!std::isfinite(x)) throw std::invalid_argument(std::string(what) + ": a value is not finite");
}

}  // namespace

double wilcoxon_signed_rank_p_value(std::span<const double> differences) {
  require_values(differences, "wilcoxon_signed_rank_p_value");
  std::vector<double> magnitudes;
  std::vector<bool> positive;
  for (double d : differences) {
    if (d == 0) continue;
    magnitudes.push_back(std::fabs(d));
    positive.push_back(d > 0);
  }
  const std::size_t n = magnitudes.size();
  if (n == 0) return 1.0;
  // Mid-ranks of the magnitudes, and the tie groups' sizes.
  std::vector<std::size_t> order(n);
  for (std::size_t i = 0; i < n; ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return magnitudes[a] < magnitudes[b]; });
  std::vector<double> rank(n);
  double tie_term = 0;
  bool ties = false;
  for (std::size_t i = 0; i < n;) {
    std::size_t j = i;
    while (j + 1 < n && magnitudes[order[j + 1]] == magnitudes[order[i]]) ++j;
    const double mid = (static_cast<double>(i + 1) + static_cast<double>(j + 1)) / 2;
    for (std::size_t k = i; k <= j; ++k) rank[order[k]] = mid;
    const double t = static_cast<double>(j - i + 1);
    if (t > 1) ties = true;
    tie_term += t * t * t - t;
    i = j + 1;
  }
  double t_plus = 0;
  for (std::size_t i = 0; i < n; ++i)
    if (positive[i]) t_plus += rank[i];
  const double nn = static_cast<double>(n);
  if (n <= kMaxExactPairs && !ties) {
    const std::vector<double> counts = signed_rank_counts(n);
    const double total = std::ldexp(1.0, static_cast<int>(n));
    const auto t = static_cast<std::size_t>(std::llround(t_plus));
    double below = 0;
    for (std::size_t k = 0; k <= t; ++k) below += counts[k];
    double above = 0;
    for (std::size_t k = t; k < counts.size(); ++k) above += counts[k];
    return std::min(1.0, 2 * std::min(below, above) / total);
  }
  const double mean_t = nn * (nn + 1) / 4;
  const double variance = nn * (nn + 1) * (2 * nn + 1) / 24 - tie_term / 48;
  if (variance <= 0) return 1.0;
  const double z = (t_plus - mean_t) / std::sqrt(variance);
  return std::min(1.0, 2 * normal_cdf(-std::fabs(z)));
}

std::size_t min_pairs_for(double alpha) {
  if (!(alpha > 0)) throw std::invalid_argument("min_pairs_for: alpha must be > 0");
  std::size_t n = 1;
  while (2.0 / std::ldexp(1.0, static_cast<int>(n)) > alpha) ++n;
  return n;
}

double hodges_lehmann(std::span<const double> differences) {
  require_values(differences, "hodges_lehmann");
  const std::vector<double> walsh = walsh_averages(differences);
  return median(walsh);
}

Interval hodges_lehmann_ci(std::span<const double> differences, double confidence) {
  require_values(differences, "hodges_lehmann_ci");
  if (!(confidence > 0 && confidence < 1)) throw std::invalid_argument("hodges_lehmann_ci: confidence must lie in (0, 1)");
  const std::vector<double> walsh = walsh_averages(differences);
  const std::size_t n = differences.size();
  const std::size_t m = walsh.size();
  const double tail = (1 - confidence) / 2;
  std::size_t k = 0;  // 1-based order statistic of the lower bound; 0: none reaches the confidence
  if (n <= kMaxExactPairs) {
    const std::vector<double> counts = signed_rank_counts(n);
    const double total = std::ldexp(1.0, static_cast<int>(n));
    double cumulative = 0;  // P(T+ <= k - 1)
    while (k < counts.size() && (cumulative + counts[k]) / total <= tail) cumulative += counts[k++];
  } else {
    const double nn = static_cast<double>(n);
    const double c = nn * (nn + 1) / 4 + normal_quantile(tail) * std::sqrt(nn * (nn + 1) * (2 * nn + 1) / 24);
    k = c < 0 ? 0 : static_cast<std::size_t>(std::floor(c));
  }
  if (k < 1) return {walsh.front(), walsh.back()};
  k = std::min(k, (m + 1) / 2);
  return {walsh[k - 1], walsh[m - k]};
}

PairedComparison compare_paired(std::span<const double> candidate, std::span<const double> baseline, double alpha) {
  if (candidate.size() != baseline.size() || candidate.empty())
    throw std::invalid_argument("compare_paired: the samples must be non-empty and pair up");
  std::vector<double> log_ratios;
  log_ratios.reserve(candidate.size());
  for (std::size_t i = 0; i < candidate.size(); ++i) {
    if (!(candidate[i] > 0 && baseline[i] > 0)) throw std::invalid_argument("compare_paired: values must be > 0");
    log_ratios.push_back(std::log(candidate[i] / baseline[i]));
  }
  const Interval ci = hodges_lehmann_ci(log_ratios, 1 - alpha);
  return {std::exp(hodges_lehmann(log_ratios)), {std::exp(ci.low), std::exp(ci.high)},
          wilcoxon_signed_rank_p_value(log_ratios), log_ratios.size()};
}

double relative_half_width(double ratio, Interval ratio_ci) {
  if (!(ratio > 0)) return std::numeric_limits<double>::infinity();
  return std::max(ratio_ci.high / ratio - 1, 1 - ratio_ci.low / ratio);
}

}  // namespace offload::measure
