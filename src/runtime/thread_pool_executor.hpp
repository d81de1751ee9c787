// ThreadPoolExecutor: concurrent.futures.ThreadPoolExecutor as in CPython 3.12's thread.py. A
// FIFO work queue feeds up to max_workers threads, started lazily by submit() unless a worker has
// signalled it is idle; each submit() returns a ConcurrentFuture the worker completes. Two
// construction-time options (ExecutorOptions) swap how an idle worker waits and when submit()
// signals one; the defaults are CPython's.
//
// Threading: submit(), shutdown(), thread_count(), idle_permits(), max_workers() and options() are
// safe from any thread. Work items and the futures' done callbacks run on worker threads (callbacks
// of futures cancelled by shutdown(cancel_futures) run on the thread calling shutdown()). No
// executor lock is held while a work item runs or a future is cancelled. Lock order, written once:
//   shutdown_mutex_ -> queue_mutex_
//   shutdown_mutex_ -> IdleSemaphore::mutex_
// join_mutex_ is taken alone, never with another executor lock.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

#include "runtime/concurrent_future.hpp"
#include "runtime/errors.hpp"
#include "runtime/none.hpp"

namespace offload::runtime {

// What an idle worker does while the queue is empty.
enum class WorkerIdle {
  // "park": wait on the queue's condition variable at once (CPython: SimpleQueue.get blocks).
  kPark,
  // "spin_then_park": poll an atomic "queue not empty" hint with a pause instruction for up to
  // ExecutorOptions::spin_before_park, then park as kPark does. An item that arrives while the
  // worker spins is taken without a futex wake-up (counted as kWorkerSpinHits, not kWorkerWakeups).
  kSpinThenPark,
};

// When submit() signals the queue's condition variable.
enum class Signal {
  // "always": notify_one on every put, whether or not a worker waits (CPython's SimpleQueue.put).
  kAlways,
  // "if_idle": notify_one only when a worker is parked on the condition variable, as libuv's
  // `idle_threads` and Tokio's `num_idle` decide; a spinning or busy worker re-checks the queue
  // before it parks, so it needs no signal.
  kIfIdle,
  // "if_no_spinner": notify_one only when a worker is parked and none is spinning (Tokio notifies
  // no parked worker while one is searching): the spinner takes the item without a futex wake-up.
  // A worker that takes an item and leaves more queued wakes a parked one, as does the next put
  // after the spinner turns busy, so no item waits behind a busy worker while another sleeps.
  // With kPark nobody spins and it is kIfIdle.
  kIfNoSpinner,
};

// Which locks a submit and a worker's take of an item pay.
enum class PoolLocks {
  // "cpython": thread.py's. submit() takes the shutdown lock, the queue's lock and the idle
  // semaphore's lock (a permit, or else start a thread); a worker takes the queue's lock for each
  // item and the semaphore's after it (release a permit): 3 + 2 lock round trips per item.
  kCPython,
  // "queue_only": libuv's fixed pool (uv__work_submit, worker). Once max_workers threads run,
  // the idle semaphore has nothing left to decide — it only chooses between a permit and a new
  // thread — so submit() takes the queue's lock alone (which also says whether the executor is
  // shut down) and a worker the queue's lock alone: 1 + 1. Until then, as kCPython.
  kQueueOnly,
};

// Stable ids, the same in scenario files, on the command line and in reports.
std::string_view to_string(WorkerIdle idle);
std::string_view to_string(Signal signal);
std::string_view to_string(PoolLocks locks);
// The enum value with id `id`, or nullopt: from_string<WorkerIdle>("spin_then_park").
template <class E>
std::optional<E> from_string(std::string_view id);
template <>
std::optional<WorkerIdle> from_string<WorkerIdle>(std::string_view id);
template <>
std::optional<Signal> from_string<Signal>(std::string_view id);
template <>
std::optional<PoolLocks> from_string<PoolLocks>(std::string_view id);

// Construction-time strategy options. The defaults are CPython's behaviour: the faithful model.
struct ExecutorOptions {
  WorkerIdle worker_idle = WorkerIdle::kPark;
  // With kSpinThenPark, how long an idle worker spins before it parks; ignored with kPark.
  // 50 µs, because the spin must outlast the gap it is meant to bridge, and no more. A parked
  // worker costs the next submit a futex wake-up: on this 2-vCPU KVM VM, idle, a condition-variable
  // hand-off to a parked thread measured ~20 µs one way (a halted vCPU must be woken too; ~15 µs
  // with the other vCPU busy) against ~0.06 µs to a thread spinning with `pause`, and a
  // sequential offload pays it on every item. The gap to bridge, from a worker finishing an item
  // to the next submit of a sequential to_thread, is the event loop's own wake-up and callback
  // path: an end-to-end offload measures ~15 µs median here (README). Spinning before sleeping is
  // what real runtimes do — musl spins 100 `pause`s before a futex wait on a mutex, folly's
  // WaitOptions spins 2 µs, .NET's thread pool workers spin ~70 iterations on their semaphore —
  // but those windows cover a lock hand-off, not a loop round trip: a 2 µs spin would expire
  // before the next item of a sequential offload arrives. Bounded, so an idle pool parks within
  // 50 µs and then costs no CPU; a spin that ends without work burns 50 µs of one CPU, about the
  // CPU time of two parked round trips (~28 µs each here). Oversubscribed CPUs are the known loss: a spinner can hold the CPU
  // the submitting thread needs.
  // Requires: not negative (ValueError).
  std::chrono::nanoseconds spin_before_park{50'000};
  // With kSpinThenPark, how many workers may spin at once; the others park at once. 0: one less
  // than the machine's CPUs, at least 1, so spinning workers never take every CPU from the
  // threads that submit (on this 2-vCPU VM, two spinning workers starved the loop thread: its
  // preemptions made the workers' spins expire and park, and every submit then paid a wake-up).
  std::size_t max_spinning_workers = 0;
  Signal signal = Signal::kAlways;
  PoolLocks pool_locks = PoolLocks::kCPython;

  bool operator==(const ExecutorOptions&) const = default;
};

class ThreadPoolExecutor {
 public:
  // max_workers defaults to CPython's min(32, cpu count + 4); thread_name_prefix to
  // "ThreadPoolExecutor-<n>". Throws ValueError if max_workers is 0.
  explicit ThreadPoolExecutor(std::optional<std::size_t> max_workers = std::nullopt,
                              std::string thread_name_prefix = "");
  // As above, with the given strategy options. Throws ValueError if spin_before_park < 0.
  ThreadPoolExecutor(std::optional<std::size_t> max_workers, std::string thread_name_prefix,
                     ExecutorOptions options);
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

