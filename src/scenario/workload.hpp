// A scenario's workload instantiated for one strategy selection: runs batches of operations
// and keeps per-op latency and loop-lag histograms across them.
//
// Threading: a Workload owns its event loop and runs it on the calling thread; one thread
// drives it at a time.
#pragma once

#include <cstdint>
#include <memory>

#include "measure/histogram.hpp"
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

// Requires: `scenario` validated (the loader guarantees it). Throws std::runtime_error when the
// job cannot be prepared (e.g. its file cannot be created).
std::unique_ptr<Workload> make_workload(const Scenario& scenario, const strategy::Selection& selection);

}  // namespace offload::scenario
