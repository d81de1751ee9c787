// The three renderings of a CompareResult (compare_reporter.hpp): table, markdown and JSON.
#include "report/compare_reporter.hpp"
#include "report/markdown_reporter.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace offload::report {
namespace {

using Json = nlohmann::ordered_json;

Json number(double v) { return std::isfinite(v) ? Json(v) : Json(nullptr); }

bool is_time_metric(std::string_view metric) { return metric == kNsPerOp || metric == kCpuNsPerOp; }

// Short labels, as the run table's column headers.
std::string metric_label(std::string_view metric) {
  if (metric == kNsPerOp) return "ns/op";
  if (metric == kCpuNsPerOp) return "cpu/op";
  if (metric == "heap_allocations_per_op") return "allocs/op";
  if (metric == "lock_acquisitions_per_op") return "locks/op";
  if (metric == "wakeups_per_op") return "wakeups/op";
  return std::string(metric);
}

// Both medians of a row in the unit that suits the smaller one, so they read side by side.
std::pair<std::string, std::string> format_values(const MetricComparison& c) {
  const auto plain = [](double v) { return std::isfinite(v) ? fmt::format("{:.2f}", v) : "-"; };
  if (!is_time_metric(c.metric)) return {plain(c.base_median), plain(c.new_median)};
  double smallest = INFINITY;
  for (double v : {c.base_median, c.new_median})
    if (std::isfinite(v) && v > 0) smallest = std::min(smallest, v);
  struct Unit {
    double divisor;
    const char* suffix;
  } unit{1, " ns"};
  for (const Unit u : {Unit{1e3, " µs"}, Unit{1e6, " ms"}, Unit{1e9, " s"}})
    if (std::isfinite(smallest) && smallest >= u.divisor) unit = u;
  const auto show = [&](double v) {
    return std::isfinite(v) ? fmt::format("{:.2f}{}", v / unit.divisor, unit.suffix) : "-";
  };
  return {show(c.base_median), show(c.new_median)};
}

std::string ratio_text(const MetricComparison& c) {
  if (!std::isfinite(c.ratio)) return "-";
  std::string text = fmt::format("{:.3f}", c.ratio);
  if (std::isfinite(c.ratio_ci.low) && std::isfinite(c.ratio_ci.high))
    text += fmt::format(" [{:.3f}, {:.3f}]", c.ratio_ci.low, c.ratio_ci.high);
  return text;
}

std::string p_text(const MetricComparison& c) {
  if (c.exact) return "exact";
  if (!std::isfinite(c.p_value)) return "-";
  return c.p_value < 0.001 ? "<0.001" : fmt::format("{:.3f}", c.p_value);
}

std::string source_line(std::string_view label, const std::string& source, ReportKind kind,
                        const ReportEnvironment& e) {
  std::string line = fmt::format("{} {} ({}", label, source, to_string(kind));
  if (!e.host.empty()) line += ", host " + e.host;
  if (!e.git_revision.empty()) line += ", " + e.git_revision;
  if (!e.date.empty()) line += ", " + e.date;
  return line + ")";
}

std::string options_line(const CompareResult& r) {
  std::size_t tested = 0;
  for (const auto& c : r.comparisons) tested += std::isfinite(c.p_value) ? 1 : 0;
  std::string line = fmt::format("alpha {} (Holm over {} tests), threshold {}%", r.options.alpha,
                                 tested, r.options.threshold * 100);
  for (const auto& [metric, t] : r.options.metric_thresholds)
    line += fmt::format(", {} {}%", metric_label(metric), t * 100);
  return line;
}

// "drift between the reports: ns/op x1.040 (spread 0.8%, 12 benchmarks), ...", or "" without one.
std::string drift_line(const CompareResult& r) {
  std::string line;
  for (const DriftEstimate& d : r.drift)
    line += fmt::format("{}{} x{:.3f} (spread {:.1f}%, {} benchmarks)", line.empty() ? "" : ", ",
                        metric_label(d.metric), d.factor, 100 * d.spread, d.benchmarks);
  return line.empty() ? line : "drift between the reports: " + line;
}

// Display width: UTF-8 continuation bytes take no column ("µ").
std::size_t display_width(std::string_view s) {
  return static_cast<std::size_t>(
      std::count_if(s.begin(), s.end(), [](char ch) { return (ch & 0xC0) != 0x80; }));
}

void write_table(const CompareResult& r, std::ostream& out, bool colour) {
  out << source_line("base", r.base_source, r.base_kind, r.base_environment) << '\n'
      << source_line("new ", r.new_source, r.new_kind, r.new_environment) << '\n'
      << options_line(r) << '\n';
  if (const std::string drift = drift_line(r); !drift.empty()) out << drift << '\n';
  out << '\n';
  using Row = std::array<std::string, 7>;
  std::vector<Row> rows = {{"benchmark", "metric", "base", "new", "ratio [CI]", "p", "verdict"}};
  for (const auto& c : r.comparisons) {
    auto [base, cand] = format_values(c);
    rows.push_back({c.benchmark, metric_label(c.metric), base, cand, ratio_text(c), p_text(c),
                    std::string(to_string(c.verdict))});
  }
  std::array<std::size_t, 7> widths{};
  for (const auto& row : rows)
    for (std::size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], display_width(row[i]));
  for (std::size_t k = 0; k < rows.size(); ++k) {
    const Row& row = rows[k];
    std::string line;
    for (std::size_t i = 0; i + 1 < row.size(); ++i) {
      const std::string pad(widths[i] - display_width(row[i]), ' ');
      line += (i < 2 ? row[i] + pad : pad + row[i]) + "  ";  // names left, numbers right
    }
    std::string verdict = row.back();
    if (k > 0) {
      const MetricComparison& c = r.comparisons[k - 1];
      const char* code = c.verdict == CompareVerdict::kRegressed  ? "\x1b[31m"
                         : c.verdict == CompareVerdict::kImproved ? "\x1b[32m"
                                                                  : nullptr;
      if (colour && code != nullptr) verdict = code + verdict + "\x1b[0m";
      if (!c.note.empty()) verdict += " (" + c.note + ")";
    }
    line += verdict;
    out << line << '\n';
  }
  out << '\n' << compare_summary_line(r) << '\n';
  for (const auto& w : r.warnings) out << "warning: " << w << '\n';
}

