// offload_batch(): a burst of offloads awaited as one gather, handed to the executor in chunks of
// kBatchChunk consecutive ops — one work item, one completion and one wake-up signal per chunk —
// instead of a Task, a coroutine frame, futures and a completion per op (the `gather` axis's
// `batched` strategy). Each op is still an offload: its own call on a worker thread, in the
// context its Offload policy gives it, with its own outcome slot (value or exception).
//
// Threading: offload_batch() and everything Batch does outside run_chunk() belong to the loop
// thread. A chunk runs on one worker thread, which writes only that chunk's outcome slots and its
// Chunk record and then pushes the record onto the loop's completion queue: the queue's mutex
// (push under it, take under it) publishes those writes to the loop. The cancel flag is the only
// field both sides touch while chunks run.
#pragma once

#include <algorithm>
#include <atomic>
#include <bit>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "runtime/completion_queue.hpp"
#include "runtime/context.hpp"
#include "runtime/coroutine.hpp"
#include "runtime/event_loop.hpp"
#include "runtime/future.hpp"
#include "runtime/none.hpp"
#include "runtime/thread_pool_executor.hpp"
#include "runtime/to_thread.hpp"

namespace offload::runtime {

// Ops per chunk. 64 because it spreads a chunk's machinery — the executor's submit and work item
// (three locks, two allocations), the worker's take, one completion push and wake-up signal, the
// loop's delivery: ~1,300 instructions measured with callgrind — to ~20 instructions an op, the
// order of the job loop's own ~8, while a burst of a few hundred ops still makes several work
// items for the workers to share; and because a chunk's failures fit one 64-bit mask.
// The price: a slow job holds up the rest of its chunk (head-of-line blocking).
inline constexpr std::size_t kBatchChunk = 64;

// The loop future of one batch and its state: the calls, the context they run in copies of, one
// outcome slot per op and one record per chunk, in one object the chunks' completions share. It
// completes (with None) once every chunk has been delivered; offload_batch then takes the values.
template <class F>
class Batch final : public Future<None> {
 public:
  using Value = InvokeValue<F>;
  // values_ is sized up front and written in place by the workers.
  static_assert(std::default_initializable<Value> && std::is_move_assignable_v<Value>,
                "offload_batch stores each op's value in a preallocated slot");

  // `origin`: the context every call runs in a copy of, or nullopt to run them in the worker
  // thread's own context.
  Batch(EventLoop& loop, std::vector<F> calls, std::optional<Context> origin)
      : Future<None>(loop),
        calls_(std::move(calls)),
        origin_(std::move(origin)),
        values_(calls_.size()),
        chunk_count_((calls_.size() + kBatchChunk - 1) / kBatchChunk),
        chunks_(std::make_unique<Chunk[]>(chunk_count_)) {
    for (std::size_t k = 0; k < chunk_count_; ++k) chunks_[k].batch_ = this;
  }

  // Cancels as any loop future does, and tells every chunk's worker to run no further job.
  bool cancel(std::string message = "") override {
    if (!FutureBase::cancel(std::move(message))) return false;
    cancel_requested_.store(true, std::memory_order_relaxed);
    return true;
  }

  std::size_t chunk_count() const noexcept { return chunk_count_; }

  // Loop thread: the record of chunk `k`, owned by (aliasing) `self`, for the completion queue.
  static std::shared_ptr<Completion> completion_of(const std::shared_ptr<Batch>& self, std::size_t k) {
    return std::shared_ptr<Completion>(self, &self->chunks_[k]);
  }

