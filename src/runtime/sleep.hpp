// sleep(): asyncio.sleep. A zero delay is a bare yield; a positive one is a future resolved by
// a timer, cancelled with the sleeping task.
//
// Threading: inside a task on the running loop.
#pragma once

#include <chrono>

#include "runtime/coroutine.hpp"
#include "runtime/event_loop.hpp"
#include "runtime/task.hpp"

namespace offload::runtime {

inline Coroutine<void> sleep(EventLoop::Clock::duration delay) {
  if (delay <= EventLoop::Clock::duration::zero()) {
    co_await YieldNow{};
    co_return;
  }
  EventLoop& loop = EventLoop::get_running_loop();
  auto wake = loop.create_future<None>();
  TimerHandle timer = loop.call_later(delay, [wake] {
    if (!wake->done()) wake->set_result(None{});
  });
  try {
    co_await wake;
  } catch (...) {
    timer.cancel();
    throw;
  }
}

}  // namespace offload::runtime
