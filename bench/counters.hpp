// Locks, heap allocations and wake-ups per op for a micro-benchmark, taken in a counting pass
// that is kept out of the timed loop.
//
// Why a separate pass: with instrumentation on, every runtime lock and every operator new pays
// a relaxed load, a taken branch and a thread-local counter store. On 20-50 ns operations that
// would show in the reported time, so each benchmark runs a fixed number of extra ops with
// counting on before its timed loop (counting off) and reports counts / ops.
//
// Why not benchmark::Counter::kAvgIterations: that flag divides by the timed loop's iteration
// count, but the counts come from the counting pass, a different number of ops. The value is
// already per op when it is handed over, so it is reported as is (kDefaults).
#pragma once

#include <benchmark/benchmark.h>

#include <cstdint>

#include "runtime/instrumentation.hpp"

namespace offload::bench {

// Turns instrumentation on for its lifetime and returns what was counted meanwhile, on every
// thread (the totals are process-wide, so a worker's or a loop thread's locks count too).
// Note: events a worker records after it has woken the waiter (releasing the idle semaphore,
// going back to the queue) may fall after finish(); that is at most one op's tail per pass.
class CountingPass {
 public:
  CountingPass() {
    runtime::instrumentation::set_enabled(true);
    before_ = runtime::instrumentation::totals();
  }
  CountingPass(const CountingPass&) = delete;
  CountingPass& operator=(const CountingPass&) = delete;
  ~CountingPass() { runtime::instrumentation::set_enabled(false); }

  // Stops counting and returns the events since construction.
  runtime::instrumentation::Counts finish() {
    runtime::instrumentation::set_enabled(false);
    return runtime::instrumentation::totals() - before_;
  }

 private:
  runtime::instrumentation::Counts before_;
};

// Which counters a benchmark reports: wake-ups only mean something when an op crosses threads.
enum class Report { kLocksAllocs, kWithWakeups };

// Sets locks/op and allocs/op (and wakeups/op: loop + worker wake-up signals, as the
// offload-bench table defines it) from `counts`, measured over `ops` operations.
// Requires: ops > 0.
inline void set_counters(benchmark::State& state, const runtime::instrumentation::Counts& counts,
                         std::int64_t ops, Report report = Report::kLocksAllocs) {
  using runtime::instrumentation::Counter;
  const auto per_op = [ops](std::uint64_t n) {
    return static_cast<double>(n) / static_cast<double>(ops);
  };
  state.counters["locks/op"] = benchmark::Counter(per_op(counts[Counter::kLockAcquisitions]));
  state.counters["allocs/op"] = benchmark::Counter(per_op(counts[Counter::kHeapAllocations]));
  if (report == Report::kWithWakeups) {
    state.counters["wakeups/op"] = benchmark::Counter(
        per_op(counts[Counter::kLoopWakeupSignals] + counts[Counter::kWorkerWakeupSignals]));
  }
}

// Runs op() `ops` times with counting on and sets the counters from what it counted.
template <class Op>
void count_ops(benchmark::State& state, std::int64_t ops, Op&& op,
               Report report = Report::kLocksAllocs) {
  CountingPass pass;
  for (std::int64_t i = 0; i < ops; ++i) op();
  set_counters(state, pass.finish(), ops, report);
}

}  // namespace offload::bench
