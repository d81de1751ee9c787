// CLI11 set-up: `offload-bench run|compare|report|list|validate`, turned into the plain option structs.
#pragma once

#include <variant>

#include "cli/options.hpp"

namespace offload::cli {

// What the command line asked for; an int is an exit code when parsing already answered
// (--help, --version, or a usage error already printed).
using Command = std::variant<RunOptions, AbOptions, ServeOptions, CompareOptions, ReportOptions, ListOptions,
                             ValidateOptions, int>;

Command parse_command_line(int argc, char** argv);

}  // namespace offload::cli
