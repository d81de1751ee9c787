// A one-line progress display on stderr: scenario i/n, phase, repetition, ETA. Drawn only
// when stderr is a terminal; cleared before anything else is printed.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

#include "measure/runner.hpp"

namespace offload::cli {

class ProgressLine {
 public:
  ProgressLine(bool enabled, std::size_t points);
  ~ProgressLine() { clear(); }

  void start_point(std::size_t index, std::string label);
  void update(const measure::Progress& progress);
  void clear();

 private:
  bool enabled_;
  std::size_t points_;
  std::size_t index_ = 0;
  std::string label_;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  bool drawn_ = false;
};

}  // namespace offload::cli
