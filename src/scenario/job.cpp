// Job implementations. `gil` models CPython's GIL as one process-wide mutex held for the
// whole job, so CPU-bound jobs serialise across workers while `sleep` (which releases the GIL
// in CPython, and holds nothing here) overlaps.
#include "scenario/job.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

namespace offload::scenario {

namespace {
std::mutex g_interpreter_lock;  // The GIL model; taken by `gil` jobs only.

std::string errno_text() { return std::strerror(errno); }
}  // namespace

// A temporary file of the read size, in the page cache, removed on destruction.
class JobFiles {
 public:
  explicit JobFiles(std::int64_t kib) : size_(static_cast<std::size_t>(kib) * 1024) {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/offload-bench-job-XXXXXX";
    std::vector<char> name(pattern.begin(), pattern.end());
    name.push_back('\0');
    const int fd = ::mkstemp(name.data());
    if (fd < 0) throw std::runtime_error("cannot create the job file " + pattern + ": " + errno_text());
    path_ = name.data();
    std::vector<char> data(size_, 'x');
    const bool written = ::write(fd, data.data(), data.size()) == static_cast<ssize_t>(data.size());
    ::close(fd);
    if (!written) {
      ::unlink(path_.c_str());
      throw std::runtime_error("cannot write the job file " + path_ + ": " + errno_text());
    }
    read_once();  // Into the page cache.
  }
  ~JobFiles() { ::unlink(path_.c_str()); }

  const std::string& path() const { return path_; }

  // open + read + close, as `open(path).read()` does; returns the bytes read.
  std::int64_t read_once() const {
    const int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    thread_local std::vector<char> buffer;
    buffer.resize(size_);
    std::int64_t total = 0;
    for (;;) {
      const ssize_t n = ::read(fd, buffer.data(), buffer.size());
      if (n <= 0) break;
      total += n;
    }
    ::close(fd);
    return total;
  }

 private:
  std::size_t size_;
  std::string path_;
};

std::int64_t spin_for_ns(std::int64_t ns) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::nanoseconds(ns);
  std::int64_t rounds = 0;
  while (std::chrono::steady_clock::now() < until) ++rounds;
  return rounds;
}

JobRunner::JobRunner(const WorkloadConfig& workload)
    : kind_(workload.job), job_ns_(workload.job_ns), job_us_(workload.job_us) {
  if (kind_ == Job::kStat || kind_ == Job::kRead)
    files_ = std::make_unique<JobFiles>(kind_ == Job::kRead ? workload.job_kib : 1);
}

JobRunner::~JobRunner() = default;

std::int64_t JobRunner::operator()() const {
  switch (kind_) {
    case Job::kNoop:
      return 0;
    case Job::kSpin:
      return spin_for_ns(job_ns_);
    case Job::kSleep:
      std::this_thread::sleep_for(std::chrono::microseconds(job_us_));
      return 0;
    case Job::kStat: {
      struct stat st {};
      return ::stat(files_->path().c_str(), &st) == 0 ? static_cast<std::int64_t>(st.st_size) : -1;
    }
    case Job::kRead:
      return files_->read_once();
    case Job::kGil: {
      std::lock_guard<std::mutex> gil(g_interpreter_lock);
      return spin_for_ns(job_ns_);
    }
  }
  return 0;
}

}  // namespace offload::scenario
