// ExecutorOptions: the ids and defaults, and the guarantees each strategy claims — if_idle never
// loses a wake-up, spin_then_park hands a job that arrives while it spins to the worker without a
// wake-up, and if_idle signals only a parked worker. The parameterized tests run for all four
// combinations and state, per combination, what the counters must show.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <future>
#include <latch>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "runtime/errors.hpp"
#include "runtime/instrumentation.hpp"
#include "runtime/thread_pool_executor.hpp"

#include "executor_option_params.hpp"

namespace offload::runtime {
namespace {

using testing::all_option_combinations;
using testing::option_name;

using instrumentation::Counter;

// A gate work items block on until the test opens it.
class Gate {
 public:
  void wait() { opened_.wait(); }
  void open() { promise_.set_value(); }

 private:
  std::promise<void> promise_;
  std::shared_future<void> opened_ = promise_.get_future().share();
};

// Counts events between construction and counts(); counting is on for the object's lifetime.
class CountingScope {
 public:
  CountingScope() : before_((instrumentation::set_enabled(true), instrumentation::totals())) {}
  ~CountingScope() { instrumentation::set_enabled(false); }
  CountingScope(const CountingScope&) = delete;
  CountingScope& operator=(const CountingScope&) = delete;

  instrumentation::Counts counts() const { return instrumentation::totals() - before_; }

