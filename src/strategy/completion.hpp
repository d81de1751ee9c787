// The `completion` axis: how a finished job reaches the awaiting task.
//   chained_futures  run_in_executor: ConcurrentFuture, its done-callback, call_soon_threadsafe,
//                    then the state copy (the StateCopy policy) on the loop — CPython
//   direct           run_in_executor_direct: the worker pushes the outcome onto the loop's
//                    completion queue, drained once per wake-up (libuv's done queue, gh-136084);
//                    no ConcurrentFuture state is copied, so the state_copy axis does not apply
#pragma once

#include <utility>

#include "runtime/event_loop.hpp"

namespace offload::strategy {

struct CompletionChainedFutures {
  template <class StateCopy, class... Call>
  static auto submit(runtime::EventLoop& loop, runtime::ThreadPoolExecutor* executor, Call&&... call) {
    return loop.template run_in_executor<StateCopy>(executor, std::forward<Call>(call)...);
  }
};

struct CompletionDirect {
  template <class StateCopy, class... Call>
  static auto submit(runtime::EventLoop& loop, runtime::ThreadPoolExecutor* executor, Call&&... call) {
    return loop.run_in_executor_direct(executor, std::forward<Call>(call)...);
  }
};

}  // namespace offload::strategy
