// Correlation flow and workflows: every span, log record and domain event that carries one
// correlation id or trace id (following causation ids, span links and the correlation ids
// found on the way) merged into one chronological flow with breaks, delays and errors; and a
// workflow id's traces and events as a timeline of steps checked against expected steps.
// Thread-safety: functions are reentrant; results are plain values.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ddbg/model.h"
#include "ddbg/status.h"
#include "ddbg/store.h"

namespace ddbg {

struct FlowOptions {
  // Attribute keys (span, resource, log) and event-metadata keys holding correlation ids.
  std::vector<std::string> correlation_keys = {"correlation_id", "correlation.id",
                                               "x-correlation-id", "request_id",
                                               "business.correlation_id", "workflow_id"};
  int64_t delay_threshold_ns = 1'000'000'000;  // a quiet gap longer than this is a delay
  int max_rounds = 3;                          // rounds of following ids that change hands
  // Scan every span and log for the correlation keys (needed when the id is not a trace id).
  bool scan_attributes = true;
};

enum class FlowRecordKind : uint8_t { kSpan, kLog, kEvent };
const char* FlowRecordKindName(FlowRecordKind kind);  // "span", "log", "event"

struct FlowRecord {
  FlowRecordKind kind = FlowRecordKind::kSpan;
  int64_t time_ns = 0;
  int64_t end_ns = 0;  // spans: end; others: == time_ns
  std::string service;
  std::string name;  // span name, log body, event type
  TraceId trace_id;
  SpanId span_id = 0;
  SpanId parent_span_id = 0;
  SpanKind span_kind = SpanKind::kUnspecified;
  bool error = false;
  std::string detail;  // status message, severity, "stream v3"
  std::string peer;    // CLIENT spans: the peer.service attribute
  std::string via;     // how the record joined: "trace", "correlation_id", "causation", "link"
  bool hop = false;    // an entry into a service: SERVER/CONSUMER/root span, or an event
};

struct FlowFinding {
  int64_t time_ns = 0;
  std::string service;
  std::string what;
};

struct FlowReport {
  std::string id;
  std::vector<FlowRecord> records;  // chronological
  std::vector<size_t> hops;         // indexes of hop records, chronological
  std::vector<FlowFinding> breaks;
  std::vector<FlowFinding> delays;
  std::vector<FlowFinding> errors;
  std::vector<std::string> services;  // in order of first appearance
  std::vector<std::string> trace_ids;
  std::vector<std::string> correlation_ids;
  int64_t start_ns = 0;
  int64_t end_ns = 0;
};

// NotFound when nothing carries the id.
Result<FlowReport> BuildFlow(Store& store, const std::string& id,
                             const FlowOptions& options = {});

struct WorkflowOptions {
  std::vector<std::string> workflow_keys = {"workflow_id", "business.workflow_id",
                                            "workflow.id"};
  std::vector<std::string> steps;  // expected steps in order; empty: learned
  int64_t slow_ns = 0;             // a step longer is slow; 0: learned (3 × median)
  size_t learn_from = 200;         // completed workflows of the same kind to learn from
  FlowOptions flow;
};

struct WorkflowStep {
  std::string name;  // event type, or span name
  std::string service;
  int64_t start_ns = 0;
  int64_t end_ns = 0;
  bool failed = false;
  bool slow = false;
};

struct WorkflowReport {
  std::string id;
  std::string kind;  // the id without its trailing instance number ("checkout-ord-")
  std::vector<WorkflowStep> steps;  // chronological
  std::vector<std::string> expected;
  std::string expected_source;  // "given", "learned from N completed workflows", "none"
  std::vector<std::string> missing;
  std::vector<std::string> failed;
  std::vector<std::string> slow;
  std::vector<std::string> out_of_order;  // "PaymentCaptured before StockReserved"
  std::vector<std::string> trace_ids;
};

Result<WorkflowReport> AnalyzeWorkflow(Store& store, const std::string& workflow_id,
                                       const WorkflowOptions& options = {});

}  // namespace ddbg
