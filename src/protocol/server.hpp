// The driver side of the protocol: a backend implements DriverServer, and serve() reads request
// lines on one stream and writes one response line each on another until "exit" or end of input.
// Used by the libuv and Asio drivers (drivers/) and by `offload-bench serve`.
//
// Threading: serve() calls the server from the calling thread only, one request at a time.
#pragma once

#include <cstdio>
#include <vector>

#include "protocol/wire.hpp"

namespace offload::protocol {

class DriverServer {
 public:
  virtual ~DriverServer() = default;
  // Each call may throw RequestError (answered "error") or Unsupported (answered "unsupported");
  // any other exception is answered "error" with its message, and serving goes on.
  virtual Hello hello() = 0;
  virtual WorkloadId open(const WorkloadSpec& workload, const StrategySelection& selection) = 0;
  // Requires: batches >= 1 (decode_request checks it).
  virtual Sample sample(WorkloadId id, std::int64_t batches) = 0;
  virtual std::vector<Probe> probe(const StrategySelection& selection) = 0;
  virtual void close(WorkloadId id) = 0;
};

// Serves requests from `in` until "exit" (answered) or end of input. A client speaking another
// protocol version is answered with an error at hello. Returns 0, or 3 when `out` fails.
int serve(DriverServer& server, std::FILE* in, std::FILE* out);

}  // namespace offload::protocol
