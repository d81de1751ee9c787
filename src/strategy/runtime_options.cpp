#include "strategy/runtime_options.hpp"

#include <stdexcept>
#include <string>

namespace offload::strategy {
namespace {

// loop_idle=spin_then_park: as long as the executor's idle spin (ExecutorOptions), so both ends
// of a sequential offload stay awake across one round trip.
constexpr std::chrono::nanoseconds kLoopIdleSpin{50'000};

template <class E>
E parse(std::string_view axis, std::string_view id) {
  if (auto value = runtime::from_string<E>(id)) return *value;
  throw std::invalid_argument("unknown " + std::string(axis) + " strategy '" + std::string(id) + "'");
}

}  // namespace

runtime::EventLoopOptions loop_options(const Selection& selection) {
  runtime::EventLoopOptions options;
  options.wakeup = parse<runtime::WakeupMode>("wakeup", selection.wakeup);
  if (selection.loop_idle == "spin_then_park") options.idle_spin = kLoopIdleSpin;
  else if (selection.loop_idle != "park")
    throw std::invalid_argument("unknown loop_idle strategy '" + selection.loop_idle + "'");
  if (selection.allocator == "free_lists") options.free_lists = true;
  else if (selection.allocator != "malloc")
    throw std::invalid_argument("unknown allocator strategy '" + selection.allocator + "'");
  return options;
}

runtime::ExecutorOptions executor_options(const Selection& selection) {
  runtime::ExecutorOptions options;
  options.worker_idle = parse<runtime::WorkerIdle>("worker_idle", selection.worker_idle);
  options.signal = parse<runtime::Signal>("signal", selection.signal);
  options.pool_locks = parse<runtime::PoolLocks>("pool_locks", selection.pool_locks);
  return options;
}

GatherMode gather_mode(const Selection& selection) {
  if (selection.gather == "tasks") return GatherMode::kTasks;
  if (selection.gather == "batched") return GatherMode::kBatched;
  throw std::invalid_argument("unknown gather strategy '" + selection.gather + "'");
}

bool configures_executor(std::string_view axis) {
  return axis == "executor" || axis == "worker_idle" || axis == "signal" || axis == "pool_locks";
}

}  // namespace offload::strategy
