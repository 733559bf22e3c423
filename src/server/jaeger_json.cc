#include "server/jaeger_json.h"

#include <fmt/format.h>

namespace ddbg::server {
namespace {

int64_t Micros(int64_t ns) { return ns / 1000; }

void WriteTag(JsonWriter& w, std::string_view key, const char* type) {
  w.BeginObject().Key("key").String(key).Key("type").String(type).Key("value");
}

void WriteAttr(const StringDict& dict, const AttrColumns& attrs, size_t i, JsonWriter& w) {
  std::string_view key = dict.Get(attrs.key[i]);
  switch (attrs.type[i]) {
    case AttrType::kInt:
      WriteTag(w, key, "int64");
      w.Int(attrs.IntAt(i));
      break;
    case AttrType::kDouble:
      WriteTag(w, key, "float64");
      w.Double(attrs.DoubleAt(i));
      break;
    case AttrType::kBool:
      WriteTag(w, key, "bool");
      w.Bool(attrs.value[i] != 0);
      break;
    default:
      WriteTag(w, key, "string");
      w.String(attrs.ValueText(dict, i));
      break;
  }
  w.EndObject();
}

void WriteAttrs(const StringDict& dict, const AttrColumns& attrs, uint32_t begin, uint32_t end,
                JsonWriter& w, std::string_view skip_key = {}) {
  for (uint32_t a = begin; a < end; ++a) {
    if (!skip_key.empty() && dict.Get(attrs.key[a]) == skip_key) continue;
    WriteAttr(dict, attrs, a, w);
  }
}

void WriteStringTag(JsonWriter& w, std::string_view key, std::string_view value) {
  WriteTag(w, key, "string");
  w.String(value).EndObject();
}

void WriteSpanTags(const SpanBatch& b, size_t i, JsonWriter& w) {
  w.Key("tags").BeginArray();
  WriteAttrs(b.dict, b.attrs, b.attr_off.begin(i), b.attr_off.end(i), w);
  if (b.kind[i] != SpanKind::kUnspecified && b.kind[i] != SpanKind::kInternal) {
    WriteStringTag(w, "span.kind", SpanKindName(b.kind[i]));
  }
  if (b.status[i] == SpanStatus::kError) {
    WriteTag(w, "error", "bool");
    w.Bool(true).EndObject();
    WriteStringTag(w, "otel.status_code", "ERROR");
  } else if (b.status[i] == SpanStatus::kOk) {
    WriteStringTag(w, "otel.status_code", "OK");
  }
  if (!b.dict.Get(b.status_message[i]).empty()) {
    WriteStringTag(w, "otel.status_description", b.dict.Get(b.status_message[i]));
  }
  uint32_t scope = b.scope[i];
  if (scope < b.scopes.size() && !b.dict.Get(b.scopes.name[scope]).empty()) {
    WriteStringTag(w, "otel.scope.name", b.dict.Get(b.scopes.name[scope]));
  }
  w.EndArray();
}

void WriteSpanLogs(const SpanBatch& b, size_t i, JsonWriter& w) {
  w.Key("logs").BeginArray();
  for (uint32_t e = b.event_off.begin(i); e < b.event_off.end(i); ++e) {
    w.BeginObject().Key("timestamp").Int(Micros(b.event_time_ns[e])).Key("fields").BeginArray();
    WriteStringTag(w, "event", b.dict.Get(b.event_name[e]));
    WriteAttrs(b.dict, b.event_attrs, b.event_attr_off.begin(e), b.event_attr_off.end(e), w);
    w.EndArray().EndObject();
  }
  w.EndArray();
}

void WriteReferences(const SpanBatch& b, size_t i, JsonWriter& w) {
  w.Key("references").BeginArray();
  if (b.parent_span_id[i] != 0) {
    w.BeginObject().Key("refType").String("CHILD_OF");
    w.Key("traceID").String(JaegerTraceIdHex(b.trace_id[i]));
    w.Key("spanID").String(SpanIdToHex(b.parent_span_id[i])).EndObject();
  }
  for (uint32_t l = b.link_off.begin(i); l < b.link_off.end(i); ++l) {
    w.BeginObject().Key("refType").String("FOLLOWS_FROM");
    w.Key("traceID").String(JaegerTraceIdHex(b.link_trace_id[l]));
    w.Key("spanID").String(SpanIdToHex(b.link_span_id[l])).EndObject();
  }
  w.EndArray();
}

}  // namespace

std::string JaegerTraceIdHex(TraceId id) {
  std::string hex = TraceIdToHex(id);
  return id.hi == 0 ? hex.substr(16) : hex;
}

void WriteJaegerTrace(const SpanBatch& b, JsonWriter& w) {
  w.BeginObject();
  w.Key("traceID").String(b.empty() ? "" : JaegerTraceIdHex(b.trace_id[0]));
  w.Key("spans").BeginArray();
  for (size_t i = 0; i < b.size(); ++i) {
    w.BeginObject();
    w.Key("traceID").String(JaegerTraceIdHex(b.trace_id[i]));
    w.Key("spanID").String(SpanIdToHex(b.span_id[i]));
    w.Key("operationName").String(b.dict.Get(b.name[i]));
    WriteReferences(b, i, w);
    w.Key("startTime").Int(Micros(b.start_ns[i]));
    w.Key("duration").Int(Micros(b.end_ns[i] - b.start_ns[i]));
    WriteSpanTags(b, i, w);
    WriteSpanLogs(b, i, w);
    w.Key("processID").String(fmt::format("p{}", b.resource[i] + 1));
    w.Key("warnings").Null();
    w.Key("flags").Uint(b.flags[i]);
    w.EndObject();
  }
  w.EndArray();
  w.Key("processes").BeginObject();
  for (size_t r = 0; r < b.resources.size(); ++r) {
    w.Key(fmt::format("p{}", r + 1)).BeginObject();
    w.Key("serviceName").String(b.dict.Get(b.resources.service[r]));
    w.Key("tags").BeginArray();
    WriteAttrs(b.dict, b.resources.attrs, b.resources.attr_off.begin(r),
               b.resources.attr_off.end(r), w, "service.name");
    w.EndArray().EndObject();
  }
  w.EndObject();
  w.Key("warnings").Null();
  w.EndObject();
}

std::string JaegerEnvelope(const std::string& data_json, size_t total) {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject().Key("data").Raw(data_json).Key("total").Uint(total);
  w.Key("limit").Uint(0).Key("offset").Uint(0).Key("errors").Null().EndObject();
  return out;
}

std::string JaegerError(int code, const std::string& msg) {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject().Key("data").Null().Key("total").Uint(0).Key("limit").Uint(0);
  w.Key("offset").Uint(0).Key("errors").BeginArray();
  w.BeginObject().Key("code").Int(code).Key("msg").String(msg).EndObject();
  w.EndArray().EndObject();
  return out;
}

}  // namespace ddbg::server
