// Per-loop free lists for the small blocks an offload allocates and frees on the loop thread
// (coroutine frames, Tasks, loop futures, handles): the `allocator = "free_lists"` strategy.
// CPython keeps free lists for its hot small objects (frames, floats, tuples, dicts, lists) and
// serves every other small object from pymalloc's per-size-class pools inside 256 KiB arenas;
// the model uses glibc malloc everywhere unless a loop was built with free lists.
//
// Threading: a FreeLists belongs to one loop and is used only by the thread running that loop,
// through the thread-local pointer the loop installs for the duration of run_forever()
// (FreeLists::Installed). allocate() and deallocate() are safe from any thread: a thread with no
// lists installed uses ::operator new and ::operator delete. Every block, cached or not, comes
// from ::operator new of its size class's size, so a block may be freed on any thread, into
// that thread's lists or to the heap.
#pragma once

#include <array>
#include <cstddef>
#include <memory>
#include <new>
#include <utility>

namespace offload::runtime {

class FreeLists {
 public:
  // Blocks up to kMaxBlock bytes are cached, in classes kGranule bytes apart; larger ones go to
  // the heap. pymalloc's limits: 512 bytes covers every per-op object of an offload (with the
  // lists on, the only per-op heap allocations left in burst_per_op are the blocks freed on a
  // worker); 16-byte classes waste at most 15 bytes a block.
  static constexpr std::size_t kGranule = 16;
  static constexpr std::size_t kMaxBlock = 512;
  // Blocks kept per class; more are freed to the heap. A burst allocates every op's blocks
  // before it frees any, so the lists must hold a whole burst to serve the next one: 32768 is
  // above the default suite's largest per-op burst (20,000 ops). An idle loop keeps what its
  // largest burst used, at most 32768 blocks a class (2 MiB for 64-byte blocks, 16 MiB for 512).
  static constexpr std::size_t kMaxCachedPerClass = 32768;

  FreeLists() = default;
  ~FreeLists();  // Returns every cached block to the heap. Requires: not installed.
  FreeLists(const FreeLists&) = delete;
  FreeLists& operator=(const FreeLists&) = delete;

  // Makes `lists` (nullptr: none) the calling thread's lists until destroyed, restoring the
  // previous ones then.
  class Installed {
   public:
    explicit Installed(FreeLists* lists) noexcept;
    ~Installed();
    Installed(const Installed&) = delete;
    Installed& operator=(const Installed&) = delete;

   private:
    FreeLists* previous_;
  };

  // A block of at least `size` bytes (aligned as ::operator new aligns), from the calling
  // thread's lists when it has some and the size fits a class, else from ::operator new.
  static void* allocate(std::size_t size);
  // Returns a block from allocate(size), with the same size, on any thread.
  static void deallocate(void* block, std::size_t size) noexcept;

 private:
  struct Node {
    Node* next;
  };
  struct List {
    Node* head = nullptr;
    std::size_t count = 0;
  };
  static constexpr std::size_t kClasses = kMaxBlock / kGranule;

  std::array<List, kClasses> lists_{};  // Owning thread only (see Threading).
};

// An allocator for std::allocate_shared that draws from the calling thread's free lists (or the
// heap): a shared object and its control block in one cached block.
template <class T>
struct FreeListAllocator {
  using value_type = T;
  FreeListAllocator() = default;
  template <class U>
  FreeListAllocator(const FreeListAllocator<U>&) noexcept {}
  T* allocate(std::size_t n) { return static_cast<T*>(FreeLists::allocate(n * sizeof(T))); }
  void deallocate(T* p, std::size_t n) noexcept { FreeLists::deallocate(p, n * sizeof(T)); }
  template <class U>
  bool operator==(const FreeListAllocator<U>&) const noexcept {
    return true;
  }
};

// std::make_shared with the object and its control block from the free lists.
template <class T, class... Args>
std::shared_ptr<T> make_shared_cached(Args&&... args) {
  return std::allocate_shared<T>(FreeListAllocator<T>{}, std::forward<Args>(args)...);
}

}  // namespace offload::runtime
