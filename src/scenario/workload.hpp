// A scenario's workload instantiated for one strategy selection: runs batches of operations
// and keeps per-op latency and loop-lag histograms across them.
//
// Threading: a Workload owns its event loop and runs it on the calling thread; one thread
// drives it at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>

#include "measure/histogram.hpp"
#include "runtime/thread_pool_executor.hpp"
#include "scenario/phase_times.hpp"
#include "scenario/scenario.hpp"
#include "strategy/registry.hpp"

namespace offload::scenario {

// Batches timed by a workload that runs outside this process (the cpython backend): it measures
// its own wall and CPU time, since this process's clocks and rusage cannot see into it.
struct TimedBatches {
  std::uint64_t ops = 0;
  double wall_ns = 0;
  double cpu_ns = 0;
  double voluntary_switches = 0;
  double involuntary_switches = 0;
  double gc_collections = 0;  // cyclic-collector runs during the batches, and their time
  double gc_ns = 0;
};

class Workload {
 public:
  virtual ~Workload() = default;

  // Runs one batch (workload.ops operations, all awaited) and returns the number of ops.
  virtual std::uint64_t run_batch() = 0;

  // Runs `batches` batches and returns their own timing, or nullopt for in-process workloads,
  // which the runner times itself around run_batch().
  virtual std::optional<TimedBatches> run_timed(std::uint64_t /*batches*/) { return std::nullopt; }

  // Per-op latency (submit to resumption) across batches; null for micro workloads, whose
  // operations are too short to time one by one.
  virtual measure::LatencyHistogram* latency() { return nullptr; }
  // Lateness of a 1 ms periodic loop timer while batches run; null for micro workloads.
  virtual measure::LatencyHistogram* loop_lag() { return nullptr; }

  // --breakdown: while on, every offload is traced phase by phase into phase_times(). Micro
  // workloads have no phases: they return false and null.
  virtual bool set_phase_tracing(bool /*on*/) { return false; }
  virtual const PhaseTimes* phase_times() const { return nullptr; }
  virtual void phase_times_reset() {}
};

// `shared_executor`, when given, is the executor the shared_default strategy submits to in
// place of a default executor of the workload's own: strategies compared in one scenario point
// then run their jobs on the same worker threads, so the scheduler's treatment of one set of
// threads cannot masquerade as a strategy's effect. It must outlive the workload.
// Requires: `scenario` validated, cross-key rules included (the loader and --set guarantee it:
// scenario_loader.hpp). Throws std::runtime_error when the job cannot be prepared (e.g. its file
// cannot be created).
std::unique_ptr<Workload> make_workload(const Scenario& scenario, const strategy::Selection& selection,
                                        runtime::ThreadPoolExecutor* shared_executor = nullptr);

}  // namespace offload::scenario
