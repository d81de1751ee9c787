// The CPython reference backend's client: runs python/offload_bench_driver (a directory Python
// runs as a script) as a child process and speaks its protocol (one JSON object per line each
// way, protocol 1) through typed calls, so the runner can time a scenario on the real asyncio with
// its own measurement protocol.
//
// Threading: a PythonDriver is used by one thread at a time; every call blocks that thread until
// the driver answers (or dies). Different PythonDriver objects are independent.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace offload::backend {

// The driver's "workload" object, field for field. Enums are the scenario file's identifiers;
// defaults are scenario::WorkloadConfig's.
struct WorkloadSpec {
  std::string kind = "offload";        // offload | state_copy | offload_wrap
  std::string job = "noop";            // noop | spin | sleep | stat | read | gil
  std::int64_t job_ns = 1000;          // spin, gil
  std::int64_t job_us = 50;            // sleep
  std::int64_t job_kib = 4;            // read
  std::int64_t ops = 1000;             // operations per batch
  std::string concurrency = "gather";  // gather | sequential | bounded
  std::int64_t limit = 16;             // bounded: in-flight operations
  std::int64_t context_vars = 0;       // ContextVars the caller sets before offloading
  std::optional<double> timeout_ms;    // asyncio.wait_for around each call
  bool gc = true;                      // the cyclic collector runs during samples
  std::optional<std::int64_t> workers;  // the executor's max_workers; none: CPython's default
};

// One strategy per axis, e.g. {{"offload", "skip_empty_context"}, {"state_copy", "snapshot"}}.
// Axes left out take CPython's behaviour.
using StrategySelection = std::vector<std::pair<std::string, std::string>>;

struct PythonVersion {
  int major = 0;
  int minor = 0;
  int micro = 0;
};

struct DriverHello {
  PythonVersion version;
  std::string implementation;     // sys.implementation.name, e.g. "cpython"
  std::string executable;         // sys.executable: the interpreter behind a shim or symlink
  bool has_get_snapshot = false;  // concurrent.futures.Future has gh-134173's native _get_snapshot
};

// A request the interpreter has no counterpart for, e.g. "completion=direct has no CPython
// counterpart (CPython is completion=chained_futures)". A result, not an error: the runner
// reports the strategy as not measurable on this backend.
struct Unsupported {
  std::string reason;
};

using WorkloadId = std::int64_t;

// One sample: `batches` batches run back to back on the driver.
struct DriverSample {
  std::int64_t ops = 0;
  std::int64_t wall_ns = 0;                 // perf_counter_ns around the batches
  std::int64_t cpu_ns = 0;                  // process_time_ns: every thread of the interpreter
  std::int64_t voluntary_switches = 0;      // getrusage(RUSAGE_SELF) deltas
  std::int64_t involuntary_switches = 0;
  std::int64_t gc_collections = 0;          // collections during the sample, and their time
  std::int64_t gc_ns = 0;
  std::vector<std::int64_t> latencies_ns;   // offload kind: each op, submit to resumption; else empty
};

struct DriverProbe {
  std::string guarantee;  // strategy::guarantee_id's names: context_propagation, job_isolation, ...
  bool passed = false;
  std::string detail;     // "ok", or what was observed
};

class PythonDriver {
 public:
  // Starts `python -u script` with pipes for stdin, stdout and stderr, in its own process group
  // so a terminal's Ctrl-C reaches only the runner, which stops between samples and then ends
  // the driver. `script` is a file or a directory holding __main__.py (the real driver is the
  // directory offload_bench_driver). Throws std::runtime_error when it is neither or when the
  // process cannot be started.
  PythonDriver(std::string python, std::string script);
  // Sends "exit", closes the driver's input and waits for it; kills it after kExitGrace.
  ~PythonDriver();
  PythonDriver(const PythonDriver&) = delete;
  PythonDriver& operator=(const PythonDriver&) = delete;

  // Every call below throws std::runtime_error, one line starting "python driver (<python>): ",
  // when the driver answers with an error (the driver stays usable), or when it dies or breaks
  // the protocol (the message ends with its last stderr line, if any; every later call throws
  // the same message).

  // Also throws when the driver speaks another protocol version.
  DriverHello hello();
  std::variant<WorkloadId, Unsupported> open(const WorkloadSpec& workload, const StrategySelection& selection);
  // Requires: batches >= 1.
  DriverSample sample(WorkloadId id, std::int64_t batches);
  // The four conformance probes of strategy::probe_conformance, on the real asyncio.
  std::variant<std::vector<DriverProbe>, Unsupported> probe(const StrategySelection& selection);
  void close(WorkloadId id);

  // The child's pid while it runs; -1 once it has been reaped.
  pid_t pid() const { return pid_; }

  // How long the destructor waits for the driver to exit on its own. Its exit joins the
  // executor's workers, which finish the job they are running first.
  static constexpr std::chrono::milliseconds kExitGrace{2000};

 private:
  struct Response;  // a parsed response line (python_driver.cpp)

  Response call(std::string_view cmd, const std::string& request_line);
  void write_line(const std::string& line);
  std::string read_line();
  bool read_stderr();
  std::string last_stderr_line() const;
  void reap(std::chrono::milliseconds grace);
  [[noreturn]] void fail_stream(const std::string& what);
  [[noreturn]] void fail_request(std::string_view cmd, const std::string& message) const;

  std::string python_;
  std::string script_;
  std::string prefix_;        // "python driver (<python>): "
  pid_t pid_ = -1;
  int wait_status_ = 0;       // waitpid's status once reaped
  bool killed_ = false;       // reap() had to SIGKILL it
  int to_stdin_ = -1;         // write end of the driver's stdin
  int from_stdout_ = -1;      // read end of its stdout
  int from_stderr_ = -1;      // read end of its stderr; -1 after EOF
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

}  // namespace offload::backend
