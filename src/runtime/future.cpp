// The non-template half of asyncio.Future: state transitions and callback scheduling.
#include "runtime/future.hpp"

#include <algorithm>

#include "runtime/event_loop.hpp"

namespace offload::runtime {

bool FutureBase::cancel(std::string message) {
  if (done()) return false;
  mark_cancelled(std::move(message));
  return true;
}

void FutureBase::mark_cancelled(std::string message) {
  state_ = FutureState::kCancelled;
  cancel_message_ = std::move(message);
  schedule_callbacks();
}

std::exception_ptr FutureBase::exception() const {
  if (state_ == FutureState::kCancelled) std::rethrow_exception(make_cancelled_error());
  if (state_ != FutureState::kFinished) throw InvalidStateError("Exception is not set.");
  return exception_;
}

void FutureBase::set_exception(std::exception_ptr error) {
  if (done()) throw InvalidStateError("invalid state: future is already done");
  exception_ = std::move(error);
  finish();
}

void FutureBase::check_has_result() const {
  if (state_ == FutureState::kCancelled) std::rethrow_exception(make_cancelled_error());
  if (state_ != FutureState::kFinished) throw InvalidStateError("Result is not set.");
  if (exception_) std::rethrow_exception(exception_);
}

void FutureBase::finish() {
  state_ = FutureState::kFinished;
  if (phase_trace_) {
    phase_trace_->stamp(Stamp::kLoopWoken, loop_->phase_trace_woken_ns());
    phase_trace_->stamp(Stamp::kStateCopied);
  }
  schedule_callbacks();
}

std::exception_ptr FutureBase::make_cancelled_error() const {
  return std::make_exception_ptr(CancelledError(cancel_message_));
}

FutureBase::CallbackId FutureBase::add_done_callback(DoneCallback callback,
                                                     std::optional<Context> context) {
  const CallbackId id = next_callback_id_++;
  Context ctx = context ? std::move(*context) : copy_context();
  if (done()) {
    loop_->call_soon([self = shared_from_this(), cb = std::move(callback)] { cb(*self); },
                     std::move(ctx));
  } else {
    callbacks_.push_back(Registration{id, std::move(callback), std::move(ctx)});
  }
  return id;
}

std::size_t FutureBase::remove_done_callback(CallbackId id) {
  const auto before = callbacks_.size();
  std::erase_if(callbacks_, [id](const Registration& r) { return r.id == id; });
  return before - callbacks_.size();
}

void FutureBase::schedule_callbacks() {
  // Taken out first: a callback scheduled here never sees the list it came from.
  auto callbacks = std::move(callbacks_);
  callbacks_.clear();
  for (Registration& r : callbacks) {
    loop_->call_soon([self = shared_from_this(), cb = std::move(r.callback)] { cb(*self); },
                     std::move(r.context));
  }
}

}  // namespace offload::runtime
