// Writing a report file so that readers see either the old file or the whole new one, never a
// half-written one: temp file in the same directory, fsync, rename over the target.
#pragma once

#include <filesystem>
#include <string_view>

namespace offload::report {

// Replaces `path` with `contents`, creating missing parent directories.
// Protocol: write to a uniquely named temp file beside the target (created with O_EXCL, so never
// someone else's), fsync it, rename(2) it over the target (atomic within one file system), then
// fsync the directory so the rename survives a crash.
// Throws: std::runtime_error with a one-line message naming the path and strerror on any failure;
//   the temp file is removed first, and the target is left as it was.
// Note: the new file gets mode 0666 & ~umask, like a file opened for writing normally.
void write_file_atomically(const std::filesystem::path& path, std::string_view contents);

}  // namespace offload::report
