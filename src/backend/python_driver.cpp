// PythonDriver: the driver's process, its three pipes and the line protocol.
//
// Protocol: the runner writes one request line and reads exactly one response line before the
// next request, so the two streams never get out of step unless the driver breaks the protocol
// (then the driver is ended and marked broken). While it waits for a response it also drains the
// driver's stderr into a bounded tail, so a driver writing diagnostics can never block on a full
// stderr pipe, and the tail's last line explains a death.
//
// Threading: one thread drives a PythonDriver. The only per-thread state touched is the calling
// thread's signal mask, briefly, around writes (SigpipeBlock).
#include "backend/python_driver.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <thread>

#include <nlohmann/json.hpp>

extern char** environ;

namespace offload::backend {

using nlohmann::json;

struct PythonDriver::Response {
  json body;                               // the response object, when "ok" is true
  std::optional<std::string> unsupported;  // the reason, when the driver answered "unsupported"
};

namespace {

constexpr int kProtocol = 1;
// Far above any real response (a sample of a million ops is ~10 MB): a driver past this is
// writing without newlines, not answering.
constexpr std::size_t kMaxResponseBytes = std::size_t{512} << 20;
// How long a driver that broke the protocol, or stopped reading, gets to exit before it is killed.
constexpr std::chrono::milliseconds kFailureGrace{500};
// The driver is a directory Python runs as a script (its __main__.py), not a single file.
constexpr const char* kDriverDirectoryName = "offload_bench_driver";

std::string errno_text(int error) { return std::strerror(error); }

// A response line shortened for an error message.
std::string excerpt(const std::string& line) {
  constexpr std::size_t kMax = 120;
  return "'" + (line.size() <= kMax ? line : line.substr(0, kMax) + "...") + "'";
}

// Writing to a pipe whose reader is gone raises SIGPIPE, which kills the process by default,
// and a pipe has no MSG_NOSIGNAL. Ignoring SIGPIPE process-wide would change the whole
// program's behaviour (its own stdout, other threads), so the signal is blocked on the writing
// thread only, for the write: the SIGPIPE a write raises is directed at the thread that wrote,
// stays pending while blocked, and the write fails with EPIPE. Before the old mask comes back,
// that pending SIGPIPE is consumed with a zero-timeout sigtimedwait — unless one was already
// pending when the block began, which is not ours to swallow.
class SigpipeBlock {
 public:
  SigpipeBlock() {
    sigemptyset(&sigpipe_);
    sigaddset(&sigpipe_, SIGPIPE);
    ::pthread_sigmask(SIG_BLOCK, &sigpipe_, &previous_);
    sigset_t pending;
    sigemptyset(&pending);
    ::sigpending(&pending);
    was_pending_ = sigismember(&pending, SIGPIPE) == 1;
  }
  ~SigpipeBlock() {
    if (raised_ && !was_pending_) {
      const int saved_errno = errno;
      const timespec no_wait{0, 0};
      while (::sigtimedwait(&sigpipe_, nullptr, &no_wait) < 0 && errno == EINTR) {
      }
      errno = saved_errno;
    }
    ::pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
  }
  SigpipeBlock(const SigpipeBlock&) = delete;
  SigpipeBlock& operator=(const SigpipeBlock&) = delete;

  void write_failed_with_epipe() { raised_ = true; }

 private:
  sigset_t sigpipe_;
  sigset_t previous_;
  bool was_pending_ = false;
  bool raised_ = false;
};

// A pipe whose ends are close-on-exec and above 0, 1 and 2: the child's ends are dup2'ed onto
// those, and an end already sitting there would be clobbered by another dup2 or, dup2'ed onto
// itself, keep its close-on-exec flag.
struct Pipe {
  int read = -1;
  int write = -1;
};

void close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

Pipe make_pipe(const std::string& prefix) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error(prefix + "cannot create a pipe: " + errno_text(errno));
  for (int& fd : fds) {
    if (fd > 2) continue;
    const int moved = ::fcntl(fd, F_DUPFD_CLOEXEC, 3);
    const int error = errno;
    ::close(fd);
    fd = moved;
    if (moved < 0) {
      for (int& other : fds) close_fd(other);
      throw std::runtime_error(prefix + "cannot create a pipe: " + errno_text(error));
    }
  }
  return {fds[0], fds[1]};
}

std::string describe_wait_status(int status, bool killed) {
  if (killed) return "did not exit; killed";
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status))
    return "was killed by signal " + std::to_string(WTERMSIG(status)) + " (" + ::strsignal(WTERMSIG(status)) + ")";
  return "ended with wait status " + std::to_string(status);
}

