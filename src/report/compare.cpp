// Compares two loaded reports (compare.hpp): pairing, the statistics per benchmark x metric with
// Holm correction over the whole result, the summary and the warnings.
#include "report/compare.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>

#include <fmt/format.h>

namespace offload::report {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double threshold_for(const CompareOptions& options, const std::string& metric) {
  const auto it = options.metric_thresholds.find(metric);
  return it != options.metric_thresholds.end() ? it->second : options.threshold;
}

void validate(const CompareOptions& options) {
  if (!(options.alpha > 0 && options.alpha < 1))
    throw std::invalid_argument(fmt::format("compare: alpha must be in (0, 1), not {}", options.alpha));
  if (!(options.threshold >= 0))
    throw std::invalid_argument(fmt::format("compare: threshold must be >= 0, not {}", options.threshold));
  for (const auto& [metric, t] : options.metric_thresholds)
    if (!(t >= 0))
      throw std::invalid_argument(fmt::format("compare: threshold of {} must be >= 0, not {}", metric, t));
}

// The smallest two-sided p-value Mann-Whitney U can give for these sizes: the most extreme split,
// every value of one sample below every value of the other, no ties.
double min_p_value(std::size_t n, std::size_t m) {
  std::vector<double> a(n), b(m);
  std::iota(a.begin(), a.end(), 0.0);
  std::iota(b.begin(), b.end(), static_cast<double>(n));
  return measure::mann_whitney_u_p_value(a, b);
}

std::string format_p(double p) { return p < 0.001 ? "<0.001" : fmt::format("{:.3g}", p); }

// An exact comparison of single-valued counts: the change itself, no noise model.
void decide_exact(MetricComparison& c) {
  c.exact = true;
  c.ratio_ci = {kNaN, kNaN};
  c.p_value = c.alpha = c.min_p_value = kNaN;
  if (c.base_median == 0) c.ratio = c.new_median == 0 ? 1.0 : std::numeric_limits<double>::infinity();
  else c.ratio = c.new_median / c.base_median;
  if (c.new_median > c.base_median * (1 + c.threshold))
    c.verdict = CompareVerdict::kRegressed;
  else if (c.new_median < c.base_median * (1 - c.threshold))
    c.verdict = CompareVerdict::kImproved;
  else
    c.verdict = CompareVerdict::kUnchanged;
}

// Fills ratio, p_value and min_p_value of a statistical comparison, or marks it insufficient.
// Returns whether it takes part in the Holm family.
bool prepare_statistical(MetricComparison& c, const std::vector<double>& base,
                         const std::vector<double>& cand) {
  c.ratio_ci = {kNaN, kNaN};
  c.p_value = c.alpha = c.min_p_value = kNaN;
  c.ratio = c.base_median > 0 ? c.new_median / c.base_median : kNaN;
  if (base.size() < 2 || cand.size() < 2) {
    c.verdict = CompareVerdict::kInsufficient;
    c.note = fmt::format("{} vs {} samples: a test needs at least 2 on each side", base.size(),
                         cand.size());
    return false;
  }
  if (std::any_of(base.begin(), base.end(), [](double x) { return !(x > 0); })) {
    c.verdict = CompareVerdict::kInsufficient;
    c.note = "a base sample is not positive: no ratio";
    return false;
  }
  c.p_value = measure::mann_whitney_u_p_value(cand, base);
  c.min_p_value = min_p_value(base.size(), cand.size());
  return true;
}

struct Pending {
  std::size_t index;  // into CompareResult::comparisons
  const std::vector<double>* base;
  const std::vector<double>* cand;
};

// Holm over every statistical comparison: each gets the level of its rank; a comparison whose
// samples cannot reach that level even in the most extreme split is insufficient, not unchanged.
void decide_statistical(std::vector<MetricComparison>& comparisons, const std::vector<Pending>& family,
                        const CompareOptions& options) {
  std::vector<double> p;
  for (const auto& f : family) p.push_back(comparisons[f.index].p_value);
  const std::vector<bool> rejected = measure::holm_bonferroni(p, options.alpha);
  std::vector<std::size_t> order(family.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  // Same order as holm_bonferroni: by p, ties by input position.
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return p[a] < p[b]; });
  for (std::size_t rank = 0; rank < order.size(); ++rank) {
    const std::size_t k = order[rank];
    MetricComparison& c = comparisons[family[k].index];
    c.alpha = measure::holm_threshold(options.alpha, rank + 1, family.size());
    c.significant = rejected[k];
    c.ratio_ci = measure::bootstrap_ratio_ci(*family[k].cand, *family[k].base, 1 - c.alpha, 2000,
                                             options.seed);
    if (c.min_p_value > c.alpha) {
      c.verdict = CompareVerdict::kInsufficient;
      c.note = fmt::format("{} vs {} samples: p >= {} > alpha {:.3g}", c.base_n, c.new_n,
                           format_p(c.min_p_value), c.alpha);
      continue;
    }
    switch (measure::decide(c.ratio_ci, c.significant, c.threshold)) {
      case measure::Verdict::kFaster: c.verdict = CompareVerdict::kImproved; break;
      case measure::Verdict::kSlower: c.verdict = CompareVerdict::kRegressed; break;
      case measure::Verdict::kNoDifference: c.verdict = CompareVerdict::kUnchanged; break;
    }
  }
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  return s;
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

std::string benchmarks(std::size_t n) {
  return fmt::format("{} benchmark{}", n, n == 1 ? "" : "s");
}

void add_environment_warnings(const LoadedReport& base, const LoadedReport& cand,
                              std::vector<std::string>& warnings) {
  const ReportEnvironment &a = base.environment, &b = cand.environment;
  const auto differ = [&](std::string_view what, std::string_view field, const std::string& x,
                          const std::string& y, bool case_insensitive = false) {
    if (x.empty() || y.empty()) return;
    if (case_insensitive ? lower(x) == lower(y) : x == y) return;
    warnings.push_back(fmt::format("reports come from different {}: {} {} vs {}", what, field, x, y));
  };
  differ("machines", "host", a.host, b.host);
  differ("machines", "cpu model", a.cpu_model, b.cpu_model);
  if (a.num_cpus > 0 && b.num_cpus > 0 && a.num_cpus != b.num_cpus)
    differ("machines", "num_cpus", std::to_string(a.num_cpus), std::to_string(b.num_cpus));
  differ("builds", "compiler", a.compiler, b.compiler);
  // GB writes "release", we write "Release": the same build type.
  differ("builds", "build type", a.build_type, b.build_type, true);
  if (base.kind != cand.kind)
    warnings.push_back(fmt::format("mixed formats: base from {}, new from {}",
                                   to_string(base.kind), to_string(cand.kind)));
  for (const LoadedReport* r : {&base, &cand})
    if (r->partial)
      warnings.push_back(fmt::format("{} report {} is partial: the run was interrupted",
                                     r == &base ? "base" : "new", r->source));
}

}  // namespace

