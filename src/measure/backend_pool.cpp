#include "measure/backend_pool.hpp"

#include <charconv>
#include <stdexcept>

#include "measure/driver_backend.hpp"
#include "measure/native_backend.hpp"

namespace offload::measure {
namespace {

// "3.11.7" -> (3, 11); (0, 0) when it does not parse.
std::pair<int, int> major_minor(const std::string& version) {
  int major = 0;
  int minor = 0;
  const char* end = version.data() + version.size();
  auto [next, error] = std::from_chars(version.data(), end, major);
  if (error == std::errc{} && next != end && *next == '.') std::from_chars(next + 1, end, minor);
  return {major, minor};
}

DriverSpec cpython_spec(const std::string& interpreter, const std::string& script) {
  DriverSpec spec;
  spec.id = "cpython";
  spec.name = "python driver (" + interpreter + ")";
  spec.argv = {interpreter, "-u", script};
  spec.axes = {"offload", "state_copy"};
  spec.forwards_gc = true;
  spec.accept = [interpreter](const protocol::Hello& hello) -> std::string {
    if (hello.implementation != "cpython")
      return interpreter + " is " + hello.implementation + " " + hello.version +
             ", not CPython: the backend models CPython's asyncio";
    if (major_minor(hello.version) < std::pair{3, kMinimumPythonMinor})
      return interpreter + " is Python " + hello.version + "; the cpython backend needs 3." +
             std::to_string(kMinimumPythonMinor) + " or newer";
    return "";
  };
  return spec;
}

// A peer's driver: an executable built beside offload-bench when its library was found.
DriverSpec peer_spec(const std::string& id, const std::string& executable) {
  DriverSpec spec;
  spec.id = id;
  spec.name = id + " driver";
  spec.argv = {executable};
  spec.axes = {"gather"};
  spec.process_per_workers = id == "libuv";
  return spec;
}

}  // namespace

BackendPool::BackendPool(BackendPoolOptions options) : options_(std::move(options)) {}
BackendPool::~BackendPool() = default;

std::variant<Backend*, std::string> BackendPool::backend_for(const scenario::RuntimeConfig& runtime,
                                                             std::string_view) {
  const std::string python = runtime.python.empty() ? options_.python : runtime.python;
  const std::string key = runtime.backend == scenario::Backend::kCPython
                              ? "cpython:" + python
                              : std::string(scenario::to_string(runtime.backend));
  if (auto it = backends_.find(key); it != backends_.end()) {
    if (auto* reason = std::get_if<std::string>(&it->second)) return *reason;
    return std::get<std::unique_ptr<Backend>>(it->second).get();
  }
  return start(key, runtime.backend, python);
}

std::variant<Backend*, std::string> BackendPool::start(const std::string& key, scenario::Backend kind,
                                                       const std::string& python) {
  auto fail = [&](std::string reason) -> std::variant<Backend*, std::string> {
    reason = std::string(scenario::to_string(kind)) + " backend unavailable: " + reason;
    backends_[key] = reason;
    return reason;
  };
  DriverSpec spec;
  switch (kind) {
    case scenario::Backend::kNative: {
      auto& slot = backends_[key] = std::make_unique<NativeBackend>();
      return std::get<std::unique_ptr<Backend>>(slot).get();
    }
    case scenario::Backend::kCPython: {
      const std::optional<std::string> interpreter = backend::find_python(python);
      if (!interpreter)
        return fail(python.empty() ? "no python3 on PATH (install python3 or pass --python PATH)"
                                   : "python interpreter '" + python + "' not found or not executable");
      const std::string script = backend::find_driver_script("");
      if (script.empty())
        return fail("driver directory offload_bench_driver not found next to the binary or in ../share/offload-bench/");
      spec = cpython_spec(*interpreter, script);
      break;
    }
    case scenario::Backend::kLibuv:
    case scenario::Backend::kAsio: {
      const std::string id(scenario::to_string(kind));
      const std::string executable = backend::find_driver_executable("offload-bench-" + id + "-driver");
      if (executable.empty())
        return fail("offload-bench-" + id + "-driver was not built next to offload-bench (" +
                    (kind == scenario::Backend::kLibuv ? "libuv1-dev" : "libboost-dev") +
                    " missing at build time? `make deps` installs it)");
      spec = peer_spec(id, executable);
      break;
    }
  }
  spec.deadlines = options_.deadlines;
  try {
    auto& slot = backends_[key] = std::make_unique<DriverBackend>(std::move(spec));
    return std::get<std::unique_ptr<Backend>>(slot).get();
  } catch (const std::exception& e) {
    return fail(e.what());
  }
}

}  // namespace offload::measure
