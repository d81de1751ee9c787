// to_thread(): asyncio.to_thread. Runs f(args...) on the loop's default executor inside a copy
// of the caller's context and awaits the result.
//
// The offload seam: an Offload policy decides how the call is handed to the executor. The one
// here is CPython's: copy_context(), then functools.partial(ctx.run, f, *args) — a separate
// heap object — submitted through run_in_executor. Other policies live in src/strategy/.
// Threading: call inside a task on the running loop; f runs on a worker thread.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <tuple>
#include <utility>
#include <vector>

#include "runtime/context.hpp"
#include "runtime/coroutine.hpp"
#include "runtime/event_loop.hpp"
#include "runtime/future_chain.hpp"
#include "runtime/none.hpp"
#include "runtime/task.hpp"

namespace offload::runtime {

// functools.partial(ctx.run, f, *args): the bound call, allocated on its own as CPython does.
template <class F, class... Args>
class ContextRunPartial {
 public:
  ContextRunPartial(Context context, F f, Args... args)
      : context_(std::move(context)), f_(std::move(f)), args_(std::move(args)...) {}

  // Runs on a worker thread; the context is entered there for the duration of the call.
  auto operator()() {
    return std::apply(
        [this](Args&... args) { return context_.run(f_, args...); }, args_);
  }

 private:
  Context context_;
  F f_;
  std::tuple<Args...> args_;
};

// An Offload policy turns the call into what is handed to the executor and hands it over:
//   template <class Submit, class F, class... Args>
//   static auto offload(Submit&& submit, F f, Args... args);
// calling submit(callable, callable_args...) exactly once and returning what it returns, so
// one policy serves run_in_executor, a per-call executor, or an inline call (micro scenarios).
// For offload_batch (batch_offload.hpp) it also says which context each op of a batch runs in:
//   static std::optional<Context> batch_context();
// the context every op runs in a copy of, or nullopt to run the calls in the worker thread's own.

// CPython's to_thread: always copy the context and wrap the call in a partial of ctx.run.
struct OffloadCopyContextPartial {
  template <class Submit, class F, class... Args>
  static decltype(auto) offload(Submit&& submit, F f, Args... args) {
    auto partial = std::make_shared<ContextRunPartial<F, Args...>>(
        copy_context(), std::move(f), std::move(args)...);
    return submit([partial] { return (*partial)(); });
  }

  // A batch: every op in its own copy of the caller's context, as every to_thread call. The
  // batch's slots hold the calls, so no partial is allocated.
  static std::optional<Context> batch_context() { return copy_context(); }
};

template <class Offload = OffloadCopyContextPartial, class StateCopy = CopyFutureStatePerField,
          class F, class... Args>
Coroutine<InvokeValue<F, Args...>> to_thread(F f, Args... args) {
  EventLoop& loop = EventLoop::get_running_loop();
  auto submit = [&loop](auto&&... call) {
    return loop.run_in_executor<StateCopy>(nullptr, std::forward<decltype(call)>(call)...);
  };
  co_return co_await Offload::offload(submit, std::move(f), std::move(args)...);
}

}  // namespace offload::runtime
