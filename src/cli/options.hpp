// Plain option structs, one per subcommand, filled by the CLI11 parser (cli/parser.hpp).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "report/report_reader.hpp"
#include "scenario/input_limits.hpp"

namespace offload::cli {

struct RunOptions {
  std::vector<std::string> paths;  // scenario files or directories; empty: the built-in suite
  std::string filter;              // ECMAScript regex over "<scenario>/<param=value>..."
  bool quick = false;              // smoke run: the scenarios' [quick] sizes, short samples, few rounds
  std::optional<std::int64_t> repetitions;  // fixed rounds (turns adaptive sampling off)
  // Adaptive sampling: rounds until each ns/op ratio's CI is within +-precision (0: fixed rounds,
  // the scenario's measure.repetitions), or a point has run max_time_s.
  double precision = 0.03;
  double max_time_s = 3;
  double time_budget_s = 0;        // the whole run's, shared by the points left (0: none)
  std::optional<double> driver_timeout_s;  // per driver request (default 120 s)
  std::uint64_t seed = 1;
  std::string out;                 // report path; "" = results/<suite>-<UTC timestamp>.json
  bool no_out = false;             // do not write a report file
  std::string format = "table";    // what stdout shows
  bool quiet = false;              // no progress line
  double alpha = 0.05;
  double threshold = 0.02;
  std::vector<std::string> set;    // KEY=VALUE parameter overrides, applied to every scenario
  std::string save_baseline;       // also keep the report as results/baselines/<name>.json
  bool force = false;              // --save-baseline may replace an existing baseline
  std::int64_t max_ops = scenario::kDefaultMaxOps;  // a point with more workload.ops is refused
  bool check = false;              // exit 1 when an [[expect]] fails with statistical support
  // One extra traced sample per strategy, apart from the timed ones (tracing costs clock reads),
  // timing each phase of an offload. Off by default: it lengthens the run.
  bool breakdown = false;
  std::string backend;  // native | cpython | libuv | asio: sets runtime.backend in every scenario ("" keeps theirs)
  std::string python;   // the cpython backend's interpreter ("" : python3 on PATH)
  std::string html;     // also write the report as one self-contained HTML page here ("" : none)
};

struct CompareOptions {
  std::vector<std::string> reports;  // BASE NEW, or just NEW with --baseline
  std::string baseline;              // a name saved with run --save-baseline
  double alpha = 0.05;               // family-wise, Holm-corrected over every comparison
  double threshold = 0.05;           // smallest change called a regression or improvement
  std::vector<std::string> metric_thresholds;  // METRIC=FRACTION overrides
  std::vector<std::string> metrics;  // default: ns_per_op and cpu_ns_per_op
  std::string format = "table";
  std::string fail_on = "regression";  // regression | any-change | never
  std::size_t max_report_mib = report::kDefaultMaxReportBytes >> 20;  // a larger report is refused
  std::uint64_t seed = 1;
  std::string html;  // also write the comparison as one self-contained HTML page here ("" : none)
};

struct ReportOptions {
  std::vector<std::string> reports;  // JSON reports: ours or Google Benchmark's
  std::string html;                  // the page to write
};

// `ab`: the run's options (scenarios, precision, output, ...) plus the two builds.
struct AbOptions {
  RunOptions run;
  std::string base;  // an offload-bench binary, or a directory holding one (a build tree)
  std::string candidate;  // --new
  std::string fail_on = "regression";  // regression | any-change | never
};

struct ServeOptions {};

struct ListOptions {
  std::string what = "all";  // all | scenarios | strategies | jobs
};

struct ValidateOptions {
  std::vector<std::string> files;
};

}  // namespace offload::cli
