// Semaphore: asyncio.Semaphore (3.12): FIFO waiters, each a loop future; release() wakes the
// first waiter that is not done; a woken waiter cancelled before it runs gives its slot back.
//
// Threading: loop thread only.
#pragma once

#include <algorithm>
#include <cstddef>
#include <deque>
#include <exception>
#include <memory>

#include "runtime/coroutine.hpp"
#include "runtime/event_loop.hpp"
#include "runtime/future.hpp"
#include "runtime/task.hpp"

namespace offload::runtime {

class Semaphore {
 public:
  explicit Semaphore(std::size_t value = 1) : value_(value) {}
  Semaphore(const Semaphore&) = delete;
  Semaphore& operator=(const Semaphore&) = delete;

  // True when acquire() would suspend.
  bool locked() const {
    return value_ == 0 ||
           std::any_of(waiters_.begin(), waiters_.end(), [](auto& w) { return !w->cancelled(); });
  }

  Coroutine<void> acquire() {
    if (!locked()) {
      --value_;
      co_return;
    }
    auto waiter = EventLoop::get_running_loop().create_future<None>();
    waiters_.push_back(waiter);
    std::exception_ptr error;
    try {
      co_await waiter;
    } catch (...) {
      error = std::current_exception();
    }
    std::erase(waiters_, waiter);
    // Woken by release() but cancelled before resuming: give the slot to someone else.
    if (error && waiter->done() && !waiter->cancelled()) ++value_;
    // Waiters that arrived meanwhile had to queue behind us; wake as many as now fit.
    while (value_ > 0 && wake_up_next()) {
    }
    if (error) std::rethrow_exception(error);
  }

  void release() {
    ++value_;
    wake_up_next();
  }

 private:
  bool wake_up_next() {
    for (auto& waiter : waiters_) {
      if (!waiter->done()) {
        --value_;
        waiter->set_result(None{});
        return true;
      }
    }
    return false;
  }

  std::size_t value_;
  std::deque<std::shared_ptr<Future<None>>> waiters_;
};

}  // namespace offload::runtime
