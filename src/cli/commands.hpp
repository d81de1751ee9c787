// The subcommands. Each returns the process exit code, one meaning per code so CI can tell them
// apart (the same for every subcommand; README and docs/ci.md list them):
//   0 success, 1 a regression or a failed expectation, 2 a usage or input error (one line on
//   stderr naming the file, line and key), 3 a failure while running (a driver, an I/O error),
//   128 + N when signal N stopped the run (130 SIGINT, 143 SIGTERM; cli/signals.hpp).
#pragma once

#include "cli/options.hpp"

namespace offload::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitCheckFailed = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitRunFailure = 3;

int run_command(const RunOptions& options);
int compare_command(const CompareOptions& options);
int list_command(const ListOptions& options);
int validate_command(const ValidateOptions& options);

}  // namespace offload::cli
