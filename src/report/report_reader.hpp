// Reads a benchmark report back for `offload-bench compare`: our JSON report (json_reporter.hpp) or
// plain Google Benchmark JSON, reduced to what a comparison needs — per benchmark, the samples of
// each metric (and ours' phase breakdown) — plus the environment fields that make two reports
// comparable or not.
#pragma once

#include <array>
#include <cstddef>
#include <filesystem>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "report/result.hpp"

namespace offload::report {

// Metric names of BenchmarkSamples::metrics.
inline constexpr std::string_view kNsPerOp = "ns_per_op";          // real_time, per sample
inline constexpr std::string_view kCpuNsPerOp = "cpu_ns_per_op";   // cpu_time, per sample
// Single-valued: from the counting pass of our reports (CountsPerOp); compared exactly.
inline constexpr std::array<std::string_view, 3> kCountMetrics = {
    "heap_allocations_per_op", "lock_acquisitions_per_op",
    "wakeups_per_op"};  // loop + worker wake-up signals, as the table's wakeups/op

// True for the names in kCountMetrics.
bool is_count_metric(std::string_view metric);

// A report that cannot be read. what() is one line that starts with the file, e.g.
// "base.json: not valid JSON at byte 812: syntax error while parsing object - unexpected end of input".
class ReportError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class ReportKind { kOffloadBench, kGoogleBenchmark };

// "offload-bench" or "Google Benchmark".
std::string_view to_string(ReportKind kind);

// Where the numbers were produced; "" or 0 when the report does not say.
struct ReportEnvironment {
  std::string host;             // context.host_name
  std::string cpu_model;        // ours only
  int num_cpus = 0;
  std::string compiler;         // ours only
  std::string build_type;       // ours: build_type ("Release"); GB: library_build_type ("release")
  std::string harness_version;  // ours only
  std::string git_revision;     // ours only
  std::string executable;
  std::string date;
};

// One benchmark: a scenario point x strategy (ours) or a GB run.
struct BenchmarkSamples {
  // "<scenario>/<param=value>.../<strategy>": the run_name of the report's `benchmarks` entries,
  // so our reports and GB reports of the same runs pair by the same key.
  std::string key;
  // Metric name -> values, in the report's order. kNsPerOp and kCpuNsPerOp are always present (one
  // value per timed sample; may be empty for a strategy of a partial run that got no sample); the
  // kCountMetrics hold one value each, and only when the report has counts.
  std::map<std::string, std::vector<double>> metrics;
  // Ours, when the run had --breakdown: the strategy's phases in the report's order (a null
  // number is NaN); empty when the report has none.
  std::vector<PhaseSummary> breakdown;
};

struct LoadedReport {
  std::string source;  // the path read, or the name given to read_report_string
  ReportKind kind = ReportKind::kOffloadBench;
  ReportEnvironment environment;
  bool partial = false;  // ours: context.partial (the run was interrupted)
  std::vector<BenchmarkSamples> benchmarks;  // in the order they first appear in the report

  // Note: nullptr when no benchmark has this key.
  const BenchmarkSamples* find(std::string_view key) const;
};

// A report is read whole and parsed into a tree several times its size: 64 MiB of JSON, already
// far more than any suite writes (the default suite's report is ~1 MiB), stays well inside a
// small CI machine's memory. `compare --max-report-mib` raises it.
inline constexpr std::size_t kDefaultMaxReportBytes = std::size_t{64} << 20;
// Both formats nest 6 levels at most; the limit keeps recursive walks of the tree shallow.
inline constexpr std::size_t kMaxReportDepth = 64;

// Reads a report file.
// Accepts: our report (context.schema_version == 1) and Google Benchmark JSON (a context without
//   schema_version and a benchmarks array). GB "iteration" entries grouped by run_name are the
//   samples (real_time/cpu_time converted from time_unit to ns); "aggregate" entries are ignored,
//   unless a benchmark has nothing else: then its median (or else mean) aggregate is 1 sample.
//   Entries with error_occurred and non-finite (null) times are skipped.
// Throws: ReportError, one line naming the file: "<path>: cannot open: <strerror>", "<path>: empty
//   file", "<path>: not valid JSON at byte N: <detail>", "<path>: unknown schema version 7 (this
//   build reads 1)", "<path>: not an offload-bench or Google Benchmark report (no benchmarks array)",
//   "<path>: malformed report: <detail>", "<path>: larger than the limit of 67108864 bytes
//   (--max-report-mib raises it)", "<path>: nested deeper than 64 levels at byte N", where a malformed breakdown names the field, e.g.
//   "<path>: malformed report: scenarios[0].strategies[1].breakdown[2].p50_ns: expected a number
//   or null, got string". A missing breakdown is no error.
LoadedReport read_report_file(const std::filesystem::path& path,
                              std::size_t max_bytes = kDefaultMaxReportBytes);

// As read_report_file on the text of a report; `source` names it in errors and in the result.
LoadedReport read_report_string(std::string_view json, std::string source,
                                std::size_t max_bytes = kDefaultMaxReportBytes);

}  // namespace offload::report