  // Worker thread: runs chunk `k`'s jobs in op order, each into its own slot. Checks the cancel
  // flag before every job: once it is seen, no further job of the chunk starts.
  // Throws only if recording a failure cannot allocate; the chunk then counts as unrun.
  void run_chunk(std::size_t k) {
    Chunk& chunk = chunks_[k];
    const std::size_t begin = k * kBatchChunk;
    const std::size_t end = std::min(begin + kBatchChunk, calls_.size());
    std::size_t i = begin;
    // Two loops rather than a branch per op: the common case (no context) has no Context::run.
    if (!origin_) {
      for (; i < end && !cancel_requested_.load(std::memory_order_relaxed); ++i) {
        try {
          values_[i] = invoke_value(std::move(calls_[i]));
        } catch (...) {
          chunk.fail(i - begin, std::current_exception());
        }
      }
    } else {
      // Each op runs in its own copy of origin_. A copy the job left as it found it — same
      // mapping, no reference kept — is indistinguishable from a fresh one, so the next op runs
      // in it; any write or kept reference gets the next op a new copy. Isolation is per op, as
      // with a copy per to_thread call; the allocations are per chunk unless jobs write.
      Context context = origin_->copy();
      for (; i < end && !cancel_requested_.load(std::memory_order_relaxed); ++i) {
        if (!context.unchanged_copy_of(*origin_)) context = origin_->copy();
        try {
          values_[i] = context.run([this, i] { return invoke_value(std::move(calls_[i])); });
        } catch (...) {
          chunk.fail(i - begin, std::current_exception());
        }
      }
    }
    chunk.ran_ = i - begin;
  }

  // Loop thread, once the batch finished with None: every op's value, in op order.
  std::vector<Value> take_values() { return std::move(values_); }

 private:
  // One chunk's completion record. Written by the worker that runs the chunk, read by the loop
  // after the queue hands it over; never by both at once.
  class Chunk final : public Completion {
   public:
    // Worker: op `offset` of this chunk raised `error`. The error array is allocated on the
    // first failure only, so a chunk that does not fail allocates nothing.
    void fail(std::size_t offset, std::exception_ptr error) {
      if (!errors_) errors_ = std::make_unique<std::exception_ptr[]>(kBatchChunk);
      errors_[offset] = std::move(error);
      failed_ |= std::uint64_t{1} << offset;
    }
    // Loop thread.
    void complete() override { batch_->delivered(*this); }

   private:
    friend class Batch;
    Batch* batch_ = nullptr;
    std::size_t ran_ = 0;       // Jobs of the chunk that ran (a prefix of it); 0 if skipped.
    std::uint64_t failed_ = 0;  // Bit i: op begin + i raised errors_[i].
    std::unique_ptr<std::exception_ptr[]> errors_;
  };
  static_assert(kBatchChunk <= 64, "a chunk's failures are one 64-bit mask");
  static constexpr std::size_t kNone = std::numeric_limits<std::size_t>::max();

  std::size_t chunk_size(std::size_t k) const {
    return std::min(kBatchChunk, calls_.size() - k * kBatchChunk);
  }

  // Loop thread: one chunk's record arrived. When the last one has, completes the future once:
  // the lowest-index op's exception if any op raised, else a cancellation if the executor dropped
  // a chunk unrun, else None. A future cancelled meanwhile drops every outcome.
  void delivered(const Chunk& chunk) {
    const auto k = static_cast<std::size_t>(&chunk - chunks_.get());
    ++delivered_;
    if (chunk.failed_ != 0) first_failed_chunk_ = std::min(first_failed_chunk_, k);
    if (chunk.ran_ < chunk_size(k)) some_unrun_ = true;
    if (delivered_ < chunk_count_ || this->done()) return;
    if (first_failed_chunk_ != kNone) {
      const Chunk& failed = chunks_[first_failed_chunk_];
      this->set_exception(failed.errors_[static_cast<std::size_t>(std::countr_zero(failed.failed_))]);
    } else if (some_unrun_) {
      FutureBase::cancel("the executor dropped part of the batch before it ran");
    } else {
      this->set_result(None{});
    }
  }

  // Read by the workers, written only before the first chunk is submitted (and values_ moved
  // out after the last is delivered). On cache lines of their own, away from the loop's writes.
  alignas(64) std::vector<F> calls_;
  std::optional<Context> origin_;  // Only copied by the workers (Hamt: concurrent copies are safe).
  std::vector<Value> values_;  // values_[i]: op i's value; meaningful only if op i ran and returned.
  const std::size_t chunk_count_;
  std::unique_ptr<Chunk[]> chunks_;
  // Set (relaxed) by cancel() on the loop thread, read by the workers before each job. As with
  // DirectFuture: no data is published through it; a cancel racing with a job's start may lose,
  // and that job's outcome is dropped with the rest.
  std::atomic<bool> cancel_requested_{false};

