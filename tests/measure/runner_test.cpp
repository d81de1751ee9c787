// The measurement protocol on tiny scenarios: sample counts, interleaving, counting pass,
// comparisons, conformance marks, interruption.
#include "measure/runner.hpp"

#include <gtest/gtest.h>

#include <atomic>

#include "measure/histogram.hpp"

namespace offload::measure {
namespace {

scenario::ScenarioPoint tiny(scenario::WorkloadKind kind, std::string axis, std::string baseline,
                             std::string candidate) {
  scenario::Scenario s;
  s.name = "tiny";
  s.workload.kind = kind;
  s.workload.ops = 50;
  s.workload.concurrency = scenario::Concurrency::kGather;
  s.compare = {std::move(axis), std::move(baseline), {std::move(candidate)}, {}};
  s.measure = {0, 4, 0.5};
  return {s, {}};
}

TEST(Runner, TakesRepetitionsSamplesPerStrategyAndComparesEachCandidate) {
  const auto result = run_point(tiny(scenario::WorkloadKind::kOffload, "state_copy", "per_field_locks", "snapshot"), {});
  ASSERT_TRUE(result.complete);
  ASSERT_EQ(result.strategies.size(), 2u);
  EXPECT_EQ(result.strategies[0].strategy, "per_field_locks") << "the baseline comes first";
  for (const auto& s : result.strategies) {
    EXPECT_EQ(s.samples.size(), 4u);
    for (const auto& sample : s.samples) EXPECT_EQ(sample.ops % 50, 0u);
    ASSERT_TRUE(s.latency.has_value());
    EXPECT_EQ(s.latency->count, 4 * s.samples.front().ops) << "one latency per timed op (batches may differ)";
    ASSERT_TRUE(s.counts.has_value());
    EXPECT_GT(s.counts->lock_acquisitions, 0);
    EXPECT_GT(s.counts->heap_allocations, 0);
  }
  // The snapshot's only difference on this path: four fewer lock acquisitions per op.
  EXPECT_NEAR(result.strategies[0].counts->lock_acquisitions - result.strategies[1].counts->lock_acquisitions, 4.0, 0.5);
  ASSERT_EQ(result.comparisons.size(), 2u) << "ns_per_op and cpu_ns_per_op";
  EXPECT_EQ(result.comparisons[0].candidate, "snapshot");
}

TEST(Runner, MarksTheLeakOfSkipEmptyContextInTheResult) {
  const auto result = run_point(tiny(scenario::WorkloadKind::kOffloadWrap, "offload", "copy_context_partial", "skip_empty_context"), {});
  ASSERT_EQ(result.strategies.size(), 2u);
  bool leak_marked = false;
  for (const auto& check : result.strategies[1].conformance)
    if (check.guarantee == "job_isolation") leak_marked = !check.passed;
  EXPECT_TRUE(leak_marked);
  EXPECT_FALSE(result.strategies[0].latency.has_value()) << "micro workloads time batches, not ops";
}

// Both completion paths, sequential and gathered: every traced op stamps all seven points, the
// phases come in order, and the job phase of a 20 µs spin is where the time of the job goes.
TEST(Runner, BreakdownTracesEveryPhaseOfBothCompletionPaths) {
  for (const auto concurrency : {scenario::Concurrency::kSequential, scenario::Concurrency::kGather}) {
    auto point = tiny(scenario::WorkloadKind::kOffload, "completion", "chained_futures", "direct");
    point.scenario.workload.concurrency = concurrency;
    point.scenario.workload.job = scenario::Job::kSpin;
    point.scenario.workload.job_ns = 20'000;
    point.scenario.workload.ops = 20;
    RunOptions options;
    options.breakdown = true;
    const auto result = run_point(point, options);
    for (const auto& s : result.strategies) {
      SCOPED_TRACE(s.strategy + " " + std::string(scenario::to_string(concurrency)));
      ASSERT_EQ(s.breakdown.size(), 6u);
      const char* names[] = {"queue", "job", "complete", "wake", "deliver", "resume"};
      double total = 0;
      for (std::size_t i = 0; i < 6; ++i) {
        EXPECT_EQ(s.breakdown[i].phase, names[i]);
        EXPECT_GE(s.breakdown[i].mean, 0);
        EXPECT_LE(s.breakdown[i].p50, s.breakdown[i].p99 * (1 + LatencyHistogram::kMaxRelativeError));
        total += s.breakdown[i].mean;
      }
      EXPECT_GE(s.breakdown[1].p50, 19'000) << "the job phase holds the job";
      EXPECT_GE(total, s.breakdown[1].mean);
    }
  }
}

TEST(Runner, BreakdownLeavesMicroWorkloadsWithoutPhases) {
  RunOptions options;
  options.breakdown = true;
  const auto result = run_point(tiny(scenario::WorkloadKind::kStateCopy, "state_copy", "per_field_locks", "snapshot"), options);
  for (const auto& s : result.strategies) EXPECT_TRUE(s.breakdown.empty());
}

TEST(Runner, StopsBetweenSamplesWhenInterrupted) {
  std::atomic<bool> interrupted{true};
  RunOptions options;
  options.interrupted = &interrupted;
  const auto result = run_point(tiny(scenario::WorkloadKind::kStateCopy, "state_copy", "per_field_locks", "snapshot"), options);
  EXPECT_FALSE(result.complete);
  for (const auto& s : result.strategies) EXPECT_TRUE(s.samples.empty());
}

}  // namespace
}  // namespace offload::measure
