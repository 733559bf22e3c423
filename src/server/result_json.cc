#include "server/result_json.h"

#include <simdjson.h>

#include <cmath>

#include "util/json_writer.h"

namespace ddbg::server {
namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

// --- writing ---

void WriteExplain(JsonWriter& w, const QueryExplain& e) {
  w.Key("explain").BeginObject().Key("plan").String(e.plan).Key("elapsed_ms").Double(e.elapsed_ms);
  w.Key("steps").BeginArray();
  for (const QueryStep& s : e.steps) {
    w.BeginObject().Key("name").String(s.name).Key("detail").String(s.detail);
    w.Key("segments").Uint(s.segments).Key("segments_skipped").Uint(s.segments_skipped);
    w.Key("segments_read").Uint(s.segments_read).Key("rows_read").Uint(s.rows_read);
    w.Key("rows_checked").Uint(s.rows_checked).Key("rows_matched").Uint(s.rows_matched);
    w.EndObject();
  }
  w.EndArray().EndObject();
}

void WriteAttrs(JsonWriter& w, const std::vector<ResultAttr>& attrs) {
  w.Key("attributes").BeginArray();
  for (const ResultAttr& a : attrs) {
    w.BeginObject().Key("key").String(a.key).Key("type").Uint(static_cast<uint8_t>(a.type));
    w.Key("text").String(a.text).Key("int").Int(a.int_value).Key("double").Double(a.double_value);
    w.EndObject();
  }
  w.EndArray();
}

void WriteSpanSet(JsonWriter& w, const ResultSpanSet& set) {
  w.BeginObject().Key("matched").Uint(set.matched);
  WriteAttrs(w, set.attributes);
  w.Key("spans").BeginArray();
  for (const MatchedSpan& s : set.spans) {
    w.BeginObject().Key("span_id").String(SpanIdToHex(s.span_id)).Key("service").String(s.service);
    w.Key("name").String(s.name).Key("start_ns").Int(s.start_ns).Key("duration_ns").Int(s.duration_ns);
    WriteAttrs(w, s.attributes);
    w.EndObject();
  }
  w.EndArray().EndObject();
}

void WriteLabels(JsonWriter& w, const LabelSet& labels) {
  w.Key("labels").BeginArray();
  for (const auto& [k, v] : labels) w.BeginArray().String(k).String(v).EndArray();
  w.EndArray();
}

// --- reading: the first error wins; later reads return zero values ---

class Reader {
 public:
  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  // Member `key` of `e`; a default element (never read: ok() is false) when missing.
  element Field(element e, const char* key) {
    element v;
    if (ok() && e[key].get(v) != simdjson::SUCCESS) Fail(key, "missing");
    return v;
  }
  std::string Str(element e, const char* key) { return std::string(Get<std::string_view>(e, key, "not a string")); }
  int64_t Int(element e, const char* key) { return Get<int64_t>(e, key, "not an integer"); }
  uint64_t Uint(element e, const char* key) { return Get<uint64_t>(e, key, "not an unsigned integer"); }
  bool Bool(element e, const char* key) { return Get<bool>(e, key, "not a boolean"); }
  double Double(element e, const char* key) {
    element f = Field(e, key);
    if (!ok() || f.is_null()) return NAN;
    double v = 0;
    if (f.get(v) != simdjson::SUCCESS) Fail(key, "not a number");
    return v;
  }
  std::vector<element> Array(element e, const char* key) {
    std::vector<element> out;
    element f = Field(e, key);
    array a;
    if (!ok()) return out;
    if (f.get(a) != simdjson::SUCCESS) {
      Fail(key, "not an array");
      return out;
    }
    for (element x : a) out.push_back(x);
    return out;
  }
  void Fail(const char* key, const char* what) {
    if (ok()) error_ = std::string("\"") + key + "\": " + what;
  }

