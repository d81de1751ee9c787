// Future<T>: asyncio.Future. Owned by one event loop and not thread-safe; done-callbacks are
// scheduled with the loop's call_soon (each in its own context), never run inline.
//
// Threading: every method belongs to the owning loop's thread. Other threads reach a future
// only through loop.call_soon_threadsafe (see future_chain.hpp).
#pragma once

#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "runtime/callback.hpp"
#include "runtime/context.hpp"
#include "runtime/errors.hpp"
#include "runtime/free_lists.hpp"
#include "runtime/phase_trace.hpp"

namespace offload::runtime {

class EventLoop;

enum class FutureState { kPending, kCancelled, kFinished };

// The type-independent part of a loop future: state, exception, cancellation, callbacks.
// Futures live in std::shared_ptr (a scheduled callback keeps its future alive).
class FutureBase : public std::enable_shared_from_this<FutureBase> {
 public:
  using DoneCallback = Callback<void(FutureBase&)>;
  using CallbackId = std::uint64_t;

  explicit FutureBase(EventLoop& loop) : loop_(&loop) {}
  virtual ~FutureBase() = default;
  FutureBase(const FutureBase&) = delete;
  FutureBase& operator=(const FutureBase&) = delete;

  EventLoop& get_loop() const noexcept { return *loop_; }
  bool done() const noexcept { return state_ != FutureState::kPending; }
  bool cancelled() const noexcept { return state_ == FutureState::kCancelled; }

  // Cancels a pending future and schedules its callbacks; false when already done. Virtual
  // because Task and the gathering future cancel what they wait on instead.
  virtual bool cancel(std::string message = "");

  // Throws CancelledError when cancelled, InvalidStateError when pending.
  std::exception_ptr exception() const;
  // Throws InvalidStateError when already done.
  void set_exception(std::exception_ptr error);

  // Runs `callback(*this)` through call_soon in `context` (default: copy_context()) once the
  // future is done; at once-scheduled when it already is. The id serves remove_done_callback.
  CallbackId add_done_callback(DoneCallback callback, std::optional<Context> context = std::nullopt);
  // Removes every registration with this id; returns how many were removed.
  std::size_t remove_done_callback(CallbackId id);

  // The CancelledError a cancelled future raises, carrying the cancel message.
  std::exception_ptr make_cancelled_error() const;

  // --breakdown: when this future finishes, stamp loop woken and state copied on `trace`.
  void set_phase_trace(std::shared_ptr<PhaseTrace> trace) noexcept { phase_trace_ = std::move(trace); }

 protected:
  // Throws as result() must for a future that has no result: pending, cancelled or failed.
  void check_has_result() const;
  // Requires: pending. Marks FINISHED and schedules the callbacks.
  void finish();
  void mark_cancelled(std::string message);

 private:
  struct Registration {
    CallbackId id;
    DoneCallback callback;
    Context context;
  };
  void schedule_callbacks();

  EventLoop* loop_;
  FutureState state_ = FutureState::kPending;
  std::exception_ptr exception_;
  std::string cancel_message_;
  // Its buffer from the running loop's free lists when it has some (allocator = "free_lists").
  std::vector<Registration, FreeListAllocator<Registration>> callbacks_;
  CallbackId next_callback_id_ = 1;
  std::shared_ptr<PhaseTrace> phase_trace_;  // Null unless this offload is traced.
};

template <class T>
class Future : public FutureBase {
 public:
  using value_type = T;
  using FutureBase::FutureBase;

  // The result; throws CancelledError, the stored exception, or InvalidStateError (pending).
  // The reference stays valid while the future lives: a result is never replaced.
  const T& result() const {
    check_has_result();
    return *result_;
  }

  // Throws InvalidStateError when already done.
  void set_result(T value) {
    if (done()) throw InvalidStateError("invalid state: future is already done");
    result_.emplace(std::move(value));
    finish();
  }

 private:
  std::optional<T> result_;
};

}  // namespace offload::runtime
