// The driver client against the real CPython driver script (and a few deliberately broken
// ones): typed calls, unsupported selections, the probes on the real asyncio, and errors that
// arrive as one-line exceptions rather than hangs, orphans or a SIGPIPE.
#include "backend/driver_client.hpp"

#include <gtest/gtest.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <stdexcept>
#include <thread>
#include <utility>
#include <variant>
#include <string>

namespace offload::backend {
namespace {

namespace fs = std::filesystem;
using protocol::Probe;
using protocol::Sample;
using protocol::StrategySelection;
using protocol::WorkloadId;
using protocol::WorkloadSpec;

// The interpreter's (major, minor), asked directly so a driver that cannot even start on it is
// reported as too old rather than as a failure; nullopt when it cannot be asked.
std::optional<std::pair<int, int>> interpreter_version(const std::string& python) {
  const std::string command = "'" + python + "' -c 'import sys; print(sys.version_info[0], sys.version_info[1])'";
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return std::nullopt;
  int major = 0;
  int minor = 0;
  const bool parsed = std::fscanf(pipe, "%d %d", &major, &minor) == 2;
  ::pclose(pipe);
  if (!parsed) return std::nullopt;
  return std::pair{major, minor};
}

// A process that exists and is not a zombie waiting for its reaper.
bool alive(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  const auto close_paren = text.rfind(')');
  return close_paren != std::string::npos && close_paren + 2 < text.size() && text[close_paren + 2] != 'Z';
}

// A per-process directory for scripts that misbehave on purpose; removed after each test.
fs::path temp_dir() { return fs::temp_directory_path() / ("offload-backend-test-" + std::to_string(::getpid())); }

std::string temp_script(const std::string& name, const std::string& text) {
  fs::create_directories(temp_dir());
  const fs::path path = temp_dir() / name;
  std::ofstream(path) << text;
  return path.string();
}

// The alternative a call must have returned, by value: the variant is usually a temporary.
template <class T, class Variant>
T expect_holds(Variant v) {
  if (!std::holds_alternative<T>(v)) throw std::logic_error("the call returned the other alternative");
  return std::get<T>(std::move(v));
}

class PythonDriverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto python = find_python("");
    if (!python) GTEST_SKIP() << "no python3 on PATH; the CPython backend needs Python >= 3.9";
    const auto version = interpreter_version(*python);
    if (!version || *version < std::pair{3, 9})
      GTEST_SKIP() << *python << " is not Python >= 3.9, which the CPython backend needs";
    python_ = *python;
    version_ = *version;
  }
  void TearDown() override { fs::remove_all(temp_dir()); }

  std::unique_ptr<DriverClient> start(const std::string& script = OFFLOAD_DRIVER_SCRIPT,
                                      DriverDeadlines deadlines = {}) const {
    return std::make_unique<DriverClient>(prefix(), std::vector<std::string>{python_, "-u", script}, deadlines);
  }
  std::string prefix() const { return "python driver (" + python_ + ")"; }

  // Whatever `f` throws as std::runtime_error, or "" when it throws nothing.
  template <class F>
  static std::string error_of(F&& f) {
    try {
      f();
    } catch (const std::runtime_error& e) {
      return e.what();
    }
    return "";
  }

  std::string python_;
  std::pair<int, int> version_;
};

WorkloadSpec workload(std::string kind, std::int64_t ops) {
  WorkloadSpec spec;
  spec.kind = std::move(kind);
  spec.ops = ops;
  return spec;
}

TEST_F(PythonDriverTest, HelloReportsTheInterpreterItRunsOn) {
  const protocol::Hello hello = start()->hello();
  EXPECT_EQ(hello.version.rfind(std::to_string(version_.first) + "." + std::to_string(version_.second) + ".", 0), 0u)
      << hello.version;
  EXPECT_EQ(hello.backend, "cpython");
  EXPECT_FALSE(hello.implementation.empty());
  EXPECT_TRUE(fs::exists(hello.executable)) << hello.executable;
}

