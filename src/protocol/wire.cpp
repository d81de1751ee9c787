// JSON encoding of the driver protocol (docs/driver_protocol.md). Every decoder checks types and
// names the field it rejects, so a driver that breaks the protocol is reported in one line.
#include "protocol/wire.hpp"

#include <nlohmann/json.hpp>

namespace offload::protocol {
namespace {

using nlohmann::json;

json workload_json(const WorkloadSpec& w) {
  return json{{"kind", w.kind},
              {"job", w.job},
              {"job_ns", w.job_ns},
              {"job_us", w.job_us},
              {"job_kib", w.job_kib},
              {"ops", w.ops},
              {"concurrency", w.concurrency},
              {"limit", w.limit},
              {"context_vars", w.context_vars},
              {"timeout_ms", w.timeout_ms ? json(*w.timeout_ms) : json(nullptr)},
              {"gc", w.gc},
              {"workers", w.workers ? json(*w.workers) : json(nullptr)},
              {"loop", w.loop}};
}

json selection_json(const StrategySelection& selection) {
  json object = json::object();
  for (const auto& [axis, strategy] : selection) object[axis] = strategy;
  return object;
}

// Throws RequestError("not JSON" / "not a JSON object", prefixed by `what` when given).
json parse_object(std::string_view line, const char* what) {
  const std::string prefix = *what ? std::string(what) + ": " : "";
  json value = json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded()) throw RequestError(prefix + "not JSON");
  if (!value.is_object()) throw RequestError(prefix + "not a JSON object");
  return value;
}

// obj[key] as T, `fallback` when absent (or null and `nullable`); RequestError naming the field otherwise.
template <class T>
T field(const json& obj, const char* key, T fallback, const char* prefix = "") {
  const auto it = obj.find(key);
  if (it == obj.end()) return fallback;
  const bool fits = [&] {
    if constexpr (std::is_same_v<T, bool>) return it->is_boolean();
    else if constexpr (std::is_same_v<T, std::string>) return it->is_string();
    else if constexpr (std::is_same_v<T, double>) return it->is_number();
    else return it->is_number_integer();
  }();
  if (!fits) throw RequestError(std::string(prefix) + key + ": unexpected type, got " + it->dump());
  return it->get<T>();
}

template <class T>
std::optional<T> optional_field(const json& obj, const char* key, const char* prefix) {
  const auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return std::nullopt;
  return field<T>(obj, key, T{}, prefix);
}

template <class T>
T required(const json& obj, const char* key) {
  if (!obj.contains(key)) throw RequestError(std::string("missing field \"") + key + "\"");
  return field<T>(obj, key, T{});
}

WorkloadSpec decode_workload(const json& obj) {
  if (!obj.is_object()) throw RequestError("workload: expected an object, got " + obj.dump());
  constexpr const char* p = "workload.";
  WorkloadSpec w;
  w.kind = field(obj, "kind", w.kind, p);
  w.job = field(obj, "job", w.job, p);
  w.job_ns = field(obj, "job_ns", w.job_ns, p);
  w.job_us = field(obj, "job_us", w.job_us, p);
  w.job_kib = field(obj, "job_kib", w.job_kib, p);
  w.ops = field(obj, "ops", w.ops, p);
  w.concurrency = field(obj, "concurrency", w.concurrency, p);
  w.limit = field(obj, "limit", w.limit, p);
  w.context_vars = field(obj, "context_vars", w.context_vars, p);
  w.timeout_ms = optional_field<double>(obj, "timeout_ms", p);
  w.gc = field(obj, "gc", w.gc, p);
  w.workers = optional_field<std::int64_t>(obj, "workers", p);
  w.loop = field(obj, "loop", w.loop, p);
  if (w.ops < 1) throw RequestError("workload.ops: must be >= 1, got " + std::to_string(w.ops));
  if (w.limit < 1) throw RequestError("workload.limit: must be >= 1, got " + std::to_string(w.limit));
  if (w.workers && *w.workers < 1) throw RequestError("workload.workers: must be >= 1");
  for (std::int64_t v : {w.job_ns, w.job_us, w.job_kib, w.context_vars})
    if (v < 0) throw RequestError("workload: job_ns, job_us, job_kib and context_vars must be >= 0");
  return w;
}

StrategySelection decode_selection(const json& obj) {
  if (!obj.is_object()) throw RequestError("selection: expected an object, got " + obj.dump());
  StrategySelection selection;
  for (const auto& [axis, strategy] : obj.items()) {
    if (!strategy.is_string()) throw RequestError("selection." + axis + ": expected a string");
    selection.emplace_back(axis, strategy.get<std::string>());
  }
  return selection;
}

std::string ok(json body) {
  body["ok"] = true;
  return body.dump();
}

}  // namespace

