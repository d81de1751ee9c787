// The run page's payload (html_report.hpp): read each report with report_reader (samples, phase
// breakdown, environment; ours or Google Benchmark's), then add what only our `scenarios` hold —
// comparisons, conformance, expectations, warnings, sweep parameters — per scenario point.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>

#include <fmt/format.h>

#include "measure/statistics.hpp"
#include "report/html_payload_json.hpp"
#include "report/html_report.hpp"

namespace offload::report {
namespace {

using html::Json;
using html::rounded;

std::string string_at(const Json& j, const char* key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

const Json& object_at(const Json& j, const char* key) {
  static const Json kEmpty = Json::object();
  const auto it = j.find(key);
  return it != j.end() && it->is_object() ? *it : kEmpty;
}

const Json& array_at(const Json& j, const char* key) {
  static const Json kEmpty = Json::array();
  const auto it = j.find(key);
  return it != j.end() && it->is_array() ? *it : kEmpty;
}

double number_at(const Json& j, std::size_t index) {
  return j.is_array() && index < j.size() && j[index].is_number() ? j[index].get<double>() : NAN;
}

const std::vector<double>& ns_samples(const BenchmarkSamples* b) {
  static const std::vector<double> kNone;
  if (b == nullptr) return kNone;
  const auto it = b->metrics.find(std::string(kNsPerOp));
  return it == b->metrics.end() ? kNone : it->second;
}

double median_or_nan(const std::vector<double>& samples) {
  return samples.empty() ? NAN : measure::median(samples);
}

Json breakdown_json(const BenchmarkSamples* b) {
  Json out = Json::array();
  if (b == nullptr) return out;
  for (const PhaseSummary& p : b->breakdown)
    out.push_back({{"phase", p.phase}, {"p50", rounded(p.p50)}, {"p99", rounded(p.p99)},
                   {"mean", rounded(p.mean)}});
  return out;
}

// Context fields of our reports that report_reader does not keep: how loaded and how steady the
// machine was, and what ran.
void add_context_rows(Json& rows, const Json& context) {
  if (const auto it = context.find("load_avg"); it != context.end() && it->is_array()) {
    std::string load;
    for (std::size_t i = 0; i < 3; ++i) {
      const double v = number_at(*it, i);
      load += (i ? " " : "") + (std::isfinite(v) ? fmt::format("{:.2f}", v) : std::string("–"));
    }
    rows.push_back({"Load average (1, 5, 15 min)", load});
  }
  if (const auto it = context.find("cpu_scaling_enabled"); it != context.end() && it->is_boolean())
    rows.push_back({"CPU frequency scaling", it->get<bool>() ? "enabled" : "off"});
  for (const auto& [key, label] : {std::pair{"kernel", "Kernel"}, std::pair{"suite", "Suite"}})
    if (const std::string v = string_at(context, key); !v.empty()) rows.push_back({label, v});
}

// "<scenario>/<param=value>...": the prefix of the point's benchmark keys (json_reporter's
// run_name without the strategy), and the parameters as [short name, value] pairs.
std::string point_key(const Json& point, Json& parameters) {
  std::string key = string_at(object_at(point, "scenario"), "name");
  for (const auto& [name, value] : object_at(point, "parameters").items()) {
    const auto dot = name.rfind('.');
    const std::string text = value.is_string() ? value.get<std::string>() : value.dump();
    key += "/" + (dot == std::string::npos ? name : name.substr(dot + 1)) + "=" + text;
    parameters.push_back({name, text});
  }
  return key;
}

Json strategy_json(const Json& s, const BenchmarkSamples* b, const std::string& baseline) {
  const std::string name = string_at(s, "strategy");
  Json median = nullptr, ci = Json::array({nullptr, nullptr});
  for (const Json& m : array_at(s, "metrics")) {
    if (string_at(m, "name") != kNsPerOp) continue;
    const Json& summary = object_at(m, "summary");
    if (const auto it = summary.find("median"); it != summary.end() && it->is_number())
      median = rounded(it->get<double>());
    const auto c = summary.find("ci");
    if (c != summary.end()) ci = html::interval(number_at(*c, 0), number_at(*c, 1));
  }
  const std::vector<double>& samples = ns_samples(b);
  if (median.is_null()) median = rounded(median_or_nan(samples));
  Json conformance = Json::array();
  for (const Json& c : array_at(s, "conformance"))
    conformance.push_back({{"guarantee", string_at(c, "guarantee")},
                           {"passed", c.value("passed", false)}, {"claimed", c.value("claimed", false)},
                           {"detail", string_at(c, "detail")}});
  return {{"name", name}, {"role", name == baseline ? "baseline" : "candidate"},
          {"backend", string_at(s, "backend")},  // schema 2; "" in schema 1
          {"samples", html::rounded_list(samples)}, {"median", median}, {"ci", ci},
          {"conformance", conformance}, {"breakdown", breakdown_json(b)}};
}

Json our_point(const Json& r, const LoadedReport& loaded, const std::string& id) {
  Json parameters = Json::array();
  const std::string key = point_key(r, parameters);
  const Json& scenario = object_at(r, "scenario");
  const std::string baseline = string_at(object_at(scenario, "compare"), "baseline");
  Json strategies = Json::array();
  for (const Json& s : array_at(r, "strategies"))
    strategies.push_back(strategy_json(s, loaded.find(key + "/" + string_at(s, "strategy")), baseline));
  Json comparisons = Json::array();
  for (const Json& c : array_at(r, "comparisons")) {
    const auto number = [&](const char* k) {
      const auto it = c.find(k);
      return it != c.end() && it->is_number() ? it->get<double>() : NAN;
    };
    const auto ci = c.find("ratio_ci");
    comparisons.push_back(
        {{"candidate", string_at(c, "candidate")}, {"metric", string_at(c, "metric")},
         {"ratio", rounded(number("ratio"))},
         {"ci", ci == c.end() ? Json::array({nullptr, nullptr})
                              : html::interval(number_at(*ci, 0), number_at(*ci, 1))},
         {"threshold", rounded(number("threshold"))}, {"p_value", rounded(number("p_value"))},
         {"verdict", string_at(c, "verdict")}});
  }
  Json expectations = Json::array();
  for (const Json& e : array_at(r, "expectations"))
    expectations.push_back({{"description", string_at(e, "description")},
                            {"outcome", string_at(e, "outcome")}, {"detail", string_at(e, "detail")}});
  Json warnings = Json::array();
  for (const Json& w : array_at(r, "warnings"))
    if (w.is_string()) warnings.push_back(w);
  const auto complete = r.find("complete");
  const auto rounds = r.find("rounds");  // schema 2: how many interleaved rounds, and why no more
  std::string sampling;
  if (rounds != r.end() && rounds->is_number_integer() && rounds->get<std::int64_t>() > 0) {
    sampling = fmt::format("{} rounds", rounds->get<std::int64_t>());
    if (const std::string why = string_at(r, "stopped_by"); !why.empty()) sampling += ", stopped by " + why;
  }
  return {{"id", id}, {"title", key}, {"scenario", string_at(scenario, "name")},
          {"description", string_at(scenario, "description")}, {"parameters", parameters},
          {"backend", string_at(r, "backend")}, {"sampling", sampling},
          {"complete", complete == r.end() || !complete->is_boolean() || complete->get<bool>()},
          {"skipped", string_at(r, "skipped")}, {"strategies", strategies},
          {"comparisons", comparisons}, {"expectations", expectations}, {"warnings", warnings}};
}

// Google Benchmark: one point per family (the name up to its first '/'), one row per benchmark.
Json gbench_points(const LoadedReport& loaded, const std::string& report_id) {
  Json points = Json::array();
  std::map<std::string, std::size_t> family_index;
  for (const BenchmarkSamples& b : loaded.benchmarks) {
    const std::string family = b.key.substr(0, b.key.find('/'));
    const auto [it, added] = family_index.try_emplace(family, points.size());
    if (added)
      points.push_back({{"id", fmt::format("{}-p{}", report_id, points.size())}, {"title", family},
                        {"scenario", family}, {"description", ""}, {"parameters", Json::array()},
                        {"backend", ""}, {"sampling", ""}, {"complete", true}, {"skipped", ""},
                        {"strategies", Json::array()}, {"comparisons", Json::array()},
                        {"expectations", Json::array()}, {"warnings", Json::array()}});
    const std::vector<double>& samples = ns_samples(&b);
    points[it->second]["strategies"].push_back(
        {{"name", b.key}, {"role", "benchmark"}, {"backend", ""}, {"samples", html::rounded_list(samples)},
         {"median", rounded(median_or_nan(samples))}, {"ci", Json::array({nullptr, nullptr})},
         {"conformance", Json::array()}, {"breakdown", breakdown_json(&b)}});
  }
  return points;
}

// The sweeps among `points` (consecutive points of one scenario with parameters): the parameter
// with the most values on x (the last such one on a tie), one panel per combination of the
// others, one series per strategy of medians and CI bounds (null where a point lacks it).
Json sweeps_json(const Json& points, const std::string& report_id) {
  Json sweeps = Json::array();
  for (std::size_t begin = 0; begin < points.size();) {
    std::size_t end = begin;
    const std::string& scenario = points[begin]["scenario"].get_ref<const std::string&>();
    while (end < points.size() && points[end]["scenario"] == scenario &&
           !points[end]["parameters"].empty())
      ++end;
    if (end - begin < 2) {
      begin = std::max(end, begin + 1);
      continue;
    }
    const Json& axes = points[begin]["parameters"];
    std::size_t x_axis = 0, most = 0;
    for (std::size_t a = 0; a < axes.size(); ++a) {
      std::vector<std::string> seen;
      for (std::size_t p = begin; p < end; ++p) {
        const Json& params = points[p]["parameters"];
        const std::string v = a < params.size() ? params[a][1].get<std::string>() : "";
        if (std::find(seen.begin(), seen.end(), v) == seen.end()) seen.push_back(v);
      }
      if (seen.size() >= most) most = seen.size(), x_axis = a;
    }
    if (most < 2) {
      begin = end;
      continue;
    }
    Json panels = Json::array();
    std::map<std::string, std::size_t> panel_index;
    for (std::size_t p = begin; p < end; ++p) {
      const Json& params = points[p]["parameters"];
      std::string panel_title, x_value;
      for (std::size_t a = 0; a < params.size(); ++a) {
        if (a == x_axis) x_value = params[a][1].get<std::string>();
        else panel_title += (panel_title.empty() ? "" : ", ") + params[a][0].get<std::string>() + " = " +
                            params[a][1].get<std::string>();
      }
      const auto [it, added] = panel_index.try_emplace(panel_title, panels.size());
      if (added) panels.push_back({{"title", panel_title}, {"x_values", Json::array()}, {"series", Json::array()}});
      Json& panel = panels[it->second];
      panel["x_values"].push_back(x_value);
      const std::size_t column = panel["x_values"].size() - 1;
      for (const Json& s : points[p]["strategies"]) {
        Json* series = nullptr;
        for (Json& candidate : panel["series"])
          if (candidate["strategy"] == s["name"]) series = &candidate;
        if (series == nullptr) {
          panel["series"].push_back({{"strategy", s["name"]}, {"median", Json::array()},
                                     {"low", Json::array()}, {"high", Json::array()}});
          series = &panel["series"].back();
        }
        for (const char* k : {"median", "low", "high"})
          while ((*series)[k].size() < column) (*series)[k].push_back(nullptr);
        (*series)["median"].push_back(s["median"]);
        (*series)["low"].push_back(s["ci"][0]);
        (*series)["high"].push_back(s["ci"][1]);
      }
    }
    sweeps.push_back({{"id", fmt::format("{}-s{}", report_id, sweeps.size())}, {"scenario", scenario},
                      {"x", axes[x_axis][0]}, {"panels", panels}});
    begin = end;
  }
  return sweeps;
}

Json report_json(const ReportText& text, std::size_t index) {
  const LoadedReport loaded = read_report_string(text.json, text.source);
  const std::string id = fmt::format("r{}", index);
  Json rows = html::environment_rows(loaded.environment, loaded.kind);
  Json warnings = Json::array();
  if (loaded.partial) warnings.push_back("partial run: it was interrupted; only the completed points are here");
  Json points = Json::array();
  if (loaded.kind == ReportKind::kGoogleBenchmark) {
    points = gbench_points(loaded, id);
  } else {
    Json doc;
    try {
      doc = Json::parse(text.json);
    } catch (const Json::exception& e) {
      throw ReportError(text.source + ": malformed report: " + e.what());
    }
    add_context_rows(rows, object_at(doc, "context"));
    for (const Json& w : array_at(doc, "warnings"))
      if (w.is_string()) warnings.push_back(w);
    for (const Json& r : array_at(doc, "scenarios"))
      if (r.is_object()) points.push_back(our_point(r, loaded, fmt::format("{}-p{}", id, points.size())));
  }
  Json sweeps = sweeps_json(points, id);
  return {{"id", id}, {"source", text.source}, {"environment", rows}, {"warnings", warnings},
          {"points", points}, {"sweeps", sweeps}};
}

}  // namespace

std::string html_run_payload(const std::vector<ReportText>& reports) {
  Json out = {{"kind", "run"}, {"reports", Json::array()}};
  for (std::size_t i = 0; i < reports.size(); ++i) out["reports"].push_back(report_json(reports[i], i));
  return out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace offload::report