// The state letter of one of this process's threads (/proc/self/task/TID/stat): 'R' runnable.
char thread_state(pid_t tid) {
  std::ifstream stat("/proc/self/task/" + std::to_string(tid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  const auto paren = text.rfind(')');
  return paren != std::string::npos && paren + 2 < text.size() ? text[paren + 2] : '?';
}

// Fidelity: while the driver samples, the thread waiting for it sleeps in poll and takes no CPU
// the driver's threads could use.
TEST_F(PythonDriverTest, TheCallingThreadSleepsWhileTheDriverSamples) {
  auto driver = start();
  WorkloadSpec sleepy = workload("offload", 40);
  sleepy.job = "sleep";
  sleepy.job_us = 5000;
  sleepy.concurrency = "sequential";
  const WorkloadId id = expect_holds<WorkloadId>(driver->open(sleepy, {{"offload", "copy_context_partial"}}));
  std::atomic<pid_t> caller{0};
  std::atomic<bool> done{false};
  std::thread sampling([&] {
    caller = static_cast<pid_t>(::syscall(SYS_gettid));
    driver->sample(id, 1);  // ~200 ms of sleeping jobs
    done = true;
  });
  while (caller == 0) std::this_thread::yield();
  std::this_thread::sleep_for(std::chrono::milliseconds(50));  // the request is under way
  int looked = 0;
  int runnable = 0;
  for (; looked < 50 && !done; ++looked) {
    runnable += thread_state(caller) == 'R';
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  sampling.join();
  EXPECT_GT(looked, 10) << "the sample ended before the thread could be watched";
  EXPECT_LE(runnable, 1) << runnable << " of " << looked << " looks found the waiting thread runnable";
}

TEST_F(PythonDriverTest, OffloadSampleCountsEveryOpOfEveryBatchAndTimesEachOne) {
  auto driver = start();
  const WorkloadId id = expect_holds<WorkloadId>(driver->open(workload("offload", 20), {{"offload", "copy_context_partial"}}));
  const Sample sample = driver->sample(id, 2);
  EXPECT_EQ(sample.ops, 40);
  EXPECT_GT(sample.wall_ns, 0);
  EXPECT_GT(sample.cpu_ns, 0);
  EXPECT_GE(sample.voluntary_switches, 0);
  EXPECT_GE(sample.gc_collections, 0);
  ASSERT_EQ(sample.latencies_ns.size(), 40u);
  for (std::int64_t latency : sample.latencies_ns) {
    EXPECT_GT(latency, 0);
    EXPECT_LE(latency, sample.wall_ns);
  }
  driver->close(id);
}

TEST_F(PythonDriverTest, MicroWorkloadsRunWithEitherStrategyAndReportNoLatencies) {
  auto driver = start();
  for (const char* strategy : {"per_field_locks", "snapshot"}) {
    const WorkloadId id = expect_holds<WorkloadId>(driver->open(workload("state_copy", 100), {{"state_copy", strategy}}));
    const Sample sample = driver->sample(id, 3);
    EXPECT_EQ(sample.ops, 300) << strategy;
    EXPECT_GT(sample.wall_ns, 0) << strategy;
    EXPECT_TRUE(sample.latencies_ns.empty()) << strategy;
    driver->close(id);
  }
  for (const char* strategy : {"copy_context_partial", "skip_empty_context"}) {
    WorkloadSpec wrap = workload("offload_wrap", 100);
    wrap.context_vars = 1;
    const WorkloadId id = expect_holds<WorkloadId>(driver->open(wrap, {{"offload", strategy}}));
    EXPECT_EQ(driver->sample(id, 1).ops, 100) << strategy;
    driver->close(id);
  }
}

TEST_F(PythonDriverTest, AStrategyCPythonLacksIsUnsupportedNotAnError) {
  auto driver = start();
  const StrategySelection direct{{"offload", "copy_context_partial"}, {"completion", "direct"}};
  const Unsupported opened = expect_holds<Unsupported>(driver->open(workload("offload", 10), direct));
  EXPECT_NE(opened.reason.find("completion=direct has no CPython counterpart"), std::string::npos) << opened.reason;
  const Unsupported probed = expect_holds<Unsupported>(driver->probe(direct));
  EXPECT_EQ(probed.reason, opened.reason);
  EXPECT_EQ(driver->hello().backend, "cpython") << "the driver stays usable";
}

TEST_F(PythonDriverTest, ADriverErrorThrowsItsMessageAndLeavesTheDriverUsable) {
  auto driver = start();
  const std::string error = error_of([&] { driver->sample(999, 1); });
  EXPECT_EQ(error, prefix() + ": sample: unknown workload id 999");
  const std::string bad_kind = error_of([&] { driver->open(workload("no_such_kind", 1), {}); });
  EXPECT_NE(bad_kind.find("workload.kind: unknown kind 'no_such_kind'"), std::string::npos) << bad_kind;
  EXPECT_EQ(driver->hello().backend, "cpython");
}

TEST_F(PythonDriverTest, ProbesShowTheEmptyContextShortcutLeakingIntoTheNextJob) {
  auto driver = start();
  for (const char* offload : {"copy_context_partial", "skip_empty_context"}) {
    const bool leaks = std::string(offload) == "skip_empty_context";
    const auto probes = expect_holds<std::vector<Probe>>(driver->probe({{"offload", offload}}));
    ASSERT_EQ(probes.size(), 4u);
    for (const Probe& p : probes) {
      if (p.guarantee == "job_isolation" && leaks) {
        EXPECT_FALSE(p.passed) << offload;
        EXPECT_NE(p.detail.find("next job on the worker thread saw job_var=1"), std::string::npos) << p.detail;
      } else {
        EXPECT_TRUE(p.passed) << offload << " " << p.guarantee << ": " << p.detail;
        EXPECT_EQ(p.detail, "ok");
      }
    }
  }
}

TEST_F(PythonDriverTest, ADriverThatExitsAtOnceFailsWithItsStatusAndLastStderrLine) {
  auto driver = start(temp_script("exits.py", "import sys\nsys.stderr.write('warming up\\nValueError: broke on purpose\\n')\nsys.exit(3)\n"));
  const std::string error = error_of([&] { driver->hello(); });
  EXPECT_EQ(error, prefix() + ": exited with status 3: ValueError: broke on purpose");
  EXPECT_EQ(error_of([&] { driver->hello(); }), error) << "a dead driver keeps failing the same way";
}

TEST_F(PythonDriverTest, AMalformedResponseEndsTheDriver) {
  auto driver = start(temp_script("garbage.py", "import sys\nprint('not json', flush=True)\nsys.stdin.read()\n"));
  const std::string error = error_of([&] { driver->hello(); });
  EXPECT_NE(error.find("malformed response to hello 'not json'"), std::string::npos) << error;
  EXPECT_EQ(driver->pid(), -1) << "the driver was ended and reaped";
}

// The script stops reading before it answers, so the second request meets a pipe without a
// reader: the write fails with EPIPE, and SIGPIPE must not kill the test.
TEST_F(PythonDriverTest, WritingToADriverThatStoppedReadingThrowsInsteadOfRaisingSigpipe) {
  auto driver = start(temp_script("deaf.py",
                                  "import os, sys, time\nos.close(0)\n"
                                  "print('{\"ok\": true, \"protocol\": 2, \"backend\": \"cpython\", \"version\": \"3.11.7\"}', flush=True)\n"
                                  "time.sleep(0.1)\n"));
  EXPECT_EQ(driver->hello().version, "3.11.7");
  const std::string error = error_of([&] { driver->hello(); });
  EXPECT_EQ(error, prefix() + ": stopped reading requests (exited with status 0)");
}

TEST_F(PythonDriverTest, DestructorEndsAndReapsTheDriver) {
  auto driver = start();
  ASSERT_EQ(driver->hello().backend, "cpython");
  const pid_t pid = driver->pid();
  ASSERT_GT(pid, 0);
  driver.reset();
  EXPECT_EQ(::waitpid(pid, nullptr, WNOHANG), -1);
  EXPECT_EQ(errno, ECHILD) << "already reaped";
}

TEST_F(PythonDriverTest, AProgramThatCannotBeExecutedIsReportedWhenStarting) {
  const std::string error =
      error_of([&] { DriverClient("libuv driver", {"/nonexistent/offload-bench-libuv-driver"}); });
  EXPECT_EQ(error, "libuv driver: cannot start '/nonexistent/offload-bench-libuv-driver': No such file or directory");
}

TEST_F(PythonDriverTest, ADriverThatHangsAtStartIsKilledAtTheStartupDeadline) {
  auto driver = start(temp_script("hangs.py", "import sys, time\nsys.stderr.write('importing\\n')\ntime.sleep(60)\n"),
                      DriverDeadlines{std::chrono::milliseconds(2000), std::chrono::milliseconds(300)});
  const pid_t pid = driver->pid();
  const std::string error = error_of([&] { driver->hello(); });
  EXPECT_EQ(error, prefix() + ": did not answer hello within 2 s (did not exit; killed): importing");
  EXPECT_EQ(driver->pid(), -1);
  EXPECT_FALSE(alive(pid));
}

TEST_F(PythonDriverTest, ADriverThatHangsMidProtocolIsKilledAtTheRequestDeadline) {
  auto driver = start(temp_script("stalls.py",
                                  "import sys, time, subprocess\n"
                                  "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\n"
                                  "sys.stdin.readline()\n"
                                  "print('{\"ok\": true, \"protocol\": 2, \"backend\": \"cpython\", \"version\": \"3\"}', flush=True)\n"
                                  "print(child.pid, file=sys.stderr, flush=True)\n"
                                  "time.sleep(60)\n"),
                      DriverDeadlines{std::chrono::milliseconds(5000), std::chrono::milliseconds(300)});
  ASSERT_EQ(driver->hello().backend, "cpython");
  const std::string error = error_of([&] { driver->close(1); });
  EXPECT_NE(error.find(": did not answer close within 0.3 s (did not exit; killed): "), std::string::npos) << error;
  const pid_t grandchild = static_cast<pid_t>(std::stol(error.substr(error.rfind(": ") + 2)));
  // The grandchild was in the driver's process group, killed with it; it is reaped by init.
  for (int i = 0; i < 100 && alive(grandchild); ++i) ::usleep(10'000);
  EXPECT_FALSE(alive(grandchild)) << "the driver's own children go with it";
}

TEST(FindPython, TakesAnExecutablePathOrANameOnPath) {
  EXPECT_EQ(find_python("/bin/sh"), "/bin/sh");
  EXPECT_EQ(find_python("/nonexistent/python3"), std::nullopt);
  EXPECT_EQ(find_python("offload-bench-no-such-interpreter"), std::nullopt);
  const std::string not_executable = temp_script("not_executable.py", "");
  fs::permissions(not_executable, fs::perms::owner_read | fs::perms::owner_write);
  EXPECT_EQ(find_python(not_executable), std::nullopt);
  fs::remove_all(temp_dir());
  if (const auto python = find_python("")) {
    EXPECT_EQ(::access(python->c_str(), X_OK), 0) << *python;
  }
}

TEST(FindDriverScript, LooksNextToTheBinaryThenInShare) {
  const fs::path root = temp_dir();
  fs::remove_all(root);
  fs::create_directories(root / "bin");
  fs::create_directories(root / "share" / "offload-bench");
  std::ofstream(root / "bin" / "offload-bench") << "";
  const fs::path binary = fs::canonical(root / "bin" / "offload-bench");
  const fs::path installed = fs::canonical(root / "share" / "offload-bench") / "offload_bench_driver";
  const fs::path beside = binary.parent_path() / "offload_bench_driver";

  EXPECT_EQ(find_driver_script(binary.string()), "") << "in neither place";
  fs::create_directories(installed);
  EXPECT_EQ(find_driver_script(binary.string()), "") << "a directory without __main__.py is no driver";
  std::ofstream(installed / "__main__.py") << "";
  EXPECT_EQ(find_driver_script(binary.string()), installed.string());
  fs::create_directories(beside);
  std::ofstream(beside / "__main__.py") << "";
  EXPECT_EQ(find_driver_script(binary.string()), beside.string());
  fs::remove_all(root);
}

}  // namespace
}  // namespace offload::backend
