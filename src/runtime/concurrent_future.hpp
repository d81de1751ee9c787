// ConcurrentFuture<T>: concurrent.futures.Future with CPython 3.12 semantics, the future a
// ThreadPoolExecutor worker completes, plus the gh-134173 snapshot() that copies its whole state
// with at most one lock acquisition instead of the four locked getters.
//
// Threading: every member may be called from any thread; share the future through
// std::shared_ptr. One mutex (CPython's `_condition`) guards the state, result, exception and
// callback list; result()/exception() wait on its condition variable. Done callbacks never run
// with the mutex held: they are moved out under the lock and invoked after it is released, on the
// thread that completed or cancelled the future (or, if already done, the thread that adds them),
// so a callback may call any member of the future. The only lock-free read is snapshot()'s fast
// path, explained where it lives.
#pragma once

#include <atomic>
#include <cassert>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "runtime/errors.hpp"
#include "runtime/instrumentation.hpp"

namespace offload::runtime {

// CPython's PENDING, RUNNING, CANCELLED, CANCELLED_AND_NOTIFIED, FINISHED. The legal moves:
//   kPending -> kRunning                 set_running_or_notify_cancel()
//   kPending -> kCancelled               cancel()
//   kCancelled -> kCancelledAndNotified  set_running_or_notify_cancel()
//   kPending | kRunning -> kFinished     set_result() / set_exception()
// kFinished and kCancelledAndNotified are final.
enum class ConcurrentFutureState { kPending, kRunning, kCancelled, kCancelledAndNotified, kFinished };

template <class T>
class ConcurrentFuture {
  static_assert(!std::is_reference_v<T>, "a future holds a value; use None for void");

 public:
  using Callback = std::function<void(ConcurrentFuture&)>;

  // The tuple CPython's Future._get_snapshot() returns: (done, cancelled, result, exception).
  // Note: `result` points into the future and is valid while the future lives; it is null unless
  // the future finished with a result.
  struct Snapshot {
    bool done;
    bool cancelled;
    const T* result;
    std::exception_ptr exception;
  };

  static std::shared_ptr<ConcurrentFuture> create() { return std::make_shared<ConcurrentFuture>(); }

  ConcurrentFuture() = default;
  ConcurrentFuture(const ConcurrentFuture&) = delete;
  ConcurrentFuture& operator=(const ConcurrentFuture&) = delete;

  bool cancelled() const {
    auto lock = instrumentation::lock(mutex_);
    return is_cancelled(state_.load(std::memory_order_relaxed));
  }

  bool running() const {
    auto lock = instrumentation::lock(mutex_);
    return state_.load(std::memory_order_relaxed) == ConcurrentFutureState::kRunning;
  }

  bool done() const {
    auto lock = instrumentation::lock(mutex_);
    return is_done(state_.load(std::memory_order_relaxed));
  }

  // Waits until done or `timeout` passes. Throws CancelledError if cancelled, the stored
  // exception if one was set, TimeoutError on timeout.
  // Note: the reference stays valid while the future lives (a FINISHED result never changes).
  const T& result(std::optional<std::chrono::duration<double>> timeout = std::nullopt) const {
    auto lock = instrumentation::lock(mutex_);
    wait_done(lock, timeout);
    if (exception_) std::rethrow_exception(exception_);
    assert(result_.has_value() && "a FINISHED future without an exception holds a result");
    return *result_;
  }

  // Waits like result(); returns the stored exception, null if the future has a result.
  std::exception_ptr exception(std::optional<std::chrono::duration<double>> timeout = std::nullopt) const {
    auto lock = instrumentation::lock(mutex_);
    wait_done(lock, timeout);
    return exception_;
  }

  // Returns false if the future is running or finished, true if it is (now) cancelled.
  bool cancel() {
    std::vector<Callback> callbacks;
    {
      auto lock = instrumentation::lock(mutex_);
      const ConcurrentFutureState state = state_.load(std::memory_order_relaxed);
      if (state == ConcurrentFutureState::kRunning || state == ConcurrentFutureState::kFinished) return false;
      if (is_cancelled(state)) return true;
      set_state(ConcurrentFutureState::kCancelled);
      callbacks = std::move(callbacks_);
      condition_.notify_all();
    }
    invoke_callbacks(callbacks);
    return true;
  }

  // Called by the executor before running the work: false if the future was cancelled (it is
  // then CANCELLED_AND_NOTIFIED), true if it is now RUNNING and can no longer be cancelled.
  // Throws RuntimeError from any other state.
  bool set_running_or_notify_cancel() {
    auto lock = instrumentation::lock(mutex_);
    switch (state_.load(std::memory_order_relaxed)) {
      case ConcurrentFutureState::kCancelled:
        set_state(ConcurrentFutureState::kCancelledAndNotified);
        return false;
      case ConcurrentFutureState::kPending:
        set_state(ConcurrentFutureState::kRunning);
        return true;
      default:
        throw RuntimeError("Future in unexpected state");
    }
  }

  // Throws InvalidStateError if the future is already cancelled or finished.
  void set_result(T value) {
    std::vector<Callback> callbacks;
    {
      auto lock = instrumentation::lock(mutex_);
      check_not_done("set_result");
      result_.emplace(std::move(value));
      finish(callbacks);
    }
    invoke_callbacks(callbacks);
  }

