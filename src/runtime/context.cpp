// The per-thread current context, entering and leaving contexts, and the ContextVar id counter.
//
// Threading: t_current is per thread, so reading it needs no lock. ContextState::entered is
// the one shared flag; its acquire exchange in enter() pairs with the release store in exit().
// Reference counts are atomic, so handles to one context may live on several threads.
#include "runtime/context.hpp"

#include <cassert>
#include <cstdio>
#include <string>
#include <utility>

namespace offload::runtime {

namespace {

// The calling thread's current context. A plain pointer with constant initialisation, so the
// hot path (ContextVar::get/set) reads it without a TLS init guard; the reference it stands for
// is held by the run() frame that entered it or by the thread's BaseContext.
constinit thread_local detail::ContextState* t_current = nullptr;

void release(detail::ContextState* state) noexcept {
  if (state == nullptr) return;
  // acq_rel: the last release sees every other handle's uses of the state before deleting it.
  if (state->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) {
    assert(!state->entered.load(std::memory_order_relaxed) &&
           "an entered context holds a reference");
    delete state;
  }
}

// Owns the context a thread is in outside any run(); made on first use, released at thread
// exit. Never entered: no handle to it escapes (copy_context() copies its mapping).
// Note: thread_local destructors that run after this one must not use ContextVars.
struct BaseContext {
  detail::ContextState* state = new detail::ContextState();
  BaseContext() = default;
  BaseContext(const BaseContext&) = delete;
  BaseContext& operator=(const BaseContext&) = delete;
  ~BaseContext() {
    if (t_current == state) t_current = nullptr;
    release(state);
  }
};

std::atomic<std::uint64_t> g_next_var_id{1};

std::string describe(const detail::ContextState& state) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "<Context object at %p>", static_cast<const void*>(&state));
  return buffer;
}

}  // namespace

namespace detail {

ContextState& current_state() {
  if (t_current != nullptr) [[likely]] return *t_current;
  // Slow path, once per thread (and again after a run() that was the thread's first use):
  // the function-local thread_local is constructed on the first call only.
  thread_local BaseContext base;
  t_current = base.state;
  return *t_current;
}

ContextState* enter(ContextState& state) {
  // acquire: pairs with the release store in exit() of the previous run() of this context
  // (on whatever thread), so its writes to state.vars are visible here.
  if (state.entered.exchange(true, std::memory_order_acquire)) {
    throw RuntimeError("cannot enter context: " + describe(state) + " is already entered");
  }
  state.refs.fetch_add(1, std::memory_order_relaxed);
  return std::exchange(t_current, &state);
}

void exit(ContextState& state, ContextState* previous) noexcept {
  assert(t_current == &state && "contexts are left in the reverse order they were entered");
  t_current = previous;
  // release: publishes this run()'s writes to state.vars to the next enter() (see above).
  state.entered.store(false, std::memory_order_release);
  release(&state);
}

}  // namespace detail

Context::Context() : state_(new detail::ContextState()) {}

Context::Context(const Context& other) noexcept : state_(other.state_) {
  state_->refs.fetch_add(1, std::memory_order_relaxed);
}

Context& Context::operator=(const Context& other) noexcept {
  Context copy(other);
  std::swap(state_, copy.state_);
  return *this;
}

Context& Context::operator=(Context&& other) noexcept {
  Context taken(std::move(other));
  std::swap(state_, taken.state_);
  return *this;
}

Context::~Context() { release(state_); }

Context Context::share(detail::ContextState& state) noexcept {
  // relaxed: a new reference is made from one the caller holds, so nothing needs ordering here;
  // the deleting side is ordered by release()'s acq_rel.
  state.refs.fetch_add(1, std::memory_order_relaxed);
  return Context(&state);
}

Context Context::copy() const {
  auto* state = new detail::ContextState();
  state->vars = state_->vars;
  return Context(state);
}

Context copy_context() {
  auto* state = new detail::ContextState();
  state->vars = detail::current_state().vars;
  return Context(state);
}

std::uint64_t next_context_var_id() noexcept {
  // relaxed: only uniqueness matters, which the atomic increment alone guarantees.
  return g_next_var_id.fetch_add(1, std::memory_order_relaxed);
}

}  // namespace offload::runtime
