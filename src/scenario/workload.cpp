// The three workload kinds. Each is a template over the strategy policies (strategy/dispatch),
// so a strategy's batch contains only that strategy's code; everything else — the job, the
// timing of each op, the lag timer — is the same code for every strategy.
#include "scenario/workload.hpp"

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "runtime/asyncio.hpp"
#include "scenario/job.hpp"
#include "strategy/dispatch.hpp"
#include "strategy/offload_call.hpp"
#include "strategy/runtime_options.hpp"

namespace offload::scenario {
namespace {

using Clock = std::chrono::steady_clock;
using runtime::Coroutine;
using runtime::EventLoop;

std::uint64_t elapsed_ns(Clock::time_point since) {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - since).count());
}

// ContextVars the caller sets before offloading (workload.context_vars).
class CallerVars {
 public:
  explicit CallerVars(std::int64_t count) {
    for (std::int64_t i = 0; i < count; ++i)
      vars_.push_back(std::make_unique<runtime::ContextVar<std::int64_t>>("var" + std::to_string(i)));
  }
  void set_all() {
    for (std::size_t i = 0; i < vars_.size(); ++i) vars_[i]->set(static_cast<std::int64_t>(i));
  }

 private:
  std::vector<std::unique_ptr<runtime::ContextVar<std::int64_t>>> vars_;
};

// End to end: tasks on a loop await offloaded jobs.
template <class O, class C, class E, class D>
class OffloadWorkload final : public Workload {
 public:
  OffloadWorkload(const Scenario& s, const strategy::Selection& selection,
                  runtime::ThreadPoolExecutor* shared_executor)
      : config_(s.workload), job_(s.workload), vars_(s.workload.context_vars),
        target_{shared_executor, strategy::executor_options(selection)},
        loop_(strategy::loop_options(selection)),
        batched_(s.workload.concurrency == Concurrency::kGather &&
                 strategy::gather_mode(selection) == strategy::GatherMode::kBatched) {
    if (shared_executor == nullptr) {
      std::optional<std::size_t> workers;
      if (s.runtime.workers) workers = static_cast<std::size_t>(*s.runtime.workers);
      loop_.set_default_executor(
          std::make_unique<runtime::ThreadPoolExecutor>(workers, "offload", target_.options));
    }
  }

  std::uint64_t run_batch() override {
    loop_.run_until_complete(batch());
    return static_cast<std::uint64_t>(config_.ops);
  }
  measure::LatencyHistogram* latency() override { return &latency_; }
  measure::LatencyHistogram* loop_lag() override { return &loop_lag_; }
  bool set_phase_tracing(bool on) override {
    tracing_ = on;
    loop_.set_phase_tracing(on);
    return true;
  }
  const PhaseTimes* phase_times() const override { return &phase_times_; }
  void phase_times_reset() override { phase_times_.reset(); }

 private:
  static constexpr auto kLagPeriod = std::chrono::milliseconds(1);

  Coroutine<std::int64_t> op() {
    const auto start = Clock::now();
    auto call = strategy::offload_call<O, C, E, D>(loop_, [job = &job_] { return (*job)(); }, target_,
                                                   tracing_ ? &phase_times_ : nullptr);
    std::int64_t result = config_.timeout_ms
        ? co_await runtime::wait_for(std::move(call), std::chrono::duration_cast<Clock::duration>(
                                                          std::chrono::duration<double, std::milli>(*config_.timeout_ms)))
        : co_await std::move(call);
    latency_.record(elapsed_ns(start));
    co_return result;
  }

  // gather=batched: every op in one offload_batch, on one executor lease (with per_call, one
  // pool for the batch). Each op's latency is the batch's submit-to-resume time. Not traced:
  // --breakdown's phases are per-op offload_call stamps.
  Coroutine<void> batched_ops(std::size_t n) {
    const auto start = Clock::now();
    auto lease = E::acquire(target_);
    auto job = [job = &job_] { return (*job)(); };
    co_await runtime::offload_batch<O>(loop_, lease.get(), std::vector<decltype(job)>(n, job));
    latency_.record(elapsed_ns(start), n);
  }

  Coroutine<std::int64_t> bounded_op(runtime::Semaphore& semaphore) {
    co_await semaphore.acquire();
    std::optional<std::int64_t> result;
    std::exception_ptr error;
    try {
      result = co_await op();
    } catch (...) {
      error = std::current_exception();
    }
    semaphore.release();
    if (error) std::rethrow_exception(error);
    co_return *result;
  }

  // Measures how late a periodic timer fires while the batch keeps the loop busy.
  void schedule_lag_tick(Clock::time_point due) {
    lag_timer_ = loop_.call_at(due, [this, due] {
      const auto now = Clock::now();
      loop_lag_.record(static_cast<std::uint64_t>(
          std::chrono::duration_cast<std::chrono::nanoseconds>(now - due).count()));
      schedule_lag_tick(now + kLagPeriod);
    });
  }

