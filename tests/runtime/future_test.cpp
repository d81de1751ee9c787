// Loop Future and the ConcurrentFuture -> Future chain: asyncio's state rules, callbacks
// scheduled (never inline), and both state-copy seams.
#include "runtime/future.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "runtime/asyncio.hpp"

namespace offload::runtime {
namespace {

// Runs the loop until every callback scheduled so far, and those they schedule, have run.
void run_pending(EventLoop& loop) {
  for (int i = 0; i < 4; ++i) {
    loop.call_soon([&loop] { loop.stop(); });
    loop.run_forever();
  }
}

TEST(Future, ResultAndExceptionFailAsAsyncioDoes) {
  EventLoop loop;
  auto pending = loop.create_future<int>();
  EXPECT_THROW(pending->result(), InvalidStateError);
  EXPECT_THROW(pending->exception(), InvalidStateError);

  auto cancelled = loop.create_future<int>();
  EXPECT_TRUE(cancelled->cancel("stop now"));
  try {
    cancelled->result();
    FAIL() << "result() of a cancelled future must throw";
  } catch (const CancelledError& e) {
    EXPECT_STREQ(e.what(), "stop now");
  }
  EXPECT_THROW(cancelled->exception(), CancelledError);
  EXPECT_FALSE(cancelled->cancel());

  auto failed = loop.create_future<int>();
  failed->set_exception(std::make_exception_ptr(std::runtime_error("bad")));
  EXPECT_THROW(failed->result(), std::runtime_error);
  EXPECT_NE(failed->exception(), nullptr);

  auto finished = loop.create_future<int>();
  finished->set_result(7);
  EXPECT_EQ(finished->result(), 7);
  EXPECT_EQ(finished->exception(), nullptr);
  EXPECT_THROW(finished->set_result(8), InvalidStateError);
  EXPECT_THROW(finished->set_exception(std::make_exception_ptr(std::runtime_error("x"))),
               InvalidStateError);
  EXPECT_FALSE(finished->cancel());
}

TEST(Future, DoneCallbacksAreScheduledNeverRunInline) {
  EventLoop loop;
  auto future = loop.create_future<int>();
  std::vector<int> seen;
  future->add_done_callback([&](FutureBase& f) { seen.push_back(static_cast<Future<int>&>(f).result()); });
  future->set_result(5);
  EXPECT_TRUE(seen.empty());
  run_pending(loop);
  EXPECT_EQ(seen, (std::vector<int>{5}));

  // Added after completion: scheduled too, not run inline.
  future->add_done_callback([&](FutureBase&) { seen.push_back(6); });
  EXPECT_EQ(seen.size(), 1u);
  run_pending(loop);
  EXPECT_EQ(seen, (std::vector<int>{5, 6}));
}

TEST(Future, RemovedCallbackDoesNotRun) {
  EventLoop loop;
  auto future = loop.create_future<int>();
  bool ran = false;
  auto id = future->add_done_callback([&](FutureBase&) { ran = true; });
  EXPECT_EQ(future->remove_done_callback(id), 1u);
  future->set_result(1);
  run_pending(loop);
  EXPECT_FALSE(ran);
}

template <class StateCopy>
class FutureChain : public ::testing::Test {};
using StateCopies = ::testing::Types<CopyFutureStatePerField, CopyFutureStateSnapshot>;
TYPED_TEST_SUITE(FutureChain, StateCopies);

TYPED_TEST(FutureChain, CopiesResultExceptionAndCancellation) {
  EventLoop loop;
  auto result_src = std::make_shared<ConcurrentFuture<int>>();
  auto error_src = std::make_shared<ConcurrentFuture<int>>();
  auto cancel_src = std::make_shared<ConcurrentFuture<int>>();
  auto result_dst = wrap_future<TypeParam>(result_src, loop);
  auto error_dst = wrap_future<TypeParam>(error_src, loop);
  auto cancel_dst = wrap_future<TypeParam>(cancel_src, loop);
  result_src->set_result(11);
  error_src->set_exception(std::make_exception_ptr(std::out_of_range("range")));
  cancel_src->cancel();
  EXPECT_FALSE(result_dst->done()) << "the copy crosses call_soon_threadsafe";
  run_pending(loop);
  EXPECT_EQ(result_dst->result(), 11);
  EXPECT_THROW(error_dst->result(), std::out_of_range);
  EXPECT_TRUE(cancel_dst->cancelled());
}

TYPED_TEST(FutureChain, CancellingTheLoopFutureCancelsAPendingSource) {
  EventLoop loop;
  auto source = std::make_shared<ConcurrentFuture<int>>();
  auto dest = wrap_future<TypeParam>(source, loop);
  EXPECT_TRUE(dest->cancel());
  run_pending(loop);
  EXPECT_TRUE(source->cancelled());
  EXPECT_FALSE(source->set_running_or_notify_cancel()) << "a worker must skip the job";
}

TYPED_TEST(FutureChain, CancellingTheLoopFutureLeavesARunningSourceToFinish) {
  EventLoop loop;
  auto source = std::make_shared<ConcurrentFuture<int>>();
  auto dest = wrap_future<TypeParam>(source, loop);
  ASSERT_TRUE(source->set_running_or_notify_cancel());
  EXPECT_TRUE(dest->cancel());
  run_pending(loop);
  EXPECT_FALSE(source->cancelled());
  source->set_result(3);  // The late result is dropped: the destination stays cancelled.
  run_pending(loop);
  EXPECT_TRUE(dest->cancelled());
}

}  // namespace
}  // namespace offload::runtime