json workload_json(const WorkloadSpec& w) {
  return json{{"kind", w.kind},
              {"job", w.job},
              {"job_ns", w.job_ns},
              {"job_us", w.job_us},
              {"job_kib", w.job_kib},
              {"ops", w.ops},
              {"concurrency", w.concurrency},
              {"limit", w.limit},
              {"context_vars", w.context_vars},
              {"timeout_ms", w.timeout_ms ? json(*w.timeout_ms) : json(nullptr)},
              {"gc", w.gc},
              {"workers", w.workers ? json(*w.workers) : json(nullptr)}};
}

json selection_json(const StrategySelection& selection) {
  json object = json::object();
  for (const auto& [axis, strategy] : selection) object[axis] = strategy;
  return object;
}

// "3.11.7", "3.13.0rc1": the leading digits of each dot-separated part.
PythonVersion parse_version(const std::string& text) {
  PythonVersion version;
  int* parts[] = {&version.major, &version.minor, &version.micro};
  const char* at = text.data();
  const char* end = text.data() + text.size();
  for (int* part : parts) {
    const auto [next, error] = std::from_chars(at, end, *part);
    if (error != std::errc{}) break;
    at = next;
    if (at == end || *at != '.') break;
    ++at;
  }
  return version;
}

bool is_executable_file(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

// What `python <path>` runs: a script file, or a directory holding __main__.py.
bool is_runnable_script(const std::filesystem::path& path) {
  std::error_code ec;
  return std::filesystem::is_regular_file(path, ec) || std::filesystem::is_regular_file(path / "__main__.py", ec);
}

}  // namespace

PythonDriver::PythonDriver(std::string python, std::string script)
    : python_(std::move(python)), script_(std::move(script)), prefix_("python driver (" + python_ + "): ") {
  if (!is_runnable_script(script_))
    throw std::runtime_error(prefix_ + "no driver script at '" + script_ + "'");

  Pipe input = make_pipe(prefix_);
  Pipe output;
  Pipe errors;
  try {
    output = make_pipe(prefix_);
    errors = make_pipe(prefix_);
  } catch (...) {
    for (int* fd : {&input.read, &input.write, &output.read, &output.write}) close_fd(*fd);
    throw;
  }

  posix_spawn_file_actions_t actions;
  ::posix_spawn_file_actions_init(&actions);
  ::posix_spawn_file_actions_adddup2(&actions, input.read, STDIN_FILENO);
  ::posix_spawn_file_actions_adddup2(&actions, output.write, STDOUT_FILENO);
  ::posix_spawn_file_actions_adddup2(&actions, errors.write, STDERR_FILENO);

  // An empty signal mask, SIGPIPE at its default (Python sets its own), and a process group of
  // its own so a terminal's Ctrl-C reaches only the runner.
  posix_spawnattr_t attributes;
  ::posix_spawnattr_init(&attributes);
  sigset_t no_signals;
  sigemptyset(&no_signals);
  ::posix_spawnattr_setsigmask(&attributes, &no_signals);
  sigset_t default_signals;
  sigemptyset(&default_signals);
  sigaddset(&default_signals, SIGPIPE);
  ::posix_spawnattr_setsigdefault(&attributes, &default_signals);
  ::posix_spawnattr_setpgroup(&attributes, 0);
  ::posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);

  std::string unbuffered = "-u";
  char* argv[] = {python_.data(), unbuffered.data(), script_.data(), nullptr};
  const int error = ::posix_spawnp(&pid_, python_.c_str(), &actions, &attributes, argv, environ);
  ::posix_spawn_file_actions_destroy(&actions);
  ::posix_spawnattr_destroy(&attributes);

  for (int* fd : {&input.read, &output.write, &errors.write}) close_fd(*fd);
  if (error != 0) {
    pid_ = -1;
    for (int* fd : {&input.write, &output.read, &errors.read}) close_fd(*fd);
    throw std::runtime_error(prefix_ + "cannot start '" + python_ + " -u " + script_ + "': " + errno_text(error));
  }
  to_stdin_ = input.write;
  from_stdout_ = output.read;
  from_stderr_ = errors.read;
}

