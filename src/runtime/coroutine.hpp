// Coroutine<T>: a lazily started C++20 coroutine, the counterpart of a Python coroutine object.
// `co_await coroutine` runs it inline in the awaiting task, as `await coro` does; a Task drives
// it on the loop (task.hpp). `co_await future` suspends the running task until the future is
// done, as `await fut` does.
//
// Threading: loop thread only; a coroutine runs inside the step of the task that awaits it.
#pragma once

#include <concepts>
#include <coroutine>
#include <exception>
#include <memory>
#include <optional>
#include <utility>

#include "runtime/event_loop.hpp"
#include "runtime/free_lists.hpp"
#include "runtime/future.hpp"
#include "runtime/none.hpp"
#include "runtime/task_base.hpp"

namespace offload::runtime {

namespace detail {

template <class T>
struct ReturnChannel {
  std::optional<T> value;
  template <class U>
  void return_value(U&& v) {
    value.emplace(std::forward<U>(v));
  }
};
template <>
struct ReturnChannel<void> {
  std::optional<None> value;
  void return_void() { value.emplace(); }
};

// The task driving the current step; awaiting outside a task of the running loop is an error.
inline TaskBase& running_task(EventLoop& loop) {
  if (EventLoop::running_loop() != &loop)
    throw RuntimeError("awaited a future attached to a loop that is not running here");
  TaskBase* task = loop.current_task();
  if (task == nullptr) throw RuntimeError("a future can only be awaited inside a Task");
  return *task;
}

}  // namespace detail

template <class T>
class [[nodiscard]] Coroutine {
 public:
  using value_type = ValueOf<T>;

  struct promise_type : detail::ReturnChannel<T> {
    std::coroutine_handle<> continuation;  // The coroutine awaiting this one inline, if any.
    std::exception_ptr exception;

    Coroutine get_return_object() {
      return Coroutine(std::coroutine_handle<promise_type>::from_promise(*this));
    }
    std::suspend_always initial_suspend() noexcept { return {}; }
    auto final_suspend() noexcept {
      struct Transfer {
        bool await_ready() noexcept { return false; }
        std::coroutine_handle<> await_suspend(std::coroutine_handle<promise_type> h) noexcept {
          auto next = h.promise().continuation;
          return next ? next : std::noop_coroutine();
        }
        void await_resume() noexcept {}
      };
      return Transfer{};
    }
    void unhandled_exception() noexcept { exception = std::current_exception(); }

    // The frame comes from the running loop's free lists when it has some (EventLoopOptions).
    static void* operator new(std::size_t size) { return FreeLists::allocate(size); }
    static void operator delete(void* frame, std::size_t size) noexcept { FreeLists::deallocate(frame, size); }
  };
  using Handle = std::coroutine_handle<promise_type>;

  Coroutine(Coroutine&& other) noexcept : handle_(std::exchange(other.handle_, nullptr)) {}
  Coroutine& operator=(Coroutine&& other) noexcept {
    if (this != &other) {
      destroy();
      handle_ = std::exchange(other.handle_, nullptr);
    }
    return *this;
  }
  ~Coroutine() { destroy(); }

  // Hands the frame to a Task, which destroys it when done.
  Handle release() noexcept { return std::exchange(handle_, nullptr); }

  // `co_await std::move(coroutine)`: start it now, in the awaiting task, and return its value.
  auto operator co_await() && noexcept {
    struct Awaiter {
      Handle child;
      bool await_ready() noexcept { return false; }
      std::coroutine_handle<> await_suspend(std::coroutine_handle<> parent) noexcept {
        child.promise().continuation = parent;
        return child;
      }
      value_type await_resume() {
        auto& p = child.promise();
        if (p.exception) std::rethrow_exception(p.exception);
        return std::move(*p.value);
      }
    };
    return Awaiter{handle_};
  }

 private:
  explicit Coroutine(Handle h) : handle_(h) {}
  void destroy() noexcept {
    if (handle_) handle_.destroy();
    handle_ = nullptr;
  }
  Handle handle_;
};

// `co_await future` (a Future<T>, Task or any FutureBase subtype with result()): returns the
// result at once when the future is done, else suspends the task until it is.
template <class F>
  requires std::derived_from<F, FutureBase>
auto operator co_await(std::shared_ptr<F> future) {
  struct Awaiter {
    std::shared_ptr<F> future;
    TaskBase* task = nullptr;
    bool await_ready() {
      task = &detail::running_task(future->get_loop());
      return future->done();
    }
    void await_suspend(std::coroutine_handle<> h) { task->await_future(*future, h); }
    auto await_resume() {
      if (task->take_cancel_request()) std::rethrow_exception(task->make_task_cancelled_error());
      return future->result();
    }
  };
  return Awaiter{std::move(future)};
}

// A bare yield: let every other ready callback run once, then continue (asyncio.sleep(0)).
struct YieldNow {
  TaskBase* task = nullptr;
  bool await_ready() {
    EventLoop* loop = EventLoop::running_loop();
    if (loop == nullptr) throw RuntimeError("no running event loop");
    task = &detail::running_task(*loop);
    return false;
  }
  void await_suspend(std::coroutine_handle<> h) { task->yield_now(h); }
  void await_resume() {
    if (task->take_cancel_request()) std::rethrow_exception(task->make_task_cancelled_error());
  }
};

}  // namespace offload::runtime
