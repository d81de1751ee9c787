// The compare page's payload (html_report.hpp): every decision comes from compare_reports; this
// only orders the benchmarks (regressions first) and adds each side's ns/op samples to draw.
#include <algorithm>
#include <cmath>
#include <map>

#include <fmt/format.h>

#include "report/html_payload_json.hpp"
#include "report/html_report.hpp"

namespace offload::report {
namespace {

using html::Json;
using html::rounded;

Json side_json(const std::string& source, ReportKind kind, const ReportEnvironment& e, bool partial) {
  return {{"source", source}, {"environment", html::environment_rows(e, kind)}, {"partial", partial}};
}

Json samples_of(const LoadedReport& report, const std::string& key) {
  const BenchmarkSamples* b = report.find(key);
  if (b == nullptr) return Json::array();
  const auto it = b->metrics.find(std::string(kNsPerOp));
  return it == b->metrics.end() ? Json::array() : html::rounded_list(it->second);
}

Json metric_json(const MetricComparison& c) {
  return {{"metric", c.metric}, {"exact", c.exact}, {"base_n", c.base_n}, {"new_n", c.new_n},
          {"base_median", rounded(c.base_median)}, {"new_median", rounded(c.new_median)},
          {"ratio", rounded(c.ratio)}, {"ci", html::interval(c.ratio_ci.low, c.ratio_ci.high)},
          {"p_value", rounded(c.p_value)}, {"threshold", rounded(c.threshold)},
          {"verdict", to_string(c.verdict)}, {"note", c.note}};
}

}  // namespace

std::string html_compare_payload(const CompareResult& result, const LoadedReport& base,
                                 const LoadedReport& candidate) {
  // Benchmarks in the result's order, each with its comparisons; then sorted by their worst
  // verdict, and within one verdict by the ns/op ratio, largest (slowest) first.
  struct Entry {
    std::string key;
    std::vector<const MetricComparison*> metrics;
    CompareVerdict worst = CompareVerdict::kUnchanged;  // the verdict needing attention first
    double ns_ratio = NAN;
  };
  std::vector<Entry> entries;
  std::map<std::string, std::size_t> index;
  for (const MetricComparison& c : result.comparisons) {
    const auto [it, added] = index.try_emplace(c.benchmark, entries.size());
    if (added) entries.push_back({c.benchmark, {}, c.verdict, NAN});
    Entry& e = entries[it->second];
    e.metrics.push_back(&c);
    if (severity(c.verdict) < severity(e.worst)) e.worst = c.verdict;
    if (c.metric == kNsPerOp) e.ns_ratio = c.ratio;
  }
  std::stable_sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    if (a.worst != b.worst) return severity(a.worst) < severity(b.worst);
    const double ra = std::isfinite(a.ns_ratio) ? a.ns_ratio : 0, rb = std::isfinite(b.ns_ratio) ? b.ns_ratio : 0;
    return ra > rb;
  });

  Json benchmarks = Json::array();
  for (const Entry& e : entries) {
    Json metrics = Json::array();
    for (const MetricComparison* c : e.metrics) metrics.push_back(metric_json(*c));
    benchmarks.push_back({{"id", fmt::format("c{}", benchmarks.size())}, {"key", e.key},
                          {"verdict", to_string(e.worst)},
                          {"base_samples", samples_of(base, e.key)},
                          {"new_samples", samples_of(candidate, e.key)}, {"metrics", metrics}});
  }
  const CompareSummary& s = result.summary;
  const Json out = {
      {"kind", "compare"},
      {"base", side_json(result.base_source, result.base_kind, result.base_environment, base.partial)},
      {"new", side_json(result.new_source, result.new_kind, result.new_environment, candidate.partial)},
      {"summary", {{"paired", s.paired}, {"regressed", s.regressed}, {"improved", s.improved},
                   {"insufficient", s.insufficient}, {"unchanged", s.unchanged},
                   {"geomean_ns_ratio", rounded(s.geomean_ns_ratio)}}},
      {"options", {{"alpha", result.options.alpha}, {"threshold", result.options.threshold}}},
      {"warnings", result.warnings},
      {"only_in_base", result.only_in_base},
      {"only_in_new", result.only_in_new},
      {"benchmarks", benchmarks}};
  return out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace offload::report
