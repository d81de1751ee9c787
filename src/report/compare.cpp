// Compares two loaded reports (compare.hpp): pairing, the statistics per benchmark x metric with
// Holm correction over the whole result, the drift between the runs, the summary and the warnings.
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

// The fewest samples per side (n vs n) whose most extreme split gives p <= level.
std::size_t samples_per_side_for(double level) {
  std::size_t n = 2;
  while (min_p_value(n, n) > level && n < 100000) ++n;
  return n;
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

// Each metric's drift over the benchmarks in the Holm family (those with samples to compare).
std::vector<DriftEstimate> estimate_drift(const std::vector<MetricComparison>& comparisons,
                                          const std::vector<Pending>& family, const CompareOptions& options) {
  std::vector<DriftEstimate> estimates;
  if (!options.correct_drift) return estimates;
  for (const std::string& metric : options.metrics) {
    std::vector<double> logs;
    for (const Pending& f : family) {
      const MetricComparison& c = comparisons[f.index];
      if (c.metric == metric && c.base_median > 0 && c.new_median > 0) logs.push_back(std::log(c.ratio));
    }
    if (logs.size() < kMinDriftBenchmarks) continue;
    const double centre = measure::median(logs);
    std::vector<double> deviations;
    for (double x : logs) deviations.push_back(std::fabs(x - centre));
    // 1.4826: the MAD of a normal sample times this estimates its standard deviation.
    estimates.push_back({metric, std::exp(centre), 1.4826 * measure::median(deviations), logs.size()});
  }
  return estimates;
}

const DriftEstimate* drift_of(const std::vector<DriftEstimate>& drift, const std::string& metric) {
  const auto it = std::find_if(drift.begin(), drift.end(), [&](const DriftEstimate& d) { return d.metric == metric; });
  return it == drift.end() ? nullptr : &*it;
}

// The two-sided p-value of a log-ratio's distance from the drift, in units of the benchmarks'
// spread around it (normal): how unusual this benchmark's move is between these two runs.
double between_run_p_value(double ratio, const DriftEstimate& drift) {
  if (!(drift.spread > 0)) return std::fabs(std::log(ratio / drift.factor)) > 0 ? 0.0 : 1.0;
  return std::erfc(std::fabs(std::log(ratio / drift.factor)) / drift.spread / std::sqrt(2.0));
}

// The verdict against the base, then against the drift: the candidate's samples divided by the
// drift factor, tested and bounded at the same level, and the benchmark's move set against the
// others' (between_run_p_value at the same level). A change is called only when all agree.
measure::Verdict judge_against_drift(MetricComparison& c, measure::Verdict against_base, const DriftEstimate& drift,
                                     const std::vector<double>& base, const std::vector<double>& cand) {
  c.drift = drift.factor;
  std::vector<double> corrected;
  for (double x : cand) corrected.push_back(x / drift.factor);
  const bool significant = measure::mann_whitney_u_p_value(corrected, base) <= c.alpha;
  const measure::Interval ci{c.ratio_ci.low / drift.factor, c.ratio_ci.high / drift.factor};
  const measure::Verdict against_drift = measure::decide(ci, significant, c.threshold);
  const double change = c.ratio / drift.factor;
  if (against_base != measure::Verdict::kNoDifference && against_drift != against_base) {
    c.note = fmt::format("x{:.3f} is within the drift between the reports (x{:.3f} across {} benchmarks)", c.ratio,
                         drift.factor, drift.benchmarks);
    return measure::Verdict::kNoDifference;
  }
  if (against_base != measure::Verdict::kNoDifference && between_run_p_value(c.ratio, drift) > c.alpha) {
    c.note = fmt::format(
        "x{:.3f} is within the variation between the reports (x{:.3f}, spread {:.1f}% across {} benchmarks)",
        c.ratio, drift.factor, 100 * drift.spread, drift.benchmarks);
    return measure::Verdict::kNoDifference;
  }
  // Drift under 1% is not worth a remark on every row.
  if (std::fabs(std::log(drift.factor)) > std::max(std::fabs(std::log(change)), std::log(1.01)))
    c.note = fmt::format("drift x{:.3f} between the reports is larger than this change (x{:.3f} after drift)",
                         drift.factor, change);
  return against_base;
}

// Holm over every statistical comparison: each gets the level of its rank. A comparison that the
// most favourable data (every comparison at the smallest p its sample counts allow) could not
// make significant is insufficient, not unchanged: Holm steps down from alpha / m, and no
// comparison passes once a step fails.
void decide_statistical(std::vector<MetricComparison>& comparisons, const std::vector<Pending>& family,
                        const std::vector<DriftEstimate>& drift, const CompareOptions& options) {
  std::vector<double> p;
  std::vector<double> min_p;
  for (const auto& f : family) {
    p.push_back(comparisons[f.index].p_value);
    min_p.push_back(comparisons[f.index].min_p_value);
  }
  const std::vector<bool> rejected = measure::holm_bonferroni(p, options.alpha);
  const std::vector<bool> possible = measure::holm_bonferroni(min_p, options.alpha);
  // The level of the first step the most favourable data fails.
  std::vector<double> sorted_min_p = min_p;
  std::sort(sorted_min_p.begin(), sorted_min_p.end());
  double failed_level = options.alpha;
  for (std::size_t rank = 0; rank < sorted_min_p.size(); ++rank) {
    failed_level = measure::holm_threshold(options.alpha, rank + 1, sorted_min_p.size());
    if (sorted_min_p[rank] > failed_level) break;
  }
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
    if (!possible[k]) {
      c.verdict = CompareVerdict::kInsufficient;
      c.note = fmt::format("{} vs {} samples: p >= {} > alpha {:.3g}", c.base_n, c.new_n,
                           format_p(c.min_p_value), failed_level);
      continue;
    }
    measure::Verdict verdict = measure::decide(c.ratio_ci, c.significant, c.threshold);
    if (const DriftEstimate* d = drift_of(drift, c.metric))
      verdict = judge_against_drift(c, verdict, *d, *family[k].base, *family[k].cand);
    switch (verdict) {
      case measure::Verdict::kFaster: c.verdict = CompareVerdict::kImproved; break;
      case measure::Verdict::kSlower: c.verdict = CompareVerdict::kRegressed; break;
      case measure::Verdict::kNoDifference: c.verdict = CompareVerdict::kUnchanged; break;
    }
  }
}

