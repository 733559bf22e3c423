// The member names of OTLP/JSON objects, by object kind: each table maps the
// lowerCamelCase name the specification uses, the snake_case name of the protobuf field
// (which protobuf JSON parsers also accept) and retired names still seen in old files to one id.
// Constant data, included by otlp_json_request.cc only; safe to share between threads.
#pragma once

#include <cstdint>

#include "decode/otlp_json_values.h"

namespace ddbg::otlp {

// Member ids per object kind (0 = a member we do not read).
enum RequestKey : uint8_t { kResourceSpans = 1, kResourceLogs, kResourceOther };
enum BlockKey : uint8_t { kResource = 1, kScopeSpans, kScopeLogs };
enum ScopeBlockKey : uint8_t { kScope = 1, kSpans, kLogRecords };
enum ScopeKey : uint8_t { kScopeName = 1, kScopeVersion, kScopeAttributes };
enum SpanKey : uint8_t {
  kTraceId = 1,
  kSpanId,
  kParentSpanId,
  kName,
  kKind,
  kStart,
  kEnd,
  kAttributes,
  kEvents,
  kLinks,
  kStatus,
  kFlags,
  kTraceState
};
enum EventKey : uint8_t { kEventTime = 1, kEventName, kEventAttributes };
enum StatusKey : uint8_t { kCode = 1, kMessage };
enum LogKey : uint8_t {
  kTime = 1,
  kObserved,
  kSeverityNumber,
  kSeverityText,
  kBody,
  kLogAttributes,
  kLogFlags,
  kLogTraceId,
  kLogSpanId,
  kEventNameKey
};

inline constexpr KeyName kRequestTable[] = {
    {"resourceSpans", kResourceSpans},    {"resourceLogs", kResourceLogs},
    {"resource_spans", kResourceSpans},   {"resource_logs", kResourceLogs},
    {"resourceMetrics", kResourceOther},  {"resource_metrics", kResourceOther},
    {"resourceProfiles", kResourceOther}, {"resource_profiles", kResourceOther}};
inline constexpr KeyName kResourceBlockTable[] = {{"resource", kResource},
                                                  {"scopeSpans", kScopeSpans},
                                                  {"scopeLogs", kScopeLogs},
                                                  {"scope_spans", kScopeSpans},
                                                  {"scope_logs", kScopeLogs},
                                                  {"instrumentationLibrarySpans", kScopeSpans},
                                                  {"instrumentationLibraryLogs", kScopeLogs},
                                                  {"instrumentation_library_spans", kScopeSpans},
                                                  {"instrumentation_library_logs", kScopeLogs}};
inline constexpr KeyName kScopeBlockTable[] = {{"scope", kScope},
                                               {"spans", kSpans},
                                               {"logRecords", kLogRecords},
                                               {"log_records", kLogRecords},
                                               {"instrumentationLibrary", kScope},
                                               {"instrumentation_library", kScope}};
inline constexpr KeyName kResourceTable[] = {{"attributes", 1}};
inline constexpr KeyName kScopeTable[] = {
    {"name", kScopeName}, {"version", kScopeVersion}, {"attributes", kScopeAttributes}};
inline constexpr KeyName kSpanTable[] = {{"traceId", kTraceId},
                                         {"spanId", kSpanId},
                                         {"parentSpanId", kParentSpanId},
                                         {"name", kName},
                                         {"kind", kKind},
                                         {"startTimeUnixNano", kStart},
                                         {"endTimeUnixNano", kEnd},
                                         {"attributes", kAttributes},
                                         {"events", kEvents},
                                         {"status", kStatus},
                                         {"links", kLinks},
                                         {"flags", kFlags},
                                         {"traceState", kTraceState},
                                         {"trace_id", kTraceId},
                                         {"span_id", kSpanId},
                                         {"parent_span_id", kParentSpanId},
                                         {"start_time_unix_nano", kStart},
                                         {"end_time_unix_nano", kEnd},
                                         {"trace_state", kTraceState}};
inline constexpr KeyName kEventTable[] = {{"timeUnixNano", kEventTime},
                                          {"name", kEventName},
                                          {"attributes", kEventAttributes},
                                          {"time_unix_nano", kEventTime}};
inline constexpr KeyName kLinkTable[] = {{"traceId", kTraceId},       {"spanId", kSpanId},
                                         {"traceState", kTraceState}, {"attributes", kAttributes},
                                         {"trace_id", kTraceId},      {"span_id", kSpanId},
                                         {"trace_state", kTraceState}};
inline constexpr KeyName kStatusTable[] = {{"code", kCode}, {"message", kMessage}};
inline constexpr KeyName kLogTable[] = {{"timeUnixNano", kTime},
                                        {"observedTimeUnixNano", kObserved},
                                        {"severityNumber", kSeverityNumber},
                                        {"severityText", kSeverityText},
                                        {"body", kBody},
                                        {"attributes", kLogAttributes},
                                        {"flags", kLogFlags},
                                        {"traceId", kLogTraceId},
                                        {"spanId", kLogSpanId},
                                        {"eventName", kEventNameKey},
                                        {"time_unix_nano", kTime},
                                        {"observed_time_unix_nano", kObserved},
                                        {"severity_number", kSeverityNumber},
                                        {"severity_text", kSeverityText},
                                        {"trace_id", kLogTraceId},
                                        {"span_id", kLogSpanId},
                                        {"event_name", kEventNameKey}};

}  // namespace ddbg::otlp
