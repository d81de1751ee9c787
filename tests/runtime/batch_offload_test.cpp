// offload_batch (batch_offload.hpp): values in op order across chunk boundaries, every op run
// exactly once on several workers, the lowest-index exception, cancellation before and during a
// chunk, chunks the executor drops, contexts per op and in the worker's own context, and the
// per-chunk cost — under both wake-up modes, with and without the loop's and the workers' spin.
#include "runtime/batch_offload.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <latch>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "runtime/asyncio.hpp"
#include "runtime/instrumentation.hpp"
#include "loop_exception_guard.hpp"

namespace offload::runtime {
namespace {

using namespace std::chrono_literals;

// A loop's and an executor's strategy options, together.
struct Config {
  const char* name;
  WakeupMode wakeup;
  std::chrono::nanoseconds loop_idle_spin;
  WorkerIdle worker_idle;
  Signal signal;
};

class BatchOffload : public ::testing::TestWithParam<Config> {
 protected:
  EventLoopOptions loop_options() const { return {.wakeup = GetParam().wakeup, .idle_spin = GetParam().loop_idle_spin}; }
  ExecutorOptions executor_options() const {
    ExecutorOptions options;
    options.worker_idle = GetParam().worker_idle;
    options.signal = GetParam().signal;
    return options;
  }
  std::unique_ptr<ThreadPoolExecutor> executor(std::size_t workers) const {
    return std::make_unique<ThreadPoolExecutor>(workers, "batch", executor_options());
  }
};

INSTANTIATE_TEST_SUITE_P(
    Options, BatchOffload,
    ::testing::Values(Config{"per_call", WakeupMode::kPerCall, 0ns, WorkerIdle::kPark, Signal::kAlways},
                      Config{"coalesced", WakeupMode::kCoalesced, 0ns, WorkerIdle::kPark, Signal::kAlways},
                      Config{"coalesced_all_spinning", WakeupMode::kCoalesced, 50us, WorkerIdle::kSpinThenPark,
                             Signal::kIfIdle},
                      Config{"per_call_all_spinning", WakeupMode::kPerCall, 50us, WorkerIdle::kSpinThenPark,
                             Signal::kIfIdle}),
    [](const auto& info) { return std::string(info.param.name); });

// An Offload policy whose batches get no contexts: the calls run in the worker thread's own
// context (what skip_empty_context does when the caller's context is empty).
struct InWorkerContext {
  static std::optional<Context> batch_context() { return std::nullopt; }
};

// Awaits `awaitable` (a task or a batch); true when the await raises CancelledError.
template <class Awaitable>
Coroutine<bool> raises_cancelled(Awaitable awaitable) {
  try {
    co_await std::move(awaitable);
  } catch (const CancelledError&) {
    co_return true;
  }
  co_return false;
}

TEST_P(BatchOffload, ValuesComeBackInOpOrderAcrossChunkBoundaries) {
  EventLoop loop(loop_options());
  fail_on_loop_exceptions(loop);
  auto pool = executor(2);
  for (std::size_t n : {0u, 1u, 63u, 64u, 65u, 1000u}) {
    std::vector<std::atomic<int>> runs(n);
    auto body = [&]() -> Coroutine<std::vector<std::size_t>> {
      std::vector<std::function<std::size_t()>> calls;
      for (std::size_t i = 0; i < n; ++i)
        calls.emplace_back([&runs, i] {
          runs[i].fetch_add(1, std::memory_order_relaxed);
          return i * 3;
        });
      co_return co_await offload_batch(loop, pool.get(), std::move(calls));
    };
    const std::vector<std::size_t> values = loop.run_until_complete(body());
    ASSERT_EQ(values.size(), n);
    for (std::size_t i = 0; i < n; ++i) {
      ASSERT_EQ(values[i], i * 3) << "n=" << n << " op " << i;
      ASSERT_EQ(runs[i].load(), 1) << "n=" << n << ": op " << i << " must run exactly once";
    }
  }
}

TEST_P(BatchOffload, HundredThousandOpsOnTwoWorkersEachRunExactlyOnce) {
  constexpr std::size_t kOps = 100'000;
  EventLoop loop(loop_options());
  fail_on_loop_exceptions(loop);
  auto pool = executor(2);
  std::vector<std::atomic<int>> runs(kOps);
  auto body = [&]() -> Coroutine<std::vector<std::size_t>> {
    auto call = [&runs](std::size_t i) {
      return [&runs, i] {
        runs[i].fetch_add(1, std::memory_order_relaxed);
        return i;
      };
    };
    std::vector<decltype(call(0))> calls;
    calls.reserve(kOps);
    for (std::size_t i = 0; i < kOps; ++i) calls.push_back(call(i));
    co_return co_await offload_batch<InWorkerContext>(loop, pool.get(), std::move(calls));
  };
  const auto values = loop.run_until_complete(body());
  ASSERT_EQ(values.size(), kOps);
  std::size_t misplaced = 0;
  std::size_t wrong_runs = 0;
  for (std::size_t i = 0; i < kOps; ++i) {
    misplaced += values[i] != i;
    wrong_runs += runs[i].load() != 1;
  }
  EXPECT_EQ(misplaced, 0u);
  EXPECT_EQ(wrong_runs, 0u) << "every op runs exactly once";
}

// Op 0 holds the first worker until op kBatchChunk, in the second chunk, has run: the second
// chunk must have gone to the other worker, and both workers' values land in their slots.
TEST_P(BatchOffload, ValuesFromSeveralWorkersLandInTheirOwnSlots) {
  EventLoop loop(loop_options());
  fail_on_loop_exceptions(loop);
  auto pool = executor(2);
  std::latch second_chunk_ran(1);
  auto body = [&]() -> Coroutine<std::vector<std::thread::id>> {
    std::vector<std::function<std::thread::id()>> calls(2 * kBatchChunk, [] { return std::this_thread::get_id(); });
    calls[0] = [&] {
      second_chunk_ran.wait();
      return std::this_thread::get_id();
    };
    calls[kBatchChunk] = [&] {
      second_chunk_ran.count_down();
      return std::this_thread::get_id();
    };
    co_return co_await offload_batch(loop, pool.get(), std::move(calls));
  };
  const auto threads = loop.run_until_complete(body());
  ASSERT_EQ(threads.size(), 2 * kBatchChunk);
  EXPECT_NE(threads[0], threads[kBatchChunk]);
  for (std::size_t i = 1; i < kBatchChunk; ++i) EXPECT_EQ(threads[i], threads[0]) << "a chunk runs on one worker";
  for (std::size_t i = kBatchChunk + 1; i < 2 * kBatchChunk; ++i) EXPECT_EQ(threads[i], threads[kBatchChunk]);
}

TEST_P(BatchOffload, TheLowestIndexExceptionIsRaisedAndEveryOtherOpStillRuns) {
  constexpr std::size_t kOps = 300;
  EventLoop loop(loop_options());
  fail_on_loop_exceptions(loop);
  auto pool = executor(2);
  std::atomic<int> ran{0};
  auto body = [&]() -> Coroutine<std::string> {
    std::vector<std::function<int()>> calls(kOps, [&] { return ++ran; });
    calls[250] = [&]() -> int {
      ++ran;
      throw std::domain_error("op 250");
    };
    calls[71] = [&]() -> int {
      ++ran;
      throw std::domain_error("op 71");
    };
    calls[70] = [&]() -> int {
      ++ran;
      throw std::out_of_range("op 70");
    };
    try {
      co_await offload_batch(loop, pool.get(), std::move(calls));
    } catch (const std::out_of_range& e) {
      co_return e.what();
    } catch (const std::exception& e) {
      co_return std::string("wrong exception: ") + e.what();
    }
    co_return "no exception";
  };
  EXPECT_EQ(loop.run_until_complete(body()), "op 70");
  EXPECT_EQ(ran.load(), static_cast<int>(kOps)) << "the failures stop no other op";
}

TEST_P(BatchOffload, CancellingTheTaskBeforeAnyChunkStartsRunsNoJob) {
  EventLoop loop(loop_options());
  fail_on_loop_exceptions(loop);
  auto pool = executor(1);
  std::latch release(1);
  std::atomic<int> ran{0};
  auto body = [&]() -> Coroutine<bool> {
    (void)pool->submit([&] { release.wait(); });  // Holds the only worker: every chunk stays queued.
    auto count = [&] { ++ran; };
    auto victim = loop.create_task(offload_batch(loop, pool.get(), std::vector<decltype(count)>(200, count)));
    co_await sleep(0s);  // The victim submits its chunks.
    victim->cancel();
    release.count_down();
    co_return co_await raises_cancelled(victim);
  };
  EXPECT_TRUE(loop.run_until_complete(body()));
  pool->shutdown();
  EXPECT_EQ(ran.load(), 0) << "no job of a batch cancelled before it started may run";
}

// Every worker checks the flag before each job, so a cancel also stops the rest of a running chunk.
TEST_P(BatchOffload, CancellingWhileAChunkRunsStopsItsRemainingJobs) {
  EventLoop loop(loop_options());
  fail_on_loop_exceptions(loop);
  auto pool = executor(1);
  std::latch started(1);
  std::latch release(1);
  std::atomic<int> ran{0};
  auto body = [&]() -> Coroutine<bool> {
    std::vector<std::function<void()>> calls(kBatchChunk, [&] { ++ran; });
    calls[0] = [&] {
      ++ran;
      started.count_down();
      release.wait();
    };
    auto batch = detail::submit_batch<InWorkerContext>(loop, *pool, std::move(calls));
    started.wait();
    batch->cancel();
    release.count_down();  // Orders the cancel before the worker's next flag check.
    co_return co_await raises_cancelled(batch);
  };
  EXPECT_TRUE(loop.run_until_complete(body()));
  pool->shutdown();
  EXPECT_EQ(ran.load(), 1) << "only the job that had started runs";
}

TEST_P(BatchOffload, ChunksTheExecutorDropsUnrunCancelTheBatch) {
  EventLoop loop(loop_options());
  fail_on_loop_exceptions(loop);
  auto pool = executor(1);
  std::latch started(1);
  std::latch release(1);
  std::atomic<int> ran{0};
  auto body = [&]() -> Coroutine<bool> {
    auto blocker = loop.run_in_executor(pool.get(), [&] {
      started.count_down();
      release.wait();
    });
    auto count = [&] { ++ran; };
    auto batch = loop.create_task(offload_batch(loop, pool.get(), std::vector<decltype(count)>(100, count)));
    co_await sleep(0s);  // The batch submits its chunks behind the blocker.
    started.wait();
    pool->shutdown(/*wait=*/false, /*cancel_futures=*/true);
    release.count_down();
    co_await blocker;
    // Completes: the dropped chunks still reach the loop, as a cancellation.
    co_return co_await raises_cancelled(batch);
  };
  EXPECT_TRUE(loop.run_until_complete(body()));
  pool->shutdown();
  EXPECT_EQ(ran.load(), 0);
}

// OffloadCopyContextPartial: each op sees the caller's variables in a copy of its own, so what
// one op sets reaches neither the next op on the same worker nor the caller.
TEST_P(BatchOffload, EveryOpRunsInItsOwnCopyOfTheCallersContext) {
  EventLoop loop(loop_options());
  fail_on_loop_exceptions(loop);
  auto pool = executor(1);  // One worker: the ops run one after another on one thread.
  ContextVar<int> var("var", -1);
  auto body = [&]() -> Coroutine<int> {
    var.set(7);
    auto read_then_set = [&var](int i) {
      return [&var, i] {
        const int seen = var.get();
        var.set(i);
        return seen;
      };
    };
    std::vector<decltype(read_then_set(0))> calls;
    for (int i = 0; i < 130; ++i) calls.push_back(read_then_set(i));
    const auto seen = co_await offload_batch<OffloadCopyContextPartial>(loop, pool.get(), std::move(calls));
    for (std::size_t i = 0; i < seen.size(); ++i)
      EXPECT_EQ(seen[i], 7) << "op " << i << " saw another op's write";
    co_return var.get();
  };
  EXPECT_EQ(loop.run_until_complete(body()), 7) << "the caller's value is untouched";
}

// With no contexts the calls run in the worker thread's own context: a ContextVar one job sets is
// seen by the next job on that worker — skip_empty_context's documented leak.
TEST_P(BatchOffload, WithoutContextsAJobsWriteLeaksIntoTheNextJobOnTheWorker) {
  EventLoop loop(loop_options());
  fail_on_loop_exceptions(loop);
  auto pool = executor(1);
  ContextVar<int> var("var", 0);
  auto body = [&]() -> Coroutine<std::vector<int>> {
    std::vector<std::function<int()>> calls{[&var] {
                                              var.set(1);
                                              return 0;
                                            },
                                            [&var] { return var.get(); }};
    co_return co_await offload_batch<InWorkerContext>(loop, pool.get(), std::move(calls));
  };
  EXPECT_EQ(loop.run_until_complete(body())[1], 1);
  EXPECT_EQ(var.get(), 0) << "the caller never sees it";
}

// The point of batching: per op, no lock, no allocation and no wake-up signal; per chunk, one
// completion push (one signal at most). The counts cover the whole await.
TEST_P(BatchOffload, LocksAllocationsAndSignalsArePerChunkNotPerOp) {
  constexpr std::size_t kChunks = 100;
  constexpr std::size_t kOps = kChunks * kBatchChunk;
  EventLoop loop(loop_options());
  fail_on_loop_exceptions(loop);
  auto run_batch = [&](ThreadPoolExecutor& pool) {
    auto body = [&]() -> Coroutine<std::size_t> {
      auto noop = [] { return 1; };
      co_return (co_await offload_batch<InWorkerContext>(loop, &pool, std::vector<decltype(noop)>(kOps, noop))).size();
    };
    return loop.run_until_complete(body());
  };
  // Warm the loop's queues on a pool that is joined before counting starts: a worker signals
  // after its push, so a chunk's signal may land after the batch completed. Joining the counted
  // pool inside the window likewise counts every signal of the counted batch.
  run_batch(*executor(2));
  auto pool = executor(2);
  instrumentation::set_enabled(true);
  const auto before = instrumentation::totals();
  EXPECT_EQ(run_batch(*pool), kOps);
  pool->shutdown();
  const auto counted = instrumentation::totals() - before;
  instrumentation::set_enabled(false);
  using instrumentation::Counter;
  // Per chunk: the executor's submit (3 locks, 2 allocations), the worker's take, the work
  // item's future (2 locks), the idle release, the completion push and the loop's take; plus
  // a handful per batch and the two threads' start.
  EXPECT_LE(counted[Counter::kLockAcquisitions], 12 * kChunks);
  EXPECT_LE(counted[Counter::kHeapAllocations], 4 * kChunks);
  EXPECT_LE(counted[Counter::kLoopWakeupSignals], kChunks);
  if (GetParam().wakeup == WakeupMode::kPerCall) {
    EXPECT_EQ(counted[Counter::kLoopWakeupSignals], kChunks);
  }
}

}  // namespace
}  // namespace offload::runtime
