// Renders a CompareResult (compare.hpp) as a terminal table, GitHub markdown (a PR comment or job
// summary) or JSON. Like the run reporters, these only render: every number and verdict is decided
// by compare_reports.
//
// JSON layout (nlohmann, keys in this order; NaN and infinity written as null):
//   base, new    {source, kind, host, cpu_model, num_cpus, compiler, build_type, harness_version,
//                 git_revision, executable, date}
//   options      {alpha, threshold, metric_thresholds, metrics, seed, correct_drift}
//   comparisons  every MetricComparison field; ratio_ci as [low, high]; verdict as its string
//   drift        [{metric, factor, spread, benchmarks}], one per metric with a drift estimate
//   only_in_base, only_in_new   benchmark keys
//   summary      {paired, improved, regressed, unchanged, insufficient, geomean_ns_ratio,
//                 geomean_count, samples_needed_per_side}
//   warnings     strings
#pragma once

#include <array>
#include <ostream>
#include <string>
#include <string_view>

#include "report/compare.hpp"

namespace offload::report {

// The formats write_compare accepts, for CLI validation and help text.
inline constexpr std::array<std::string_view, 3> kCompareFormats = {"table", "markdown", "json"};

// "3 improved, 1 regressed, 10 unchanged, 0 insufficient; geometric mean of ns/op ratios 0.97"
// (or "...; no paired ns/op ratios"), then "; a verdict needs 8 samples per side" when a
// comparison is insufficient for its sample counts.
std::string compare_summary_line(const CompareResult& result);

// Writes `result` in `format`. `colour`: ANSI colour for verdicts in the table (the caller decides
// from isatty and NO_COLOR); ignored by markdown and JSON.
// Requires: format is one of kCompareFormats, otherwise std::invalid_argument naming the choices.
// Note: deterministic; does not flush or check `out`.
void write_compare(const CompareResult& result, std::string_view format, std::ostream& out,
                   bool colour = false);

}  // namespace offload::report
