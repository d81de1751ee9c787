// Implementation of the pure statistics in statistics.hpp. The only state is the local PRNG of a
// bootstrap call, seeded from its argument.
#include "measure/statistics.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>
#include <utility>

namespace offload::measure {
namespace {

void require_non_empty(std::span<const double> samples, const char* what) {
  if (samples.empty()) throw std::invalid_argument(std::string(what) + ": empty sample");
}

void require_bootstrap_args(double confidence, std::size_t resamples) {
  if (!(confidence > 0.0 && confidence < 1.0)) {
    throw std::invalid_argument("bootstrap: confidence must lie in (0, 1)");
  }
  if (resamples == 0) throw std::invalid_argument("bootstrap: resamples must be >= 1");
}

// xoshiro256** (Blackman & Vigna), state filled by splitmix64 as its authors recommend. Defined here
// rather than taken from <random> so a seed gives the same intervals on every standard library.
class Xoshiro256 {
 public:
  explicit Xoshiro256(std::uint64_t seed) noexcept {
    for (auto& word : state_) {
      seed += 0x9e3779b97f4a7c15ULL;
      std::uint64_t z = seed;
      z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
      z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
      word = z ^ (z >> 31);
    }
  }

  std::uint64_t next() noexcept {
    const std::uint64_t result = std::rotl(state_[1] * 5, 7) * 9;
    const std::uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = std::rotl(state_[3], 45);
    return result;
  }

  // Uniform in [0, bound) without modulo bias: reject draws from the incomplete last block.
  std::uint64_t below(std::uint64_t bound) noexcept {
    const std::uint64_t limit = std::numeric_limits<std::uint64_t>::max() -
                                std::numeric_limits<std::uint64_t>::max() % bound;
    std::uint64_t x = next();
    while (x >= limit) x = next();
    return x % bound;
  }

