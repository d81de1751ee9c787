#include "measure/native_server.hpp"

#include "measure/sampling.hpp"
#include "scenario/parameters.hpp"
#include "scenario/scenario_loader.hpp"

namespace offload::measure {
namespace {

void set(scenario::Scenario& s, const char* key, scenario::ParameterValue value) {
  if (auto problem = scenario::apply_parameter(s, key, value))
    throw protocol::RequestError(std::string("workload: ") + key + ": " + *problem);
}

scenario::Scenario scenario_of(const protocol::WorkloadSpec& w) {
  scenario::Scenario s;
  s.name = "served";
  set(s, "workload.kind", w.kind);
  set(s, "workload.job", w.job);
  set(s, "workload.job_ns", w.job_ns);
  set(s, "workload.job_us", w.job_us);
  set(s, "workload.job_kib", w.job_kib);
  set(s, "workload.ops", w.ops);
  set(s, "workload.concurrency", w.concurrency);
  set(s, "workload.limit", w.limit);
  set(s, "workload.context_vars", w.context_vars);
  if (w.timeout_ms) set(s, "workload.timeout_ms", *w.timeout_ms);
  set(s, "runtime.gc", w.gc);
  set(s, "runtime.loop", w.loop);
  if (w.workers) set(s, "runtime.workers", *w.workers);
  return s;
}

strategy::Selection selection_of(const protocol::StrategySelection& chosen) {
  strategy::Selection selection;
  for (const auto& [axis_id, strategy_id] : chosen) {
    const strategy::AxisInfo* axis = strategy::find_axis(axis_id);
    if (axis == nullptr) throw protocol::RequestError("selection: unknown axis '" + axis_id + "'");
    if (strategy::find_strategy(*axis, strategy_id) == nullptr)
      throw protocol::RequestError("selection." + axis_id + ": unknown strategy '" + strategy_id + "'");
    selection.set(axis->id, strategy_id);
  }
  return selection;
}

}  // namespace

NativeServer::NativeServer(std::string description) : description_(std::move(description)) {}
NativeServer::~NativeServer() = default;

protocol::Hello NativeServer::hello() {
  protocol::Hello hello;
  hello.backend = "native";
  hello.description = description_;
  return hello;
}

protocol::WorkloadId NativeServer::open(const protocol::WorkloadSpec& workload,
                                        const protocol::StrategySelection& chosen) {
  scenario::Scenario s = scenario_of(workload);
  const strategy::Selection selection = selection_of(chosen);
  // The one contender as a scenario file would compare it, so the loader's cross-key rules apply.
  s.fixed = selection;
  if (s.workload.kind == scenario::WorkloadKind::kOffload) {
    s.compare = {std::string(scenario::kConfigAxis), "served", {}, {{"served", selection, {}, {}, {}}}};
  } else {
    const std::string axis = s.workload.kind == scenario::WorkloadKind::kStateCopy ? "state_copy" : "offload";
    s.compare = {axis, std::string(selection.get(axis)), {}, {}};
  }
  if (auto problem = scenario::cross_key_problem(s)) throw protocol::Unsupported(problem->key + ": " + problem->message);
  if (auto reason = backend_.unsupported(s, s.runtime, selection)) throw protocol::Unsupported(*reason);
  auto opened = backend_.open(s, s.runtime, selection, nullptr);
  if (auto* reason = std::get_if<std::string>(&opened)) throw protocol::Unsupported(*reason);
  workloads_[next_id_] = std::move(std::get<std::unique_ptr<scenario::Workload>>(opened));
  return next_id_++;
}

protocol::Sample NativeServer::sample(protocol::WorkloadId id, std::int64_t batches) {
  const auto it = workloads_.find(id);
  if (it == workloads_.end()) throw protocol::RequestError("unknown workload id " + std::to_string(id));
  const report::Sample s = take_sample(*it->second, static_cast<std::uint64_t>(batches));
  protocol::Sample out;
  out.ops = static_cast<std::int64_t>(s.ops);
  out.wall_ns = static_cast<std::int64_t>(s.wall_ns);
  out.cpu_ns = static_cast<std::int64_t>(s.cpu_ns);
  out.voluntary_switches = static_cast<std::int64_t>(s.voluntary_switches);
  out.involuntary_switches = static_cast<std::int64_t>(s.involuntary_switches);
  return out;
}

std::vector<protocol::Probe> NativeServer::probe(const protocol::StrategySelection& chosen) {
  std::vector<protocol::Probe> probes;
  for (const report::ConformanceCheck& c : backend_.probe(selection_of(chosen)))
    probes.push_back({c.guarantee, c.passed, c.detail});
  return probes;
}

void NativeServer::close(protocol::WorkloadId id) {
  if (workloads_.erase(id) == 0) throw protocol::RequestError("unknown workload id " + std::to_string(id));
}

}  // namespace offload::measure