  // Loop thread only.
  alignas(64) std::size_t delivered_ = 0;
  std::size_t first_failed_chunk_ = kNone;
  bool some_unrun_ = false;
};

namespace detail {

// What the executor runs for one chunk: the chunk's jobs, then one push of its record.
// Invariant: the record is pushed exactly once — by operator() when the executor runs the item,
// or by the destructor when the executor drops it unrun (shutdown with cancel_futures, a failed
// submit) — so every chunk is counted and the batch is released on the loop thread.
template <class F>
class ChunkCall {
 public:
  ChunkCall(const std::shared_ptr<Batch<F>>& batch, std::size_t chunk, CompletionQueue& queue)
      : completion_(Batch<F>::completion_of(batch, chunk)),
        batch_(batch.get()),
        chunk_(chunk),
        queue_(&queue) {}
  // Moving disarms the source: only the last holder pushes.
  ChunkCall(ChunkCall&&) noexcept = default;
  ChunkCall& operator=(ChunkCall&&) = delete;
  ~ChunkCall() {
    if (completion_) queue_->push(std::move(completion_));
  }

  void operator()() {
    batch_->run_chunk(chunk_);
    queue_->push(std::move(completion_));  // One lock, one wake-up signal for the whole chunk.
  }

 private:
  std::shared_ptr<Completion> completion_;  // Keeps the batch alive; null once pushed or moved from.
  Batch<F>* batch_;
  std::size_t chunk_;
  CompletionQueue* queue_;
};

// Loop thread: builds the batch and submits its chunks; the returned future completes once.
template <class Offload, class F>
std::shared_ptr<Batch<F>> submit_batch(EventLoop& loop, ThreadPoolExecutor& executor, std::vector<F> calls) {
  // The caller's context is copied here, on the loop thread, before any job runs: as to_thread
  // copies it when it is called. Each op's own copy is made from this one by its worker.
  auto batch = std::make_shared<Batch<F>>(loop, std::move(calls), Offload::batch_context());
  if (batch->chunk_count() == 0) {
    batch->set_result(None{});
    return batch;
  }
  CompletionQueue& queue = loop.completion_queue();
  for (std::size_t k = 0; k < batch->chunk_count(); ++k) {
    try {
      // No ConcurrentFuture: the chunk completes the batch itself.
      executor.post(ChunkCall<F>(batch, k, queue));
    } catch (...) {
      // Chunks already queued run no job; the batch is abandoned, cancelled, and freed once
      // their records are delivered.
      batch->cancel("submitting the batch failed");
      throw;
    }
  }
  return batch;
}

}  // namespace detail

// Runs calls[i]() for every i on `executor`'s workers (nullptr: the loop's default executor) and
// returns their values in op order, as `await asyncio.gather(*(to_thread(c) for c in calls))`
// would. The ops go to the executor in chunks of kBatchChunk consecutive calls; a worker runs a
// chunk's calls in order, each into its own outcome slot, then pushes one completion for the
// chunk onto the loop's completion queue (one wake-up signal, in the loop's wake-up mode).
//
// Context, per the Offload policy's batch_context(): OffloadCopyContextPartial runs every op in
// its own copy of the caller's context as it was at submission; OffloadSkipEmptyContext runs
// the calls directly in the worker thread's context when the caller's is empty (a ContextVar one
// job sets is then seen by the next job on that worker, as with the per-op strategy).
//
// Outcome: the await waits for every chunk. If any op raised, it raises the exception of the
// lowest-index op that raised — unlike asyncio.gather, which raises the first exception in
// completion order as soon as it arrives and leaves the other ops running; here the outcome does
// not depend on scheduling, and no job of the batch is still running when the await returns.
// Every other op still ran and kept its own outcome.
// Cancellation: cancelling the awaiting task (or the batch future) stops every job that has not
// started yet — each worker checks a flag before each job — and the await raises CancelledError.
// Requires: loop thread, inside a task; `executor` finishes its jobs before the loop is destroyed;
// Value default-constructible.
template <class Offload = OffloadCopyContextPartial, class F>
Coroutine<std::vector<InvokeValue<F>>> offload_batch(EventLoop& loop, ThreadPoolExecutor* executor,
                                                     std::vector<F> calls) {
  if (executor == nullptr) executor = &loop.default_executor();
  auto batch = detail::submit_batch<Offload>(loop, *executor, std::move(calls));
  co_await batch;
  co_return batch->take_values();
}

}  // namespace offload::runtime
