// Reads our JSON report or Google Benchmark JSON back into per-benchmark samples (report_reader.hpp).
// Both formats are read from the GB-compatible `benchmarks` array, so a benchmark gets the same key
// (its run_name) whichever format it comes from; our `scenarios` add the counting-pass metrics.
#include "report/report_reader.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <memory>
#include <optional>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "report/result.hpp"

namespace offload::report {
namespace {

// Ordered: our `parameters` object must be walked in the order written to rebuild run_name.
using Json = nlohmann::ordered_json;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// what() must stay one line whatever a library or the OS put in the detail.
[[noreturn]] void fail(std::string_view source, std::string_view detail) {
  std::string line = std::string(source) + ": " + std::string(detail);
  std::replace(line.begin(), line.end(), '\n', ' ');
  throw ReportError(line);
}

std::string string_field(const Json& j, const char* key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// NaN when absent, null (a non-finite value, see json_reporter.hpp) or not a number.
double number_field(const Json& j, const char* key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<double>() : kNaN;
}

// nlohmann's message without its "[json.exception.parse_error.101] parse error at line 1, column 9: "
// prefix: the byte offset is reported separately.
std::string parse_error_detail(const char* what) {
  std::string_view text = what;
  if (const auto column = text.find("column "); column != std::string_view::npos) {
    if (const auto colon = text.find(": ", column); colon != std::string_view::npos)
      return std::string(text.substr(colon + 2));
  }
  if (const auto bracket = text.find("] "); bracket != std::string_view::npos)
    return std::string(text.substr(bracket + 2));
  return std::string(text);
}

// GB's time units; nullopt for one it does not write.
std::optional<double> ns_per_unit(std::string_view unit) {
  if (unit == "ns") return 1.0;
  if (unit == "us") return 1e3;
  if (unit == "ms") return 1e6;
  if (unit == "s") return 1e9;
  return std::nullopt;
}

// Collects benchmarks in first-seen order.
class Builder {
 public:
  BenchmarkSamples& get(const std::string& key) {
    const auto [it, added] = index_.try_emplace(key, benchmarks_.size());
    if (added) {
      benchmarks_.push_back({key, {}, {}});
      benchmarks_.back().metrics[std::string(kNsPerOp)];
      benchmarks_.back().metrics[std::string(kCpuNsPerOp)];
    }
    return benchmarks_[it->second];
  }
  std::vector<BenchmarkSamples> take() { return std::move(benchmarks_); }

 private:
  std::vector<BenchmarkSamples> benchmarks_;
  std::unordered_map<std::string, std::size_t> index_;
};

struct Times {
  double real_ns;
  double cpu_ns;
};

// The samples of every run_name in the `benchmarks` array (both formats).
void read_benchmarks(const Json& benchmarks, std::string_view source, Builder& builder) {
  // A benchmark's median (preferred) or mean aggregate: its only sample if it has no iterations.
  std::unordered_map<std::string, Times> median, mean;
  std::vector<std::string> keys;
  std::unordered_map<std::string, bool> has_iterations;
  for (const Json& entry : benchmarks) {
    if (!entry.is_object()) fail(source, "malformed report: a benchmarks entry is not an object");
    if (const auto it = entry.find("error_occurred"); it != entry.end() && it->is_boolean() &&
                                                      it->get<bool>())
      continue;
    std::string key = string_field(entry, "run_name");
    if (key.empty()) key = string_field(entry, "name");
    if (key.empty()) fail(source, "malformed report: a benchmarks entry has no name");
    std::string unit = string_field(entry, "time_unit");
    if (unit.empty()) unit = "ns";  // GB's default; it omits nothing in practice
    const auto scale = ns_per_unit(unit);
    if (!scale) fail(source, "malformed report: benchmark " + key + ": unknown time_unit '" + unit + "'");
    const Times t{number_field(entry, "real_time") * *scale, number_field(entry, "cpu_time") * *scale};

    const std::string run_type = string_field(entry, "run_type");
    if (run_type == "aggregate") {
      const std::string name = string_field(entry, "aggregate_name");
      if (name != "median" && name != "mean") continue;
      (name == "median" ? median : mean).insert_or_assign(key, t);
      if (has_iterations.try_emplace(key, false).second) keys.push_back(key);
      builder.get(key);  // keeps the report's order
      continue;
    }
    if (has_iterations.insert_or_assign(key, true).second) keys.push_back(key);
    BenchmarkSamples& b = builder.get(key);
    if (std::isfinite(t.real_ns)) b.metrics[std::string(kNsPerOp)].push_back(t.real_ns);
    if (std::isfinite(t.cpu_ns)) b.metrics[std::string(kCpuNsPerOp)].push_back(t.cpu_ns);
  }
  for (const auto& key : keys) {
    if (has_iterations[key]) continue;
    const auto m = median.find(key);
    const auto a = m != median.end() ? m : mean.find(key);
    if (a == mean.end()) continue;
    BenchmarkSamples& b = builder.get(key);
    if (std::isfinite(a->second.real_ns)) b.metrics[std::string(kNsPerOp)] = {a->second.real_ns};
    if (std::isfinite(a->second.cpu_ns)) b.metrics[std::string(kCpuNsPerOp)] = {a->second.cpu_ns};
  }
}

// The one-line error for the field at path `at` ("scenarios[0].strategies[1].breakdown[2].p50_ns"):
// what it should hold and the JSON type it holds ("nothing" when absent).
[[noreturn]] void fail_field(std::string_view source, const std::string& at,
                             std::string_view expected, const Json* found) {
  fail(source, "malformed report: " + at + ": expected " + std::string(expected) + ", got " +
                   (found != nullptr ? found->type_name() : "nothing"));
}

// A strategy's `breakdown` (json_reporter.hpp): absent or null reads as none; anything else must
// be an array of {phase: string, p50_ns, p99_ns, mean_ns: number or null}.
std::vector<PhaseSummary> read_breakdown(const Json& strategy, std::string_view source,
                                         const std::string& at) {
  const auto breakdown = strategy.find("breakdown");
  if (breakdown == strategy.end() || breakdown->is_null()) return {};
  if (!breakdown->is_array()) fail_field(source, at, "an array", &*breakdown);
  std::vector<PhaseSummary> phases;
  for (std::size_t i = 0; i < breakdown->size(); ++i) {
    const Json& entry = (*breakdown)[i];
    const std::string entry_at = at + "[" + std::to_string(i) + "]";
    if (!entry.is_object()) fail_field(source, entry_at, "an object", &entry);
    const auto field = [&](const char* key) -> const Json* {
      const auto it = entry.find(key);
      return it == entry.end() ? nullptr : &*it;
    };
    PhaseSummary phase;
    const Json* name = field("phase");
    if (name == nullptr || !name->is_string())
      fail_field(source, entry_at + ".phase", "a string", name);
    phase.phase = name->get<std::string>();
    const auto number = [&](const char* key) {
      const Json* value = field(key);
      if (value == nullptr || !(value->is_number() || value->is_null()))
        fail_field(source, entry_at + "." + key, "a number or null", value);
      return value->is_null() ? kNaN : value->get<double>();
    };
    phase.p50 = number("p50_ns");
    phase.p99 = number("p99_ns");
    phase.mean = number("mean_ns");
    phases.push_back(std::move(phase));
  }
  return phases;
}

// Our `scenarios`: the counting-pass metrics and the phase breakdown, under the key
// json_reporter's run_name gives.
void read_scenarios(const Json& scenarios, std::string_view source, Builder& builder) {
  for (std::size_t index = 0; index < scenarios.size(); ++index) {
    const Json& r = scenarios[index];
    if (!r.is_object()) continue;
    const auto scenario = r.find("scenario");
    if (scenario == r.end() || !scenario->is_object()) continue;
    std::string prefix = string_field(*scenario, "name");
    if (const auto parameters = r.find("parameters");
        parameters != r.end() && parameters->is_object()) {
      for (const auto& [key, value] : parameters->items()) {
        const auto dot = key.rfind('.');
        prefix += "/" + (dot == std::string::npos ? key : key.substr(dot + 1)) + "=" +
                  (value.is_string() ? value.get<std::string>() : value.dump());
      }
    }
    const auto strategies = r.find("strategies");
    if (strategies == r.end() || !strategies->is_array()) continue;
    for (std::size_t k = 0; k < strategies->size(); ++k) {
      const Json& s = (*strategies)[k];
      if (!s.is_object()) continue;
      BenchmarkSamples& b = builder.get(prefix + "/" + string_field(s, "strategy"));
      b.breakdown = read_breakdown(s, source, "scenarios[" + std::to_string(index) +
                                                  "].strategies[" + std::to_string(k) + "].breakdown");
      const auto counts = s.find("counts");
      if (counts == s.end() || !counts->is_object()) continue;
      const auto put = [&](std::string_view metric, double value) {
        if (std::isfinite(value)) b.metrics[std::string(metric)] = {value};
      };
      put(kCountMetrics[0], number_field(*counts, "heap_allocations"));
      put(kCountMetrics[1], number_field(*counts, "lock_acquisitions"));
      put(kCountMetrics[2], number_field(*counts, "loop_wakeup_signals") +
                                number_field(*counts, "worker_wakeup_signals"));
    }
  }
}

LoadedReport read_document(const Json& doc, std::string source) {
  LoadedReport report;
  report.source = std::move(source);
  const std::string& src = report.source;
  const auto context = doc.is_object() ? doc.find("context") : doc.end();
  const bool has_context = doc.is_object() && context != doc.end() && context->is_object();
  if (has_context) {
    if (const auto v = context->find("schema_version"); v != context->end()) {
      // Version 2 only added fields to version 1: both read the same way.
      if (!v->is_number_integer() || v->get<std::int64_t>() < 1 || v->get<std::int64_t>() > kSchemaVersion)
        fail(src, "unknown schema version " + v->dump() + " (this build reads 1 to " +
                      std::to_string(kSchemaVersion) + ")");
    } else {
      report.kind = ReportKind::kGoogleBenchmark;
    }
  }
  const auto benchmarks = doc.is_object() ? doc.find("benchmarks") : doc.end();
  if (!doc.is_object() || benchmarks == doc.end() || !benchmarks->is_array())
    fail(src, "not an offload-bench or Google Benchmark report (no benchmarks array)");
  if (!has_context) report.kind = ReportKind::kGoogleBenchmark;

  if (has_context) {
    const Json& c = *context;
    ReportEnvironment& e = report.environment;
    e.host = string_field(c, "host_name");
    e.cpu_model = string_field(c, "cpu_model");
    const double cpus = number_field(c, "num_cpus");
    e.num_cpus = std::isfinite(cpus) ? static_cast<int>(cpus) : 0;
    e.compiler = string_field(c, "compiler");
    e.build_type = report.kind == ReportKind::kOffloadBench ? string_field(c, "build_type")
                                                            : string_field(c, "library_build_type");
    e.harness_version = string_field(c, "harness_version");
    e.git_revision = string_field(c, "git_revision");
    e.executable = string_field(c, "executable");
    e.date = string_field(c, "date");
    if (const auto p = c.find("partial"); p != c.end() && p->is_boolean()) report.partial = p->get<bool>();
  }

  Builder builder;
  read_benchmarks(*benchmarks, src, builder);
  if (report.kind == ReportKind::kOffloadBench) {
    if (const auto scenarios = doc.find("scenarios");
        scenarios != doc.end() && scenarios->is_array())
      read_scenarios(*scenarios, src, builder);
  }
  report.benchmarks = builder.take();
  return report;
}

}  // namespace

bool is_count_metric(std::string_view metric) {
  return std::find(kCountMetrics.begin(), kCountMetrics.end(), metric) != kCountMetrics.end();
}

std::string_view to_string(ReportKind kind) {
  return kind == ReportKind::kOffloadBench ? "offload-bench" : "Google Benchmark";
}

const BenchmarkSamples* LoadedReport::find(std::string_view key) const {
  const auto it = std::find_if(benchmarks.begin(), benchmarks.end(),
                               [&](const BenchmarkSamples& b) { return b.key == key; });
  return it == benchmarks.end() ? nullptr : &*it;
}

namespace {

// Google Benchmark writes non-finite doubles as bare NaN / inf (e.g. the cv aggregate of a
// counter that is 0 in every repetition), which is not JSON. Such values, outside strings, become
// null so the rest of the report stays readable; a null is treated as a missing value.
std::string null_non_finite_literals(std::string_view json) {
  static constexpr std::string_view kLiterals[] = {"-Infinity", "Infinity", "-NaN", "NaN",
                                                   "-nan",      "nan",      "-inf", "inf"};
  std::string out;
  out.reserve(json.size());
  bool in_string = false;
  for (std::size_t i = 0; i < json.size();) {
    const char ch = json[i];
    if (in_string) {
      out += ch;
      if (ch == '\\' && i + 1 < json.size()) out += json[++i];
      else if (ch == '"') in_string = false;
      ++i;
      continue;
    }
    if (ch == '"') in_string = true;
    bool replaced = false;
    for (std::string_view literal : kLiterals) {
      if (json.substr(i, literal.size()) == literal) {
        out += "null";
        i += literal.size();
        replaced = true;
        break;
      }
    }
    if (!replaced) out += json[i++];
  }
  return out;
}

}  // namespace

LoadedReport read_report_string(std::string_view json, std::string source) {
  if (std::all_of(json.begin(), json.end(), [](unsigned char ch) { return std::isspace(ch); }))
    fail(source, "empty file");
  Json doc;
  try {
    const std::string text = null_non_finite_literals(json);
    doc = Json::parse(text.begin(), text.end());
  } catch (const Json::parse_error& e) {
    fail(source, "not valid JSON at byte " + std::to_string(e.byte) + ": " +
                     parse_error_detail(e.what()));
  }
  try {
    return read_document(doc, source);
  } catch (const Json::exception& e) {
    fail(source, std::string("malformed report: ") + parse_error_detail(e.what()));
  }
}

LoadedReport read_report_file(const std::filesystem::path& path) {
  const std::string source = path.string();
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) fail(source, "cannot open: " + std::string(std::strerror(EISDIR)));
  const std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"),
                                                             &std::fclose);
  if (!file) fail(source, "cannot open: " + std::string(std::strerror(errno)));
  std::string text;
  char buffer[1 << 16];
  while (const std::size_t n = std::fread(buffer, 1, sizeof buffer, file.get())) text.append(buffer, n);
  if (std::ferror(file.get())) fail(source, "cannot read: " + std::string(std::strerror(errno)));
  return read_report_string(text, source);
}

}  // namespace offload::report
