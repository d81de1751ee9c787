// offload-bench-libuv-driver: the libuv peer. Each request runs on libuv's threadpool through
// uv_queue_work; its after-work callback runs on the workload's own uv loop (this thread), which
// submits the next request. docs/peers.md maps the shapes; docs/driver_protocol.md the protocol.
//
// Threading: the main thread serves the protocol and runs every uv loop; libuv's pool threads run
// Batch::run_jobs only. libuv reads UV_THREADPOOL_SIZE once, when the first request is queued in
// the process: one driver process serves one workers value.
#include <sys/wait.h>
#include <unistd.h>
#include <uv.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <stdexcept>
#include <string>
#include <thread>

#include "drivers/driver_common.hpp"

namespace offload::drivers {
namespace {

const std::string kBackend = "libuv";

// One request of a batch in flight: its uv_work_t and the batch slot it stands for.
struct UvRequest {
  uv_work_t work{};
  std::int64_t index = 0;
};

class UvTransport final : public PeerTransport {
 public:
  explicit UvTransport(std::int64_t requests) : requests_(static_cast<std::size_t>(requests)) {
    if (const int rc = uv_loop_init(&loop_); rc != 0) throw std::runtime_error(std::string("uv_loop_init: ") + uv_strerror(rc));
    for (std::size_t r = 0; r < requests_.size(); ++r) {
      requests_[r].index = static_cast<std::int64_t>(r);
      requests_[r].work.data = this;
    }
  }
  ~UvTransport() override { uv_loop_close(&loop_); }
  UvTransport(const UvTransport&) = delete;
  UvTransport& operator=(const UvTransport&) = delete;

  void run(Batch& batch) override {
    batch_ = &batch;
    failure_ = 0;
    for (std::int64_t r = 0; r < batch.window(); ++r) submit(r);
    // Returns once no request is pending: every after-work callback ran (each submits the next
    // before it returns, so the loop never runs dry early).
    uv_run(&loop_, UV_RUN_DEFAULT);
    if (failure_ != 0) throw std::runtime_error(std::string("libuv: a request failed: ") + uv_strerror(failure_));
  }

 private:
  void submit(std::int64_t r) {
    batch_->submitted(r);
    const int rc = uv_queue_work(&loop_, &requests_[static_cast<std::size_t>(r)].work, &work, &after_work);
    if (rc != 0) failure_ = rc;  // Only EINVAL (a null callback): a bug, reported by run().
  }

  static void work(uv_work_t* w) {
    auto* self = static_cast<UvTransport*>(w->data);
    self->batch_->run_jobs(reinterpret_cast<UvRequest*>(w)->index);
  }

  static void after_work(uv_work_t* w, int status) {
    auto* self = static_cast<UvTransport*>(w->data);
    if (status != 0) self->failure_ = status;
    if (const auto next = self->batch_->completed(reinterpret_cast<UvRequest*>(w)->index)) self->submit(*next);
  }

  uv_loop_t loop_{};
  std::vector<UvRequest> requests_;  // Sized once: a uv_work_t must not move while queued.
  Batch* batch_ = nullptr;           // The batch run() is running.
  int failure_ = 0;                  // The first libuv error seen by this run(), 0 if none.
  static_assert(offsetof(UvRequest, work) == 0, "a uv_work_t* is its UvRequest*");
};

// cancellation_transfer: uv_cancel of a request still queued means its work never runs and its
// after-work callback sees UV_ECANCELED. Every pool thread is first held busy by blockers, so a
// candidate request stays queued; one the pool picked up anyway (uv_cancel says EBUSY) becomes a
// blocker and the next candidate is tried. Not knowing the pool's size, the probe needs none.
protocol::Probe probe_cancellation_transfer() {
  struct Candidate {
    uv_work_t work{};
    std::atomic<bool> started{false};
    int status = 0;
    bool completed = false;
  };
  static std::atomic<bool> gate_open;  // Blockers hold their pool thread until it opens.
  gate_open.store(false);
  uv_loop_t loop;
  uv_loop_init(&loop);
  std::deque<Candidate> candidates;  // A deque: queued uv_work_t's never move.
  constexpr int kMaxPoolThreads = 1024;  // libuv's cap on UV_THREADPOOL_SIZE
  int cancel_rc = UV_EBUSY;
  Candidate* victim = nullptr;
  while (cancel_rc == UV_EBUSY && static_cast<int>(candidates.size()) <= kMaxPoolThreads) {
    Candidate& c = candidates.emplace_back();
    c.work.data = &c;
    uv_queue_work(
        &loop, &c.work,
        [](uv_work_t* w) {
          static_cast<Candidate*>(w->data)->started.store(true);
          while (!gate_open.load()) std::this_thread::sleep_for(std::chrono::microseconds(100));
        },
        [](uv_work_t* w, int status) {
          auto* done = static_cast<Candidate*>(w->data);
          done->status = status;
          done->completed = true;
        });
    // A free pool thread starts the candidate within this time; a loaded machine may take longer,
    // which only means the candidate is cancelled while queued, as intended.
    for (int waited_ms = 0; waited_ms < 50 && !c.started.load(); ++waited_ms)
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    cancel_rc = uv_cancel(reinterpret_cast<uv_req_t*>(&c.work));
    victim = &c;
  }
  gate_open.store(true);
  // Returns after every after-work callback, so after the victim's work, had the cancel been ignored.
  uv_run(&loop, UV_RUN_DEFAULT);
  uv_loop_close(&loop);