  // Schedules f() with no ConcurrentFuture (Asio's post, libuv's uv_queue_work): for callers
  // that complete their own future, as the direct completion path and offload_batch do. An item
  // the executor drops unrun (shutdown with cancel_futures) is destroyed without running, so f's
  // destructor must finish what its call would have. An exception escaping f() is reported
  // (report_uncaught), not propagated. Throws RuntimeError after shutdown.
  template <class F>
  void post(F f) {
    enqueue(std::make_unique<PostedWorkItem<F>>(std::move(f)));
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
  const ExecutorOptions& options() const { return options_; }
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

  template <class F>
  class PostedWorkItem final : public WorkItem {
   public:
    explicit PostedWorkItem(F f) : f_(std::move(f)) {}
    void run() override { f_(); }
    void cancel() override {}  // Destroying f_ unrun is the cancel (see post()).

   private:
    F f_;
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
  // The queue half of enqueue(): push under queue_mutex_ and signal a worker as options_.signal
  // says. Throws RuntimeError when the queue is closed (shut down).
  void put(std::unique_ptr<WorkItem> item);
  // PoolLocks::kQueueOnly and every thread started: submit and take skip the idle semaphore.
  bool queue_only() const noexcept {
    return options_.pool_locks == PoolLocks::kQueueOnly && pool_full_.load(std::memory_order_relaxed);
  }
  // Requires: shutdown_mutex_ held.
  void adjust_thread_count();
  void worker_loop(std::string name);
  // The spin half of kSpinThenPark: polls has_work_hint_ until it is set or the spin expires.
  // Returns true if the hint was clear when it started and was set while it spun. Returns false
  // at once when max_spinning_ workers already spin.
  bool spin_for_work();

  const std::size_t max_workers_;
  const std::string thread_name_prefix_;
  const ExecutorOptions options_;
  IdleSemaphore idle_semaphore_;

  mutable std::mutex shutdown_mutex_;  // CPython's _shutdown_lock.
  bool shutdown_ = false;              // Guarded by shutdown_mutex_.
  // Guarded by shutdown_mutex_ while it grows; it never changes once shutdown_ is set, so
  // shutdown() then joins its elements holding only join_mutex_.
  std::vector<std::thread> threads_;

  // threads_.size() == max_workers_: set once, under shutdown_mutex_, and never cleared, so from
  // then on no thread is ever started again. Relaxed: it publishes nothing; a reader that still
  // sees false takes the kCPython path, which is correct at any time.
  std::atomic<bool> pool_full_{false};

  std::mutex join_mutex_;  // Serialises joining, so the threads are joined exactly once.
  bool joined_ = false;    // Guarded by join_mutex_.

  std::mutex queue_mutex_;
  // Signalled on a put (every put with Signal::kAlways, with kIfIdle only while parked_workers_ > 0)
  // and on close for all workers.
  std::condition_variable queue_cv_;
  std::deque<std::unique_ptr<WorkItem>> queue_;  // Guarded by queue_mutex_. FIFO.
  bool queue_closed_ = false;  // Guarded by queue_mutex_. Set by shutdown(): workers exit once the queue is empty.
  // Workers inside queue_cv_.wait(): incremented before the wait and decremented after it in the
  // same hold of queue_mutex_ that re-checked the queue. Guarded by queue_mutex_.
  std::size_t parked_workers_ = 0;
  // With WorkerIdle::kSpinThenPark only (never touched otherwise): "the queue may hold work or is
  // closed", the flag spinning workers poll without the lock. Written only under queue_mutex_
  // (set by a put and by close, cleared by the worker that takes the last item), so it is exact
  // whenever the lock is held; an unlocked read is a hint, and a spinner that sees it set takes
  // the lock and re-checks the queue. Relaxed: the lock, not the flag, publishes the item.
  std::atomic<bool> has_work_hint_{false};
  // kSpinThenPark: workers inside spin_for_work(), at most max_spinning_. A spinner leaves the
  // count before it takes queue_mutex_ to re-check the queue, so a put that reads it under
  // queue_mutex_ and skips the signal (Signal::kIfNoSpinner) has a spinner still to re-check the
  // queue after the put: the item is taken, or the reader saw the count already lowered.
  std::atomic<std::size_t> spinning_workers_{0};
  const std::size_t max_spinning_;
};

}  // namespace offload::runtime
