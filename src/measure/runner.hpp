// The measurement protocol for one scenario point: conformance probes, calibration and
// warm-up, interleaved repetitions, a separate counting pass, statistics and comparisons.
//
// Threading: runs on the calling thread (each strategy's loop runs there); `interrupted` may
// be set from a signal handler or another thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "report/result.hpp"
#include "scenario/scenario.hpp"

namespace offload::measure {

class BackendResolver;

struct RunOptions {
  std::uint64_t seed = 1;     // the order of strategies in each repetition, and the bootstrap
  double alpha = 0.05;        // family-wise significance level of one point's comparisons
  double threshold = 0.02;    // smallest ratio change reported as faster/slower (2%)
  const std::atomic<bool>* interrupted = nullptr;  // stop between samples when set
  bool breakdown = false;     // one traced sample per strategy: time per offload phase
  // Where each contender runs; null: the model only (other backends' points are skipped).
  BackendResolver* backends = nullptr;
  // Adaptive sampling: after the fewest rounds that can give a verdict, rounds go on until the CI
  // of every candidate's ns/op ratio is within +-precision (0.03: +-3%) or max_time_s has passed
  // since the first round. Stopping looks at precision only, never at the verdict, which would
  // inflate false alarms. nullopt (the default): exactly `measure.repetitions` rounds.
  std::optional<double> precision;
  double max_time_s = 5;
  // Rounds are at least this many in adaptive mode (and at least the fewest that can reach a
  // verdict at the corrected alpha); at most max_rounds.
  std::int64_t min_rounds = 6;
  // --quick: exactly the fewest rounds that can reach a verdict, whatever `precision` says.
  bool fewest_rounds = false;
  std::int64_t max_rounds = 1000;
};

// What the runner is doing, for a progress line.
struct Progress {
  std::string phase;      // "conformance", "warm-up", "repetition", "counting", "breakdown"
  int repetition = 0;     // 1-based during "repetition"
  int repetitions = 0;
  double fraction = 0;    // of this point's samples done, 0..1
};
using ProgressCallback = std::function<void(const Progress&)>;

// Runs `point` and returns its result (a point none of whose contenders' backends can run it comes
// back with `skipped` set); complete == false when interrupted (the samples taken
// so far are kept, without statistics).
// Throws std::runtime_error when a workload cannot be set up or an operation fails.
report::ScenarioResult run_point(const scenario::ScenarioPoint& point, const RunOptions& options,
                                 const ProgressCallback& progress = {});

}  // namespace offload::measure
