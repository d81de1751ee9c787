// `offload-bench serve`: this build's model as a driver on stdin/stdout (docs/driver_protocol.md),
// the child process `offload-bench ab` starts for each of the two builds it compares.
#include <cstdio>
#include <filesystem>
#include <string>

#include "cli/commands.hpp"
#include "measure/native_server.hpp"
#include "protocol/server.hpp"

namespace offload::cli {

int serve_command() {
  std::error_code ec;
  const std::string binary = std::filesystem::read_symlink("/proc/self/exe", ec).string();
  measure::NativeServer server(std::string("offload-bench ") + OFFLOAD_VERSION + " (" + OFFLOAD_GIT_REVISION + ") at " +
                               (ec ? std::string("?") : binary));
  return protocol::serve(server, stdin, stdout) == 0 ? kExitOk : kExitRunFailure;
}

}  // namespace offload::cli
