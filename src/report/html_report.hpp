// The HTML report: one self-contained page of plots for a run's report(s) or for a comparison.
// The page carries its data as a JSON payload (built here from the reports, golden-tested) and
// draws it with Chart.js, embedded into the binary at build time from Debian's libjs-chart.js
// (docs/html_report.md), so the page makes no network request and the binary reads no file.
#pragma once

#include <string>
#include <vector>

#include "report/compare.hpp"
#include "report/report_reader.hpp"

namespace offload::report {

// One report as read from disk: its path (shown on the page) and its text.
struct ReportText {
  std::string source;
  std::string json;
};

// The data of a run page, as JSON text: per report its environment, warnings, one entry per
// scenario point (per strategy: ns/op samples, median and CI, conformance, phase breakdown; the
// comparisons against the baseline with CI and verdict; the expectations) and one per sweep.
// Accepts: our reports (native or cpython, with or without breakdown, complete or partial) and
//   Google Benchmark JSON, which has only samples (one point per benchmark family).
// Throws: ReportError as read_report_string, one line naming the source.
// Note: deterministic; numbers rounded to 5 significant digits (what a plot or tooltip shows).
std::string html_run_payload(const std::vector<ReportText>& reports);

// The data of a compare page, as JSON text: both environments, the summary, warnings and, per
// paired benchmark, the base and new ns/op samples and every metric's ratio, CI and verdict;
// benchmarks with a regression first, then improved, insufficient, unchanged.
std::string html_compare_payload(const CompareResult& result, const LoadedReport& base,
                                 const LoadedReport& candidate);

// The whole page around a payload of html_run_payload or html_compare_payload.
// Note: every '<' in the payload is written as \u003c, so no string in it can close its <script>.
std::string html_page(const std::string& title, const std::string& payload_json);

}  // namespace offload::report
