// The direct completion path: a worker hands a finished job straight to its loop future through
// the loop's completion queue, which the loop drains in one batch per iteration — libuv's done
// queue (uv__work_done), CPython's gh-136084 — instead of CPython's chain of a ConcurrentFuture,
// a done-callback, call_soon_threadsafe and a state copy (future_chain.hpp).
//
// Threading: CompletionQueue::push() and push_all() are safe from any thread; take() and clear()
// belong to the loop thread. mutex_ is a leaf lock: nothing else is taken while holding it, and
// the wake-up is signalled after releasing it. A DirectFuture is a loop future (loop thread
// only) except for two fields a worker touches, each documented where it is declared.
#pragma once

#include <atomic>
#include <cassert>
#include <exception>
#include <functional>
#include <iterator>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "runtime/future.hpp"
#include "runtime/instrumentation.hpp"
#include "runtime/none.hpp"
#include "runtime/phase_trace.hpp"
#include "runtime/wakeup.hpp"

namespace offload::runtime {

// A finished job waiting for its loop. Owned through a shared_ptr of the derived type.
class Completion {
 public:
  // Loop thread: hands the outcome to the loop future. Called exactly once per push.
  virtual void complete() = 0;

 protected:
  ~Completion() = default;
};

// Completions pushed by workers, taken by the loop in one batch per iteration. A vector swapped
// under one mutex (not a lock-free list): a push is one short critical section, the loop takes
// everything with one lock whatever the batch size, and the vectors' capacity is recycled between
// the two sides, so a warm queue does not allocate.
class CompletionQueue {
 public:
  // `wakeup` is signalled after each push; it must outlive the queue.
  explicit CompletionQueue(Wakeup& wakeup) : wakeup_(&wakeup) {}
  CompletionQueue(const CompletionQueue&) = delete;
  CompletionQueue& operator=(const CompletionQueue&) = delete;

  // Any thread: queues one completion and signals the loop (one lock, one signal()).
  void push(std::shared_ptr<Completion> completion) {
    phase_trace::stamp_published();
    {
      auto lock = instrumentation::lock(mutex_);
      queued_.push_back(std::move(completion));
      nonempty_.store(true, std::memory_order_relaxed);
    }
    // After the unlock: the push must be in place before the signal (Wakeup's protocol, P1
    // before P2), and the woken loop should not find the lock still held.
    wakeup_->signal();
  }

  // Any thread: queues a burst, moved out of `completions`, with one lock and one signal().
  void push_all(std::span<std::shared_ptr<Completion>> completions) {
    if (completions.empty()) return;
    {
      auto lock = instrumentation::lock(mutex_);
      queued_.insert(queued_.end(), std::make_move_iterator(completions.begin()),
                     std::make_move_iterator(completions.end()));
      nonempty_.store(true, std::memory_order_relaxed);
    }
    wakeup_->signal();
  }

  // Loop thread: swaps everything queued, in push order, into `batch`.
  // Requires: `batch` is empty (its capacity goes back to the queue).
  void take(std::vector<std::shared_ptr<Completion>>& batch) {
    assert(batch.empty() && "take() into a batch that still holds completions");
    auto lock = instrumentation::lock(mutex_);
    queued_.swap(batch);
    nonempty_.store(false, std::memory_order_relaxed);
  }

  // Any thread, no lock: whether something may be queued; what a spinning loop polls. Exact
  // under mutex_; without it, a hint that a later take() confirms.
  bool maybe_nonempty() const noexcept { return nonempty_.load(std::memory_order_relaxed); }

  // Loop thread: drops everything queued without completing it (the loop is closing).
  void clear() {
    std::vector<std::shared_ptr<Completion>> dropped;
    {
      auto lock = instrumentation::lock(mutex_);
      queued_.swap(dropped);
      nonempty_.store(false, std::memory_order_relaxed);
    }
    // Destroyed after the unlock: a future's destructor may release arbitrary loop-side state.
  }

 private:
  Wakeup* wakeup_;
  std::mutex mutex_;
  std::vector<std::shared_ptr<Completion>> queued_;  // Guarded by mutex_.
  std::atomic<bool> nonempty_{false};  // == !queued_.empty(); written under mutex_.
};

// The loop future of a direct offload. It is its own completion, so a direct offload allocates
// no separate completion record: the worker stores the outcome here and pushes the future.
template <class T>
class DirectFuture final : public Future<T>, public Completion {
 public:
  using Future<T>::Future;

  // Cancels as any loop future does, and tells a job that has not started yet not to run.
  bool cancel(std::string message = "") override {
    if (!FutureBase::cancel(std::move(message))) return false;
    cancel_requested_.store(true, std::memory_order_relaxed);
    return true;
  }

  // Job's thread, before pushing: the job's outcome.
  void set_outcome(T value) { outcome_.emplace(std::move(value)); }
  void set_outcome_exception(std::exception_ptr error) { outcome_error_ = std::move(error); }
  // Job's thread: true once the loop future was cancelled; a job that sees it does not run.
  bool cancel_requested() const noexcept {
    return cancel_requested_.load(std::memory_order_relaxed);
  }

  // Loop thread. A future cancelled meanwhile drops the outcome. No outcome at all means the job
  // never ran (skipped after a cancel, or dropped by the executor): the loop future is cancelled.
  void complete() override {
    if (this->done()) return;
    if (outcome_) {
      this->set_result(std::move(*outcome_));
    } else if (outcome_error_) {
      this->set_exception(std::move(outcome_error_));
    } else {
      FutureBase::cancel("the executor dropped the job before it ran");
    }
  }

 private:
  // Set (relaxed) by cancel() on the loop thread, read by the job when it starts. No data is
  // published through it, so relaxed suffices: anything that orders the cancel before the job's
  // start (a lock both threads take in between, a latch in a test) makes the job see it. A cancel
  // racing with the start may lose: the job runs and complete() drops its outcome.
  std::atomic<bool> cancel_requested_{false};
  // Written by the job's thread before push(), read by the loop after take(): the queue's mutex
  // orders the two, and nothing else touches them.
  std::optional<T> outcome_;
  std::exception_ptr outcome_error_;
};

// The callable a direct offload submits to the executor: runs f on the worker, stores the
// outcome in the loop future and pushes the future onto the loop's completion queue.
// Invariant: the future is pushed exactly once — by operator() when the executor runs the job,
// or by the destructor when the executor drops it unrun (shutdown with cancel_futures, a failed
// submit) — so the loop future always completes and is released on the loop thread.
template <class F>
class DirectCall {
 public:
  using Value = InvokeValue<F>;

  DirectCall(std::shared_ptr<DirectFuture<Value>> future, CompletionQueue& queue, F f)
      : future_(std::move(future)), queue_(&queue), f_(std::move(f)) {}
  // Moving disarms the source: only the last holder pushes.
  DirectCall(DirectCall&&) noexcept = default;
  DirectCall& operator=(DirectCall&&) = delete;
  ~DirectCall() {
    if (future_) queue_->push(std::move(future_));
  }

  void operator()() {
    std::shared_ptr<DirectFuture<Value>> future = std::move(future_);
    if (!future->cancel_requested()) {
      try {
        future->set_outcome(invoke_value(std::move(f_)));
      } catch (...) {
        future->set_outcome_exception(std::current_exception());
      }
    }
    queue_->push(std::move(future));
  }

 private:
  std::shared_ptr<DirectFuture<Value>> future_;  // Null once pushed or moved from.
  CompletionQueue* queue_;
  F f_;
};

}  // namespace offload::runtime
