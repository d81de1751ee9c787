// The strategy axes chosen at run time rather than compiled in: the loop's wake-up mode, idle
// spin and allocator, and the executor's idle, signal and lock behaviour, set when the loop or the executor is built;
// and the gather mode, which the workload reads when it puts a gather's ops in flight. (offload,
// state_copy, executor and completion are compile-time policies, see dispatch.hpp.)
#pragma once

#include <string_view>

#include "runtime/event_loop.hpp"
#include "runtime/thread_pool_executor.hpp"
#include "strategy/registry.hpp"

namespace offload::strategy {

// Requires: the selection's ids are registered (the scenario loader checks).
runtime::EventLoopOptions loop_options(const Selection& selection);
runtime::ExecutorOptions executor_options(const Selection& selection);

// The `gather` axis: how concurrency = gather puts its ops in flight.
enum class GatherMode {
  kTasks,    // "tasks": asyncio.gather over one Task per op, each awaiting offload_call
  kBatched,  // "batched": one runtime::offload_batch over every op, in chunks of kBatchChunk
};
GatherMode gather_mode(const Selection& selection);

// True for the axes whose strategies need executors of their own (executor, worker_idle,
// signal, pool_locks): strategies compared on them cannot share one executor.
bool configures_executor(std::string_view axis);

}  // namespace offload::strategy
