// Futures: completing a ConcurrentFuture (step 11 of an offload), and copying a finished
// future's state into a loop Future (step 15, the state-copy seam of gh-134173).
//
// None of these runs a loop: a fresh loop Future has no done-callbacks, so set_result()
// schedules nothing and the EventLoop only has to exist.
#include <benchmark/benchmark.h>

#include <cassert>
#include <cstdint>
#include <exception>
#include <memory>
#include <utility>
#include <vector>

#include "counters.hpp"
#include "runtime/concurrent_future.hpp"
#include "runtime/event_loop.hpp"
#include "runtime/future.hpp"
#include "runtime/future_chain.hpp"

namespace offload::bench {
namespace {

using runtime::ConcurrentFuture;
using runtime::EventLoop;
using runtime::Future;

// Ops in each counting pass: these ops are 10-100 ns.
constexpr std::int64_t kCountingOps = 1000;

// Futures prepared per PauseTiming/ResumeTiming pair in BM_ConcurrentFutureSetResult. A pair
// reads the wall and CPU clocks twice (a few hundred ns); over 1024 ops that is under 1 ns/op.
constexpr std::int64_t kFutureBatch = 1024;

// One iteration: set_result(i) on a fresh PENDING ConcurrentFuture<int64> holding one
// done-callback: the lock, the release store of FINISHED, notify_all (no waiter), moving the
// callback list out, and calling the callback after unlocking. Creating each future and
// registering its callback (make_shared, add_done_callback) happens outside the timed region,
// kFutureBatch futures at a time; so does destroying them (the last batch after the loop).
void BM_ConcurrentFutureSetResult(benchmark::State& state) {
  using Fut = ConcurrentFuture<std::int64_t>;
  std::int64_t callbacks_run = 0;
  std::vector<std::shared_ptr<Fut>> batch;
  batch.reserve(kFutureBatch);
  const auto prepare = [&](std::int64_t n) {
    batch.clear();
    for (std::int64_t i = 0; i < n; ++i) {
      batch.push_back(Fut::create());
      batch.back()->add_done_callback([&callbacks_run](Fut&) { ++callbacks_run; });
    }
  };
  const auto complete = [&] {
    std::int64_t i = 0;
    for (auto& future : batch) future->set_result(++i);
  };

  prepare(kCountingOps);
  {
    CountingPass pass;
    complete();
    set_counters(state, pass.finish(), kCountingOps);
  }
  while (state.KeepRunningBatch(kFutureBatch)) {
    state.PauseTiming();
    prepare(kFutureBatch);
    state.ResumeTiming();
    complete();
  }
  if (callbacks_run != kCountingOps + state.iterations())
    state.SkipWithError("a done-callback did not run exactly once");
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ConcurrentFutureSetResult);

// A ConcurrentFuture<int64> FINISHED with a result, as a worker leaves it.
std::shared_ptr<ConcurrentFuture<std::int64_t>> finished_concurrent_future() {
  auto source = ConcurrentFuture<std::int64_t>::create();
  source->set_running_or_notify_cancel();
  source->set_result(42);
  return source;
}

// One iteration, the shape of gh-134173's benchmark: create a fresh loop Future<int64> (one
// allocation), copy the finished ConcurrentFuture's state into it with StateCopy, read the
// result, destroy the future. Everything in the iteration is timed; only the copy differs
// between the two variants (per_field_locks: four locked getters; snapshot: one unlocked
// snapshot()).
template <class StateCopy>
void BM_StateCopy(benchmark::State& state) {
  EventLoop loop;  // Never runs: the fresh futures schedule no callbacks.
  const auto source = finished_concurrent_future();
  const auto copy_once = [&] {
    auto dest = loop.create_future<std::int64_t>();
    StateCopy{}(*source, *dest);
    benchmark::DoNotOptimize(dest->result());
  };
  count_ops(state, kCountingOps, copy_once);
  for (auto _ : state) copy_once();
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK_TEMPLATE(BM_StateCopy, runtime::CopyFutureStatePerField)
    ->Name("BM_StateCopy/per_field_locks");
BENCHMARK_TEMPLATE(BM_StateCopy, runtime::CopyFutureStateSnapshot)->Name("BM_StateCopy/snapshot");

// asyncio.futures._copy_future_state for a loop Future source: what _chain_future uses when
// both sides are asyncio futures. The runtime only chains concurrent -> loop, so the loop ->
// loop copy lives here, written line for line after CPython.
template <class T>
void copy_future_state(const Future<T>& source, Future<T>& dest) {
  assert(source.done() && "state copied from a pending Future");
  if (dest.cancelled()) return;
  if (source.cancelled()) {
    dest.cancel();
  } else if (std::exception_ptr error = source.exception()) {
    dest.set_exception(std::move(error));
  } else {
    dest.set_result(source.result());
  }
}

// One iteration: as BM_StateCopy, with a finished loop Future as the source. Loop futures are
// loop-thread only and take no lock, so this is the floor both BM_StateCopy variants approach.
void BM_StateCopyLoopToLoop(benchmark::State& state) {
  EventLoop loop;
  const auto source = loop.create_future<std::int64_t>();
  source->set_result(42);
  const auto copy_once = [&] {
    auto dest = loop.create_future<std::int64_t>();
    copy_future_state(*source, *dest);
    benchmark::DoNotOptimize(dest->result());
  };
  count_ops(state, kCountingOps, copy_once);
  for (auto _ : state) copy_once();
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_StateCopyLoopToLoop);

}  // namespace
}  // namespace offload::bench
