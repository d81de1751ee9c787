// One offloaded call with a strategy on every axis: the end-to-end operation scenarios time.
// With the defaults (copy_context_partial, per_field_locks, shared_default, chained_futures)
// and a default target it is exactly runtime::to_thread.
#pragma once

#include <utility>

#include "runtime/coroutine.hpp"
#include "runtime/event_loop.hpp"
#include "runtime/none.hpp"
#include "runtime/thread_pool_executor.hpp"
#include "strategy/executor.hpp"

namespace offload::strategy {

template <class Offload, class StateCopy, class Executor, class Completion, class F>
runtime::Coroutine<runtime::InvokeValue<F>> offload_call(runtime::EventLoop& loop, F f,
                                                         ExecutorTarget target = {}) {
  auto lease = Executor::acquire(target);
  auto submit = [&loop, executor = lease.get()](auto&&... call) {
    return Completion::template submit<StateCopy>(loop, executor, std::forward<decltype(call)>(call)...);
  };
  co_return co_await Offload::offload(submit, std::move(f));
}

}  // namespace offload::strategy
