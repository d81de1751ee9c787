// Sweep expansion: order (first axis slowest), count, the point cap, and value text.
#include "scenario/sweep.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "scenario/scenario_loader.hpp"

namespace offload::scenario {
namespace {

namespace fs = std::filesystem;
using Parameters = std::vector<std::pair<std::string, std::string>>;

const fs::path kDataDir = OFFLOAD_TEST_DATA_DIR;
const fs::path kScenarioDir = OFFLOAD_SCENARIO_DIR;

// A scenario with `axes` axes of `values` integer values each on workload.ops-like parameters.
std::string sweep_text(const std::vector<std::pair<std::string, int>>& axes) {
  std::string text = R"(name = "s"
description = "d"
reference = ""
[compare]
axis = "offload"
baseline = "copy_context_partial"
candidates = ["skip_empty_context"]
[sweep]
)";
  for (const auto& [key, count] : axes) {
    text += "\"" + key + "\" = [";
    for (int i = 0; i < count; ++i) text += (i ? ", " : "") + std::to_string(i + 2);
    text += "]\n";
  }
  return text;
}

TEST(Sweep, NoSweepYieldsOnePointWithNoParameters) {
  const Scenario s = load_scenario_file(kDataDir / "good" / "minimal.toml");
  const std::vector<ScenarioPoint> points = expand_sweep(s);
  ASSERT_EQ(points.size(), 1u);
  EXPECT_TRUE(points[0].parameters.empty());
  EXPECT_EQ(points[0].scenario.name, "minimal");
  EXPECT_EQ(count_sweep_points(s), 1u);
}

TEST(Sweep, PointsFollowFileOrderWithTheFirstAxisSlowest) {
  const Scenario s = load_scenario_file(kDataDir / "good" / "sweep_order.toml");
  ASSERT_EQ(s.sweep.size(), 3u);
  EXPECT_EQ(s.sweep[0].parameter, "workload.ops");
  EXPECT_EQ(s.sweep[1].parameter, "measure.min_time_ms");
  EXPECT_EQ(s.sweep[2].parameter, "workload.concurrency");

  const std::vector<ScenarioPoint> points = expand_sweep(s);
  ASSERT_EQ(points.size(), 12u);
  EXPECT_EQ(count_sweep_points(s), 12u);
  std::vector<Parameters> expected;
  for (const char* ops : {"10", "20"})
    for (const char* min_time : {"1.5", "3"})
      for (const char* concurrency : {"gather", "sequential", "bounded"})
        expected.push_back({{"workload.ops", ops},
                            {"measure.min_time_ms", min_time},
                            {"workload.concurrency", concurrency}});
  for (std::size_t i = 0; i < points.size(); ++i) EXPECT_EQ(points[i].parameters, expected[i]);
}

TEST(Sweep, EachPointHasItsValuesAppliedAndNoSweepLeft) {
  const Scenario s = load_scenario_file(kDataDir / "good" / "sweep_order.toml");
  const std::vector<ScenarioPoint> points = expand_sweep(s);
  const ScenarioPoint& last = points.back();
  EXPECT_EQ(last.scenario.workload.ops, 20);
  EXPECT_EQ(last.scenario.measure.min_time_ms, 3.0);
  EXPECT_EQ(last.scenario.workload.concurrency, Concurrency::kBounded);
  EXPECT_TRUE(last.scenario.sweep.empty());
  EXPECT_EQ(points.front().scenario.workload.ops, 10);
  EXPECT_EQ(points.front().scenario.measure.min_time_ms, 1.5);
  EXPECT_EQ(points.front().scenario.workload.concurrency, Concurrency::kGather);
}

TEST(Sweep, ShippedSweepsHaveTheirDocumentedSizes) {
  EXPECT_EQ(expand_sweep(load_scenario_file(kScenarioDir / "to_thread_context.toml")).size(), 4u);
  EXPECT_EQ(expand_sweep(load_scenario_file(kScenarioDir / "gil_cpu_vs_io.toml")).size(), 6u);
  EXPECT_EQ(expand_sweep(load_scenario_file(kScenarioDir / "offload_wrap_micro.toml")).size(), 4u);
}

TEST(Sweep, ExactlyTheLimitLoadsAndOneMoreAxisValueDoesNot) {
  const Scenario s = load_scenario_string(
      sweep_text({{"workload.ops", 16}, {"workload.context_vars", 16}}), "mem.toml");
  EXPECT_EQ(expand_sweep(s).size(), kMaxSweepPoints);
  EXPECT_THROW(load_scenario_string(
                   sweep_text({{"workload.ops", 16}, {"workload.context_vars", 17}}), "mem.toml"),
               ScenarioError);
}

TEST(Sweep, CountSaturatesInsteadOfOverflowing) {
  Scenario s = load_scenario_file(kDataDir / "good" / "minimal.toml");
  for (int a = 0; a < 20; ++a) {
    SweepAxis axis{"workload.ops", {}, {}};
    for (std::int64_t v = 1; v <= 1000; ++v) axis.values.emplace_back(v);
    s.sweep.push_back(std::move(axis));
  }
  EXPECT_EQ(count_sweep_points(s), kMaxSweepPoints + 1);
  EXPECT_THROW(expand_sweep(s), ScenarioError);
}

TEST(Sweep, HandBuiltInvalidValueIsRejectedAtTheAxisLocation) {
  Scenario s = load_scenario_file(kDataDir / "good" / "minimal.toml");
  s.sweep.push_back(SweepAxis{"workload.ops", {std::int64_t{0}}, Location{"hand.toml", 3, 4}});
  try {
    expand_sweep(s);
    FAIL() << "expanded";
  } catch (const ScenarioError& e) {
    EXPECT_EQ(std::string(e.what()), "hand.toml:3:4: sweep.\"workload.ops\": must be >= 1 (got 0)");
  }
}

TEST(Sweep, ValueTextIsBareAndShortest) {
  EXPECT_EQ(to_string(ParameterValue{std::int64_t{-7}}), "-7");
  EXPECT_EQ(to_string(ParameterValue{1.5}), "1.5");
  EXPECT_EQ(to_string(ParameterValue{3.0}), "3");
  EXPECT_EQ(to_string(ParameterValue{0.1}), "0.1");
  EXPECT_EQ(to_string(ParameterValue{std::string("gather")}), "gather");
  EXPECT_EQ(to_string(ParameterValue{true}), "true");
}

TEST(Sweep, EnumTextIsTheFileSpelling) {
  EXPECT_EQ(to_string(WorkloadKind::kOffloadWrap), "offload_wrap");
  EXPECT_EQ(to_string(Job::kGil), "gil");
  EXPECT_EQ(to_string(Concurrency::kSequential), "sequential");
}

}  // namespace
}  // namespace offload::scenario
