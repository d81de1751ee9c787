// The registry's tables.
#include "strategy/registry.hpp"

#include <stdexcept>

namespace offload::strategy {
namespace {

constexpr Guarantee kEverything[] = {Guarantee::kContextPropagation, Guarantee::kJobIsolation,
                                     Guarantee::kExceptionTransfer,
                                     Guarantee::kCancellationTransfer};
// gh-136157 gives up isolation: a job with an empty caller context runs in the worker
// thread's own context, so what it sets there stays for the next job.
constexpr Guarantee kNoIsolation[] = {Guarantee::kContextPropagation,
                                      Guarantee::kExceptionTransfer,
                                      Guarantee::kCancellationTransfer};

constexpr StrategyInfo kOffload[] = {
    {"copy_context_partial",
     "CPython's to_thread: copy_context(), then a heap-allocated partial of ctx.run + the call",
     kEverything},
    {"skip_empty_context",
     "gh-136157: submit the call directly when the copied context is empty, else ctx.run without a partial",
     kNoIsolation},
};
constexpr StrategyInfo kStateCopy[] = {
    {"per_field_locks",
     "_copy_future_state before gh-134173: cancelled(), done(), exception(), result(), each locking",
     kEverything},
    {"snapshot", "gh-134173: one snapshot(), lock-free once the future is FINISHED", kEverything},
};
constexpr StrategyInfo kExecutor[] = {
    {"shared_default", "the loop's default ThreadPoolExecutor, created once and reused",
     kEverything},
    {"per_call",
     "a new ThreadPoolExecutor per call, shut down (waiting) after it: the anti-pattern",
     kEverything},
};

constexpr StrategyInfo kWakeup[] = {
    {"per_call", "one eventfd write per call_soon_threadsafe, as CPython's _write_to_self",
     kEverything},
    {"coalesced",
     "only the first completion since the loop last woke writes the eventfd (libuv's uv_async_send)",
     kEverything},
};
constexpr StrategyInfo kCompletion[] = {
    {"chained_futures",
     "ConcurrentFuture, its done-callback, call_soon_threadsafe, then the state copy (CPython)",
     kEverything},
    {"direct",
     "the worker completes the loop future through a completion queue drained once per wake-up (libuv; gh-136084)",
     kEverything},
};
constexpr StrategyInfo kWorkerIdle[] = {
    {"park", "an idle worker waits on the condition variable at once", kEverything},
    {"spin_then_park",
     "an idle worker spins up to 50 us for new work before it parks, at most CPUs-1 workers at once (musl, folly, .NET)",
     kEverything},
};
constexpr StrategyInfo kLoopIdle[] = {
    {"park", "the loop blocks in ppoll at once when nothing is ready (asyncio's selector)",
     kEverything},
    {"spin_then_park",
     "the loop polls its wake-up fd without blocking for up to 50 us before it blocks", kEverything},
};
constexpr StrategyInfo kGather[] = {
    {"tasks", "asyncio.gather: one Task and one offload future per op (CPython)", kEverything},
    {"batched",
     "the gather submits its ops to the executor in chunks of 64 — one work item and one completion per chunk; each op still runs its own job and keeps its own outcome",
     kEverything},
};
constexpr StrategyInfo kSignal[] = {
    {"always", "notify a worker on every submit, as CPython's SimpleQueue.put", kEverything},
    {"if_idle", "notify only when a worker is parked (libuv, Tokio, Asio)", kEverything},
    {"if_no_spinner",
     "notify only when a worker is parked and none is spinning: a spinning worker takes the item (Tokio's searching workers)",
     kEverything},
};

constexpr StrategyInfo kPoolLocks[] = {
    {"cpython",
     "thread.py's: submit takes the shutdown lock, the queue lock and the idle semaphore's; a worker the queue lock and the semaphore's per item",
     kEverything},
    {"queue_only",
     "once every worker is started, one queue lock per submit and one per item: no shutdown lock, no idle semaphore (libuv's fixed pool)",
     kEverything},
};
constexpr StrategyInfo kAllocator[] = {
    {"malloc", "every per-op object from the heap (glibc malloc), each allocated and freed on its own",
     kEverything},
    {"free_lists",
     "the loop keeps free lists by size class for the coroutine frames, Tasks, futures, handles and contexts it allocates and frees (CPython's free lists and pymalloc pools)",
     kEverything},
};

constexpr AxisInfo kAxes[] = {
    {"offload", "how to_thread hands the call to the executor", "copy_context_partial", kOffload},
    {"state_copy", "how a finished ConcurrentFuture's state reaches the loop Future",
     "per_field_locks", kStateCopy},
    {"executor", "which executor runs the job", "shared_default", kExecutor},
    {"wakeup", "how a worker wakes the event loop", "per_call", kWakeup},
    {"completion", "how a finished job reaches the awaiting task", "chained_futures", kCompletion},
    {"worker_idle", "what an executor worker does when the queue is empty", "park", kWorkerIdle},
    {"signal", "when submitting wakes a worker", "always", kSignal},
    {"loop_idle", "what the event loop does when nothing is ready", "park", kLoopIdle},
    {"gather",
     "how concurrency = gather puts its ops in flight (gather only: sequential and bounded ignore it)",
     "tasks", kGather},
    {"pool_locks", "which locks the executor's submit and its workers take per item", "cpython", kPoolLocks},
    {"allocator", "where the loop thread's per-op objects come from", "malloc", kAllocator},
};

std::string join_ids(auto&& items) {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out += ", ";
    out += item.id;
  }
  return out;
}

}  // namespace

std::string_view guarantee_id(Guarantee g) {
  switch (g) {
    case Guarantee::kContextPropagation: return "context_propagation";
    case Guarantee::kJobIsolation: return "job_isolation";
    case Guarantee::kExceptionTransfer: return "exception_transfer";
    case Guarantee::kCancellationTransfer: return "cancellation_transfer";
  }
  return "unknown";
}

std::span<const AxisInfo> axes() { return kAxes; }

const AxisInfo* find_axis(std::string_view id) {
  for (const AxisInfo& axis : kAxes)
    if (axis.id == id) return &axis;
  return nullptr;
}

const StrategyInfo* find_strategy(const AxisInfo& axis, std::string_view id) {
  for (const StrategyInfo& s : axis.strategies)
    if (s.id == id) return &s;
  return nullptr;
}

std::string axis_ids() { return join_ids(kAxes); }
std::string strategy_ids(const AxisInfo& axis) { return join_ids(axis.strategies); }

namespace {
// The field of `selection` that holds `axis`'s strategy (const or not, as `selection`).
template <class S>
auto& field_of(S& selection, std::string_view axis) {
  if (axis == "offload") return selection.offload;
  if (axis == "state_copy") return selection.state_copy;
  if (axis == "executor") return selection.executor;
  if (axis == "wakeup") return selection.wakeup;
  if (axis == "completion") return selection.completion;
  if (axis == "worker_idle") return selection.worker_idle;
  if (axis == "signal") return selection.signal;
  if (axis == "loop_idle") return selection.loop_idle;
  if (axis == "gather") return selection.gather;
  if (axis == "pool_locks") return selection.pool_locks;
  if (axis == "allocator") return selection.allocator;
  throw std::invalid_argument("unknown strategy axis: " + std::string(axis));
}
}  // namespace

void Selection::set(std::string_view axis, std::string_view strategy) { field_of(*this, axis) = strategy; }

std::string_view Selection::get(std::string_view axis) const { return field_of(*this, axis); }

}  // namespace offload::strategy
