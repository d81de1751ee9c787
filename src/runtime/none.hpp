// Python's None as a value type, so a callable returning void yields a future of None, the
// way a Python function without `return` yields None.
#pragma once

#include <functional>
#include <type_traits>
#include <utility>

namespace offload::runtime {

struct None {
  friend bool operator==(None, None) { return true; }
};

// The value type a call of `R` produces: `R` itself, or None for void.
template <class R>
using ValueOf = std::conditional_t<std::is_void_v<R>, None, R>;

template <class F, class... Args>
using InvokeValue = ValueOf<std::invoke_result_t<F, Args...>>;

// Calls f(args...) and returns its value, or None when it returns void.
template <class F, class... Args>
InvokeValue<F, Args...> invoke_value(F&& f, Args&&... args) {
  if constexpr (std::is_void_v<std::invoke_result_t<F, Args...>>) {
    std::invoke(std::forward<F>(f), std::forward<Args>(args)...);
    return None{};
  } else {
    return std::invoke(std::forward<F>(f), std::forward<Args>(args)...);
  }
}

}  // namespace offload::runtime
