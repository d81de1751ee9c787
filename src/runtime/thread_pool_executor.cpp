// ThreadPoolExecutor's non-template half: the work queue, the idle semaphore, the worker loop and
// shutdown. The protocol and lock order are in thread_pool_executor.hpp.
//
// Threading: the queue is CPython's queue.SimpleQueue — a deque under queue_mutex_ with one
// notify_one per put. A worker releases the idle semaphore after each item (3.12's thread.py), and
// submit() starts a thread only when it cannot take a permit from it. ExecutorOptions change two
// steps only, each behind a branch on a const member: whether a put signals (Signal) and whether
// an idle worker spins on has_work_hint_ before it parks (WorkerIdle). With the defaults the hint
// is never touched and the path is CPython's.
#include "runtime/thread_pool_executor.hpp"

#include <pthread.h>

#include <algorithm>
#include <atomic>
#include <cassert>
#include <string_view>

#include "runtime/cpu_relax.hpp"
#include "runtime/instrumentation.hpp"
#include "runtime/phase_trace.hpp"

namespace offload::runtime {
namespace {

using instrumentation::Counter;

// Linux limits a thread name to 15 bytes plus the terminator.
constexpr std::size_t kMaxThreadNameLength = 15;

// CPython: min(32, (os.cpu_count() or 1) + 4) — enough threads for I/O-bound work on small
// machines without thousands of threads on large ones.
std::size_t default_max_workers() {
  const std::size_t cpus = std::max(1u, std::thread::hardware_concurrency());
  return std::min<std::size_t>(32, cpus + 4);
}

// One less than the CPUs, at least 1: the submitting thread (the event loop) keeps a CPU.
std::size_t default_max_spinning_workers() {
  const std::size_t cpus = std::max(1u, std::thread::hardware_concurrency());
  return cpus > 1 ? cpus - 1 : 1;
}

const ExecutorOptions& checked_options(const ExecutorOptions& options) {
  if (options.spin_before_park < std::chrono::nanoseconds::zero())
    throw ValueError("spin_before_park must not be negative");
  return options;
}

std::size_t checked_max_workers(std::optional<std::size_t> max_workers) {
  if (!max_workers) return default_max_workers();
  if (*max_workers == 0) throw ValueError("max_workers must be greater than 0");
  return *max_workers;
}

// CPython names an unnamed executor "ThreadPoolExecutor-<n>", n counting executors.
std::string default_prefix(std::string prefix) {
  static std::atomic<unsigned> counter{0};
  if (!prefix.empty()) return prefix;
  return "ThreadPoolExecutor-" + std::to_string(counter.fetch_add(1, std::memory_order_relaxed));
}

}  // namespace

std::string_view to_string(WorkerIdle idle) {
  switch (idle) {
    case WorkerIdle::kPark: return "park";
    case WorkerIdle::kSpinThenPark: return "spin_then_park";
  }
  return "?";
}

std::string_view to_string(Signal signal) {
  switch (signal) {
    case Signal::kAlways: return "always";
    case Signal::kIfIdle: return "if_idle";
    case Signal::kIfNoSpinner: return "if_no_spinner";
  }
  return "?";
}

std::string_view to_string(PoolLocks locks) {
  switch (locks) {
    case PoolLocks::kCPython: return "cpython";
    case PoolLocks::kQueueOnly: return "queue_only";
  }
  return "?";
}

template <>
std::optional<PoolLocks> from_string<PoolLocks>(std::string_view id) {
  for (PoolLocks locks : {PoolLocks::kCPython, PoolLocks::kQueueOnly})
    if (to_string(locks) == id) return locks;
  return std::nullopt;
}

template <>
std::optional<WorkerIdle> from_string<WorkerIdle>(std::string_view id) {
  for (WorkerIdle idle : {WorkerIdle::kPark, WorkerIdle::kSpinThenPark})
    if (to_string(idle) == id) return idle;
  return std::nullopt;
}

template <>
std::optional<Signal> from_string<Signal>(std::string_view id) {
  for (Signal signal : {Signal::kAlways, Signal::kIfIdle, Signal::kIfNoSpinner})
    if (to_string(signal) == id) return signal;
  return std::nullopt;
}

bool ThreadPoolExecutor::IdleSemaphore::try_acquire() {
  auto lock = instrumentation::lock(mutex_);
  if (value_ == 0) return false;
  --value_;
  return true;
}

void ThreadPoolExecutor::IdleSemaphore::release() {
  auto lock = instrumentation::lock(mutex_);
  ++value_;
}

std::size_t ThreadPoolExecutor::IdleSemaphore::value() const {
  auto lock = instrumentation::lock(mutex_);
  return value_;
}

ThreadPoolExecutor::ThreadPoolExecutor(std::optional<std::size_t> max_workers, std::string thread_name_prefix)
    : ThreadPoolExecutor(max_workers, std::move(thread_name_prefix), ExecutorOptions{}) {}

ThreadPoolExecutor::ThreadPoolExecutor(std::optional<std::size_t> max_workers, std::string thread_name_prefix,
                                       ExecutorOptions options)
    : max_workers_(checked_max_workers(max_workers)),
      thread_name_prefix_(default_prefix(std::move(thread_name_prefix))),
      options_(checked_options(options)),
      max_spinning_(options.max_spinning_workers != 0
                        ? options.max_spinning_workers
                        : default_max_spinning_workers()) {}

ThreadPoolExecutor::~ThreadPoolExecutor() { shutdown(true); }

void ThreadPoolExecutor::enqueue(std::unique_ptr<WorkItem> item) {
  // Every thread is started: nothing for the shutdown lock and the idle semaphore to decide.
  // put() still refuses a closed queue, and shutdown() closes it under queue_mutex_ after setting
  // shutdown_, so a submit racing with shutdown() either throws or queues an item that runs.
  if (queue_only()) {
    put(std::move(item));
    return;
  }
  auto shutdown_lock = instrumentation::lock(shutdown_mutex_);
  if (shutdown_) throw RuntimeError("cannot schedule new futures after shutdown");
  put(std::move(item));
  adjust_thread_count();
}

void ThreadPoolExecutor::put(std::unique_ptr<WorkItem> item) {
  bool signal = true;
  {
    auto queue_lock = instrumentation::lock(queue_mutex_);
    if (queue_closed_) throw RuntimeError("cannot schedule new futures after shutdown");
    queue_.push_back(std::move(item));
    if (options_.worker_idle == WorkerIdle::kSpinThenPark) has_work_hint_.store(true, std::memory_order_relaxed);
    // Signal::kIfIdle never loses a wake-up. parked_workers_ changes only under queue_mutex_, in
    // the same hold in which the worker found the queue empty, and condition_variable::wait()
    // releases the mutex and joins the waiters atomically. So, read here under the lock:
    //  - parked_workers_ == 0: every worker is busy, spinning, or about to take queue_mutex_; each
    //    re-checks the queue under queue_mutex_ before it may park, sees this item, and does not
    //    park while the queue is non-empty. No signal is needed.
    //  - parked_workers_ > 0: those workers are waiting now, or were already woken and have yet
    //    to re-take the lock (then they re-check the queue as above). The notify_one below, made
    //    after unlocking, finds a waiter if any is still waiting; if none is, the woken ones will
    //    see the item. Notifying after the unlock is safe for the same reason.
    // An item can therefore be stranded only with every worker parked and the queue non-empty,
    // and no state reachable from a put leaves that without a notify still due.
    // Signal::kIfNoSpinner adds one case: a spinning worker (counted in spinning_workers_) has yet
    // to take queue_mutex_ and re-check the queue, so it takes the item; see spinning_workers_.
    if (options_.signal == Signal::kIfIdle) signal = parked_workers_ > 0;
    if (options_.signal == Signal::kIfNoSpinner)
      signal = parked_workers_ > 0 && spinning_workers_.load(std::memory_order_relaxed) == 0;
  }
  if (signal) {
    instrumentation::count(Counter::kWorkerWakeupSignals);
    queue_cv_.notify_one();
  }
}

void ThreadPoolExecutor::adjust_thread_count() {
  // An idle worker will take the item: do not start another thread.
  if (idle_semaphore_.try_acquire()) return;
  const std::size_t index = threads_.size();
  if (index >= max_workers_) return;
  std::string name = thread_name_prefix_ + "_" + std::to_string(index);
  threads_.emplace_back(&ThreadPoolExecutor::worker_loop, this, std::move(name));
  assert(threads_.size() <= max_workers_ && "never more threads than max_workers");
  if (threads_.size() == max_workers_) pool_full_.store(true, std::memory_order_relaxed);
}

void ThreadPoolExecutor::worker_loop(std::string name) {
  name.resize(std::min(name.size(), kMaxThreadNameLength));
  pthread_setname_np(pthread_self(), name.c_str());

  const bool spin = options_.worker_idle == WorkerIdle::kSpinThenPark;
  for (;;) {
    // SPINNING (kSpinThenPark only): poll the hint without the lock for up to spin_before_park.
    // Returns at once when work is already queued (a backlog is not a spin hit).
    const bool spun_into_work = spin && spin_for_work();
    std::unique_ptr<WorkItem> item;
    bool wake_another = false;
    {
      auto lock = instrumentation::lock(queue_mutex_);
      assert((!spin || has_work_hint_.load(std::memory_order_relaxed) == (!queue_.empty() || queue_closed_)) &&
             "under queue_mutex_ the hint is exact");
      // PARKED: nothing queued and still open. Wait; a wake-up may be spurious, or another worker
      // may have taken the item it was for, so re-check and wait again. parked_workers_ counts
      // this worker from the check that found the queue empty until it re-takes the lock.
      bool parked = false;
      while (queue_.empty() && !queue_closed_) {
        ++parked_workers_;
        queue_cv_.wait(lock);
        --parked_workers_;
        parked = true;
        instrumentation::count(Counter::kWorkerWakeups);
      }
      // EXIT: closed and drained. Items put before shutdown() have all been taken.
      if (queue_.empty()) return;
      item = std::move(queue_.front());
      queue_.pop_front();
      if (spin && queue_.empty() && !queue_closed_) has_work_hint_.store(false, std::memory_order_relaxed);
      // Found work while spinning, with no futex wake-up: not a kWorkerWakeups.
      if (spun_into_work && !parked) instrumentation::count(Counter::kWorkerSpinHits);
      // Signal::kIfNoSpinner: puts made while this worker spun did not signal. A worker that was
      // spinning, or was just woken for such puts, and leaves items behind wakes one parked worker
      // for them (Tokio: a searcher that finds work wakes the next), so no item waits behind this
      // one while a worker sleeps. A worker draining a backlog it did not spin for wakes nobody:
      // the puts of that backlog signalled already.
      wake_another = options_.signal == Signal::kIfNoSpinner && (spun_into_work || parked) && !queue_.empty() &&
                     parked_workers_ > 0;
    }
    if (wake_another) {
      instrumentation::count(Counter::kWorkerWakeupSignals);
      queue_cv_.notify_one();
    }
    // BUSY: run the item with no lock held. run() reports the call's own exception through the
    // future; anything else (a future completed behind the executor's back) is reported here.
    try {
      item->run();
    } catch (...) {
      report_uncaught(std::current_exception(), "a work item, outside its future");
    }
    // Drop the item (and its copies of the callable and arguments) before signalling idle, as
    // CPython does with `del work_item`.
    item.reset();
    phase_trace::clear_publishing();
    // queue_only: with every thread started no submit asks for a permit, so none is released.
    if (!queue_only()) idle_semaphore_.release();
  }
}

bool ThreadPoolExecutor::spin_for_work() {
  if (has_work_hint_.load(std::memory_order_relaxed)) return false;
  std::size_t spinning = spinning_workers_.load(std::memory_order_relaxed);
  do {
    if (spinning >= max_spinning_) return false;
  } while (!spinning_workers_.compare_exchange_weak(spinning, spinning + 1, std::memory_order_relaxed));
  // Leaves the count before the caller takes queue_mutex_ (the order spinning_workers_ relies on).
  struct Leave {
    std::atomic<std::size_t>& count;
    ~Leave() { count.fetch_sub(1, std::memory_order_relaxed); }
  } leave{spinning_workers_};
  const auto deadline = std::chrono::steady_clock::now() + options_.spin_before_park;
  for (;;) {
    for (unsigned i = 0; i < kPausesPerClockRead; ++i) {
      cpu_relax();
      if (has_work_hint_.load(std::memory_order_relaxed)) return true;
    }
    if (std::chrono::steady_clock::now() >= deadline) return false;
  }
}

void ThreadPoolExecutor::shutdown(bool wait, bool cancel_futures) {
  std::deque<std::unique_ptr<WorkItem>> cancelled;
  {
    auto shutdown_lock = instrumentation::lock(shutdown_mutex_);
    shutdown_ = true;
    auto queue_lock = instrumentation::lock(queue_mutex_);
    if (cancel_futures) cancelled.swap(queue_);
    queue_closed_ = true;
    // Spinning workers stop spinning and find the queue closed.
    if (options_.worker_idle == WorkerIdle::kSpinThenPark) has_work_hint_.store(true, std::memory_order_relaxed);
  }
  // One notify wakes every parked worker (with either Signal); each drains what is left and exits.
  instrumentation::count(Counter::kWorkerWakeupSignals);
  queue_cv_.notify_all();
  // Outside every executor lock: the futures' done callbacks may call back into the executor.
  for (auto& item : cancelled) item->cancel();
  cancelled.clear();

  if (!wait) return;
  auto join_lock = instrumentation::lock(join_mutex_);
  if (joined_) return;
  // threads_ no longer changes: shutdown_ is set, and only submit() adds threads.
  for (std::thread& thread : threads_) thread.join();
  joined_ = true;
}

std::size_t ThreadPoolExecutor::thread_count() const {
  auto lock = instrumentation::lock(shutdown_mutex_);
  return threads_.size();
}

}  // namespace offload::runtime
