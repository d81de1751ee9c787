// DriverClient: the driver's process, its three pipes, its deadlines and the line protocol.
//
// Protocol: the client writes one request line and reads exactly one response line before the
// next request, so the two streams never get out of step unless the driver breaks the protocol
// (then the driver is ended and marked broken). While it waits for a response it also drains the
// driver's stderr into a bounded tail, so a driver writing diagnostics can never block on a full
// stderr pipe, and the tail's last line explains a death.
//
// Threading: one thread drives a DriverClient. The only per-thread state touched is the calling
// thread's signal mask, briefly, around writes (SigpipeBlock).
#include "backend/driver_client.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace offload::backend {

namespace {

// Far above any real response (a sample of a million ops is ~10 MB): a driver past this is
// writing without newlines, not answering.
constexpr std::size_t kMaxResponseBytes = std::size_t{512} << 20;
// How long a driver that broke the protocol, or stopped reading, gets to exit before it is killed.
constexpr std::chrono::milliseconds kFailureGrace{500};
// The driver is a directory Python runs as a script (its __main__.py), not a single file.
constexpr const char* kDriverDirectoryName = "offload_bench_driver";

std::string errno_text(int error) { return std::strerror(error); }

std::string seconds_text(std::chrono::milliseconds d) {
  char text[32];
  std::snprintf(text, sizeof text, "%g s", static_cast<double>(d.count()) / 1000.0);
  return text;
}

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

bool is_executable_file(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

}  // namespace

DriverClient::DriverClient(std::string name, std::vector<std::string> argv, DriverDeadlines deadlines)
    : name_(std::move(name)), prefix_(name_ + ": "), deadlines_(deadlines) {
  if (argv.empty()) throw std::logic_error("DriverClient: empty argv");
  Pipe input = make_pipe(prefix_);
  Pipe output;
  Pipe errors;
  Pipe exec_status;  // The child writes exec's errno here; close-on-exec, so EOF means it ran.
  try {
    output = make_pipe(prefix_);
    errors = make_pipe(prefix_);
    exec_status = make_pipe(prefix_);
  } catch (...) {
    for (int* fd : {&input.read, &input.write, &output.read, &output.write, &errors.read, &errors.write}) close_fd(*fd);
    throw;
  }
  std::vector<char*> args;
  for (std::string& arg : argv) args.push_back(arg.data());
  args.push_back(nullptr);
  const pid_t parent = ::getpid();

  // fork + exec rather than posix_spawn: the child must set its parent-death signal, which no
  // spawn attribute can. Between fork and exec the child calls only async-signal-safe functions.
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::setpgid(0, 0);  // A group of its own: a terminal's Ctrl-C reaches only the harness.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);  // The harness died before the signal was set.
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::signal(SIGPIPE, SIG_DFL);
    ::dup2(input.read, STDIN_FILENO);
    ::dup2(output.write, STDOUT_FILENO);
    ::dup2(errors.write, STDERR_FILENO);
    ::execv(args[0], args.data());
    const int error = errno;
    [[maybe_unused]] const ssize_t written = ::write(exec_status.write, &error, sizeof error);
    ::_exit(127);
  }
  const int fork_error = errno;
  for (int* fd : {&input.read, &output.write, &errors.write, &exec_status.write}) close_fd(*fd);
  int exec_error = 0;
  if (pid > 0) {
    ::setpgid(pid, pid);  // Also here, so the group exists before any kill(-pid) below.
    ssize_t n;
    while ((n = ::read(exec_status.read, &exec_error, sizeof exec_error)) < 0 && errno == EINTR) {
    }
    if (n <= 0) exec_error = 0;
  }
  close_fd(exec_status.read);
  if (pid < 0 || exec_error != 0) {
    if (pid > 0) {
      int status = 0;
      while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
      }
    }
    for (int* fd : {&input.write, &output.read, &errors.read}) close_fd(*fd);
    throw std::runtime_error(prefix_ + "cannot start '" + argv.front() + "': " +
                             errno_text(pid < 0 ? fork_error : exec_error));
  }
  pid_ = pid;
  to_stdin_ = input.write;
  from_stdout_ = output.read;
  from_stderr_ = errors.read;
}

DriverClient::~DriverClient() {
  if (pid_ > 0 && broken_.empty() && to_stdin_ >= 0) {
    try {
      write_line(protocol::encode_exit_request() + "\n");  // Its answer is left unread.
    } catch (...) {
      // The driver is already gone; reap() below collects it.
    }
  }
  close_fd(to_stdin_);  // EOF: a driver that missed "exit" leaves too.
  reap(kExitGrace);
  close_fd(from_stdout_);
  close_fd(from_stderr_);
}

protocol::Hello DriverClient::hello() {
  const protocol::Response response = call("hello", protocol::encode_hello_request(), deadlines_.startup);
  try {
    protocol::Hello hello = protocol::decode_hello(response);
    if (hello.protocol != protocol::kProtocolVersion)
      fail_request("hello", "speaks protocol " + std::to_string(hello.protocol) + "; this offload-bench speaks " +
                                std::to_string(protocol::kProtocolVersion));
    return hello;
  } catch (const protocol::RequestError& e) {
    fail_stream(std::string("unexpected response to hello: ") + e.what());
  }
}

