// SIGINT and SIGTERM during a run: the first asks the runner to stop between samples (the
// completed scenarios are then written, marked partial); a second ends the process at once, by
// that signal, after removing a report temp file being written (report/atomic_file.hpp), so no
// file is left half-written.
#pragma once

#include <atomic>

namespace offload::cli {

// Installs the handlers for SIGINT and SIGTERM. Idempotent.
void install_stop_handlers();

// Set by the first SIGINT or SIGTERM; for measure::RunOptions::interrupted.
const std::atomic<bool>& stop_requested();

// The signal that set stop_requested(), 0 if none.
int stop_signal();

// 128 + stop_signal(), as a shell reports a process killed by it: 130 SIGINT, 143 SIGTERM.
int stop_exit_code();

}  // namespace offload::cli
