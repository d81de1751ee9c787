// The peer drivers' shared part: strict open requests, the batch plan, sample timing, the server.
#include "drivers/driver_common.hpp"

#include <sys/resource.h>
#include <time.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <limits>
#include <stdexcept>

#include "runtime/batch_offload.hpp"
#include "strategy/registry.hpp"

namespace offload::drivers {
namespace {

using protocol::RequestError;
using protocol::Unsupported;

// An outcome slot no job wrote. Jobs return counts, sizes or -1 (a failed stat/read), never this.
constexpr std::int64_t kNoOutcome = std::numeric_limits<std::int64_t>::min();

// The scenario enum whose identifier is `id`, among `values`; nullopt when none is.
template <class Enum, std::size_t N>
std::optional<Enum> enum_of(const std::string& id, const Enum (&values)[N]) {
  for (Enum value : values)
    if (scenario::to_string(value) == id) return value;
  return std::nullopt;
}

std::int64_t clock_ns(clockid_t clock) {
  timespec t{};
  ::clock_gettime(clock, &t);
  return static_cast<std::int64_t>(t.tv_sec) * 1'000'000'000 + t.tv_nsec;
}

// The clocks around one sample, read when it starts: wall, the process's CPU time (every thread,
// the pool's included) and its context switches.
struct SampleClocks {
  std::int64_t wall_ns = monotonic_ns();
  std::int64_t cpu_ns = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
  rusage usage = [] {
    rusage u{};
    ::getrusage(RUSAGE_SELF, &u);
    return u;
  }();
};

}  // namespace

Gather peer_gather(const protocol::StrategySelection& selection, const std::string& backend) {
  Gather gather = Gather::kPerOp;
  for (const auto& [axis_id, strategy_id] : selection) {
    const strategy::AxisInfo* axis = strategy::find_axis(axis_id);
    if (axis == nullptr)
      throw RequestError("selection: unknown axis '" + axis_id + "' (axes: " + strategy::axis_ids() + ")");
    if (strategy::find_strategy(*axis, strategy_id) == nullptr)
      throw RequestError("selection." + axis_id + ": unknown strategy '" + strategy_id +
                         "' (choices: " + strategy::strategy_ids(*axis) + ")");
    if (axis_id == "gather") {
      gather = strategy_id == "batched" ? Gather::kPerChunk : Gather::kPerOp;
    } else if (strategy_id != axis->default_strategy) {
      // The default stands for "the backend's own behaviour"; a model strategy has no counterpart.
      throw Unsupported(axis_id + "=" + strategy_id + " is a strategy of the model; " + backend +
                        " has no counterpart (only gather = tasks | batched maps onto it)");
    }
  }
  return gather;
}

PeerWorkload peer_workload(const protocol::WorkloadSpec& spec, const protocol::StrategySelection& selection,
                           const std::string& backend) {
  PeerWorkload w;
  if (spec.kind != "offload")
    throw Unsupported("kind " + spec.kind + ": the " + backend + " driver runs end-to-end offloads only");
  if (spec.job == "gil") throw Unsupported("job gil models CPython's GIL; " + backend + " has none");
  const auto job = enum_of(spec.job, {scenario::Job::kNoop, scenario::Job::kSpin, scenario::Job::kSleep,
                                      scenario::Job::kStat, scenario::Job::kRead});
  if (!job) throw RequestError("workload.job: unknown job '" + spec.job + "'");
  const auto concurrency = enum_of(spec.concurrency, {scenario::Concurrency::kGather, scenario::Concurrency::kSequential,
                                                      scenario::Concurrency::kBounded});
  if (!concurrency) throw RequestError("workload.concurrency: unknown value '" + spec.concurrency + "'");
  if (spec.context_vars > 0) throw Unsupported("context_vars > 0: " + backend + " has no context variables");
  if (spec.timeout_ms) throw Unsupported("timeout_ms: " + backend + " has no wait_for around an offload");
  if (spec.loop != "asyncio") throw Unsupported("loop " + spec.loop + " is a cpython setting");
  w.gather = peer_gather(selection, backend);
  w.config.kind = scenario::WorkloadKind::kOffload;
  w.config.job = *job;
  w.config.job_ns = spec.job_ns;
  w.config.job_us = spec.job_us;
  w.config.job_kib = spec.job_kib;
  w.config.ops = spec.ops;
  w.config.concurrency = *concurrency;
  w.config.limit = spec.limit;
  return w;
}

std::int64_t monotonic_ns() { return clock_ns(CLOCK_MONOTONIC); }

LatencySampler::LatencySampler(std::int64_t sample_ops)
    : stride_((sample_ops + kMaxLatencies - 1) / kMaxLatencies) {
  latencies_ns_.reserve(static_cast<std::size_t>(std::min(sample_ops, kMaxLatencies)));
}

Batch::Batch(const PeerWorkload& workload, const scenario::JobRunner& job)
    : job_(job),
      ops_(workload.config.ops),
      ops_per_request_(workload.gather == Gather::kPerChunk &&
                               workload.config.concurrency == scenario::Concurrency::kGather
                           ? static_cast<std::int64_t>(runtime::kBatchChunk)
                           : 1),
      requests_((ops_ + ops_per_request_ - 1) / ops_per_request_),
      window_(workload.config.concurrency == scenario::Concurrency::kGather       ? requests_
              : workload.config.concurrency == scenario::Concurrency::kSequential ? 1
                                                                                   : std::min(workload.config.limit, requests_)),
      submitted_ns_(static_cast<std::size_t>(requests_)),
      lines_per_request_((ops_per_request_ + OutcomeLine::kOps - 1) / OutcomeLine::kOps),
      outcomes_(static_cast<std::size_t>(requests_ * lines_per_request_)) {
  for (OutcomeLine& line : outcomes_) std::fill(std::begin(line.ops), std::end(line.ops), kNoOutcome);
}

Batch::OutcomeLine* Batch::outcome_lines(std::int64_t request) {
  return &outcomes_[static_cast<std::size_t>(request * lines_per_request_)];
}

std::int64_t Batch::ops_of(std::int64_t request) const {
  return std::min(ops_per_request_, ops_ - first_op_of(request));
}

void Batch::start(std::int64_t first_op, LatencySampler& latencies) {
  sample_first_op_ = first_op;
  latencies_ = &latencies;
  next_ = window_;
  completed_ = 0;
}

void Batch::submitted(std::int64_t request) {
  if (latencies_->wants_any(sample_first_op_ + first_op_of(request), ops_of(request)))
    submitted_ns_[static_cast<std::size_t>(request)] = monotonic_ns();
}

void Batch::run_jobs(std::int64_t request) {
  OutcomeLine* lines = outcome_lines(request);
  const std::int64_t count = ops_of(request);
  for (std::int64_t i = 0; i < count; ++i) lines[i / OutcomeLine::kOps].ops[i % OutcomeLine::kOps] = job_();
}

std::optional<std::int64_t> Batch::completed(std::int64_t request) {
  const std::int64_t first = first_op_of(request);
  const std::int64_t count = ops_of(request);
  if (latencies_->wants_any(sample_first_op_ + first, count)) {
    const std::int64_t latency_ns = monotonic_ns() - submitted_ns_[static_cast<std::size_t>(request)];
    // Each op of a chunk waited from the chunk's submit to its completion.
    for (std::int64_t op = first; op < first + count; ++op)
      if (latencies_->wants(sample_first_op_ + op)) latencies_->record(latency_ns);
  }
  ++completed_;
  if (next_ == requests_) return std::nullopt;
  return next_++;
}

std::int64_t Batch::missing_outcomes() {
  std::int64_t missing = 0;
  for (std::int64_t r = 0; r < requests_; ++r) {
    const OutcomeLine* lines = outcome_lines(r);
    for (std::int64_t i = 0; i < ops_of(r); ++i)
      missing += lines[i / OutcomeLine::kOps].ops[i % OutcomeLine::kOps] == kNoOutcome ? 1 : 0;
  }
  return missing;
}

protocol::WorkloadId PeerServer::open(const protocol::WorkloadSpec& spec, const protocol::StrategySelection& selection) {
  Open o;
  o.workload = peer_workload(spec, selection, backend_);
  o.job = std::make_unique<scenario::JobRunner>(o.workload.config);
  o.batch = std::make_unique<Batch>(o.workload, *o.job);
  o.transport = peer_.open(o.batch->requests(), spec.workers);
  const protocol::WorkloadId id = next_id_++;
  open_.emplace(id, std::move(o));
  return id;
}

PeerServer::Open& PeerServer::find(protocol::WorkloadId id) {
  const auto it = open_.find(id);
  if (it == open_.end()) throw RequestError("no open workload with id " + std::to_string(id));
  return it->second;
}

protocol::Sample PeerServer::sample(protocol::WorkloadId id, std::int64_t batches) {
  Open& o = find(id);
  const std::int64_t ops = o.workload.config.ops;
  LatencySampler latencies(ops * batches);
  const SampleClocks before;
  for (std::int64_t b = 0; b < batches; ++b) {
    o.batch->start(b * ops, latencies);
    o.transport->run(*o.batch);
    if (!o.batch->finished()) throw std::runtime_error(backend_ + ": a batch returned before its last completion");
  }
  const SampleClocks after;
  if (const std::int64_t missing = o.batch->missing_outcomes(); missing != 0)
    throw std::runtime_error(backend_ + ": " + std::to_string(missing) + " ops of the batch never ran their job");
  protocol::Sample s;
  s.ops = ops * batches;
  s.wall_ns = after.wall_ns - before.wall_ns;
  s.cpu_ns = after.cpu_ns - before.cpu_ns;
  s.voluntary_switches = after.usage.ru_nvcsw - before.usage.ru_nvcsw;
  s.involuntary_switches = after.usage.ru_nivcsw - before.usage.ru_nivcsw;
  s.latencies_ns = latencies.take();  // gc_collections, gc_ns: 0, no collector
  return s;
}

std::vector<protocol::Probe> PeerServer::probe(const protocol::StrategySelection& selection) {
  peer_gather(selection, backend_);  // Strict, as open: an unsupported selection is not probed.
  return peer_.probe();
}

void PeerServer::close(protocol::WorkloadId id) {
  find(id);
  open_.erase(id);
}

int run_driver(Peer& peer, const std::string& backend) {
  // A client that goes away is seen as a failed write (serve returns 3), not a SIGPIPE death.
  std::signal(SIGPIPE, SIG_IGN);
  PeerServer server(peer, backend);
  return protocol::serve(server, stdin, stdout);
}

}  // namespace offload::drivers
