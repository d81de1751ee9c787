// The conformance probes against the model: what each strategy keeps, and what it gives up.
#include "strategy/conformance.hpp"

#include <gtest/gtest.h>

#include <string>
#include <utility>

#include "strategy/registry.hpp"

namespace offload::strategy {
namespace {

const ProbeResult& find(const std::vector<ProbeResult>& results, Guarantee g) {
  for (const auto& r : results)
    if (r.guarantee == g) return r;
  throw std::logic_error("no probe for guarantee");
}

TEST(Conformance, CpythonDefaultsKeepEveryGuarantee) {
  const auto results = probe_conformance(Selection{});
  ASSERT_EQ(results.size(), std::size(kAllGuarantees));
  for (const auto& r : results) {
    EXPECT_TRUE(r.passed) << guarantee_id(r.guarantee) << ": " << r.detail;
    EXPECT_TRUE(r.claimed);
  }
}

TEST(Conformance, SnapshotStateCopyKeepsEveryGuarantee) {
  Selection s;
  s.state_copy = "snapshot";
  for (const auto& r : probe_conformance(s)) EXPECT_TRUE(r.passed) << guarantee_id(r.guarantee) << ": " << r.detail;
}

// gh-136157 in CPython lets a ContextVar set by a job leak into the next job on that worker
// thread; the model shows the same, because the job runs in the worker's own context.
TEST(Conformance, SkipEmptyContextLeaksAJobsContextVarIntoTheNextJob) {
  Selection s;
  s.offload = "skip_empty_context";
  const auto results = probe_conformance(s);
  const ProbeResult& isolation = find(results, Guarantee::kJobIsolation);
  EXPECT_FALSE(isolation.passed);
  EXPECT_FALSE(isolation.claimed) << "the leak is the strategy's documented price";
  EXPECT_NE(isolation.detail.find("next job"), std::string::npos) << isolation.detail;
  EXPECT_TRUE(find(results, Guarantee::kContextPropagation).passed);
  EXPECT_TRUE(find(results, Guarantee::kExceptionTransfer).passed);
  EXPECT_TRUE(find(results, Guarantee::kCancellationTransfer).passed);
}

// With a fresh pool per call every job gets a fresh thread, so there is no next job on the
// thread to leak into.
TEST(Conformance, SkipEmptyContextDoesNotLeakWithAPoolPerCall) {
  Selection s;
  s.offload = "skip_empty_context";
  s.executor = "per_call";
  EXPECT_TRUE(find(probe_conformance(s), Guarantee::kJobIsolation).passed);
}

// wakeup, completion, worker_idle, signal, loop_idle, pool_locks and allocator change how fast a
// job comes back, never what it sees: each alternative keeps every guarantee, alone and all
// together.
TEST(Conformance, RuntimeStrategiesKeepEveryGuarantee) {
  const std::pair<const char*, const char*> alternatives[] = {
      {"wakeup", "coalesced"}, {"completion", "direct"}, {"worker_idle", "spin_then_park"}, {"signal", "if_idle"},
      {"loop_idle", "spin_then_park"}, {"pool_locks", "queue_only"}, {"allocator", "free_lists"},
      {"signal", "if_no_spinner"}};
  Selection all;
  for (const auto& [axis, strategy] : alternatives) {
    Selection one;
    one.set(axis, strategy);
    all.set(axis, strategy);
    for (const auto& r : probe_conformance(one))
      EXPECT_TRUE(r.passed) << axis << "=" << strategy << ": " << guarantee_id(r.guarantee) << ": " << r.detail;
  }
  for (const auto& r : probe_conformance(all))
    EXPECT_TRUE(r.passed) << "all optimized: " << guarantee_id(r.guarantee) << ": " << r.detail;
}

// gather=batched runs every probe through offload_batch: each op of a batch keeps every
// guarantee, alone and with every runtime strategy optimized (and with a pool per batch).
TEST(Conformance, BatchedGatherKeepsEveryGuarantee) {
  Selection batched;
  batched.gather = "batched";
  Selection optimized = batched;
  const std::pair<const char*, const char*> alternatives[] = {
      {"wakeup", "coalesced"}, {"completion", "direct"}, {"worker_idle", "spin_then_park"},
      {"signal", "if_idle"},   {"loop_idle", "spin_then_park"}, {"state_copy", "snapshot"}};
  for (const auto& [axis, strategy] : alternatives) optimized.set(axis, strategy);
  Selection per_call = batched;
  per_call.executor = "per_call";
  for (const Selection& s : {batched, optimized, per_call})
    for (const auto& r : probe_conformance(s)) {
      EXPECT_TRUE(r.passed) << s.executor << ": " << guarantee_id(r.guarantee) << ": " << r.detail;
      EXPECT_TRUE(r.claimed) << guarantee_id(r.guarantee);
    }
}

// The batch keeps the offload axis's price: with skip_empty_context and an empty caller context
// the ops run in the worker's own context, and op 0's ContextVar reaches op 1.
TEST(Conformance, BatchedGatherWithSkipEmptyContextLeaksIntoTheNextJobOfTheBatch) {
  Selection s;
  s.gather = "batched";
  s.offload = "skip_empty_context";
  s.wakeup = "coalesced";
  s.completion = "direct";
  const auto results = probe_conformance(s);
  const ProbeResult& isolation = find(results, Guarantee::kJobIsolation);
  EXPECT_FALSE(isolation.passed);
  EXPECT_FALSE(isolation.claimed) << "the leak is the offload strategy's documented price";
  EXPECT_NE(isolation.detail.find("previous job of the batch"), std::string::npos) << isolation.detail;
  EXPECT_TRUE(find(results, Guarantee::kContextPropagation).passed);
  EXPECT_TRUE(find(results, Guarantee::kExceptionTransfer).passed);
  EXPECT_TRUE(find(results, Guarantee::kCancellationTransfer).passed);
}

TEST(Registry, EveryAxisDefaultIsOneOfItsStrategies) {
  for (const AxisInfo& axis : axes()) {
    EXPECT_NE(find_strategy(axis, axis.default_strategy), nullptr) << axis.id;
    EXPECT_EQ(Selection{}.get(axis.id), axis.default_strategy) << axis.id;
  }
}

}  // namespace
}  // namespace offload::strategy
