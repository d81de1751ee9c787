// Per-phase times of traced offloads (`--breakdown`): one histogram and one running sum per
// phase, fed by offload_call as each traced op resumes.
//
// Threading: the loop thread that runs the workload records; read it between batches.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "measure/histogram.hpp"
#include "runtime/phase_trace.hpp"

namespace offload::scenario {

class PhaseTimes final : public runtime::PhaseTraceSink {
 public:
  void record(const runtime::PhaseTrace& trace) override {
    const auto phases = trace.phases();
    for (std::size_t i = 0; i < runtime::kPhaseCount; ++i) {
      histograms_[i].record(static_cast<std::uint64_t>(phases[i]));
      sums_ns_[i] += static_cast<double>(phases[i]);
    }
    ++count_;
  }
  void reset() noexcept {
    for (auto& h : histograms_) h.reset();
    sums_ns_ = {};
    count_ = 0;
  }

  std::uint64_t count() const noexcept { return count_; }
  const measure::LatencyHistogram& histogram(std::size_t phase) const { return histograms_.at(phase); }
  // Means add up to the mean submit-to-resume time; quantiles do not.
  double mean_ns(std::size_t phase) const {
    return count_ == 0 ? 0 : sums_ns_.at(phase) / static_cast<double>(count_);
  }

 private:
  std::array<measure::LatencyHistogram, runtime::kPhaseCount> histograms_;
  std::array<double, runtime::kPhaseCount> sums_ns_{};
  std::uint64_t count_ = 0;
};

}  // namespace offload::scenario
