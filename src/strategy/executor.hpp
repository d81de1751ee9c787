// The `executor` axis: which executor runs an offloaded job.
//   shared_default  the loop's default executor (what to_thread uses)
//   per_call        a new ThreadPoolExecutor per call, shut down with wait=True after it — the
//                   `with ThreadPoolExecutor() as pool: await loop.run_in_executor(pool, f)`
//                   pattern, whose exit blocks the loop while the pool's thread is joined
#pragma once

#include <memory>

#include "runtime/thread_pool_executor.hpp"

namespace offload::strategy {

struct ExecutorSharedDefault {
  struct Lease {
    runtime::ThreadPoolExecutor* get() const { return nullptr; }  // nullptr: the default
  };
  static Lease acquire() { return {}; }
};

struct ExecutorPerCall {
  // Destroying the lease is the `with` block's exit: shutdown(wait=true), on the loop thread.
  using Lease = std::unique_ptr<runtime::ThreadPoolExecutor>;
  static Lease acquire() { return std::make_unique<runtime::ThreadPoolExecutor>(); }
};

}  // namespace offload::strategy