std::string encode_hello_request() { return json{{"cmd", "hello"}, {"protocol", kProtocolVersion}}.dump(); }
std::string encode_open_request(const WorkloadSpec& workload, const StrategySelection& selection) {
  return json{{"cmd", "open"}, {"workload", workload_json(workload)}, {"selection", selection_json(selection)}}.dump(
      -1, ' ', false, json::error_handler_t::replace);
}
std::string encode_sample_request(WorkloadId id, std::int64_t batches) {
  return json{{"cmd", "sample"}, {"id", id}, {"batches", batches}}.dump();
}
std::string encode_probe_request(const StrategySelection& selection) {
  return json{{"cmd", "probe"}, {"selection", selection_json(selection)}}.dump(-1, ' ', false,
                                                                               json::error_handler_t::replace);
}
std::string encode_close_request(WorkloadId id) { return json{{"cmd", "close"}, {"id", id}}.dump(); }
std::string encode_exit_request() { return json{{"cmd", "exit"}}.dump(); }

std::string encode_hello(const Hello& h) {
  json body{{"protocol", h.protocol}, {"backend", h.backend}, {"description", h.description}, {"version", h.version}};
  if (!h.implementation.empty()) body["implementation"] = h.implementation;
  if (!h.executable.empty()) body["executable"] = h.executable;
  if (h.has_get_snapshot) body["has_get_snapshot"] = true;
  return ok(std::move(body));
}
std::string encode_opened(WorkloadId id) { return ok({{"id", id}}); }
std::string encode_sample(const Sample& s) {
  json body{{"ops", s.ops},
            {"wall_ns", s.wall_ns},
            {"cpu_ns", s.cpu_ns},
            {"voluntary_switches", s.voluntary_switches},
            {"involuntary_switches", s.involuntary_switches},
            {"gc_collections", s.gc_collections},
            {"gc_ns", s.gc_ns}};
  if (!s.latencies_ns.empty()) body["latencies_ns"] = s.latencies_ns;
  return ok(std::move(body));
}
std::string encode_probes(const std::vector<Probe>& probes) {
  json list = json::array();
  for (const Probe& p : probes) list.push_back({{"guarantee", p.guarantee}, {"passed", p.passed}, {"detail", p.detail}});
  return ok({{"probes", std::move(list)}});
}
std::string encode_done() { return ok(json::object()); }
std::string encode_error(std::string_view message) {
  return json{{"ok", false}, {"error", std::string(message)}}.dump(-1, ' ', false, json::error_handler_t::replace);
}
std::string encode_unsupported(std::string_view reason) {
  return json{{"ok", false}, {"unsupported", std::string(reason)}}.dump(-1, ' ', false,
                                                                       json::error_handler_t::replace);
}

