// ThreadPoolExecutor: concurrent.futures.ThreadPoolExecutor as in CPython 3.12's thread.py. A
// FIFO work queue feeds up to max_workers threads, started lazily by submit() unless a worker has
// signalled it is idle; each submit() returns a ConcurrentFuture the worker completes.
//
// Threading: submit(), shutdown(), thread_count(), idle_permits() and max_workers() are safe from
// any thread. Work items and the futures' done callbacks run on worker threads (callbacks of
// futures cancelled by shutdown(cancel_futures) run on the thread calling shutdown()). No executor
// lock is held while a work item runs or a future is cancelled. Lock order, written once:
//   shutdown_mutex_ -> queue_mutex_
//   shutdown_mutex_ -> IdleSemaphore::mutex_
// join_mutex_ is taken alone, never with another executor lock.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

#include "runtime/concurrent_future.hpp"
#include "runtime/errors.hpp"
#include "runtime/none.hpp"

namespace offload::runtime {

class ThreadPoolExecutor {
 public:
  // max_workers defaults to CPython's min(32, cpu count + 4); thread_name_prefix to
  // "ThreadPoolExecutor-<n>". Throws ValueError if max_workers is 0.
  explicit ThreadPoolExecutor(std::optional<std::size_t> max_workers = std::nullopt,
                              std::string thread_name_prefix = "");
  // shutdown(true).
  // Requires: not run on one of this executor's workers (a thread cannot join itself).
  ~ThreadPoolExecutor();

  ThreadPoolExecutor(const ThreadPoolExecutor&) = delete;
  ThreadPoolExecutor& operator=(const ThreadPoolExecutor&) = delete;

  // Schedules f(args...) (copies of f and args, called once) and returns its future.
  // Throws RuntimeError after shutdown.
  template <class F, class... Args>
  auto submit(F f, Args... args) -> std::shared_ptr<ConcurrentFuture<InvokeValue<F, Args...>>> {
    using Value = InvokeValue<F, Args...>;
    auto future = std::make_shared<ConcurrentFuture<Value>>();
    enqueue(std::make_unique<CallWorkItem<Value, F, Args...>>(future, std::move(f), std::move(args)...));
    return future;
  }

  // Stops accepting work; items queued earlier still run unless cancel_futures, which cancels
  // their futures instead. With wait, returns once every worker has exited.
  // Note: safe to call more than once and from several threads; the threads are joined once,
  // and every waiting caller returns after that join.
  // Requires: with wait, not called on one of this executor's workers.
  void shutdown(bool wait = true, bool cancel_futures = false);

  // Threads started so far; never more than max_workers().
  std::size_t thread_count() const;
  std::size_t max_workers() const { return max_workers_; }
  // For tests: the idle semaphore's value (work items finished and not yet claimed by a submit).
  std::size_t idle_permits() const { return idle_semaphore_.value(); }

 private:
  // CPython's _WorkItem, type-erased so the queue and the workers live in the .cpp.
  struct WorkItem {
    virtual ~WorkItem() = default;
    virtual void run() = 0;     // Runs the call, unless the future was cancelled first.
    virtual void cancel() = 0;  // Cancels the future; the call never runs.
  };

  template <class Value, class F, class... Args>
  class CallWorkItem final : public WorkItem {
   public:
    CallWorkItem(std::shared_ptr<ConcurrentFuture<Value>> future, F f, Args... args)
        : future_(std::move(future)), f_(std::move(f)), args_(std::move(args)...) {}

    void run() override {
      if (!future_->set_running_or_notify_cancel()) return;
      try {
        future_->set_result(std::apply(
            [this](Args&... args) { return invoke_value(std::move(f_), std::move(args)...); }, args_));
      } catch (...) {
        future_->set_exception(std::current_exception());
      }
    }

    void cancel() override { future_->cancel(); }

   private:
    std::shared_ptr<ConcurrentFuture<Value>> future_;
    F f_;
    std::tuple<Args...> args_;
  };

  // threading.Semaphore: a lock-protected count. Only try_acquire() and release() are used (no
  // caller blocks on it), so unlike CPython's it needs no condition variable.
  class IdleSemaphore {
   public:
    bool try_acquire();
    void release();
    std::size_t value() const;

   private:
    mutable std::mutex mutex_;
    std::size_t value_ = 0;  // Guarded by mutex_.
  };

  // Puts `item` on the queue and adjusts the thread count. Throws RuntimeError after shutdown.
  void enqueue(std::unique_ptr<WorkItem> item);
  // Requires: shutdown_mutex_ held.
  void adjust_thread_count();
  void worker_loop(std::string name);

  const std::size_t max_workers_;
  const std::string thread_name_prefix_;
  IdleSemaphore idle_semaphore_;

  mutable std::mutex shutdown_mutex_;  // CPython's _shutdown_lock.
  bool shutdown_ = false;              // Guarded by shutdown_mutex_.
  // Guarded by shutdown_mutex_ while it grows; it never changes once shutdown_ is set, so
  // shutdown() then joins its elements holding only join_mutex_.
  std::vector<std::thread> threads_;

  std::mutex join_mutex_;  // Serialises joining, so the threads are joined exactly once.
  bool joined_ = false;    // Guarded by join_mutex_.

  std::mutex queue_mutex_;
  std::condition_variable queue_cv_;  // Signalled on every put, and on close for all workers.
  std::deque<std::unique_ptr<WorkItem>> queue_;  // Guarded by queue_mutex_. FIFO.
  bool queue_closed_ = false;  // Guarded by queue_mutex_. Set by shutdown(): workers exit once the queue is empty.
};

}  // namespace offload::runtime
