// The cpython backend on the runner's side: one python driver process per run (started on the
// first cpython point), its scenario points' workloads and conformance probes. The runner keeps
// its protocol — calibration, warm-up, interleaved repetitions, statistics — and asks the driver
// for timed batches in place of running them.
//
// Threading: one thread (the runner's) uses a session and its workloads.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "backend/python_driver.hpp"
#include "report/result.hpp"
#include "scenario/scenario.hpp"
#include "scenario/workload.hpp"
#include "strategy/registry.hpp"

namespace offload::measure {

// The oldest interpreter the driver supports (asyncio.to_thread, contextvars, gc.callbacks).
inline constexpr backend::PythonVersion kMinimumPython{3, 9, 0};

class CPythonSession {
 public:
  // Finds the interpreter (`python`: a path or name, "" for python3 on PATH) and the driver
  // script next to the binary, starts the driver and checks its version. On failure returns
  // why the cpython points of this run cannot run, as one line.
  static std::variant<std::unique_ptr<CPythonSession>, std::string> start(const std::string& python,
                                                                          const std::string& argv0);

  // "CPython 3.11.7 (/usr/bin/python3.11)": reports name the interpreter they measured.
  const std::string& description() const { return description_; }

  // The workload of `scenario` with `selection`, or why the interpreter cannot run it.
  std::variant<std::unique_ptr<scenario::Workload>, std::string> open(const scenario::Scenario& scenario,
                                                                      const strategy::Selection& selection);
  // The four probes on the real asyncio, `claimed` filled from the registry.
  std::vector<report::ConformanceCheck> probe(const strategy::Selection& selection);

 private:
  CPythonSession(std::unique_ptr<backend::PythonDriver> driver, std::string description)
      : driver_(std::move(driver)), description_(std::move(description)) {}

  std::unique_ptr<backend::PythonDriver> driver_;
  std::string description_;
};

}  // namespace offload::measure
