// Workloads run whole batches with every strategy combination, each op awaited once.
#include "scenario/workload.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace offload::scenario {
namespace {

Scenario offload_scenario(Concurrency concurrency) {
  Scenario s;
  s.name = "w";
  s.workload.ops = 64;
  s.workload.concurrency = concurrency;
  s.workload.limit = 4;
  s.workload.context_vars = 2;
  s.runtime.workers = 2;
  return s;
}

TEST(Workload, EveryConcurrencyRunsEachOpOnceAndTimesIt) {
  for (auto c : {Concurrency::kGather, Concurrency::kSequential, Concurrency::kBounded}) {
    auto workload = make_workload(offload_scenario(c), strategy::Selection{});
    EXPECT_EQ(workload->run_batch(), 64u);
    EXPECT_EQ(workload->run_batch(), 64u);
    ASSERT_NE(workload->latency(), nullptr);
    EXPECT_EQ(workload->latency()->count(), 128u) << to_string(c);
  }
}

TEST(Workload, EveryStrategyCombinationRuns) {
  for (const char* offload : {"copy_context_partial", "skip_empty_context"})
    for (const char* copy : {"per_field_locks", "snapshot"})
      for (const char* executor : {"shared_default", "per_call"}) {
        strategy::Selection s;
        s.offload = offload;
        s.state_copy = copy;
        s.executor = executor;
        Scenario scenario = offload_scenario(Concurrency::kSequential);
        scenario.workload.ops = 8;
        EXPECT_EQ(make_workload(scenario, s)->run_batch(), 8u) << offload << " " << copy << " " << executor;
      }
}

TEST(Workload, TimeoutAroundEachCallLetsFastJobsThrough) {
  Scenario s = offload_scenario(Concurrency::kGather);
  s.workload.timeout_ms = 1000;
  EXPECT_EQ(make_workload(s, strategy::Selection{})->run_batch(), 64u);
}

// gather=batched: one offload_batch per batch, every op timed with the batch's latency; the
// other concurrencies ignore the axis.
TEST(Workload, BatchedGatherRunsEachOpOnceAndTimesIt) {
  strategy::Selection batched;
  batched.gather = "batched";
  for (const char* executor : {"shared_default", "per_call"})
    for (auto c : {Concurrency::kGather, Concurrency::kSequential, Concurrency::kBounded}) {
      batched.executor = executor;
      Scenario s = offload_scenario(c);
      s.workload.ops = 130;  // Three chunks, the last one short.
      auto workload = make_workload(s, batched);
      EXPECT_EQ(workload->run_batch(), 130u);
      EXPECT_EQ(workload->run_batch(), 130u);
      EXPECT_EQ(workload->latency()->count(), 260u) << executor << " " << to_string(c);
    }
}

TEST(Workload, EveryJobKindRuns) {
  for (auto job : {Job::kNoop, Job::kSpin, Job::kSleep, Job::kStat, Job::kRead, Job::kGil}) {
    Scenario s = offload_scenario(Concurrency::kGather);
    s.workload.job = job;
    s.workload.job_ns = 1000;
    s.workload.job_us = 10;
    s.workload.ops = 16;
    EXPECT_EQ(make_workload(s, strategy::Selection{})->run_batch(), 16u) << to_string(job);
  }
}

TEST(Workload, MicroWorkloadsRunTheirOpsInline) {
  Scenario copy;
  copy.workload.kind = WorkloadKind::kStateCopy;
  copy.workload.ops = 100;
  EXPECT_EQ(make_workload(copy, strategy::Selection{})->run_batch(), 100u);
  Scenario wrap;
  wrap.workload.kind = WorkloadKind::kOffloadWrap;
  wrap.workload.ops = 100;
  wrap.workload.context_vars = 8;
  EXPECT_EQ(make_workload(wrap, strategy::Selection{})->run_batch(), 100u);
}

}  // namespace
}  // namespace offload::scenario
