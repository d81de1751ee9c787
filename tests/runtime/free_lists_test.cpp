// FreeLists: a freed block serves the next request of its size class on the thread whose lists
// are installed, and nothing is cached anywhere else; a loop built with free lists makes fewer
// heap allocations per op once warm.
#include "runtime/free_lists.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <thread>
#include <vector>

#include "runtime/asyncio.hpp"
#include "runtime/instrumentation.hpp"

namespace offload::runtime {
namespace {

using instrumentation::Counter;

// Heap allocations made by `body` on any thread.
template <class Body>
std::uint64_t heap_allocations(Body body) {
  instrumentation::set_enabled(true);
  const auto before = instrumentation::totals();
  body();
  const auto counted = instrumentation::totals() - before;
  instrumentation::set_enabled(false);
  return counted[Counter::kHeapAllocations];
}

TEST(FreeLists, WithoutInstalledListsEveryBlockComesFromTheHeap) {
  EXPECT_EQ(heap_allocations([] {
              for (int i = 0; i < 10; ++i) FreeLists::deallocate(FreeLists::allocate(48), 48);
            }),
            10u);
}

TEST(FreeLists, AFreedBlockServesTheNextRequestOfItsSizeClass) {
  FreeLists lists;
  FreeLists::Installed installed(&lists);
  void* first = FreeLists::allocate(40);
  FreeLists::deallocate(first, 40);
  void* again = nullptr;
  EXPECT_EQ(heap_allocations([&] { again = FreeLists::allocate(48); }), 0u) << "40 and 48 share the 48-byte class";
  EXPECT_EQ(again, first);
  void* other = nullptr;
  EXPECT_EQ(heap_allocations([&] { other = FreeLists::allocate(100); }), 1u) << "another class: from the heap";
  EXPECT_NE(other, first);
  FreeLists::deallocate(again, 48);
  FreeLists::deallocate(other, 100);
}

TEST(FreeLists, BlocksLargerThanTheLargestClassAlwaysComeFromTheHeap) {
  FreeLists lists;
  FreeLists::Installed installed(&lists);
  EXPECT_EQ(heap_allocations([] {
              for (int i = 0; i < 3; ++i)
                FreeLists::deallocate(FreeLists::allocate(FreeLists::kMaxBlock + 1), FreeLists::kMaxBlock + 1);
            }),
            3u);
}

TEST(FreeLists, EachClassKeepsAtMostItsLimit) {
  constexpr std::size_t kExtra = 10;
  constexpr std::size_t kBlocks = FreeLists::kMaxCachedPerClass + kExtra;
  FreeLists lists;
  FreeLists::Installed installed(&lists);
  std::vector<void*> blocks(kBlocks);
  for (void*& block : blocks) block = FreeLists::allocate(64);
  for (void* block : blocks) FreeLists::deallocate(block, 64);
  EXPECT_EQ(heap_allocations([&] {
              for (void*& block : blocks) block = FreeLists::allocate(64);
            }),
            kExtra);
  for (void* block : blocks) FreeLists::deallocate(block, 64);
}

// A block from one thread's lists may be freed on a thread with none: it goes to the heap there.
TEST(FreeLists, ABlockFreedOnAThreadWithoutListsGoesBackToTheHeap) {
  FreeLists lists;
  void* block = nullptr;
  {
    FreeLists::Installed installed(&lists);
    block = FreeLists::allocate(32);
  }
  std::thread([block] { FreeLists::deallocate(block, 32); }).join();
  FreeLists::Installed installed(&lists);
  EXPECT_EQ(heap_allocations([] { FreeLists::deallocate(FreeLists::allocate(32), 32); }), 1u)
      << "nothing was cached: the block went to the heap on the other thread";
}

// The same burst of tasks awaiting loop futures, twice on one loop: with free lists the second
// burst takes its frames, Tasks, futures and handles from the lists the first one filled.
std::uint64_t heap_allocations_of_a_second_burst(bool free_lists) {
  constexpr int kOps = 200;
  EventLoopOptions options;
  options.free_lists = free_lists;
  EventLoop loop(options);
  auto burst = [&loop]() -> Coroutine<void> {
    std::vector<Coroutine<int>> ops;
    for (int i = 0; i < kOps; ++i)
      ops.push_back([](EventLoop& l, int value) -> Coroutine<int> {
        auto future = l.create_future<int>();
        l.call_soon([future, value] { future->set_result(value); });
        co_return co_await future;
      }(loop, i));
    co_await gather(loop, std::move(ops));
  };
  loop.run_until_complete(burst());
  return heap_allocations([&] { loop.run_until_complete(burst()); });
}

TEST(FreeLists, ALoopWithFreeListsAllocatesLessOnceWarm) {
  const std::uint64_t with_malloc = heap_allocations_of_a_second_burst(false);
  const std::uint64_t with_lists = heap_allocations_of_a_second_burst(true);
  EXPECT_LT(with_lists * 2, with_malloc) << "malloc: " << with_malloc << ", free lists: " << with_lists;
}

}  // namespace
}  // namespace offload::runtime
