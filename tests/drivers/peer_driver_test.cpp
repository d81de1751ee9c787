// The peer drivers end to end: each is spawned and spoken to in raw protocol lines, as the harness
// does, and its answers are checked against what the shape it claims to run implies.
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <numeric>
#include <ostream>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "protocol/wire.hpp"

namespace offload::drivers {
namespace {

using protocol::Response;

// A driver child process with its stdin and stdout on pipes; killed and reaped on destruction.
class DriverProcess {
 public:
  explicit DriverProcess(const std::string& path) {
    int to_child[2];
    int from_child[2];
    if (::pipe(to_child) != 0 || ::pipe(from_child) != 0) throw std::runtime_error("pipe failed");
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
      ::dup2(to_child[0], STDIN_FILENO);
      ::dup2(from_child[1], STDOUT_FILENO);
      for (int fd : {to_child[0], to_child[1], from_child[0], from_child[1]}) ::close(fd);
      ::execl(path.c_str(), path.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    ::close(to_child[0]);
    ::close(from_child[1]);
    in_ = to_child[1];
    out_ = from_child[0];
  }
  ~DriverProcess() {
    if (in_ >= 0) ::close(in_);
    ::close(out_);
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  DriverProcess(const DriverProcess&) = delete;
  DriverProcess& operator=(const DriverProcess&) = delete;

  // Writes one request line and returns the response line; throws after 60 s without one.
  std::string request(const std::string& line) {
    const std::string framed = line + "\n";
    if (::write(in_, framed.data(), framed.size()) != static_cast<ssize_t>(framed.size()))
      throw std::runtime_error("the driver stopped reading");
    return read_line();
  }
  Response decoded(const std::string& line) { return protocol::decode_response(request(line)); }

  // Closes the driver's stdin and returns its exit status (the driver must exit by itself).
  int wait_exit() {
    ::close(in_);
    in_ = -1;
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

 private:
  std::string read_line() {
    std::string line;
    char c = 0;
    for (;;) {
      pollfd p{out_, POLLIN, 0};
      if (::poll(&p, 1, 60'000) != 1) throw std::runtime_error("no response within 60 s");
      if (::read(out_, &c, 1) != 1) throw std::runtime_error("the driver closed its stdout");
      if (c == '\n') return line;
      line.push_back(c);
    }
  }

  pid_t pid_ = -1;
  int in_ = -1;
  int out_ = -1;
};

struct DriverCase {
  const char* backend;
  const char* path;
  bool one_workers_value;  // libuv: UV_THREADPOOL_SIZE is read once per process
};
void PrintTo(const DriverCase& c, std::ostream* os) { *os << c.backend; }

std::string open_request(const std::string& workload, const std::string& selection = "{}") {
  return R"({"cmd":"open","workload":)" + workload + R"(,"selection":)" + selection + "}";
}
std::string sample_request(protocol::WorkloadId id, int batches = 1) {
  return protocol::encode_sample_request(id, batches);
}

class PeerDriver : public ::testing::TestWithParam<DriverCase> {
 protected:
  void SetUp() override {
    if (::access(GetParam().path, X_OK) != 0) GTEST_SKIP() << GetParam().path << " was not built";
    driver_ = std::make_unique<DriverProcess>(GetParam().path);
    const protocol::Hello hello = protocol::decode_hello(driver_->decoded(protocol::encode_hello_request()));
    ASSERT_EQ(hello.backend, GetParam().backend);
    ASSERT_FALSE(hello.version.empty());
  }

  protocol::WorkloadId open(const std::string& workload, const std::string& selection = "{}") {
    return protocol::decode_opened(driver_->decoded(open_request(workload, selection)));
  }
  protocol::Sample sample(protocol::WorkloadId id, int batches = 1) {
    return protocol::decode_sample(driver_->decoded(sample_request(id, batches)));
  }

  std::unique_ptr<DriverProcess> driver_;
};

TEST_P(PeerDriver, BurstRunsEveryOpAndTimesEach) {
  const auto id = open(R"({"ops":1000,"job":"noop","concurrency":"gather","workers":2})");
  const protocol::Sample s = sample(id);
  EXPECT_EQ(s.ops, 1000);
  EXPECT_GT(s.wall_ns, 0);
  EXPECT_GT(s.cpu_ns, 0);
  ASSERT_EQ(s.latencies_ns.size(), 1000u);
  EXPECT_LT(s.wall_ns / s.ops, 1'000'000) << "more than 1 ms per no-op";
  for (std::int64_t latency : s.latencies_ns) {
    EXPECT_GT(latency, 0);
    EXPECT_LE(latency, s.wall_ns);
  }
  EXPECT_EQ(s.gc_collections, 0);
}

TEST_P(PeerDriver, SequentialRunsOneOpAtATime) {
  const auto id = open(R"({"ops":300,"job":"noop","concurrency":"sequential","workers":2})");
  const protocol::Sample s = sample(id, 2);
  EXPECT_EQ(s.ops, 600);
  ASSERT_EQ(s.latencies_ns.size(), 600u);
  // One op in flight at a time: the ops' latencies do not overlap, so they fit in the wall time.
  EXPECT_LE(std::accumulate(s.latencies_ns.begin(), s.latencies_ns.end(), std::int64_t{0}), s.wall_ns);
}

TEST_P(PeerDriver, BoundedKeepsAtMostLimitInFlight) {
  // 64 sleeps of 5 ms on 16 workers, at most 2 in flight: at least 32 rounds of 5 ms (160 ms),
  // where all in flight would take 4 rounds (20 ms).
  const auto id = open(R"({"ops":64,"job":"sleep","job_us":5000,"concurrency":"bounded","limit":2,"workers":16})");
  const protocol::Sample s = sample(id);
  EXPECT_EQ(s.ops, 64);
  EXPECT_GE(s.wall_ns, 32 * 5'000'000);
}

TEST_P(PeerDriver, GatherPutsEveryOpInFlight) {
  // 64 sleeps of 20 ms on 16 workers all in flight: 4 rounds (80 ms); one at a time would take
  // 1280 ms, and half of that is a wide margin for a loaded machine.
  const auto id = open(R"({"ops":64,"job":"sleep","job_us":20000,"concurrency":"gather","workers":16})");
  const protocol::Sample s = sample(id);
  EXPECT_GE(s.wall_ns, 4 * 20'000'000);
  EXPECT_LT(s.wall_ns, 640'000'000);
}

TEST_P(PeerDriver, SpinRunsTheModelsJobForItsTime) {
  const auto id = open(R"({"ops":20,"job":"spin","job_ns":200000,"concurrency":"sequential","workers":2})");
  EXPECT_GE(sample(id).wall_ns, 20 * 200'000);
}

TEST_P(PeerDriver, FileJobsRunOnTheirFiles) {
  for (const char* workload : {R"({"ops":100,"job":"stat","workers":2})", R"({"ops":100,"job":"read","job_kib":8,"workers":2})"})
    EXPECT_EQ(sample(open(workload)).ops, 100) << workload;
}

TEST_P(PeerDriver, BatchedGatherSendsOneRequestPerChunkOf64) {
  const auto batched = open(R"({"ops":1000,"workers":2})", R"({"gather":"batched"})");
  const protocol::Sample s = sample(batched);
  EXPECT_EQ(s.ops, 1000);
  ASSERT_EQ(s.latencies_ns.size(), 1000u);
  // Each op of a chunk completes with its chunk: 16 chunks, 16 latencies at most.
  EXPECT_LE(std::set<std::int64_t>(s.latencies_ns.begin(), s.latencies_ns.end()).size(), 16u);
  // Per op, every op completes on its own.
  const auto tasks = open(R"({"ops":1000,"workers":2})", R"({"gather":"tasks"})");
  const protocol::Sample t = sample(tasks);
  EXPECT_GT(std::set<std::int64_t>(t.latencies_ns.begin(), t.latencies_ns.end()).size(), 16u);
}

TEST_P(PeerDriver, LatenciesPastTheCapAreAUniformSubsample) {
  const auto id = open(R"({"ops":1000,"workers":2})");
  const protocol::Sample s = sample(id, 250);  // 250,000 ops: every second op's latency kept
  EXPECT_EQ(s.ops, 250'000);
  EXPECT_EQ(s.latencies_ns.size(), 125'000u);
}

TEST_P(PeerDriver, WhatThePeerCannotRunIsUnsupported) {
  const std::vector<std::pair<std::string, std::string>> unsupported = {
      {R"({"ops":10})", R"({"signal":"if_idle"})"},
      {R"({"ops":10,"context_vars":1})", "{}"},
      {R"({"ops":10,"timeout_ms":5})", "{}"},
      {R"({"ops":10,"loop":"uvloop"})", "{}"},
      {R"({"ops":10,"kind":"state_copy"})", "{}"},
      {R"({"ops":10,"job":"gil"})", "{}"},
  };
  for (const auto& [workload, selection] : unsupported) {
    const Response r = driver_->decoded(open_request(workload, selection));
    EXPECT_EQ(r.status, Response::Status::kUnsupported) << workload << " " << selection;
    EXPECT_FALSE(r.message.empty());
  }
  EXPECT_EQ(driver_->decoded(R"({"cmd":"probe","selection":{"wakeup":"coalesced"}})").status,
            Response::Status::kUnsupported);
  // The default strategy of an axis is the backend's own behaviour: accepted.
  EXPECT_EQ(driver_->decoded(open_request(R"({"ops":10})", R"({"signal":"always"})")).status, Response::Status::kOk);
}

TEST_P(PeerDriver, UnknownIdsAreErrorsAndTheDriverGoesOn) {
  EXPECT_EQ(driver_->decoded(open_request(R"({"ops":10})", R"({"no_such_axis":"x"})")).status,
            Response::Status::kError);
  EXPECT_EQ(driver_->decoded(open_request(R"({"ops":10,"job":"nap"})")).status, Response::Status::kError);
  EXPECT_EQ(driver_->decoded(sample_request(99)).status, Response::Status::kError);
  const auto id = open(R"({"ops":10})");
  EXPECT_EQ(sample(id).ops, 10);
  EXPECT_EQ(driver_->decoded(protocol::encode_close_request(id)).status, Response::Status::kOk);
  EXPECT_EQ(driver_->decoded(sample_request(id)).status, Response::Status::kError);
}

TEST_P(PeerDriver, OneWorkersValuePerProcessWhereThePeerNeedsIt) {
  open(R"({"ops":10,"workers":2})");
  const Response second = driver_->decoded(open_request(R"({"ops":10,"workers":3})"));
  if (GetParam().one_workers_value) {
    EXPECT_EQ(second.status, Response::Status::kError);
    EXPECT_NE(second.message.find("one libuv driver serves one workers value"), std::string::npos) << second.message;
    EXPECT_EQ(driver_->decoded(open_request(R"({"ops":10,"workers":2})")).status, Response::Status::kOk);
  } else {
    EXPECT_EQ(second.status, Response::Status::kOk);
  }
}

TEST_P(PeerDriver, ExitAnswersAndEndsTheDriver) {
  EXPECT_EQ(driver_->decoded(protocol::encode_exit_request()).status, Response::Status::kOk);
  EXPECT_EQ(driver_->wait_exit(), 0);
}

TEST_P(PeerDriver, EndOfInputEndsTheDriver) { EXPECT_EQ(driver_->wait_exit(), 0); }

INSTANTIATE_TEST_SUITE_P(Drivers, PeerDriver,
                         ::testing::Values(DriverCase{"libuv", OFFLOAD_LIBUV_DRIVER, true},
                                           DriverCase{"asio", OFFLOAD_ASIO_DRIVER, false}),
                         [](const auto& info) { return std::string(info.param.backend); });

// libuv's probe: uv_cancel of a queued request; run in a child before the pool starts (so a later
// open may still set workers) and in process after.
class LibuvProbe : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::access(OFFLOAD_LIBUV_DRIVER, X_OK) != 0) GTEST_SKIP() << "the libuv driver was not built";
  }
  static void expect_cancellation_transfer(DriverProcess& driver) {
    const auto probes = protocol::decode_probes(driver.decoded(R"({"cmd":"probe","selection":{}})"));
    ASSERT_EQ(probes.size(), 1u);
    EXPECT_EQ(probes[0].guarantee, "cancellation_transfer");
    EXPECT_TRUE(probes[0].passed) << probes[0].detail;
  }
};

TEST_F(LibuvProbe, CancellingAQueuedRequestKeepsItsJobFromRunning) {
  DriverProcess driver(OFFLOAD_LIBUV_DRIVER);
  expect_cancellation_transfer(driver);  // Before any open: in a child process.
  // The probe left this process's pool unstarted: an open still sets its size.
  const auto id = protocol::decode_opened(driver.decoded(open_request(R"({"ops":100,"workers":3})")));
  EXPECT_EQ(protocol::decode_sample(driver.decoded(sample_request(id))).ops, 100);
  expect_cancellation_transfer(driver);  // After a sample: in process, on the started pool.
}

TEST(AsioProbe, NoGuaranteeAppliesSoNoneIsClaimed) {
  if (::access(OFFLOAD_ASIO_DRIVER, X_OK) != 0) GTEST_SKIP() << "the Asio driver was not built";
  DriverProcess driver(OFFLOAD_ASIO_DRIVER);
  EXPECT_TRUE(protocol::decode_probes(driver.decoded(R"({"cmd":"probe","selection":{}})")).empty());
}

}  // namespace
}  // namespace offload::drivers
