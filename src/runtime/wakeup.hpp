// The event loop's wake-up channel: an eventfd that other threads write to so a loop blocked
// in poll() returns (CPython's self-pipe, `_write_to_self` / `_read_from_self`).
//
// Threading: signal() is safe from any thread; drain() and fd() belong to the loop thread.
#pragma once

namespace offload::runtime {

class Wakeup {
 public:
  Wakeup();  // Throws std::system_error when no eventfd can be created.
  ~Wakeup();
  Wakeup(const Wakeup&) = delete;
  Wakeup& operator=(const Wakeup&) = delete;

  // One write per call, as CPython's `_write_to_self` does; counts a loop wake-up signal.
  void signal() noexcept;

  // Consumes every pending signal so the next poll() blocks again.
  void drain() noexcept;

  int fd() const noexcept { return fd_; }

 private:
  int fd_;
};

}  // namespace offload::runtime
