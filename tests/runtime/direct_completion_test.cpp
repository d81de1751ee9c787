// The direct completion path (run_in_executor_direct, completion_queue.hpp): exactly-once
// delivery at scale under both wake-up modes, exceptions, cancellation before and after the job
// starts, a job the executor drops, callbacks on the loop thread, and the completion queue's
// one-lock-one-signal burst.
#include "runtime/completion_queue.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
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

class DirectCompletion : public ::testing::TestWithParam<WakeupMode> {
 protected:
  EventLoopOptions options() const { return {.wakeup = GetParam()}; }
};

INSTANTIATE_TEST_SUITE_P(Wakeup, DirectCompletion,
                         ::testing::Values(WakeupMode::kPerCall, WakeupMode::kCoalesced),
                         [](const auto& info) { return std::string(to_string(info.param)); });

TEST_P(DirectCompletion, HundredThousandInFlightEachCompleteExactlyOnce) {
  constexpr int kJobs = 100'000;
  EventLoop loop(options());
  fail_on_loop_exceptions(loop);
  std::vector<std::atomic<int>> runs(kJobs);
  auto body = [&]() -> Coroutine<long long> {
    std::vector<std::shared_ptr<Future<int>>> futures;
    futures.reserve(kJobs);
    for (int i = 0; i < kJobs; ++i) {
      futures.push_back(loop.run_in_executor_direct(nullptr, [&runs, i] {
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

TEST_P(DirectCompletion, ExceptionRaisedByTheJobIsRaisedAtTheAwait) {
  EventLoop loop(options());
  auto body = [&]() -> Coroutine<int> {
    co_return co_await loop.run_in_executor_direct(
        nullptr, []() -> int { throw std::domain_error("in worker"); });
  };
  EXPECT_THROW(loop.run_until_complete(body()), std::domain_error);
}

TEST_P(DirectCompletion, ArgumentsReachTheCallAndVoidBecomesNone) {
  EventLoop loop(options());
  std::atomic<int> seen{0};
  auto body = [&]() -> Coroutine<int> {
    co_await loop.run_in_executor_direct(nullptr, [&](int v) { seen = v; }, 7);
    co_return co_await loop.run_in_executor_direct(nullptr, [](int a, int b) { return a * b; }, 6, 7);
  };
  EXPECT_EQ(loop.run_until_complete(body()), 42);
  EXPECT_EQ(seen.load(), 7);
}

TEST_P(DirectCompletion, CancellingTheLoopFutureBeforeTheJobStartsMeansItNeverRuns) {
  EventLoop loop(options());
  ThreadPoolExecutor executor(1);  // One worker, blocked, so the second job waits in the queue.
  std::latch release(1);
  std::atomic<bool> second_ran{false};
  auto body = [&]() -> Coroutine<bool> {
    auto blocker = loop.run_in_executor_direct(&executor, [&] { release.wait(); });
    auto queued = loop.run_in_executor_direct(&executor, [&] { second_ran = true; });
    queued->cancel();
    release.count_down();
    co_await blocker;
    co_await sleep(1ms);
    co_return queued->cancelled();
  };
  EXPECT_TRUE(loop.run_until_complete(body()));
  executor.shutdown();
  EXPECT_FALSE(second_ran) << "a cancelled job that had not started must never run";
}

TEST_P(DirectCompletion, OutcomeOfAJobThatRanIntoACancelledFutureIsDropped) {
  EventLoop loop(options());
  fail_on_loop_exceptions(loop);
  ThreadPoolExecutor executor(1);
  std::latch started(1);
  std::latch release(1);
  auto body = [&]() -> Coroutine<bool> {
    auto job = loop.run_in_executor_direct(&executor, [&] {
      started.count_down();
      release.wait();
      return 1;
    });
    started.wait();  // The job runs now: cancelling can no longer stop it.
    job->cancel();
    release.count_down();
    executor.shutdown();  // The job has pushed its outcome once this returns.
    co_await sleep(0s);   // One iteration: the outcome is delivered, into a cancelled future.
    co_return job->cancelled();
  };
  EXPECT_TRUE(loop.run_until_complete(body()));
}

TEST_P(DirectCompletion, JobTheExecutorDropsUnrunCancelsTheLoopFuture) {
  EventLoop loop(options());
  ThreadPoolExecutor executor(1);
  std::latch started(1);
  std::latch release(1);
  std::atomic<bool> second_ran{false};
  auto body = [&]() -> Coroutine<bool> {
    auto blocker = loop.run_in_executor_direct(&executor, [&] {
      started.count_down();
      release.wait();
    });
    auto queued = loop.run_in_executor_direct(&executor, [&] { second_ran = true; });
    started.wait();  // Only the second job is still queued when the executor drops its queue.
    executor.shutdown(/*wait=*/false, /*cancel_futures=*/true);
    release.count_down();
    bool cancelled = false;
    try {
      co_await queued;  // Completes: the dropped job still reaches the loop, as a cancellation.
    } catch (const CancelledError&) {
      cancelled = true;
    }
    co_await blocker;
    co_return cancelled;
  };
  EXPECT_TRUE(loop.run_until_complete(body()));
  executor.shutdown();
  EXPECT_FALSE(second_ran);
}

TEST_P(DirectCompletion, DoneCallbacksRunOnTheLoopThread) {
  EventLoop loop(options());
  const auto loop_thread = std::this_thread::get_id();
  int callbacks = 0;
  int on_loop_thread = 0;
  auto body = [&]() -> Coroutine<void> {
    std::vector<std::shared_ptr<Future<int>>> futures;
    for (int i = 0; i < 64; ++i) {
      auto f = loop.run_in_executor_direct(nullptr, [i] { return i; });
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

TEST_P(DirectCompletion, ClosingTheLoopWithWorkInFlightWaitsForTheWorkersAndDropsTheResults) {
  std::atomic<int> finished{0};
  {
    EventLoop loop(options());
    auto body = [&]() -> Coroutine<void> {
      for (int i = 0; i < 8; ++i)
        (void)loop.run_in_executor_direct(nullptr, [&] {
          std::this_thread::sleep_for(2ms);
          ++finished;
        });
      co_return;
    };
    loop.run_until_complete(body());
    loop.close();  // Jobs still running: the default executor joins them, outcomes dropped.
  }
  EXPECT_EQ(finished.load(), 8);
}

TEST_P(DirectCompletion, AnOffloadWritesAtMostOneWakeupSignal) {
  EventLoop loop(options());
  auto body = [&]() -> Coroutine<int> { co_return co_await loop.run_in_executor_direct(nullptr, [] { return 1; }); };
  loop.run_until_complete(body());  // Warm: the default executor's thread exists now.
  instrumentation::set_enabled(true);
  const auto before = instrumentation::totals();
  loop.run_until_complete(body());
  const auto counted = instrumentation::totals() - before;
  instrumentation::set_enabled(false);
  EXPECT_EQ(counted[instrumentation::Counter::kLoopWakeupSignals], 1u);
}

// A completion that records the order it was completed in.
class RecordingCompletion final : public Completion {
 public:
  RecordingCompletion(std::vector<int>& order, int id) : order_(&order), id_(id) {}
  void complete() override { order_->push_back(id_); }

 private:
  std::vector<int>* order_;
  int id_;
};

TEST(CompletionQueue, ABurstTakesOneLockAndOneSignalAndKeepsItsOrder) {
  Wakeup wakeup(WakeupMode::kPerCall);
  CompletionQueue queue(wakeup);
  std::vector<int> order;
  std::vector<std::shared_ptr<Completion>> burst;
  for (int i = 0; i < 100; ++i) burst.push_back(std::make_shared<RecordingCompletion>(order, i));
  instrumentation::set_enabled(true);
  const auto before = instrumentation::totals();
  std::thread worker([&] { queue.push_all(burst); });
  worker.join();
  const auto counted = instrumentation::totals() - before;
  instrumentation::set_enabled(false);
  EXPECT_EQ(counted[instrumentation::Counter::kLockAcquisitions], 1u);
  EXPECT_EQ(counted[instrumentation::Counter::kLoopWakeupSignals], 1u);

  std::vector<std::shared_ptr<Completion>> taken;
  queue.take(taken);
  ASSERT_EQ(taken.size(), 100u);
  for (auto& completion : taken) completion->complete();
  for (int i = 0; i < 100; ++i) ASSERT_EQ(order[i], i);
}

}  // namespace
}  // namespace offload::runtime