Response decode_response(std::string_view line) {
  const json body = parse_object(line, "");
  const auto ok_field = body.find("ok");
  if (ok_field == body.end() || !ok_field->is_boolean()) throw RequestError("no \"ok\" field");
  if (ok_field->get<bool>()) return {Response::Status::kOk, "", std::string(line)};
  if (const auto reason = body.find("unsupported"); reason != body.end() && reason->is_string())
    return {Response::Status::kUnsupported, reason->get<std::string>(), ""};
  if (const auto error = body.find("error"); error != body.end() && error->is_string())
    return {Response::Status::kError, error->get<std::string>(), ""};
  return {Response::Status::kError, "failed without saying why", ""};
}

Hello decode_hello(const Response& response) {
  const json body = parse_object(response.body, "hello response");
  Hello h;
  h.protocol = required<int>(body, "protocol");
  h.backend = field<std::string>(body, "backend", "");
  h.description = field<std::string>(body, "description", "");
  h.version = field<std::string>(body, "version", "");
  h.implementation = field<std::string>(body, "implementation", "");
  h.executable = field<std::string>(body, "executable", "");
  h.has_get_snapshot = field<bool>(body, "has_get_snapshot", false);
  return h;
}

WorkloadId decode_opened(const Response& response) {
  return required<WorkloadId>(parse_object(response.body, "open response"), "id");
}

Sample decode_sample(const Response& response) {
  const json body = parse_object(response.body, "sample response");
  Sample s;
  s.ops = required<std::int64_t>(body, "ops");
  s.wall_ns = required<std::int64_t>(body, "wall_ns");
  s.cpu_ns = required<std::int64_t>(body, "cpu_ns");
  s.voluntary_switches = required<std::int64_t>(body, "voluntary_switches");
  s.involuntary_switches = required<std::int64_t>(body, "involuntary_switches");
  s.gc_collections = field<std::int64_t>(body, "gc_collections", 0);
  s.gc_ns = field<std::int64_t>(body, "gc_ns", 0);
  if (s.ops < 1 || s.wall_ns < 0 || s.cpu_ns < 0) throw RequestError("sample: ops < 1 or a negative time");
  if (const auto it = body.find("latencies_ns"); it != body.end()) {
    if (!it->is_array()) throw RequestError("latencies_ns: expected an array");
    s.latencies_ns.reserve(it->size());
    for (const json& v : *it) {
      if (!v.is_number_integer()) throw RequestError("latencies_ns: expected integers");
      s.latencies_ns.push_back(v.get<std::int64_t>());
    }
  }
  return s;
}

std::vector<Probe> decode_probes(const Response& response) {
  const json body = parse_object(response.body, "probe response");
  const auto list = body.find("probes");
  if (list == body.end() || !list->is_array()) throw RequestError("missing field \"probes\"");
  std::vector<Probe> probes;
  for (const json& p : *list) {
    if (!p.is_object()) throw RequestError("probes: expected objects");
    probes.push_back({required<std::string>(p, "guarantee"), required<bool>(p, "passed"),
                      field<std::string>(p, "detail", "")});
  }
  return probes;
}

Request decode_request(std::string_view line) {
  const json body = parse_object(line, "malformed request");
  Request r;
  r.cmd = required<std::string>(body, "cmd");
  if (r.cmd == "hello") {
    r.protocol = field<int>(body, "protocol", 0);
  } else if (r.cmd == "open") {
    if (!body.contains("workload")) throw RequestError("open: missing field \"workload\"");
    r.workload = decode_workload(body.at("workload"));
    r.selection = decode_selection(body.value("selection", json::object()));
  } else if (r.cmd == "probe") {
    r.selection = decode_selection(body.value("selection", json::object()));
  } else if (r.cmd == "sample" || r.cmd == "close") {
    r.id = required<WorkloadId>(body, "id");
    r.batches = field<std::int64_t>(body, "batches", 1);
    if (r.batches < 1) throw RequestError("batches: must be >= 1");
  } else if (r.cmd != "exit") {
    throw RequestError("unknown cmd \"" + r.cmd + "\" (commands: hello, open, sample, probe, close, exit)");
  }
  return r;
}

}  // namespace offload::protocol
