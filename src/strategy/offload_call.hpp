// One offloaded call with a strategy on every axis: the end-to-end operation scenarios time.
// With the defaults (copy_context_partial, per_field_locks, shared_default) it is exactly
// runtime::to_thread.
#pragma once

#include <utility>

#include "runtime/coroutine.hpp"
#include "runtime/event_loop.hpp"
#include "runtime/none.hpp"

namespace offload::strategy {

template <class Offload, class StateCopy, class Executor, class F>
runtime::Coroutine<runtime::InvokeValue<F>> offload_call(runtime::EventLoop& loop, F f) {
  auto lease = Executor::acquire();
  auto submit = [&loop, executor = lease.get()](auto&&... call) {
    return loop.template run_in_executor<StateCopy>(executor,
                                                    std::forward<decltype(call)>(call)...);
  };
  co_return co_await Offload::offload(submit, std::move(f));
}

}  // namespace offload::strategy
