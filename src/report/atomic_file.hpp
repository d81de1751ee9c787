// Writing a regular file so that readers see either the old file or the whole new one, never a
// half-written one: temp file in the same directory, fsync, then rename (replace) or link (create
// only if absent) onto the target.
#pragma once

#include <filesystem>
#include <string_view>

namespace offload::report {

// Replaces `path` with `contents`, creating missing parent directories.
// Protocol: write to a uniquely named temp file beside the target (created with O_EXCL, so never
// someone else's), fsync it, rename(2) it over the target (atomic within one file system), then
// fsync the directory so the rename survives a crash.
// Requires: `path` is not a symlink, device or FIFO (rename would replace the node itself); see
//   output_file.hpp, which resolves those first.
// Throws: std::runtime_error with a one-line message naming the path and strerror on any failure;
//   the temp file is removed first, and the target is left as it was.
// Note: the new file gets mode 0666 & ~umask, like a file opened for writing normally.
void write_file_atomically(const std::filesystem::path& path, std::string_view contents);

// As write_file_atomically, but never replaces: the whole file appears under `path` only if no
// file of that name exists (link(2) of the fsynced temp file, which fails with EEXIST otherwise).
// Returns: false, leaving everything as it was, when `path` exists; true when written.
// Throws: as write_file_atomically, for any other failure.
bool write_new_file_atomically(const std::filesystem::path& path, std::string_view contents);

// Unlinks the temp file a write above has open, if any. Async-signal-safe: meant for a signal
// handler that ends the process in the middle of a write, so no temp file is left behind.
// Thread-safety: one write at a time per process is assumed (the CLI writes its reports in turn).
void remove_temp_file_in_progress() noexcept;

}  // namespace offload::report
