// Hamt: lookups, persistence of old versions, deep tries and the size it reports.
#include "runtime/hamt.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <thread>
#include <vector>

namespace offload::runtime {
namespace {

Hamt::Value boxed(int v) { return std::make_shared<const int>(v); }

int unbox(const Hamt::Value* value) { return *static_cast<const int*>(value->get()); }

TEST(Hamt, EmptyFindsNothing) {
  const Hamt h;
  EXPECT_TRUE(h.empty());
  EXPECT_EQ(h.size(), 0U);
  EXPECT_EQ(h.find(1), nullptr);
  EXPECT_TRUE(h.erase(1).empty());
}

TEST(Hamt, SetThenFindReturnsTheValue) {
  const Hamt h = Hamt().set(7, boxed(70)).set(8, boxed(80));
  ASSERT_NE(h.find(7), nullptr);
  EXPECT_EQ(unbox(h.find(7)), 70);
  EXPECT_EQ(unbox(h.find(8)), 80);
  EXPECT_EQ(h.find(9), nullptr);
  EXPECT_EQ(h.size(), 2U);
}

TEST(Hamt, SetOfAnExistingKeyReplacesWithoutGrowing) {
  const Hamt a = Hamt().set(7, boxed(1));
  const Hamt b = a.set(7, boxed(2));
  EXPECT_EQ(b.size(), 1U);
  EXPECT_EQ(unbox(b.find(7)), 2);
}

TEST(Hamt, OldVersionsAreUnchangedBySetAndErase) {
  const Hamt v1 = Hamt().set(1, boxed(10)).set(2, boxed(20));
  const Hamt v2 = v1.set(1, boxed(11)).set(3, boxed(30));
  const Hamt v3 = v2.erase(2);
  EXPECT_EQ(v1.size(), 2U);
  EXPECT_EQ(unbox(v1.find(1)), 10);
  EXPECT_EQ(v1.find(3), nullptr);
  EXPECT_EQ(v2.size(), 3U);
  EXPECT_EQ(unbox(v2.find(1)), 11);
  EXPECT_EQ(unbox(v2.find(2)), 20);
  EXPECT_EQ(v3.size(), 2U);
  EXPECT_EQ(v3.find(2), nullptr);
  EXPECT_EQ(unbox(v3.find(3)), 30);
}

TEST(Hamt, EraseOfAnAbsentKeyKeepsTheMapping) {
  const Hamt h = Hamt().set(1, boxed(10));
  const Hamt same = h.erase(2);
  EXPECT_EQ(same.size(), 1U);
  EXPECT_EQ(unbox(same.find(1)), 10);
}

TEST(Hamt, CopyIsTheSameMappingAndSharesValues) {
  const Hamt h = Hamt().set(1, boxed(10));
  const Hamt copy = h;  // NOLINT(performance-unnecessary-copy-initialization)
  EXPECT_EQ(copy.find(1)->get(), h.find(1)->get());
  EXPECT_EQ(copy.size(), 1U);
}

TEST(Hamt, TenThousandKeysAreAllFoundAndAllErasable) {
  constexpr std::uint64_t kKeys = 10'000;
  Hamt h;
  for (std::uint64_t k = 1; k <= kKeys; ++k) h = h.set(k, boxed(static_cast<int>(k)));
  ASSERT_EQ(h.size(), kKeys);
  for (std::uint64_t k = 1; k <= kKeys; ++k) {
    const Hamt::Value* v = h.find(k);
    ASSERT_NE(v, nullptr) << k;
    EXPECT_EQ(unbox(v), static_cast<int>(k));
  }
  EXPECT_EQ(h.find(0), nullptr);
  EXPECT_EQ(h.find(kKeys + 1), nullptr);

  const Hamt full = h;
  for (std::uint64_t k = 1; k <= kKeys; k += 2) h = h.erase(k);
  EXPECT_EQ(h.size(), kKeys / 2);
  for (std::uint64_t k = 1; k <= kKeys; ++k) {
    EXPECT_EQ(h.find(k) == nullptr, k % 2 == 1) << k;
    ASSERT_NE(full.find(k), nullptr) << k;  // The old version kept everything.
  }
  for (std::uint64_t k = 2; k <= kKeys; k += 2) h = h.erase(k);
  EXPECT_TRUE(h.empty());
  EXPECT_EQ(full.size(), kKeys);
}

// Keys spread over the whole 64-bit range reach the deepest levels of the trie.
TEST(Hamt, WidelySpreadKeysIncludingExtremesAreDistinct) {
  std::vector<std::uint64_t> keys = {0, 1, ~std::uint64_t{0}, std::uint64_t{1} << 63};
  std::uint64_t k = 3;
  while (keys.size() < 5'000) {
    keys.push_back(k);
    k = k * 6364136223846793005ULL + 1442695040888963407ULL;  // An LCG: distinct for 2^64 steps.
  }
  Hamt h;
  for (std::size_t i = 0; i < keys.size(); ++i) h = h.set(keys[i], boxed(static_cast<int>(i)));
  ASSERT_EQ(h.size(), keys.size());
  for (std::size_t i = 0; i < keys.size(); ++i) {
    EXPECT_EQ(unbox(h.find(keys[i])), static_cast<int>(i));
  }
  for (std::size_t i = 0; i < keys.size(); ++i) h = h.erase(keys[i]);
  EXPECT_TRUE(h.empty());
}

// Hamt::hash inverted, to choose keys by the hash they get.
std::uint64_t key_with_hash(std::uint64_t h) {
  auto inverse = [](std::uint64_t odd) {  // Newton's iteration for odd^-1 mod 2^64.
    std::uint64_t x = odd;
    for (int i = 0; i < 6; ++i) x *= 2 - odd * x;
    return x;
  };
  auto unshift = [](std::uint64_t z, unsigned s) {  // Inverts z ^ (z >> s).
    std::uint64_t x = z;
    for (unsigned known = s; known < 64; known += s) x = z ^ (x >> s);
    return x;
  };
  h = unshift(h, 31) * inverse(0x94d049bb133111ebULL);
  h = unshift(h, 27) * inverse(0xbf58476d1ce4e5b9ULL);
  return unshift(h, 30);
}

TEST(Hamt, KeysWhoseHashesDifferOnlyInTheTopBitReachTheLastLevel) {
  const std::uint64_t low = 0x0123456789abcdefULL & ~(std::uint64_t{1} << 63);
  const std::uint64_t a = key_with_hash(low);
  const std::uint64_t b = key_with_hash(low | (std::uint64_t{1} << 63));
  const std::uint64_t c = key_with_hash(low ^ 1);  // Parts from both at the root.
  ASSERT_EQ(Hamt::hash(a), low);
  ASSERT_EQ(Hamt::hash(b), low | (std::uint64_t{1} << 63));
  const Hamt h = Hamt().set(a, boxed(1)).set(c, boxed(3)).set(b, boxed(2));
  EXPECT_EQ(h.size(), 3U);
  EXPECT_EQ(unbox(h.find(a)), 1);
  EXPECT_EQ(unbox(h.find(b)), 2);
  EXPECT_EQ(unbox(h.find(c)), 3);
  EXPECT_EQ(h.find(key_with_hash(low | (std::uint64_t{1} << 62))), nullptr);
  const Hamt without_a = h.erase(a);
  EXPECT_EQ(without_a.find(a), nullptr);
  EXPECT_EQ(unbox(without_a.find(b)), 2);  // The deep chain collapsed back up intact.
  const Hamt only_c = without_a.erase(b);
  EXPECT_EQ(only_c.size(), 1U);
  EXPECT_EQ(unbox(only_c.find(c)), 3);
  EXPECT_EQ(unbox(h.find(a)), 1);
}

TEST(Hamt, ValuesAreReleasedWithTheLastVersionHoldingThem) {
  auto value = std::make_shared<const int>(5);
  std::weak_ptr<const int> watch = value;
  {
    Hamt h = Hamt().set(1, std::move(value));
    const Hamt h2 = h.set(2, boxed(6));
    h = Hamt();
    EXPECT_FALSE(watch.expired());  // h2 still shares the leaf.
  }
  EXPECT_TRUE(watch.expired());
}

TEST(Hamt, VersionsSharingNodesCanBeReadAndExtendedFromManyThreads) {
  Hamt base;
  for (std::uint64_t k = 1; k <= 1'000; ++k) base = base.set(k, boxed(static_cast<int>(k)));
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([base, t] {
      Hamt mine = base;
      for (std::uint64_t k = 1; k <= 1'000; ++k) {
        EXPECT_EQ(unbox(mine.find(k)), static_cast<int>(k));
      }
      for (std::uint64_t k = 1; k <= 1'000; ++k) mine = mine.set(k + 1'000, boxed(t)).erase(k);
      EXPECT_EQ(mine.size(), 1'000U);
      EXPECT_EQ(mine.find(1), nullptr);
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(base.size(), 1'000U);
  EXPECT_EQ(unbox(base.find(1'000)), 1'000);
}

}  // namespace
}  // namespace offload::runtime
