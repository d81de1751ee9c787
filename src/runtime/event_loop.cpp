// The loop's iteration (asyncio's BaseEventLoop._run_once), scheduling, and lifetime.
#include "runtime/event_loop.hpp"

#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <ctime>
#include <system_error>
#include <thread>

#include "runtime/coroutine.hpp"
#include "runtime/cpu_relax.hpp"
#include "runtime/instrumentation.hpp"

namespace offload::runtime {
namespace {

// asyncio's _get_running_loop(): the loop running on this thread.
constinit thread_local EventLoop* t_running_loop = nullptr;

}  // namespace

EventLoop::EventLoop() : EventLoop(EventLoopOptions{}) {}

EventLoop::EventLoop(EventLoopOptions options)
    : exception_handler_(report_uncaught),
      free_lists_(options.free_lists ? std::make_unique<FreeLists>() : nullptr),
      wakeup_(options.wakeup),
      idle_spin_(options.idle_spin) {
  if (idle_spin_ < std::chrono::nanoseconds::zero()) throw ValueError("idle_spin must not be negative");
}

EventLoop::~EventLoop() {
  if (!is_running() && !is_closed()) close();
}

EventLoop* EventLoop::running_loop() noexcept { return t_running_loop; }

EventLoop& EventLoop::get_running_loop() {
  if (t_running_loop == nullptr) throw RuntimeError("no running event loop");
  return *t_running_loop;
}

void EventLoop::check_thread() const {
  // Only a running loop is bound to a thread; before and after, its owner may set it up.
  if (running_.load(std::memory_order_relaxed) && t_running_loop != this)
    throw RuntimeError(
        "Non-thread-safe operation invoked on an event loop other than the current one");
}

void EventLoop::check_closed() const {
  if (is_closed()) throw RuntimeError("Event loop is closed");
}

Handle EventLoop::call_soon(Callback<void()> callback, std::optional<Context> context) {
  check_closed();
  check_thread();
  auto handle = make_shared_cached<HandleState>(std::move(callback),
                                              context ? std::move(*context) : copy_context());
  ready_.push_back(handle);
  return Handle(std::move(handle));
}

Handle EventLoop::call_soon_threadsafe(Callback<void()> callback,
                                       std::optional<Context> context) {
  check_closed();
  auto handle = make_shared_cached<HandleState>(std::move(callback),
                                              context ? std::move(*context) : copy_context());
  phase_trace::stamp_published();
  {
    auto lock = instrumentation::lock(threadsafe_mutex_);
    threadsafe_ready_.push_back(handle);
    threadsafe_nonempty_.store(true, std::memory_order_relaxed);
  }
  wakeup_.signal();
  return Handle(std::move(handle));
}

TimerHandle EventLoop::call_later(Clock::duration delay, Callback<void()> callback,
                                  std::optional<Context> context) {
  return call_at(time() + delay, std::move(callback), std::move(context));
}

TimerHandle EventLoop::call_at(Clock::time_point when, Callback<void()> callback,
                               std::optional<Context> context) {
  check_closed();
  check_thread();
  auto handle = make_shared_cached<HandleState>(std::move(callback),
                                              context ? std::move(*context) : copy_context());
  timers_.push_back(Timer{when, timer_sequence_++, handle});
  std::push_heap(timers_.begin(), timers_.end(), TimerLater{});
  return TimerHandle(std::move(handle), when);
}

void EventLoop::run_forever() {
  check_closed();
  if (is_running()) throw RuntimeError("This event loop is already running");
  if (t_running_loop != nullptr)
    throw RuntimeError("Cannot run the event loop while another loop is running");
  t_running_loop = this;
  running_.store(true, std::memory_order_relaxed);
  struct Unbind {
    EventLoop* loop;
    ~Unbind() {
      loop->stopping_ = false;
      loop->running_.store(false, std::memory_order_relaxed);
      t_running_loop = nullptr;
    }
  } unbind{this};
  FreeLists::Installed lists(free_lists_.get());
  for (;;) {
    run_once();
    if (stopping_) break;
  }
}

void EventLoop::run_once() {
  // Drop cancelled timers at the head so they do not shorten the poll timeout.
  while (!timers_.empty() && timers_.front().handle->cancelled) {
    std::pop_heap(timers_.begin(), timers_.end(), TimerLater{});
    timers_.pop_back();
  }

  // Block only when nothing is ready and no stop is pending, as asyncio computes its timeout.
  // Like asyncio, the fd is polled every iteration, even with a zero timeout.
  std::optional<std::chrono::nanoseconds> budget = block_budget();
  // idle_spin: watch the queues for a while first, when the block would outlast the spin. Work
  // found here skips the poll: the loop never slept, and a signal written meanwhile (per_call)
  // is drained by the next iteration's poll.
  const bool spin = idle_spin_.count() > 0 && (!budget || *budget > idle_spin_);
  bool spun_into_work = false;
  if (spin) {
    spun_into_work = spin_for_work();
    // The spin used up part of the wait: the timeout is measured again from now, or the next
    // timer would fire as late as the spin was long (up to idle_spin).
    if (!spun_into_work) budget = block_budget();
  }
  const bool may_block = !budget || budget->count() > 0;
  int polled = 0;
  if (!spun_into_work) {
    timespec timeout{};
    if (budget) {
      timeout.tv_sec = static_cast<time_t>(budget->count() / 1'000'000'000);
      timeout.tv_nsec = static_cast<long>(budget->count() % 1'000'000'000);
    }
    pollfd pfd{wakeup_.fd(), POLLIN, 0};
    do {
      polled = ::ppoll(&pfd, 1, budget ? &timeout : nullptr, nullptr);
    } while (polled < 0 && errno == EINTR);
    if (polled < 0) throw std::system_error(errno, std::generic_category(), "ppoll");
    if (polled > 0 && may_block) instrumentation::count(instrumentation::Counter::kLoopWakeups);
  }
  if (phase_tracing_) phase_trace_woken_ns_ = trace_clock_ns();
  if (polled > 0) wakeup_.drain();

  // Coalesced wake-ups: clear the pending flag BEFORE taking the queues below, so a producer
  // that pushes after our take finds it clear and writes the fd again (Wakeup::pending_).
  wakeup_.rearm();

  // Callbacks queued from other threads join the ready queue in arrival order. Checked even
  // without a signal: a thread may have queued after our drain and before its write.
  {
    auto lock = instrumentation::lock(threadsafe_mutex_);
    for (auto& handle : threadsafe_ready_) ready_.push_back(std::move(handle));
    threadsafe_ready_.clear();
    threadsafe_nonempty_.store(false, std::memory_order_relaxed);
  }
  // Direct offloads complete here, before the ready queue runs: a delivery takes the place of
  // the chained path's _set_state handle, so the callbacks it schedules run in this iteration.
  if (drain_completions_) deliver_completions();

  const auto now = time();
  while (!timers_.empty() && timers_.front().when <= now) {
    std::pop_heap(timers_.begin(), timers_.end(), TimerLater{});
    if (!timers_.back().handle->cancelled) ready_.push_back(std::move(timers_.back().handle));
    timers_.pop_back();
  }

  // Run only what is ready now; callbacks scheduled meanwhile wait for the next iteration.
  for (std::size_t todo = ready_.size(); todo > 0; --todo) {
    std::shared_ptr<HandleState> handle = std::move(ready_.front());
    ready_.pop_front();
    if (!handle->cancelled) run_handle(*handle);
  }
  ++iterations_;
}

std::optional<std::chrono::nanoseconds> EventLoop::block_budget() const {
  if (!ready_.empty() || stopping_) return std::chrono::nanoseconds::zero();
  if (timers_.empty()) return std::nullopt;
  const auto wait = std::max(Clock::duration::zero(), timers_.front().when - time());
  return std::chrono::duration_cast<std::chrono::nanoseconds>(wait);
}

bool EventLoop::spin_for_work() {
  if (may_have_work()) return true;
  wakeup_.hold();  // coalesced: producers skip the eventfd write while we watch
  const auto until = time() + idle_spin_;
  bool found = false;
  do {
    for (unsigned i = 0; i < kPausesPerClockRead && !found; ++i) {
      cpu_relax();
      found = may_have_work();
    }
  } while (!found && time() < until);
  // Producers write again from here. A push made while the hold was on is visible after this
  // exchange (Wakeup::hold()), so this last look cannot miss one and let the loop block past it.
  wakeup_.rearm();
  return found || may_have_work();
}

void EventLoop::deliver_completions() {
  completions_.take(completion_batch_);
  for (auto& completion : completion_batch_) {
    try {
      completion->complete();
    } catch (...) {
      call_exception_handler(std::current_exception(), "direct completion");
    }
  }
  completion_batch_.clear();  // Keeps the capacity: the next take() hands it to the workers.
}

void EventLoop::run_handle(HandleState& handle) {
  try {
    handle.context.run(handle.callback);
  } catch (...) {
    call_exception_handler(std::current_exception(), "event loop callback");
  }
}

void EventLoop::call_exception_handler(std::exception_ptr error, std::string_view where) {
  if (exception_handler_) exception_handler_(std::move(error), where);
}

void EventLoop::close() {
  if (is_running()) throw RuntimeError("Cannot close a running event loop");
  if (is_closed()) return;
  closed_.store(true, std::memory_order_release);
  ready_.clear();
  timers_.clear();
  {
    auto lock = instrumentation::lock(threadsafe_mutex_);
    threadsafe_ready_.clear();
  }
  completions_.clear();
  // As asyncio: do not wait for the workers here; the executor's destructor joins them.
  if (default_executor_) default_executor_->shutdown(/*wait=*/false);
  default_executor_.reset();
}

ThreadPoolExecutor& EventLoop::default_executor() {
  check_closed();
  if (!default_executor_) default_executor_ = std::make_unique<ThreadPoolExecutor>(std::nullopt, "asyncio");
  return *default_executor_;
}

void EventLoop::set_default_executor(std::unique_ptr<ThreadPoolExecutor> executor) {
  check_thread();
  default_executor_ = std::move(executor);
}

Coroutine<void> EventLoop::shutdown_default_executor() {
  if (!default_executor_) co_return;
  auto done = create_future<None>();
  ThreadPoolExecutor* executor = default_executor_.get();
  std::thread joiner([this, executor, done] {
    executor->shutdown(/*wait=*/true);
    call_soon_threadsafe([done] {
      if (!done->done()) done->set_result(None{});
    });
  });
  try {
    co_await done;
  } catch (...) {
    joiner.join();
    throw;
  }
  joiner.join();
}

void EventLoop::enter_task(TaskBase* task) {
  if (current_task_ != nullptr) throw RuntimeError("Cannot enter into task while another task is being executed.");
  current_task_ = task;
}

void EventLoop::leave_task(TaskBase* task) {
  if (current_task_ != task) throw RuntimeError("Leaving task does not match the current task.");
  current_task_ = nullptr;
}

}  // namespace offload::runtime
