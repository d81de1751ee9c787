#include "strategy/runtime_options.hpp"

#include <stdexcept>
#include <string>

namespace offload::strategy {
namespace {

template <class E>
E parse(std::string_view axis, std::string_view id) {
  if (auto value = runtime::from_string<E>(id)) return *value;
  throw std::invalid_argument("unknown " + std::string(axis) + " strategy '" + std::string(id) + "'");
}

}  // namespace

runtime::EventLoopOptions loop_options(const Selection& selection) {
  runtime::EventLoopOptions options;
  options.wakeup = parse<runtime::WakeupMode>("wakeup", selection.wakeup);
  return options;
}

runtime::ExecutorOptions executor_options(const Selection& selection) {
  runtime::ExecutorOptions options;
  options.worker_idle = parse<runtime::WorkerIdle>("worker_idle", selection.worker_idle);
  options.signal = parse<runtime::Signal>("signal", selection.signal);
  return options;
}

bool configures_executor(std::string_view axis) {
  return axis == "executor" || axis == "worker_idle" || axis == "signal";
}

}  // namespace offload::strategy
