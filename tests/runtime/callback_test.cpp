// Callback: allocates exactly when std::function does (so the default configuration's counts
// stay CPython's model), moves without copying its callable, and takes its heap block from the
// loop's free lists when they are installed.
#include "runtime/callback.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <memory>

#include "runtime/instrumentation.hpp"

namespace offload::runtime {
namespace {

using instrumentation::Counter;

template <class Body>
std::uint64_t heap_allocations(Body body) {
  instrumentation::set_enabled(true);
  const auto before = instrumentation::totals();
  body();
  const auto counted = instrumentation::totals() - before;
  instrumentation::set_enabled(false);
  return counted[Counter::kHeapAllocations];
}

// Builds a std::function and a Callback from the same callable; both must allocate alike.
template <class F>
void expect_same_allocations_as_std_function(F f, std::uint64_t expected) {
  EXPECT_EQ(heap_allocations([&] { std::function<int()> g(f); }), expected);
  EXPECT_EQ(heap_allocations([&] { Callback<int()> g(f); }), expected);
}

TEST(Callback, AllocatesExactlyWhenStdFunctionDoes) {
  int value = 7;
  expect_same_allocations_as_std_function([&value] { return value; }, 0);  // a pointer: inline
  expect_same_allocations_as_std_function([] { return 1; }, 0);
  auto shared = std::make_shared<int>(3);
  expect_same_allocations_as_std_function([shared] { return *shared; }, 1);  // not trivially copyable
  std::int64_t a = 1, b = 2, c = 3;
  expect_same_allocations_as_std_function([a, b, c] { return static_cast<int>(a + b + c); }, 1);  // 24 bytes
}

TEST(Callback, MovingHandsOverTheCallableWhichIsReleasedOnce) {
  auto shared = std::make_shared<int>(5);
  Callback<int(int)> first([shared](int x) { return *shared + x; });
  EXPECT_EQ(shared.use_count(), 2);
  Callback<int(int)> second(std::move(first));
  EXPECT_FALSE(first);  // NOLINT(bugprone-use-after-move): a moved-from Callback is empty.
  EXPECT_EQ(second(1), 6);
  Callback<int(int)> third;
  third = std::move(second);
  EXPECT_EQ(third(2), 7);
  EXPECT_EQ(shared.use_count(), 2);
  third = Callback<int(int)>();
  EXPECT_EQ(shared.use_count(), 1);
}

TEST(Callback, AHeapCallableComesFromInstalledFreeLists) {
  FreeLists lists;
  FreeLists::Installed installed(&lists);
  auto shared = std::make_shared<int>(1);
  { Callback<int()> warm([shared] { return *shared; }); }
  EXPECT_EQ(heap_allocations([&] {
              Callback<int()> again([shared] { return *shared; });
              EXPECT_EQ(again(), 1);
            }),
            0u);
}

}  // namespace
}  // namespace offload::runtime
