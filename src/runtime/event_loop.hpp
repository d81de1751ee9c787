// EventLoop: asyncio's selector event loop reduced to what the offload path needs — a ready
// queue, a timer heap, a wake-up fd polled each iteration, run_in_executor and the default
// executor — plus the direct completion path (run_in_executor_direct, completion_queue.hpp).
//
// Threading: a loop is bound to the thread that runs it. While it runs, every method except
// call_soon_threadsafe(), is_running(), is_closed() and stop()'s flag belongs to that thread;
// calling one from another thread throws RuntimeError. call_soon_threadsafe() is safe from any
// thread: it appends under threadsafe_mutex_ and signals the wake-up fd (one write per call, or
// one per loop iteration with WakeupMode::kCoalesced). Direct offloads' workers push onto
// completions_ (its own leaf mutex) and signal the same way.
// Lock order: threadsafe_mutex_ and the completion queue's mutex are leaves, never held together.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>
#include <type_traits>
#include <vector>

#include "runtime/completion_queue.hpp"
#include "runtime/concurrent_future.hpp"
#include "runtime/context.hpp"
#include "runtime/errors.hpp"
#include "runtime/free_lists.hpp"
#include "runtime/future.hpp"
#include "runtime/handle.hpp"
#include "runtime/none.hpp"
#include "runtime/thread_pool_executor.hpp"
#include "runtime/wakeup.hpp"

namespace offload::runtime {

template <class T>
class Coroutine;
template <class T>
class Task;
class TaskBase;
struct CopyFutureStatePerField;

// Defined in future_chain.hpp: chains a loop future to `source` (asyncio.wrap_future).
template <class StateCopy, class T>
std::shared_ptr<Future<T>> wrap_future(std::shared_ptr<ConcurrentFuture<T>> source, EventLoop& loop);

// Construction-time strategy options. The defaults are CPython's behaviour: the faithful model.
struct EventLoopOptions {
  // per_call by default because that is what CPython does (_write_to_self after every
  // call_soon_threadsafe), and the default loop is the model the strategies are measured against.
  WakeupMode wakeup = WakeupMode::kPerCall;
  // Before blocking in ppoll, spin this long watching the thread-safe and completion queues
  // (0: block at once, as asyncio's selector does). The spin reads two flags in memory, no system
  // call, and with kCoalesced wake-ups it holds the pending flag so producers skip their eventfd
  // write meanwhile: a completion pushed during the spin reaches the loop in the time a cache
  // line takes to move (~0.1 µs), with no futex wake-up (~10-20 µs on a KVM guest) and no write,
  // for the CPU the spin burns; a sequential offload's next completion arrives within a few µs.
  std::chrono::nanoseconds idle_spin{0};
  // While the loop runs, its thread's small per-op blocks (coroutine frames, Tasks, loop futures,
  // handles, context copies) come from and go back to free lists the loop keeps across runs
  // (free_lists.hpp) instead of glibc malloc. Off by default: CPython's objects come from
  // pymalloc, which the model's malloc stands for.
  bool free_lists = false;
};

class EventLoop {
 public:
  using Clock = LoopClock;
  // Receives exceptions escaping callbacks (asyncio's call_exception_handler); the default
  // prints them to stderr. The loop keeps running, as asyncio's does.
  using ExceptionHandler = std::function<void(std::exception_ptr, std::string_view where)>;

  EventLoop();  // EventLoop(EventLoopOptions{})
  explicit EventLoop(EventLoopOptions options);
  ~EventLoop();  // close(); Requires: not running.
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  // Schedules `callback` to run in `context` (default: copy_context()) on the next iteration.
  Handle call_soon(Callback<void()> callback, std::optional<Context> context = std::nullopt);
  // Safe from any thread: queues the callback and wakes the loop (one eventfd write per call,
  // or none while a coalesced signal is pending).
  Handle call_soon_threadsafe(Callback<void()> callback,
                              std::optional<Context> context = std::nullopt);
  TimerHandle call_later(Clock::duration delay, Callback<void()> callback,
                         std::optional<Context> context = std::nullopt);
  TimerHandle call_at(Clock::time_point when, Callback<void()> callback,
                      std::optional<Context> context = std::nullopt);
  Clock::time_point time() const { return Clock::now(); }

