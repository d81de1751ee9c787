// The subcommands. Each returns the process exit code, one meaning per code so CI can tell them
// apart (the same for every subcommand; README and docs/ci.md list them):
//   0 success, 1 a regression or a failed expectation, 2 a usage or input error (one line on
//   stderr naming the file, line and key), 3 a failure while running (a driver, an I/O error),
//   128 + N when signal N stopped the run (130 SIGINT, 143 SIGTERM; cli/signals.hpp).
#pragma once

#include <functional>
#include <vector>

#include "cli/options.hpp"
#include "measure/backend.hpp"
#include "report/result.hpp"
#include "scenario/scenario.hpp"

namespace offload::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitCheckFailed = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitRunFailure = 3;

// How execute_run turns a run's options into points, backends and an exit code: `run` runs the
// scenarios' points on a BackendPool; `ab` reshapes each point into base-build-vs-new-build pairs.
struct RunPlan {
  std::function<std::vector<scenario::ScenarioPoint>(scenario::ScenarioPoint)> reshape;  // null: as is
  measure::BackendResolver* backends = nullptr;
  std::function<int(const report::Report&)> gate;  // the exit code of a complete run; null: 0
};
int execute_run(const RunOptions& options, const RunPlan& plan);

int run_command(const RunOptions& options);
int compare_command(const CompareOptions& options);
int report_command(const ReportOptions& options);
int list_command(const ListOptions& options);
int validate_command(const ValidateOptions& options);
int serve_command();
int ab_command(const AbOptions& options);

}  // namespace offload::cli
