// The event loop's wake-up channel: an eventfd that other threads write to so a loop blocked
// in poll() returns (CPython's self-pipe, `_write_to_self` / `_read_from_self`), written once per
// signal (CPython) or coalesced behind a pending flag (libuv's uv_async_send).
//
// Threading: signal() is safe from any thread; drain(), rearm() and fd() belong to the loop
// thread. The coalescing protocol and its memory orders are described at pending_.
#pragma once

#include <atomic>
#include <optional>
#include <string_view>

namespace offload::runtime {

// The `wakeup` strategy axis: how a thread that hands the loop work wakes it.
enum class WakeupMode {
  // "per_call": one eventfd write per signal(), as CPython's _write_to_self after every
  // call_soon_threadsafe. The default: the faithful model.
  kPerCall,
  // "coalesced": libuv's uv_async_send. Only the first signal() since the loop last re-armed
  // writes the eventfd; the rest find the pending flag set and return.
  kCoalesced,
};

// Stable ids, the same in scenario files, on the command line and in reports.
std::string_view to_string(WakeupMode mode);
// The enum value with id `id`, or nullopt: from_string<WakeupMode>("coalesced").
template <class E>
std::optional<E> from_string(std::string_view id);
template <>
std::optional<WakeupMode> from_string<WakeupMode>(std::string_view id);

class Wakeup {
 public:
  // Throws std::system_error when no eventfd can be created.
  explicit Wakeup(WakeupMode mode = WakeupMode::kPerCall);
  ~Wakeup();
  Wakeup(const Wakeup&) = delete;
  Wakeup& operator=(const Wakeup&) = delete;

  // Tells the loop there is work. kPerCall: one eventfd write per call. kCoalesced: a write
  // only if no signal is pending since the last rearm(). Each write counts a loop wake-up signal.
  // Requires: the work is already queued where the loop's next drain will find it.
  void signal() noexcept {
    if (mode_ == WakeupMode::kCoalesced && pending_.exchange(true, std::memory_order_acq_rel))
      return;
    write_fd();
  }

  // Consumes every pending eventfd signal so the next poll() blocks again.
  void drain() noexcept;

  // kCoalesced: clears the pending flag so the next signal() writes again. Call it every
  // iteration after drain() and BEFORE taking the queues that signal() announces.
  void rearm() noexcept {
    if (mode_ == WakeupMode::kCoalesced) pending_.exchange(false, std::memory_order_acq_rel);
  }

  // kCoalesced: sets the pending flag as if a signal were pending, so signal() writes nothing
  // until the next rearm(). A loop that spins on its queues calls it first: it is awake and
  // looking, and a producer's eventfd write would be a wasted system call. The spin must end
  // with rearm() and one more look at the queues (the protocol at pending_: this is an L2 that
  // sets instead of clears, so pushes before the closing rearm() are visible after it, and
  // producers after it write again).
  void hold() noexcept {
    if (mode_ == WakeupMode::kCoalesced) pending_.exchange(true, std::memory_order_acq_rel);
  }

  WakeupMode mode() const noexcept { return mode_; }
  int fd() const noexcept { return fd_; }

 private:
  void write_fd() noexcept;

  const WakeupMode mode_;
  const int fd_;
  // kCoalesced only (kPerCall never touches it). The protocol, libuv's async handle:
  //
  //   producer (any thread)                       loop (its thread), every iteration
  //   P1 push the work onto a loop queue          L1 poll(); read the eventfd if readable
  //   P2 if (!pending_.exchange(true)) write fd   L2 pending_.exchange(false)    (rearm)
  //                                               L3 take the queues
  //
  // Why no wake-up is lost. Every access to the flag is an exchange, so they form one total
  // (modification) order and each reads the value just before it. Take producer P's push. Let F
  // be the producer whose P2 comes first after the last L2 that precedes P's P2 (F may be P):
  // F's P2 read "clear", so F writes the eventfd. The fd stays readable until an L1 reads it, so
  // the loop cannot sleep past that write: some L1 observes it, then its L2 runs, which therefore
  // comes after F's P2 and so — no L2 lies between F's P2 and P's — after P's P2 too. That L2
  // reads P's value or a later producer's exchange, all in P2's release sequence, so it
  // synchronizes with P2 and the L3 after it takes P's push (unless an earlier L3 already did).
  // The order L2 before L3 is the whole trick: a loop that cleared the flag after taking the
  // queues would let a producer push between the two, find the flag still set, skip its write,
  // and leave its work unseen while the loop sleeps.
  // Memory orders: P2's release pairs with L2's acquire: that is what makes a push visible to the
  // L3 after L2. The loop's queues are mutex-guarded today, which already orders P1 before L3;
  // acq_rel makes the protocol hold on its own, so a lock-free queue may use it unchanged. (L2's
  // release half, paired with P2's acquire, is not needed by the argument; it is kept so both
  // sides are the one documented operation.) Producers have no plain-load fast path, as libuv's
  // uv_async_send has before its compare-exchange: a load that reads "set" joins no release
  // sequence, so nothing would make that producer's push visible to the next L3 — with a
  // lock-free queue, a stale "set" read while the loop clears and drains is a lost wake-up. The
  // argument relies on the kernel ordering an eventfd write before the read or poll observing it.
  std::atomic<bool> pending_{false};
};

}  // namespace offload::runtime