  protocol::Probe p{"cancellation_transfer", false, "ok"};
  if (cancel_rc != 0)
    p.detail = std::string("uv_cancel of a queued request returned ") + uv_err_name(cancel_rc);
  else if (victim->started.load())
    p.detail = "a request cancelled before it started ran anyway";
  else if (!victim->completed || victim->status != UV_ECANCELED)
    p.detail = "the cancelled request's after-work callback did not see UV_ECANCELED";
  else
    p.passed = true;
  return p;
}

// Runs `probe` in a child process and returns its result. The driver probes in a child while its
// own pool has not started, since the probe's first uv_queue_work would start the pool with the
// default size and leave no way for a later open to set `workers`. Single-threaded then, so the
// fork is safe.
protocol::Probe probe_in_child(protocol::Probe (*probe)()) {
  int fds[2];
  if (::pipe(fds) != 0) throw std::runtime_error("probe: pipe failed");
  std::fflush(nullptr);
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("probe: fork failed");
  if (pid == 0) {
    ::close(fds[0]);
    const protocol::Probe p = probe();
    const std::string line = (p.passed ? "1" : "0") + p.guarantee + "\n" + p.detail;
    const bool written = ::write(fds[1], line.data(), line.size()) == static_cast<ssize_t>(line.size());
    ::_exit(written ? 0 : 1);
  }
  ::close(fds[1]);
  std::string line;
  char buffer[256];
  for (ssize_t n; (n = ::read(fds[0], buffer, sizeof buffer)) > 0;) line.append(buffer, static_cast<std::size_t>(n));
  ::close(fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  const std::size_t newline = line.find('\n');
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || newline == std::string::npos)
    throw std::runtime_error("probe: the probe process failed");
  return {line.substr(1, newline - 1), line[0] == '1', line.substr(newline + 1)};
}

class LibuvPeer final : public Peer {
 public:
  protocol::Hello hello() override {
    protocol::Hello h;
    h.backend = kBackend;
    h.version = uv_version_string();
    h.description = "libuv " + h.version;
    return h;
  }

  std::unique_ptr<PeerTransport> open(std::int64_t requests, std::optional<std::int64_t> workers) override {
    if (!workers_fixed_) {
      // Before any uv_queue_work of this process: the pool reads it when it starts.
      if (workers) ::setenv("UV_THREADPOOL_SIZE", std::to_string(*workers).c_str(), 1);
      workers_ = workers;
      workers_fixed_ = true;
    } else if (workers != workers_) {
      throw protocol::RequestError("one libuv driver serves one workers value; this one serves " + describe(workers_) +
                                   ", not " + describe(workers) + " (libuv reads UV_THREADPOOL_SIZE once per process)");
    }
    pool_may_have_started_ = true;  // The transport's first run starts it.
    return std::make_unique<UvTransport>(requests);
  }

  std::vector<protocol::Probe> probe() override {
    // exception_transfer is left out: libuv is a C library, a job has no exception to transfer.
    // The context-variable guarantees are left out: libuv has no context variables.
    return {pool_may_have_started_ ? probe_cancellation_transfer() : probe_in_child(&probe_cancellation_transfer)};
  }

 private:
  static std::string describe(std::optional<std::int64_t> workers) {
    return workers ? "workers = " + std::to_string(*workers) : "the default workers";
  }

  std::optional<std::int64_t> workers_;
  bool workers_fixed_ = false;
  bool pool_may_have_started_ = false;
};

}  // namespace
}  // namespace offload::drivers

int main() {
  offload::drivers::LibuvPeer peer;
  return offload::drivers::run_driver(peer, offload::drivers::kBackend);
}
