// Chaining a ConcurrentFuture to a loop Future (asyncio.wrap_future / _chain_future), and the
// two ways of copying the finished state across — the state-copy seam.
//
// Threading: the source's done-callback runs on whichever thread completes it (a worker, or
// the loop when the source is cancelled) and only calls loop.call_soon_threadsafe; the copy
// itself and every touch of the destination run on the loop thread.
#pragma once

#include <cassert>
#include <memory>
#include <utility>

#include "runtime/concurrent_future.hpp"
#include "runtime/event_loop.hpp"
#include "runtime/future.hpp"

namespace offload::runtime {

// CPython's _copy_future_state before gh-134173: four getters on the source, each taking its
// lock — cancelled(), done() (the assert), exception(), result().
struct CopyFutureStatePerField {
  template <class T>
  void operator()(ConcurrentFuture<T>& source, Future<T>& dest) const {
    if (dest.cancelled()) return;
    const bool source_done = source.done();
    assert(source_done && "state copied from a pending ConcurrentFuture");
    (void)source_done;
    if (source.cancelled()) {
      dest.cancel();
      return;
    }
    if (std::exception_ptr error = source.exception()) {
      dest.set_exception(std::move(error));
    } else {
      dest.set_result(source.result());
    }
  }
};

// gh-134173: one snapshot() of the source, unlocked once it is FINISHED.
struct CopyFutureStateSnapshot {
  template <class T>
  void operator()(ConcurrentFuture<T>& source, Future<T>& dest) const {
    if (dest.cancelled()) return;
    const auto snapshot = source.snapshot();
    assert(snapshot.done && "state copied from a pending ConcurrentFuture");
    if (snapshot.cancelled) {
      dest.cancel();
    } else if (snapshot.exception) {
      dest.set_exception(snapshot.exception);
    } else {
      dest.set_result(*snapshot.result);
    }
  }
};

// asyncio._chain_future(source, destination) for a concurrent source and a loop destination:
// cancelling the destination cancels the source (which fails once the job runs), and the
// source's completion is copied into the destination on the loop thread.
template <class StateCopy, class T>
void chain_future(std::shared_ptr<ConcurrentFuture<T>> source, std::shared_ptr<Future<T>> dest) {
  dest->add_done_callback([source](FutureBase& d) {
    if (d.cancelled()) source->cancel();
  });
  EventLoop* loop = &dest->get_loop();
  // Weak: the source must not own itself through its own callback. Whoever completes the
  // source holds a strong reference meanwhile, so lock() cannot fail inside the callback.
  source->add_done_callback([loop, dest, weak_source = std::weak_ptr(source)](ConcurrentFuture<T>&) {
    // As asyncio: a closed loop takes no more callbacks, so the copy is skipped.
    if (loop->is_closed()) return;
    loop->call_soon_threadsafe(
        [dest, src = weak_source.lock()] { StateCopy{}(*src, *dest); });
  });
}

template <class StateCopy, class T>
std::shared_ptr<Future<T>> wrap_future(std::shared_ptr<ConcurrentFuture<T>> source, EventLoop& loop) {
  auto dest = loop.create_future<T>();
  chain_future<StateCopy>(std::move(source), dest);
  return dest;
}

}  // namespace offload::runtime
