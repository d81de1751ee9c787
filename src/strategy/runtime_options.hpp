// The strategy axes that configure the runtime rather than change a code path: the loop's
// wake-up mode and idle spin, and the executor's idle and signal behaviour, chosen when the loop or the
// executor is built. (offload, state_copy, executor and completion are compile-time policies,
// see dispatch.hpp.)
#pragma once

#include <string_view>

#include "runtime/event_loop.hpp"
#include "runtime/thread_pool_executor.hpp"
#include "strategy/registry.hpp"

namespace offload::strategy {

// Requires: the selection's ids are registered (the scenario loader checks).
runtime::EventLoopOptions loop_options(const Selection& selection);
runtime::ExecutorOptions executor_options(const Selection& selection);

// True for the axes whose strategies need executors of their own (executor, worker_idle,
// signal): strategies compared on them cannot share one executor.
bool configures_executor(std::string_view axis);

}  // namespace offload::strategy
