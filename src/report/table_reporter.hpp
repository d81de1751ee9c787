// Plain-text report: an environment header, then per scenario a fixed-width table with one row per
// strategy, and under it the --breakdown section when a strategy has one (p50/p99 per phase, a bar
// of the phase means per strategy, a legend; phase colours with ReporterOptions::colour). The cell
// model below is shared with the Markdown reporter so both show the same columns.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "report/reporter.hpp"
#include "report/result.hpp"

namespace offload::report {

// How a cell should stand out: a verdict or a broken guarantee.
enum class Tone { kPlain, kGood, kBad };

struct Cell {
  std::string text;
  Tone tone = Tone::kPlain;
  std::size_t emphasis = 0;  // length of the leading part of `text` to highlight (0: none)
};

struct Column {
  std::string header;
  bool right_aligned = false;  // numbers right, words left
  std::vector<Cell> cells;     // one per strategy, in StrategyResult order
};

// One scenario point rendered to cells: the data of both text formats, before layout.
struct ScenarioTable {
  std::string name;       // scenario name
  std::string point;      // "context_vars=1 concurrency=gather", "" without a sweep
  std::string reference;  // "" when none
  std::vector<Column> columns;
  std::vector<Cell> expectations;     // "PASS claim — evidence", the outcome word emphasised
  std::vector<std::string> notes;     // other-metric comparisons, conformance details, incompleteness
  std::vector<std::string> warnings;  // the scenario's warnings, verbatim
};

// Builds the table of one scenario. Columns: strategy (baseline marked), time/op, its 95% CI as
// ±%, ops/s, p50/p99 latency (only if some strategy has latency), cpu/op, locks/op, allocs/op,
// wakeups/op (only if some strategy has counts), vs baseline, conformance. Below the table: one
// line per expectation, then notes and warnings. The --breakdown section is built apart
// (phase_breakdown.hpp).
// Note: each time column uses one unit (ns, µs, ms or s) chosen from its smallest value.
ScenarioTable build_scenario_table(const ScenarioResult& result);

// A right-aligned column of durations given in nanoseconds, "-" for a missing or non-finite one,
// every cell in one unit: the largest (ns, µs, ms, s) in which the smallest positive value is
// still >= 1, two decimals ("980.00 ns", "2.30 µs"). The time columns of the table use it.
Column duration_column(std::string header, const std::vector<std::optional<double>>& values_ns);

// "1.32x faster [1.28, 1.36] p=0.002", "1.10x slower [...] p=...", or
// "no significant difference: ratio 0.99 [0.97, 1.02] p=0.410". The factor and its interval are
// the speed-up (or slow-down) of the candidate; for a lower-is-better metric that is 1/ratio.
// `emphasis` (if non-null) receives the length of the verdict phrase at the start.
std::string describe_comparison(const Comparison& comparison, bool lower_is_better,
                                std::size_t* emphasis = nullptr);

// "PASS", "FAIL" or "INCONCLUSIVE": ASCII, so a log grep or a dumb terminal reads it.
std::string_view outcome_label(ExpectationResult::Outcome outcome);

// "key=value" pairs of a sweep point with the dotted prefix dropped ("workload.ops" -> "ops").
std::string point_label(const ScenarioResult& result, std::string_view separator);

// One-line descriptions of the environment, for report headers.
std::vector<std::string> environment_lines(const Environment& environment);

class TableReporter final : public Reporter {
 public:
  explicit TableReporter(ReporterOptions options) : options_(options) {}
  void write(const Report& report, std::ostream& out) const override;

 private:
  ReporterOptions options_;
};

}  // namespace offload::report
