// Per-thread counter slots and their registry.
//
// Threading: a slot is written only by its thread and read by totals() from any thread
// (relaxed atomics: totals() is a statistic, not a synchronisation point). The registry, an
// intrusive list of live slots plus the sums of exited threads, is guarded by g_registry_mutex.
// Slots are allocated with malloc, never operator new, because the allocation hook counts
// through this file and must not recurse into it.
#include "runtime/instrumentation.hpp"

#include <cstdlib>
#include <new>

namespace offload::runtime::instrumentation {
namespace detail {
constinit std::atomic<bool> g_enabled{false};
}  // namespace detail

namespace {

struct Slot {
  std::array<std::atomic<std::uint64_t>, kCounterCount> values{};
  Slot* prev = nullptr;  // Guarded by g_registry_mutex.
  Slot* next = nullptr;  // Guarded by g_registry_mutex.
};

constinit std::mutex g_registry_mutex;
constinit Slot* g_live_slots = nullptr;  // Guarded by g_registry_mutex.
constinit Counts g_exited_threads{};     // Guarded by g_registry_mutex.

// Trivially initialised so the hot path reads it without a TLS init guard.
constinit thread_local Slot* t_slot = nullptr;

// Folds the thread's counts into g_exited_threads when the thread exits. Only touched when
// the slot is created, so its TLS guard is off the hot path.
struct SlotRetirer {
  ~SlotRetirer() {
    Slot* slot = t_slot;
    if (slot == nullptr) return;
    {
      std::lock_guard<std::mutex> guard(g_registry_mutex);
      for (std::size_t i = 0; i < kCounterCount; ++i)
        g_exited_threads.values[i] += slot->values[i].load(std::memory_order_relaxed);
      if (slot->prev != nullptr) slot->prev->next = slot->next;
      else g_live_slots = slot->next;
      if (slot->next != nullptr) slot->next->prev = slot->prev;
    }
    t_slot = nullptr;
    slot->~Slot();
    std::free(slot);
  }
};

Slot* register_slot() noexcept {
  void* memory = std::malloc(sizeof(Slot));
  if (memory == nullptr) return nullptr;
  Slot* slot = new (memory) Slot();
  {
    std::lock_guard<std::mutex> guard(g_registry_mutex);
    slot->next = g_live_slots;
    if (g_live_slots != nullptr) g_live_slots->prev = slot;
    g_live_slots = slot;
  }
  t_slot = slot;
  thread_local SlotRetirer retirer;
  (void)retirer;
  return slot;
}

}  // namespace

namespace detail {
void count_slow(Counter c) noexcept {
  Slot* slot = t_slot;
  if (slot == nullptr) {
    slot = register_slot();
    if (slot == nullptr) return;
  }
  auto& value = slot->values[static_cast<std::size_t>(c)];
  // Single writer: a load and a store, not a read-modify-write.
  value.store(value.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
}
}  // namespace detail

void set_enabled(bool on) noexcept { detail::g_enabled.store(on, std::memory_order_relaxed); }

bool enabled() noexcept { return detail::g_enabled.load(std::memory_order_relaxed); }

Counts totals() {
  std::lock_guard<std::mutex> guard(g_registry_mutex);
  Counts sum = g_exited_threads;
  for (Slot* slot = g_live_slots; slot != nullptr; slot = slot->next)
    for (std::size_t i = 0; i < kCounterCount; ++i)
      sum.values[i] += slot->values[i].load(std::memory_order_relaxed);
  return sum;
}

}  // namespace offload::runtime::instrumentation
