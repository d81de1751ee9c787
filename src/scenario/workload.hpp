// A scenario's workload instantiated for one strategy selection: runs batches of operations
// and keeps per-op latency and loop-lag histograms across them.
//
// Threading: a Workload owns its event loop and runs it on the calling thread; one thread
// drives it at a time.
#pragma once

#include <cstdint>
#include <memory>

#include "measure/histogram.hpp"
#include "runtime/thread_pool_executor.hpp"
#include "scenario/scenario.hpp"
#include "strategy/registry.hpp"

namespace offload::scenario {

class Workload {
 public:
  virtual ~Workload() = default;

  // Runs one batch (workload.ops operations, all awaited) and returns the number of ops.
  virtual std::uint64_t run_batch() = 0;

  // Per-op latency (submit to resumption) across batches; null for micro workloads, whose
  // operations are too short to time one by one.
  virtual measure::LatencyHistogram* latency() { return nullptr; }
  // Lateness of a 1 ms periodic loop timer while batches run; null for micro workloads.
  virtual measure::LatencyHistogram* loop_lag() { return nullptr; }
};

// `shared_executor`, when given, is the executor the shared_default strategy submits to in
// place of a default executor of the workload's own: strategies compared in one scenario point
// then run their jobs on the same worker threads, so the scheduler's treatment of one set of
// threads cannot masquerade as a strategy's effect. It must outlive the workload.
// Requires: `scenario` validated (the loader guarantees it). Throws std::runtime_error when the
// job cannot be prepared (e.g. its file cannot be created).
std::unique_ptr<Workload> make_workload(const Scenario& scenario, const strategy::Selection& selection,
                                        runtime::ThreadPoolExecutor* shared_executor = nullptr);

}  // namespace offload::scenario
