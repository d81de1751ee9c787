#include "measure/instance_statistics.hpp"

#include <cmath>
#include <limits>
#include <map>
#include <stdexcept>
#include <vector>

namespace offload::measure {
namespace {

// The continued fraction of the incomplete beta function, evaluated by the modified Lentz method;
// converges fast for x < (a + 1) / (a + b + 2).
double incomplete_beta_fraction(double a, double b, double x) {
  constexpr double kTiny = 1e-300;
  constexpr double kEpsilon = 1e-15;
  double c = 1;
  double d = 1 - (a + b) * x / (a + 1);
  d = 1 / (std::fabs(d) < kTiny ? kTiny : d);
  double f = d;
  for (int m = 1; m <= 10'000; ++m) {
    const double m2 = 2.0 * m;
    const double even = m * (b - m) * x / ((a + m2 - 1) * (a + m2));
    d = 1 + even * d;
    c = 1 + even / c;
    d = 1 / (std::fabs(d) < kTiny ? kTiny : d);
    c = std::fabs(c) < kTiny ? kTiny : c;
    f *= d * c;
    const double odd = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1));
    d = 1 + odd * d;
    c = 1 + odd / c;
    d = 1 / (std::fabs(d) < kTiny ? kTiny : d);
    c = std::fabs(c) < kTiny ? kTiny : c;
    const double step = d * c;
    f *= step;
    if (std::fabs(step - 1) < kEpsilon) break;
  }
  return f;
}

// The regularized incomplete beta function I_x(a, b), 0 <= x <= 1.
double regularized_incomplete_beta(double a, double b, double x) {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const double log_front = std::lgamma(a + b) - std::lgamma(a) - std::lgamma(b) + a * std::log(x) + b * std::log1p(-x);
  if (x < (a + 1) / (a + b + 2)) return std::exp(log_front) * incomplete_beta_fraction(a, b, x) / a;
  return 1 - std::exp(log_front) * incomplete_beta_fraction(b, a, 1 - x) / b;
}

}  // namespace

double student_t_two_sided_p(double t, double df) {
  if (!(df > 0)) throw std::invalid_argument("student_t_two_sided_p: df must be > 0");
  if (std::isinf(t)) return 0;
  return regularized_incomplete_beta(df / 2, 0.5, df / (df + t * t));
}

double student_t_critical(double p, double df) {
  if (!(p > 0 && p < 1)) throw std::invalid_argument("student_t_critical: p must be in (0, 1)");
  double low = 0;
  double high = 1;
  while (student_t_two_sided_p(high, df) > p) high *= 2;
  for (int i = 0; i < 200 && high - low > 1e-12 * high; ++i) {
    const double mid = (low + high) / 2;
    (student_t_two_sided_p(mid, df) > p ? low : high) = mid;
  }
  return (low + high) / 2;
}

InstanceComparison compare_by_instance(std::span<const double> candidate, std::span<const double> baseline,
                                       std::span<const std::int64_t> instance, double alpha) {
  if (candidate.size() != baseline.size() || candidate.size() != instance.size())
    throw std::invalid_argument("compare_by_instance: candidate, baseline and instance sizes differ");
  if (!(alpha > 0 && alpha < 1)) throw std::invalid_argument("compare_by_instance: alpha must be in (0, 1)");
  std::map<std::int64_t, std::vector<double>> log_ratios;
  for (std::size_t i = 0; i < candidate.size(); ++i) {
    if (!(candidate[i] > 0 && baseline[i] > 0)) throw std::invalid_argument("compare_by_instance: values must be > 0");
    log_ratios[instance[i]].push_back(std::log(candidate[i] / baseline[i]));
  }
  if (log_ratios.size() < 2) throw std::invalid_argument("compare_by_instance: needs at least two instances");

  std::vector<double> estimates;
  for (const auto& [id, values] : log_ratios) estimates.push_back(hodges_lehmann(values));
  const double k = static_cast<double>(estimates.size());
  double mean = 0;
  for (double e : estimates) mean += e;
  mean /= k;
  double squares = 0;
  for (double e : estimates) squares += (e - mean) * (e - mean);
  const double standard_error = std::sqrt(squares / (k - 1) / k);

  InstanceComparison c{std::exp(mean), {}, 1, estimates.size(), candidate.size()};
  if (standard_error == 0) {
    c.ratio_ci = {c.ratio, c.ratio};
    c.p_value = mean == 0 ? 1 : 0;
    return c;
  }
  const double half_width = student_t_critical(alpha, k - 1) * standard_error;
  c.ratio_ci = {std::exp(mean - half_width), std::exp(mean + half_width)};
  c.p_value = student_t_two_sided_p(mean / standard_error, k - 1);
  return c;
}

}  // namespace offload::measure
