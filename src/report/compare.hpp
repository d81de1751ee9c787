// `offload-bench compare BASE NEW`: pairs the benchmarks of two reports by key and, per metric,
// decides improved / regressed / unchanged — or insufficient, when the samples cannot support a
// decision — with the same statistics as a run (ratio of medians, bootstrap CI, Mann-Whitney U,
// Holm correction over every comparison in the result). Pure: the reports in, a CompareResult out.
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
  CompareVerdict verdict = CompareVerdict::kUnchanged;
  std::string note;  // why insufficient, e.g. "3 vs 3 samples: p >= 0.1 > alpha 0.025"
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
