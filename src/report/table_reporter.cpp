// Plain-text report: shared cell building (also used by markdown_reporter) and fixed-width layout,
// with the --breakdown section (phase_breakdown.hpp) under a point's table.
#include "report/table_reporter.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <iterator>
#include <optional>

#include <fmt/format.h>

#include "report/phase_breakdown.hpp"

namespace offload::report {
namespace {

constexpr std::string_view kPrimaryMetric = "ns_per_op";
constexpr std::string_view kCpuMetric = "cpu_ns_per_op";
constexpr std::string_view kOpsMetric = "ops_per_s";

const Metric* find_metric(const StrategyResult& s, std::string_view name) {
  for (const auto& m : s.metrics)
    if (m.name == name) return &m;
  return nullptr;
}

std::optional<double> metric_median(const StrategyResult& s, std::string_view name) {
  const Metric* m = find_metric(s, name);
  if (m == nullptr || !std::isfinite(m->summary.median)) return std::nullopt;
  return m->summary.median;
}

struct Unit {
  double divisor;
  std::string_view suffix;
};

// The largest unit in which the column's smallest positive value is still >= 1, so every cell of
// the column reads in one unit. `units` is ordered from smallest to largest.
template <std::size_t N>
Unit pick_unit(const std::vector<std::optional<double>>& values, const Unit (&units)[N]) {
  double smallest = INFINITY;
  for (const auto& v : values)
    if (v && *v > 0) smallest = std::min(smallest, *v);
  Unit chosen = units[0];
  for (const Unit& u : units)
    if (std::isfinite(smallest) && smallest >= u.divisor) chosen = u;
  return chosen;
}

constexpr Unit kTimeUnits[] = {{1, " ns"}, {1e3, " µs"}, {1e6, " ms"}, {1e9, " s"}};
constexpr Unit kRateUnits[] = {{1, ""}, {1e3, "k"}, {1e6, "M"}, {1e9, "G"}};
constexpr Unit kCountUnits[] = {{1, ""}};

Column scaled_column(std::string header, const std::vector<std::optional<double>>& values,
                     Unit unit, std::string_view format) {
  Column c{std::move(header), true, {}};
  for (const auto& v : values)
    c.cells.push_back({v ? fmt::format(fmt::runtime(format), *v / unit.divisor, unit.suffix)
                         : std::string("-")});
  return c;
}

// `values` with the non-finite ones dropped, in one unit picked from `units`, two decimals.
template <std::size_t N>
Column unit_column(std::string header, std::vector<std::optional<double>> values,
                   const Unit (&units)[N]) {
  for (auto& v : values)
    if (v && !std::isfinite(*v)) v.reset();
  return scaled_column(std::move(header), values, pick_unit(values, units), "{:.2f}{}");
}

template <std::size_t N>
Column number_column(std::string header, const ScenarioResult& r, const Unit (&units)[N],
                     const std::function<std::optional<double>(const StrategyResult&)>& get) {
  std::vector<std::optional<double>> values;
  for (const auto& s : r.strategies) values.push_back(get(s));
  return unit_column(std::move(header), std::move(values), units);
}

std::string short_key(std::string_view key) {
  const auto dot = key.rfind('.');
  return std::string(dot == std::string_view::npos ? key : key.substr(dot + 1));
}

Cell conformance_cell(const StrategyResult& s) {
  if (s.conformance.empty()) return {"n/a"};  // No probe applies on this backend (a peer has no ContextVars).
  std::string broken, leaks;
  for (const auto& c : s.conformance) {
    if (c.passed) continue;
    if (c.claimed) {
      broken += fmt::format("{}{}{}", broken.empty() ? "" : "; ", c.guarantee,
                            c.detail.empty() ? "" : " (" + c.detail + ")");
    } else {
      leaks += fmt::format("{}{}", leaks.empty() ? "" : ", ", c.guarantee);
    }
  }
  if (broken.empty() && leaks.empty()) return {"ok"};
  std::string text;
  if (!broken.empty()) text = "BROKEN: " + broken;
  if (!leaks.empty()) text += (text.empty() ? "" : "; ") + ("leaks: " + leaks);
  if (broken.empty()) return {text};
  return {text, Tone::kBad, std::string_view("BROKEN").size()};
}

// The comparison the table shows for a candidate: the one on ns/op, else its first.
const Comparison* shown_comparison(const ScenarioResult& r, std::string_view candidate) {
  const Comparison* first = nullptr;
  for (const auto& c : r.comparisons) {
    if (c.candidate != candidate) continue;
    if (c.metric == kPrimaryMetric) return &c;
    if (first == nullptr) first = &c;
  }
  return first;
}

}  // namespace

Column duration_column(std::string header, const std::vector<std::optional<double>>& values_ns) {
  return unit_column(std::move(header), values_ns, kTimeUnits);
}

std::string_view outcome_label(ExpectationResult::Outcome outcome) {
  switch (outcome) {
    case ExpectationResult::Outcome::kPassed: return "PASS";
    case ExpectationResult::Outcome::kFailed: return "FAIL";
    case ExpectationResult::Outcome::kInconclusive: return "INCONCLUSIVE";
  }
  return "INCONCLUSIVE";
}

std::string point_label(const ScenarioResult& result, std::string_view separator) {
  std::string out;
  for (const auto& [key, value] : result.parameters)
    out += fmt::format("{}{}={}", out.empty() ? "" : separator, short_key(key), value);
  return out;
}

std::string describe_comparison(const Comparison& c, bool lower_is_better, std::size_t* emphasis) {
  std::string head, tail;
  if (c.verdict == measure::Verdict::kNoDifference) {
    head = "no significant difference";
    tail = fmt::format(": ratio {:.2f} [{:.2f}, {:.2f}]", c.ratio, c.ratio_ci.low, c.ratio_ci.high);
  } else {
    // The speed-up factor: how many times faster (or slower) the candidate is than the baseline.
    const bool faster = c.verdict == measure::Verdict::kFaster;
    const bool invert = lower_is_better == faster;  // faster on ns/op, slower on ops/s: 1/ratio
    const double factor = invert ? 1 / c.ratio : c.ratio;
    const double low = invert ? 1 / c.ratio_ci.high : c.ratio_ci.low;
    const double high = invert ? 1 / c.ratio_ci.low : c.ratio_ci.high;
    head = fmt::format("{:.2f}x {}", factor, faster ? "faster" : "slower");
    tail = fmt::format(" [{:.2f}, {:.2f}]", low, high);
  }
  tail += c.p_value < 0.001 ? std::string(" p<0.001") : fmt::format(" p={:.3f}", c.p_value);
  if (emphasis != nullptr) *emphasis = head.size();
  return head + tail;
}

ScenarioTable build_scenario_table(const ScenarioResult& r) {
  ScenarioTable t;
  t.name = r.scenario.name;
  t.point = point_label(r, " ");
  t.reference = r.scenario.reference;
  t.warnings = r.warnings;
  const std::string& baseline = r.scenario.compare.baseline;

  Column names{"strategy", false, {}};
  for (const auto& s : r.strategies)
    names.cells.push_back({s.strategy == baseline ? s.strategy + " (baseline)" : s.strategy});
  t.columns.push_back(std::move(names));
  if (std::any_of(r.strategies.begin(), r.strategies.end(),
                  [&](const StrategyResult& s) { return s.backend != r.strategies.front().backend; })) {
    Column backends{"backend", false, {}};
    for (const auto& s : r.strategies) backends.cells.push_back({s.backend});
    t.columns.push_back(std::move(backends));
  }

  t.columns.push_back(number_column("time/op", r, kTimeUnits, [](const StrategyResult& s) {
    return metric_median(s, kPrimaryMetric);
  }));
  Column ci{"±95%", true, {}};
  for (const auto& s : r.strategies) {
    const Metric* m = find_metric(s, kPrimaryMetric);
    double half = NAN;
    if (m != nullptr && m->summary.median > 0) {
      const auto& sm = m->summary;
      half = std::max(sm.median - sm.ci.low, sm.ci.high - sm.median) / sm.median * 100;
    }
    ci.cells.push_back({std::isfinite(half) ? fmt::format("±{:.1f}%", half) : std::string("-")});
  }
  t.columns.push_back(std::move(ci));
  t.columns.push_back(number_column("ops/s", r, kRateUnits, [](const StrategyResult& s) {
    if (auto ops = metric_median(s, kOpsMetric)) return ops;
    auto ns = metric_median(s, kPrimaryMetric);
    return ns && *ns > 0 ? std::optional<double>(1e9 / *ns) : std::nullopt;
  }));

  const auto any = [&](auto pred) { return std::any_of(r.strategies.begin(), r.strategies.end(), pred); };
  if (any([](const StrategyResult& s) { return s.latency.has_value(); })) {
    t.columns.push_back(number_column("p50", r, kTimeUnits, [](const StrategyResult& s) {
      return s.latency ? std::optional<double>(s.latency->p50) : std::nullopt;
    }));
    t.columns.push_back(number_column("p99", r, kTimeUnits, [](const StrategyResult& s) {
      return s.latency ? std::optional<double>(s.latency->p99) : std::nullopt;
    }));
  }
  t.columns.push_back(number_column("cpu/op", r, kTimeUnits, [](const StrategyResult& s) {
    return metric_median(s, kCpuMetric);
  }));
  if (any([](const StrategyResult& s) { return find_metric(s, "gc_ns_per_op") != nullptr; })) {
    t.columns.push_back(number_column("gc/op", r, kTimeUnits, [](const StrategyResult& s) {
      return metric_median(s, "gc_ns_per_op");
    }));
  }
  if (any([](const StrategyResult& s) { return s.counts.has_value(); })) {
    using Field = double CountsPerOp::*;
    const auto count = [&](std::string header, std::vector<Field> fields) {
      t.columns.push_back(number_column(std::move(header), r, kCountUnits,
                                        [&](const StrategyResult& s) -> std::optional<double> {
                                          if (!s.counts) return std::nullopt;
                                          double sum = 0;
                                          for (Field f : fields) sum += (*s.counts).*f;
                                          return sum;
                                        }));
    };
    count("locks/op", {&CountsPerOp::lock_acquisitions});
    count("allocs/op", {&CountsPerOp::heap_allocations});
    count("wakeups/op", {&CountsPerOp::loop_wakeup_signals, &CountsPerOp::worker_wakeup_signals});
  }

  Column versus{"vs baseline", false, {}};
  for (const auto& s : r.strategies) {
    const Comparison* shown = shown_comparison(r, s.strategy);
    if (shown == nullptr) {
      versus.cells.push_back({"-"});
      continue;
    }
    const Metric* m = find_metric(s, shown->metric);
    Cell cell;
    cell.text = describe_comparison(*shown, m == nullptr || m->lower_is_better, &cell.emphasis);
    if (shown->metric != kPrimaryMetric) cell.text = shown->metric + ": " + cell.text;
    cell.tone = shown->verdict == measure::Verdict::kFaster   ? Tone::kGood
                : shown->verdict == measure::Verdict::kSlower ? Tone::kBad
                                                               : Tone::kPlain;
    if (shown->metric != kPrimaryMetric) cell.emphasis = 0;
    versus.cells.push_back(std::move(cell));
  }
  t.columns.push_back(std::move(versus));

  Column conformance{"conformance", false, {}};
  for (const auto& s : r.strategies) conformance.cells.push_back(conformance_cell(s));
  t.columns.push_back(std::move(conformance));

  for (const auto& e : r.expectations) {
    const std::string_view label = outcome_label(e.outcome);
    t.expectations.push_back(
        {fmt::format("{} {}{}", label, e.description, e.detail.empty() ? "" : " — " + e.detail),
         e.outcome == ExpectationResult::Outcome::kPassed   ? Tone::kGood
         : e.outcome == ExpectationResult::Outcome::kFailed ? Tone::kBad
                                                            : Tone::kPlain,
         label.size()});
  }

  // Comparisons on secondary metrics (the table shows one per candidate), then the detail of each
  // unclaimed guarantee a strategy gives up: its documented price, shown rather than hidden.
  for (const auto& c : r.comparisons) {
    if (&c == shown_comparison(r, c.candidate)) continue;
    bool lower = true;
    for (const auto& s : r.strategies)
      if (const Metric* m = s.strategy == c.candidate ? find_metric(s, c.metric) : nullptr)
        lower = m->lower_is_better;
    t.notes.push_back(fmt::format("{} vs {} on {}: {}", c.candidate, c.baseline, c.metric,
                                  describe_comparison(c, lower)));
  }
  for (const auto& s : r.strategies)
    for (const auto& c : s.conformance)
      if (!c.passed && !c.claimed)
        t.notes.push_back(fmt::format("{} does not keep {} (unclaimed, by design){}", s.strategy,
                                      c.guarantee, c.detail.empty() ? "" : ": " + c.detail));
  if (!r.complete) t.notes.push_back("incomplete: the run stopped inside this scenario");
  return t;
}

std::vector<std::string> environment_lines(const Environment& e) {
  std::vector<std::string> lines;
  lines.push_back(fmt::format("offload-bench {} ({}, {}), {}, {}", e.harness_version,
                              e.git_revision.empty() ? "unknown revision" : e.git_revision,
                              e.build_type, e.compiler, e.kernel));
  lines.push_back(fmt::format("host {}, {}", e.host, e.date));
  lines.push_back(fmt::format("CPU {}, {} CPUs at {:.0f} MHz, frequency scaling {}", e.cpu_model,
                              e.num_cpus, e.mhz_per_cpu, e.cpu_scaling_enabled ? "on" : "off"));
  std::string caches;
  for (const auto& c : e.caches) {
    const std::int64_t kib = c.size_bytes / 1024;
    caches += fmt::format("{}L{} {} {} (x{})", caches.empty() ? "" : ", ", c.level, c.type,
                          kib >= 1024 && kib % 1024 == 0 ? fmt::format("{} MiB", kib / 1024)
                                                         : fmt::format("{} KiB", kib),
                          c.num_sharing);
  }
  if (!caches.empty()) lines.push_back("caches " + caches);
  std::string load = "load average";
  for (double l : e.load_average) load += std::isfinite(l) ? fmt::format(" {:.2f}", l) : " -";
  lines.push_back(std::move(load));
  return lines;
}

namespace {

// Display width: UTF-8 continuation bytes take no column (the table holds "µ" and "±").
std::size_t display_width(std::string_view s) {
  return static_cast<std::size_t>(
      std::count_if(s.begin(), s.end(), [](char ch) { return (ch & 0xC0) != 0x80; }));
}

std::string render(const Cell& cell, bool colour) {
  if (!colour || cell.tone == Tone::kPlain || cell.emphasis == 0) return cell.text;
  const char* code = cell.tone == Tone::kGood ? "\x1b[32m" : "\x1b[31m";
  return code + cell.text.substr(0, cell.emphasis) + "\x1b[0m" + cell.text.substr(cell.emphasis);
}

std::string spaces(std::size_t n) { return std::string(n, ' '); }

// The display width of each column: its widest cell or header.
std::vector<std::size_t> column_widths(const std::vector<Column>& columns) {
  std::vector<std::size_t> widths;
  for (const auto& c : columns) {
    std::size_t w = display_width(c.header);
    for (const auto& cell : c.cells) w = std::max(w, display_width(cell.text));
    widths.push_back(w);
  }
  return widths;
}

// The header line, then one line per row: two spaces before each cell, numbers right-aligned,
// words left-aligned, the last column unpadded.
// Requires: widths.size() == columns.size(), every width >= its column's widest cell.
void write_columns(std::ostream& out, const std::vector<Column>& columns,
                   const std::vector<std::size_t>& widths, bool colour) {
  const auto emit_row = [&](auto&& cell_of) {
    std::string line;
    for (std::size_t i = 0; i < columns.size(); ++i) {
      const Cell cell = cell_of(columns[i]);
      const std::string pad = spaces(widths[i] - display_width(cell.text));
      const bool last = i + 1 == columns.size();
      line += "  ";
      if (columns[i].right_aligned) line += pad + render(cell, colour);
      else line += render(cell, colour) + (last ? "" : pad);
    }
    out << line << '\n';
  };
  emit_row([](const Column& c) { return Cell{c.header}; });
  const std::size_t rows = columns.empty() ? 0 : columns.front().cells.size();
  for (std::size_t row = 0; row < rows; ++row) emit_row([row](const Column& c) { return c.cells[row]; });
}

// Foreground colours of the phases in bar order, distinct for the six phases (and repeating after
// them); the glyphs alone already tell the phases apart, so colour only helps the eye.
constexpr std::string_view kPhaseColours[] = {"\x1b[34m", "\x1b[32m", "\x1b[36m",
                                              "\x1b[33m", "\x1b[35m", "\x1b[31m"};
constexpr std::string_view kBarLabel = "mean";

std::string phase_glyphs(const BreakdownTable& t, std::size_t phase, int count, bool colour) {
  const std::string glyphs(static_cast<std::size_t>(count), phase_glyph(t.phases[phase]));
  if (!colour) return glyphs;
  return std::string(kPhaseColours[phase % std::size(kPhaseColours)]) + glyphs + "\x1b[0m";
}

// The p50/p99 table of the phases, then one stacked bar of the phase means per strategy under the
// phase columns, its total at the end, and the legend under the bars.
void write_breakdown(std::ostream& out, const BreakdownTable& t, bool colour) {
  out << "  breakdown per offload phase (one traced sample per strategy; bars: phase means, "
         "one scale)\n";
  // Column 1 is the statistic's (BreakdownTable): the bars' "mean" label sits in it too.
  std::vector<std::size_t> widths = column_widths(t.columns);
  widths[1] = std::max(widths[1], kBarLabel.size());
  write_columns(out, t.columns, widths, colour);
  if (t.bars.empty()) return;

  int bar_area = 0;
  std::size_t total_width = 0;
  for (const auto& bar : t.bars) {
    int length = 0;
    for (const auto& segment : bar.segments) length += segment.columns;
    bar_area = std::max(bar_area, length);
    total_width = std::max(total_width, display_width(bar.total.text));
  }
  for (const auto& bar : t.bars) {
    std::string line = "  " + bar.strategy + spaces(widths[0] - display_width(bar.strategy)) +
                       "  " + std::string(kBarLabel) + spaces(widths[1] - kBarLabel.size()) + "  ";
    int length = 0;
    for (const auto& segment : bar.segments) {
      line += phase_glyphs(t, segment.phase, segment.columns, colour);
      length += segment.columns;
    }
    line += spaces(static_cast<std::size_t>(bar_area - length)) + "  " +
            spaces(total_width - display_width(bar.total.text)) + bar.total.text;
    out << line << '\n';
  }
  std::string legend = spaces(2 + widths[0] + 2 + widths[1] + 2);
  for (std::size_t i = 0; i < t.phases.size(); ++i)
    legend += (i == 0 ? "" : "  ") + phase_glyphs(t, i, 1, colour) + " " + t.phases[i];
  out << legend << '\n';
}

}  // namespace

void TableReporter::write(const Report& report, std::ostream& out) const {
  for (const auto& line : environment_lines(report.environment)) out << line << '\n';
  out << "suite " << report.suite << '\n';
  if (report.partial)
    out << "PARTIAL RUN: interrupted; only the scenarios below completed\n";

  for (const auto& scenario : report.scenarios) {
    const ScenarioTable t = build_scenario_table(scenario);
    out << '\n' << t.name;
    if (!t.point.empty()) out << "  " << t.point;
    if (!t.reference.empty()) out << "  (" << t.reference << ')';
    out << '\n';
    if (!scenario.skipped.empty()) {
      out << "  skipped: " << scenario.skipped << '\n';
      continue;
    }
    if (std::all_of(scenario.strategies.begin(), scenario.strategies.end(),
                    [&](const StrategyResult& s) { return s.backend == scenario.backend; }) &&
        scenario.backend != "native")
      out << "  on " << scenario.backend << '\n';
    if (scenario.target_precision > 0)
      out << fmt::format("  {} rounds, ratios to ±{:.1f}% (target ±{:.1f}%, stopped by {})\n", scenario.rounds,
                         100 * scenario.precision, 100 * scenario.target_precision, scenario.stopped_by);
    write_columns(out, t.columns, column_widths(t.columns), options_.colour);
    for (const auto& e : t.expectations) out << "  expect: " << render(e, options_.colour) << '\n';
    for (const auto& note : t.notes) out << "  note: " << note << '\n';
    for (const auto& warning : t.warnings) out << "  warning: " << warning << '\n';
    if (const BreakdownTable breakdown = build_breakdown_table(scenario); !breakdown.empty())
      write_breakdown(out, breakdown, options_.colour);
  }

  if (!report.warnings.empty()) out << '\n';
  for (const auto& warning : report.warnings) out << "warning: " << warning << '\n';
}

std::unique_ptr<Reporter> make_table_reporter(const ReporterOptions& options) {
  return std::make_unique<TableReporter>(options);
}

}  // namespace offload::report
