// What the peer drivers (libuv, Boost.Asio) share: the strict reading of an open request, the batch
// plan both transports run (which ops a request carries, how many are in flight, each op's outcome
// and latency), the sample's clocks, and the protocol server over a peer's transport.
//
// Threading: everything runs on the driver's main thread (the loop thread), except Batch::run_jobs,
// which a transport calls on its pool's threads (see Batch).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "protocol/server.hpp"
#include "protocol/wire.hpp"
#include "scenario/job.hpp"
#include "scenario/scenario.hpp"

namespace offload::drivers {

// How a gather puts its ops in flight (the `gather` axis): one request per op (`tasks`), or one per
// chunk of runtime::kBatchChunk consecutive ops (`batched`), each op still running its own job and
// keeping its own outcome. Sequential and bounded ignore it, as the model's do.
enum class Gather { kPerOp, kPerChunk };

// An open request, checked: what the workload runs and how a gather is shaped.
struct PeerWorkload {
  scenario::WorkloadConfig config;
  Gather gather = Gather::kPerOp;
};

// Reads an open request strictly. `backend` names the peer in the reasons ("libuv").
// Throws protocol::Unsupported naming the first field or axis the peer has no counterpart for
// (another kind, the gil job, context_vars > 0, timeout_ms, a loop other than asyncio, a
// non-default strategy on any axis but gather), protocol::RequestError for an unknown id.
// `gc` is ignored: a peer has no collector and reports gc 0.
PeerWorkload peer_workload(const protocol::WorkloadSpec& spec, const protocol::StrategySelection& selection,
                           const std::string& backend);
// The selection part of peer_workload, for probes; returns the gather shape.
Gather peer_gather(const protocol::StrategySelection& selection, const std::string& backend);

// CLOCK_MONOTONIC in nanoseconds: the clock of wall times and latencies.
std::int64_t monotonic_ns();

// Which ops of a sample have their latency kept. Every op while a sample has at most kMaxLatencies
// of them; past that a uniform subsample, every stride-th op (stride = ceil(ops / kMaxLatencies)),
// so a response stays a few MB and the ops not kept are not even timed.
class LatencySampler {
 public:
  static constexpr std::int64_t kMaxLatencies = 200'000;
  explicit LatencySampler(std::int64_t sample_ops);

  // `op`: the op's index within the sample (batch * ops + op in batch).
  // Both are on the loop's path once per request: stride 1 (every op) skips the division.
  bool wants(std::int64_t op) const { return stride_ == 1 || op % stride_ == 0; }
  // Any op in [first, first + count) wanted.
  bool wants_any(std::int64_t first, std::int64_t count) const {
    return stride_ == 1 || (first + stride_ - 1) / stride_ * stride_ < first + count;
  }
  void record(std::int64_t latency_ns) { latencies_ns_.push_back(latency_ns); }
  std::vector<std::int64_t> take() { return std::move(latencies_ns_); }

 private:
  std::int64_t stride_;
  std::vector<std::int64_t> latencies_ns_;
};

// One batch's plan and progress, reused batch after batch by one open workload. A request is one
// op or a chunk of ops; at most window() requests are in flight (gather: all of them; sequential:
// one; bounded: `limit`), and each completion releases the next request.
//
// Threading: run_jobs(r) runs on a pool thread, concurrently for distinct requests, and writes only
// request r's outcomes; every other call is the loop thread's. The transport's hand-off of a
// finished request to the loop (uv_queue_work's after-work callback, asio::post to the loop's
// io_context) orders run_jobs(r) before completed(r).
class Batch {
 public:
  Batch(const PeerWorkload& workload, const scenario::JobRunner& job);

  // Starts a batch whose first op is op `first_op` of the sample. Requires: the previous one finished.
  void start(std::int64_t first_op, LatencySampler& latencies);
  std::int64_t requests() const { return requests_; }
  // The requests to submit when the batch starts: 0 .. window() - 1.
  std::int64_t window() const { return window_; }