PythonDriver::~PythonDriver() {
  if (pid_ > 0 && broken_.empty() && to_stdin_ >= 0) {
    try {
      write_line("{\"cmd\":\"exit\"}\n");  // Its answer is left unread: nothing depends on it.
    } catch (...) {
      // The driver is already gone; reap() below collects it.
    }
  }
  close_fd(to_stdin_);  // EOF: a driver that missed "exit" leaves too.
  reap(kExitGrace);
  close_fd(from_stdout_);
  close_fd(from_stderr_);
}

DriverHello PythonDriver::hello() {
  const Response response = call("hello", json{{"cmd", "hello"}}.dump());
  try {
    const json& body = response.body;
    if (const int protocol = body.at("protocol").get<int>(); protocol != kProtocol)
      fail_request("hello", "speaks protocol " + std::to_string(protocol) + "; this offload-bench speaks " +
                                std::to_string(kProtocol));
    return DriverHello{parse_version(body.at("python").get<std::string>()),
                       body.at("implementation").get<std::string>(), body.at("executable").get<std::string>(),
                       body.at("has_get_snapshot").get<bool>()};
  } catch (const json::exception& e) {
    fail_request("hello", std::string("unexpected response: ") + e.what());
  }
}

std::variant<WorkloadId, Unsupported> PythonDriver::open(const WorkloadSpec& workload,
                                                         const StrategySelection& selection) {
  Response response;
  try {
    response = call("open", json{{"cmd", "open"}, {"workload", workload_json(workload)},
                                 {"selection", selection_json(selection)}}.dump());
  } catch (const json::exception& e) {  // A string that is not UTF-8 cannot be sent.
    fail_request("open", std::string("cannot encode the request: ") + e.what());
  }
  if (response.unsupported) return Unsupported{*response.unsupported};
  try {
    return response.body.at("id").get<WorkloadId>();
  } catch (const json::exception& e) {
    fail_request("open", std::string("unexpected response: ") + e.what());
  }
}

DriverSample PythonDriver::sample(WorkloadId id, std::int64_t batches) {
  const Response response = call("sample", json{{"cmd", "sample"}, {"id", id}, {"batches", batches}}.dump());
  try {
    const json& body = response.body;
    DriverSample sample;
    sample.ops = body.at("ops").get<std::int64_t>();
    sample.wall_ns = body.at("wall_ns").get<std::int64_t>();
    sample.cpu_ns = body.at("cpu_ns").get<std::int64_t>();
    sample.voluntary_switches = body.at("voluntary_switches").get<std::int64_t>();
    sample.involuntary_switches = body.at("involuntary_switches").get<std::int64_t>();
    sample.gc_collections = body.at("gc_collections").get<std::int64_t>();
    sample.gc_ns = body.at("gc_ns").get<std::int64_t>();
    if (const auto it = body.find("latencies_ns"); it != body.end())
      sample.latencies_ns = it->get<std::vector<std::int64_t>>();
    return sample;
  } catch (const json::exception& e) {
    fail_request("sample", std::string("unexpected response: ") + e.what());
  }
}

std::variant<std::vector<DriverProbe>, Unsupported> PythonDriver::probe(const StrategySelection& selection) {
  Response response;
  try {
    response = call("probe", json{{"cmd", "probe"}, {"selection", selection_json(selection)}}.dump());
  } catch (const json::exception& e) {
    fail_request("probe", std::string("cannot encode the request: ") + e.what());
  }
  if (response.unsupported) return Unsupported{*response.unsupported};
  try {
    std::vector<DriverProbe> probes;
    for (const json& p : response.body.at("probes"))
      probes.push_back({p.at("guarantee").get<std::string>(), p.at("passed").get<bool>(),
                        p.at("detail").get<std::string>()});
    return probes;
  } catch (const json::exception& e) {
    fail_request("probe", std::string("unexpected response: ") + e.what());
  }
}

