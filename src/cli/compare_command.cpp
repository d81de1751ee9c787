// `offload-bench compare`: read two reports, pair their benchmarks, print the verdicts, and
// turn them into an exit code a CI job can gate on.
#include <unistd.h>

#include <cstdlib>
#include <iostream>

#include "cli/baselines.hpp"
#include "cli/commands.hpp"
#include "cli/html_output.hpp"
#include "report/compare.hpp"
#include "report/compare_reporter.hpp"
#include "report/html_report.hpp"
#include "report/report_reader.hpp"

namespace offload::cli {
namespace {

// Parses METRIC=FRACTION; false on a malformed entry.
bool parse_metric_threshold(const std::string& text, std::map<std::string, double>& out) {
  const auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0) return false;
  try {
    std::size_t used = 0;
    const std::string number = text.substr(eq + 1);
    const double value = std::stod(number, &used);
    if (used != number.size() || value < 0 || value > 1) return false;
    out[text.substr(0, eq)] = value;
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

}  // namespace

int compare_command(const CompareOptions& options) {
  report::CompareOptions compare;
  compare.alpha = options.alpha;
  compare.threshold = options.threshold;
  compare.seed = options.seed;
  if (!options.metrics.empty()) compare.metrics = options.metrics;
  for (const std::string& t : options.metric_thresholds) {
    if (!parse_metric_threshold(t, compare.metric_thresholds)) {
      std::cerr << "offload-bench: --metric-threshold " << t << ": expected METRIC=FRACTION, e.g. cpu_ns_per_op=0.10\n";
      return kExitUsage;
    }
  }

  const std::string base_path =
      options.baseline.empty() ? options.reports[0] : baseline_path(options.baseline).string();
  const std::string new_path = options.reports.back();
  report::CompareResult result;
  report::LoadedReport base, candidate;
  try {
    if (!options.baseline.empty() && !is_baseline_name(options.baseline)) {
      std::cerr << "offload-bench: --baseline " << options.baseline << ": not a baseline name\n";
      return kExitUsage;
    }
    const std::size_t max_bytes = options.max_report_mib << 20;
    base = report::read_report_file(base_path, max_bytes);
    candidate = report::read_report_file(new_path, max_bytes);
    result = report::compare_reports(base, candidate, compare);
  } catch (const report::ReportError& e) {
    std::cerr << "offload-bench: " << e.what() << '\n';
    return kExitUsage;
  } catch (const std::invalid_argument& e) {
    std::cerr << "offload-bench: " << e.what() << '\n';
    return kExitUsage;
  }

  const bool colour = options.format == "table" && ::isatty(STDOUT_FILENO) && std::getenv("NO_COLOR") == nullptr;
  report::write_compare(result, options.format, std::cout, colour);
  std::cout.flush();
  if (!options.html.empty()) {
    if (const int code = write_html_report(options.html, "offload-bench compare: " + base_path + " → " + new_path,
                                           report::html_compare_payload(result, base, candidate));
        code != kExitOk)
      return code;
  }

  if (options.fail_on == "never") return kExitOk;
  const bool fail = options.fail_on == "any-change" ? report::has_change(result) : report::has_regression(result);
  return fail ? kExitCheckFailed : kExitOk;
}

}  // namespace offload::cli
