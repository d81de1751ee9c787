// Python's contextvars (CPython 3.12 semantics): Context, ContextVar, Token and copy_context(),
// the machinery asyncio uses to carry a caller's context into callbacks and executor work.
//
// Threading: every thread has a current context; a new thread starts in its own empty one,
// created on first use. Context::run() makes a context current on the calling thread for the
// duration of a call. A context may be entered by one thread at a time (a second run() throws
// RuntimeError), and that rule is the only synchronisation a Context has: ContextVar::set/reset
// and Context::size/copy must not race with a run() of the same context on another thread.
// A context's mapping is an immutable Hamt, so copies (copy_context, Context::copy) share it
// safely across threads.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

#include "runtime/errors.hpp"
#include "runtime/free_lists.hpp"
#include "runtime/hamt.hpp"

namespace offload::runtime {

template <class T>
class ContextVar;
template <class T>
class Token;

namespace detail {

// The object a Context handle refers to.
struct ContextState {
  std::atomic<std::size_t> refs{1};
  // Taken by run() with exchange(true, acquire), given back with store(false, release). Besides
  // refusing a second concurrent entry, that pair hands the mapping from one run() to the next:
  // every write to `vars` made inside a run() on thread A happens-before the next run() of the
  // same context on thread B reads it.
  std::atomic<bool> entered{false};
  // Written only by the thread whose current context this is (see Threading above).
  Hamt vars;

  // From the running loop's free lists when it has some (allocator = "free_lists"); a context
  // freed on a worker goes back to the heap.
  static void* operator new(std::size_t size) { return FreeLists::allocate(size); }
  static void operator delete(void* state, std::size_t size) noexcept { FreeLists::deallocate(state, size); }
};

// The calling thread's current context; creates the thread's empty base context on first use.
ContextState& current_state();

// Makes `state` current on the calling thread, taking a reference to it (as CPython's
// ts->context holds one), and returns the previous current one (nullptr if the thread had none
// yet). Throws RuntimeError if `state` is entered on any thread.
ContextState* enter(ContextState& state);
// Undoes enter(): `previous` becomes current again, `state` can be entered again and loses the
// reference enter() took.
void exit(ContextState& state, ContextState* previous) noexcept;

}  // namespace detail

// contextvars.Context: a mapping from ContextVar to value. A handle with Python reference
// semantics: copies of a handle are the same context (operator== is identity); copy() makes a
// new one. A moved-from handle is empty and may only be assigned to or destroyed.
class Context {
 public:
  // A new, empty context (contextvars.Context()).
  Context();
  Context(const Context& other) noexcept;
  Context(Context&& other) noexcept : state_(std::exchange(other.state_, nullptr)) {}
  Context& operator=(const Context& other) noexcept;
  Context& operator=(Context&& other) noexcept;
  ~Context();

  // Calls f(args...) with this context as the calling thread's current context and returns
  // its result. The previous current context is restored on return and when f throws.
  // Throws RuntimeError if this context is already entered, on this or another thread.
  template <class F, class... Args>
  std::invoke_result_t<F, Args...> run(F&& f, Args&&... args) {
    Entered scope(*state_);
    return std::invoke(std::forward<F>(f), std::forward<Args>(args)...);
  }

  // A new context with the same mapping (Context.copy()): O(1), one allocation.
  [[nodiscard]] Context copy() const;

  // True when this context is still indistinguishable from a fresh copy of `origin`: its mapping
  // is the version `origin` holds, and this handle is its only reference (no one kept it, no
  // run() is in progress). A batch may then run its next job in it instead of a new copy.
  [[nodiscard]] bool unchanged_copy_of(const Context& origin) const noexcept {
    return state_->refs.load(std::memory_order_acquire) == 1 && state_->vars.same_version(origin.state_->vars);
  }

  // The number of variables set in this context; empty() is Python's `not ctx`.
  [[nodiscard]] std::size_t size() const noexcept { return state_->vars.size(); }
  [[nodiscard]] bool empty() const noexcept { return state_->vars.empty(); }

  friend bool operator==(const Context& a, const Context& b) noexcept {
    return a.state_ == b.state_;
  }

 private:
  template <class T>
  friend class ContextVar;
  friend Context copy_context();

  // Adopts one reference to `state`.
  explicit Context(detail::ContextState* state) noexcept : state_(state) {}
  // A new handle to `state`, taking a reference.
  static Context share(detail::ContextState& state) noexcept;

  // The guard of one run(). Its reference (taken by enter()) keeps the context alive for the
  // call even if the caller's handle is reassigned inside f.
  class Entered {
   public:
    explicit Entered(detail::ContextState& state)
        : state_(state), previous_(detail::enter(state)) {}
    Entered(const Entered&) = delete;
    Entered& operator=(const Entered&) = delete;
    ~Entered() { detail::exit(state_, previous_); }