  Coroutine<void> batch() {
    vars_.set_all();  // In this batch's task context; every op copies it.
    schedule_lag_tick(Clock::now() + kLagPeriod);
    std::exception_ptr error;
    try {
      co_await run_ops();
    } catch (...) {
      error = std::current_exception();
    }
    lag_timer_.cancel();
    if (error) std::rethrow_exception(error);
  }

  Coroutine<void> run_ops() {
    const auto n = static_cast<std::size_t>(config_.ops);
    switch (config_.concurrency) {
      case Concurrency::kSequential:
        for (std::size_t i = 0; i < n; ++i) co_await op();
        break;
      case Concurrency::kGather: {
        if (batched_) {
          co_await batched_ops(n);
          break;
        }
        std::vector<Coroutine<std::int64_t>> ops;
        ops.reserve(n);
        for (std::size_t i = 0; i < n; ++i) ops.push_back(op());
        co_await runtime::gather(loop_, std::move(ops));
        break;
      }
      case Concurrency::kBounded: {
        runtime::Semaphore semaphore(static_cast<std::size_t>(config_.limit));
        std::vector<Coroutine<std::int64_t>> ops;
        ops.reserve(n);
        for (std::size_t i = 0; i < n; ++i) ops.push_back(bounded_op(semaphore));
        co_await runtime::gather(loop_, std::move(ops));
        break;
      }
    }
  }

  WorkloadConfig config_;
  JobRunner job_;
  CallerVars vars_;
  strategy::ExecutorTarget target_;  // target_.shared is not owned; nullptr: the loop's default.
  EventLoop loop_;
  runtime::TimerHandle lag_timer_;
  measure::LatencyHistogram latency_;
  measure::LatencyHistogram loop_lag_;
  bool tracing_ = false;
  PhaseTimes phase_times_;
  const bool batched_;  // concurrency gather with gather=batched
};

// Micro: the gh-134173 benchmark's shape — copy one finished ConcurrentFuture into a fresh
// loop Future, per op.
template <class C>
class StateCopyWorkload final : public Workload {
 public:
  explicit StateCopyWorkload(const Scenario& s)
      : ops_(static_cast<std::uint64_t>(s.workload.ops)),
        source_(std::make_shared<runtime::ConcurrentFuture<std::int64_t>>()) {
    source_->set_running_or_notify_cancel();
    source_->set_result(42);
  }

  std::uint64_t run_batch() override {
    std::int64_t sum = 0;
    for (std::uint64_t i = 0; i < ops_; ++i) {
      auto dest = loop_.create_future<std::int64_t>();
      C{}(*source_, *dest);
      sum += dest->result();
    }
    sink_ = sum;
    return ops_;
  }

 private:
  std::uint64_t ops_;
  EventLoop loop_;  // Never runs: the fresh futures schedule no callbacks.
  std::shared_ptr<runtime::ConcurrentFuture<std::int64_t>> source_;
  volatile std::int64_t sink_ = 0;
};

// Micro: to_thread's wrapping step alone — copy_context() with `context_vars` set, wrap the
// call as the offload strategy does, and run it inline (Context::run included) instead of
// submitting it.
template <class O>
class OffloadWrapWorkload final : public Workload {
 public:
  explicit OffloadWrapWorkload(const Scenario& s)
      : ops_(static_cast<std::uint64_t>(s.workload.ops)), job_(s.workload), vars_(s.workload.context_vars) {
    caller_.run([&] { vars_.set_all(); });
  }

  std::uint64_t run_batch() override {
    caller_.run([&] {
      std::int64_t sum = 0;
      auto run_inline = [](auto&& call) { return call(); };
      for (std::uint64_t i = 0; i < ops_; ++i)
        sum += O::offload(run_inline, [job = &job_] { return (*job)(); });
      sink_ = sum;
    });
    return ops_;
  }

 private:
  std::uint64_t ops_;
  JobRunner job_;
  CallerVars vars_;
  runtime::Context caller_;  // The caller's context, holding `context_vars` values.
  volatile std::int64_t sink_ = 0;
};

}  // namespace

std::unique_ptr<Workload> make_workload(const Scenario& scenario, const strategy::Selection& selection,
                                        runtime::ThreadPoolExecutor* shared_executor) {
  return strategy::with_strategies(
      selection, [&]<class O, class C, class E, class D>(O, C, E, D) -> std::unique_ptr<Workload> {
        switch (scenario.workload.kind) {
          case WorkloadKind::kStateCopy: return std::make_unique<StateCopyWorkload<C>>(scenario);
          case WorkloadKind::kOffloadWrap: return std::make_unique<OffloadWrapWorkload<O>>(scenario);
          case WorkloadKind::kOffload: break;
        }
        return std::make_unique<OffloadWorkload<O, C, E, D>>(scenario, selection, shared_executor);
      });
}

}  // namespace offload::scenario
