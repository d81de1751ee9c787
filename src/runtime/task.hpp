// Task<T>: asyncio.Task. A future that drives a coroutine on its loop, one step per scheduled
// callback, each step run inside the context the task copied at creation.
//
// Protocol (asyncio's __step / __wakeup): a step resumes the coroutine chain where it last
// suspended; the chain runs until it awaits a pending future (the task adds a done-callback that
// schedules the next step), yields (next step scheduled at once), or the root coroutine ends
// (the task takes its result, exception or cancellation).
// Threading: loop thread only.
#pragma once

#include <cassert>
#include <coroutine>
#include <memory>
#include <string>
#include <utility>

#include "runtime/context.hpp"
#include "runtime/coroutine.hpp"
#include "runtime/event_loop.hpp"
#include "runtime/future.hpp"
#include "runtime/task_base.hpp"

namespace offload::runtime {

template <class T>
class Task final : public Future<ValueOf<T>>, public TaskBase {
 public:
  // Use EventLoop::create_task or create_task(): the task must live in a shared_ptr.
  Task(EventLoop& loop, Coroutine<T> coroutine)
      : Future<ValueOf<T>>(loop), root_(coroutine.release()), context_(copy_context()) {}
  ~Task() override {
    if (root_) root_.destroy();
  }

  bool cancel(std::string message = "") override { return cancel_task(std::move(message)); }

  bool cancel_task(std::string message) override {
    if (this->done()) return false;
    ++cancels_requested_;
    if (waiting_on_ && waiting_on_->cancel(message)) return true;
    must_cancel_ = true;
    cancel_message_ = std::move(message);
    return true;
  }

  void await_future(FutureBase& future, std::coroutine_handle<> resume_at) override {
    resume_at_ = resume_at;
    waiting_on_ = future.shared_from_this();
    future.add_done_callback([self = shared_task()](FutureBase&) { self->step(); }, context_);
    if (must_cancel_ && waiting_on_->cancel(cancel_message_)) must_cancel_ = false;
  }

  void yield_now(std::coroutine_handle<> resume_at) override {
    resume_at_ = resume_at;
    this->get_loop().call_soon([self = shared_task()] { self->step(); }, context_);
  }

  // Schedules the first step. Called once, by create_task.
  void start() {
    this->get_loop().call_soon([self = shared_task()] { self->step(); }, context_);
  }

 private:
  std::shared_ptr<Task> shared_task() {
    return std::static_pointer_cast<Task>(this->shared_from_this());
  }

  void step() {
    assert(!this->done() && "step of a finished task");
    if (must_cancel_) {
      must_cancel_ = false;
      throw_cancel_ = true;
    }
    waiting_on_.reset();
    if (!started_ && throw_cancel_) {
      // A coroutine cancelled before its first step never runs, as in asyncio.
      throw_cancel_ = false;
      root_.destroy();
      root_ = nullptr;
      this->mark_cancelled(cancel_message_);
      return;
    }
    started_ = true;
    EventLoop& loop = this->get_loop();
    loop.enter_task(this);
    std::coroutine_handle<> next = resume_at_ ? resume_at_ : root_;
    resume_at_ = nullptr;
    next.resume();  // Returns when the chain suspends again or the root finishes.
    loop.leave_task(this);
    assert(!throw_cancel_ && "a cancel was delivered to no awaiter");
    if (root_.done()) finish();
  }

  void finish() {
    auto& promise = root_.promise();
    std::exception_ptr error = std::move(promise.exception);
    std::optional<ValueOf<T>> value = std::move(promise.value);
    root_.destroy();
    root_ = nullptr;
    if (error) {
      try {
        std::rethrow_exception(error);
      } catch (const CancelledError& cancelled) {
        this->mark_cancelled(cancelled.what());
      } catch (...) {
        this->set_exception(error);
      }
    } else if (must_cancel_) {
      // Cancelled after the coroutine's last suspension: it ends cancelled, as in asyncio.
      must_cancel_ = false;
      this->mark_cancelled(cancel_message_);
    } else {
      this->set_result(std::move(*value));
    }
  }

  typename Coroutine<T>::Handle root_;
  std::coroutine_handle<> resume_at_;       // Where the next step resumes; the root at first.
  std::shared_ptr<FutureBase> waiting_on_;  // asyncio's _fut_waiter.
  Context context_;
  bool started_ = false;
};

template <class T>
std::shared_ptr<Task<T>> EventLoop::create_task(Coroutine<T> coroutine) {
  check_closed();
  auto task = make_shared_cached<Task<T>>(*this, std::move(coroutine));
  task->start();
  return task;
}

template <class T>
ValueOf<T> EventLoop::run_until_complete(Coroutine<T> coroutine) {
  return run_until_complete(create_task(std::move(coroutine)));
}

// asyncio.create_task: a task on the running loop.
template <class T>
std::shared_ptr<Task<T>> create_task(Coroutine<T> coroutine) {
  return EventLoop::get_running_loop().create_task(std::move(coroutine));
}

// asyncio.current_task(): the task running on this thread's loop, or nullptr.
inline TaskBase* current_task() {
  EventLoop* loop = EventLoop::running_loop();
  return loop ? loop->current_task() : nullptr;
}

}  // namespace offload::runtime
