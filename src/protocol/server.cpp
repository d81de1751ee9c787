// serve(): the request loop shared by every C++ driver.
#include "protocol/server.hpp"

#include <exception>
#include <string>

namespace offload::protocol {
namespace {

// A request line longer than this is not a request of this protocol (the largest is an open of a
// few hundred bytes).
constexpr std::size_t kMaxRequestBytes = 1 << 20;

bool read_line(std::FILE* in, std::string& line) {
  line.clear();
  for (int c = std::getc(in); c != EOF; c = std::getc(in)) {
    if (c == '\n') return true;
    if (line.size() < kMaxRequestBytes) line.push_back(static_cast<char>(c));
  }
  return !line.empty();
}

std::string respond(DriverServer& server, const std::string& line, bool& exiting) {
  try {
    const Request r = decode_request(line);
    if (r.cmd == "hello") {
      if (r.protocol != kProtocolVersion)
        return encode_error("this driver speaks protocol " + std::to_string(kProtocolVersion) + ", the client " +
                            std::to_string(r.protocol));
      return encode_hello(server.hello());
    }
    if (r.cmd == "open") return encode_opened(server.open(r.workload, r.selection));
    if (r.cmd == "sample") return encode_sample(server.sample(r.id, r.batches));
    if (r.cmd == "probe") return encode_probes(server.probe(r.selection));
    if (r.cmd == "close") {
      server.close(r.id);
      return encode_done();
    }
    exiting = true;  // "exit"
    return encode_done();
  } catch (const Unsupported& e) {
    return encode_unsupported(e.what());
  } catch (const std::exception& e) {
    return encode_error(e.what());
  }
}

}  // namespace

int serve(DriverServer& server, std::FILE* in, std::FILE* out) {
  std::string line;
  bool exiting = false;
  while (!exiting && read_line(in, line)) {
    const std::string response = respond(server, line, exiting);
    if (std::fputs(response.c_str(), out) < 0 || std::fputc('\n', out) == EOF || std::fflush(out) != 0) return 3;
  }
  return 0;
}

}  // namespace offload::protocol
