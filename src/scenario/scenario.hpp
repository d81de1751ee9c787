// The scenario model: what one scenario file says, resolved and validated. Plain data; the
// loader (scenario_loader.hpp) builds it from TOML, the runner executes it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "strategy/registry.hpp"

namespace offload::scenario {

// What one operation is.
enum class WorkloadKind {
  kOffload,      // end to end: a task awaits to_thread(job) (or run_in_executor for `executor`)
  kStateCopy,    // micro: copy a finished ConcurrentFuture into a fresh loop Future
  kOffloadWrap,  // micro: copy_context() + wrap the call + Context::run it inline, no executor
};

// The blocking job an offload runs on the worker.
enum class Job {
  kNoop,   // returns at once
  kSpin,   // job_ns of CPU work
  kSleep,  // blocks job_us microseconds
  kStat,   // stat() of a file in the page cache
  kRead,   // reads job_kib KiB of a cached file
  kGil,    // job_ns of CPU work holding one process-wide lock (a model of the GIL)
};

// How operations are awaited.
enum class Concurrency {
  kGather,      // all `ops` in flight, awaited by one gather
  kSequential,  // one at a time: round-trip latency
  kBounded,     // `ops` tasks, at most `limit` in flight through a Semaphore
};

// Where a value came from, for error messages: file:line:column.
struct Location {
  std::string file;
  int line = 0;
  int column = 0;
};

// What runs the scenario.
enum class Backend {
  kNative,   // the runtime core in this process: the model
  kCPython,  // the real asyncio, in a python3 child process driven by python/offload_bench_driver
  kLibuv,    // libuv's uv_queue_work, in the driver drivers/libuv_driver
  kAsio,     // Boost.Asio's thread_pool + io_context, in the driver drivers/asio_driver
};

// The cpython backend's event loop.
enum class Loop {
  kAsyncio,  // asyncio's own (selector) event loop
  kUvloop,   // uvloop's, on libuv (python3-uvloop)
};

struct RuntimeConfig {
  Backend backend = Backend::kNative;
  Loop loop = Loop::kAsyncio;
  std::string python;  // cpython: the interpreter ("" : --python, else python3 on PATH)
  std::optional<std::int64_t> workers;  // executor max_workers; default CPython's min(32, cores+4)
  // The cyclic garbage collector during samples (cpython). The model has no collector: a
  // native point with gc = false is skipped rather than run as if it meant something.
  bool gc = true;
};

struct WorkloadConfig {
  WorkloadKind kind = WorkloadKind::kOffload;
  Job job = Job::kNoop;
  std::int64_t job_ns = 1000;   // spin, gil
  std::int64_t job_us = 50;     // sleep
  std::int64_t job_kib = 4;     // read
  std::int64_t ops = 1000;      // operations per batch; a sample runs whole batches
  Concurrency concurrency = Concurrency::kGather;
  std::int64_t limit = 16;      // bounded: in-flight operations
  std::int64_t context_vars = 0;  // ContextVars the caller sets before offloading
  std::optional<double> timeout_ms;  // wait_for around each call
};

// A whole configuration compared as one contender (compare.axis = "config"): [strategies]
// with the `[config.<name>]` table's choices on top.
// A configuration may also run on its own backend (`backend`, `loop`, `python` keys), so peers
// and interpreters are contenders in one interleaved table.
struct NamedConfig {
  std::string name;
  strategy::Selection selection;
  std::optional<Backend> backend;  // unset: the scenario's runtime.backend
  std::optional<Loop> loop;
  std::optional<std::string> python;
};

// compare.axis names a strategy axis, or kConfigAxis to compare whole configurations.
inline constexpr std::string_view kConfigAxis = "config";

struct CompareConfig {
  std::string axis;                     // a strategy axis id, or kConfigAxis
  std::string baseline;                 // a strategy id on that axis (a config name)
  std::vector<std::string> candidates;  // strategy ids on that axis (config names), != baseline
  std::vector<NamedConfig> configs;     // kConfigAxis only: every [config.<name>], file order
};

struct MeasureConfig {
  std::int64_t warmup = 1;        // untimed samples per strategy before the first repetition
  std::int64_t repetitions = 10;  // timed samples per strategy, interleaved across strategies
  double min_time_ms = 50;        // a sample repeats batches until it has run this long
};

// A scalar a sweep can set.
using ParameterValue = std::variant<std::int64_t, double, std::string, bool>;

// One swept parameter: a dotted key ("workload.concurrency") and the values it takes.
struct SweepAxis {
  std::string parameter;
  std::vector<ParameterValue> values;
  Location location;
};

// One [[expect]] entry: a claim about this scenario's own results, checked after every sweep
// point (measure/expectations.hpp) so CI can gate on ratios within one run, without a stored
// baseline.
struct Expectation {
  enum class Kind {
    kFaster,    // `strategy` (a candidate) is at least `value` faster than the baseline on `metric`
    kNoSlower,  // `strategy` (a candidate) is not significantly slower on `metric`
    kAtMost,    // `strategy`'s per-op count `metric` (a CountsPerOp field) is <= `value`
    kConforms,  // `strategy` passes every guarantee it claims
  };
  Kind kind = Kind::kConforms;
  std::string strategy;            // the baseline or a candidate (a candidate for faster/no_slower)
  std::string metric = "ns_per_op";  // faster, no_slower: ns_per_op | cpu_ns_per_op;
                                     // at_most: the counter, e.g. "lock_acquisitions"
  double value = 0;  // faster: the fraction `by` (0.30: at most 70% of the baseline's time);
                     // at_most: the bound; unused otherwise
  Location location;  // the [[expect]] header
};

struct Scenario {
  std::string name;
  std::string description;
  std::string reference;  // e.g. "CPython gh-134173"
  std::string source;     // the file it came from ("<embedded>/x.toml" for the built-in suite)
  RuntimeConfig runtime;
  WorkloadConfig workload;
  CompareConfig compare;
  MeasureConfig measure;
  strategy::Selection fixed;  // [strategies]: the choice on every axis not compared
  std::vector<SweepAxis> sweep;
  std::vector<Expectation> expectations;  // [[expect]], in file order; apply to every sweep point
  // [quick]: parameter overrides `run --quick` applies (a million-op burst shrinks to 20,000), so a
  // smoke run still exercises every scenario and strategy.
  std::vector<std::pair<std::string, ParameterValue>> quick;
};

// One point of a scenario's sweep: the scenario with the point's values applied.
struct ScenarioPoint {
  Scenario scenario;
  std::vector<std::pair<std::string, std::string>> parameters;  // (dotted key, value as text)
};

// The strategies contender `id` (the baseline or a candidate) runs with.
// Requires: `id` is compared in `scenario` (the loader checks).
strategy::Selection selection_of(const Scenario& scenario, std::string_view id);

// The runtime contender `id` runs on: the scenario's, with its configuration's backend keys on top.
RuntimeConfig runtime_of(const Scenario& scenario, std::string_view id);

std::string_view to_string(Backend backend);
std::string_view to_string(Loop loop);
std::string_view to_string(WorkloadKind kind);
std::string_view to_string(Job job);
std::string_view to_string(Concurrency concurrency);
std::string to_string(const ParameterValue& value);

// The [[expect]] key that selects the kind: "faster", "no_slower", "at_most", "conforms".
constexpr std::string_view to_string(Expectation::Kind kind) {
  switch (kind) {
    case Expectation::Kind::kFaster: return "faster";
    case Expectation::Kind::kNoSlower: return "no_slower";
    case Expectation::Kind::kAtMost: return "at_most";
    case Expectation::Kind::kConforms: return "conforms";
  }
  return "unknown";
}

}  // namespace offload::scenario
