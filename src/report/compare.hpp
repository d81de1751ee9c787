// `offload-bench compare BASE NEW`: pairs the benchmarks of two reports by key and, per metric,
// decides improved / regressed / unchanged — or insufficient, when the samples cannot support a
// decision — with the same statistics as a run (ratio of medians, bootstrap CI, Mann-Whitney U,
// Holm correction over every comparison in the result), judged against the drift between the two
// runs (docs/ci.md, "Drift between two reports"). Pure: the reports in, a CompareResult out.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "measure/statistics.hpp"
#include "report/report_reader.hpp"

namespace offload::report {

struct CompareOptions {
  // Family-wise error rate over ALL statistical comparisons of the result (Holm step-down).
  double alpha = 0.05;
  // Smallest relative change worth reporting (0.05 = 5%), as measure::decide. 5%, not the run's
  // 2%: two reports come from separate runs, often hours apart, so drift the interleaving of a
  // single run cancels (frequency, background load, page placement) lands entirely on the ratio.
  double threshold = 0.05;
  // Per-metric override of `threshold`, e.g. {"cpu_ns_per_op", 0.1}.
  std::map<std::string, double> metric_thresholds;
  // The metrics compared, in this order for each benchmark; a metric missing on either side of a
  // pair is skipped. kCountMetrics are compared only when listed here.
  std::vector<std::string> metrics = {"ns_per_op", "cpu_ns_per_op"};
  // Seed of the bootstrap, so the same two reports always give the same output.
  std::uint64_t seed = 1;
  // Judge each benchmark against the drift between the two runs (DriftEstimate) when at least
  // kMinDriftBenchmarks benchmarks give a ratio of the metric. Off: each ratio against 1 only.
  bool correct_drift = true;
};

// Fewer benchmarks than this give no drift estimate: the median of 2-4 ratios moves with a single
// real change (with 5, two of them must change before the median does).
inline constexpr std::size_t kMinDriftBenchmarks = 5;

// How one metric moved across ALL paired benchmarks between the two runs. Separate runs differ by
// a few percent (CPU frequency, background load, page placement) that no statistic within either
// report can see; most benchmarks of a change are untouched by it, so the median of their ratios
// is the machine's drift, and their scatter around it the variation between the runs that a
// benchmark's own samples cannot show. A benchmark is called changed only when it stands out from
// the base (ratio vs 1), from the drift (ratio vs factor, each by the threshold), and from the
// scatter (|log(ratio / factor)| / spread as a normal deviate, at its Holm level).
// Note: a change that moves every benchmark alike cannot be told apart from drift, and one that
//   moves most of them widens the spread: the warnings say so whenever the factor exceeds the
//   threshold. `ab` (one interleaved run) has neither limit.
struct DriftEstimate {
  std::string metric;
  double factor = 1;            // exp(median of the benchmarks' log(new_median / base_median))
  double spread = 0;            // 1.4826 MAD of those log-ratios: the benchmarks' scatter around it
  std::size_t benchmarks = 0;   // ratios it is estimated from
};

enum class CompareVerdict { kImproved, kRegressed, kUnchanged, kInsufficient };

// "improved", "regressed", "unchanged", "insufficient".
std::string_view to_string(CompareVerdict verdict);

// The order in which verdicts need a reader's attention, for listing regressions first:
// regressed 0, improved 1, insufficient 2, unchanged 3.
int severity(CompareVerdict verdict);

// NEW vs BASE on one metric of one benchmark (lower is better). Doubles are NaN when not applicable.
struct MetricComparison {
  std::string benchmark;  // BenchmarkSamples::key
  std::string metric;
  // A single-valued count metric: compared exactly (no statistics; ratio_ci, p_value, alpha and
  // min_p_value are NaN). Regressed when new > base (1 + threshold), improved when
  // new < base (1 - threshold).
  bool exact = false;
  std::size_t base_n = 0;  // samples
  std::size_t new_n = 0;
  double base_median = 0;
  double new_median = 0;
  double ratio = 0;              // new_median / base_median; +inf when only base is 0
  measure::Interval ratio_ci{};  // bootstrap CI of the ratio at confidence 1 - alpha
  double p_value = 0;            // Mann-Whitney U, two-sided
  double alpha = 0;              // Holm-corrected level for this comparison's rank
  double min_p_value = 0;        // the smallest p-value base_n vs new_n samples can give
  bool significant = false;      // rejected by the Holm step-down
  double threshold = 0;
  // The metric's drift factor this comparison was also judged against (DriftEstimate); 1: none.
  double drift = 1;
  CompareVerdict verdict = CompareVerdict::kUnchanged;
  // Why insufficient, with the samples per side that would allow a verdict ("3 vs 3 samples: p >=
  // 0.1 > alpha 0.025; 6 per side would allow a verdict"), or how drift bears on the verdict.
  std::string note;
};

struct CompareSummary {
  std::size_t paired = 0;  // benchmarks present in both reports
  std::size_t improved = 0;
  std::size_t regressed = 0;
  std::size_t unchanged = 0;
  std::size_t insufficient = 0;
  // Geometric mean of new/base ns_per_op medians over the paired benchmarks with samples on both
  // sides (whatever `metrics` holds); NaN when there are none.
  double geomean_ns_ratio = 0;
  std::size_t geomean_count = 0;  // ratios in the geometric mean
  // When a comparison is insufficient for its sample counts: the samples per side (n vs n) whose
  // most extreme split passes Holm's strictest level alpha / m, m the statistical comparisons of
  // the result, so a verdict becomes possible; 0 when none is.
  std::size_t samples_needed_per_side = 0;
};

struct CompareResult {
  CompareOptions options;
  std::string base_source;
  std::string new_source;
  ReportKind base_kind = ReportKind::kOffloadBench;
  ReportKind new_kind = ReportKind::kOffloadBench;
  ReportEnvironment base_environment;
  ReportEnvironment new_environment;
  std::vector<MetricComparison> comparisons;  // base report order, then options.metrics order
  std::vector<DriftEstimate> drift;           // per metric with enough benchmarks, options.metrics order
  std::vector<std::string> only_in_base;      // keys with no partner, in report order
  std::vector<std::string> only_in_new;
  CompareSummary summary;
  // Different machines or builds, partial reports, unpaired benchmarks, mixed formats.
  std::vector<std::string> warnings;
};

// Requires: 0 < alpha < 1, threshold and every metric_thresholds value >= 0, otherwise
//   std::invalid_argument.
// Note: deterministic for given reports and options.
CompareResult compare_reports(const LoadedReport& base, const LoadedReport& candidate,
                              const CompareOptions& options);

// Any comparison regressed (for --fail-on regression).
bool has_regression(const CompareResult& result);

// Any comparison improved or regressed (for --fail-on any-change).
bool has_change(const CompareResult& result);

}  // namespace offload::report
