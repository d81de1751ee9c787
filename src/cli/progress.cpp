#include "cli/progress.hpp"

#include <fmt/format.h>

#include <cstdio>

namespace offload::cli {

ProgressLine::ProgressLine(bool enabled, std::size_t points) : enabled_(enabled), points_(points) {}

void ProgressLine::start_point(std::size_t index, std::string label) {
  index_ = index;
  label_ = std::move(label);
}

void ProgressLine::update(const measure::Progress& progress) {
  if (!enabled_) return;
  const double done = (static_cast<double>(index_) + progress.fraction) / static_cast<double>(points_);
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  std::string eta = done > 0.02 ? fmt::format("ETA {:.0f}s", elapsed * (1 - done) / done) : "ETA --";
  std::string phase = progress.phase == "repetition"
                          ? fmt::format("repetition {}/{}", progress.repetition, progress.repetitions)
                          : progress.phase;
  std::string line = fmt::format("[{}/{}] {}  {}  {}", index_ + 1, points_, label_, phase, eta);
  if (line.size() > 100) line.resize(100);
  std::fprintf(stderr, "\r\033[K%s", line.c_str());
  std::fflush(stderr);
  drawn_ = true;
}

void ProgressLine::clear() {
  if (!drawn_) return;
  std::fprintf(stderr, "\r\033[K");
  std::fflush(stderr);
  drawn_ = false;
}

}  // namespace offload::cli
