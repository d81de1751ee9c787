// build_breakdown_table: which strategies take part, one unit per phase and statistic, and bars
// whose segments add up, on one scale, with nothing drawn for a mean that is not positive.
#include <gtest/gtest.h>

#include <limits>
#include <string>
#include <vector>

#include "report/phase_breakdown.hpp"

namespace offload::report {
namespace {

StrategyResult traced(std::string id, std::vector<PhaseSummary> phases) {
  StrategyResult s;
  s.strategy = std::move(id);
  s.breakdown = std::move(phases);
  return s;
}

int bar_length(const BreakdownBar& bar) {
  int length = 0;
  for (const auto& segment : bar.segments) length += segment.columns;
  return length;
}

TEST(PhaseBreakdown, EmptyWhenNoStrategyIsTraced) {
  ScenarioResult r;
  r.strategies = {traced("a", {}), traced("b", {})};
  EXPECT_TRUE(build_breakdown_table(r).empty());
  EXPECT_TRUE(build_breakdown_table(r).columns.empty());
}

TEST(PhaseBreakdown, OnlyTracedStrategiesTakePartWithTwoRowsEach) {
  ScenarioResult r;
  r.strategies = {traced("a", {{"queue", 500, 2500, 700}, {"wake", 1500, 9000, 2000}}),
                  traced("untraced", {}),
                  traced("b", {{"queue", 400, 2000, 600}, {"wake", 1200, 8000, 1600}})};
  const BreakdownTable t = build_breakdown_table(r);
  EXPECT_EQ(t.phases, (std::vector<std::string>{"queue", "wake"}));
  ASSERT_EQ(t.columns.size(), 2u + 2);
  EXPECT_EQ(t.columns[0].cells.size(), 4u);
  EXPECT_EQ(t.columns[0].cells[2].text, "b");
  EXPECT_EQ(t.columns[1].cells[3].text, "p99");
  // p50 rows share a unit, p99 rows another: "1.50 µs" next to "9.00 µs", not "9000.00 ns".
  EXPECT_EQ(t.columns[3].cells[0].text, "1.50 µs");
  EXPECT_EQ(t.columns[3].cells[1].text, "9.00 µs");
  EXPECT_EQ(t.columns[2].cells[0].text, "500.00 ns");
  ASSERT_EQ(t.bars.size(), 2u);
  EXPECT_EQ(t.bars[1].strategy, "b");
}

TEST(PhaseBreakdown, LongestMeanRoundTripFillsTheWidthAndOthersShareItsScale) {
  ScenarioResult r;
  r.strategies = {traced("slow", {{"queue", 0, 0, 1000}, {"job", 0, 0, 1000}, {"wake", 0, 0, 2000}}),
                  traced("fast", {{"queue", 0, 0, 500}, {"job", 0, 0, 500}, {"wake", 0, 0, 1000}})};
  const BreakdownTable t = build_breakdown_table(r, 40);
  ASSERT_EQ(t.bars.size(), 2u);
  EXPECT_EQ(bar_length(t.bars[0]), 40);
  EXPECT_EQ(bar_length(t.bars[1]), 20);
  ASSERT_EQ(t.bars[0].segments.size(), 3u);
  EXPECT_EQ(t.bars[0].segments[2].phase, 2u);
  EXPECT_EQ(t.bars[0].segments[2].columns, 20);
  EXPECT_EQ(t.bars[0].total.text, "4.00 µs");
  EXPECT_EQ(t.bars[1].total.text, "2.00 µs");
}

TEST(PhaseBreakdown, RoundingNeverAccumulatesAcrossSegments) {
  // Six phases of a third of a column each would round to 0 one by one; their running sum
  // rounds to the right total.
  std::vector<PhaseSummary> thin;
  for (const char* phase : {"queue", "job", "complete", "wake", "deliver", "resume"})
    thin.push_back({phase, 0, 0, 1});
  ScenarioResult r;
  r.strategies = {traced("long", {{"queue", 0, 0, 60}}), traced("thin", thin)};
  const BreakdownTable t = build_breakdown_table(r, 30);
  EXPECT_EQ(bar_length(t.bars[0]), 30);
  EXPECT_EQ(bar_length(t.bars[1]), 3);  // 6/60 of 30
}

TEST(PhaseBreakdown, NonPositiveOrMissingMeansDrawNothing) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  ScenarioResult r;
  r.strategies = {traced("a", {{"queue", 0, 0, 600}, {"job", 0, 0, -50}, {"complete", 0, 0, 0},
                               {"wake", 0, 0, nan}, {"resume", 0, 0, 400}})};
  const BreakdownTable t = build_breakdown_table(r, 10);
  ASSERT_EQ(t.bars.size(), 1u);
  ASSERT_EQ(t.bars[0].segments.size(), 2u);
  EXPECT_EQ(t.bars[0].segments[0].phase, 0u);
  EXPECT_EQ(t.bars[0].segments[0].columns, 6);
  EXPECT_EQ(t.bars[0].segments[1].phase, 4u);
  EXPECT_EQ(t.bars[0].segments[1].columns, 4);
  EXPECT_EQ(t.bars[0].total.text, "950.00 ns") << "the sum of the finite means, negative included";

  ScenarioResult flat;
  flat.strategies = {traced("a", {{"queue", 10, 20, 0}, {"job", 10, 20, -1}})};
  const BreakdownTable none = build_breakdown_table(flat);
  EXPECT_FALSE(none.empty()) << "the p50/p99 rows are still shown";
  EXPECT_TRUE(none.bars.empty());
}

TEST(PhaseBreakdown, GlyphsAreTheDistinctFirstLettersOfThePhases) {
  std::string glyphs;
  for (const char* phase : {"queue", "job", "complete", "wake", "deliver", "resume"})
    glyphs += phase_glyph(phase);
  EXPECT_EQ(glyphs, "qjcwdr");
  EXPECT_EQ(phase_glyph(""), '?');
}

}  // namespace
}  // namespace offload::report
