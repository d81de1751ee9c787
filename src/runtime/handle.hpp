// Handle and TimerHandle: a callback scheduled on an event loop, run inside the context it was
// scheduled with (asyncio.Handle / asyncio.TimerHandle).
//
// Threading: a handle is created on any thread (call_soon_threadsafe) but run and cancelled
// only on its loop's thread.
#pragma once

#include <chrono>
#include <memory>
#include <utility>

#include "runtime/callback.hpp"
#include "runtime/context.hpp"

namespace offload::runtime {

using LoopClock = std::chrono::steady_clock;

// One scheduled callback. Allocated once per call_soon, as asyncio allocates a Handle object.
struct HandleState {
  HandleState(Callback<void()> cb, Context ctx)
      : callback(std::move(cb)), context(std::move(ctx)) {}

  Callback<void()> callback;
  Context context;
  bool cancelled = false;
};

class Handle {
 public:
  Handle() = default;
  explicit Handle(std::shared_ptr<HandleState> state) : state_(std::move(state)) {}

  // The callback will not run. Safe to call twice, and after the callback ran.
  void cancel() noexcept {
    if (state_) state_->cancelled = true;
  }
  bool cancelled() const noexcept { return state_ && state_->cancelled; }

 private:
  std::shared_ptr<HandleState> state_;
};

class TimerHandle : public Handle {
 public:
  TimerHandle() = default;
  TimerHandle(std::shared_ptr<HandleState> state, LoopClock::time_point when)
      : Handle(std::move(state)), when_(when) {}

  LoopClock::time_point when() const noexcept { return when_; }

 private:
  LoopClock::time_point when_{};
};

}  // namespace offload::runtime
