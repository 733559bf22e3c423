// Writing simulated spans as OTLP JSON lines: each line is one ExportTraceServiceRequest
// holding a few hundred spans grouped by resource, as the OpenTelemetry file exporter writes
// them (hex ids, nanosecond times and int values as strings). A SpanRecord holds views that
// must stay valid until Add() returns. Thread-safety: one writer per thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ddbg/model.h"
#include "sim/output_file.h"
#include "sim/topology.h"

namespace ddbg::sim {

struct SpanAttr {
  enum Type : uint8_t { kString, kInt, kDecimal2, kBool };
  std::string_view key;
  Type type = kString;
  std::string_view text;
  int64_t number = 0;
};

struct SpanRecord {
  static constexpr int kMaxAttrs = 32;
  uint32_t resource = 0;
  TraceId trace_id;
  SpanId span_id = 0;
  SpanId parent_span_id = 0;
  std::string_view name;
  SpanKind kind = SpanKind::kInternal;
  int64_t start_ns = 0;
  int64_t end_ns = 0;
  SpanStatus status = SpanStatus::kUnset;
  std::string_view status_message;
  SpanAttr attrs[kMaxAttrs];
  int attr_count = 0;
  // One exception event at end_ns, when exception_type is not empty.
  std::string_view exception_type;
  std::string_view exception_message;
  std::string_view exception_stack;
  // One link, when link_span is not 0.
  TraceId link_trace;
  SpanId link_span = 0;

  void Str(std::string_view key, std::string_view value) {
    if (attr_count < kMaxAttrs) attrs[attr_count++] = {key, SpanAttr::kString, value, 0};
  }
  void Int(std::string_view key, int64_t value) {
    if (attr_count < kMaxAttrs) attrs[attr_count++] = {key, SpanAttr::kInt, {}, value};
  }
  // A double with two decimals, given in hundredths (cents).
  void Cents(std::string_view key, int64_t cents) {
    if (attr_count < kMaxAttrs) attrs[attr_count++] = {key, SpanAttr::kDecimal2, {}, cents};
  }
  void Bool(std::string_view key, bool value) {
    if (attr_count < kMaxAttrs) attrs[attr_count++] = {key, SpanAttr::kBool, {}, value ? 1 : 0};
  }
};

class OtlpSpanWriter {
 public:
  OtlpSpanWriter(const Topology* topology, OutputFile* out);

  // Encodes the span into the pending line (grouped by its resource).
  void Add(const SpanRecord& span);
  size_t pending() const { return pending_; }
  // Writes the pending spans as one line (nothing when none are pending).
  void FlushLine();

 private:
  const Topology* topology_;
  OutputFile* out_;
  // Encoded spans per resource (comma-separated), and the resources with any.
  std::vector<std::string> by_resource_;
  std::vector<uint32_t> used_;
  std::vector<std::string> scope_json_;  // per service
  size_t pending_ = 0;
};

// The OTLP instrumentation scope object for a service ({"name":…,"version":…}).
std::string ScopeJson(const Service& service);

}  // namespace ddbg::sim
