// Reporting exceptions that escaped to a thread with nobody to receive them.
#include "runtime/errors.hpp"

#include <cstdio>

namespace offload::runtime {

void report_uncaught(std::exception_ptr error, std::string_view where) noexcept {
  const int n = static_cast<int>(where.size());
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "offload: exception in %.*s: %s\n", n, where.data(), e.what());
  } catch (...) {
    std::fprintf(stderr, "offload: non-standard exception in %.*s\n", n, where.data());
  }
}

}  // namespace offload::runtime
