#include "measure/sampling.hpp"

#include <chrono>
#include <cstdint>
#include <cstdlib>

#include "measure/resource_usage.hpp"
#include "scenario/job.hpp"

namespace offload::measure {
namespace {

#ifdef OFFLOAD_SLOWDOWN_INJECTION
// A build for measuring the CI gate (-DOFFLOAD_SLOWDOWN_INJECTION=ON, scripts/gate-quality.sh):
// each batch spins OFFLOAD_INJECTED_DELAY_NS more nanoseconds per op, so a scenario's ops take
// that much longer whatever their kind. Read once; absent or 0: no delay. Normal builds have
// none of this code.
void inject_slowdown(std::uint64_t ops) {
  static const std::int64_t delay_ns = [] {
    const char* text = std::getenv("OFFLOAD_INJECTED_DELAY_NS");
    return text == nullptr ? std::int64_t{0} : std::strtoll(text, nullptr, 10);
  }();
  if (delay_ns > 0) scenario::spin_for_ns(delay_ns * static_cast<std::int64_t>(ops));
}
#else
void inject_slowdown(std::uint64_t) {}
#endif

}  // namespace

report::Sample take_sample(scenario::Workload& workload, std::uint64_t batches) {
  if (auto timed = workload.run_timed(batches)) {
    return {timed->ops, timed->wall_ns, timed->cpu_ns, timed->voluntary_switches, timed->involuntary_switches,
            timed->gc_collections, timed->gc_ns};
  }
  using Clock = std::chrono::steady_clock;
  report::Sample sample;
  const ResourceUsage usage_before = resource_usage_now();
  const auto start = Clock::now();
  for (std::uint64_t b = 0; b < batches; ++b) {
    const std::uint64_t ops = workload.run_batch();
    inject_slowdown(ops);
    sample.ops += ops;
  }
  sample.wall_ns = static_cast<double>(std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - start).count());
  const ResourceUsage used = resource_usage_now() - usage_before;
  sample.cpu_ns = used.cpu_ns;
  sample.voluntary_switches = used.voluntary_switches;
  sample.involuntary_switches = used.involuntary_switches;
  return sample;
}

}  // namespace offload::measure