// Whether `c` is insufficient for its sample counts (not for a non-positive base).
bool too_few_for_a_test(const MetricComparison& c) { return c.base_n < 2 || c.new_n < 2; }
bool short_of_samples(const MetricComparison& c) {
  return c.verdict == CompareVerdict::kInsufficient && !c.exact && (too_few_for_a_test(c) || std::isfinite(c.min_p_value));
}

// Every comparison short of samples says how many per side would allow a verdict: enough for the
// most extreme split to pass alpha / m, Holm's first step, which every rejection must pass.
void add_samples_needed(CompareResult& result, std::size_t family_size) {
  if (std::none_of(result.comparisons.begin(), result.comparisons.end(), short_of_samples)) return;
  const auto untested = static_cast<std::size_t>(
      std::count_if(result.comparisons.begin(), result.comparisons.end(),
                    [](const MetricComparison& c) { return short_of_samples(c) && too_few_for_a_test(c); }));
  const std::size_t m = std::max<std::size_t>(1, family_size + untested);
  const std::size_t needed = samples_per_side_for(result.options.alpha / static_cast<double>(m));
  for (MetricComparison& c : result.comparisons) {
    if (!short_of_samples(c)) continue;
    c.note += fmt::format("; {} per side would allow a verdict", needed);
    result.summary.samples_needed_per_side = needed;
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
  result.drift = estimate_drift(result.comparisons, family, options);
  decide_statistical(result.comparisons, family, result.drift, options);
  add_samples_needed(result, family.size());

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
  for (const DriftEstimate& d : result.drift) {
    const double limit = std::log1p(threshold_for(options, d.metric));
    if (std::fabs(std::log(d.factor)) <= limit && d.spread <= limit) continue;
    result.warnings.push_back(fmt::format(
        "{} moved by x{:.3f} across all {} benchmarks (spread {:.1f}%): variation between the runs, or a change "
        "common to most benchmarks, which two reports cannot tell apart; each benchmark was judged against it "
        "(`ab` runs both builds interleaved in one run)",
        d.metric, d.factor, d.benchmarks, 100 * d.spread));
  }
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
