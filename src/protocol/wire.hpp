// The driver protocol's messages as plain structs, and their one encoding (JSON lines): what the
// harness sends a backend driver and what a driver answers. Shared by the client
// (backend/driver_client) and every server (the python driver speaks the same lines; the C++ drivers
// and `offload-bench serve` use protocol/server). docs/driver_protocol.md is the specification.
//
// Threading: pure functions of their arguments.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace offload::protocol {

// Version 2: v1 (the python driver's first protocol) plus hello's `backend` and `description`
// and the workload's `loop`. A client and a driver that disagree stop at hello.
inline constexpr int kProtocolVersion = 2;

// A request a driver cannot decode or serve; answered {"ok": false, "error": message}.
class RequestError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A valid request the backend has no counterpart for; answered {"ok": false, "unsupported": reason}.
class Unsupported : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The "workload" object: one list of the workload's fields for every backend. Enums are the
// scenario file's identifiers; defaults are scenario::WorkloadConfig's.
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
  std::optional<double> timeout_ms;    // wait_for around each call
  bool gc = true;                      // cpython: the cyclic collector runs during samples
  std::optional<std::int64_t> workers;  // the pool's threads; none: the backend's default
  std::string loop = "asyncio";        // cpython: asyncio | uvloop
};

// One strategy per axis, e.g. {{"offload", "skip_empty_context"}}; axes left out take the
// backend's own behaviour.
using StrategySelection = std::vector<std::pair<std::string, std::string>>;

struct Hello {
  int protocol = kProtocolVersion;
  std::string backend;      // "native", "cpython", "libuv", "asio"
  std::string description;  // what was measured: "libuv 1.44.2", "CPython 3.11.7 (/usr/bin/python3.11)"
  std::string version;      // the backend's own version, e.g. "1.44.2", "3.11.7"
  // cpython only:
  std::string implementation;     // sys.implementation.name
  std::string executable;         // sys.executable
  bool has_get_snapshot = false;  // concurrent.futures.Future has gh-134173's _get_snapshot
};

// One sample: `batches` batches run back to back, timed by the driver itself.
struct Sample {
  std::int64_t ops = 0;
  std::int64_t wall_ns = 0;               // monotonic clock around the batches
  std::int64_t cpu_ns = 0;                // CPU time of the driver process, every thread
  std::int64_t voluntary_switches = 0;    // getrusage(RUSAGE_SELF) deltas
  std::int64_t involuntary_switches = 0;
  std::int64_t gc_collections = 0;        // cpython: collector runs during the sample, and their time
  std::int64_t gc_ns = 0;
  std::vector<std::int64_t> latencies_ns; // end to end: each op, submit to completion seen; else empty
};

struct Probe {
  std::string guarantee;  // strategy::guarantee_id: context_propagation, job_isolation, ...
  bool passed = false;
  std::string detail;     // "ok", or what was observed
};

using WorkloadId = std::int64_t;

// Requests. Each encodes to one line without the newline.
std::string encode_hello_request();
std::string encode_open_request(const WorkloadSpec& workload, const StrategySelection& selection);
std::string encode_sample_request(WorkloadId id, std::int64_t batches);
std::string encode_probe_request(const StrategySelection& selection);
std::string encode_close_request(WorkloadId id);
std::string encode_exit_request();

// Responses, as a driver writes them (one line without the newline).
std::string encode_hello(const Hello& hello);
std::string encode_opened(WorkloadId id);
std::string encode_sample(const Sample& sample);
std::string encode_probes(const std::vector<Probe>& probes);
std::string encode_done();  // close, exit
std::string encode_error(std::string_view message);
std::string encode_unsupported(std::string_view reason);

// A decoded response line: ok with its body (kept as text, decoded by the typed readers below),
// unsupported, or an error.
struct Response {
  enum class Status { kOk, kUnsupported, kError };
  Status status = Status::kError;
  std::string message;  // the reason or error, when not kOk
  std::string body;     // the whole line, when kOk
};
// Throws RequestError saying what is wrong ("not JSON", "no \"ok\" field") when `line` is not a
// response object.
Response decode_response(std::string_view line);
// Typed readers of an ok response's body; each throws RequestError naming the missing or
// mistyped field.
Hello decode_hello(const Response& response);
WorkloadId decode_opened(const Response& response);
Sample decode_sample(const Response& response);
std::vector<Probe> decode_probes(const Response& response);

// A decoded request, as a server reads it. Throws RequestError naming the field.
struct Request {
  std::string cmd;  // hello | open | sample | probe | close | exit
  int protocol = 0;           // hello: the client's protocol version (0 when it sent none)
  WorkloadSpec workload;      // open
  StrategySelection selection;  // open, probe
  WorkloadId id = 0;          // sample, close
  std::int64_t batches = 1;   // sample
};
Request decode_request(std::string_view line);

}  // namespace offload::protocol