 private:
  std::uint64_t state_[4];
};

// Median of `buffer`, reordering it. Requires: non-empty.
double median_in_place(std::vector<double>& buffer) {
  const std::size_t half = buffer.size() / 2;
  std::nth_element(buffer.begin(), buffer.begin() + half, buffer.end());
  const double upper = buffer[half];
  if (buffer.size() % 2 == 1) return upper;
  const double lower = *std::max_element(buffer.begin(), buffer.begin() + half);
  return lower + (upper - lower) / 2.0;
}

double resampled_median(std::span<const double> samples, Xoshiro256& rng,
                        std::vector<double>& buffer) {
  buffer.resize(samples.size());
  for (auto& x : buffer) x = samples[rng.below(samples.size())];
  return median_in_place(buffer);
}

// Type-7 quantile of already sorted values.
double sorted_quantile(const std::vector<double>& sorted, double q) {
  const double h = static_cast<double>(sorted.size() - 1) * q;
  const auto lo = static_cast<std::size_t>(std::floor(h));
  if (lo + 1 >= sorted.size()) return sorted.back();
  return sorted[lo] + (h - static_cast<double>(lo)) * (sorted[lo + 1] - sorted[lo]);
}

Interval percentile_interval(std::vector<double>& estimates, double confidence) {
  std::sort(estimates.begin(), estimates.end());
  const double tail = (1.0 - confidence) / 2.0;
  return {sorted_quantile(estimates, tail), sorted_quantile(estimates, 1.0 - tail)};
}

// Null distribution of U for sizes m and n without ties: entry u counts the arrangements with
// statistic u. Row i, column j holds f(i, j, .) for i values of the first sample among i + j, from
// f(i, j, u) = f(i - 1, j, u - j) + f(i, j - 1, u). Counts reach C(40, 20) ~ 1.4e11, exact in a double.
std::vector<double> exact_u_counts(std::size_t m, std::size_t n) {
  const std::size_t max_u = m * n;
  std::vector<std::vector<double>> prev(n + 1, std::vector<double>(max_u + 1, 0.0));
  for (auto& row : prev) row[0] = 1.0;  // i = 0: one arrangement, U = 0.
  std::vector<std::vector<double>> cur = prev;
  for (std::size_t i = 1; i <= m; ++i) {
    for (std::size_t j = 0; j <= n; ++j) {
      for (std::size_t v = 0; v <= max_u; ++v) {
        const double take_a = v >= j ? prev[j][v - j] : 0.0;
        const double take_b = j > 0 ? cur[j - 1][v] : 0.0;
        cur[j][v] = take_a + take_b;
      }
    }
    std::swap(prev, cur);
  }
  return prev[n];
}

}  // namespace

double median(std::span<const double> samples) {
  require_non_empty(samples, "median");
  std::vector<double> buffer(samples.begin(), samples.end());
  return median_in_place(buffer);
}

double mean(std::span<const double> samples) {
  require_non_empty(samples, "mean");
  return std::accumulate(samples.begin(), samples.end(), 0.0) / static_cast<double>(samples.size());
}

double stddev(std::span<const double> samples) {
  require_non_empty(samples, "stddev");
  if (samples.size() == 1) return 0.0;
  const double m = mean(samples);
  double sum_sq = 0.0;
  for (double x : samples) sum_sq += (x - m) * (x - m);
  return std::sqrt(sum_sq / static_cast<double>(samples.size() - 1));
}

double cv(std::span<const double> samples) {
  const double s = stddev(samples);
  const double m = mean(samples);
  if (m == 0.0) return s == 0.0 ? 0.0 : std::numeric_limits<double>::infinity();
  return s / m;
}

double quantile(std::span<const double> samples, double q) {
  require_non_empty(samples, "quantile");
  if (!(q >= 0.0 && q <= 1.0)) throw std::invalid_argument("quantile: q must lie in [0, 1]");
  std::vector<double> sorted(samples.begin(), samples.end());
  std::sort(sorted.begin(), sorted.end());
  return sorted_quantile(sorted, q);
}

Interval bootstrap_ci(std::span<const double> samples, double confidence, std::size_t resamples,
                      std::uint64_t seed) {
  require_non_empty(samples, "bootstrap_ci");
  require_bootstrap_args(confidence, resamples);
  Xoshiro256 rng(seed);
  std::vector<double> buffer;
  std::vector<double> medians(resamples);
  for (auto& m : medians) m = resampled_median(samples, rng, buffer);
  return percentile_interval(medians, confidence);
}

Interval bootstrap_ratio_ci(std::span<const double> candidate, std::span<const double> baseline,
                            double confidence, std::size_t resamples, std::uint64_t seed) {
  require_non_empty(candidate, "bootstrap_ratio_ci candidate");
  require_non_empty(baseline, "bootstrap_ratio_ci baseline");
  require_bootstrap_args(confidence, resamples);
  if (!std::all_of(baseline.begin(), baseline.end(), [](double x) { return x > 0.0; })) {
    throw std::invalid_argument("bootstrap_ratio_ci: baseline samples must be > 0");
  }
  Xoshiro256 rng(seed);
  std::vector<double> buffer;
  std::vector<double> ratios(resamples);
  for (auto& r : ratios) {
    const double c = resampled_median(candidate, rng, buffer);
    r = c / resampled_median(baseline, rng, buffer);
  }
  return percentile_interval(ratios, confidence);
}

double mann_whitney_u_p_value(std::span<const double> a, std::span<const double> b) {
  require_non_empty(a, "mann_whitney_u_p_value a");
  require_non_empty(b, "mann_whitney_u_p_value b");
  const std::size_t m = a.size();
  const std::size_t n = b.size();
  const std::size_t total = m + n;

  // Pool (value, from_a), sort, and give each tie group its mid-rank.
  std::vector<std::pair<double, bool>> pooled;
  pooled.reserve(total);
  for (double x : a) pooled.emplace_back(x, true);
  for (double x : b) pooled.emplace_back(x, false);
  std::sort(pooled.begin(), pooled.end());
  double rank_sum_a = 0.0;
  double tie_term = 0.0;  // sum over tie groups of t^3 - t.
  for (std::size_t i = 0; i < total;) {
    std::size_t j = i;
    while (j < total && pooled[j].first == pooled[i].first) ++j;
    const double mid_rank = static_cast<double>(i + j + 1) / 2.0;  // ranks i+1 .. j.
    for (std::size_t k = i; k < j; ++k) {
      if (pooled[k].second) rank_sum_a += mid_rank;
    }
    const auto t = static_cast<double>(j - i);
    tie_term += t * t * t - t;
    i = j;
  }
  const double md = static_cast<double>(m);
  const double nd = static_cast<double>(n);
  const double u = rank_sum_a - md * (md + 1.0) / 2.0;

  constexpr std::size_t kExactMaxSize = 20;
  if (m <= kExactMaxSize && n <= kExactMaxSize && tie_term == 0.0) {
    const auto u_int = static_cast<std::ptrdiff_t>(std::llround(u));
    const std::vector<double> counts = exact_u_counts(m, n);
    const double all = std::accumulate(counts.begin(), counts.end(), 0.0);
    const double lower = std::accumulate(counts.begin(), counts.begin() + u_int + 1, 0.0) / all;
    const double upper = std::accumulate(counts.begin() + u_int, counts.end(), 0.0) / all;
    return std::min(1.0, 2.0 * std::min(lower, upper));
  }

  const double nt = static_cast<double>(total);
  const double variance = md * nd / 12.0 * ((nt + 1.0) - tie_term / (nt * (nt - 1.0)));
  if (variance <= 0.0) return 1.0;  // Every value equal: no evidence of any difference.
  const double distance = std::max(0.0, std::abs(u - md * nd / 2.0) - 0.5);
  const double z = distance / std::sqrt(variance);
  return std::min(1.0, std::erfc(z / std::sqrt(2.0)));
}

double holm_threshold(double alpha, std::size_t rank, std::size_t m) {
  if (rank < 1 || rank > m) throw std::invalid_argument("holm_threshold: need 1 <= rank <= m");
  return alpha / static_cast<double>(m - rank + 1);
}

std::vector<bool> holm_bonferroni(std::span<const double> p_values, double alpha) {
  const std::size_t m = p_values.size();
  std::vector<std::size_t> order(m);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t x, std::size_t y) { return p_values[x] < p_values[y]; });
  std::vector<bool> significant(m, false);
  for (std::size_t k = 0; k < m; ++k) {
    if (!(p_values[order[k]] <= holm_threshold(alpha, k + 1, m))) break;
    significant[order[k]] = true;
  }
  return significant;
}

