// Per-offload phase time stamps (`offload-bench run --breakdown`): when an offload was submitted,
// started on a worker, finished its job, was published to the loop, found by a woken loop,
// completed on the loop and resumed its task. Off unless an offload is given a PhaseTraceSink:
// untraced offloads run none of this code beyond a null check where a stamp would be taken.
//
// Threading: a PhaseTrace is written by two threads in turn. The loop thread stamps submit; the
// worker stamps worker start, job end and published, all before it queues the completion for the
// loop (call_soon_threadsafe's or the completion queue's mutex orders them before the loop's
// take); the loop thread then stamps loop woken, state copied and resumed.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace offload::runtime {

enum class Stamp : std::size_t {
  kSubmit,        // the awaiting task calls the offload
  kWorkerStart,   // a worker starts the job
  kJobEnd,        // the job returns or throws
  kPublished,     // the completion is about to be queued for the loop
  kLoopWoken,     // the poll of the loop iteration that delivers it returned
  kStateCopied,   // the loop future is done
  kResumed,       // the awaiting task runs again
};
inline constexpr std::size_t kStampCount = 7;
inline constexpr std::size_t kPhaseCount = kStampCount - 1;

// The phase that ends at stamp i + 1: "queue", "job", "complete", "wake", "deliver", "resume".
std::string_view phase_name(std::size_t phase);

// Nanoseconds on the steady clock, comparable across threads.
inline std::int64_t trace_clock_ns() noexcept {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

struct PhaseTrace {
  std::array<std::int64_t, kStampCount> at{};  // 0: not stamped

  void stamp(Stamp s) noexcept { at[static_cast<std::size_t>(s)] = trace_clock_ns(); }
  void stamp(Stamp s, std::int64_t ns) noexcept { at[static_cast<std::size_t>(s)] = ns; }

  // Durations of the phases. A stamp earlier than the one before it — the loop woke for an
  // earlier completion before this one was published — counts as that one: the phase took 0.
  // So does a missing published stamp (see complete()).
  // Requires: complete().
  std::array<std::int64_t, kPhaseCount> phases() const noexcept {
    std::array<std::int64_t, kPhaseCount> d{};
    std::int64_t previous = at[0];
    for (std::size_t i = 1; i < kStampCount; ++i) {
      const std::int64_t now = at[i] > previous ? at[i] : previous;
      d[i - 1] = now - previous;
      previous = now;
    }
    return d;
  }
  // Every stamp taken, except perhaps kPublished: with chained futures, a worker that completes
  // the concurrent future before the loop has chained its done-callback publishes nothing; the
  // loop's add_done_callback then runs the callback itself (asyncio does the same), and the
  // "complete" phase is 0 for that op.
  bool complete() const noexcept {
    for (std::size_t i = 0; i < kStampCount; ++i)
      if (at[i] == 0 && i != static_cast<std::size_t>(Stamp::kPublished)) return false;
    return true;
  }
};

// Receives each traced offload once its task has resumed. Loop thread.
class PhaseTraceSink {
 public:
  virtual void record(const PhaseTrace& trace) = 0;

 protected:
  ~PhaseTraceSink() = default;
};

// The worker-side hand-over of the published stamp. A traced job's wrapper names its trace here
// when the job ends; whatever queues that job's completion for the loop next on this thread
// (call_soon_threadsafe for chained futures, the completion queue for direct ones) stamps it and
// clears the slot. The executor clears it after every work item, so a job whose completion
// was never queued (its future was cancelled) leaves nothing behind for the next one.
namespace phase_trace {
namespace detail {
// The trace whose completion this worker thread is about to queue; null almost always.
extern constinit thread_local PhaseTrace* t_publishing;
}  // namespace detail

inline void set_publishing(PhaseTrace* trace) noexcept { detail::t_publishing = trace; }
// Stamps kPublished on the named trace, if any, and clears the slot: one thread-local load
// when nothing is traced.
inline void stamp_published() noexcept {
  if (PhaseTrace* trace = detail::t_publishing) {
    trace->stamp(Stamp::kPublished);
    detail::t_publishing = nullptr;
  }
}
inline void clear_publishing() noexcept { detail::t_publishing = nullptr; }
}  // namespace phase_trace

}  // namespace offload::runtime