 private:
  template <typename T>
  T Get(element e, const char* key, const char* what) {
    T v{};
    element f = Field(e, key);
    if (ok() && f.get(v) != simdjson::SUCCESS) Fail(key, what);
    return v;
  }
  std::string error_;
};

template <typename T>
Result<T> Finish(const Reader& r, T value, const char* what) {
  if (!r.ok()) return Status::Corruption(std::string("server answer (") + what + "): " + r.error());
  return value;
}

QueryExplain ReadExplain(Reader& r, element e) {
  QueryExplain out;
  element x = r.Field(e, "explain");
  out.plan = r.Str(x, "plan");
  out.elapsed_ms = r.Double(x, "elapsed_ms");
  for (element s : r.Array(x, "steps")) {
    QueryStep q;
    q.name = r.Str(s, "name");
    q.detail = r.Str(s, "detail");
    q.segments = r.Uint(s, "segments");
    q.segments_skipped = r.Uint(s, "segments_skipped");
    q.segments_read = r.Uint(s, "segments_read");
    q.rows_read = r.Uint(s, "rows_read");
    q.rows_checked = r.Uint(s, "rows_checked");
    q.rows_matched = r.Uint(s, "rows_matched");
    out.steps.push_back(std::move(q));
  }
  return out;
}

std::vector<ResultAttr> ReadAttrs(Reader& r, element e) {
  std::vector<ResultAttr> out;
  for (element a : r.Array(e, "attributes")) {
    ResultAttr x;
    x.key = r.Str(a, "key");
    x.type = static_cast<AttrType>(r.Uint(a, "type"));
    x.text = r.Str(a, "text");
    x.int_value = r.Int(a, "int");
    x.double_value = r.Double(a, "double");
    out.push_back(std::move(x));
  }
  return out;
}

TraceId ReadTraceId(Reader& r, element e, const char* key) {
  TraceId id;
  std::string hex = r.Str(e, key);
  if (r.ok() && !hex.empty() && !ParseTraceIdHex(hex, &id)) r.Fail(key, "not a trace id");
  return id;
}

SpanId ReadSpanId(Reader& r, element e, const char* key) {
  SpanId id = 0;
  std::string hex = r.Str(e, key);
  if (r.ok() && !hex.empty() && !ParseSpanIdHex(hex, &id)) r.Fail(key, "not a span id");
  return id;
}

ResultSpanSet ReadSpanSet(Reader& r, element e) {
  ResultSpanSet set;
  set.matched = r.Uint(e, "matched");
  set.attributes = ReadAttrs(r, e);
  for (element s : r.Array(e, "spans")) {
    MatchedSpan m;
    m.span_id = ReadSpanId(r, s, "span_id");
    m.service = r.Str(s, "service");
    m.name = r.Str(s, "name");
    m.start_ns = r.Int(s, "start_ns");
    m.duration_ns = r.Int(s, "duration_ns");
    m.attributes = ReadAttrs(r, s);
    set.spans.push_back(std::move(m));
  }
  return set;
}

LabelSet ReadLabels(Reader& r, element e) {
  LabelSet out;
  for (element pair : r.Array(e, "labels")) {
    std::string_view k, v;
    array kv;
    if (pair.get(kv) != simdjson::SUCCESS || kv.size() != 2 || kv.at(0).get(k) != simdjson::SUCCESS ||
        kv.at(1).get(v) != simdjson::SUCCESS) {
      r.Fail("labels", "not [name, value] pairs");
      break;
    }
    out.emplace_back(std::string(k), std::string(v));
  }
  return out;
}

// Parses `json` and reads it with read(reader, root) -> T.
template <typename ReadFn>
auto ParseWith(std::string_view json, const char* what, ReadFn read)
    -> Result<decltype(read(std::declval<Reader&>(), element()))> {
  simdjson::dom::parser parser;
  simdjson::padded_string text(json);
  element root;
  if (auto err = parser.parse(text).get(root); err != simdjson::SUCCESS) {
    return Status::Corruption(std::string("server answer (") + what + ") is not JSON: " +
                              simdjson::error_message(err));
  }
  Reader r;
  auto value = read(r, root);
  return Finish(r, std::move(value), what);
}

TraceSearchResult ReadTraceSearchResult(Reader& r, element root) {
  TraceSearchResult out;
  for (element t : r.Array(root, "traces")) {
    TraceHit hit;
    hit.trace_id = ReadTraceId(r, t, "trace_id");
    hit.root_service = r.Str(t, "root_service");
    hit.root_name = r.Str(t, "root_name");
    hit.start_ns = r.Int(t, "start_ns");
    hit.duration_ns = r.Int(t, "duration_ns");
    hit.span_count = r.Uint(t, "span_count");
    for (element s : r.Array(t, "spansets")) hit.spansets.push_back(ReadSpanSet(r, s));
    out.traces.push_back(std::move(hit));
  }
  out.explain = ReadExplain(r, root);
  return out;
}

LogQueryResult ReadLogQueryResult(Reader& r, element root) {
  LogQueryResult out;
  out.is_metric = r.Bool(root, "is_metric");
  out.start_ns = r.Int(root, "start_ns");
  out.end_ns = r.Int(root, "end_ns");
  out.step_ns = r.Int(root, "step_ns");
  for (element l : r.Array(root, "lines")) {
    LogLine line;
    line.time_ns = r.Int(l, "time_ns");
    line.line = r.Str(l, "line");
    line.labels = ReadLabels(r, l);
    line.trace_id = ReadTraceId(r, l, "trace_id");
    line.span_id = ReadSpanId(r, l, "span_id");
    out.lines.push_back(std::move(line));
  }
  for (element s : r.Array(root, "series")) {
    Series series;
    series.labels = ReadLabels(r, s);
    for (element x : r.Array(s, "samples")) {
      array pair;
      Sample sample;
      double value = NAN;
      if (x.get(pair) != simdjson::SUCCESS || pair.size() != 2 ||
          pair.at(0).get(sample.time_ns) != simdjson::SUCCESS ||
          (!pair.at(1).is_null() && pair.at(1).get(value) != simdjson::SUCCESS)) {
        r.Fail("samples", "not [time_ns, value] pairs");
        break;
      }
      sample.value = value;
      series.samples.push_back(sample);
    }
    out.series.push_back(std::move(series));
  }
  out.explain = ReadExplain(r, root);
  return out;
}

StoreStats ReadStoreStats(Reader& r, element root) {
  StoreStats s;
  s.traces = r.Uint(root, "traces");
  s.spans = r.Uint(root, "spans");
  s.logs = r.Uint(root, "logs");
  s.events = r.Uint(root, "events");
  s.segments = r.Uint(root, "segments");
  s.bytes_on_disk = r.Uint(root, "bytes_on_disk");
  s.min_time_ns = r.Int(root, "min_time_ns");
  s.max_time_ns = r.Int(root, "max_time_ns");
  for (const char* key : {"services", "streams_sample"}) {
    auto& list = key[1] == 'e' ? s.services : s.streams_sample;
    for (element e : r.Array(root, key)) {
      std::string_view name;
      if (e.get(name) != simdjson::SUCCESS) r.Fail(key, "not a list of strings");
      list.emplace_back(name);
    }
  }
  s.streams = r.Uint(root, "streams");
  s.last_segment = r.Uint(root, "last_segment");
  return s;
}

}  // namespace

