// The measurement protocol on tiny scenarios: sample counts, interleaving, counting pass,
// comparisons, conformance marks, interruption.
#include "measure/runner.hpp"

#include <gtest/gtest.h>

#include <atomic>

namespace offload::measure {
namespace {

scenario::ScenarioPoint tiny(scenario::WorkloadKind kind, std::string axis, std::string baseline,
                             std::string candidate) {
  scenario::Scenario s;
  s.name = "tiny";
  s.workload.kind = kind;
  s.workload.ops = 50;
  s.workload.concurrency = scenario::Concurrency::kGather;
  s.compare = {std::move(axis), std::move(baseline), {std::move(candidate)}};
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