  // Requires: `error` is not null (throws ValueError otherwise). Throws InvalidStateError if the
  // future is already cancelled or finished.
  void set_exception(std::exception_ptr error) {
    if (!error) throw ValueError("set_exception() needs an exception");
    std::vector<Callback> callbacks;
    {
      auto lock = instrumentation::lock(mutex_);
      check_not_done("set_exception");
      exception_ = std::move(error);
      finish(callbacks);
    }
    invoke_callbacks(callbacks);
  }

  // Runs `fn(*this)` when the future is done, or now (on this thread) if it already is.
  // Callbacks run in the order they were added; an exception from one is reported to stderr.
  void add_done_callback(Callback fn) {
    {
      auto lock = instrumentation::lock(mutex_);
      if (!is_done(state_.load(std::memory_order_relaxed))) {
        callbacks_.push_back(std::move(fn));
        return;
      }
    }
    invoke_callback(fn);
  }

  // gh-134173's _get_snapshot(): the whole state, consistent, with one lock acquisition or none.
  Snapshot snapshot() const {
    // Fast path, no lock. Pairs with the release store of kFinished in finish(): the writer stores
    // result_/exception_ and then state_ = kFinished with memory_order_release (under mutex_),
    // and this acquire load sees kFinished only together with those writes. kFinished is final
    // and result_/exception_ are never written again after it, so the unlocked reads below race
    // with nothing (concurrent readers only read). The release is needed even though writers hold
    // mutex_, because this reader does not take mutex_ and so gets no ordering from it.
    if (state_.load(std::memory_order_acquire) == ConcurrentFutureState::kFinished) return finished_snapshot();
    auto lock = instrumentation::lock(mutex_);
    const ConcurrentFutureState state = state_.load(std::memory_order_relaxed);
    if (state == ConcurrentFutureState::kFinished) return finished_snapshot();
    if (is_cancelled(state)) return Snapshot{true, true, nullptr, nullptr};
    return Snapshot{false, false, nullptr, nullptr};
  }

 private:
  static bool is_cancelled(ConcurrentFutureState s) {
    return s == ConcurrentFutureState::kCancelled || s == ConcurrentFutureState::kCancelledAndNotified;
  }
  static bool is_done(ConcurrentFutureState s) { return is_cancelled(s) || s == ConcurrentFutureState::kFinished; }

  // Requires: mutex_ held.
  void set_state(ConcurrentFutureState s) { state_.store(s, std::memory_order_release); }

  // Requires: kFinished observed, under mutex_ or by an acquire load.
  Snapshot finished_snapshot() const {
    assert(result_.has_value() != (exception_ != nullptr) &&
           "a FINISHED future holds exactly one of a result and an exception");
    return Snapshot{true, false, result_ ? &*result_ : nullptr, exception_};
  }

  // Requires: mutex_ held.
  void check_not_done(const char* operation) const {
    const ConcurrentFutureState state = state_.load(std::memory_order_relaxed);
    if (is_done(state)) throw InvalidStateError(std::string(operation) + "() on a future that is already done");
  }

  // Requires: mutex_ held and exactly one of result_/exception_ just stored. The release store
  // publishes them to snapshot()'s unlocked fast path.
  void finish(std::vector<Callback>& callbacks) {
    set_state(ConcurrentFutureState::kFinished);
    callbacks = std::move(callbacks_);
    condition_.notify_all();
  }

  // Requires: `lock` holds mutex_. Returns with the future FINISHED; throws CancelledError if it
  // was cancelled, TimeoutError if `timeout` passed first.
  void wait_done(std::unique_lock<std::mutex>& lock, std::optional<std::chrono::duration<double>> timeout) const {
    const auto is_done_now = [this] { return is_done(state_.load(std::memory_order_relaxed)); };
    if (!timeout) {
      condition_.wait(lock, is_done_now);
    } else if (!condition_.wait_for(lock, *timeout, is_done_now)) {
      throw TimeoutError("future did not complete within the timeout");
    }
    if (is_cancelled(state_.load(std::memory_order_relaxed))) throw CancelledError();
  }

  void invoke_callback(Callback& fn) {
    try {
      fn(*this);
    } catch (...) {
      report_uncaught(std::current_exception(), "a ConcurrentFuture done-callback");
    }
  }

  // Requires: mutex_ not held (the callbacks may call back into this future).
  void invoke_callbacks(std::vector<Callback>& callbacks) {
    for (Callback& fn : callbacks) invoke_callback(fn);
  }

  mutable std::mutex mutex_;
  mutable std::condition_variable condition_;  // Signalled when the future becomes done.
  // Written only under mutex_. Read under mutex_ (relaxed) by every member except snapshot()'s
  // fast path, which reads it with acquire and no lock.
  std::atomic<ConcurrentFutureState> state_{ConcurrentFutureState::kPending};
  std::optional<T> result_;          // Guarded by mutex_; immutable once kFinished.
  std::exception_ptr exception_;     // Guarded by mutex_; immutable once kFinished.
  std::vector<Callback> callbacks_;  // Guarded by mutex_; emptied when the future becomes done.
};

}  // namespace offload::runtime
