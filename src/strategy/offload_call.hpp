// One offloaded call with a strategy on every axis: the end-to-end operation scenarios time.
// With the defaults (copy_context_partial, per_field_locks, shared_default, chained_futures)
// and a default target it is exactly runtime::to_thread.
#pragma once

#include <memory>
#include <tuple>
#include <utility>

#include "runtime/coroutine.hpp"
#include "runtime/event_loop.hpp"
#include "runtime/none.hpp"
#include "runtime/phase_trace.hpp"
#include "runtime/thread_pool_executor.hpp"
#include "strategy/executor.hpp"

namespace offload::strategy {

namespace detail {

// The submitted call wrapped to stamp worker start and job end on `trace`, and to name the trace
// for the published stamp of whatever queues its completion next on this thread.
template <class... Call>
auto traced_call(std::shared_ptr<runtime::PhaseTrace> trace, Call&&... call) {
  return [trace = std::move(trace), call = std::make_tuple(std::forward<Call>(call)...)]() mutable {
    struct JobEnd {
      runtime::PhaseTrace* trace;
      ~JobEnd() {
        trace->stamp(runtime::Stamp::kJobEnd);
        runtime::phase_trace::set_publishing(trace);
      }
    };
    trace->stamp(runtime::Stamp::kWorkerStart);
    JobEnd end{trace.get()};
    return std::apply([](auto&&... c) { return runtime::invoke_value(std::forward<decltype(c)>(c)...); },
                      std::move(call));
  };
}

}  // namespace detail

// `trace_sink`, when given, receives the op's phase stamps once the task resumes (--breakdown).
// The traced path wraps the job and tags the loop future; the untraced path is the same code as
// before tracing existed.
template <class Offload, class StateCopy, class Executor, class Completion, class F>
runtime::Coroutine<runtime::InvokeValue<F>> offload_call(runtime::EventLoop& loop, F f,
                                                         ExecutorTarget target = {},
                                                         runtime::PhaseTraceSink* trace_sink = nullptr) {
  if (trace_sink == nullptr) {
    auto lease = Executor::acquire(target);
    auto submit = [&loop, executor = lease.get()](auto&&... call) {
      return Completion::template submit<StateCopy>(loop, executor, std::forward<decltype(call)>(call)...);
    };
    co_return co_await Offload::offload(submit, std::move(f));
  }
  auto trace = std::make_shared<runtime::PhaseTrace>();
  trace->stamp(runtime::Stamp::kSubmit);
  auto lease = Executor::acquire(target);
  auto submit = [&loop, executor = lease.get(), &trace](auto&&... call) {
    auto future = Completion::template submit<StateCopy>(
        loop, executor, detail::traced_call(trace, std::forward<decltype(call)>(call)...));
    future->set_phase_trace(trace);
    return future;
  };
  auto result = co_await Offload::offload(submit, std::move(f));
  trace->stamp(runtime::Stamp::kResumed);
  if (trace->complete()) trace_sink->record(*trace);
  co_return result;
}

}  // namespace offload::strategy
