// Callback<R(Args...)>: the move-only callable a Handle and a done-callback hold. It keeps a
// callable inline exactly when std::function (libstdc++) would — trivially copyable, at most 16
// bytes, pointer-aligned — and otherwise on the heap, so the default configuration makes the same
// allocations as with std::function; the heap block comes from the running loop's free lists
// when it has some (allocator = "free_lists", free_lists.hpp).
//
// Threading: none of its own; a Callback is used by one thread at a time.
#pragma once

#include <cstddef>
#include <functional>
#include <new>
#include <type_traits>
#include <utility>

#include "runtime/free_lists.hpp"

namespace offload::runtime {

template <class Signature>
class Callback;

template <class R, class... Args>
class Callback<R(Args...)> {
 public:
  Callback() noexcept = default;

  template <class F>
    requires(!std::is_same_v<std::remove_cvref_t<F>, Callback> && std::is_invocable_r_v<R, F&, Args...>)
  Callback(F&& f) {  // NOLINT(google-explicit-constructor): takes any callable, as std::function does.
    using Fn = std::remove_cvref_t<F>;
    if constexpr (kInline<Fn>) {
      ::new (static_cast<void*>(storage_.inline_bytes)) Fn(std::forward<F>(f));
    } else {
      storage_.heap = ::new (FreeLists::allocate(sizeof(Fn))) Fn(std::forward<F>(f));
    }
    invoke_ = &invoke<Fn>;
    manage_ = &manage<Fn>;
  }

  Callback(Callback&& other) noexcept { take(other); }
  Callback& operator=(Callback&& other) noexcept {
    if (this != &other) {
      reset();
      take(other);
    }
    return *this;
  }
  Callback(const Callback&) = delete;
  Callback& operator=(const Callback&) = delete;
  ~Callback() { reset(); }

  explicit operator bool() const noexcept { return invoke_ != nullptr; }

  // Requires: not empty. Const but calls the callable as non-const, as std::function does.
  R operator()(Args... args) const { return invoke_(storage_, std::forward<Args>(args)...); }

 private:
  union Storage {
    void* heap;
    alignas(void*) unsigned char inline_bytes[16];
  };
  enum class Op { kMove, kDestroy };

  // libstdc++'s std::function rule (_Function_base::_Base_manager::__stored_locally).
  template <class Fn>
  static constexpr bool kInline = std::is_trivially_copyable_v<Fn> && sizeof(Fn) <= sizeof(Storage) &&
                                  alignof(Fn) <= alignof(Storage) && alignof(Storage) % alignof(Fn) == 0;

  template <class Fn>
  static Fn& target(Storage& s) noexcept {
    if constexpr (kInline<Fn>) return *std::launder(reinterpret_cast<Fn*>(s.inline_bytes));
    else return *static_cast<Fn*>(s.heap);
  }

  template <class Fn>
  static R invoke(Storage& s, Args&&... args) {
    return std::invoke(target<Fn>(s), std::forward<Args>(args)...);
  }

  // kMove: moves the callable from `from` into the empty `to`. kDestroy: destroys `from`'s.
  template <class Fn>
  static void manage(Op op, Storage& from, Storage& to) noexcept {
    if constexpr (kInline<Fn>) {
      if (op == Op::kMove) ::new (static_cast<void*>(to.inline_bytes)) Fn(std::move(target<Fn>(from)));
      target<Fn>(from).~Fn();
    } else if (op == Op::kMove) {
      to.heap = from.heap;  // The heap block changes owner; nothing is copied.
    } else {
      static_cast<Fn*>(from.heap)->~Fn();
      FreeLists::deallocate(from.heap, sizeof(Fn));
    }
  }

  void take(Callback& other) noexcept {
    if (!other.invoke_) return;
    other.manage_(Op::kMove, other.storage_, storage_);
    invoke_ = std::exchange(other.invoke_, nullptr);
    manage_ = std::exchange(other.manage_, nullptr);
  }

  void reset() noexcept {
    if (!invoke_) return;
    manage_(Op::kDestroy, storage_, storage_);
    invoke_ = nullptr;
    manage_ = nullptr;
  }

  mutable Storage storage_{};
  R (*invoke_)(Storage&, Args&&...) = nullptr;
  void (*manage_)(Op, Storage&, Storage&) noexcept = nullptr;
};

}  // namespace offload::runtime
