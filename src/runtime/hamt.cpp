// The trie behind Hamt: bitmap-indexed nodes, 5 hash bits per level, path copying on update.
//
// Threading: a node never changes after with_entry()/make_pair() return it, so sharing one
// between threads needs no lock; only its reference count is written, atomically (see release()).
#include "runtime/hamt.hpp"

#include <atomic>
#include <bit>
#include <cassert>
#include <cstddef>
#include <new>
#include <utility>

namespace offload::runtime {

namespace detail {

// One node: a header followed, in the same allocation, by popcount(bitmap) slots ordered by
// hash chunk. A slot whose bit is also set in child_map holds a child node, else a leaf.
// Compactness matters because every set() copies one node per level.
struct HamtNode {
  mutable std::atomic<std::uint32_t> refs;
  std::uint32_t bitmap;     // Bit c set: an entry for hash chunk c exists.
  std::uint32_t child_map;  // Subset of bitmap: the entries that are child nodes.
};

}  // namespace detail

namespace {

using detail::HamtNode;
using Key = Hamt::Key;
using Value = Hamt::Value;

struct Leaf {
  Key key;
  Value value;
};

// Which member is live is told by the owning node's child_map, never by the slot itself.
union Slot {
  Leaf leaf;
  const HamtNode* child;  // Owns one reference.
  Slot() {}
  ~Slot() {}
};

constexpr unsigned kBitsPerLevel = 5;
// The last level (shift 60) uses the 4 hash bits left; no key can need a deeper one.
constexpr unsigned kMaxShift = 60;
constexpr std::size_t kSlotOffset =
    (sizeof(HamtNode) + alignof(Slot) - 1) / alignof(Slot) * alignof(Slot);

constexpr std::uint32_t bit_for(std::uint64_t hash, unsigned shift) noexcept {
  return std::uint32_t{1} << ((hash >> shift) & 31U);
}

std::uint32_t index_of(std::uint32_t bitmap, std::uint32_t bit) noexcept {
  return static_cast<std::uint32_t>(std::popcount(bitmap & (bit - 1)));
}

Slot* slots(HamtNode* node) noexcept {
  return std::launder(reinterpret_cast<Slot*>(reinterpret_cast<std::byte*>(node) + kSlotOffset));
}
const Slot* slots(const HamtNode* node) noexcept { return slots(const_cast<HamtNode*>(node)); }

const Slot& slot_at(const HamtNode* node, std::uint32_t bit) noexcept {
  return slots(node)[index_of(node->bitmap, bit)];
}

void retain(const HamtNode* node) noexcept {
  if (node != nullptr) node->refs.fetch_add(1, std::memory_order_relaxed);
}

void release(const HamtNode* node) noexcept {
  if (node == nullptr) return;
  // acq_rel: the release half orders this thread's reads of the node before the free; the
  // acquire half on the last decrement makes every other thread's reads happen-before it.
  if (node->refs.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
  Slot* s = slots(const_cast<HamtNode*>(node));
  std::uint32_t i = 0;
  for (std::uint32_t m = node->bitmap; m != 0; m &= m - 1, ++i) {
    if ((node->child_map & (m & (~m + 1))) != 0) {
      release(s[i].child);  // Depth is bounded by the 13 levels.
    } else {
      s[i].leaf.~Leaf();
    }
  }
  node->~HamtNode();
  ::operator delete(const_cast<HamtNode*>(node));
}

// An owning reference used while building, so a throw (bad_alloc) leaks nothing.
class NodeRef {
 public:
  NodeRef() noexcept = default;
  explicit NodeRef(const HamtNode* adopted) noexcept : node_(adopted) {}
  NodeRef(NodeRef&& other) noexcept : node_(std::exchange(other.node_, nullptr)) {}
  NodeRef& operator=(NodeRef&&) = delete;
  ~NodeRef() { release(node_); }

  const HamtNode* get() const noexcept { return node_; }
  const HamtNode* release_ownership() noexcept { return std::exchange(node_, nullptr); }

 private:
  const HamtNode* node_ = nullptr;
};

// A node with uninitialised slots. Requires: the caller constructs every slot before anything
// else can throw.
HamtNode* allocate(std::uint32_t bitmap, std::uint32_t child_map) {
  assert((child_map & ~bitmap) == 0 && "child_map must be a subset of bitmap");
  const auto count = static_cast<std::size_t>(std::popcount(bitmap));
  void* memory = ::operator new(kSlotOffset + count * sizeof(Slot));
  return new (memory) HamtNode{{1}, bitmap, child_map};
}

// What goes at one bit of a rebuilt node.
struct Entry {
  enum class Kind { kRemove, kLeaf, kChild } kind;
  Key key = 0;
  Value value;
  NodeRef child;
};

Entry leaf_entry(Key key, Value value) { return {Entry::Kind::kLeaf, key, std::move(value), {}}; }
Entry child_entry(NodeRef child) { return {Entry::Kind::kChild, 0, {}, std::move(child)}; }

// A copy of `src` (nullptr: an empty node) with the entry at `bit` replaced by `entry`. The
// untouched slots are shared: leaves' values and children gain a reference.
NodeRef with_entry(const HamtNode* src, std::uint32_t bit, Entry entry) {
  const std::uint32_t old_bitmap = src != nullptr ? src->bitmap : 0;
  const std::uint32_t old_children = src != nullptr ? src->child_map : 0;
  const bool removing = entry.kind == Entry::Kind::kRemove;
  const std::uint32_t bitmap = removing ? old_bitmap & ~bit : old_bitmap | bit;
  const std::uint32_t child_map =
      (old_children & ~bit) | (entry.kind == Entry::Kind::kChild ? bit : 0);
  HamtNode* node = allocate(bitmap, child_map);  // The last call that may throw.
  Slot* out = slots(node);
  std::uint32_t i = 0;
  for (std::uint32_t m = bitmap; m != 0; m &= m - 1, ++i) {
    const std::uint32_t b = m & (~m + 1);
    if (b == bit) {
      if (entry.kind == Entry::Kind::kChild) {
        out[i].child = entry.child.release_ownership();
      } else {
        new (&out[i].leaf) Leaf{entry.key, std::move(entry.value)};
      }
      continue;
    }
    const Slot& from = slot_at(src, b);
    if ((child_map & b) != 0) {
      retain(from.child);
      out[i].child = from.child;
    } else {
      new (&out[i].leaf) Leaf{from.leaf};
    }
  }
  return NodeRef(node);
}

// The subtree at `shift` holding two leaves whose keys differ.
NodeRef make_pair(unsigned shift, Leaf a, std::uint64_t hash_a, Leaf b, std::uint64_t hash_b) {
  assert(shift <= kMaxShift &&
         "distinct keys must part ways by the last level (Hamt::hash is a bijection)");
  const std::uint32_t bit_a = bit_for(hash_a, shift);
  const std::uint32_t bit_b = bit_for(hash_b, shift);
  if (bit_a == bit_b) {
    NodeRef below = make_pair(shift + kBitsPerLevel, std::move(a), hash_a, std::move(b), hash_b);
    return with_entry(nullptr, bit_a, child_entry(std::move(below)));
  }
  HamtNode* node = allocate(bit_a | bit_b, 0);
  Slot* out = slots(node);
  if (bit_b < bit_a) std::swap(a, b);
  new (&out[0].leaf) Leaf{std::move(a)};
  new (&out[1].leaf) Leaf{std::move(b)};
  return NodeRef(node);
}

NodeRef set_in(const HamtNode* node, unsigned shift, std::uint64_t hash, Key key, Value& value,
               bool& added) {
  const std::uint32_t bit = bit_for(hash, shift);
  if (node == nullptr || (node->bitmap & bit) == 0) {
    added = true;
    return with_entry(node, bit, leaf_entry(key, std::move(value)));
  }
  const Slot& slot = slot_at(node, bit);
  if ((node->child_map & bit) != 0) {
    NodeRef child = set_in(slot.child, shift + kBitsPerLevel, hash, key, value, added);
    return with_entry(node, bit, child_entry(std::move(child)));
  }
  if (slot.leaf.key == key) return with_entry(node, bit, leaf_entry(key, std::move(value)));
  added = true;
  NodeRef pair = make_pair(shift + kBitsPerLevel, slot.leaf, Hamt::hash(slot.leaf.key),
                           Leaf{key, std::move(value)}, hash);
  return with_entry(node, bit, child_entry(std::move(pair)));
}

struct Erased {
  bool found = false;
  NodeRef node;  // The subtree's replacement; empty when the subtree became empty.
};

// Keeps the trie canonical enough that erase undoes set: a subtree left with a single leaf is
// pulled up into its parent, as hamt.c does.
Erased erase_in(const HamtNode* node, unsigned shift, std::uint64_t hash, Key key) {
  const std::uint32_t bit = bit_for(hash, shift);
  if ((node->bitmap & bit) == 0) return {};
  const Slot& slot = slot_at(node, bit);
  const bool only_entry = std::has_single_bit(node->bitmap);
  if ((node->child_map & bit) == 0) {
    if (slot.leaf.key != key) return {};
    if (only_entry) return {true, NodeRef()};
    return {true, with_entry(node, bit, Entry{Entry::Kind::kRemove, 0, {}, {}})};
  }
  Erased below = erase_in(slot.child, shift + kBitsPerLevel, hash, key);
  if (!below.found) return {};
  const HamtNode* child = below.node.get();
  if (child == nullptr) {
    if (only_entry) return {true, NodeRef()};
    return {true, with_entry(node, bit, Entry{Entry::Kind::kRemove, 0, {}, {}})};
  }
  if (std::has_single_bit(child->bitmap) && child->child_map == 0) {
    const Leaf& last = slots(child)[0].leaf;
    return {true, with_entry(node, bit, leaf_entry(last.key, last.value))};
  }
  return {true, with_entry(node, bit, child_entry(std::move(below.node)))};
}

}  // namespace

Hamt::Hamt(const Hamt& other) noexcept : root_(other.root_), size_(other.size_) { retain(root_); }

Hamt& Hamt::operator=(const Hamt& other) noexcept {
  retain(other.root_);  // Before releasing ours: `other` may be *this.
  release(root_);
  root_ = other.root_;
  size_ = other.size_;
  return *this;
}

Hamt& Hamt::operator=(Hamt&& other) noexcept {
  if (this != &other) {
    release(root_);
    root_ = std::exchange(other.root_, nullptr);
    size_ = std::exchange(other.size_, 0);
  }
  return *this;
}

Hamt::~Hamt() { release(root_); }

const Hamt::Value* Hamt::find(Key key) const noexcept {
  const std::uint64_t hash = Hamt::hash(key);
  const HamtNode* node = root_;
  for (unsigned shift = 0; node != nullptr; shift += kBitsPerLevel) {
    const std::uint32_t bit = bit_for(hash, shift);
    if ((node->bitmap & bit) == 0) return nullptr;
    const Slot& slot = slot_at(node, bit);
    if ((node->child_map & bit) == 0) return slot.leaf.key == key ? &slot.leaf.value : nullptr;
    node = slot.child;
  }
  return nullptr;
}

Hamt Hamt::set(Key key, Value value) const {
  bool added = false;
  NodeRef root = set_in(root_, 0, Hamt::hash(key), key, value, added);
  return Hamt(root.release_ownership(), size_ + (added ? 1 : 0));
}

Hamt Hamt::erase(Key key) const {
  if (root_ == nullptr) return *this;
  Erased result = erase_in(root_, 0, Hamt::hash(key), key);
  if (!result.found) return *this;
  return Hamt(result.node.release_ownership(), size_ - 1);
}

}  // namespace offload::runtime
