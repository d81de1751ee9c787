#include "measure/driver_backend.hpp"

#include <algorithm>
#include <stdexcept>

#include "measure/histogram.hpp"
#include "strategy/conformance.hpp"

namespace offload::measure {
namespace {

// Batches run by a driver; the per-op latencies it returns feed the same histogram the native
// workloads keep.
class DriverWorkload final : public scenario::Workload {
 public:
  DriverWorkload(backend::DriverClient& driver, protocol::WorkloadId id, bool timed_ops)
      : driver_(&driver), id_(id), timed_ops_(timed_ops) {}
  ~DriverWorkload() override {
    try {
      driver_->close(id_);
    } catch (const std::exception&) {
      // A driver that died already said so through the call that failed.
    }
  }

  std::uint64_t run_batch() override { return run_timed(1)->ops; }

  std::optional<scenario::TimedBatches> run_timed(std::uint64_t batches) override {
    const protocol::Sample s = driver_->sample(id_, static_cast<std::int64_t>(batches));
    for (std::int64_t ns : s.latencies_ns) latency_.record(static_cast<std::uint64_t>(ns < 0 ? 0 : ns));
    return scenario::TimedBatches{static_cast<std::uint64_t>(s.ops),          static_cast<double>(s.wall_ns),
                                  static_cast<double>(s.cpu_ns),              static_cast<double>(s.voluntary_switches),
                                  static_cast<double>(s.involuntary_switches), static_cast<double>(s.gc_collections),
                                  static_cast<double>(s.gc_ns)};
  }

  // Null until the driver sent a latency: a driver that cannot time ops one by one reports none.
  LatencyHistogram* latency() override { return timed_ops_ && latency_.count() > 0 ? &latency_ : nullptr; }

 private:
  backend::DriverClient* driver_;
  protocol::WorkloadId id_;
  bool timed_ops_;
  LatencyHistogram latency_;
};

}  // namespace

protocol::WorkloadSpec workload_spec(const scenario::Scenario& s, const scenario::RuntimeConfig& runtime) {
  const scenario::WorkloadConfig& w = s.workload;
  protocol::WorkloadSpec spec;
  spec.kind = std::string(scenario::to_string(w.kind));
  spec.job = std::string(scenario::to_string(w.job));
  spec.job_ns = w.job_ns;
  spec.job_us = w.job_us;
  spec.job_kib = w.job_kib;
  spec.ops = w.ops;
  spec.concurrency = std::string(scenario::to_string(w.concurrency));
  spec.limit = w.limit;
  spec.context_vars = w.context_vars;
  spec.timeout_ms = w.timeout_ms;
  spec.gc = runtime.gc;
  spec.workers = runtime.workers;
  spec.loop = std::string(scenario::to_string(runtime.loop));
  return spec;
}

DriverBackend::DriverBackend(DriverSpec spec) : spec_(std::move(spec)), spare_(start()) {}

DriverBackend::~DriverBackend() = default;

std::unique_ptr<backend::DriverClient> DriverBackend::start() {
  auto client = std::make_unique<backend::DriverClient>(spec_.name, spec_.argv, spec_.deadlines);
  const protocol::Hello hello = client->hello();
  if (spec_.accept) {
    if (std::string refusal = spec_.accept(hello); !refusal.empty()) throw std::runtime_error(refusal);
  }
  if (description_.empty()) description_ = hello.description.empty() ? spec_.id : hello.description;
  return client;
}

backend::DriverClient& DriverBackend::client_for(const scenario::RuntimeConfig& runtime) {
  const std::int64_t key = spec_.process_per_workers ? runtime.workers.value_or(0) : 0;
  if (auto it = clients_.find(key); it != clients_.end()) return *it->second;
  // The first driver was started before any workers value was known: the first one takes it.
  std::unique_ptr<backend::DriverClient>& client = clients_[key];
  client = spare_ ? std::move(spare_) : start();
  return *client;
}

backend::DriverClient& DriverBackend::any_client() { return spare_ ? *spare_ : *clients_.begin()->second; }

protocol::StrategySelection DriverBackend::forwarded(const strategy::Selection& selection) const {
  protocol::StrategySelection out;
  for (const strategy::AxisInfo& axis : strategy::axes()) {
    const bool implemented =
        spec_.axes.empty() || std::find(spec_.axes.begin(), spec_.axes.end(), axis.id) != spec_.axes.end();
    if (implemented) out.emplace_back(axis.id, selection.get(axis.id));
  }
  return out;
}

std::optional<std::string> DriverBackend::unsupported(const scenario::Scenario&, const scenario::RuntimeConfig& runtime,
                                                      const strategy::Selection& selection) const {
  for (const strategy::AxisInfo& axis : strategy::axes()) {
    if (spec_.axes.empty() || std::find(spec_.axes.begin(), spec_.axes.end(), axis.id) != spec_.axes.end()) continue;
    if (selection.get(axis.id) != axis.default_strategy)
      return std::string(axis.id) + "=" + std::string(selection.get(axis.id)) + " has no " + spec_.id +
             " counterpart (" + spec_.id + " is " + std::string(axis.id) + "=" + std::string(axis.default_strategy) + ")";
  }
  if (!spec_.forwards_gc && !runtime.gc)
    return "runtime.gc = false applies to the cpython backend: " + spec_.id + " has no garbage collector";
  return std::nullopt;
}

std::variant<std::unique_ptr<scenario::Workload>, std::string> DriverBackend::open(
    const scenario::Scenario& scenario, const scenario::RuntimeConfig& runtime, const strategy::Selection& selection,
    PointScope*) {
  if (auto reason = unsupported(scenario, runtime, selection)) return *reason;
  backend::DriverClient& client = client_for(runtime);
  auto opened = client.open(workload_spec(scenario, runtime), forwarded(selection));
  if (auto* refused = std::get_if<backend::Unsupported>(&opened)) return refused->reason;
  const bool timed_ops = scenario.workload.kind == scenario::WorkloadKind::kOffload;
  return std::unique_ptr<scenario::Workload>(
      std::make_unique<DriverWorkload>(client, std::get<protocol::WorkloadId>(opened), timed_ops));
}

std::vector<report::ConformanceCheck> DriverBackend::probe(const strategy::Selection& selection) {
  std::vector<report::ConformanceCheck> checks;
  auto probed = any_client().probe(forwarded(selection));
  if (std::get_if<backend::Unsupported>(&probed)) return checks;
  for (const protocol::Probe& p : std::get<std::vector<protocol::Probe>>(probed)) {
    bool claimed = false;
    for (strategy::Guarantee g : strategy::kAllGuarantees)
      if (strategy::guarantee_id(g) == p.guarantee) claimed = strategy::claims(selection, g);
    checks.push_back({p.guarantee, p.passed, claimed, p.detail});
  }
  return checks;
}

}  // namespace offload::measure
