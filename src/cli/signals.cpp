// Stop handlers (signals.hpp). Everything a handler touches is a lock-free atomic or an
// async-signal-safe call (unlink, signal, raise).
#include "cli/signals.hpp"

#include <csignal>

#include "report/atomic_file.hpp"

namespace offload::cli {
namespace {

std::atomic<bool> g_stop{false};
std::atomic<int> g_signal{0};
static_assert(std::atomic<bool>::is_always_lock_free && std::atomic<int>::is_always_lock_free,
              "read and written from a signal handler");

extern "C" void on_stop_signal(int signal) {
  int none = 0;
  if (g_signal.compare_exchange_strong(none, signal)) {
    g_stop.store(true);
    return;
  }
  // The second stop signal (of either kind): no more waiting for the sample in progress.
  report::remove_temp_file_in_progress();
  std::signal(signal, SIG_DFL);
  std::raise(signal);
}

}  // namespace

void install_stop_handlers() {
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  // Both blocked while either handler runs, so the first signal is recorded before a second one.
  sigaddset(&action.sa_mask, SIGINT);
  sigaddset(&action.sa_mask, SIGTERM);
  action.sa_flags = SA_RESTART;
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

const std::atomic<bool>& stop_requested() { return g_stop; }

int stop_signal() { return g_signal.load(); }

int stop_exit_code() { return 128 + stop_signal(); }

}  // namespace offload::cli