Verdict decide(Interval ratio_ci, bool significant, double threshold) {
  if (!(threshold >= 0.0)) throw std::invalid_argument("decide: threshold must be >= 0");
  if (!significant) return Verdict::kNoDifference;
  if (ratio_ci.high < 1.0 && ratio_ci.low <= 1.0 - threshold) return Verdict::kFaster;
  if (ratio_ci.low > 1.0 && ratio_ci.high >= 1.0 + threshold) return Verdict::kSlower;
  return Verdict::kNoDifference;
}

Comparison compare_samples(std::span<const double> candidate, std::span<const double> baseline,
                           double alpha, double threshold, std::uint64_t seed) {
  if (!(alpha > 0.0 && alpha < 1.0)) throw std::invalid_argument("compare_samples: alpha in (0, 1)");
  Comparison result{};
  result.ratio_ci = bootstrap_ratio_ci(candidate, baseline, 1.0 - alpha, 2000, seed);
  result.ratio = median(candidate) / median(baseline);
  result.p_value = mann_whitney_u_p_value(candidate, baseline);
  result.significant = result.p_value <= alpha;
  result.verdict = decide(result.ratio_ci, result.significant, threshold);
  return result;
}

Summary summarize(std::span<const double> samples, std::uint64_t seed) {
  require_non_empty(samples, "summarize");
  const auto [min_it, max_it] = std::minmax_element(samples.begin(), samples.end());
  return Summary{samples.size(), median(samples), mean(samples), stddev(samples), cv(samples),
                 *min_it,        *max_it,         bootstrap_ci(samples, 0.95, 2000, seed)};
}

}  // namespace offload::measure
