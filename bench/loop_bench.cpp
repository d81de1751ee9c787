// The event loop's two doors: call_soon from the loop thread (how done-callbacks and task steps
// are scheduled, steps 16-17 of an offload) and call_soon_threadsafe from another thread (how a
// worker hands a result back, steps 12 and 14).
#include <benchmark/benchmark.h>

#include <atomic>
#include <cstdint>
#include <thread>

#include "counters.hpp"
#include "runtime/event_loop.hpp"

namespace offload::bench {
namespace {

using runtime::EventLoop;

// One iteration = one handle: call_soon(callback) (a HandleState and a copy_context(), as
// asyncio allocates a Handle and copies the context) and, later, running it inside that
// context. Handles are scheduled state.range(0) at a time and then run by ONE loop iteration:
// stop() is called first, so run_forever() performs exactly one _run_once — ppoll(fd, 0 timeout),
// the thread-safe queue's lock, the timer check — runs the whole batch and returns. That
// per-iteration overhead is shared by the batch, which is why batch:1 and batch:64 differ.
// Everything, including run_forever()'s entry and exit, is in the timed region.
void BM_CallSoon(benchmark::State& state) {
  const std::int64_t batch = state.range(0);
  EventLoop loop;
  std::int64_t ran = 0;
  const auto run_batch = [&] {
    for (std::int64_t i = 0; i < batch; ++i) loop.call_soon([&ran] { ++ran; });
    loop.stop();
    loop.run_forever();
  };
  run_batch();  // Warm-up: the ready deque's first block, the thread's counter slot.

  // Counting pass over 1024 handles, whole batches.
  const std::int64_t counting_batches = (1024 + batch - 1) / batch;
  {
    CountingPass pass;
    for (std::int64_t i = 0; i < counting_batches; ++i) run_batch();
    set_counters(state, pass.finish(), counting_batches * batch);
  }
  ran = 0;
  while (state.KeepRunningBatch(batch)) run_batch();
  if (ran != state.iterations()) state.SkipWithError("a handle did not run exactly once");
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CallSoon)->ArgName("batch")->Arg(1)->Arg(64);

// One iteration = one ROUND TRIP, not the enqueue cost alone: the benchmark thread calls
// call_soon_threadsafe(callback) on a loop running on its own thread and waits until the
// callback has run. The round trip holds the handle allocation, the thread-safe queue's lock,
// the eventfd write, the loop waking from ppoll, draining the fd and the queue, running the
// callback in its context, and the callback waking the benchmark thread (std::atomic::notify;
// libstdc++'s wait spins briefly before it sleeps on a futex). This is the worker -> loop half
// of an offload. Wall time is reported: the benchmark thread sleeps for most of it.
void BM_CallSoonThreadsafe(benchmark::State& state) {
  EventLoop loop;
  std::atomic<std::uint32_t> ran{0};
  std::uint32_t sent = 0;
  std::thread loop_thread([&loop] { loop.run_forever(); });

  const auto round_trip = [&] {
    loop.call_soon_threadsafe([&ran] {
      // Release pairs with the acquire load below: the benchmark thread sees the callback done.
      ran.fetch_add(1, std::memory_order_release);
      ran.notify_one();
    });
    ++sent;
    for (std::uint32_t seen = ran.load(std::memory_order_acquire); seen != sent;
         seen = ran.load(std::memory_order_acquire)) {
      ran.wait(seen, std::memory_order_acquire);
    }
  };
  for (int i = 0; i < 16; ++i) round_trip();  // Warm-up: the loop thread is running and paged in.

  count_ops(state, 256, round_trip, Report::kWithWakeups);
  for (auto _ : state) round_trip();

  loop.call_soon_threadsafe([&loop] { loop.stop(); });
  loop_thread.join();
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CallSoonThreadsafe)->UseRealTime();

}  // namespace
}  // namespace offload::bench
