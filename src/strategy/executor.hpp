// The `executor` axis: which executor runs an offloaded job.
//   shared_default  one long-lived executor: the loop's default one (what to_thread uses), or
//                   the one the caller passes in (the harness shares one between the strategies
//                   of a scenario point, so they run on the same worker threads)
//   per_call        a new ThreadPoolExecutor per call, shut down with wait=True after it — the
//                   `with ThreadPoolExecutor() as pool: await loop.run_in_executor(pool, f)`
//                   pattern, whose exit blocks the loop while the pool's thread is joined
#pragma once

#include <memory>
#include <optional>

#include "runtime/thread_pool_executor.hpp"

namespace offload::strategy {

// Which executor an offload uses when the strategy does not make its own.
struct ExecutorTarget {
  runtime::ThreadPoolExecutor* shared = nullptr;  // nullptr: the loop's default executor
  runtime::ExecutorOptions options{};             // for executors made per call
};

struct ExecutorSharedDefault {
  struct Lease {
    runtime::ThreadPoolExecutor* executor;
    runtime::ThreadPoolExecutor* get() const { return executor; }
  };
  static Lease acquire(const ExecutorTarget& target) { return {target.shared}; }
};

struct ExecutorPerCall {
  // Destroying the lease is the `with` block's exit: shutdown(wait=true), on the loop thread.
  using Lease = std::unique_ptr<runtime::ThreadPoolExecutor>;
  static Lease acquire(const ExecutorTarget& target) {
    return std::make_unique<runtime::ThreadPoolExecutor>(std::nullopt, "", target.options);
  }
};

}  // namespace offload::strategy
