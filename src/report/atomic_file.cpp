// Atomic file replacement (protocol in atomic_file.hpp), with POSIX calls for O_EXCL and fsync.
#include "report/atomic_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>
#include <system_error>

namespace offload::report {
namespace {

[[noreturn]] void fail(const std::filesystem::path& path, std::string_view what, int error) {
  throw std::runtime_error("cannot write " + path.string() + ": " + std::string(what) + ": " +
                           std::strerror(error));
}

// Closes the descriptor and unlinks the temp file unless commit() ran: every early exit, thrown
// or returned, cleans up.
class TempFile {
 public:
  TempFile(std::filesystem::path path, int fd) : path_(std::move(path)), fd_(fd) {}
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  ~TempFile() {
    if (fd_ >= 0) ::close(fd_);
    if (!committed_) ::unlink(path_.c_str());
  }
  int fd() const { return fd_; }
  const std::filesystem::path& path() const { return path_; }
  // Returns the errno of close(), 0 on success: a failed close can mean lost data on NFS.
  int close() {
    const int rc = ::close(fd_);
    fd_ = -1;
    return rc == 0 ? 0 : errno;
  }
  void commit() { committed_ = true; }

 private:
  std::filesystem::path path_;
  int fd_;
  bool committed_ = false;
};

// ".<name>.tmp.<pid>.<n>": hidden, beside the target, unique per process and call; O_EXCL retries
// past a leftover of an earlier crashed run with the same pid.
TempFile create_temp(const std::filesystem::path& target) {
  static std::atomic<unsigned> counter{0};
  for (int attempt = 0; attempt < 100; ++attempt) {
    std::filesystem::path temp = target.parent_path() /
        ("." + target.filename().string() + ".tmp." + std::to_string(::getpid()) + "." +
         std::to_string(counter.fetch_add(1, std::memory_order_relaxed)));
    const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd >= 0) return TempFile(std::move(temp), fd);
    if (errno != EEXIST) fail(target, "create temp file", errno);
  }
  fail(target, "create temp file", EEXIST);
}

}  // namespace

void write_file_atomically(const std::filesystem::path& path, std::string_view contents) {
  if (path.filename().empty()) fail(path, "no file name", EINVAL);
  const std::filesystem::path dir = path.parent_path();
  if (!dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) fail(path, "create directory " + dir.string(), ec.value());
  }

  TempFile temp = create_temp(path);
  const char* data = contents.data();
  std::size_t left = contents.size();
  while (left > 0) {
    const ssize_t n = ::write(temp.fd(), data, left);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail(path, "write", errno);
    data += n;
    left -= static_cast<std::size_t>(n);
  }
  if (::fsync(temp.fd()) != 0) fail(path, "fsync", errno);
  if (const int error = temp.close(); error != 0) fail(path, "close", error);
  if (::rename(temp.path().c_str(), path.c_str()) != 0) fail(path, "rename", errno);
  temp.commit();

  // Best effort: the data is in place; a directory that cannot be fsynced (some file systems)
  // only weakens crash durability of the rename, not atomicity.
  const int dir_fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0) {
    ::fsync(dir_fd);
    ::close(dir_fd);
  }
}

}  // namespace offload::report
