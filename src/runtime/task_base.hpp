// TaskBase: the type-independent interface through which awaiters reach the task that is
// driving them (asyncio's Task.__step / __wakeup protocol, and its cancellation bookkeeping).
//
// Threading: loop thread only.
#pragma once

#include <coroutine>
#include <exception>
#include <string>

#include "runtime/errors.hpp"

namespace offload::runtime {

class FutureBase;

class TaskBase {
 public:
  virtual ~TaskBase() = default;

  // The running coroutine chain suspends at `resume_at` until `future` is done (asyncio: the
  // coroutine yielded a future; the task adds __wakeup as its done-callback).
  virtual void await_future(FutureBase& future, std::coroutine_handle<> resume_at) = 0;
  // A bare yield: resume at `resume_at` on the next loop iteration (asyncio.sleep(0)).
  virtual void yield_now(std::coroutine_handle<> resume_at) = 0;

  // asyncio.Task.cancel: cancels the awaited future, or delivers CancelledError at the next
  // suspension point. False when the task is already done.
  virtual bool cancel_task(std::string message) = 0;

  // Cancellation requests not yet withdrawn by uncancel() (asyncio.Task.cancelling).
  int cancelling() const noexcept { return cancels_requested_; }
  int uncancel() noexcept {
    if (cancels_requested_ > 0) --cancels_requested_;
    return cancels_requested_;
  }

  // Called by the awaiter resumed by a step: true when that step must raise CancelledError in
  // the coroutine instead of delivering the awaited value (asyncio's coro.throw(exc)).
  bool take_cancel_request() noexcept {
    const bool requested = throw_cancel_;
    throw_cancel_ = false;
    return requested;
  }
  std::exception_ptr make_task_cancelled_error() const {
    return std::make_exception_ptr(CancelledError(cancel_message_));
  }

 protected:
  int cancels_requested_ = 0;
  bool must_cancel_ = false;   // A cancel arrived with no future to cancel; deliver it next.
  bool throw_cancel_ = false;  // The current step delivers the cancel (set from must_cancel_).
  std::string cancel_message_;
};

}  // namespace offload::runtime