std::string TraceSearchResultJson(const TraceSearchResult& r) {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject().Key("traces").BeginArray();
  for (const TraceHit& t : r.traces) {
    w.BeginObject().Key("trace_id").String(TraceIdToHex(t.trace_id));
    w.Key("root_service").String(t.root_service).Key("root_name").String(t.root_name);
    w.Key("start_ns").Int(t.start_ns).Key("duration_ns").Int(t.duration_ns);
    w.Key("span_count").Uint(t.span_count).Key("spansets").BeginArray();
    for (const ResultSpanSet& s : t.spansets) WriteSpanSet(w, s);
    w.EndArray().EndObject();
  }
  w.EndArray();
  WriteExplain(w, r.explain);
  w.EndObject();
  return out;
}

std::string LogQueryResultJson(const LogQueryResult& r) {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject().Key("is_metric").Bool(r.is_metric);
  w.Key("start_ns").Int(r.start_ns).Key("end_ns").Int(r.end_ns).Key("step_ns").Int(r.step_ns);
  w.Key("lines").BeginArray();
  for (const LogLine& l : r.lines) {
    w.BeginObject().Key("time_ns").Int(l.time_ns).Key("line").String(l.line);
    WriteLabels(w, l.labels);
    w.Key("trace_id").String(l.trace_id.empty() ? "" : TraceIdToHex(l.trace_id));
    w.Key("span_id").String(l.span_id == 0 ? "" : SpanIdToHex(l.span_id)).EndObject();
  }
  w.EndArray().Key("series").BeginArray();
  for (const Series& s : r.series) {
    w.BeginObject();
    WriteLabels(w, s.labels);
    w.Key("samples").BeginArray();
    for (const Sample& x : s.samples) w.BeginArray().Int(x.time_ns).Double(x.value).EndArray();
    w.EndArray().EndObject();
  }
  w.EndArray();
  WriteExplain(w, r.explain);
  w.EndObject();
  return out;
}

std::string StoreStatsJson(const StoreStats& s) {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject().Key("traces").Uint(s.traces).Key("spans").Uint(s.spans);
  w.Key("logs").Uint(s.logs).Key("events").Uint(s.events).Key("segments").Uint(s.segments);
  w.Key("bytes_on_disk").Uint(s.bytes_on_disk);
  w.Key("min_time_ns").Int(s.min_time_ns).Key("max_time_ns").Int(s.max_time_ns);
  w.Key("services").BeginArray();
  for (const std::string& name : s.services) w.String(name);
  w.EndArray().Key("streams_sample").BeginArray();
  for (const std::string& name : s.streams_sample) w.String(name);
  w.EndArray().Key("streams").Uint(s.streams).Key("last_segment").Uint(s.last_segment);
  w.EndObject();
  return out;
}

Result<TraceSearchResult> ParseTraceSearchResultJson(std::string_view json) {
  return ParseWith(json, "TraceQL", ReadTraceSearchResult);
}

Result<LogQueryResult> ParseLogQueryResultJson(std::string_view json) {
  return ParseWith(json, "LogQL", ReadLogQueryResult);
}

Result<StoreStats> ParseStoreStatsJson(std::string_view json) {
  return ParseWith(json, "stats", ReadStoreStats);
}

}  // namespace ddbg::server
