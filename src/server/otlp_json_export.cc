#include "server/otlp_json_export.h"

#include <map>
#include <utility>
#include <vector>

#include "util/json_writer.h"

namespace ddbg::server {
namespace {

void WriteValue(JsonWriter& w, const StringDict& dict, const AttrColumns& attrs, size_t i) {
  w.BeginObject();
  switch (attrs.type[i]) {
    case AttrType::kInt: w.Key("intValue").String(std::to_string(attrs.IntAt(i))); break;
    case AttrType::kDouble: w.Key("doubleValue").Double(attrs.DoubleAt(i)); break;
    case AttrType::kBool: w.Key("boolValue").Bool(attrs.value[i] != 0); break;
    case AttrType::kEmpty: break;
    default: w.Key("stringValue").String(attrs.ValueText(dict, i)); break;
  }
  w.EndObject();
}

void WriteAttrs(JsonWriter& w, const StringDict& dict, const AttrColumns& attrs,
                const Offsets& off, size_t owner) {
  w.Key("attributes").BeginArray();
  for (uint32_t a = off.begin(owner); a < off.end(owner); ++a) {
    w.BeginObject().Key("key").String(dict.Get(attrs.key[a])).Key("value");
    WriteValue(w, dict, attrs, a);
    w.EndObject();
  }
  w.EndArray();
}

void WriteNanos(JsonWriter& w, const char* key, int64_t ns) {
  w.Key(key).String(std::to_string(ns));
}

void WriteTraceId(JsonWriter& w, const char* key, TraceId id) {
  if (!id.empty()) w.Key(key).String(TraceIdToHex(id));
}

void WriteSpanId(JsonWriter& w, const char* key, SpanId id) {
  if (id != 0) w.Key(key).String(SpanIdToHex(id));
}

// Rows grouped by (resource, scope), in order of first appearance.
template <typename Batch>
std::vector<std::pair<std::pair<uint32_t, uint32_t>, std::vector<size_t>>> Groups(const Batch& b) {
  std::vector<std::pair<std::pair<uint32_t, uint32_t>, std::vector<size_t>>> out;
  std::map<std::pair<uint32_t, uint32_t>, size_t> index;
  for (size_t i = 0; i < b.size(); ++i) {
    std::pair<uint32_t, uint32_t> key{b.resource[i], b.scope[i]};
    auto [it, fresh] = index.emplace(key, out.size());
    if (fresh) out.push_back({key, {}});
    out[it->second].second.push_back(i);
  }
  return out;
}

template <typename Batch>
void WriteResourceAndScopeOpen(JsonWriter& w, const Batch& b, uint32_t resource, uint32_t scope,
                               const char* scope_block, const char* rows_key) {
  w.BeginObject().Key("resource").BeginObject();
  WriteAttrs(w, b.dict, b.resources.attrs, b.resources.attr_off, resource);
  w.EndObject().Key(scope_block).BeginArray().BeginObject().Key("scope").BeginObject();
  if (scope < b.scopes.size()) {
    w.Key("name").String(b.dict.Get(b.scopes.name[scope]));
    w.Key("version").String(b.dict.Get(b.scopes.version[scope]));
    WriteAttrs(w, b.dict, b.scopes.attrs, b.scopes.attr_off, scope);
  }
  w.EndObject().Key(rows_key).BeginArray();
}

void WriteResourceAndScopeClose(JsonWriter& w) { w.EndArray().EndObject().EndArray().EndObject(); }

void WriteSpan(JsonWriter& w, const SpanBatch& b, size_t i) {
  w.BeginObject();
  WriteTraceId(w, "traceId", b.trace_id[i]);
  WriteSpanId(w, "spanId", b.span_id[i]);
  WriteSpanId(w, "parentSpanId", b.parent_span_id[i]);
  if (!b.dict.Get(b.trace_state[i]).empty()) w.Key("traceState").String(b.dict.Get(b.trace_state[i]));
  w.Key("flags").Uint(b.flags[i]);
  w.Key("name").String(b.dict.Get(b.name[i]));
  w.Key("kind").Uint(static_cast<uint32_t>(b.kind[i]));
  WriteNanos(w, "startTimeUnixNano", b.start_ns[i]);
  WriteNanos(w, "endTimeUnixNano", b.end_ns[i]);
  WriteAttrs(w, b.dict, b.attrs, b.attr_off, i);
  w.Key("events").BeginArray();
  for (uint32_t e = b.event_off.begin(i); e < b.event_off.end(i); ++e) {
    w.BeginObject();
    WriteNanos(w, "timeUnixNano", b.event_time_ns[e]);
    w.Key("name").String(b.dict.Get(b.event_name[e]));
    WriteAttrs(w, b.dict, b.event_attrs, b.event_attr_off, e);
    w.EndObject();
  }
  w.EndArray().Key("links").BeginArray();
  for (uint32_t l = b.link_off.begin(i); l < b.link_off.end(i); ++l) {
    w.BeginObject();
    WriteTraceId(w, "traceId", b.link_trace_id[l]);
    WriteSpanId(w, "spanId", b.link_span_id[l]);
    if (!b.dict.Get(b.link_trace_state[l]).empty()) {
      w.Key("traceState").String(b.dict.Get(b.link_trace_state[l]));
    }
    WriteAttrs(w, b.dict, b.link_attrs, b.link_attr_off, l);
    w.EndObject();
  }
  w.EndArray().Key("status").BeginObject();
  w.Key("code").Uint(static_cast<uint32_t>(b.status[i]));
  if (!b.dict.Get(b.status_message[i]).empty()) {
    w.Key("message").String(b.dict.Get(b.status_message[i]));
  }
  w.EndObject().EndObject();
}

void WriteLog(JsonWriter& w, const LogBatch& b, size_t i) {
  w.BeginObject();
  WriteNanos(w, "timeUnixNano", b.time_ns[i]);
  WriteNanos(w, "observedTimeUnixNano", b.observed_ns[i]);
  w.Key("severityNumber").Uint(b.severity_number[i]);
  w.Key("severityText").String(b.dict.Get(b.severity_text[i]));
  w.Key("body").BeginObject().Key("stringValue").String(b.dict.Get(b.body[i])).EndObject();
  WriteAttrs(w, b.dict, b.attrs, b.attr_off, i);
  w.Key("flags").Uint(b.flags[i]);
  WriteTraceId(w, "traceId", b.trace_id[i]);
  WriteSpanId(w, "spanId", b.span_id[i]);
  if (!b.dict.Get(b.event_name[i]).empty()) w.Key("eventName").String(b.dict.Get(b.event_name[i]));
  w.EndObject();
}

template <typename Batch, typename RowFn>
std::string ToOtlpJson(const Batch& b, const char* resource_key, const char* scope_block,
                       const char* rows_key, RowFn write_row) {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject().Key(resource_key).BeginArray();
  for (const auto& [key, rows] : Groups(b)) {
    WriteResourceAndScopeOpen(w, b, key.first, key.second, scope_block, rows_key);
    for (size_t i : rows) write_row(w, b, i);
    WriteResourceAndScopeClose(w);
  }
  w.EndArray().EndObject();
  return out;
}

}  // namespace

std::string SpansToOtlpJson(const SpanBatch& spans) {
  return ToOtlpJson(spans, "resourceSpans", "scopeSpans", "spans", WriteSpan);
}

std::string LogsToOtlpJson(const LogBatch& logs) {
  return ToOtlpJson(logs, "resourceLogs", "scopeLogs", "logRecords", WriteLog);
}

}  // namespace ddbg::server