   private:
    detail::ContextState& state_;
    detail::ContextState* previous_;
  };

  detail::ContextState* state_;  // Owns one reference; nullptr only when moved from.
};

// contextvars.copy_context(): a new context holding the calling thread's current mapping.
// Cost: O(1), one allocation (the Context object); the mapping is shared, not copied.
[[nodiscard]] Context copy_context();

// A 64-bit id no other ContextVar has had, for the Hamt key.
std::uint64_t next_context_var_id() noexcept;

// contextvars.Token: what ContextVar::set() returns, to undo that set with reset(). Move-only,
// so a token's single use cannot be duplicated by copying it.
template <class T>
class Token {
 public:
  Token(Token&& other) noexcept
      : var_(other.var_),
        context_(std::move(other.context_)),
        old_(std::move(other.old_)),
        used_(other.used_.load(std::memory_order_relaxed)) {}
  Token& operator=(Token&&) = delete;

  // The variable whose set() made this token.
  [[nodiscard]] const ContextVar<T>& var() const noexcept { return *var_; }
  // The value before that set(); std::nullopt is Python's Token.MISSING.
  [[nodiscard]] std::optional<T> old_value() const {
    if (old_ == nullptr) return std::nullopt;
    return *static_cast<const T*>(old_.get());
  }
  [[nodiscard]] bool used() const noexcept { return used_.load(std::memory_order_relaxed); }

 private:
  friend class ContextVar<T>;

  Token(const ContextVar<T>& var, Context context, Hamt::Value old)
      : var_(&var), context_(std::move(context)), old_(std::move(old)) {}

  const ContextVar<T>* var_;
  Context context_;  // The context set() ran in; reset() must run in the same one.
  Hamt::Value old_;  // nullptr: the variable had no value (MISSING).
  // Atomic only so that a misdirected reset() on another thread reads it without a data race;
  // a successful reset runs in context_, which one thread at a time can be in.
  mutable std::atomic<bool> used_{false};
};

// contextvars.ContextVar: a variable whose value depends on the current context. An object
// with identity (like a Python one), so neither copyable nor movable; usually static.
template <class T>
class ContextVar {
 public:
  explicit ContextVar(std::string name) : id_(next_context_var_id()), name_(std::move(name)) {}
  ContextVar(std::string name, T default_value)
      : id_(next_context_var_id()), name_(std::move(name)), default_(std::move(default_value)) {}
  ContextVar(const ContextVar&) = delete;
  ContextVar& operator=(const ContextVar&) = delete;

  [[nodiscard]] const std::string& name() const noexcept { return name_; }
  // The Hamt key: unique among all ContextVars ever created.
  [[nodiscard]] std::uint64_t id() const noexcept { return id_; }

  // The value in the current context, else the variable's default.
  // Throws LookupError when there is neither.
  [[nodiscard]] T get() const {
    if (const Hamt::Value* value = detail::current_state().vars.find(id_)) return unwrap(*value);
    if (default_) return *default_;
    throw LookupError("<ContextVar name='" + name_ + "'> has no value");
  }

  // The value in the current context, else `fallback` (which takes precedence over the
  // variable's default, as in Python).
  [[nodiscard]] T get(T fallback) const {
    if (const Hamt::Value* value = detail::current_state().vars.find(id_)) return unwrap(*value);
    return fallback;
  }

  // Gives the variable `value` in the current context; the token undoes it with reset().
  Token<T> set(T value) {
    detail::ContextState& state = detail::current_state();
    Hamt::Value stored = std::shared_ptr<const T>(std::make_shared<T>(std::move(value)));
    const Hamt::Value* old = state.vars.find(id_);
    Token<T> token(*this, Context::share(state), old != nullptr ? *old : nullptr);
    state.vars = state.vars.set(id_, std::move(stored));
    return token;
  }

  // Restores the value the variable had before the set() that made `token`, or removes it.
  // Throws RuntimeError if `token` was used already; ValueError if another ContextVar made it
  // or it was made in a context other than the current one.
  void reset(const Token<T>& token) {
    if (token.used()) throw RuntimeError("<Token var='" + name_ + "'> has already been used once");
    if (token.var_ != this) {
      throw ValueError("<Token var='" + token.var_->name() +
                       "'> was created by a different ContextVar");
    }
    detail::ContextState& state = detail::current_state();
    if (token.context_.state_ != &state) {
      throw ValueError("<Token var='" + name_ + "'> was created in a different Context");
    }
    token.used_.store(true, std::memory_order_relaxed);
    state.vars = token.old_ != nullptr ? state.vars.set(id_, token.old_) : state.vars.erase(id_);
  }

 private:
  static T unwrap(const Hamt::Value& value) { return *static_cast<const T*>(value.get()); }

  const std::uint64_t id_;
  const std::string name_;
  const std::optional<T> default_;
};

}  // namespace offload::runtime
