#include "measure/cpython_backend.hpp"

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <string_view>
#include <utility>

#include "measure/histogram.hpp"
#include "strategy/conformance.hpp"

namespace offload::measure {
namespace {

// The axes the driver implements in Python; every other axis must stay at its default, which is
// what CPython does.
constexpr std::string_view kDriverAxes[] = {"offload", "state_copy"};

backend::StrategySelection to_driver(const strategy::Selection& selection) {
  backend::StrategySelection out;
  for (std::string_view axis : kDriverAxes) out.emplace_back(axis, selection.get(axis));
  return out;
}

// Why the interpreter cannot run `selection`, or nullopt.
std::optional<std::string> unsupported(const strategy::Selection& selection) {
  for (const strategy::AxisInfo& axis : strategy::axes()) {
    if (std::find(std::begin(kDriverAxes), std::end(kDriverAxes), axis.id) != std::end(kDriverAxes)) continue;
    if (selection.get(axis.id) != axis.default_strategy)
      return std::string(axis.id) + "=" + std::string(selection.get(axis.id)) + " has no CPython counterpart (CPython is " +
             std::string(axis.id) + "=" + std::string(axis.default_strategy) + ")";
  }
  return std::nullopt;
}

backend::WorkloadSpec to_driver(const scenario::Scenario& s) {
  const scenario::WorkloadConfig& w = s.workload;
  backend::WorkloadSpec spec;
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
  spec.gc = s.runtime.gc;
  spec.workers = s.runtime.workers;
  return spec;
}

bool at_least(const backend::PythonVersion& v, const backend::PythonVersion& min) {
  if (v.major != min.major) return v.major > min.major;
  if (v.minor != min.minor) return v.minor > min.minor;
  return v.micro >= min.micro;
}

std::string to_string(const backend::PythonVersion& v) {
  return std::to_string(v.major) + "." + std::to_string(v.minor) + "." + std::to_string(v.micro);
}

// Batches run by the driver; the per-op latencies it returns feed the same histogram the
// native workloads keep.
class CPythonWorkload final : public scenario::Workload {
 public:
  CPythonWorkload(backend::PythonDriver& driver, backend::WorkloadId id, bool timed_ops)
      : driver_(&driver), id_(id), timed_ops_(timed_ops) {}
  ~CPythonWorkload() override {
    try {
      driver_->close(id_);
    } catch (const std::exception&) {
      // A driver that died already said so through the call that failed.
    }
  }

  std::uint64_t run_batch() override { return run_timed(1)->ops; }

  std::optional<scenario::TimedBatches> run_timed(std::uint64_t batches) override {
    backend::DriverSample s = driver_->sample(id_, static_cast<std::int64_t>(batches));
    for (std::int64_t ns : s.latencies_ns) latency_.record(static_cast<std::uint64_t>(ns < 0 ? 0 : ns));
    return scenario::TimedBatches{static_cast<std::uint64_t>(s.ops),
                                  static_cast<double>(s.wall_ns),
                                  static_cast<double>(s.cpu_ns),
                                  static_cast<double>(s.voluntary_switches),
                                  static_cast<double>(s.involuntary_switches),
                                  static_cast<double>(s.gc_collections),
                                  static_cast<double>(s.gc_ns)};
  }

  LatencyHistogram* latency() override { return timed_ops_ ? &latency_ : nullptr; }

 private:
  backend::PythonDriver* driver_;
  backend::WorkloadId id_;
  bool timed_ops_;
  LatencyHistogram latency_;
};

}  // namespace

std::variant<std::unique_ptr<CPythonSession>, std::string> CPythonSession::start(const std::string& python,
                                                                                 const std::string& argv0) {
  const std::optional<std::string> interpreter = backend::find_python(python);
  if (!interpreter)
    return python.empty() ? std::string("no python3 on PATH (install python3 or pass --python PATH)")
                          : "python interpreter '" + python + "' not found or not executable";
  const std::string script = backend::find_driver_script(argv0);
  if (script.empty())
    return std::string("driver directory offload_bench_driver not found next to the binary or in ../share/offload-bench/");
  try {
    auto driver = std::make_unique<backend::PythonDriver>(*interpreter, script);
    const backend::DriverHello hello = driver->hello();
    if (hello.implementation != "cpython")
      return *interpreter + " is " + hello.implementation + " " + to_string(hello.version) +
             ", not CPython: the backend models CPython's asyncio";
    if (!at_least(hello.version, kMinimumPython))
      return *interpreter + " is Python " + to_string(hello.version) + "; the cpython backend needs " +
             to_string(kMinimumPython) + " or newer";
    return std::unique_ptr<CPythonSession>(new CPythonSession(
        std::move(driver), "CPython " + to_string(hello.version) + " (" + hello.executable + ")"));
  } catch (const std::exception& e) {
    return std::string(e.what());
  }
}

std::variant<std::unique_ptr<scenario::Workload>, std::string> CPythonSession::open(
    const scenario::Scenario& scenario, const strategy::Selection& selection) {
  if (auto reason = unsupported(selection)) return *reason;
  auto opened = driver_->open(to_driver(scenario), to_driver(selection));
  if (auto* unsupported = std::get_if<backend::Unsupported>(&opened)) return unsupported->reason;
  const bool timed_ops = scenario.workload.kind == scenario::WorkloadKind::kOffload;
  return std::unique_ptr<scenario::Workload>(
      std::make_unique<CPythonWorkload>(*driver_, std::get<backend::WorkloadId>(opened), timed_ops));
}

std::vector<report::ConformanceCheck> CPythonSession::probe(const strategy::Selection& selection) {
  std::vector<report::ConformanceCheck> checks;
  auto probed = driver_->probe(to_driver(selection));
  if (std::get_if<backend::Unsupported>(&probed)) return checks;
  for (const backend::DriverProbe& p : std::get<std::vector<backend::DriverProbe>>(probed)) {
    bool claimed = false;
    for (strategy::Guarantee g : strategy::kAllGuarantees)
      if (strategy::guarantee_id(g) == p.guarantee) claimed = strategy::claims(selection, g);
    checks.push_back({p.guarantee, p.passed, claimed, p.detail});
  }
  return checks;
}

}  // namespace offload::measure
