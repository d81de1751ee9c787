// ConcurrentFuture: every state transition of concurrent.futures.Future, callbacks, waiting, and
// the gh-134173 snapshot() under concurrent completion.
#include "runtime/concurrent_future.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <latch>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace offload::runtime {
namespace {

using namespace std::chrono_literals;
using IntFuture = ConcurrentFuture<int>;

std::exception_ptr boom() { return std::make_exception_ptr(std::runtime_error("boom")); }

std::string message_of(std::exception_ptr error) {
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    return e.what();
  }
}

TEST(ConcurrentFuture, StartsPending) {
  IntFuture f;
  EXPECT_FALSE(f.done());
  EXPECT_FALSE(f.cancelled());
  EXPECT_FALSE(f.running());
}

TEST(ConcurrentFuture, SetRunningMovesPendingToRunning) {
  IntFuture f;
  EXPECT_TRUE(f.set_running_or_notify_cancel());
  EXPECT_TRUE(f.running());
  EXPECT_FALSE(f.done());
}

TEST(ConcurrentFuture, SetRunningTwiceThrowsRuntimeError) {
  IntFuture f;
  ASSERT_TRUE(f.set_running_or_notify_cancel());
  EXPECT_THROW(f.set_running_or_notify_cancel(), RuntimeError);
}

TEST(ConcurrentFuture, SetRunningOnFinishedThrowsRuntimeError) {
  IntFuture f;
  f.set_result(1);
  EXPECT_THROW(f.set_running_or_notify_cancel(), RuntimeError);
}

TEST(ConcurrentFuture, CancelPendingSucceedsAndIsIdempotent) {
  IntFuture f;
  EXPECT_TRUE(f.cancel());
  EXPECT_TRUE(f.cancelled());
  EXPECT_TRUE(f.done());
  EXPECT_FALSE(f.running());
  EXPECT_TRUE(f.cancel());
}

TEST(ConcurrentFuture, SetRunningAfterCancelNotifiesAndReturnsFalse) {
  IntFuture f;
  ASSERT_TRUE(f.cancel());
  EXPECT_FALSE(f.set_running_or_notify_cancel());
  EXPECT_TRUE(f.cancelled());
  EXPECT_TRUE(f.done());
  EXPECT_TRUE(f.cancel());
  // CANCELLED_AND_NOTIFIED is final: a second notify is an unexpected state.
  EXPECT_THROW(f.set_running_or_notify_cancel(), RuntimeError);
}

TEST(ConcurrentFuture, CancelRunningReturnsFalse) {
  IntFuture f;
  ASSERT_TRUE(f.set_running_or_notify_cancel());
  EXPECT_FALSE(f.cancel());
  EXPECT_TRUE(f.running());
}

TEST(ConcurrentFuture, CancelFinishedReturnsFalse) {
  IntFuture f;
  f.set_result(3);
  EXPECT_FALSE(f.cancel());
  EXPECT_FALSE(f.cancelled());
  EXPECT_EQ(f.result(), 3);
}

TEST(ConcurrentFuture, SetResultFromPendingOrRunningFinishes) {
  IntFuture pending;
  pending.set_result(1);
  EXPECT_TRUE(pending.done());
  EXPECT_EQ(pending.result(), 1);

  IntFuture running;
  ASSERT_TRUE(running.set_running_or_notify_cancel());
  running.set_result(2);
  EXPECT_TRUE(running.done());
  EXPECT_FALSE(running.running());
  EXPECT_EQ(running.result(), 2);
  EXPECT_EQ(running.exception(), nullptr);
}

TEST(ConcurrentFuture, SetResultTwiceThrowsInvalidStateError) {
  IntFuture f;
  f.set_result(1);
  EXPECT_THROW(f.set_result(2), InvalidStateError);
  EXPECT_THROW(f.set_exception(boom()), InvalidStateError);
  EXPECT_EQ(f.result(), 1);
}

TEST(ConcurrentFuture, SetAfterCancelThrowsInvalidStateError) {
  IntFuture cancelled;
  ASSERT_TRUE(cancelled.cancel());
  EXPECT_THROW(cancelled.set_result(1), InvalidStateError);
  EXPECT_THROW(cancelled.set_exception(boom()), InvalidStateError);
  ASSERT_FALSE(cancelled.set_running_or_notify_cancel());
  EXPECT_THROW(cancelled.set_result(1), InvalidStateError);
}

TEST(ConcurrentFuture, SetExceptionTwiceThrowsInvalidStateError) {
  IntFuture f;
  f.set_exception(boom());
  EXPECT_THROW(f.set_exception(boom()), InvalidStateError);
  EXPECT_THROW(f.set_result(1), InvalidStateError);
}

TEST(ConcurrentFuture, SetNullExceptionThrowsValueError) {
  IntFuture f;
  EXPECT_THROW(f.set_exception(nullptr), ValueError);
  EXPECT_FALSE(f.done());
}

