// Text names of the scenario model's enums and values: the spelling scenario files and reports use.
#include "scenario/scenario.hpp"

#include <charconv>
#include <stdexcept>
#include <string>
#include <system_error>

namespace offload::scenario {

strategy::Selection selection_of(const Scenario& scenario, std::string_view id) {
  if (scenario.compare.axis == kConfigAxis) {
    for (const NamedConfig& config : scenario.compare.configs)
      if (config.name == id) return config.selection;
    throw std::invalid_argument("no configuration named '" + std::string(id) + "'");
  }
  strategy::Selection selection = scenario.fixed;
  selection.set(scenario.compare.axis, id);
  return selection;
}

RuntimeConfig runtime_of(const Scenario& scenario, std::string_view id) {
  RuntimeConfig runtime = scenario.runtime;
  if (scenario.compare.axis != kConfigAxis) return runtime;
  for (const NamedConfig& config : scenario.compare.configs) {
    if (config.name != id) continue;
    if (config.backend) runtime.backend = *config.backend;
    if (config.loop) runtime.loop = *config.loop;
    if (config.python) runtime.python = *config.python;
  }
  return runtime;
}

std::string_view to_string(Backend backend) {
  switch (backend) {
    case Backend::kNative: return "native";
    case Backend::kCPython: return "cpython";
    case Backend::kLibuv: return "libuv";
    case Backend::kAsio: return "asio";
  }
  return "unknown";
}

std::string_view to_string(Loop loop) {
  switch (loop) {
    case Loop::kAsyncio: return "asyncio";
    case Loop::kUvloop: return "uvloop";
  }
  return "unknown";
}

std::string_view to_string(WorkloadKind kind) {
  switch (kind) {
    case WorkloadKind::kOffload: return "offload";
    case WorkloadKind::kStateCopy: return "state_copy";
    case WorkloadKind::kOffloadWrap: return "offload_wrap";
  }
  return "unknown";
}

std::string_view to_string(Job job) {
  switch (job) {
    case Job::kNoop: return "noop";
    case Job::kSpin: return "spin";
    case Job::kSleep: return "sleep";
    case Job::kStat: return "stat";
    case Job::kRead: return "read";
    case Job::kGil: return "gil";
  }
  return "unknown";
}

std::string_view to_string(Concurrency concurrency) {
  switch (concurrency) {
    case Concurrency::kGather: return "gather";
    case Concurrency::kSequential: return "sequential";
    case Concurrency::kBounded: return "bounded";
  }
  return "unknown";
}

// Strings are written bare (`gather`, not `"gather"`): the text labels a sweep point in reports.
// Floats use the shortest form that reads back to the same double (`0.5`, `100`).
std::string to_string(const ParameterValue& value) {
  struct Visitor {
    std::string operator()(std::int64_t v) const { return std::to_string(v); }
    std::string operator()(double v) const {
      char buffer[32];
      const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, v);
      if (ec != std::errc{}) return "nan";
      return std::string(buffer, end);
    }
    std::string operator()(const std::string& v) const { return v; }
    std::string operator()(bool v) const { return v ? "true" : "false"; }
  };
  return std::visit(Visitor{}, value);
}

}  // namespace offload::scenario
