// The free lists' size classes and the thread-local pointer to the running loop's lists.
#include "runtime/free_lists.hpp"

#include <cassert>

namespace offload::runtime {
namespace {

// The lists of the loop running on this thread, or nullptr (FreeLists::Installed).
constinit thread_local FreeLists* t_lists = nullptr;

// Every block of a class is this large, cached or not, so any block of the class can serve any
// request of the class (see Threading in the header).
constexpr std::size_t class_size(std::size_t size) noexcept {
  return (size + FreeLists::kGranule - 1) / FreeLists::kGranule * FreeLists::kGranule;
}

}  // namespace

FreeLists::~FreeLists() {
  assert(t_lists != this && "free lists destroyed while installed");
  for (List& list : lists_) {
    while (Node* node = list.head) {
      list.head = node->next;
      ::operator delete(node);
    }
  }
}

FreeLists::Installed::Installed(FreeLists* lists) noexcept : previous_(t_lists) { t_lists = lists; }

FreeLists::Installed::~Installed() { t_lists = previous_; }

void* FreeLists::allocate(std::size_t size) {
  if (size == 0 || size > kMaxBlock) return ::operator new(size);
  const std::size_t bytes = class_size(size);
  if (FreeLists* lists = t_lists) {
    List& list = lists->lists_[bytes / kGranule - 1];
    if (Node* node = list.head) {
      list.head = node->next;
      --list.count;
      return node;
    }
  }
  return ::operator new(bytes);
}

void FreeLists::deallocate(void* block, std::size_t size) noexcept {
  if (block == nullptr) return;
  if (size != 0 && size <= kMaxBlock) {
    if (FreeLists* lists = t_lists) {
      List& list = lists->lists_[class_size(size) / kGranule - 1];
      if (list.count < kMaxCachedPerClass) {
        list.head = new (block) Node{list.head};
        ++list.count;
        return;
      }
    }
  }
  ::operator delete(block);
}

}  // namespace offload::runtime
