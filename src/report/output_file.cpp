// Output paths by kind (output_file.hpp): resolve symlinks, check up front, then an atomic
// replace for files and a plain in-place write for streams.
#include "report/output_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "report/atomic_file.hpp"

namespace offload::report {
namespace {

namespace fs = std::filesystem;

// Linux's limit for symlinks followed in one lookup (MAXSYMLINKS).
constexpr int kMaxSymlinks = 40;

[[noreturn]] void fail(const OutputTarget& target, std::string_view what, int error) {
  std::string line = "cannot write " + target.named.string();
  if (!target.resolved.empty() && target.resolved != target.named) line += " (-> " + target.resolved.string() + ")";
  line += ": " + std::string(what);
  if (error != 0) line += std::string(": ") + std::strerror(error);
  throw OutputError(line);
}

// Follows `path` while it is a symlink; the last link's target may not exist yet.
fs::path follow_symlinks(OutputTarget& target) {
  fs::path path = target.named;
  for (int level = 0;; ++level) {
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0 || !S_ISLNK(st.st_mode)) return path;
    if (level == kMaxSymlinks) fail(target, "follow symlinks", ELOOP);
    std::error_code ec;
    const fs::path link = fs::read_symlink(path, ec);
    if (ec) fail(target, "read symlink " + path.string(), ec.value());
    path = link.is_absolute() ? link : path.parent_path() / link;
  }
}

// A kFile target: its directory exists (created now if missing) and takes a new file.
void check_file_writable(const OutputTarget& target) {
  const fs::path dir = target.resolved.parent_path().empty() ? fs::path(".") : target.resolved.parent_path();
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) fail(target, "create directory " + dir.string(), ec.value());
  // A real probe rather than access(2): root passes access() on a read-only file system.
  const fs::path probe = dir / (".offload-bench-probe." + std::to_string(::getpid()));
  const int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) fail(target, "create a file in " + dir.string(), errno);
  ::close(fd);
  ::unlink(probe.c_str());
}

void write_all(const OutputTarget& target, int fd, std::string_view contents) {
  while (!contents.empty()) {
    const ssize_t n = ::write(fd, contents.data(), contents.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail(target, "write", errno);
    contents.remove_prefix(static_cast<std::size_t>(n));
  }
}

}  // namespace

OutputTarget check_output_path(const fs::path& path, bool replace_existing) {
  OutputTarget target{path, {}, OutputKind::kFile, replace_existing};
  if (path == "-") {
    target.kind = OutputKind::kStdout;
    return target;
  }
  if (path.filename().empty()) fail(target, "no file name", EISDIR);
  target.resolved = follow_symlinks(target);

  struct stat st {};
  if (::stat(target.resolved.c_str(), &st) != 0) {
    if (errno != ENOENT) fail(target, "stat", errno);
    check_file_writable(target);
    return target;
  }
  if (S_ISREG(st.st_mode)) {
    if (!replace_existing) fail(target, "already exists", 0);
    if (::access(target.resolved.c_str(), W_OK) != 0) fail(target, "open", errno);
    check_file_writable(target);
  } else if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) || S_ISFIFO(st.st_mode)) {
    target.kind = OutputKind::kStream;
    if (::access(target.resolved.c_str(), W_OK) != 0) fail(target, "open", errno);
  } else if (S_ISDIR(st.st_mode)) {
    fail(target, "open", EISDIR);
  } else {
    fail(target, "not a regular file, device or FIFO", 0);
  }
  return target;
}

void write_output(const OutputTarget& target, std::string_view contents) {
  switch (target.kind) {
    case OutputKind::kStdout:
      write_all(target, STDOUT_FILENO, contents);
      return;
    case OutputKind::kStream: {
      // No O_CREAT, no O_TRUNC: the node exists and is written in place. Blocks on a FIFO until a
      // reader opens it, as a shell redirection would.
      const int fd = ::open(target.resolved.c_str(), O_WRONLY | O_CLOEXEC | O_NOCTTY);
      if (fd < 0) fail(target, "open", errno);
      try {
        write_all(target, fd, contents);
      } catch (...) {
        ::close(fd);
        throw;
      }
      if (::close(fd) != 0) fail(target, "close", errno);
      return;
    }
    case OutputKind::kFile:
      break;
  }
  try {
    if (target.replace_existing) {
      write_file_atomically(target.resolved, contents);
    } else if (!write_new_file_atomically(target.resolved, contents)) {
      fail(target, "already exists", 0);
    }
  } catch (const OutputError&) {
    throw;
  } catch (const std::runtime_error& e) {
    std::string line = e.what();
    if (target.resolved != target.named) line += " (through the symlink " + target.named.string() + ")";
    throw OutputError(line);
  }
}

}  // namespace offload::report
