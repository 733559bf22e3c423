// Errors and cascades: for each trace with errors, the originating error — the deepest
// error span whose failure explains its ancestors' (earliest failing child first; through a
// child that consumed its parent's whole budget when the parent gave up, a timeout) — versus
// the propagated ones; cascade timelines across services; retry storms; timeout clusters;
// and error groups by type/message template, 5-minute window, service and instance.
// Thread-safety: pure functions over an immutable table.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ddbg/span_table.h"

namespace ddbg {

struct ErrorSpan {
  uint32_t row = 0;  // table row
  SpanId span_id = 0;
  std::string service, operation, instance, type, message;
  int64_t start_ns = 0, end_ns = 0;
  bool error = false;  // status error (false for a timeout locus that kept status OK)
};

struct TraceErrors {
  TraceId trace_id;
  bool root_failed = false;
  ErrorSpan origin;
  bool origin_is_timeout = false;  // the origin outlived its failing parent (status OK)
  std::vector<ErrorSpan> propagated;  // failing ancestors of the origin, innermost first
  std::vector<ErrorSpan> other;       // other error spans (later or handled failures)
  // The cascade: origin then propagated, by the time each failure surfaced (end time).
  std::vector<ErrorSpan> Cascade() const;
};

struct ErrorOptions {
  size_t max_traces = 20;  // per-trace results kept (aggregates count every trace)
  size_t examples = 3;
  int64_t window_ns = 300LL * 1000000000LL;  // error groups by time window
};

struct ErrorCount {
  std::string key;  // group key text
  std::string service, type, template_text;  // for message groups
  uint64_t errors = 0;   // error spans
  uint64_t origins = 0;  // of which originating
  int64_t first_ns = 0, last_ns = 0;
  std::vector<TraceId> examples;
};

struct CascadePattern {
  // Origin service first, then the services of the failing ancestors up the call chain to
  // the root's (call order, not end time: a timed-out callee fails after its callers).
  std::vector<std::string> services;
  uint64_t traces = 0;
  // Traces where the first caller in another service failed while the origin's service was
  // still working on the call: the caller timed out waiting (a timeout cascade), rather
  // than passing on a failure it had received.
  uint64_t callers_timed_out = 0;
  TraceId example;
};

struct RetryPattern {
  std::string parent_service, parent_operation, service, operation;
  // The service that served the retried calls: for a CLIENT span, the service of its child
  // in another service (the callee that kept failing); else `service` itself.
  std::string target_service;
  uint64_t traces = 0;
  uint64_t retries = 0;   // attempts after a failed one
  uint32_t max_attempts = 0;
  std::vector<TraceId> examples;
};

struct TimeoutCluster {
  std::string service, operation;
  int64_t value_ns = 0;  // where the failing durations pile up
  uint64_t count = 0;    // failing spans at that value (±2%)
  uint64_t errors = 0;   // failing spans of the operation
  std::vector<TraceId> examples;
};

struct ErrorAnalysis {
  uint64_t traces = 0;
  uint64_t traces_with_errors = 0;
  uint64_t failing_traces = 0;  // root span failed
  uint64_t error_spans = 0;
  std::vector<ErrorCount> origins;  // by origin service/operation, most first
  std::vector<TraceErrors> per_trace;  // up to max_traces failing traces
  std::vector<CascadePattern> cascades;
  std::vector<RetryPattern> retries;
  std::vector<TimeoutCluster> timeouts;
  std::vector<ErrorCount> groups;       // service + type + message template
  std::vector<ErrorCount> by_window;    // window start (RFC 3339)
  std::vector<ErrorCount> by_service;
  std::vector<ErrorCount> by_instance;  // service/instance
};

// The origin and propagation of the errors of trace `t`; origin.row is meaningless and
// has_errors false when the trace has no error span.
TraceErrors AnalyzeTraceErrors(const SpanTable& table, size_t t, bool* has_errors);
ErrorAnalysis AnalyzeErrors(const SpanTable& table, const ErrorOptions& options = {});

// "timeout after 30s on 10.0.0.12:5432" → "timeout after <*> on <*>": numbers, hex ids,
// UUIDs, IPs and quoted strings become <*>.
std::string MessageTemplate(std::string_view message);

}  // namespace ddbg