void write_markdown(const CompareResult& r, std::ostream& out) {
  out << "## offload-bench compare\n\n**" << markdown_cell(compare_summary_line(r)) << "**\n\n"
      << markdown_cell(source_line("Base:", r.base_source, r.base_kind, r.base_environment)) << "  \n"
      << markdown_cell(source_line("New:", r.new_source, r.new_kind, r.new_environment)) << "  \n"
      << markdown_cell(options_line(r));
  if (const std::string drift = drift_line(r); !drift.empty()) out << "  \n" << markdown_cell(drift);
  out << "\n\n";
  if (!r.comparisons.empty()) {
    out << "| benchmark | metric | base | new | ratio [CI] | p | verdict |\n"
        << "| --- | --- | ---: | ---: | ---: | ---: | --- |\n";
    std::vector<const MetricComparison*> rows;
    for (const auto& c : r.comparisons) rows.push_back(&c);
    std::stable_sort(rows.begin(), rows.end(), [](const MetricComparison* a, const MetricComparison* b) {
      return severity(a->verdict) < severity(b->verdict);
    });
    for (const MetricComparison* c : rows) {
      const auto [base, cand] = format_values(*c);
      out << "| " << markdown_cell(c->benchmark) << " | " << markdown_cell(metric_label(c->metric)) << " | "
          << base << " | " << cand << " | " << ratio_text(*c) << " | " << p_text(*c) << " | **"
          << to_string(c->verdict) << "**" << (c->note.empty() ? "" : " (" + markdown_cell(c->note) + ")")
          << " |\n";
    }
  }
  if (!r.warnings.empty()) {
    out << "\n### Warnings\n\n";
    for (const auto& w : r.warnings) out << "- " << markdown_cell(w) << '\n';
  }
}

