// gather(): asyncio.gather over futures or coroutines of one result type. The outer future
// completes with every result in order, fails with the first child exception, and cancelling
// it cancels the children.
//
// Threading: loop thread only.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "runtime/coroutine.hpp"
#include "runtime/event_loop.hpp"
#include "runtime/future.hpp"
#include "runtime/task.hpp"

namespace offload::runtime {

// asyncio's _GatheringFuture: a future whose cancel() cancels its children.
template <class T>
class GatheringFuture final : public Future<std::vector<T>> {
 public:
  GatheringFuture(EventLoop& loop, std::vector<std::shared_ptr<Future<T>>> children)
      : Future<std::vector<T>>(loop), children_(std::move(children)) {}

  bool cancel(std::string message = "") override {
    if (this->done()) return false;
    bool any = false;
    for (auto& child : children_) any = child->cancel(message) || any;
    // Children ending cancelled make this future fail with CancelledError once they are done.
    if (any) cancel_requested_ = true;
    return any;
  }

  const std::vector<std::shared_ptr<Future<T>>>& children() const { return children_; }
  bool cancel_requested() const { return cancel_requested_; }

 private:
  std::vector<std::shared_ptr<Future<T>>> children_;
  bool cancel_requested_ = false;
};

// Requires: every child belongs to `loop`. Each child's completion is one scheduled callback,
// as in asyncio.
template <class T>
std::shared_ptr<GatheringFuture<T>> gather(EventLoop& loop,
                                           std::vector<std::shared_ptr<Future<T>>> children) {
  auto outer = std::make_shared<GatheringFuture<T>>(loop, std::move(children));
  const std::size_t total = outer->children().size();
  if (total == 0) {
    outer->set_result({});
    return outer;
  }
  // Weak: the children's callbacks must not keep the outer future alive in a cycle through it.
  auto finished = std::make_shared<std::size_t>(0);
  std::weak_ptr<GatheringFuture<T>> weak_outer = outer;
  for (auto& child : outer->children()) {
    child->add_done_callback([weak_outer, finished, total](FutureBase& done_child) {
      ++*finished;
      auto gathered = weak_outer.lock();
      if (!gathered || gathered->done()) return;
      if (done_child.cancelled()) {
        gathered->set_exception(done_child.make_cancelled_error());
        return;
      }
      if (auto error = done_child.exception()) {
        gathered->set_exception(error);
        return;
      }
      if (*finished < total) return;
      if (gathered->cancel_requested()) {
        gathered->set_exception(done_child.make_cancelled_error());
        return;
      }
      std::vector<T> results;
      results.reserve(total);
      for (auto& c : gathered->children()) results.push_back(c->result());
      gathered->set_result(std::move(results));
    });
  }
  return outer;
}

// gather over coroutines: each is wrapped in a task on `loop` first, as asyncio does.
template <class T>
std::shared_ptr<GatheringFuture<ValueOf<T>>> gather(EventLoop& loop,
                                                    std::vector<Coroutine<T>> coroutines) {
  std::vector<std::shared_ptr<Future<ValueOf<T>>>> tasks;
  tasks.reserve(coroutines.size());
  for (auto& c : coroutines) tasks.push_back(loop.create_task(std::move(c)));
  return gather(loop, std::move(tasks));
}

}  // namespace offload::runtime
