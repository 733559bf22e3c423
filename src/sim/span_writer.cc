#include "sim/span_writer.h"

#include <algorithm>

#include "sim/json_out.h"

namespace ddbg::sim {
namespace {

void AppendKey(std::string& out, std::string_view key) {
  out += "{\"key\":\"";
  out += key;  // keys are fixed identifiers of the simulator: no escaping needed
  out += "\",\"value\":";
}

void AppendAttr(std::string& out, const SpanAttr& a) {
  AppendKey(out, a.key);
  switch (a.type) {
    case SpanAttr::kString:
      out += "{\"stringValue\":";
      AppendJsonString(out, a.text);
      break;
    case SpanAttr::kInt:
      out += "{\"intValue\":\"";
      AppendInt(out, a.number);
      out.push_back('"');
      break;
    case SpanAttr::kDecimal2:
      out += "{\"doubleValue\":";
      AppendDecimal(out, a.number, 2);
      break;
    case SpanAttr::kBool:
      out += a.number != 0 ? "{\"boolValue\":true" : "{\"boolValue\":false";
      break;
  }
  out += "}}";
}

void AppendStringAttr(std::string& out, std::string_view key, std::string_view value) {
  AppendKey(out, key);
  out += "{\"stringValue\":";
  AppendJsonString(out, value);
  out += "}}";
}

}  // namespace

std::string ScopeJson(const Service& service) {
  const std::string& lang = service.language;
  std::string name = lang == "java"     ? "io.opentelemetry.spring-webmvc-6.0"
                     : lang == "go"     ? "go.opentelemetry.io/contrib/instrumentation"
                     : lang == "python" ? "opentelemetry.instrumentation.fastapi"
                     : lang == "nodejs" ? "@opentelemetry/instrumentation-http"
                                        : "tracing-opentelemetry";
  std::string out = "{\"name\":";
  AppendJsonString(out, name);
  out += ",\"version\":\"";
  out += lang == "java"     ? "2.1.0-alpha"
         : lang == "go"     ? "0.46.1"
         : lang == "python" ? "0.43b0"
         : lang == "nodejs" ? "0.48.0"
                            : "0.22.0";
  out += "\"}";
  return out;
}

OtlpSpanWriter::OtlpSpanWriter(const Topology* topology, OutputFile* out)
    : topology_(topology), out_(out) {
  by_resource_.resize(topology->resources.size());
  for (const Service& s : topology->services) scope_json_.push_back(ScopeJson(s));
}

void OtlpSpanWriter::Add(const SpanRecord& s) {
  std::string& out = by_resource_[s.resource];
  if (out.empty()) {
    used_.push_back(s.resource);
  } else {
    out.push_back(',');
  }
  out += "{\"traceId\":\"";
  AppendHex128(out, s.trace_id.hi, s.trace_id.lo);
  out += "\",\"spanId\":\"";
  AppendHex64(out, s.span_id);
  if (s.parent_span_id != 0) {
    out += "\",\"parentSpanId\":\"";
    AppendHex64(out, s.parent_span_id);
  }
  out += "\",\"name\":";
  AppendJsonString(out, s.name);
  out += ",\"kind\":";
  out.push_back(static_cast<char>('0' + static_cast<int>(s.kind)));
  out += ",\"startTimeUnixNano\":\"";
  AppendInt(out, s.start_ns);
  out += "\",\"endTimeUnixNano\":\"";
  AppendInt(out, s.end_ns);
  out += "\",\"attributes\":[";
  for (int i = 0; i < s.attr_count; ++i) {
    if (i > 0) out.push_back(',');
    AppendAttr(out, s.attrs[i]);
  }
  out.push_back(']');
  if (!s.exception_type.empty()) {
    out += ",\"events\":[{\"timeUnixNano\":\"";
    AppendInt(out, s.end_ns);
    out += "\",\"name\":\"exception\",\"attributes\":[";
    AppendStringAttr(out, "exception.type", s.exception_type);
    out.push_back(',');
    AppendStringAttr(out, "exception.message", s.exception_message);
    if (!s.exception_stack.empty()) {
      out.push_back(',');
      AppendStringAttr(out, "exception.stacktrace", s.exception_stack);
    }
    out += "]}]";
  }
  if (s.link_span != 0) {
    out += ",\"links\":[{\"traceId\":\"";
    AppendHex128(out, s.link_trace.hi, s.link_trace.lo);
    out += "\",\"spanId\":\"";
    AppendHex64(out, s.link_span);
    out += "\"}]";
  }
  out += ",\"status\":{";
  if (s.status != SpanStatus::kUnset) {
    out += "\"code\":";
    out.push_back(static_cast<char>('0' + static_cast<int>(s.status)));
    if (!s.status_message.empty()) {
      out += ",\"message\":";
      AppendJsonString(out, s.status_message);
    }
  }
  out += "}}";
  ++pending_;
}

void OtlpSpanWriter::FlushLine() {
  if (pending_ == 0) return;
  std::string& out = out_->buffer();
  out += "{\"resourceSpans\":[";
  // Resources in index order, so the line does not depend on the order spans arrived in.
  std::sort(used_.begin(), used_.end());
  const std::vector<uint32_t>& used = used_;
  for (size_t i = 0; i < used.size(); ++i) {
    uint32_t r = used[i];
    if (i > 0) out.push_back(',');
    out += "{\"resource\":";
    out += topology_->resources[r].json;
    out += ",\"scopeSpans\":[{\"scope\":";
    out += scope_json_[topology_->resources[r].service];
    out += ",\"spans\":[";
    out += by_resource_[r];
    out += "]}]}";
    by_resource_[r].clear();
  }
  out += "]}\n";
  used_.clear();
  out_->Commit(pending_);
  pending_ = 0;
}

}  // namespace ddbg::sim