Json environment_json(const std::string& source, ReportKind kind, const ReportEnvironment& e) {
  return {{"source", source},         {"kind", to_string(kind)},
          {"host", e.host},           {"cpu_model", e.cpu_model},
          {"num_cpus", e.num_cpus},   {"compiler", e.compiler},
          {"build_type", e.build_type}, {"harness_version", e.harness_version},
          {"git_revision", e.git_revision}, {"executable", e.executable},
          {"date", e.date}};
}

void write_json(const CompareResult& r, std::ostream& out) {
  Json thresholds = Json::object();
  for (const auto& [metric, t] : r.options.metric_thresholds) thresholds[metric] = number(t);
  const CompareOptions& o = r.options;
  Json comparisons = Json::array();
  for (const auto& c : r.comparisons)
    comparisons.push_back({{"benchmark", c.benchmark}, {"metric", c.metric}, {"exact", c.exact},
                           {"base_n", c.base_n}, {"new_n", c.new_n},
                           {"base_median", number(c.base_median)},
                           {"new_median", number(c.new_median)}, {"ratio", number(c.ratio)},
                           {"ratio_ci", {number(c.ratio_ci.low), number(c.ratio_ci.high)}},
                           {"p_value", number(c.p_value)}, {"alpha", number(c.alpha)},
                           {"min_p_value", number(c.min_p_value)}, {"significant", c.significant},
                           {"threshold", number(c.threshold)}, {"drift", number(c.drift)},
                           {"verdict", to_string(c.verdict)},
                           {"note", c.note}});
  Json drift = Json::array();
  for (const DriftEstimate& d : r.drift)
    drift.push_back({{"metric", d.metric}, {"factor", number(d.factor)}, {"spread", number(d.spread)},
                     {"benchmarks", d.benchmarks}});
  const CompareSummary& s = r.summary;
  const Json doc = {
      {"base", environment_json(r.base_source, r.base_kind, r.base_environment)},
      {"new", environment_json(r.new_source, r.new_kind, r.new_environment)},
      {"options", {{"alpha", number(o.alpha)}, {"threshold", number(o.threshold)},
                   {"metric_thresholds", thresholds}, {"metrics", o.metrics}, {"seed", o.seed},
                   {"correct_drift", o.correct_drift}}},
      {"comparisons", comparisons},
      {"drift", drift},
      {"only_in_base", r.only_in_base},
      {"only_in_new", r.only_in_new},
      {"summary", {{"paired", s.paired}, {"improved", s.improved}, {"regressed", s.regressed},
                   {"unchanged", s.unchanged}, {"insufficient", s.insufficient},
                   {"geomean_ns_ratio", number(s.geomean_ns_ratio)},
                   {"geomean_count", s.geomean_count},
                   {"samples_needed_per_side", s.samples_needed_per_side}}},
      {"warnings", r.warnings}};
  out << doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
}

}  // namespace

std::string compare_summary_line(const CompareResult& result) {
  const CompareSummary& s = result.summary;
  std::string line = fmt::format("{} improved, {} regressed, {} unchanged, {} insufficient; ",
                                 s.improved, s.regressed, s.unchanged, s.insufficient);
  line += std::isfinite(s.geomean_ns_ratio) ? fmt::format("geometric mean of ns/op ratios {:.2f}", s.geomean_ns_ratio)
                                            : "no paired ns/op ratios";
  if (s.samples_needed_per_side > 0)
    line += fmt::format("; a verdict needs {} samples per side", s.samples_needed_per_side);
  return line;
}

void write_compare(const CompareResult& result, std::string_view format, std::ostream& out,
                   bool colour) {
  if (format == "table") return write_table(result, out, colour);
  if (format == "markdown") return write_markdown(result, out);
  if (format == "json") return write_json(result, out);
  throw std::invalid_argument("unknown compare format '" + std::string(format) +
                              "' (choose table, markdown or json)");
}

}  // namespace offload::report
