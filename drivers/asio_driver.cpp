// offload-bench-asio-driver: the Boost.Asio peer. Each request is posted to a
// boost::asio::thread_pool; when its jobs are done the pool thread posts the completion to the
// workload's io_context, which this (the loop) thread runs, and the completion submits the next
// request. docs/peers.md maps the shapes; docs/driver_protocol.md the protocol.
//
// Threading: the main thread serves the protocol and runs every io_context; the pool's threads
// run Batch::run_jobs and post completions, nothing else.
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/version.hpp>

#include <optional>
#include <string>
#include <thread>

#include "drivers/driver_common.hpp"

namespace offload::drivers {
namespace {

namespace asio = boost::asio;

const std::string kBackend = "asio";

class AsioTransport final : public PeerTransport {
 public:
  // workers: none takes the size Asio's own thread_pool() picks, 2 x hardware_concurrency().
  explicit AsioTransport(std::optional<std::int64_t> workers)
      : pool_(workers ? static_cast<std::size_t>(*workers) : 2 * std::size_t{std::thread::hardware_concurrency()}) {}
  ~AsioTransport() override { pool_.join(); }
  AsioTransport(const AsioTransport&) = delete;
  AsioTransport& operator=(const AsioTransport&) = delete;

  void run(Batch& batch) override {
    batch_ = &batch;
    // Keeps io_.run() waiting while requests are on the pool; the last completion releases it.
    guard_.emplace(asio::make_work_guard(io_));
    for (std::int64_t r = 0; r < batch.window(); ++r) submit(r);
    io_.run();
    io_.restart();
  }

 private:
  void submit(std::int64_t r) {
    batch_->submitted(r);
    asio::post(pool_, [this, r] {
      batch_->run_jobs(r);
      asio::post(io_, [this, r] { complete(r); });
    });
  }

  // Loop thread.
  void complete(std::int64_t r) {
    if (const auto next = batch_->completed(r)) submit(*next);
    if (batch_->finished()) guard_.reset();
  }

  asio::io_context io_{1};  // Concurrency hint 1: only this thread runs it.
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> guard_;  // Loop thread.
  // batch_ is written by run() before any post, and read by pool threads after the post that
  // hands them a request: the post orders the two.
  Batch* batch_ = nullptr;
  asio::thread_pool pool_;  // Last: joined first, while io_ and batch_ still exist.
};

class AsioPeer final : public Peer {
 public:
  protocol::Hello hello() override {
    protocol::Hello h;
    h.backend = kBackend;
    h.version = std::to_string(BOOST_VERSION / 100000) + "." + std::to_string(BOOST_VERSION / 100 % 1000) + "." +
                std::to_string(BOOST_VERSION % 100);
    h.description = "Boost.Asio " + h.version + " (thread_pool + io_context)";
    return h;
  }

  std::unique_ptr<PeerTransport> open(std::int64_t /*requests*/, std::optional<std::int64_t> workers) override {
    return std::make_unique<AsioTransport>(workers);
  }

  // Every guarantee is left out (n/a). Boost 1.74's post has no cancellation (per-operation
  // cancellation came in 1.77); a posted handler's exception escapes the pool thread's run(), it
  // is not transferred; and Asio has no context variables.
  std::vector<protocol::Probe> probe() override { return {}; }
};

}  // namespace
}  // namespace offload::drivers

int main() {
  offload::drivers::AsioPeer peer;
  return offload::drivers::run_driver(peer, offload::drivers::kBackend);
}