 private:
  instrumentation::Counts before_;
};

TEST(ExecutorOptions, IdsAreStableAndRoundTrip) {
  EXPECT_EQ(to_string(WorkerIdle::kPark), "park");
  EXPECT_EQ(to_string(WorkerIdle::kSpinThenPark), "spin_then_park");
  EXPECT_EQ(to_string(Signal::kAlways), "always");
  EXPECT_EQ(to_string(Signal::kIfIdle), "if_idle");
  for (WorkerIdle idle : {WorkerIdle::kPark, WorkerIdle::kSpinThenPark})
    EXPECT_EQ(from_string<WorkerIdle>(to_string(idle)), idle);
  EXPECT_EQ(to_string(Signal::kIfNoSpinner), "if_no_spinner");
  EXPECT_EQ(to_string(PoolLocks::kCPython), "cpython");
  EXPECT_EQ(to_string(PoolLocks::kQueueOnly), "queue_only");
  for (Signal signal : {Signal::kAlways, Signal::kIfIdle, Signal::kIfNoSpinner})
    EXPECT_EQ(from_string<Signal>(to_string(signal)), signal);
  for (PoolLocks locks : {PoolLocks::kCPython, PoolLocks::kQueueOnly})
    EXPECT_EQ(from_string<PoolLocks>(to_string(locks)), locks);
  EXPECT_EQ(from_string<PoolLocks>("one_lock"), std::nullopt);
  EXPECT_EQ(from_string<WorkerIdle>("spin"), std::nullopt);
  EXPECT_EQ(from_string<WorkerIdle>("always"), std::nullopt);
  EXPECT_EQ(from_string<Signal>("park"), std::nullopt);
  EXPECT_EQ(from_string<Signal>(""), std::nullopt);
}

TEST(ExecutorOptions, DefaultsAreCPythonsBehaviour) {
  const ExecutorOptions defaults;
  EXPECT_EQ(defaults.worker_idle, WorkerIdle::kPark);
  EXPECT_EQ(defaults.signal, Signal::kAlways);
  EXPECT_EQ(defaults.spin_before_park, std::chrono::microseconds(50));
  EXPECT_EQ(defaults.pool_locks, PoolLocks::kCPython);
  // The two-argument constructor is the CPython model.
  ThreadPoolExecutor executor(1);
  EXPECT_EQ(executor.options().worker_idle, WorkerIdle::kPark);
  EXPECT_EQ(executor.options().signal, Signal::kAlways);
}

TEST(ExecutorOptions, ExecutorKeepsTheOptionsItWasBuiltWith) {
  ExecutorOptions options;
  options.worker_idle = WorkerIdle::kSpinThenPark;
  options.spin_before_park = std::chrono::microseconds(7);
  options.signal = Signal::kIfIdle;
  ThreadPoolExecutor executor(2, "opts", options);
  EXPECT_EQ(executor.options().worker_idle, WorkerIdle::kSpinThenPark);
  EXPECT_EQ(executor.options().spin_before_park, std::chrono::microseconds(7));
  EXPECT_EQ(executor.options().signal, Signal::kIfIdle);
  EXPECT_EQ(executor.submit([] { return 3; })->result(), 3);
}

TEST(ExecutorOptions, NegativeSpinThrowsValueError) {
  ExecutorOptions options;
  options.worker_idle = WorkerIdle::kSpinThenPark;
  options.spin_before_park = std::chrono::nanoseconds(-1);
  EXPECT_THROW(ThreadPoolExecutor(1, "", options), ValueError);
}

// Once every worker runs: cpython pays 3 locks per submit (shutdown, queue, idle semaphore) and 2
// per item on the worker (queue, semaphore); queue_only 1 + 1. Each item's worker-side locks come
// after the item ran, so the warm-up item's may fall inside the count and the last item's outside.
TEST(ExecutorOptions, QueueOnlyTakesOneLockPerSubmitAndOnePerItemOnceThePoolIsFull) {
  constexpr std::uint64_t kItems = 200;
  for (PoolLocks locks : {PoolLocks::kCPython, PoolLocks::kQueueOnly}) {
    ExecutorOptions options;
    options.pool_locks = locks;
    ThreadPoolExecutor executor(1, "", options);
    ASSERT_EQ(executor.submit([] { return 0; })->result(), 0);  // Starts the only worker.
    std::atomic<std::uint64_t> ran{0};
    instrumentation::Counts counted;
    {
      CountingScope counting;
      for (std::uint64_t i = 0; i < kItems; ++i) executor.post([&ran] { ran.fetch_add(1); });
      while (ran.load() < kItems) std::this_thread::yield();
      counted = counting.counts();
    }
    const std::uint64_t per_item = locks == PoolLocks::kQueueOnly ? 2 : 5;
    const std::uint64_t worker_side = locks == PoolLocks::kQueueOnly ? 1 : 2;
    EXPECT_LE(counted[Counter::kLockAcquisitions], kItems * per_item + worker_side) << to_string(locks);
    EXPECT_GE(counted[Counter::kLockAcquisitions], kItems * per_item - worker_side) << to_string(locks);
  }
}

// post(): no ConcurrentFuture; an item dropped by shutdown(cancel_futures) is destroyed unrun.
TEST(ExecutorOptions, PostedItemTheExecutorDropsIsDestroyedWithoutRunning) {
  struct Probe {
    bool* ran;
    bool* destroyed_unrun;
    bool armed = true;
    Probe(bool* r, bool* d) : ran(r), destroyed_unrun(d) {}
    Probe(Probe&& other) noexcept : ran(other.ran), destroyed_unrun(other.destroyed_unrun) { other.armed = false; }
    ~Probe() {
      if (armed && !*ran) *destroyed_unrun = true;
    }
    void operator()() { *ran = true; }
  };
  ThreadPoolExecutor executor(1);
  Gate gate;
  std::latch started(1);
  executor.post([&] {
    started.count_down();
    gate.wait();
  });
  started.wait();
  bool ran = false;
  bool destroyed_unrun = false;
  executor.post(Probe(&ran, &destroyed_unrun));
  executor.shutdown(/*wait=*/false, /*cancel_futures=*/true);
  EXPECT_TRUE(destroyed_unrun);
  gate.open();
  executor.shutdown(/*wait=*/true);
  EXPECT_FALSE(ran);
  EXPECT_THROW(executor.post([] {}), RuntimeError);
}

class ExecutorOptionsTest : public ::testing::TestWithParam<ExecutorOptions> {};

INSTANTIATE_TEST_SUITE_P(Options, ExecutorOptionsTest, ::testing::ValuesIn(all_option_combinations()), option_name);

// Waits for `future` by polling, so the caller submits its next item the moment the previous one
// is done: while the worker that ran it is on its way from BUSY back to PARKED, the window in
// which a wake-up can be lost. Returns false if the future is not done by `deadline`.
template <class T>
bool poll_until_done(const ConcurrentFuture<T>& future, std::chrono::steady_clock::time_point deadline) {
  while (!future.done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::yield();
  }
  return true;
}

// Rounds of submit-and-wait while the workers go idle in between, on pools of 1, 2 and 4 workers
// (with one worker nobody else can pick up an item whose wake-up was lost). Each round delays its
// submit by 0-3 µs more than the last, sweeping the put across the worker's trip back to the
// queue; every 8th round sleeps so that every worker has finished spinning and parked. A lost
// wake-up would leave an item queued forever: a watchdog fails the round after 10 s (generous, so
// a sanitizer build never trips it), and the executor's destructor still returns, because
// shutdown() wakes every parked worker and they drain the queue.
TEST_P(ExecutorOptionsTest, NoWakeupIsEverLostWhileWorkersGoIdle) {
  constexpr int kRoundsPerPool = 5000;
  constexpr auto kWatchdog = std::chrono::seconds(10);
  ExecutorOptions options = GetParam();
  // A short spin, so spinning workers reach the park step (and its races) in most rounds.
  options.spin_before_park = std::chrono::microseconds(2);

  for (const int workers : {1, 2, 4}) {
    ThreadPoolExecutor executor(workers, "", options);
    // Start every worker, so several can be parked at once.
    Gate gate;
    std::latch all_started(workers);
    std::vector<std::shared_ptr<ConcurrentFuture<None>>> warmup;
    for (int i = 0; i < workers; ++i) warmup.push_back(executor.submit([&] {
      all_started.count_down();
      gate.wait();
    }));
    all_started.wait();
    gate.open();
    for (auto& f : warmup) (void)f->result();
    ASSERT_EQ(executor.thread_count(), static_cast<std::size_t>(workers));

    std::vector<std::shared_ptr<ConcurrentFuture<int>>> batch;
    for (int round = 0; round < kRoundsPerPool; ++round) {
      const auto delay = std::chrono::nanoseconds(round % 31 * 100);
      for (const auto until = std::chrono::steady_clock::now() + delay; std::chrono::steady_clock::now() < until;) {
      }
      // One item in most rounds, now and then one per worker so several parked workers need waking.
      batch.clear();
      const int items = round % 5 == 4 ? workers : 1;
      for (int i = 0; i < items; ++i) batch.push_back(executor.submit([round] { return round; }));
      const auto deadline = std::chrono::steady_clock::now() + kWatchdog;
      for (auto& f : batch) {
        ASSERT_TRUE(poll_until_done(*f, deadline))
            << workers << " workers, round " << round << ": an item stayed queued for 10 s (a lost wake-up)";
        ASSERT_EQ(f->result(), round);
      }
      if (round % 8 == 7) std::this_thread::sleep_for(std::chrono::microseconds(100));
    }
  }
}

// With spin_then_park, the worker that finished the previous job is still spinning when the next
// one is submitted (the window, 20 ms here, is far longer than a round trip even under a
// sanitizer), so it takes the job without a futex wake-up. Robust to a preempted thread: at most
// 10% of the rounds may wake, and half must be spin hits. With park, no worker ever spins.
TEST_P(ExecutorOptionsTest, SpinningWorkerTakesTheNextJobWithoutAWakeup) {
  constexpr int kRounds = 300;
  ExecutorOptions options = GetParam();
  // It tells an idle worker by its idle permit, which queue_only stops releasing once the pool is full.
  if (options.pool_locks == PoolLocks::kQueueOnly) GTEST_SKIP() << "queue_only keeps no idle permits";
  options.spin_before_park = std::chrono::milliseconds(20);
  ThreadPoolExecutor executor(1, "", options);
  ASSERT_EQ(executor.submit([] { return 0; })->result(), 0);  // Start the worker.

  instrumentation::Counts counted;
  {
    CountingScope counting;
    for (int round = 1; round <= kRounds; ++round) {
      ASSERT_EQ(executor.submit([round] { return round; })->result(), round);
      // Submit the next job once the worker is idle again: it releases its idle permit just before
      // it spins (or parks); the pause lets it reach the spin (or the park) even in a sanitizer
      // build, so the job finds it waiting rather than still finishing the last one.
      while (executor.idle_permits() == 0) std::this_thread::yield();
      std::this_thread::sleep_for(std::chrono::microseconds(50));
    }
    counted = counting.counts();
  }
  const std::uint64_t wakeups = counted[Counter::kWorkerWakeups];
  const std::uint64_t spin_hits = counted[Counter::kWorkerSpinHits];
  EXPECT_LE(wakeups + spin_hits, static_cast<std::uint64_t>(kRounds)) << "at most one of the two per job";
  if (options.worker_idle == WorkerIdle::kSpinThenPark) {
    EXPECT_LE(wakeups, static_cast<std::uint64_t>(kRounds / 10));
    EXPECT_GE(spin_hits, static_cast<std::uint64_t>(kRounds / 2));
  } else {
    EXPECT_EQ(spin_hits, 0u);
  }
  if (options.signal != Signal::kAlways && options.worker_idle == WorkerIdle::kSpinThenPark) {
    // The worker was spinning, not parked, so almost no put needed a signal.
    EXPECT_LE(counted[Counter::kWorkerWakeupSignals], static_cast<std::uint64_t>(kRounds / 10));
  }
  if (options.signal == Signal::kAlways) {
    EXPECT_EQ(counted[Counter::kWorkerWakeupSignals], static_cast<std::uint64_t>(kRounds)) << "one per put";
  }
}

// A burst arrives while every worker is busy: always signals on every put, if_idle on none (no
// worker is parked, and each busy worker re-checks the queue before it parks). Every item still
// runs.
TEST_P(ExecutorOptionsTest, BurstToBusyWorkersSignalsOnlyIfAWorkerIsParked) {
  constexpr int kWorkers = 2;
  constexpr int kBurst = 1000;
  ThreadPoolExecutor executor(kWorkers, "", GetParam());
  Gate gate;
  std::latch all_busy(kWorkers);
  std::vector<std::shared_ptr<ConcurrentFuture<None>>> blockers;
  for (int i = 0; i < kWorkers; ++i) blockers.push_back(executor.submit([&] {
    all_busy.count_down();
    gate.wait();
  }));
  all_busy.wait();

  std::vector<std::shared_ptr<ConcurrentFuture<int>>> burst;
  instrumentation::Counts counted;
  {
    CountingScope counting;
    for (int i = 0; i < kBurst; ++i) burst.push_back(executor.submit([i] { return i; }));
    counted = counting.counts();
  }
  const std::uint64_t signals = counted[Counter::kWorkerWakeupSignals];
  if (GetParam().signal == Signal::kAlways) {
    EXPECT_EQ(signals, static_cast<std::uint64_t>(kBurst));
  } else {
    EXPECT_EQ(signals, 0u);
  }

  gate.open();
  for (auto& f : blockers) (void)f->result();
  for (int i = 0; i < kBurst; ++i) EXPECT_EQ(burst[i]->result(), i);
  EXPECT_EQ(executor.thread_count(), static_cast<std::size_t>(kWorkers));
}

}  // namespace
}  // namespace offload::runtime
