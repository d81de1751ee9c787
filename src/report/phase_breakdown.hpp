// The --breakdown section of one scenario point as cells and bar segments: the data that the table
// and Markdown reporters lay out, built once here so both show the same numbers.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "report/result.hpp"
#include "report/table_reporter.hpp"

namespace offload::report {

// Columns of the full bar drawn for the slowest mean round trip of a point; every other bar is
// drawn to the same scale. 40 leaves room for a 30-column strategy name within 100 columns.
inline constexpr int kBreakdownBarWidth = 40;

// One stretch of a bar: `columns` glyphs of one phase.
struct BarSegment {
  std::size_t phase = 0;  // index into BreakdownTable::phases
  int columns = 0;
};

// A strategy's mean round trip stacked by phase.
struct BreakdownBar {
  std::string strategy;
  // In phase order; a phase with a mean <= 0 or not finite has none. The columns add up to the
  // bar's length: round(positive means / the longest such total of the point * bar width).
  std::vector<BarSegment> segments;
  Cell total;  // the sum of the finite phase means: the mean round trip of the traced sample
};

struct BreakdownTable {
  // Phase names in the order the strategies report them (result.hpp: queue, job, complete, wake,
  // deliver, resume); one glyph each, phase_glyph().
  std::vector<std::string> phases;
  // strategy, statistic ("p50" / "p99"), then one column per phase: two rows per strategy with a
  // breakdown, the p99 row's strategy cell empty. Each phase column holds one unit per statistic
  // (the p50 rows share one, the p99 rows another), chosen as in the main table.
  std::vector<Column> columns;
  // One per strategy with a breakdown, in result order; empty when every mean is <= 0.
  std::vector<BreakdownBar> bars;

  bool empty() const { return phases.empty(); }
};

// Builds the breakdown of `result`: only the strategies with a non-empty breakdown take part.
// Note: empty() when no strategy has one, so reporters print nothing for such a point.
// Requires: bar_width > 0.
BreakdownTable build_breakdown_table(const ScenarioResult& result,
                                     int bar_width = kBreakdownBarWidth);

// The glyph that draws `phase` in a bar and names it in the legend: its first letter
// (q j c w d r for the six phases, all distinct); '?' for an empty name. ASCII, because the block
// elements (█▓▒░) are East Asian ambiguous-width and would break the alignment in CJK terminals.
char phase_glyph(std::string_view phase);

}  // namespace offload::report
