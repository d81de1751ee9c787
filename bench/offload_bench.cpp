// Whole round trips through a thread pool: ThreadPoolExecutor::submit -> result() from a plain
// thread, and `co_await to_thread<Offload>(job)` from a task on a running loop, with each
// offload strategy (src/strategy/offload.hpp) on an empty and a one-variable caller context.
//
// Wall time is reported (UseRealTime): the calling thread sleeps while the worker runs, so its
// CPU time says little.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <optional>

#include "counters.hpp"
#include "runtime/asyncio.hpp"
#include "strategy/offload.hpp"

namespace offload::bench {
namespace {

using runtime::Context;
using runtime::ContextVar;
using runtime::Coroutine;
using runtime::EventLoop;

// Untimed round trips before counting and timing: they start the worker threads and fault in
// the queues, so neither a thread start nor a first-touch page fault lands in a measured op.
constexpr int kWarmupOps = 16;
// Ops in each counting pass: a round trip is 5-50 us here, so 256 of them take a few ms.
constexpr std::int64_t kCountingOps = 256;

// The offloaded job: as small as a job gets, so what is timed is the machinery.
std::int64_t tiny_job() { return 1; }

// One iteration: submit(tiny_job) on a ThreadPoolExecutor(1), then result(): the future and
// work item allocations, the queue lock and worker notify, the worker waking, running the job
// and completing the future, the caller waking from the future's condition variable.
void BM_ExecutorRoundTrip(benchmark::State& state) {
  runtime::ThreadPoolExecutor executor(1);
  const auto round_trip = [&executor] {
    benchmark::DoNotOptimize(executor.submit(tiny_job)->result());
  };
  for (int i = 0; i < kWarmupOps; ++i) round_trip();
  count_ops(state, kCountingOps, round_trip, Report::kWithWakeups);
  for (auto _ : state) round_trip();
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ExecutorRoundTrip)->UseRealTime();

// The coroutine a BM_ToThread run executes as its task. Google Benchmark's State loop runs
// inside it: the task runs on this (the benchmark) thread, inside run_until_complete, so
// `for (auto _ : state) co_await ...` starts the timer at the first iteration and stops it
// after the last, with each awaited offload suspending the task in between. No manual timing
// or PauseTiming is needed, and the timed region is exactly state.iterations() sequential
// offloads: loop and task creation, the caller's ContextVar set, the warm-up and the counting
// pass come before it; loop shutdown and the executor join come after it.
template <class Offload>
Coroutine<void> offload_task(benchmark::State& state, ContextVar<std::int64_t>* caller_var) {
  // Set in the task's own context, which every to_thread copies (one_var); else it stays empty.
  if (caller_var != nullptr) (void)caller_var->set(7);

  for (int i = 0; i < kWarmupOps; ++i) co_await runtime::to_thread<Offload>(tiny_job);
  {
    CountingPass pass;
    for (std::int64_t i = 0; i < kCountingOps; ++i) co_await runtime::to_thread<Offload>(tiny_job);
    set_counters(state, pass.finish(), kCountingOps, Report::kWithWakeups);
  }
  std::int64_t sum = 0;
  for (auto _ : state) sum += co_await runtime::to_thread<Offload>(tiny_job);
  if (sum != state.iterations()) state.SkipWithError("an offload returned a wrong value");
}

// One iteration: one `co_await to_thread<Offload>(tiny_job)` from a task on a running loop,
// on the loop's default executor (workers started by the warm-up), with the default state copy
// (per_field_locks). Steps 1-17 of docs/architecture.md: the offload strategy changes steps
// 1-2, everything else is shared. kOneVar: the caller has one ContextVar set, so
// skip_empty_context cannot skip the copy; without it the caller's context is empty.
template <class Offload, bool kOneVar>
void BM_ToThread(benchmark::State& state) {
  // A fresh, empty context: the task copies it at creation, so "empty" does not depend on what
  // ran on this thread before.
  Context().run([&state] {
    std::optional<ContextVar<std::int64_t>> var;
    if (kOneVar) var.emplace("caller_var");
    EventLoop loop;
    loop.run_until_complete(offload_task<Offload>(state, var ? &*var : nullptr));
  });
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK_TEMPLATE(BM_ToThread, runtime::OffloadCopyContextPartial, false)
    ->Name("BM_ToThread/copy_context_partial/empty")
    ->UseRealTime();
BENCHMARK_TEMPLATE(BM_ToThread, runtime::OffloadCopyContextPartial, true)
    ->Name("BM_ToThread/copy_context_partial/one_var")
    ->UseRealTime();
BENCHMARK_TEMPLATE(BM_ToThread, strategy::OffloadSkipEmptyContext, false)
    ->Name("BM_ToThread/skip_empty_context/empty")
    ->UseRealTime();
BENCHMARK_TEMPLATE(BM_ToThread, strategy::OffloadSkipEmptyContext, true)
    ->Name("BM_ToThread/skip_empty_context/one_var")
    ->UseRealTime();

}  // namespace
}  // namespace offload::bench
