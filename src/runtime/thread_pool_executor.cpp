// ThreadPoolExecutor's non-template half: the work queue, the idle semaphore, the worker loop and
// shutdown. The protocol and lock order are in thread_pool_executor.hpp.
//
// Threading: the queue is CPython's queue.SimpleQueue — a deque under queue_mutex_ with one
// notify_one per put. A worker releases the idle semaphore after each item (3.12's thread.py), and
// submit() starts a thread only when it cannot take a permit from it.
#include "runtime/thread_pool_executor.hpp"

#include <pthread.h>

#include <algorithm>
#include <atomic>
#include <cassert>
#include <cstdio>

#include "runtime/instrumentation.hpp"

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

void report_work_item_exception(std::exception_ptr error) noexcept {
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ThreadPoolExecutor: work item raised outside its future: %s\n", e.what());
  } catch (...) {
    std::fprintf(stderr, "ThreadPoolExecutor: work item raised outside its future\n");
  }
}

}  // namespace

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
    : max_workers_(checked_max_workers(max_workers)),
      thread_name_prefix_(default_prefix(std::move(thread_name_prefix))) {}

ThreadPoolExecutor::~ThreadPoolExecutor() { shutdown(true); }

void ThreadPoolExecutor::enqueue(std::unique_ptr<WorkItem> item) {
  auto shutdown_lock = instrumentation::lock(shutdown_mutex_);
  if (shutdown_) throw RuntimeError("cannot schedule new futures after shutdown");
  {
    auto queue_lock = instrumentation::lock(queue_mutex_);
    assert(!queue_closed_ && "the queue closes only after shutdown_ is set");
    queue_.push_back(std::move(item));
  }
  instrumentation::count(Counter::kWorkerWakeupSignals);
  queue_cv_.notify_one();
  adjust_thread_count();
}

void ThreadPoolExecutor::adjust_thread_count() {
  // An idle worker will take the item: do not start another thread.
  if (idle_semaphore_.try_acquire()) return;
  const std::size_t index = threads_.size();
  if (index >= max_workers_) return;
  std::string name = thread_name_prefix_ + "_" + std::to_string(index);
  threads_.emplace_back(&ThreadPoolExecutor::worker_loop, this, std::move(name));
  assert(threads_.size() <= max_workers_ && "never more threads than max_workers");
}

void ThreadPoolExecutor::worker_loop(std::string name) {
  name.resize(std::min(name.size(), kMaxThreadNameLength));
  pthread_setname_np(pthread_self(), name.c_str());

  for (;;) {
    std::unique_ptr<WorkItem> item;
    {
      auto lock = instrumentation::lock(queue_mutex_);
      // IDLE: nothing queued and still open. Wait; a wake-up may be spurious, or another worker
      // may have taken the item it was for, so re-check and wait again.
      while (queue_.empty() && !queue_closed_) {
        queue_cv_.wait(lock);
        instrumentation::count(Counter::kWorkerWakeups);
      }
      // EXIT: closed and drained. Items put before shutdown() have all been taken.
      if (queue_.empty()) return;
      item = std::move(queue_.front());
      queue_.pop_front();
    }
    // BUSY: run the item with no lock held. run() reports the call's own exception through the
    // future; anything else (a future completed behind the executor's back) is reported here.
    try {
      item->run();
    } catch (...) {
      report_work_item_exception(std::current_exception());
    }
    // Drop the item (and its copies of the callable and arguments) before signalling idle, as
    // CPython does with `del work_item`.
    item.reset();
    idle_semaphore_.release();
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
  }
  // One notify wakes every idle worker; each drains what is left and exits.
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
