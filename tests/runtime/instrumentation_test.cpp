// Instrumentation: counts only when enabled, per thread, and survives thread exit.
#include "runtime/instrumentation.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <thread>

namespace offload::runtime::instrumentation {
namespace {

TEST(Instrumentation, CountsNothingWhileDisabled) {
  set_enabled(false);
  const Counts before = totals();
  count(Counter::kLockAcquisitions);
  auto p = std::make_unique<int>(1);
  const Counts after = totals() - before;
  EXPECT_EQ(after[Counter::kLockAcquisitions], 0u);
  EXPECT_EQ(after[Counter::kHeapAllocations], 0u);
}

TEST(Instrumentation, CountsOfAnExitedThreadRemainInTheTotals) {
  set_enabled(true);
  const Counts before = totals();
  std::thread([] {
    for (int i = 0; i < 1000; ++i) count(Counter::kWorkerWakeups);
  }).join();
  const Counts after = totals() - before;
  set_enabled(false);
  EXPECT_EQ(after[Counter::kWorkerWakeups], 1000u);
}

TEST(Instrumentation, HeapAllocationsAreCountedThroughTheAllocationHook) {
  set_enabled(true);
  const Counts before = totals();
  auto a = std::make_unique<int>(1);
  auto b = std::make_unique<long[]>(8);
  const Counts after = totals() - before;
  set_enabled(false);
  EXPECT_EQ(after[Counter::kHeapAllocations], 2u);
}

TEST(Instrumentation, LockHelperCountsEachAcquisition) {
  std::mutex m;
  set_enabled(true);
  const Counts before = totals();
  { auto l = lock(m); }
  { auto l = lock(m); }
  const Counts after = totals() - before;
  set_enabled(false);
  EXPECT_EQ(after[Counter::kLockAcquisitions], 2u);
}

}  // namespace
}  // namespace offload::runtime::instrumentation
