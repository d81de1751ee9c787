// The runner's rounds driven by the mock backend's scripted timings: adaptive sampling stops on
// precision only (never on a verdict), the budget and round limit are said, fixed mode takes
// exactly `repetitions` rounds and --quick the fewest for a verdict, two contenders alternate
// ABBA, and unsupported contenders skip.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "measure/mock_backend.hpp"
#include "measure/paired_statistics.hpp"
#include "measure/runner.hpp"

namespace offload::measure {
namespace {

constexpr const char* kBaseline = "per_field_locks";
constexpr const char* kCandidate = "snapshot";

scenario::ScenarioPoint point(std::int64_t repetitions = 5) {
  scenario::Scenario s;
  s.name = "scripted";
  s.workload.kind = scenario::WorkloadKind::kOffload;
  s.workload.ops = 1000;
  s.compare = {"state_copy", kBaseline, {kCandidate}, {}};
  s.measure = {0, repetitions, 0.5};
  return {s, {}};
}

// A candidate `ratio` times the baseline's 100 ns per op.
MockScript script(double ratio, double noise, std::uint64_t seed = 7) {
  MockScript m;
  m.ns_per_op = [ratio](std::string_view contender, std::int64_t) { return contender == kBaseline ? 100.0 : 100.0 * ratio; };
  m.noise = noise;
  m.seed = seed;
  return m;
}

RunOptions adaptive(MockBackendResolver& resolver, double max_time_s = 1e6, std::int64_t max_rounds = 1000) {
  RunOptions o;
  o.backends = &resolver;
  o.precision = 0.03;
  o.max_time_s = max_time_s;
  o.max_rounds = max_rounds;
  return o;
}

// Fixed mode: `repetitions` rounds.
report::ScenarioResult run_fixed(MockBackendResolver& resolver, std::int64_t repetitions = 5) {
  RunOptions o;
  o.backends = &resolver;
  return run_point(point(repetitions), o);
}

std::vector<double> ns_per_op(const report::StrategyResult& r, std::size_t rounds) {
  std::vector<double> v;
  for (std::size_t i = 0; i < rounds; ++i) v.push_back(r.samples[i].wall_ns / static_cast<double>(r.samples[i].ops));
  return v;
}

// The precision the runner would have seen after `rounds` rounds.
double precision_after(const report::ScenarioResult& r, std::size_t rounds, double alpha) {
  const PairedComparison c = compare_paired(ns_per_op(r.strategies[1], rounds), ns_per_op(r.strategies[0], rounds), alpha);
  return relative_half_width(c.ratio, c.ratio_ci);
}

TEST(RunnerScripted, AdaptiveSamplingStopsAtTheFirstRoundThatReachesThePrecision) {
  // 5% noise per sample: a +-3% ratio takes a few dozen rounds, more than the minimum.
  MockBackendResolver resolver(script(1.0, 0.05));
  const auto r = run_point(point(), adaptive(resolver));
  ASSERT_TRUE(r.complete);
  EXPECT_EQ(r.stopped_by, "precision");
  EXPECT_TRUE(r.warnings.empty()) << r.warnings.front();
  EXPECT_DOUBLE_EQ(r.target_precision, 0.03);
  EXPECT_LE(r.precision, 0.03);
  const auto rounds = static_cast<std::size_t>(r.rounds);
  ASSERT_GT(rounds, 7u) << "7: the fewest pairs that can pass alpha 0.05 / 2 comparisons";
  EXPECT_LT(rounds, 1000u);
  EXPECT_EQ(r.strategies[0].samples.size(), rounds);
  EXPECT_NEAR(precision_after(r, rounds, 0.05), r.precision, 1e-12);
  for (std::size_t n = 7; n < rounds; ++n) EXPECT_GT(precision_after(r, n, 0.05), 0.03) << "after " << n << " rounds";
}

TEST(RunnerScripted, NoisySamplesRunToTheRoundLimitAndSaySo) {
  MockBackendResolver resolver(script(1.0, 0.5));
  const auto r = run_point(point(), adaptive(resolver, 1e6, 20));
  EXPECT_EQ(r.stopped_by, "round limit");
  EXPECT_EQ(r.rounds, 20);
  EXPECT_GT(r.precision, 0.03);
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_NE(r.warnings[0].find("round limit after 20 rounds"), std::string::npos) << r.warnings[0];
}

TEST(RunnerScripted, AnExhaustedTimeBudgetStopsAfterTheMinimumRoundsAndSaysSo) {
  MockBackendResolver resolver(script(1.0, 0.5));
  const auto r = run_point(point(), adaptive(resolver, 0));
  EXPECT_EQ(r.stopped_by, "time budget");
  EXPECT_EQ(r.rounds, 7);
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_NE(r.warnings[0].find("time budget"), std::string::npos) << r.warnings[0];
}

// Stopping looks at the CI's width only. A 2x slowdown is significant from the first rounds on,
// yet with the same noise the run lasts exactly as long as an A/A run: the ratio's relative
// width does not depend on where the ratio lies.
TEST(RunnerScripted, NeverStopsEarlyBecauseAResultTurnedSignificant) {
  MockBackendResolver same(script(1.0, 0.15));
  MockBackendResolver slower(script(2.0, 0.15));
  const auto aa = run_point(point(), adaptive(same));
  const auto ab = run_point(point(), adaptive(slower));
  EXPECT_EQ(aa.stopped_by, "precision");
  EXPECT_EQ(ab.stopped_by, "precision");
  EXPECT_EQ(ab.rounds, aa.rounds);
  EXPECT_GT(ab.rounds, 7);
  ASSERT_FALSE(ab.comparisons.empty());
  EXPECT_EQ(ab.comparisons[0].verdict, Verdict::kSlower);
  EXPECT_LT(ab.comparisons[0].p_value, 1e-3);
}

TEST(RunnerScripted, FixedModeTakesExactlyRepetitionsRounds) {
  for (const double noise : {0.0, 0.5}) {
    MockBackendResolver resolver(script(1.0, noise));
    const auto r = run_fixed(resolver, 9);
    EXPECT_EQ(r.stopped_by, "fixed rounds");
    EXPECT_EQ(r.rounds, 9);
    EXPECT_DOUBLE_EQ(r.target_precision, 0);
    for (const auto& s : r.strategies) EXPECT_EQ(s.samples.size(), 9u);
    EXPECT_TRUE(r.warnings.empty());
  }
}

// --quick: whatever the noise and the precision asked, the fewest rounds whose signed-rank test
// can pass alpha / 2 (two metrics compared): 2 / 2^7 <= 0.025 < 2 / 2^6.
TEST(RunnerScripted, FewestRoundsModeTakesJustEnoughRoundsForAVerdict) {
  for (const double noise : {0.0, 0.5}) {
    MockBackendResolver resolver(script(2.0, noise));
    RunOptions o = adaptive(resolver);
    o.fewest_rounds = true;
    const auto r = run_point(point(), o);
    EXPECT_EQ(r.stopped_by, "fewest rounds for a verdict");
    EXPECT_EQ(r.rounds, 7);
    EXPECT_DOUBLE_EQ(r.target_precision, 0);
  }
}

TEST(RunnerScripted, TwoContendersAlternateInAbbaOrder) {
  MockBackendResolver resolver(script(1.0, 0.0));
  run_fixed(resolver, 8);
  const std::string a = kBaseline;
  const std::string b = kCandidate;
  // One calibration sample each (warmup = 0), then the rounds: AB BA BA AB AB BA BA AB.
  const std::vector<std::string> expected = {a, b, a, b, b, a, b, a, a, b, a, b, b, a, b, a, a, b};
  EXPECT_EQ(resolver.samples_log(), expected);
}

TEST(RunnerScripted, ScriptedTimingsArriveAsTheReportedNsPerOp) {
  MockBackendResolver resolver(script(1.25, 0.0));
  const auto r = run_fixed(resolver, 6);
  ASSERT_EQ(r.strategies.size(), 2u);
  EXPECT_EQ(r.strategies[1].backend, "mock");
  for (const auto& sample : r.strategies[1].samples) EXPECT_DOUBLE_EQ(sample.wall_ns / static_cast<double>(sample.ops), 125.0);
  ASSERT_FALSE(r.comparisons.empty());
  EXPECT_DOUBLE_EQ(r.comparisons[0].ratio, 1.25);
  EXPECT_FALSE(r.strategies[0].counts.has_value()) << "the mock counts nothing in this process";
}

TEST(RunnerScripted, AnUnsupportedContenderSkipsThePointWithTheReason) {
  MockScript m = script(1.0, 0.0);
  m.unsupported[kCandidate] = "the mock has no snapshot";
  MockBackendResolver resolver(m);
  const auto r = run_fixed(resolver);
  EXPECT_EQ(r.skipped, std::string(kCandidate) + ": the mock has no snapshot");
  EXPECT_TRUE(r.strategies.empty());
  EXPECT_TRUE(resolver.samples_log().empty()) << "nothing is timed in a skipped point";
}

TEST(RunnerScripted, AnUnavailableBackendSkipsThePointWithItsReason) {
  MockScript m = script(1.0, 0.0);
  m.unavailable[kBaseline] = "mock: not installed";
  MockBackendResolver resolver(m);
  const auto r = run_fixed(resolver);
  EXPECT_EQ(r.skipped, "mock: not installed");
  EXPECT_TRUE(r.strategies.empty());
}

}  // namespace
}  // namespace offload::measure
