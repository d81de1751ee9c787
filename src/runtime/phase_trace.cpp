#include "runtime/phase_trace.hpp"

namespace offload::runtime {

std::string_view phase_name(std::size_t phase) {
  static constexpr std::string_view kNames[kPhaseCount] = {"queue", "job", "complete", "wake", "deliver", "resume"};
  return phase < kPhaseCount ? kNames[phase] : "unknown";
}

namespace phase_trace::detail {
constinit thread_local PhaseTrace* t_publishing = nullptr;
}  // namespace phase_trace::detail

}  // namespace offload::runtime
