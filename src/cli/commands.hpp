// The subcommands. Each returns the process exit code: 0 success, 1 a failure while running,
// 2 a usage or input error (one line on stderr naming the file, line and key).
#pragma once

#include "cli/options.hpp"

namespace offload::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

int run_command(const RunOptions& options);
int compare_command(const CompareOptions& options);
int report_command(const ReportOptions& options);
int list_command(const ListOptions& options);
int validate_command(const ValidateOptions& options);

}  // namespace offload::cli
