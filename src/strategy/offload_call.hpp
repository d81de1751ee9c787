// One offloaded call with a strategy on every axis: the end-to-end operation scenarios time.
// With the defaults (copy_context_partial, per_field_locks, shared_default) and no executor
// given it is exactly runtime::to_thread. `shared` is the executor shared_default uses instead
// of the loop's default one (nullptr: the loop's).
#pragma once

#include <utility>

#include "runtime/coroutine.hpp"
#include "runtime/event_loop.hpp"
#include "runtime/none.hpp"
#include "runtime/thread_pool_executor.hpp"

namespace offload::strategy {

template <class Offload, class StateCopy, class Executor, class F>
runtime::Coroutine<runtime::InvokeValue<F>> offload_call(runtime::EventLoop& loop, F f,
                                                         runtime::ThreadPoolExecutor* shared = nullptr) {
  auto lease = Executor::acquire(shared);
  auto submit = [&loop, executor = lease.get()](auto&&... call) {
    return loop.template run_in_executor<StateCopy>(executor,
                                                    std::forward<decltype(call)>(call)...);
  };
  co_return co_await Offload::offload(submit, std::move(f));
}

}  // namespace offload::strategy
