// Fuzz target: any bytes as a report for `compare`, in either format (ours or Google
// Benchmark's: the reader tells them apart by content). The contract is a LoadedReport or one
// ReportError; anything else escaping is a finding.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "report/report_reader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace offload::report;
  try {
    (void)read_report_string(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.json");
  } catch (const ReportError&) {
  }
  return 0;
}