TEST(ConcurrentFuture, ExceptionIsTransferredToResultAndException) {
  IntFuture f;
  f.set_exception(boom());
  EXPECT_TRUE(f.done());
  EXPECT_FALSE(f.cancelled());
  EXPECT_EQ(message_of(f.exception()), "boom");
  try {
    (void)f.result();
    FAIL() << "result() did not throw";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "boom");
  }
}

TEST(ConcurrentFuture, CancelledResultAndExceptionThrowCancelledError) {
  IntFuture f;
  ASSERT_TRUE(f.cancel());
  EXPECT_THROW((void)f.result(), CancelledError);
  EXPECT_THROW((void)f.exception(), CancelledError);
  EXPECT_THROW((void)f.result(1s), CancelledError);
}

TEST(ConcurrentFuture, ResultTimesOutOnPendingFuture) {
  IntFuture f;
  EXPECT_THROW((void)f.result(0s), TimeoutError);
  EXPECT_THROW((void)f.result(5ms), TimeoutError);
  EXPECT_THROW((void)f.exception(5ms), TimeoutError);
  EXPECT_FALSE(f.done());
}

TEST(ConcurrentFuture, ResultWaitsForAnotherThread) {
  auto f = IntFuture::create();
  std::thread setter([f] { f->set_result(42); });
  EXPECT_EQ(f->result(), 42);
  setter.join();
}

TEST(ConcurrentFuture, ResultWithTimeoutReturnsOnceSet) {
  auto f = IntFuture::create();
  std::thread setter([f] { f->set_result(7); });
  EXPECT_EQ(f->result(60s), 7);
  setter.join();
}

TEST(ConcurrentFuture, CancelWakesWaiters) {
  auto f = IntFuture::create();
  std::thread canceller([f] { f->cancel(); });
  EXPECT_THROW((void)f->result(), CancelledError);
  canceller.join();
}

TEST(ConcurrentFuture, ResultReferenceStaysValid) {
  ConcurrentFuture<std::string> f;
  f.set_result(std::string(100, 'x'));
  const std::string& first = f.result();
  const std::string& second = f.result();
  EXPECT_EQ(&first, &second);
  EXPECT_EQ(first, std::string(100, 'x'));
}

// A callback that re-enters the future would self-deadlock if callbacks ran under its mutex.
TEST(ConcurrentFuture, CallbacksRunAfterLockRelease) {
  auto reenter = [](IntFuture& f) {
    EXPECT_TRUE(f.done());
    (void)f.cancelled();
    (void)f.running();
    (void)f.snapshot();
  };
  for (int how = 0; how < 3; ++how) {
    IntFuture f;
    int calls = 0;
    f.add_done_callback([&](IntFuture& g) {
      reenter(g);
      ++calls;
    });
    if (how == 0) f.set_result(1);
    if (how == 1) f.set_exception(boom());
    if (how == 2) f.cancel();
    EXPECT_EQ(calls, 1) << "completion " << how;
  }
}

TEST(ConcurrentFuture, CallbacksRunOnceInRegistrationOrder) {
  IntFuture f;
  std::vector<int> order;
  for (int i = 0; i < 3; ++i) f.add_done_callback([&order, i](IntFuture&) { order.push_back(i); });
  f.set_result(0);
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2}));
  EXPECT_FALSE(f.cancel());
  EXPECT_EQ(order.size(), 3u);
}

TEST(ConcurrentFuture, CallbackAddedAfterDoneRunsImmediately) {
  IntFuture f;
  f.set_result(5);
  int seen = 0;
  f.add_done_callback([&](IntFuture& g) { seen = g.result(); });
  EXPECT_EQ(seen, 5);
}

TEST(ConcurrentFuture, CallbackExceptionIsReportedNotPropagated) {
  IntFuture f;
  bool second_ran = false;
  f.add_done_callback([](IntFuture&) { throw std::runtime_error("callback failed"); });
  f.add_done_callback([&](IntFuture&) { second_ran = true; });
  testing::internal::CaptureStderr();
  EXPECT_NO_THROW(f.set_result(1));
  EXPECT_NO_THROW(f.add_done_callback([](IntFuture&) { throw 1; }));
  const std::string log = testing::internal::GetCapturedStderr();
  EXPECT_TRUE(second_ran);
  EXPECT_NE(log.find("callback failed"), std::string::npos) << log;
  EXPECT_NE(log.find("non-standard exception in a ConcurrentFuture done-callback"), std::string::npos) << log;
}

