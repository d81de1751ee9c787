// Tasks and the asyncio helpers built on them: stepping, cancellation, gather, wait_for,
// Semaphore, sleep.
#include "runtime/task.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <stdexcept>
#include <string>
#include <vector>

#include "runtime/asyncio.hpp"

namespace offload::runtime {
namespace {

using namespace std::chrono_literals;

Coroutine<int> add(int a, int b) { co_return a + b; }

Coroutine<int> await_value(std::shared_ptr<Future<int>> future) { co_return co_await future; }

TEST(Task, RunsCoroutineToItsResult) {
  EventLoop loop;
  EXPECT_EQ(loop.run_until_complete(add(2, 3)), 5);
}

TEST(Task, AwaitingACoroutineRunsItInlineInTheSameTask) {
  EventLoop loop;
  auto outer = [](EventLoop& l) -> Coroutine<bool> {
    TaskBase* before = l.current_task();
    int v = co_await add(1, 1);
    co_return before != nullptr && before == l.current_task() && v == 2;
  };
  EXPECT_TRUE(loop.run_until_complete(outer(loop)));
}

TEST(Task, ExceptionPropagatesThroughAwaitsAndFailsTheTask) {
  EventLoop loop;
  auto thrower = []() -> Coroutine<int> {
    throw std::invalid_argument("inner");
    co_return 0;
  };
  auto outer = [&]() -> Coroutine<int> { co_return co_await thrower() + 1; };
  auto task = loop.create_task(outer());
  EXPECT_THROW(loop.run_until_complete(task), std::invalid_argument);
  EXPECT_TRUE(task->done());
  EXPECT_FALSE(task->cancelled());
}

TEST(Task, ResumesWhenTheAwaitedFutureCompletes) {
  EventLoop loop;
  auto future = loop.create_future<int>();
  auto task = loop.create_task(await_value(future));
  loop.call_later(2ms, [future] { future->set_result(9); });
  EXPECT_EQ(loop.run_until_complete(task), 9);
}

TEST(Task, CancelCancelsTheAwaitedFutureAndEndsTheTaskCancelled) {
  EventLoop loop;
  auto future = loop.create_future<int>();
  auto task = loop.create_task(await_value(future));
  loop.call_later(1ms, [task] { task->cancel("enough"); });
  try {
    loop.run_until_complete(task);
    FAIL() << "a cancelled task must raise CancelledError";
  } catch (const CancelledError& e) {
    EXPECT_STREQ(e.what(), "enough");
  }
  EXPECT_TRUE(future->cancelled());
  EXPECT_TRUE(task->cancelled());
}

TEST(Task, CancelledBeforeItsFirstStepNeverRuns) {
  EventLoop loop;
  bool ran = false;
  auto body = [&]() -> Coroutine<void> {
    ran = true;
    co_return;
  };
  auto task = loop.create_task(body());
  EXPECT_TRUE(task->cancel());
  EXPECT_THROW(loop.run_until_complete(task), CancelledError);
  EXPECT_FALSE(ran);
}

TEST(Task, CoroutineCanCatchCancellationAndFinishNormally) {
  EventLoop loop;
  auto future = loop.create_future<int>();
  auto body = [&]() -> Coroutine<int> {
    try {
      co_await future;
    } catch (const CancelledError&) {
      co_return -1;
    }
    co_return 0;
  };
  auto task = loop.create_task(body());
  loop.call_soon([task] { task->cancel(); });
  EXPECT_EQ(loop.run_until_complete(task), -1);
}

TEST(Task, CancelWhileReadyToResumeDeliversCancelledErrorAtTheAwait) {
  EventLoop loop;
  auto body = [&]() -> Coroutine<int> {
    co_await sleep(0s);  // Bare yield: the next step is already scheduled when cancel() runs.
    co_return 1;
  };
  auto task = loop.create_task(body());
  loop.call_soon([task] { task->cancel("late"); });
  EXPECT_THROW(loop.run_until_complete(task), CancelledError);
}

TEST(Task, StepsRunInsideTheContextCopiedAtCreation) {
  EventLoop loop;
  ContextVar<int> var("v", 0);
  auto setter = [&]() -> Coroutine<int> {
    var.set(5);
    co_await sleep(0s);
    co_return var.get();
  };
  auto reader = [&]() -> Coroutine<int> {
    co_await sleep(0s);
    co_return var.get();
  };
  auto a = loop.create_task(setter());
  auto b = loop.create_task(reader());
  EXPECT_EQ(loop.run_until_complete(a), 5);
  EXPECT_EQ(loop.run_until_complete(b), 0) << "a task's ContextVar writes stay in its context";
  EXPECT_EQ(var.get(), 0);
}

TEST(Gather, ReturnsResultsInArgumentOrder) {
  EventLoop loop;
  auto delayed = [](int v, std::chrono::milliseconds d) -> Coroutine<int> {
    co_await sleep(d);
    co_return v;
  };
  std::vector<Coroutine<int>> coroutines;
  coroutines.push_back(delayed(1, 6ms));
  coroutines.push_back(delayed(2, 1ms));
  coroutines.push_back(delayed(3, 3ms));
  auto gathered = gather(loop, std::move(coroutines));
  EXPECT_EQ(loop.run_until_complete(gathered), (std::vector<int>{1, 2, 3}));
}

TEST(Gather, FailsWithTheFirstChildException) {
  EventLoop loop;
  auto ok = loop.create_future<int>();
  auto bad = loop.create_future<int>();
  auto gathered = gather(loop, std::vector<std::shared_ptr<Future<int>>>{ok, bad});
  bad->set_exception(std::make_exception_ptr(std::logic_error("child")));
  EXPECT_THROW(loop.run_until_complete(gathered), std::logic_error);
  EXPECT_FALSE(ok->done()) << "other children keep running, as in asyncio";
}

TEST(Gather, CancellingTheOuterFutureCancelsEveryChild) {
  EventLoop loop;
  auto a = loop.create_future<int>();
  auto b = loop.create_future<int>();
  auto gathered = gather(loop, std::vector<std::shared_ptr<Future<int>>>{a, b});
  EXPECT_TRUE(gathered->cancel());
  EXPECT_THROW(loop.run_until_complete(gathered), CancelledError);
  EXPECT_TRUE(a->cancelled());
  EXPECT_TRUE(b->cancelled());
}

TEST(WaitFor, ReturnsTheResultWhenInTime) {
  EventLoop loop;
  auto body = []() -> Coroutine<int> { co_return co_await wait_for(add(4, 4), 1s); };
  EXPECT_EQ(loop.run_until_complete(body()), 8);
}

TEST(WaitFor, TimeoutCancelsTheInnerOperationAndRaisesTimeoutError) {
  EventLoop loop;
  auto never = loop.create_future<int>();
  auto body = [&]() -> Coroutine<std::string> {
    try {
      co_await wait_for(never, 5ms);
    } catch (const TimeoutError&) {
      co_return "timeout";
    }
    co_return "no timeout";
  };
  EXPECT_EQ(loop.run_until_complete(body()), "timeout");
  EXPECT_TRUE(never->cancelled());
}

TEST(WaitFor, AnOuterCancelStaysACancellation) {
  EventLoop loop;
  auto never = loop.create_future<int>();
  auto body = [&]() -> Coroutine<int> { co_return co_await wait_for(never, 10s); };
  auto task = loop.create_task(body());
  loop.call_later(1ms, [task] { task->cancel(); });
  EXPECT_THROW(loop.run_until_complete(task), CancelledError);
}

TEST(Semaphore, BoundsConcurrencyAndServesWaitersInFifoOrder) {
  EventLoop loop;
  Semaphore semaphore(2);
  int inside = 0;
  int peak = 0;
  std::vector<int> entered;
  auto worker = [&](int id) -> Coroutine<int> {
    co_await semaphore.acquire();
    entered.push_back(id);
    peak = std::max(peak, ++inside);
    co_await sleep(1ms);
    --inside;
    semaphore.release();
    co_return id;
  };
  std::vector<Coroutine<int>> coroutines;
  for (int i = 0; i < 6; ++i) coroutines.push_back(worker(i));
  loop.run_until_complete(gather(loop, std::move(coroutines)));
  EXPECT_EQ(peak, 2);
  EXPECT_EQ(entered, (std::vector<int>{0, 1, 2, 3, 4, 5}));
  EXPECT_FALSE(semaphore.locked());
}

TEST(Semaphore, CancelledWaiterDoesNotConsumeASlot) {
  EventLoop loop;
  Semaphore semaphore(1);
  auto holder_release = loop.create_future<int>();
  auto holder = [&]() -> Coroutine<void> {
    co_await semaphore.acquire();
    co_await holder_release;
    semaphore.release();
  };
  auto waiter = [&]() -> Coroutine<void> { co_await semaphore.acquire(); };
  auto h = loop.create_task(holder());
  auto w = loop.create_task(waiter());
  loop.call_later(1ms, [w] { w->cancel(); });
  loop.call_later(2ms, [holder_release] { holder_release->set_result(0); });
  loop.run_until_complete(h);
  EXPECT_TRUE(w->cancelled());
  EXPECT_FALSE(semaphore.locked());
}

TEST(Sleep, ResumesNoEarlierThanTheDelay) {
  EventLoop loop;
  const auto start = loop.time();
  loop.run_until_complete(sleep(10ms));
  EXPECT_GE(loop.time() - start, 10ms);
}

}  // namespace
}  // namespace offload::runtime