void PythonDriver::close(WorkloadId id) { call("close", json{{"cmd", "close"}, {"id", id}}.dump()); }

PythonDriver::Response PythonDriver::call(std::string_view cmd, const std::string& request_line) {
  if (!broken_.empty()) throw std::runtime_error(broken_);
  write_line(request_line + "\n");
  const std::string line = read_line();
  json body;
  try {
    body = json::parse(line);
  } catch (const json::parse_error& e) {
    fail_stream("malformed response to " + std::string(cmd) + " " + excerpt(line) + ": " + e.what());
  }
  const auto ok = body.is_object() ? body.find("ok") : body.end();
  if (!body.is_object() || ok == body.end() || !ok->is_boolean())
    fail_stream("response to " + std::string(cmd) + " without \"ok\": " + excerpt(line));
  if (ok->get<bool>()) return {std::move(body), std::nullopt};
  if (const auto reason = body.find("unsupported"); reason != body.end() && reason->is_string())
    return {json(), reason->get<std::string>()};
  if (const auto error = body.find("error"); error != body.end() && error->is_string())
    fail_request(cmd, error->get<std::string>());
  fail_request(cmd, "failed without saying why: " + excerpt(line));
}

void PythonDriver::write_line(const std::string& line) {
  SigpipeBlock block;
  std::size_t written = 0;
  while (written < line.size()) {
    const ssize_t n = ::write(to_stdin_, line.data() + written, line.size() - written);
    if (n >= 0) {
      written += static_cast<std::size_t>(n);
      continue;
    }
    if (errno == EINTR) continue;
    const int error = errno;
    if (error == EPIPE) {
      block.write_failed_with_epipe();
      fail_stream("stopped reading requests");
    }
    fail_stream("cannot send a request: " + errno_text(error));
  }
}

std::string PythonDriver::read_line() {
  for (;;) {
    if (const auto newline = stdout_buffer_.find('\n'); newline != std::string::npos) {
      std::string line = stdout_buffer_.substr(0, newline);
      stdout_buffer_.erase(0, newline + 1);
      return line;
    }
    if (stdout_buffer_.size() > kMaxResponseBytes)
      fail_stream("wrote " + std::to_string(stdout_buffer_.size()) + " bytes without ending the response line");
    pollfd fds[2] = {{from_stdout_, POLLIN, 0}, {from_stderr_, POLLIN, 0}};  // poll skips a -1 fd.
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      fail_stream("cannot wait for a response: " + errno_text(errno));
    }
    if (fds[1].revents != 0) read_stderr();  // First, so a death's last words are in the tail.
    if (fds[0].revents == 0) continue;
    char chunk[64 * 1024];
    const ssize_t n = ::read(from_stdout_, chunk, sizeof chunk);
    if (n > 0) {
      stdout_buffer_.append(chunk, static_cast<std::size_t>(n));
    } else if (n == 0) {
      fail_stream("");  // EOF: the driver exited (the exit status says how).
    } else if (errno != EINTR) {
      fail_stream("cannot read a response: " + errno_text(errno));
    }
  }
}

// One read of the driver's stderr into the tail. Returns false at EOF (and closes the pipe).
bool PythonDriver::read_stderr() {
  if (from_stderr_ < 0) return false;
  char chunk[4096];
  const ssize_t n = ::read(from_stderr_, chunk, sizeof chunk);
  if (n < 0) {
    if (errno == EINTR) return true;
    close_fd(from_stderr_);
    return false;
  }
  if (n == 0) {
    close_fd(from_stderr_);
    return false;
  }
  stderr_tail_.append(chunk, static_cast<std::size_t>(n));
  if (stderr_tail_.size() > kStderrTailBytes) stderr_tail_.erase(0, stderr_tail_.size() - kStderrTailBytes);
  return true;
}

std::string PythonDriver::last_stderr_line() const {
  const auto end = stderr_tail_.find_last_not_of(" \t\r\n");
  if (end == std::string::npos) return "";
  const auto newline = stderr_tail_.rfind('\n', end);
  const auto begin = newline == std::string::npos ? 0 : newline + 1;
  return stderr_tail_.substr(begin, end + 1 - begin);
}

