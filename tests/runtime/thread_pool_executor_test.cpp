// ThreadPoolExecutor: results and exceptions reach the futures, FIFO order, lazy thread start and
// idle-worker reuse, the max_workers bound, and every shutdown guarantee — each for all four
// combinations of ExecutorOptions (worker_idle x signal). The options' own guarantees are in
// executor_options_test.cpp.
#include "runtime/thread_pool_executor.hpp"

#include "executor_option_params.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <latch>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace offload::runtime {
namespace {

using testing::all_option_combinations;
using testing::option_name;

// A gate work items block on until the test opens it.
class Gate {
 public:
  void wait() { opened_.wait(); }
  void open() { promise_.set_value(); }

 private:
  std::promise<void> promise_;
  std::shared_future<void> opened_ = promise_.get_future().share();
};

class ThreadPoolExecutorTest : public ::testing::TestWithParam<ExecutorOptions> {};

INSTANTIATE_TEST_SUITE_P(Options, ThreadPoolExecutorTest, ::testing::ValuesIn(all_option_combinations()),
                         option_name);

// Waits (yielding, bounded by the test timeout) until the worker that finished the last item has
// released the idle semaphore: it does so just after completing the future, so result() alone
// does not order the two.
void wait_for_idle_permits(const ThreadPoolExecutor& executor, std::size_t permits) {
  while (executor.idle_permits() < permits) std::this_thread::yield();
}

TEST_P(ThreadPoolExecutorTest, SubmitDeliversResult) {
  ThreadPoolExecutor executor(2, "", GetParam());
  auto future = executor.submit([](int a, int b) { return a + b; }, 2, 3);
  EXPECT_EQ(future->result(), 5);
  auto text = executor.submit([](std::string s) { return s + "!"; }, std::string("hi"));
  EXPECT_EQ(text->result(), "hi!");
}

TEST_P(ThreadPoolExecutorTest, SubmitOfVoidCallableDeliversNone) {
  ThreadPoolExecutor executor(1, "", GetParam());
  std::atomic<bool> ran{false};
  auto future = executor.submit([&ran] { ran = true; });
  EXPECT_EQ(future->result(), None{});
  EXPECT_TRUE(ran);
}

TEST_P(ThreadPoolExecutorTest, SubmitDeliversException) {
  ThreadPoolExecutor executor(1, "", GetParam());
  auto future = executor.submit([]() -> int { throw std::runtime_error("worker failed"); });
  EXPECT_THROW((void)future->result(), std::runtime_error);
  ASSERT_NE(future->exception(), nullptr);
  // The worker survives the exception.
  EXPECT_EQ(executor.submit([] { return 1; })->result(), 1);
}

TEST_P(ThreadPoolExecutorTest, MaxWorkersOneRunsInFifoOrder) {
  ThreadPoolExecutor executor(1, "", GetParam());
  std::vector<int> order;  // Only the single worker writes; result() orders the final read.
  std::vector<std::shared_ptr<ConcurrentFuture<None>>> futures;
  for (int i = 0; i < 200; ++i) futures.push_back(executor.submit([&order, i] { order.push_back(i); }));
  for (auto& f : futures) (void)f->result();
  ASSERT_EQ(order.size(), 200u);
  for (std::size_t i = 0; i < order.size(); ++i) EXPECT_EQ(order[i], static_cast<int>(i));
}

TEST_P(ThreadPoolExecutorTest, ThreadsStartLazily) {
  ThreadPoolExecutor executor(4, "", GetParam());
  EXPECT_EQ(executor.max_workers(), 4u);
  EXPECT_EQ(executor.thread_count(), 0u);
  (void)executor.submit([] { return 0; })->result();
  EXPECT_EQ(executor.thread_count(), 1u);
}

TEST_P(ThreadPoolExecutorTest, IdleWorkerIsReusedBeforeAThreadIsAdded) {
  ThreadPoolExecutor executor(8, "", GetParam());
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(executor.submit([i] { return i; })->result(), i);
    wait_for_idle_permits(executor, 1);
  }
  EXPECT_EQ(executor.thread_count(), 1u);
}

TEST_P(ThreadPoolExecutorTest, NeverMoreThanMaxWorkersThreads) {
  constexpr std::size_t kMaxWorkers = 3;
  ThreadPoolExecutor executor(kMaxWorkers, "", GetParam());
  Gate gate;
  std::latch all_busy(kMaxWorkers);
  std::atomic<int> running{0};
  std::atomic<int> peak{0};
  std::vector<std::shared_ptr<ConcurrentFuture<None>>> futures;
  for (int i = 0; i < 30; ++i) {
    futures.push_back(executor.submit([&] {
      const int now = ++running;
      int seen = peak.load();
      while (now > seen && !peak.compare_exchange_weak(seen, now)) {
      }
      if (now <= static_cast<int>(kMaxWorkers)) all_busy.count_down();
      gate.wait();
      --running;
    }));
    EXPECT_LE(executor.thread_count(), kMaxWorkers);
  }
  all_busy.wait();
  EXPECT_EQ(executor.thread_count(), kMaxWorkers);
  gate.open();
  for (auto& f : futures) (void)f->result();
  EXPECT_EQ(executor.thread_count(), kMaxWorkers);
  EXPECT_EQ(peak.load(), static_cast<int>(kMaxWorkers));
}

