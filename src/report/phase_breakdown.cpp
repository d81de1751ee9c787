// The --breakdown section's cells and bars (phase_breakdown.hpp).
#include "report/phase_breakdown.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <optional>

namespace offload::report {
namespace {

const PhaseSummary* find_phase(const StrategyResult& s, std::string_view phase) {
  for (const auto& p : s.breakdown)
    if (p.phase == phase) return &p;
  return nullptr;
}

// Union of the strategies' phase names, in the order first seen: the runner reports all six in
// order, so this is that order; a phase only some strategies report still gets a column.
std::vector<std::string> phase_names(const std::vector<const StrategyResult*>& traced) {
  std::vector<std::string> phases;
  for (const StrategyResult* s : traced)
    for (const auto& p : s->breakdown)
      if (std::find(phases.begin(), phases.end(), p.phase) == phases.end()) phases.push_back(p.phase);
  return phases;
}

// A phase's positive mean, the only part a bar can draw.
double drawn_mean(const PhaseSummary* p) {
  return p != nullptr && std::isfinite(p->mean) && p->mean > 0 ? p->mean : 0;
}

std::vector<BreakdownBar> build_bars(const std::vector<const StrategyResult*>& traced,
                                     const std::vector<std::string>& phases, int bar_width) {
  double longest = 0;
  for (const StrategyResult* s : traced) {
    double drawn = 0;
    for (const auto& phase : phases) drawn += drawn_mean(find_phase(*s, phase));
    longest = std::max(longest, drawn);
  }
  if (longest <= 0) return {};

  std::vector<BreakdownBar> bars;
  std::vector<std::optional<double>> totals;
  for (const StrategyResult* s : traced) {
    BreakdownBar bar;
    bar.strategy = s->strategy;
    // Segment ends are rounded from the running sum, not each length on its own, so rounding
    // never accumulates: a bar's length is its total to scale, +-0.5 column.
    double drawn = 0;
    int end = 0;
    for (std::size_t i = 0; i < phases.size(); ++i) {
      const double mean = drawn_mean(find_phase(*s, phases[i]));
      if (mean <= 0) continue;
      drawn += mean;
      const int next = static_cast<int>(std::lround(drawn / longest * bar_width));
      if (next > end) bar.segments.push_back({i, next - end});
      end = next;
    }
    double total = 0;
    bool any = false;
    for (const auto& p : s->breakdown) {
      if (!std::isfinite(p.mean)) continue;
      total += p.mean;
      any = true;
    }
    totals.push_back(any ? std::optional<double>(total) : std::nullopt);
    bars.push_back(std::move(bar));
  }
  const Column total_cells = duration_column("mean", totals);
  for (std::size_t i = 0; i < bars.size(); ++i) bars[i].total = total_cells.cells[i];
  return bars;
}

}  // namespace

char phase_glyph(std::string_view phase) { return phase.empty() ? '?' : phase.front(); }

BreakdownTable build_breakdown_table(const ScenarioResult& result, int bar_width) {
  assert(bar_width > 0 && "a bar needs at least one column");
  std::vector<const StrategyResult*> traced;
  for (const auto& s : result.strategies)
    if (!s.breakdown.empty()) traced.push_back(&s);
  BreakdownTable t;
  if (traced.empty()) return t;
  t.phases = phase_names(traced);

  Column names{"strategy", false, {}};
  Column statistic{"", false, {}};
  for (const StrategyResult* s : traced) {
    names.cells.push_back({s->strategy});
    names.cells.push_back({""});
    statistic.cells.push_back({"p50"});
    statistic.cells.push_back({"p99"});
  }
  t.columns.push_back(std::move(names));
  t.columns.push_back(std::move(statistic));
  for (const auto& phase : t.phases) {
    std::vector<std::optional<double>> p50, p99;
    for (const StrategyResult* s : traced) {
      const PhaseSummary* p = find_phase(*s, phase);
      p50.push_back(p != nullptr ? std::optional<double>(p->p50) : std::nullopt);
      p99.push_back(p != nullptr ? std::optional<double>(p->p99) : std::nullopt);
    }
    const Column p50_cells = duration_column(phase, p50);
    const Column p99_cells = duration_column(phase, p99);
    Column column{phase, true, {}};
    for (std::size_t i = 0; i < traced.size(); ++i) {
      column.cells.push_back(p50_cells.cells[i]);
      column.cells.push_back(p99_cells.cells[i]);
    }
    t.columns.push_back(std::move(column));
  }
  t.bars = build_bars(traced, t.phases, bar_width);
  return t;
}

}  // namespace offload::report