std::string_view to_string(CompareVerdict verdict) {
  switch (verdict) {
    case CompareVerdict::kImproved: return "improved";
    case CompareVerdict::kRegressed: return "regressed";
    case CompareVerdict::kUnchanged: return "unchanged";
    case CompareVerdict::kInsufficient: return "insufficient";
  }
  return "unchanged";
}

int severity(CompareVerdict verdict) {
  switch (verdict) {
    case CompareVerdict::kRegressed: return 0;
    case CompareVerdict::kImproved: return 1;
    case CompareVerdict::kInsufficient: return 2;
    case CompareVerdict::kUnchanged: return 3;
  }
  return 3;
}

CompareResult compare_reports(const LoadedReport& base, const LoadedReport& candidate,
                              const CompareOptions& options) {
  validate(options);
  CompareResult result;
  result.options = options;
  result.base_source = base.source;
  result.new_source = candidate.source;
  result.base_kind = base.kind;
  result.new_kind = candidate.kind;
  result.base_environment = base.environment;
  result.new_environment = candidate.environment;

  std::vector<Pending> family;
  double log_sum = 0;
  for (const BenchmarkSamples& b : base.benchmarks) {
    const BenchmarkSamples* n = candidate.find(b.key);
    if (n == nullptr) {
      result.only_in_base.push_back(b.key);
      continue;
    }
    ++result.summary.paired;
    const auto ns_base = b.metrics.find(std::string(kNsPerOp));
    const auto ns_new = n->metrics.find(std::string(kNsPerOp));
    if (ns_base != b.metrics.end() && ns_new != n->metrics.end() && !ns_base->second.empty() &&
        !ns_new->second.empty()) {
      const double ratio = measure::median(ns_new->second) / measure::median(ns_base->second);
      if (std::isfinite(ratio) && ratio > 0) {
        log_sum += std::log(ratio);
        ++result.summary.geomean_count;
      }
    }
    for (const std::string& metric : options.metrics) {
      const auto xb = b.metrics.find(metric);
      const auto xn = n->metrics.find(metric);
      if (xb == b.metrics.end() || xn == n->metrics.end()) continue;
      MetricComparison c;
      c.benchmark = b.key;
      c.metric = metric;
      c.base_n = xb->second.size();
      c.new_n = xn->second.size();
      c.base_median = c.base_n > 0 ? measure::median(xb->second) : kNaN;
      c.new_median = c.new_n > 0 ? measure::median(xn->second) : kNaN;
      c.threshold = threshold_for(options, metric);
      if (is_count_metric(metric) && c.base_n == 1 && c.new_n == 1) {
        decide_exact(c);
      } else if (prepare_statistical(c, xb->second, xn->second)) {
        family.push_back({result.comparisons.size(), &xb->second, &xn->second});
      }
      result.comparisons.push_back(std::move(c));
    }
  }
  for (const BenchmarkSamples& n : candidate.benchmarks)
    if (base.find(n.key) == nullptr) result.only_in_new.push_back(n.key);
  decide_statistical(result.comparisons, family, options);

  CompareSummary& s = result.summary;
  for (const auto& c : result.comparisons) {
    switch (c.verdict) {
      case CompareVerdict::kImproved: ++s.improved; break;
      case CompareVerdict::kRegressed: ++s.regressed; break;
      case CompareVerdict::kUnchanged: ++s.unchanged; break;
      case CompareVerdict::kInsufficient: ++s.insufficient; break;
    }
  }
  s.geomean_ns_ratio = s.geomean_count > 0
                           ? std::exp(log_sum / static_cast<double>(s.geomean_count))
                           : kNaN;

  add_environment_warnings(base, candidate, result.warnings);
  if (!result.only_in_base.empty())
    result.warnings.push_back(fmt::format("{} only in base (removed or renamed?): {}",
                                          benchmarks(result.only_in_base.size()),
                                          join(result.only_in_base)));
  if (!result.only_in_new.empty())
    result.warnings.push_back(fmt::format("{} only in new (added or renamed?): {}",
                                          benchmarks(result.only_in_new.size()),
                                          join(result.only_in_new)));
  if (result.summary.paired == 0)
    result.warnings.push_back("no benchmarks in common: nothing was compared");
  return result;
}

bool has_regression(const CompareResult& result) {
  return std::any_of(result.comparisons.begin(), result.comparisons.end(),
                     [](const MetricComparison& c) { return c.verdict == CompareVerdict::kRegressed; });
}

bool has_change(const CompareResult& result) {
  return std::any_of(result.comparisons.begin(), result.comparisons.end(), [](const MetricComparison& c) {
    return c.verdict == CompareVerdict::kRegressed || c.verdict == CompareVerdict::kImproved;
  });
}

}  // namespace offload::report