  // Runs iterations until stop(); the loop binds to the calling thread meanwhile.
  void run_forever();
  // The loop finishes the iteration in progress (running what is ready) and returns.
  void stop() noexcept { stopping_ = true; }
  bool is_running() const noexcept { return running_.load(std::memory_order_relaxed); }
  bool is_closed() const noexcept { return closed_.load(std::memory_order_acquire); }
  // Drops pending callbacks and shuts the default executor down without waiting.
  void close();

  // Runs until `future` is done and returns its result (or throws its exception).
  template <class F>
    requires std::derived_from<F, FutureBase>
  auto run_until_complete(const std::shared_ptr<F>& future);
  // Wraps `coroutine` in a Task and runs until it is done. Defined in task.hpp.
  template <class T>
  ValueOf<T> run_until_complete(Coroutine<T> coroutine);

  template <class T>
  std::shared_ptr<Future<T>> create_future() {
    return make_shared_cached<Future<T>>(*this);
  }
  // Defined in task.hpp.
  template <class T>
  std::shared_ptr<Task<T>> create_task(Coroutine<T> coroutine);

  // Submits f(args...) to `executor` (nullptr: the default executor, created on first use)
  // and returns a loop future chained to the executor's ConcurrentFuture. StateCopy is the
  // state-copy seam: how the finished ConcurrentFuture's outcome reaches the loop future.
  template <class StateCopy = CopyFutureStatePerField, class F, class... Args>
  std::shared_ptr<Future<InvokeValue<F, Args...>>> run_in_executor(ThreadPoolExecutor* executor,
                                                                   F f, Args... args) {
    check_closed();
    if (executor == nullptr) executor = &default_executor();
    return wrap_future<StateCopy>(executor->submit(std::move(f), std::move(args)...), *this);
  }

  // The direct completion path (libuv's done queue, gh-136084): submits f(args...) to
  // `executor` (nullptr: the default executor) as a job that, on the worker, stores its result or
  // exception in the returned loop future and pushes it onto this loop's completion queue,
  // signalling the loop with its wake-up mode. The loop sets the outcome directly, in one batch
  // per iteration: no ConcurrentFuture callback, no Handle, no state copy.
  // Cancelling the future before the job starts means f never runs (the job checks a flag the
  // future's cancel() sets; the executor's ConcurrentFuture is not used); an outcome arriving
  // for a cancelled future is dropped; a job the executor drops unrun cancels the future.
  // Requires: loop thread; `executor` finishes its jobs before this loop is destroyed.
  template <class F, class... Args>
  std::shared_ptr<Future<InvokeValue<F, Args...>>> run_in_executor_direct(
      ThreadPoolExecutor* executor, F f, Args... args) {
    check_closed();
    check_thread();
    if (executor == nullptr) executor = &default_executor();
    if constexpr (sizeof...(Args) == 0) {
      return submit_direct(*executor, std::move(f));
    } else {
      return submit_direct(*executor, [f = std::move(f), ... args = std::move(args)]() mutable {
        return std::invoke(std::move(f), std::move(args)...);
      });
    }
  }

  // The queue direct offloads complete through, for completion paths built outside the loop
  // (offload_batch, batch_offload.hpp, pushes one Completion per chunk). From the first call on,
  // every iteration drains it, calling each pushed Completion's complete() once on this thread.
  // Requires: loop thread (the queue's push() is safe from any thread).
  CompletionQueue& completion_queue() {
    check_thread();
    drain_completions_ = true;
    return completions_;
  }

  WakeupMode wakeup_mode() const noexcept { return wakeup_.mode(); }
  std::chrono::nanoseconds idle_spin() const noexcept { return idle_spin_; }

  // The executor run_in_executor(nullptr, ...) uses; created lazily like asyncio's.
  ThreadPoolExecutor& default_executor();
  void set_default_executor(std::unique_ptr<ThreadPoolExecutor> executor);
  // Shuts the default executor down, waiting for its threads on a helper thread so the loop
  // stays responsive meanwhile. Defined in event_loop.cpp.
  Coroutine<void> shutdown_default_executor();

  void set_exception_handler(ExceptionHandler handler) { exception_handler_ = std::move(handler); }
  void call_exception_handler(std::exception_ptr error, std::string_view where);

  // asyncio.current_task(): the task whose step is running, or nullptr.
  TaskBase* current_task() const noexcept { return current_task_; }
  void enter_task(TaskBase* task);
  void leave_task(TaskBase* task);

  // The loop running on this thread; get_running_loop() throws RuntimeError when none is.
  static EventLoop* running_loop() noexcept;
  static EventLoop& get_running_loop();

