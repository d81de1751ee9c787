// Per op means per op: with gather = "tasks" and every runtime strategy optimized, each op of a
// gather keeps its own work item, loop future and Task, so a job that blocks its worker delays
// no other op. (gather = "batched" is where ops share a work item; the control below shows the
// test tells the two apart.)
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <utility>
#include <vector>

#include "runtime/asyncio.hpp"
#include "strategy/dispatch.hpp"
#include "strategy/offload_call.hpp"
#include "strategy/runtime_options.hpp"

namespace offload::strategy {
namespace {

using namespace std::chrono_literals;
using runtime::Coroutine;
using runtime::EventLoop;

constexpr int kOps = 200;
constexpr int kWorkers = 2;

// per_op_all_levers of scenarios/burst_per_op.toml.
Selection per_op_optimized() {
  constexpr std::pair<const char*, const char*> kAllLevers[] = {
      {"completion", "direct"},   {"wakeup", "coalesced"},          {"signal", "if_no_spinner"},
      {"worker_idle", "spin_then_park"}, {"loop_idle", "spin_then_park"}, {"pool_locks", "queue_only"},
      {"allocator", "free_lists"}};
  Selection s;
  for (const auto& [axis, strategy] : kAllLevers) s.set(axis, strategy);
  return s;
}

// Job 0 stands in for a slow call (a 1 ms sleep): it blocks its worker until every other op has
// completed on the loop, or until `patience` runs out. Returns whether the others all finished
// while job 0 was still blocking. Deterministic where a sleep is not: no op's speed matters, only
// whether any other op waits for job 0.
template <class RunOps>
bool others_finish_while_job_zero_blocks(const Selection& selection, std::chrono::milliseconds patience,
                                         RunOps run_ops) {
  EventLoop loop(loop_options(selection));
  loop.set_default_executor(
      std::make_unique<runtime::ThreadPoolExecutor>(kWorkers, "per-op", executor_options(selection)));
  std::atomic<int> others_done{0};
  auto job = [&others_done, patience](int i) -> int {
    if (i != 0) return i;
    const auto give_up = std::chrono::steady_clock::now() + patience;
    while (others_done.load() < kOps - 1)
      if (std::chrono::steady_clock::now() > give_up) return -1;
    return 0;
  };
  const std::vector<int> values = loop.run_until_complete(run_ops(loop, job, others_done));
  EXPECT_EQ(static_cast<int>(values.size()), kOps);
  for (int i = 1; i < static_cast<int>(values.size()); ++i) EXPECT_EQ(values[i], i);
  return values.at(0) == 0;
}

TEST(PerOpOffload, AJobThatBlocksItsWorkerDelaysNoOtherOp) {
  const Selection selection = per_op_optimized();
  with_strategies(selection, [&]<class O, class C, class E, class D>(O, C, E, D) {
    auto run_ops = [](EventLoop& loop, auto job, std::atomic<int>& others_done) -> Coroutine<std::vector<int>> {
      auto op = [&loop, job, &others_done](int i) -> Coroutine<int> {
        const int value = co_await offload_call<O, C, E, D>(loop, [job, i] { return job(i); });
        if (i != 0) others_done.fetch_add(1);  // On the loop: op i's task has resumed.
        co_return value;
      };
      std::vector<Coroutine<int>> ops;
      for (int i = 0; i < kOps; ++i) ops.push_back(op(i));
      co_return co_await runtime::gather(loop, std::move(ops));
    };
    EXPECT_TRUE(others_finish_while_job_zero_blocks(selection, 30s, run_ops))
        << "an op waited for the blocked job 0";
  });
}

// The control: a batched gather puts job 0 in a chunk with the next 63 ops, which wait for it.
TEST(PerOpOffload, ABatchedGatherMakesTheOpsOfTheBlockedChunkWait) {
  Selection selection = per_op_optimized();
  selection.gather = "batched";
  auto run_ops = [](EventLoop& loop, auto job, std::atomic<int>& others_done) -> Coroutine<std::vector<int>> {
    std::vector<std::function<int()>> calls;
    for (int i = 0; i < kOps; ++i)
      calls.emplace_back([job, i, &others_done] {
        const int value = job(i);
        if (i != 0) others_done.fetch_add(1);  // On the worker: ops 1-63 run after job 0 on its worker.
        return value;
      });
    co_return co_await runtime::offload_batch(loop, nullptr, std::move(calls));
  };
  EXPECT_FALSE(others_finish_while_job_zero_blocks(selection, 100ms, run_ops));
}

}  // namespace
}  // namespace offload::strategy
