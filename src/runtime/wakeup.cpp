// eventfd-backed wake-up channel. An eventfd is a counter: every write adds to it and one read
// returns and clears the sum, so a signal sent between the loop's last drain and its poll()
// leaves the fd readable and can never be lost.
#include "runtime/wakeup.hpp"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <system_error>

#include "runtime/instrumentation.hpp"

namespace offload::runtime {

std::string_view to_string(WakeupMode mode) {
  switch (mode) {
    case WakeupMode::kPerCall:
      return "per_call";
    case WakeupMode::kCoalesced:
      return "coalesced";
  }
  return "?";
}

template <>
std::optional<WakeupMode> from_string<WakeupMode>(std::string_view id) {
  for (WakeupMode mode : {WakeupMode::kPerCall, WakeupMode::kCoalesced})
    if (to_string(mode) == id) return mode;
  return std::nullopt;
}

Wakeup::Wakeup(WakeupMode mode) : mode_(mode), fd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
  if (fd_ < 0) throw std::system_error(errno, std::generic_category(), "eventfd");
}

Wakeup::~Wakeup() { ::close(fd_); }

void Wakeup::write_fd() noexcept {
  instrumentation::count(instrumentation::Counter::kLoopWakeupSignals);
  const std::uint64_t one = 1;
  // EAGAIN only when the counter would overflow 2^64-2: the fd is readable then anyway.
  while (::write(fd_, &one, sizeof one) < 0 && errno == EINTR) {
  }
}

void Wakeup::drain() noexcept {
  std::uint64_t value;
  while (::read(fd_, &value, sizeof value) < 0 && errno == EINTR) {
  }
}

}  // namespace offload::runtime