std::variant<protocol::WorkloadId, Unsupported> DriverClient::open(const protocol::WorkloadSpec& workload,
                                                                   const protocol::StrategySelection& selection) {
  const protocol::Response response =
      call("open", protocol::encode_open_request(workload, selection), deadlines_.request);
  if (response.status == protocol::Response::Status::kUnsupported) return Unsupported{response.message};
  try {
    return protocol::decode_opened(response);
  } catch (const protocol::RequestError& e) {
    fail_stream(std::string("unexpected response to open: ") + e.what());
  }
}

protocol::Sample DriverClient::sample(protocol::WorkloadId id, std::int64_t batches) {
  const protocol::Response response =
      call("sample", protocol::encode_sample_request(id, batches), deadlines_.request);
  if (response.status == protocol::Response::Status::kUnsupported) fail_request("sample", response.message);
  try {
    return protocol::decode_sample(response);
  } catch (const protocol::RequestError& e) {
    fail_stream(std::string("unexpected response to sample: ") + e.what());
  }
}

std::variant<std::vector<protocol::Probe>, Unsupported> DriverClient::probe(
    const protocol::StrategySelection& selection) {
  const protocol::Response response = call("probe", protocol::encode_probe_request(selection), deadlines_.request);
  if (response.status == protocol::Response::Status::kUnsupported) return Unsupported{response.message};
  try {
    return protocol::decode_probes(response);
  } catch (const protocol::RequestError& e) {
    fail_stream(std::string("unexpected response to probe: ") + e.what());
  }
}

void DriverClient::close(protocol::WorkloadId id) {
  call("close", protocol::encode_close_request(id), deadlines_.request);
}

protocol::Response DriverClient::call(std::string_view cmd, const std::string& request_line,
                                      std::chrono::milliseconds deadline) {
  if (!broken_.empty()) throw std::runtime_error(broken_);
  write_line(request_line + "\n");
  const std::string line = read_line(cmd, deadline);
  protocol::Response response;
  try {
    response = protocol::decode_response(line);
  } catch (const protocol::RequestError& e) {
    fail_stream("malformed response to " + std::string(cmd) + " " + excerpt(line) + ": " + e.what());
  }
  if (response.status == protocol::Response::Status::kError) fail_request(cmd, response.message);
  return response;
}

void DriverClient::write_line(const std::string& line) {
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

std::string DriverClient::read_line(std::string_view cmd, std::chrono::milliseconds deadline) {
  using Clock = std::chrono::steady_clock;
  const auto expires = Clock::now() + deadline;
  for (;;) {
    if (const auto newline = stdout_buffer_.find('\n'); newline != std::string::npos) {
      std::string line = stdout_buffer_.substr(0, newline);
      stdout_buffer_.erase(0, newline + 1);
      return line;
    }
    if (stdout_buffer_.size() > kMaxResponseBytes)
      fail_stream("wrote " + std::to_string(stdout_buffer_.size()) + " bytes without ending the response line");
    pollfd fds[2] = {{from_stdout_, POLLIN, 0}, {from_stderr_, POLLIN, 0}};  // poll skips a -1 fd.
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(expires - Clock::now());
    if (left.count() <= 0)
      fail_stream("did not answer " + std::string(cmd) + " within " + seconds_text(deadline));
    const int ready = ::poll(fds, 2, static_cast<int>(std::min<std::int64_t>(left.count(), 1'000'000)));
    if (ready < 0) {
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
bool DriverClient::read_stderr() {
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

std::string DriverClient::last_stderr_line() const {
  const auto end = stderr_tail_.find_last_not_of(" \t\r\n");
  if (end == std::string::npos) return "";
  const auto newline = stderr_tail_.rfind('\n', end);
  const auto begin = newline == std::string::npos ? 0 : newline + 1;
  return stderr_tail_.substr(begin, end + 1 - begin);
}

// Waits up to `grace` for the driver to exit, draining its stderr meanwhile (a driver blocked
// writing there could never exit), then kills it. Afterwards reads what is left of its stderr.
void DriverClient::reap(std::chrono::milliseconds grace) {
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
      ::kill(-pid_, SIGKILL);  // The group: anything the driver started goes too.
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

void DriverClient::fail_stream(const std::string& what) {
  close_fd(to_stdin_);  // EOF asks a driver that is still alive to leave.
  reap(kFailureGrace);
  const std::string status = describe_wait_status(wait_status_, killed_);
  std::string message = prefix_ + (what.empty() ? status : what + " (" + status + ")");
  if (const std::string line = last_stderr_line(); !line.empty()) message += ": " + line;
  broken_ = message;
  throw std::runtime_error(message);
}

void DriverClient::fail_request(std::string_view cmd, const std::string& message) const {
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

std::string find_driver_executable(std::string_view name) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path binary = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return "";
  const fs::path candidate = binary.parent_path() / name;
  return is_executable_file(candidate.string()) ? candidate.string() : "";
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
