// Environment collection (see environment.hpp): small readers of /proc and /sys and libc calls.
#include "report/environment.hpp"

#include <sys/utsname.h>
#include <unistd.h>

#include <charconv>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace offload::report {
namespace {

#define OFFLOAD_STRINGIFY_(x) #x
#define OFFLOAD_STRINGIFY(x) OFFLOAD_STRINGIFY_(x)

#ifdef OFFLOAD_VERSION
constexpr std::string_view kVersion = OFFLOAD_STRINGIFY(OFFLOAD_VERSION);
#else
constexpr std::string_view kVersion = "unknown";
#endif
#ifdef OFFLOAD_GIT_REVISION
constexpr std::string_view kGitRevision = OFFLOAD_STRINGIFY(OFFLOAD_GIT_REVISION);
#else
constexpr std::string_view kGitRevision = "";
#endif
#ifdef OFFLOAD_BUILD_TYPE
constexpr std::string_view kBuildType = OFFLOAD_STRINGIFY(OFFLOAD_BUILD_TYPE);
#else
constexpr std::string_view kBuildType = "unknown";
#endif

// The definitions may arrive quoted (-DOFFLOAD_VERSION="0.1.0") or bare (-DOFFLOAD_BUILD_TYPE=Release);
// stringifying gives "\"0.1.0\"" or "Release", so strip one pair of quotes.
std::string unquote(std::string_view s) {
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') s = s.substr(1, s.size() - 2);
  return std::string(s);
}

std::string trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  const auto last = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(first, last - first + 1));
}

std::string read_line(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return trim(line);
}

std::string compiler() {
#if defined(__clang__)
  return "clang++ " __clang_version__;
#elif defined(__GNUC__)
  return "g++ " __VERSION__;
#else
  return "unknown";
#endif
}

void read_cpuinfo(Environment& e) {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    const auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    const std::string key = trim(std::string_view(line).substr(0, colon));
    const std::string value = trim(std::string_view(line).substr(colon + 1));
    if (key == "model name" && e.cpu_model.empty()) e.cpu_model = value;
    if (key == "cpu MHz" && e.mhz_per_cpu == 0) e.mhz_per_cpu = std::strtod(value.c_str(), nullptr);
  }
}

void read_caches(Environment& e) {
  const std::filesystem::path root = "/sys/devices/system/cpu/cpu0/cache";
  std::error_code ec;
  for (int index = 0;; ++index) {
    const auto dir = root / ("index" + std::to_string(index));
    if (!std::filesystem::is_directory(dir, ec)) break;
    CacheInfo cache;
    cache.type = read_line(dir / "type");
    cache.level = std::atoi(read_line(dir / "level").c_str());
    cache.size_bytes = parse_cache_size(read_line(dir / "size"));
    cache.num_sharing = count_cpu_list(read_line(dir / "shared_cpu_list"));
    if (cache.size_bytes >= 0) e.caches.push_back(std::move(cache));
  }
}

}  // namespace

std::int64_t parse_cache_size(std::string_view text) {
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || value < 0) return -1;
  const std::string_view suffix = text.substr(static_cast<std::size_t>(end - text.data()));
  if (suffix.empty()) return value;
  if (suffix == "K") return value * 1024;
  if (suffix == "M") return value * 1024 * 1024;
  if (suffix == "G") return value * 1024 * 1024 * 1024;
  return -1;
}

int count_cpu_list(std::string_view text) {
  int count = 0;
  while (!text.empty()) {
    const auto comma = text.find(',');
    const std::string_view range = text.substr(0, comma);
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
    int low = 0, high = 0;
    const char* end = range.data() + range.size();
    auto [p, ec] = std::from_chars(range.data(), end, low);
    if (ec != std::errc()) return 0;
    high = low;
    if (p != end) {
      if (*p != '-') return 0;
      auto [q, ec2] = std::from_chars(p + 1, end, high);
      if (ec2 != std::errc() || q != end || high < low) return 0;
    }
    count += high - low + 1;
  }
  return count;
}

std::string iso_date_utc(std::int64_t unix_seconds) {
  const std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buffer;
}

Environment collect_environment() {
  Environment e;
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) == 0) e.host = host;
  read_cpuinfo(e);
  const long online = ::sysconf(_SC_NPROCESSORS_ONLN);
  e.num_cpus = online > 0 ? static_cast<int>(online)
                          : static_cast<int>(std::thread::hardware_concurrency());
  read_caches(e);
  const std::string governor =
      read_line("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor");
  e.cpu_scaling_enabled = !governor.empty() && governor != "performance";
  struct utsname uts {};
  if (::uname(&uts) == 0) e.kernel = std::string(uts.sysname) + " " + uts.release;
  e.compiler = compiler();
  e.build_type = unquote(kBuildType);
  e.harness_version = unquote(kVersion);
  e.git_revision = unquote(kGitRevision);
  e.date = iso_date_utc(static_cast<std::int64_t>(std::time(nullptr)));
  double load[3];
  if (::getloadavg(load, 3) == 3)
    for (int i = 0; i < 3; ++i) e.load_average[i] = load[i];
  return e;
}

}  // namespace offload::report
