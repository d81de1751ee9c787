// The `offload` axis: how to_thread hands a call to the executor.
//   copy_context_partial  runtime::OffloadCopyContextPartial (CPython's to_thread)
//   skip_empty_context    OffloadSkipEmptyContext below (the gh-136157 proposal)
#pragma once

#include <cstddef>
#include <optional>
#include <utility>

#include "runtime/context.hpp"
#include "runtime/to_thread.hpp"

namespace offload::strategy {

using OffloadCopyContextPartial = runtime::OffloadCopyContextPartial;

// gh-136157: when the copied context is empty, submit the call itself; otherwise submit
// ctx.run with the call as its arguments, without allocating a partial. The price: a job run
// outside any copied context writes its ContextVars into the worker thread's own context,
// where the next such job on that thread sees them.
struct OffloadSkipEmptyContext {
  template <class Submit, class F, class... Args>
  static decltype(auto) offload(Submit&& submit, F f, Args... args) {
    runtime::Context context = runtime::copy_context();
    if (context.empty()) return submit(std::move(f), std::move(args)...);
    return submit(
        [context = std::move(context), f = std::move(f)](auto&&... call_args) mutable {
          return context.run(f, std::forward<decltype(call_args)>(call_args)...);
        },
        std::move(args)...);
  }

  // A batch (offload_batch): with an empty caller context, no context at all — the calls run in
  // the worker thread's own context, with the same leak from one job to the next on that thread;
  // otherwise every op in its own copy of the caller's.
  static std::optional<runtime::Context> batch_context() {
    runtime::Context context = runtime::copy_context();
    if (context.empty()) return std::nullopt;
    return context;
  }
};

}  // namespace offload::strategy
