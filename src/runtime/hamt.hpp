// An immutable, persistent hash array mapped trie from a ContextVar's id to its value: the
// mapping inside a Context, modelled on CPython's Python/hamt.c. set() and erase() return a new
// version that shares every node off the changed path; copying a Hamt copies one pointer.
//
// Threading: nodes are immutable once built and reference-counted atomically, so any number of
// threads may read, copy and derive from versions that share nodes. A Hamt object itself is a
// plain value: assigning to one while another thread reads that same object is a data race.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

namespace offload::runtime {

namespace detail {
struct HamtNode;
}  // namespace detail

class Hamt {
 public:
  using Key = std::uint64_t;
  using Value = std::shared_ptr<const void>;

  Hamt() noexcept = default;
  Hamt(const Hamt& other) noexcept;
  Hamt(Hamt&& other) noexcept : root_(other.root_), size_(other.size_) {
    other.root_ = nullptr;
    other.size_ = 0;
  }
  Hamt& operator=(const Hamt& other) noexcept;
  Hamt& operator=(Hamt&& other) noexcept;
  ~Hamt();

  // The value stored under `key`, or nullptr when absent.
  // Note: the pointer stays valid as long as this version (or one sharing the leaf) lives.
  [[nodiscard]] const Value* find(Key key) const noexcept;

  // A version in which `key` maps to `value`; this version is unchanged. O(log32 n) new nodes.
  [[nodiscard]] Hamt set(Key key, Value value) const;

  // A version without `key` (a copy of this one when `key` is absent).
  [[nodiscard]] Hamt erase(Key key) const;

  // The hash the trie is indexed by, 5 bits per level from the low end: splitmix64's
  // finalizer, a bijection that spreads sequential ids (the ContextVar counter) evenly.
  // Invariant: being a bijection, it gives distinct keys distinct hashes, so two keys always
  // part ways by the last level and the trie needs no collision nodes (CPython's hamt.c has
  // them because Python hashes may collide). Public so tests can build worst-case tries.
  static constexpr std::uint64_t hash(Key key) noexcept {
    key = (key ^ (key >> 30)) * 0xbf58476d1ce4e5b9ULL;
    key = (key ^ (key >> 27)) * 0x94d049bb133111ebULL;
    return key ^ (key >> 31);
  }

  [[nodiscard]] std::size_t size() const noexcept { return size_; }
  [[nodiscard]] bool empty() const noexcept { return size_ == 0; }
  // The same version: one shares the other's nodes (true for a copy nobody has derived from).
  [[nodiscard]] bool same_version(const Hamt& other) const noexcept { return root_ == other.root_; }

 private:
  // Adopts one reference to `root`.
  Hamt(const detail::HamtNode* root, std::size_t size) noexcept : root_(root), size_(size) {}

  const detail::HamtNode* root_ = nullptr;  // Owns one reference; nullptr when empty.
  std::size_t size_ = 0;
};

}  // namespace offload::runtime
