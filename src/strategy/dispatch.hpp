// From run-time strategy ids to compile-time policies: with_strategies(selection, fn) calls
// fn(offload, state_copy, executor, completion) with one empty policy object per axis, so each
// combination is its own instantiation and the measured path holds only its own code. (The
// axes that only configure the loop or the executor are in runtime_options.hpp.)
#pragma once

#include <stdexcept>
#include <string>
#include <utility>

#include "runtime/future_chain.hpp"
#include "strategy/completion.hpp"
#include "strategy/executor.hpp"
#include "strategy/offload.hpp"
#include "strategy/registry.hpp"

namespace offload::strategy {

using StateCopyPerFieldLocks = runtime::CopyFutureStatePerField;
using StateCopySnapshot = runtime::CopyFutureStateSnapshot;

namespace detail {
[[noreturn]] inline void unknown(std::string_view axis, std::string_view id) {
  throw std::invalid_argument("unknown " + std::string(axis) + " strategy '" + std::string(id) + "'");
}
}  // namespace detail

// Requires: every id of `selection` is registered (the scenario loader checks).
template <class Fn>
decltype(auto) with_strategies(const Selection& selection, Fn&& fn) {
  auto with_completion = [&](auto offload, auto state_copy, auto executor) -> decltype(auto) {
    if (selection.completion == "chained_futures")
      return fn(offload, state_copy, executor, CompletionChainedFutures{});
    if (selection.completion == "direct") return fn(offload, state_copy, executor, CompletionDirect{});
    detail::unknown("completion", selection.completion);
  };
  auto with_executor = [&](auto offload, auto state_copy) -> decltype(auto) {
    if (selection.executor == "shared_default") return with_completion(offload, state_copy, ExecutorSharedDefault{});
    if (selection.executor == "per_call") return with_completion(offload, state_copy, ExecutorPerCall{});
    detail::unknown("executor", selection.executor);
  };
  auto with_state_copy = [&](auto offload) -> decltype(auto) {
    if (selection.state_copy == "per_field_locks") return with_executor(offload, StateCopyPerFieldLocks{});
    if (selection.state_copy == "snapshot") return with_executor(offload, StateCopySnapshot{});
    detail::unknown("state_copy", selection.state_copy);
  };
  if (selection.offload == "copy_context_partial") return with_state_copy(OffloadCopyContextPartial{});
  if (selection.offload == "skip_empty_context") return with_state_copy(OffloadSkipEmptyContext{});
  detail::unknown("offload", selection.offload);
}

}  // namespace offload::strategy
