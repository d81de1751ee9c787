// Atomic file writes (protocol in atomic_file.hpp), with POSIX calls for O_EXCL, link and fsync.
#include "report/atomic_file.hpp"

#include <fcntl.h>
#include <limits.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>
#include <system_error>

namespace offload::report {
namespace {

// The temp file being written, for remove_temp_file_in_progress. A fixed buffer: a signal
// handler can read it without allocating. g_temp_in_progress is set (release) after the path is
// copied and cleared (release) before it is unlinked or published; the handler's acquire load
// pairs with the set.
char g_temp_path[PATH_MAX];
std::atomic<bool> g_temp_in_progress{false};

[[noreturn]] void fail(const std::filesystem::path& path, std::string_view what, int error) {
  throw std::runtime_error("cannot write " + path.string() + ": " + std::string(what) + ": " +
                           std::strerror(error));
}

// Closes the descriptor and unlinks the temp file unless commit() ran: every early exit, thrown
// or returned, cleans up.
class TempFile {
 public:
  TempFile(std::filesystem::path path, int fd) : path_(std::move(path)), fd_(fd) {
    const std::string& text = path_.native();
    if (text.size() < sizeof g_temp_path) {
      std::memcpy(g_temp_path, text.c_str(), text.size() + 1);
      g_temp_in_progress.store(true, std::memory_order_release);
    }
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  ~TempFile() {
    g_temp_in_progress.store(false, std::memory_order_release);
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
  void commit() {
    g_temp_in_progress.store(false, std::memory_order_release);
    committed_ = true;
  }

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

// Creates `path`'s missing parent directories.
void make_parent_directories(const std::filesystem::path& path) {
  if (path.filename().empty()) fail(path, "no file name", EINVAL);
  const std::filesystem::path dir = path.parent_path();
  if (dir.empty()) return;
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) fail(path, "create directory " + dir.string(), ec.value());
}

// Writes `contents` to `temp` (named for `path` in errors), fsyncs and closes it.
void fill(TempFile& temp, const std::filesystem::path& path, std::string_view contents) {
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
}

// Best effort: the data is in place; a directory that cannot be fsynced (some file systems)
// only weakens crash durability of the new name, not atomicity.
void sync_directory_of(const std::filesystem::path& path) {
  const std::filesystem::path dir = path.parent_path();
  const int dir_fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0) {
    ::fsync(dir_fd);
    ::close(dir_fd);
  }
}

}  // namespace

void write_file_atomically(const std::filesystem::path& path, std::string_view contents) {
  make_parent_directories(path);
  TempFile temp = create_temp(path);
  fill(temp, path, contents);
  if (::rename(temp.path().c_str(), path.c_str()) != 0) fail(path, "rename", errno);
  temp.commit();
  sync_directory_of(path);
}

bool write_new_file_atomically(const std::filesystem::path& path, std::string_view contents) {
  make_parent_directories(path);
  TempFile temp = create_temp(path);
  fill(temp, path, contents);
  // link(2) creates `path` only if absent, atomically, with the complete contents; the temp name
  // is then unlinked by ~TempFile (not committed).
  if (::link(temp.path().c_str(), path.c_str()) != 0) {
    if (errno == EEXIST) return false;
    fail(path, "link", errno);
  }
  sync_directory_of(path);
  return true;
}

void remove_temp_file_in_progress() noexcept {
  if (g_temp_in_progress.load(std::memory_order_acquire)) ::unlink(g_temp_path);
}

}  // namespace offload::report