// Waits up to `grace` for the driver to exit, draining its stderr meanwhile (a driver blocked
// writing there could never exit), then kills it. Afterwards reads what is left of its stderr.
void PythonDriver::reap(std::chrono::milliseconds grace) {
  using Clock = std::chrono::steady_clock;
  constexpr std::chrono::milliseconds kPollPeriod{5};
  const auto deadline = Clock::now() + grace;
  while (pid_ > 0) {
    int status = 0;
    const pid_t reaped = ::waitpid(pid_, &status, WNOHANG);
    if (reaped == pid_) {
      wait_status_ = status;
      pid_ = -1;
    } else if (reaped < 0 && errno != EINTR) {
      pid_ = -1;  // ECHILD: not ours to wait for any more (SIGCHLD ignored); nothing to collect.
    } else if (Clock::now() >= deadline) {
      ::kill(pid_, SIGKILL);
      while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
      }
      wait_status_ = status;
      killed_ = true;
      pid_ = -1;
    } else if (from_stderr_ >= 0) {
      pollfd fd{from_stderr_, POLLIN, 0};
      if (::poll(&fd, 1, static_cast<int>(kPollPeriod.count())) > 0) read_stderr();
    } else {
      std::this_thread::sleep_for(kPollPeriod);
    }
  }
  // The pipe reaches EOF once the driver is gone; a bounded wait in case something inherited it.
  const auto drain_deadline = Clock::now() + std::chrono::milliseconds(100);
  while (from_stderr_ >= 0 && Clock::now() < drain_deadline) {
    pollfd fd{from_stderr_, POLLIN, 0};
    if (::poll(&fd, 1, 10) > 0 && !read_stderr()) break;
  }
}

void PythonDriver::fail_stream(const std::string& what) {
  close_fd(to_stdin_);  // EOF asks a driver that is still alive to leave.
  reap(kFailureGrace);
  const std::string status = describe_wait_status(wait_status_, killed_);
  std::string message = prefix_ + (what.empty() ? status : what + " (" + status + ")");
  if (const std::string line = last_stderr_line(); !line.empty()) message += ": " + line;
  broken_ = message;
  throw std::runtime_error(message);
}

void PythonDriver::fail_request(std::string_view cmd, const std::string& message) const {
  throw std::runtime_error(prefix_ + std::string(cmd) + ": " + message);
}

std::optional<std::string> find_python(std::string_view requested) {
  const std::string name = requested.empty() ? "python3" : std::string(requested);
  if (name.find('/') != std::string::npos) {
    if (is_executable_file(name)) return name;
    return std::nullopt;
  }
  const char* path = std::getenv("PATH");
  const std::string directories = path != nullptr && *path != '\0' ? path : "/usr/local/bin:/usr/bin:/bin";
  std::size_t begin = 0;
  for (;;) {
    const std::size_t end = directories.find(':', begin);
    std::string directory = directories.substr(begin, end == std::string::npos ? std::string::npos : end - begin);
    if (directory.empty()) directory = ".";  // An empty PATH entry means the current directory.
    if (std::string candidate = directory + "/" + name; is_executable_file(candidate)) return candidate;
    if (end == std::string::npos) return std::nullopt;
    begin = end + 1;
  }
}

std::string find_driver_script(const std::string& argv0_or_exe_path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  std::vector<fs::path> binaries;
  if (!argv0_or_exe_path.empty() && fs::is_regular_file(argv0_or_exe_path, ec)) {
    if (fs::path binary = fs::canonical(argv0_or_exe_path, ec); !ec) binaries.push_back(binary);
  }
  if (fs::path binary = fs::read_symlink("/proc/self/exe", ec); !ec) binaries.push_back(binary);
  for (const fs::path& binary : binaries) {
    const fs::path directory = binary.parent_path();
    for (const fs::path& candidate :
         {directory / kDriverDirectoryName, directory / ".." / "share" / "offload-bench" / kDriverDirectoryName}) {
      if (fs::is_regular_file(candidate / "__main__.py", ec)) return candidate.lexically_normal().string();
    }
  }
  return "";
}

}  // namespace offload::backend
