// The client of an out-of-process backend: starts a driver (the CPython driver, a peer's driver, or
// another offload-bench build's `serve`) as a child process, owns its whole life, and speaks the
// driver protocol (docs/driver_protocol.md) through typed calls.
//
// Lifetime: the child runs in a process group of its own (a terminal's Ctrl-C reaches only the
// harness, which stops between samples) with a parent-death signal (SIGKILL), so it never outlives
// the harness, whatever ends the harness. `hello` must answer within the start-up deadline and
// every other request within the request deadline; on expiry, death or a broken line the whole
// group is killed and reaped, and that call and every later one throw one line.
//
// Threading: a DriverClient is used by one thread at a time; every call blocks that thread until
// the driver answers, dies or runs out of time. The thread that constructs it must outlive the
// child's use (the parent-death signal is tied to it): the runner's main thread.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "protocol/wire.hpp"

namespace offload::backend {

struct DriverDeadlines {
  // hello: an interpreter's start-up and imports, on a loaded machine.
  std::chrono::milliseconds startup{10'000};
  // Every other request. The slowest shipped sample (the naive side of the million-op burst on
  // the model, ~5 s; a 10,000-op gather on CPython with the collector, ~1 s per batch) fits many
  // times over; `--driver-timeout` raises it for longer points.
  std::chrono::milliseconds request{120'000};
};

// A request the backend has no counterpart for, e.g. "completion=direct has no libuv
// counterpart". A result, not an error: the runner skips the point with the reason.
struct Unsupported {
  std::string reason;
};

class DriverClient {
 public:
  // Starts `argv` (argv[0] a path to an executable) with pipes for stdin, stdout and stderr.
  // `name` starts every error message: "libuv driver: ...". Throws std::runtime_error, one line,
  // when the process cannot be started.
  DriverClient(std::string name, std::vector<std::string> argv, DriverDeadlines deadlines = {});
  // Sends "exit", closes the driver's input and waits up to kExitGrace for it; then kills its group.
  ~DriverClient();
  DriverClient(const DriverClient&) = delete;
  DriverClient& operator=(const DriverClient&) = delete;

  // Every call below throws std::runtime_error, one line starting "<name>: ", when the driver
  // answers with an error (the driver stays usable), or when it dies, breaks the protocol or
  // misses its deadline (the message ends with its last stderr line, if any; every later call
  // throws the same message).

  // Also throws when the driver speaks another protocol version.
  protocol::Hello hello();
  std::variant<protocol::WorkloadId, Unsupported> open(const protocol::WorkloadSpec& workload,
                                                       const protocol::StrategySelection& selection);
  // Requires: batches >= 1.
  protocol::Sample sample(protocol::WorkloadId id, std::int64_t batches);
  std::variant<std::vector<protocol::Probe>, Unsupported> probe(const protocol::StrategySelection& selection);
  void close(protocol::WorkloadId id);

  // The child's pid while it runs; -1 once it has been reaped.
  pid_t pid() const { return pid_; }
  const std::string& name() const { return name_; }

  // How long the destructor waits for the driver to exit on its own. Its exit joins its pool's
  // workers, which finish the job they are running first.
  static constexpr std::chrono::milliseconds kExitGrace{2000};

 private:
  protocol::Response call(std::string_view cmd, const std::string& request_line, std::chrono::milliseconds deadline);
  void write_line(const std::string& line);
  std::string read_line(std::string_view cmd, std::chrono::milliseconds deadline);
  bool read_stderr();
  std::string last_stderr_line() const;
  void reap(std::chrono::milliseconds grace);
  [[noreturn]] void fail_stream(const std::string& what);
  [[noreturn]] void fail_request(std::string_view cmd, const std::string& message) const;

  std::string name_;
  std::string prefix_;         // "<name>: "
  DriverDeadlines deadlines_;
  pid_t pid_ = -1;             // also the child's process group id
  int wait_status_ = 0;        // waitpid's status once reaped
  bool killed_ = false;        // reap() had to SIGKILL it
  int to_stdin_ = -1;          // write end of the driver's stdin
  int from_stdout_ = -1;       // read end of its stdout
  int from_stderr_ = -1;       // read end of its stderr; -1 after EOF
  std::string stdout_buffer_;  // bytes read past the last complete response line
  std::string stderr_tail_;    // the last kStderrTailBytes the driver wrote to stderr
  std::string broken_;         // set when the stream broke: every later call throws it

  static constexpr std::size_t kStderrTailBytes = 16 * 1024;
};

// The interpreter to run: `requested` when non-empty (a path, or a name looked up on PATH),
// else `python3` on PATH; nullopt when that is not an executable file.
std::optional<std::string> find_python(std::string_view requested);

// The driver directory offload_bench_driver (holding __main__.py) next to the running binary, then
// in <binary dir>/../share/offload-bench/. The binary is `argv0_or_exe_path` (symlinks resolved)
// when that names a file, then /proc/self/exe. Returns "" when the driver is in neither place.
std::string find_driver_script(const std::string& argv0_or_exe_path);

// The executable `name` (e.g. "offload-bench-libuv-driver") next to the running binary; "" when
// there is none.
std::string find_driver_executable(std::string_view name);

}  // namespace offload::backend
