#include "server/query_api.h"

#include <httplib.h>

#include <charconv>
#include <chrono>

#include "ddbg/logql.h"
#include "ddbg/traceql.h"
#include "server/jaeger_json.h"
#include "server/jaeger_query.h"
#include "server/otlp_json_export.h"
#include "server/result_json.h"
#include "server/server_context.h"
#include "util/time_parse.h"

namespace ddbg::server {
namespace {

using httplib::Request;
using httplib::Response;

constexpr char kJson[] = "application/json";

void SendJson(Response& res, int status, std::string body) {
  res.status = status;
  res.set_content(std::move(body), kJson);
}

void SendStatusError(Response& res, const Status& st) {
  int code = st.code() == StatusCode::kInvalidArgument ? 400
             : st.code() == StatusCode::kNotFound      ? 404
                                                       : 500;
  SendJson(res, code, JaegerError(code, st.ToString()));
}

// Wraps a handler so its latency lands in ddbg_query_duration_seconds{endpoint=…}.
template <typename Fn>
httplib::Server::Handler Timed(ServerContext& ctx, std::string endpoint, Fn fn) {
  return [&ctx, endpoint = std::move(endpoint), fn](const Request& req, Response& res) {
    auto t0 = std::chrono::steady_clock::now();
    fn(req, res);
    std::chrono::duration<double> d = std::chrono::steady_clock::now() - t0;
    ctx.metrics->RecordQuery(endpoint, d.count());
  };
}

bool ParseInt(const std::string& s, int64_t* out) {
  auto r = std::from_chars(s.data(), s.data() + s.size(), *out);
  return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

std::string StringList(const std::vector<std::string>& v) {
  std::string out;
  JsonWriter w(&out);
  w.BeginArray();
  for (const std::string& s : v) w.String(s);
  w.EndArray();
  return out;
}

std::string TracesJson(const std::vector<SpanBatch>& traces) {
  std::string out;
  JsonWriter w(&out);
  w.BeginArray();
  for (const SpanBatch& t : traces) WriteJaegerTrace(t, w);
  w.EndArray();
  return out;
}

// Reads the search parameters; microsecond start/end as the Jaeger UI sends them.
Status ParseSearch(const Request& req, TraceSearch* q) {
  q->service = req.get_param_value("service");
  q->operation = req.get_param_value("operation");
  if (q->operation == "all") q->operation.clear();
  DDBG_RETURN_IF_ERROR(ParseJaegerTags(req.get_param_value("tags"), &q->tags));
  for (const char* key : {"start", "end"}) {
    if (!req.has_param(key)) continue;
    int64_t us = 0;
    if (!ParseInt(req.get_param_value(key), &us) || us < 0 || us > INT64_MAX / 1000) {
      return Status::InvalidArgument(std::string(key) + " must be microseconds since the epoch");
    }
    (key[0] == 's' ? q->time.min_ns : q->time.max_ns) = us * 1000;
  }
  for (const char* key : {"minDuration", "maxDuration"}) {
    std::string v = req.get_param_value(key);
    if (v.empty()) continue;
    int64_t ns = 0;
    if (!ParseGoDuration(v, &ns)) {
      return Status::InvalidArgument(std::string(key) + ": not a duration like 1.5ms or 2s: " + v);
    }
    (key[1] == 'i' ? q->min_duration_ns : q->max_duration_ns) = ns;
  }
  if (req.has_param("limit")) {
    int64_t limit = 0;
    if (!ParseInt(req.get_param_value("limit"), &limit) || limit < 0) {
      return Status::InvalidArgument("limit must be a non-negative integer");
    }
    q->limit = limit == 0 ? 20 : static_cast<size_t>(std::min<int64_t>(limit, 10000));
  }
  return Status::Ok();
}

void HandleSearch(ServerContext& ctx, const Request& req, Response& res) {
  TraceSearch q;
  Status st = ParseSearch(req, &q);
  if (!st.ok()) return SendStatusError(res, st);
  auto ids = SearchTraceIds(*ctx.store, q);
  if (!ids.ok()) return SendStatusError(res, ids.status());
  auto traces = GatherTraces(*ctx.store, *ids);
  if (!traces.ok()) return SendStatusError(res, traces.status());
  SendJson(res, 200, JaegerEnvelope(TracesJson(*traces), traces->size()));
}

// The trace id of a /api/traces/{id}… path, or false after answering 400.
bool TraceIdParam(const Request& req, Response& res, TraceId* id) {
  std::string text = req.matches[1];
  if (ParseTraceIdHex(text, id) && !id->empty()) return true;
  SendJson(res, 400, JaegerError(400, "not a trace id (1 to 32 hex digits): " + text));
  return false;
}

void HandleTrace(ServerContext& ctx, const Request& req, Response& res) {
  TraceId id;
  if (!TraceIdParam(req, res, &id)) return;
  Result<SpanBatch> trace = ctx.store->GetTrace(id);
  if (!trace.ok()) return SendStatusError(res, trace.status());
  if (trace->empty()) return SendJson(res, 404, JaegerError(404, "trace not found"));
  std::vector<SpanBatch> one;
  one.push_back(std::move(trace).value());
  SendJson(res, 200, JaegerEnvelope(TracesJson(one), 1));
}

void HandleOperations(ServerContext& ctx, const std::string& service, bool names_only,
                      const std::string& kind, Response& res) {
  auto ops = ctx.operations->Operations(service);
  if (!ops.ok()) return SendStatusError(res, ops.status());
  std::string out;
  JsonWriter w(&out);
  w.BeginArray();
  size_t n = 0;
  std::string last;
  for (const Operation& op : *ops) {
    if (!kind.empty() && op.span_kind != kind) continue;
    if (names_only) {
      if (n > 0 && op.name == last) continue;
      w.String(op.name);
    } else {
      w.BeginObject().Key("name").String(op.name).Key("spanKind").String(op.span_kind).EndObject();
    }
    last = op.name;
    ++n;
  }
  w.EndArray();
  SendJson(res, 200, JaegerEnvelope(out, n));
}

void HandleDependencies(ServerContext& ctx, const Request& req, Response& res) {
  int64_t end_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch()).count();
  int64_t lookback_ms = 7LL * 24 * 3600 * 1000;
  if ((req.has_param("endTs") && !ParseInt(req.get_param_value("endTs"), &end_ms)) ||
      (req.has_param("lookback") && !ParseInt(req.get_param_value("lookback"), &lookback_ms)) ||
      end_ms < 0 || lookback_ms < 0 || end_ms > INT64_MAX / 1000000) {
    return SendJson(res, 400, JaegerError(400, "endTs and lookback must be milliseconds"));
  }
  TimeRange window{(end_ms - lookback_ms) * 1000000, end_ms * 1000000};
  auto deps = FindDependencies(*ctx.store, window);
  if (!deps.ok()) return SendStatusError(res, deps.status());
  std::string out;
  JsonWriter w(&out);
  w.BeginArray();
  for (const Dependency& d : *deps) {
    w.BeginObject().Key("parent").String(d.parent).Key("child").String(d.child);
    w.Key("callCount").Uint(d.call_count).EndObject();
  }
  w.EndArray();
  SendJson(res, 200, JaegerEnvelope(out, deps->size()));
}

// A time parameter: unix seconds (Tempo), nanoseconds (Loki, > 1e15) or RFC 3339.
bool TimeParam(const Request& req, const char* name, int64_t* ns) {
  if (!req.has_param(name)) return true;
  std::string v = req.get_param_value(name);
  int64_t n = 0;
  if (ParseInt(v, &n)) {
    *ns = n > 1000000000000000LL ? n : n * 1000000000LL;
    return true;
  }
  return ParseTimestampText(v, ns);
}

bool CountParam(const Request& req, const char* name, size_t* count) {
  if (!req.has_param(name)) return true;
  int64_t n = 0;
  if (!ParseInt(req.get_param_value(name), &n) || n < 0) return false;
  *count = static_cast<size_t>(n);
  return true;
}

bool LimitParam(const Request& req, size_t* limit) { return CountParam(req, "limit", limit); }

// Loki's step: seconds, or a duration such as 30s or 1m.
bool StepParam(const Request& req, int64_t* step_ns) {
  if (!req.has_param("step")) return true;
  std::string v = req.get_param_value("step");
  int64_t s = 0;
  if (ParseInt(v, &s)) {
    *step_ns = s * 1000000000LL;
    return s >= 0 && s < INT64_MAX / 1000000000LL;
  }
  return ParseGoDuration(v, step_ns) && *step_ns >= 0;
}

// format=ddbg: ddbg's lossless result JSON (what `ddbg … --server` reads) instead of the
// Tempo / Loki shape.
bool NativeFormat(const Request& req) { return req.get_param_value("format") == "ddbg"; }

// GET /api/traces/{id}/otlp: the trace's spans as an OTLP/JSON ExportTraceServiceRequest.
void HandleTraceOtlp(ServerContext& ctx, const Request& req, Response& res) {
  TraceId id;
  if (!TraceIdParam(req, res, &id)) return;
  Result<SpanBatch> trace = ctx.store->GetTrace(id);
  if (!trace.ok()) return SendStatusError(res, trace.status());
  if (trace->empty()) return SendJson(res, 404, JaegerError(404, "trace not found"));
  SendJson(res, 200, SpansToOtlpJson(*trace));
}

// GET /api/traces/{id}/logs: the trace's log records as an OTLP/JSON ExportLogsServiceRequest.
void HandleTraceLogs(ServerContext& ctx, const Request& req, Response& res) {
  TraceId id;
  if (!TraceIdParam(req, res, &id)) return;
  Result<LogBatch> logs = ctx.store->GetTraceLogs(id);
  if (!logs.ok()) return SendStatusError(res, logs.status());
  SendJson(res, 200, LogsToOtlpJson(*logs));
}

// GET/POST /api/traceql?q=…&start=&end=&limit= → Grafana Tempo's search response.
void HandleTraceQL(ServerContext& ctx, const Request& req, Response& res) {
  std::string q = req.has_param("q") ? req.get_param_value("q") : req.body;
  if (q.empty()) return SendJson(res, 400, JaegerError(400, "missing TraceQL query (q=…)"));
  TraceSearchOptions options;
  if (!TimeParam(req, "start", &options.scope.time.min_ns) ||
      !TimeParam(req, "end", &options.scope.time.max_ns) || !LimitParam(req, &options.limit) ||
      !CountParam(req, "spss", &options.spans_per_spanset)) {
    return SendJson(res, 400, JaegerError(400, "start/end must be unix seconds, ns or RFC 3339; "
                                               "limit and spss non-negative integers"));
  }
  Result<TraceSearchResult> r = SearchTraceQL(*ctx.store, q, options);
  if (!r.ok()) return SendStatusError(res, r.status());
  SendJson(res, 200, NativeFormat(req) ? TraceSearchResultJson(*r) : TempoSearchJson(*r));
}

// GET/POST /api/logql?query=…&start=&end=&step=&limit= → Loki's query_range response.
void HandleLogQL(ServerContext& ctx, const Request& req, Response& res) {
  std::string q = req.has_param("query") ? req.get_param_value("query") : req.body;
  if (q.empty()) return SendJson(res, 400, JaegerError(400, "missing LogQL query (query=…)"));
  LogQueryOptions options;
  if (!TimeParam(req, "start", &options.range.min_ns) ||
      !TimeParam(req, "end", &options.range.max_ns) || !LimitParam(req, &options.limit) ||
      !StepParam(req, &options.step_ns)) {
    return SendJson(res, 400, JaegerError(400, "start/end must be unix seconds, ns or RFC 3339; "
                                               "step seconds or a duration (1m); limit a "
                                               "non-negative integer"));
  }
  Result<LogQueryResult> r = EvalLogQL(*ctx.store, q, options);
  if (!r.ok()) return SendStatusError(res, r.status());
  SendJson(res, 200, NativeFormat(req) ? LogQueryResultJson(*r) : LokiQueryJson(*r));
}

}  // namespace

void AddQueryRoutes(httplib::Server& http, ServerContext& ctx) {
  http.Get("/api/services", Timed(ctx, "services", [&ctx](const Request&, Response& res) {
    auto services = ctx.operations->Services();
    if (!services.ok()) return SendStatusError(res, services.status());
    SendJson(res, 200, JaegerEnvelope(StringList(*services), services->size()));
  }));
  http.Get(R"(/api/services/([^/]+)/operations)",
           Timed(ctx, "operations", [&ctx](const Request& req, Response& res) {
             HandleOperations(ctx, req.matches[1], true, "", res);
           }));
  http.Get("/api/operations", Timed(ctx, "operations", [&ctx](const Request& req, Response& res) {
    HandleOperations(ctx, req.get_param_value("service"), false,
                     req.get_param_value("spanKind"), res);
  }));
  http.Get("/api/traces", Timed(ctx, "search", [&ctx](const Request& req, Response& res) {
    HandleSearch(ctx, req, res);
  }));
  http.Get(R"(/api/traces/([^/]+))", Timed(ctx, "trace", [&ctx](const Request& req, Response& res) {
    HandleTrace(ctx, req, res);
  }));
  http.Get(R"(/api/traces/([^/]+)/otlp)",
           Timed(ctx, "trace", [&ctx](const Request& req, Response& res) {
             HandleTraceOtlp(ctx, req, res);
           }));
  http.Get(R"(/api/traces/([^/]+)/logs)",
           Timed(ctx, "trace_logs", [&ctx](const Request& req, Response& res) {
             HandleTraceLogs(ctx, req, res);
           }));
  http.Get("/api/stats", Timed(ctx, "stats", [&ctx](const Request&, Response& res) {
    Result<StoreStats> stats = ctx.store->Stats();
    if (!stats.ok()) return SendStatusError(res, stats.status());
    SendJson(res, 200, StoreStatsJson(*stats));
  }));
  http.Get("/api/dependencies",
           Timed(ctx, "dependencies", [&ctx](const Request& req, Response& res) {
             HandleDependencies(ctx, req, res);
           }));
  auto traceql = Timed(ctx, "traceql", [&ctx](const Request& req, Response& res) {
    HandleTraceQL(ctx, req, res);
  });
  auto logql = Timed(ctx, "logql", [&ctx](const Request& req, Response& res) {
    HandleLogQL(ctx, req, res);
  });
  http.Get("/api/traceql", traceql);
  http.Post("/api/traceql", traceql);
  http.Get("/api/logql", logql);
  http.Post("/api/logql", logql);
}

void AddOpsRoutes(httplib::Server& http, ServerContext& ctx) {
  http.Get("/metrics", [&ctx](const Request&, Response& res) {
    res.set_content(ctx.metrics->Render(ctx.pipeline->Gauges()),
                    "text/plain; version=0.0.4; charset=utf-8");
  });
  http.Get("/healthz", [](const Request&, Response& res) { res.set_content("ok\n", "text/plain"); });
  http.Get("/readyz", [&ctx](const Request&, Response& res) {
    bool ready = ctx.ready.load();
    res.status = ready ? 200 : 503;
    res.set_content(ready ? "ready\n" : "starting\n", "text/plain");
  });
}

}  // namespace ddbg::server
