// Where a report goes when the user names a path: a regular file (or a new one) is replaced
// atomically; a symlink is followed and its target written; a device, a FIFO or "-" (stdout) is
// written in place as a stream, never renamed over. Checked before a run, written after it.
#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>

namespace offload::report {

// A path that cannot be written. what() is one line naming the path and the error, e.g.
// "cannot write /dev/full: write: No space left on device".
class OutputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// What kind of thing an output path turned out to be.
enum class OutputKind {
  kFile,    // a regular file, or none yet: temp file + rename (write_file_atomically)
  kStream,  // a character or block device, or a FIFO: opened and written in place
  kStdout,  // "-": file descriptor 1
};

struct OutputTarget {
  std::filesystem::path named;     // as the user wrote it
  std::filesystem::path resolved;  // symlinks followed (== named when it is none); empty for "-"
  OutputKind kind = OutputKind::kFile;
  bool replace_existing = true;    // false: a kFile target that exists is refused
};

// Resolves `path` (following symlinks, even a dangling one, to at most 40 levels) and checks it
// can be written now, so a long run does not end in a failed write: a kFile target's directory is
// created if missing and a temp file is created and removed there; a stream must be writable
// (access(2)).
// Throws: OutputError for a directory, a socket, a parent that is not a directory, a symlink loop,
//   no permission, a read-only file system, or (replace_existing false) an existing file:
//   "cannot write results/baselines/main.json: already exists".
OutputTarget check_output_path(const std::filesystem::path& path, bool replace_existing = true);

// Writes `contents` to `target` as its kind says.
// Throws: OutputError naming target.named (and the resolved file when it differs); for kFile the
//   old file is untouched and no temp file is left.
void write_output(const OutputTarget& target, std::string_view contents);

}  // namespace offload::report
