// The measurement protocol for one scenario point: conformance probes, calibration and
// warm-up, interleaved repetitions, a separate counting pass, statistics and comparisons.
//
// Threading: runs on the calling thread (each strategy's loop runs there); `interrupted` may
// be set from a signal handler or another thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>

#include "report/result.hpp"
#include "scenario/scenario.hpp"

namespace offload::measure {

class CPythonSession;

struct RunOptions {
  std::uint64_t seed = 1;     // the order of strategies in each repetition, and the bootstrap
  double alpha = 0.05;        // family-wise significance level of one point's comparisons
  double threshold = 0.02;    // smallest ratio change reported as faster/slower (2%)
  const std::atomic<bool>* interrupted = nullptr;  // stop between samples when set
  bool breakdown = false;     // one traced sample per strategy: time per offload phase
  // The cpython backend's driver session, or null with the reason in cpython_unavailable:
  // cpython points are then skipped with that reason.
  CPythonSession* cpython = nullptr;
  std::string cpython_unavailable = "the cpython backend was not started";
};

// What the runner is doing, for a progress line.
struct Progress {
  std::string phase;      // "conformance", "warm-up", "repetition", "counting", "breakdown"
  int repetition = 0;     // 1-based during "repetition"
  int repetitions = 0;
  double fraction = 0;    // of this point's samples done, 0..1
};
using ProgressCallback = std::function<void(const Progress&)>;

// Runs `point` and returns its result; complete == false when interrupted (the samples taken
// so far are kept, without statistics).
// Throws std::runtime_error when a workload cannot be set up or an operation fails.
report::ScenarioResult run_point(const scenario::ScenarioPoint& point, const RunOptions& options,
                                 const ProgressCallback& progress = {});

}  // namespace offload::measure
