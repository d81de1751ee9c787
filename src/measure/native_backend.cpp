#include "measure/native_backend.hpp"

#include "runtime/thread_pool_executor.hpp"
#include "strategy/conformance.hpp"
#include "strategy/runtime_options.hpp"

namespace offload::measure {
namespace {

// The executor the point's contenders share. The runner destroys it before their workloads: its
// destructor waits for jobs still running (one abandoned by a wait_for timeout, say), whose
// completions then reach loops that still exist.
class SharedExecutor final : public PointScope {
 public:
  SharedExecutor(std::optional<std::size_t> workers, const runtime::ExecutorOptions& options)
      : executor(workers, "offload", options) {}
  runtime::ThreadPoolExecutor executor;
};

bool executors_agree(std::span<const strategy::Selection> selections) {
  for (const strategy::Selection& s : selections)
    if (strategy::executor_options(s) != strategy::executor_options(selections.front()) ||
        s.executor != selections.front().executor)
      return false;
  return true;
}

}  // namespace

std::optional<std::string> NativeBackend::unsupported(const scenario::Scenario&, const scenario::RuntimeConfig& runtime,
                                                      const strategy::Selection&) const {
  if (!runtime.gc)
    return std::string("runtime.gc = false applies to the cpython backend: the native runtime has no garbage collector");
  if (runtime.loop != scenario::Loop::kAsyncio)
    return "runtime.loop = " + std::string(scenario::to_string(runtime.loop)) + " applies to the cpython backend";
  return std::nullopt;
}

std::unique_ptr<PointScope> NativeBackend::begin_point(const scenario::Scenario& s,
                                                       std::span<const strategy::Selection> selections) {
  if (selections.empty() || s.workload.kind != scenario::WorkloadKind::kOffload ||
      strategy::configures_executor(s.compare.axis) || !executors_agree(selections))
    return nullptr;
  std::optional<std::size_t> workers;
  if (s.runtime.workers) workers = static_cast<std::size_t>(*s.runtime.workers);
  return std::make_unique<SharedExecutor>(workers, strategy::executor_options(selections.front()));
}

std::variant<std::unique_ptr<scenario::Workload>, std::string> NativeBackend::open(
    const scenario::Scenario& scenario, const scenario::RuntimeConfig&, const strategy::Selection& selection,
    PointScope* scope) {
  auto* shared = dynamic_cast<SharedExecutor*>(scope);
  return scenario::make_workload(scenario, selection, shared ? &shared->executor : nullptr);
}

std::vector<report::ConformanceCheck> NativeBackend::probe(const strategy::Selection& selection) {
  std::vector<report::ConformanceCheck> checks;
  for (const auto& probe : strategy::probe_conformance(selection))
    checks.push_back({std::string(strategy::guarantee_id(probe.guarantee)), probe.passed, probe.claimed, probe.detail});
  return checks;
}

}  // namespace offload::measure
