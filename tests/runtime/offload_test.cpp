// The whole offload path: to_thread / run_in_executor from a task, through the executor, back
// to the loop. Context propagation and isolation, exceptions, cancellation, callbacks on the
// loop thread, exactly-once completion at scale, shutdown with work in flight.
#include "runtime/to_thread.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <latch>
#include <stdexcept>
#include <thread>
#include <vector>

#include "runtime/asyncio.hpp"
#include "runtime/instrumentation.hpp"

namespace offload::runtime {
namespace {

using namespace std::chrono_literals;

TEST(ToThread, RunsTheCallOnAWorkerThreadAndReturnsItsResult) {
  EventLoop loop;
  const auto loop_thread = std::this_thread::get_id();
  auto body = [&]() -> Coroutine<bool> {
    auto worker_thread = co_await to_thread([] { return std::this_thread::get_id(); });
    co_return worker_thread != loop_thread;
  };
  EXPECT_TRUE(loop.run_until_complete(body()));
}

TEST(ToThread, ContextVarSetBeforeTheCallIsVisibleInTheWorker) {
  EventLoop loop;
  ContextVar<int> request("request", -1);
  auto body = [&]() -> Coroutine<int> {
    request.set(17);
    co_return co_await to_thread([&] { return request.get(); });
  };
  EXPECT_EQ(loop.run_until_complete(body()), 17);
}

TEST(ToThread, WorkerWritesNeverLeakToTheCallerNorToTheNextJobOnThatThread) {
  EventLoop loop;
  loop.set_default_executor(std::make_unique<ThreadPoolExecutor>(1));  // One worker thread.
  ContextVar<int> var("var", 0);
  auto body = [&]() -> Coroutine<std::vector<int>> {
    std::vector<int> seen;
    seen.push_back(co_await to_thread([&] {
      var.set(99);
      return var.get();
    }));
    seen.push_back(var.get());                                    // The caller's view.
    seen.push_back(co_await to_thread([&] { return var.get(); }));  // The next job's view.
    co_return seen;
  };
  EXPECT_EQ(loop.run_until_complete(body()), (std::vector<int>{99, 0, 0}));
}

TEST(ToThread, ExceptionCrossesBackToTheAwaitingTask) {
  EventLoop loop;
  auto body = []() -> Coroutine<int> {
    co_return co_await to_thread([]() -> int { throw std::domain_error("in worker"); });
  };
  EXPECT_THROW(loop.run_until_complete(body()), std::domain_error);
}

TEST(RunInExecutor, CancellingTheLoopFutureCancelsAJobThatHasNotStarted) {
  EventLoop loop;
  ThreadPoolExecutor executor(1);
  std::latch release(1);
  std::atomic<bool> second_ran{false};
  auto body = [&]() -> Coroutine<bool> {
    auto blocker = loop.run_in_executor(&executor, [&] { release.wait(); });
    auto queued = loop.run_in_executor(&executor, [&] { second_ran = true; });
    queued->cancel();
    // The cancel reaches the ConcurrentFuture through a done-callback scheduled with call_soon
    // (as asyncio's _call_check_cancel): let it run before the worker is freed, or the worker may
    // legitimately start the job first.
    co_await sleep(0ms);
    release.count_down();
    co_await blocker;
    co_await sleep(1ms);
    co_return queued->cancelled();
  };
  EXPECT_TRUE(loop.run_until_complete(body()));
  executor.shutdown();
  EXPECT_FALSE(second_ran) << "a cancelled job that had not started must never run";
}

TEST(RunInExecutor, WaitForTimeoutCancelsTheLoopFutureAndRaisesTimeoutError) {
  EventLoop loop;
  ThreadPoolExecutor executor(1);
  std::latch release(1);
  auto body = [&]() -> Coroutine<bool> {
    auto job = loop.run_in_executor(&executor, [&] { release.wait(); });
    bool timed_out = false;
    try {
      co_await wait_for(job, 2ms);
    } catch (const TimeoutError&) {
      timed_out = true;
    }
    release.count_down();
    co_return timed_out && job->cancelled();
  };
  EXPECT_TRUE(loop.run_until_complete(body()));
}

TEST(RunInExecutor, DoneCallbacksRunOnTheLoopThread) {
  EventLoop loop;
  const auto loop_thread = std::this_thread::get_id();
  int callbacks = 0;
  int on_loop_thread = 0;
  auto body = [&]() -> Coroutine<void> {
    std::vector<std::shared_ptr<Future<int>>> futures;
    for (int i = 0; i < 64; ++i) {
      auto f = loop.run_in_executor(nullptr, [i] { return i; });
      f->add_done_callback([&](FutureBase&) {
        ++callbacks;
        on_loop_thread += std::this_thread::get_id() == loop_thread;
      });
      futures.push_back(std::move(f));
    }
    co_await gather(loop, std::move(futures));
    co_await sleep(0s);  // The last done-callbacks run one iteration after gather's.
  };
  loop.run_until_complete(body());
  EXPECT_EQ(callbacks, 64);
  EXPECT_EQ(on_loop_thread, 64);
}

template <class StateCopy>
class ManyOffloads : public ::testing::Test {};
using StateCopies = ::testing::Types<CopyFutureStatePerField, CopyFutureStateSnapshot>;
TYPED_TEST_SUITE(ManyOffloads, StateCopies);

TYPED_TEST(ManyOffloads, HundredThousandInFlightEachCompleteExactlyOnce) {
  constexpr int kJobs = 100'000;
  EventLoop loop;
  std::vector<std::atomic<int>> runs(kJobs);
  auto body = [&]() -> Coroutine<long long> {
    std::vector<std::shared_ptr<Future<int>>> futures;
    futures.reserve(kJobs);
    for (int i = 0; i < kJobs; ++i) {
      futures.push_back(loop.template run_in_executor<TypeParam>(nullptr, [&runs, i] {
        runs[i].fetch_add(1, std::memory_order_relaxed);
        return i;
      }));
    }
    auto results = co_await gather(loop, std::move(futures));
    long long sum = 0;
    for (int r : results) sum += r;
    co_return sum;
  };
  EXPECT_EQ(loop.run_until_complete(body()), static_cast<long long>(kJobs) * (kJobs - 1) / 2);
  int wrong = 0;
  for (auto& r : runs) wrong += r.load() != 1;
  EXPECT_EQ(wrong, 0) << "every job runs exactly once";
}

TEST(RunInExecutor, ClosingTheLoopWithWorkInFlightWaitsForTheWorkersAndDropsTheResults) {
  std::atomic<int> finished{0};
  {
    EventLoop loop;
    auto body = [&]() -> Coroutine<void> {
      for (int i = 0; i < 8; ++i)
        (void)loop.run_in_executor(nullptr, [&] {
          std::this_thread::sleep_for(2ms);
          ++finished;
        });
      co_return;
    };
    loop.run_until_complete(body());
    loop.close();  // Jobs still running: the default executor joins them, results dropped.
  }
  EXPECT_EQ(finished.load(), 8);
}

TEST(RunInExecutor, ShutdownDefaultExecutorWaitsWithoutBlockingTheLoop) {
  EventLoop loop;
  std::atomic<bool> job_done{false};
  int ticks = 0;
  auto body = [&]() -> Coroutine<void> {
    (void)loop.run_in_executor(nullptr, [&] {
      std::this_thread::sleep_for(20ms);
      job_done = true;
    });
    auto ticker = [&]() -> Coroutine<void> {
      while (!job_done) {
        ++ticks;
        co_await sleep(1ms);
      }
    };
    auto t = loop.create_task(ticker());
    co_await loop.shutdown_default_executor();
    co_await t;
  };
  loop.run_until_complete(body());
  EXPECT_TRUE(job_done);
  EXPECT_GT(ticks, 1) << "the loop kept running while the executor shut down";
}

TEST(Instrumentation, CountsLocksAllocationsAndWakeupsOfAnOffload) {
  EventLoop loop;
  auto body = []() -> Coroutine<int> { co_return co_await to_thread([] { return 1; }); };
  loop.run_until_complete(body());  // Warm: the default executor's thread exists now.
  instrumentation::set_enabled(true);
  const auto before = instrumentation::totals();
  loop.run_until_complete(body());
  const auto counted = instrumentation::totals() - before;
  instrumentation::set_enabled(false);
  using instrumentation::Counter;
  EXPECT_GE(counted[Counter::kLockAcquisitions], 4u) << "queue, future, idle semaphore, loop";
  EXPECT_GE(counted[Counter::kHeapAllocations], 5u);
  EXPECT_EQ(counted[Counter::kLoopWakeupSignals], 1u) << "one eventfd write per completion";
}

}  // namespace
}  // namespace offload::runtime
