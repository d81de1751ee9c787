// Running the real offload-bench binary from a CLI test: a shell command's exit code and output,
// the test data directory, and a per-process scratch directory.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <string>

namespace offload::cli_test {

struct Outcome {
  int exit_code = -1;  // -1 when the shell itself was killed by a signal
  std::string out;     // stdout and stderr together
};

inline Outcome run_command(const std::string& shell_command) {
  const std::string command = shell_command + " 2>&1";
  Outcome outcome;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return outcome;
  std::array<char, 4096> buffer;
  while (std::size_t n = std::fread(buffer.data(), 1, buffer.size(), pipe)) outcome.out.append(buffer.data(), n);
  const int status = ::pclose(pipe);
  outcome.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return outcome;
}

inline std::string binary() { return OFFLOAD_BENCH_BINARY; }

inline Outcome run(const std::string& args) { return run_command(binary() + " " + args); }

inline std::string data(const std::string& name) { return std::string(OFFLOAD_CLI_TEST_DATA_DIR) + "/" + name; }

inline std::filesystem::path temp_dir() {
  std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("offload-cli-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  return dir;
}

}  // namespace offload::cli_test
