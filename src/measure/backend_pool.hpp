// The backends of one run, started on first use and kept for the run: the model, one CPython
// driver per interpreter, the libuv and Asio drivers. A backend that cannot start is remembered
// with its reason, so each of its points is skipped with that reason and it is tried only once.
//
// Threading: the runner's thread only.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <variant>

#include "backend/driver_client.hpp"
#include "measure/backend.hpp"

namespace offload::measure {

// The oldest interpreter the CPython driver supports (asyncio.to_thread, contextvars, gc.callbacks).
inline constexpr int kMinimumPythonMinor = 9;

struct BackendPoolOptions {
  std::string python;  // --python: the interpreter when a scenario names none ("" : python3 on PATH)
  backend::DriverDeadlines deadlines;
};

class BackendPool final : public BackendResolver {
 public:
  explicit BackendPool(BackendPoolOptions options);
  ~BackendPool() override;

  std::variant<Backend*, std::string> backend_for(const scenario::RuntimeConfig& runtime,
                                                  std::string_view contender) override;

 private:
  std::variant<Backend*, std::string> start(const std::string& key, scenario::Backend kind, const std::string& python);

  BackendPoolOptions options_;
  // By "native", "libuv", "asio" or "cpython:<interpreter as named>": a backend, or why it could not start.
  std::map<std::string, std::variant<std::unique_ptr<Backend>, std::string>> backends_;
};

}  // namespace offload::measure
