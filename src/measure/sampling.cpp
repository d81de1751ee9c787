#include "measure/sampling.hpp"

#include <chrono>

#include "measure/resource_usage.hpp"

namespace offload::measure {

report::Sample take_sample(scenario::Workload& workload, std::uint64_t batches) {
  if (auto timed = workload.run_timed(batches)) {
    return {timed->ops, timed->wall_ns, timed->cpu_ns, timed->voluntary_switches, timed->involuntary_switches,
            timed->gc_collections, timed->gc_ns};
  }
  using Clock = std::chrono::steady_clock;
  report::Sample sample;
  const ResourceUsage usage_before = resource_usage_now();
  const auto start = Clock::now();
  for (std::uint64_t b = 0; b < batches; ++b) sample.ops += workload.run_batch();
  sample.wall_ns = static_cast<double>(std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - start).count());
  const ResourceUsage used = resource_usage_now() - usage_before;
  sample.cpu_ns = used.cpu_ns;
  sample.voluntary_switches = used.voluntary_switches;
  sample.involuntary_switches = used.involuntary_switches;
  return sample;
}

}  // namespace offload::measure
