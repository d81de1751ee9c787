// wait_for(): asyncio.wait_for as CPython 3.12 writes it (through asyncio.timeout): a timer
// cancels the waiting task; the CancelledError it causes becomes TimeoutError, and the awaited
// operation is cancelled on the way, as the task's cancel() cancels what it waits on.
//
// Threading: inside a task on the running loop.
#pragma once

#include <exception>
#include <memory>
#include <optional>
#include <utility>

#include "runtime/coroutine.hpp"
#include "runtime/event_loop.hpp"
#include "runtime/task.hpp"

namespace offload::runtime {

namespace detail {
template <class Result, class Awaitable>
Coroutine<Result> wait_for_impl(Awaitable awaitable, EventLoop::Clock::duration timeout) {
  EventLoop& loop = EventLoop::get_running_loop();
  TaskBase* task = loop.current_task();
  if (task == nullptr) throw RuntimeError("wait_for() must run inside a Task");
  const int cancelling_before = task->cancelling();
  bool expired = false;
  // The frame outlives the timer: every path out of this coroutine cancels it first.
  TimerHandle timer = loop.call_later(timeout, [task, &expired] {
    expired = true;
    task->cancel_task("");
  });
  std::optional<Result> value;
  std::exception_ptr cancelled;
  try {
    value.emplace(co_await std::move(awaitable));
  } catch (const CancelledError&) {
    cancelled = std::current_exception();
  } catch (...) {
    timer.cancel();
    throw;
  }
  timer.cancel();
  if (cancelled) {
    // Our own timer's cancel becomes TimeoutError; anyone else's stays a cancellation.
    if (expired && task->uncancel() <= cancelling_before) throw TimeoutError("wait_for timed out");
    std::rethrow_exception(cancelled);
  }
  co_return std::move(*value);
}
}  // namespace detail

// Awaits `awaitable` (a Coroutine or a future) for at most `timeout`; throws TimeoutError when
// it runs out, after cancelling the awaited operation.
template <class T>
Coroutine<ValueOf<T>> wait_for(Coroutine<T> coroutine, EventLoop::Clock::duration timeout) {
  return detail::wait_for_impl<ValueOf<T>>(std::move(coroutine), timeout);
}

template <class F>
  requires std::derived_from<F, FutureBase>
auto wait_for(std::shared_ptr<F> future, EventLoop::Clock::duration timeout) {
  using Result = std::remove_cvref_t<decltype(future->result())>;
  return detail::wait_for_impl<Result>(std::move(future), timeout);
}

}  // namespace offload::runtime
