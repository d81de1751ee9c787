// Busy-wait helpers shared by the spinning worker and the spinning loop.
#pragma once

#include <thread>

namespace offload::runtime {

// A spinner reads the clock once per this many pauses: the flag it waits on is polled on every
// pause, a spin deadline needs no better resolution than ~1 µs, and on a VM whose clock source
// has no vDSO fast path a clock read is a system call.
inline constexpr unsigned kPausesPerClockRead = 16;

// One polite busy-wait step: `pause` tells the core it is spinning (frees the pipeline for the
// sibling hyperthread, avoids the memory-order mis-speculation on exit from the loop).
inline void cpu_relax() noexcept {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#else
  std::this_thread::yield();
#endif
}

}  // namespace offload::runtime