  // Loop thread, just before request r is handed to the pool.
  void submitted(std::int64_t request);
  // Pool thread: runs request r's jobs, each op keeping its own outcome.
  void run_jobs(std::int64_t request);
  // Loop thread: request r's completion was seen. Returns the request to submit next, if any.
  std::optional<std::int64_t> completed(std::int64_t request);
  bool finished() const { return completed_ == requests_; }
  // Loop thread, once finished: ops that never ran their job in any batch since construction (0
  // unless a transport lost a request). Outcome slots are not reset between batches: a reset would
  // cost O(ops) inside the timed span.
  std::int64_t missing_outcomes();

 private:
  std::int64_t first_op_of(std::int64_t request) const { return request * ops_per_request_; }
  std::int64_t ops_of(std::int64_t request) const;

  const scenario::JobRunner& job_;
  std::int64_t ops_;
  std::int64_t ops_per_request_;
  std::int64_t requests_;
  std::int64_t window_;
  std::int64_t sample_first_op_ = 0;
  LatencySampler* latencies_ = nullptr;
  std::int64_t next_ = 0;       // the next request not yet submitted
  std::int64_t completed_ = 0;
  std::vector<std::int64_t> submitted_ns_;  // per request; only for requests holding a wanted op
  // Each request's ops' outcomes on cache lines of their own: requests run on different pool
  // threads, and per-op outcomes packed side by side would make those threads share lines.
  struct alignas(64) OutcomeLine {
    static constexpr std::int64_t kOps = 8;
    std::int64_t ops[kOps];
  };
  // Request r's outcome lines, consecutive: its op i is ops[i % kOps] of line i / kOps.
  OutcomeLine* outcome_lines(std::int64_t request);
  std::int64_t lines_per_request_;
  std::vector<OutcomeLine> outcomes_;  // the job's last value per op, kNoOutcome until it first ran
};

// A peer's transport for one open workload: its own loop, and a pool to run requests on.
class PeerTransport {
 public:
  virtual ~PeerTransport() = default;
  // Runs `batch` to its end on the calling (loop) thread: submits requests 0 .. window() - 1,
  // then the one each completion names, and returns once every completion was seen.
  // Throws std::runtime_error when the peer reports a failure.
  virtual void run(Batch& batch) = 0;
};

// A peer backend: what the driver server asks of libuv or Asio.
class Peer {
 public:
  virtual ~Peer() = default;
  virtual protocol::Hello hello() = 0;
  // A transport for batches of `requests` requests (Batch::requests()) on a pool of `workers`
  // threads (none: the peer's default). Throws protocol::RequestError when this process cannot
  // serve that workers value.
  virtual std::unique_ptr<PeerTransport> open(std::int64_t requests, std::optional<std::int64_t> workers) = 0;
  // The conformance probes whose guarantee applies to the peer; others are left out (n/a).
  virtual std::vector<protocol::Probe> probe() = 0;
};

// The protocol server of a peer driver: open workloads by id, samples timed around their batches.
class PeerServer final : public protocol::DriverServer {
 public:
  PeerServer(Peer& peer, std::string backend) : peer_(peer), backend_(std::move(backend)) {}
  protocol::Hello hello() override { return peer_.hello(); }
  protocol::WorkloadId open(const protocol::WorkloadSpec& spec, const protocol::StrategySelection& selection) override;
  protocol::Sample sample(protocol::WorkloadId id, std::int64_t batches) override;
  std::vector<protocol::Probe> probe(const protocol::StrategySelection& selection) override;
  void close(protocol::WorkloadId id) override;

 private:
  struct Open {
    PeerWorkload workload;
    std::unique_ptr<scenario::JobRunner> job;
    std::unique_ptr<Batch> batch;
    std::unique_ptr<PeerTransport> transport;
  };
  Open& find(protocol::WorkloadId id);

  Peer& peer_;
  std::string backend_;
  std::map<protocol::WorkloadId, Open> open_;
  protocol::WorkloadId next_id_ = 1;
};

// A driver's main: serves the protocol on stdin/stdout; returns the exit code (0, or 3 when stdout fails).
int run_driver(Peer& peer, const std::string& backend);

}  // namespace offload::drivers