TEST_P(ThreadPoolExecutorTest, ShutdownWaitCompletesAllQueuedWork) {
  ThreadPoolExecutor executor(2, "", GetParam());
  Gate gate;
  std::atomic<int> completed{0};
  std::vector<std::shared_ptr<ConcurrentFuture<None>>> futures;
  for (int i = 0; i < 500; ++i) futures.push_back(executor.submit([&] {
    gate.wait();
    ++completed;
  }));
  std::thread opener([&] { gate.open(); });
  executor.shutdown(/*wait=*/true);
  opener.join();
  EXPECT_EQ(completed.load(), 500);
  for (auto& f : futures) {
    EXPECT_TRUE(f->done());
    EXPECT_FALSE(f->cancelled());
  }
}

TEST_P(ThreadPoolExecutorTest, ShutdownCancelFuturesCancelsQueuedFutures) {
  ThreadPoolExecutor executor(1, "", GetParam());
  Gate gate;
  std::latch started(1);
  auto blocker = executor.submit([&] {
    started.count_down();
    gate.wait();
    return 1;
  });
  started.wait();
  std::vector<std::shared_ptr<ConcurrentFuture<int>>> queued;
  std::atomic<int> queued_ran{0};
  for (int i = 0; i < 10; ++i) queued.push_back(executor.submit([&] { return ++queued_ran; }));

  executor.shutdown(/*wait=*/false, /*cancel_futures=*/true);
  for (auto& f : queued) {
    EXPECT_TRUE(f->cancelled());
    EXPECT_THROW((void)f->result(), CancelledError);
  }
  EXPECT_TRUE(blocker->running());
  gate.open();
  executor.shutdown(/*wait=*/true);
  EXPECT_EQ(blocker->result(), 1);
  EXPECT_EQ(queued_ran.load(), 0);
}

TEST_P(ThreadPoolExecutorTest, SubmitAfterShutdownThrowsRuntimeError) {
  ThreadPoolExecutor executor(1, "", GetParam());
  executor.shutdown();
  EXPECT_THROW(executor.submit([] { return 0; }), RuntimeError);
  ThreadPoolExecutor no_wait(1, "", GetParam());
  no_wait.shutdown(/*wait=*/false);
  EXPECT_THROW(no_wait.submit([] { return 0; }), RuntimeError);
}

TEST_P(ThreadPoolExecutorTest, ShutdownIsIdempotentAndSafeFromTwoThreads) {
  ThreadPoolExecutor executor(4, "", GetParam());
  std::atomic<int> completed{0};
  for (int i = 0; i < 100; ++i) executor.submit([&] { ++completed; });
  std::latch start(2);
  auto shut = [&] {
    start.arrive_and_wait();
    executor.shutdown(/*wait=*/true);
    // Every waiting caller returns only after the workers have finished the queue.
    EXPECT_EQ(completed.load(), 100);
  };
  std::thread a(shut);
  std::thread b(shut);
  a.join();
  b.join();
  executor.shutdown();
  executor.shutdown(/*wait=*/false, /*cancel_futures=*/true);
  EXPECT_EQ(completed.load(), 100);
}

TEST_P(ThreadPoolExecutorTest, DestructorWaitsForQueuedWork) {
  std::atomic<int> completed{0};
  {
    ThreadPoolExecutor executor(2, "", GetParam());
    for (int i = 0; i < 100; ++i) executor.submit([&] { ++completed; });
  }
  EXPECT_EQ(completed.load(), 100);
}

TEST_P(ThreadPoolExecutorTest, ZeroMaxWorkersThrowsValueError) {
  EXPECT_THROW(ThreadPoolExecutor(0, "", GetParam()), ValueError);
  ThreadPoolExecutor defaulted(std::nullopt, "", GetParam());
  EXPECT_GE(defaulted.max_workers(), 5u);
  EXPECT_LE(defaulted.max_workers(), 32u);
}

TEST_P(ThreadPoolExecutorTest, EverySubmitCompletesExactlyOnce) {
  constexpr std::size_t kSubmits = 100000;
  std::vector<std::atomic<int>> runs(kSubmits);
  std::atomic<std::size_t> total{0};
  std::vector<std::shared_ptr<ConcurrentFuture<None>>> futures;
  futures.reserve(kSubmits);
  {
    ThreadPoolExecutor executor(4, "", GetParam());
    for (std::size_t i = 0; i < kSubmits; ++i) {
      futures.push_back(executor.submit([&runs, &total, i] {
        runs[i].fetch_add(1, std::memory_order_relaxed);
        total.fetch_add(1, std::memory_order_relaxed);
      }));
    }
  }
  EXPECT_EQ(total.load(), kSubmits);
  for (std::size_t i = 0; i < kSubmits; ++i) {
    ASSERT_EQ(runs[i].load(), 1) << "item " << i;
    ASSERT_TRUE(futures[i]->done()) << "item " << i;
  }
}

}  // namespace
}  // namespace offload::runtime