  // --breakdown: stamp the time each iteration's poll returns, for traced offloads' loop-woken
  // stamp (PhaseTrace). Off by default: the untraced loop reads no clock for it.
  void set_phase_tracing(bool on) noexcept { phase_tracing_ = on; }
  // When the current iteration's poll returned; 0 unless phase tracing is on.
  std::int64_t phase_trace_woken_ns() const noexcept { return phase_trace_woken_ns_; }

  // Number of completed iterations (_run_once calls); lets tests drive and observe the loop.
  std::uint64_t iterations() const noexcept { return iterations_; }

 private:
  struct Timer {
    Clock::time_point when;
    std::uint64_t sequence;  // FIFO among equal deadlines.
    std::shared_ptr<HandleState> handle;
  };
  struct TimerLater {
    bool operator()(const Timer& a, const Timer& b) const {
      return a.when != b.when ? a.when > b.when : a.sequence > b.sequence;
    }
  };

  // One iteration: poll the wake-up fd (blocking only when nothing is ready), take the
  // thread-safe queue and the due timers into the ready queue, run what was ready.
  void run_once();
  void run_handle(HandleState& handle);
  // Sets the outcome of every direct offload the completion queue holds.
  void deliver_completions();
  template <class F>
  std::shared_ptr<Future<InvokeValue<F>>> submit_direct(ThreadPoolExecutor& executor, F f) {
    auto future = make_shared_cached<DirectFuture<InvokeValue<F>>>(*this);
    drain_completions_ = true;
    // No ConcurrentFuture: the job completes the loop future itself.
    executor.post(DirectCall<F>(future, completions_, std::move(f)));
    return future;
  }
  void check_thread() const;
  void check_closed() const;
  // How long this iteration may block in ppoll, measured from now: zero when a callback is ready
  // or a stop is pending, the time to the earliest timer, or nullopt (until a signal) without one.
  std::optional<std::chrono::nanoseconds> block_budget() const;
  // idle_spin: true once a queue may hold work, false when the spin ran out (loop_idle).
  bool spin_for_work();
  bool may_have_work() const noexcept {
    return threadsafe_nonempty_.load(std::memory_order_relaxed) ||
           (drain_completions_ && completions_.maybe_nonempty());
  }

  // Loop-thread state.
  std::deque<std::shared_ptr<HandleState>> ready_;
  std::vector<Timer> timers_;  // A min-heap under TimerLater.
  std::uint64_t timer_sequence_ = 0;
  std::uint64_t iterations_ = 0;
  bool stopping_ = false;
  // Set by the first direct offload; from then on every iteration takes the completion queue.
  // Until then the loop never touches it, so loops that only chain futures pay nothing for it.
  bool drain_completions_ = false;
  bool phase_tracing_ = false;
  std::int64_t phase_trace_woken_ns_ = 0;
  std::vector<std::shared_ptr<Completion>> completion_batch_;  // Empty between iterations.
  TaskBase* current_task_ = nullptr;
  ExceptionHandler exception_handler_;
  std::unique_ptr<ThreadPoolExecutor> default_executor_;
  // EventLoopOptions::free_lists: installed on the loop's thread while it runs; null when off.
  std::unique_ptr<FreeLists> free_lists_;

  std::atomic<bool> running_{false};
  // Release store in close() pairs with the acquire load in is_closed() on worker threads.
  std::atomic<bool> closed_{false};

  std::mutex threadsafe_mutex_;
  std::vector<std::shared_ptr<HandleState>> threadsafe_ready_;  // Guarded by threadsafe_mutex_.
  // == !threadsafe_ready_.empty(); written under threadsafe_mutex_, read by the idle spin.
  std::atomic<bool> threadsafe_nonempty_{false};
  Wakeup wakeup_;
  const std::chrono::nanoseconds idle_spin_;
  CompletionQueue completions_{wakeup_};  // Declared after wakeup_, which it signals.
};

template <class F>
  requires std::derived_from<F, FutureBase>
auto EventLoop::run_until_complete(const std::shared_ptr<F>& future) {
  if (&future->get_loop() != this) throw ValueError("The future belongs to a different loop");
  future->add_done_callback([this](FutureBase&) { stop(); });
  run_forever();
  if (!future->done()) throw RuntimeError("Event loop stopped before Future completed.");
  return future->result();
}

}  // namespace offload::runtime

#include "runtime/future_chain.hpp"
#include "runtime/task.hpp"
