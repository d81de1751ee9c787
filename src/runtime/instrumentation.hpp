// Event counters for the runtime's costly operations: lock acquisitions, heap allocations and
// wake-ups, so a scenario can report locks/op, allocations/op and wake-ups/op.
//
// Threading: count() may be called from any thread. Each thread counts into its own slot
// (single writer, relaxed atomics), so counting never contends; totals() sums every slot plus
// the counts of threads that have exited.
//
// Cost: off by default. When off, count() is one relaxed load and a not-taken branch; built
// with -DOFFLOAD_INSTRUMENTATION=0 it is nothing at all. Turn it on for a counting pass, not
// for the pass whose time is reported.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>

#ifndef OFFLOAD_INSTRUMENTATION
#define OFFLOAD_INSTRUMENTATION 1
#endif

namespace offload::runtime::instrumentation {

enum class Counter : std::size_t {
  kLockAcquisitions,     // lock() calls made by runtime code (re-locks inside a condition wait excluded)
  kHeapAllocations,      // operator new calls; needs the offload::allocation_hook object linked in
  kLoopWakeupSignals,    // writes to an event loop's wake-up fd (call_soon_threadsafe)
  kLoopWakeups,          // times a loop blocked in poll() and was woken by its wake-up fd
  kWorkerWakeupSignals,  // notifies sent to wake an executor worker
  kWorkerWakeups,        // times an executor worker blocked and was woken
  kWorkerSpinHits,       // times a spinning idle executor worker found work without blocking
};
inline constexpr std::size_t kCounterCount = 7;

// A set of counter values; subtract two totals() to get the counts of an interval.
struct Counts {
  std::array<std::uint64_t, kCounterCount> values{};

  std::uint64_t operator[](Counter c) const { return values[static_cast<std::size_t>(c)]; }
  Counts operator-(const Counts& earlier) const {
    Counts d;
    for (std::size_t i = 0; i < kCounterCount; ++i) d.values[i] = values[i] - earlier.values[i];
    return d;
  }
};

namespace detail {
extern std::atomic<bool> g_enabled;
void count_slow(Counter c) noexcept;
}  // namespace detail

// Records one event of kind `c` on the calling thread, if counting is enabled.
inline void count([[maybe_unused]] Counter c) noexcept {
#if OFFLOAD_INSTRUMENTATION
  if (detail::g_enabled.load(std::memory_order_relaxed)) [[unlikely]] detail::count_slow(c);
#endif
}

// Note: events recorded while enabled stay in the totals; measure intervals by difference.
void set_enabled(bool on) noexcept;
bool enabled() noexcept;

// The sum over all threads, live and exited, since the program started.
Counts totals();

// Locks `m`, counting the acquisition. Every runtime mutex is taken through this.
[[nodiscard]] inline std::unique_lock<std::mutex> lock(std::mutex& m) {
  count(Counter::kLockAcquisitions);
  return std::unique_lock<std::mutex>(m);
}

}  // namespace offload::runtime::instrumentation