TEST(ConcurrentFuture, SnapshotReportsEveryState) {
  IntFuture pending;
  auto s = pending.snapshot();
  EXPECT_FALSE(s.done);
  EXPECT_FALSE(s.cancelled);
  EXPECT_EQ(s.result, nullptr);
  EXPECT_EQ(s.exception, nullptr);

  IntFuture running;
  ASSERT_TRUE(running.set_running_or_notify_cancel());
  s = running.snapshot();
  EXPECT_FALSE(s.done);
  EXPECT_FALSE(s.cancelled);

  IntFuture cancelled;
  ASSERT_TRUE(cancelled.cancel());
  s = cancelled.snapshot();
  EXPECT_TRUE(s.done);
  EXPECT_TRUE(s.cancelled);
  EXPECT_EQ(s.result, nullptr);
  EXPECT_EQ(s.exception, nullptr);
  ASSERT_FALSE(cancelled.set_running_or_notify_cancel());
  s = cancelled.snapshot();
  EXPECT_TRUE(s.done);
  EXPECT_TRUE(s.cancelled);

  IntFuture finished;
  finished.set_result(9);
  s = finished.snapshot();
  EXPECT_TRUE(s.done);
  EXPECT_FALSE(s.cancelled);
  ASSERT_NE(s.result, nullptr);
  EXPECT_EQ(*s.result, 9);
  EXPECT_EQ(s.result, &finished.result());
  EXPECT_EQ(s.exception, nullptr);

  IntFuture failed;
  failed.set_exception(boom());
  s = failed.snapshot();
  EXPECT_TRUE(s.done);
  EXPECT_FALSE(s.cancelled);
  EXPECT_EQ(s.result, nullptr);
  EXPECT_EQ(message_of(s.exception), "boom");
}

// Future i ends with a result (i), an exception or a cancel, by i % 3.
int expected_outcome(std::size_t i) { return static_cast<int>(i % 3); }

// Checks `s` is a legal snapshot of future i, and is at least as far along as `previous_done`.
void expect_legal(const IntFuture::Snapshot& s, std::size_t i, bool previous_done) {
  if (previous_done) {
    ASSERT_TRUE(s.done) << "future " << i << " went back to not done";
  }
  if (!s.done) {
    ASSERT_FALSE(s.cancelled) << i;
    ASSERT_EQ(s.result, nullptr) << i;
    ASSERT_EQ(s.exception, nullptr) << i;
    return;
  }
  switch (expected_outcome(i)) {
    case 0:
      ASSERT_FALSE(s.cancelled) << i;
      ASSERT_NE(s.result, nullptr) << i;
      ASSERT_EQ(*s.result, static_cast<int>(i));
      ASSERT_EQ(s.exception, nullptr) << i;
      break;
    case 1:
      ASSERT_FALSE(s.cancelled) << i;
      ASSERT_EQ(s.result, nullptr) << i;
      ASSERT_NE(s.exception, nullptr) << i;
      break;
    default:
      ASSERT_TRUE(s.cancelled) << i;
      ASSERT_EQ(s.result, nullptr) << i;
      ASSERT_EQ(s.exception, nullptr) << i;
  }
}

// One thread completes futures while another snapshots the one being completed: every snapshot is
// a legal state (never e.g. done && !cancelled with neither result nor exception), and once all
// are done the snapshots agree with the four getters.
TEST(ConcurrentFuture, SnapshotIsConsistentUnderConcurrentCompletion) {
  constexpr std::size_t kFutures = 20000;
  std::vector<std::shared_ptr<IntFuture>> futures;
  futures.reserve(kFutures);
  for (std::size_t i = 0; i < kFutures; ++i) futures.push_back(IntFuture::create());
  const auto error = boom();
  std::atomic<std::size_t> completing{0};
  std::latch start(2);

  std::thread writer([&] {
    start.arrive_and_wait();
    for (std::size_t i = 0; i < kFutures; ++i) {
      completing.store(i, std::memory_order_relaxed);
      switch (expected_outcome(i)) {
        case 0: futures[i]->set_result(static_cast<int>(i)); break;
        case 1: futures[i]->set_exception(error); break;
        default: futures[i]->cancel();
      }
    }
    completing.store(kFutures, std::memory_order_relaxed);
  });

  std::vector<bool> seen_done(kFutures, false);
  start.arrive_and_wait();
  for (std::size_t at = 0; at < kFutures; at = completing.load(std::memory_order_relaxed)) {
    for (std::size_t i = at; i < std::min(at + 2, kFutures); ++i) {
      const auto s = futures[i]->snapshot();
      expect_legal(s, i, seen_done[i]);
      if (::testing::Test::HasFatalFailure()) break;
      seen_done[i] = s.done;
    }
    if (::testing::Test::HasFatalFailure()) break;
  }
  writer.join();
  ASSERT_FALSE(::testing::Test::HasFatalFailure());

  for (std::size_t i = 0; i < kFutures; ++i) {
    const IntFuture& f = *futures[i];
    const auto s = f.snapshot();
    expect_legal(s, i, true);
    ASSERT_EQ(s.done, f.done());
    ASSERT_EQ(s.cancelled, f.cancelled());
    if (s.cancelled) continue;
    ASSERT_EQ(s.exception, f.exception());
    if (!s.exception) {
      ASSERT_EQ(s.result, &f.result());
    }
  }
}

}  // namespace
}  // namespace offload::runtime
