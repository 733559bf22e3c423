// Timing across many traces: the critical path of every trace aggregated into each
// service's and operation's share of critical-path time — over all traces, over the traces
// around the median latency (p45..p55) and over the slowest 1% ("who owns the p99") — and the
// latency breakdown per service: self time versus time waiting on children.
// Thread-safety: pure functions over an immutable table.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ddbg/critical_path.h"
#include "ddbg/span_table.h"

namespace ddbg {

struct CriticalPathShare {
  std::string service;
  std::string operation;  // empty in the per-service list
  uint64_t traces = 0;    // traces where it is on the critical path
  int64_t total_ns = 0;   // critical-path time over all traces
  double share_all = 0;   // fraction of all critical-path time
  double share_p50 = 0;   // fraction within the median cohort
  double share_p99 = 0;   // fraction within the slowest 1%
};

struct ServiceBreakdown {
  std::string service;
  uint64_t spans = 0;
  int64_t total_ns = 0;  // sum of span durations
  int64_t self_ns = 0;   // sum of self times
  int64_t wait_ns = 0;   // total - self: waiting on children
  double self_share() const { return total_ns ? static_cast<double>(self_ns) / total_ns : 0; }
};

struct CriticalPathSummary {
  CriticalPathMode mode = CriticalPathMode::kJaeger;
  uint64_t traces = 0;
  int64_t trace_p50_ns = 0;
  int64_t trace_p99_ns = 0;
  uint64_t p50_cohort = 0;  // traces in the median cohort
  uint64_t p99_cohort = 0;  // traces at or above p99
  std::vector<CriticalPathShare> services;    // by share_p99, then share_all
  std::vector<CriticalPathShare> operations;  // same order
  std::vector<ServiceBreakdown> breakdown;    // by total time
};

CriticalPathSummary AggregateCriticalPaths(const SpanTable& table,
                                           CriticalPathMode mode = CriticalPathMode::kJaeger);

// The same by streaming the store (spans bucketed by trace id, partitions solved on several
// threads; no grouped SpanTable), or nullopt when the scope needs trace-level filtering
// (--services, --where).
Result<std::optional<CriticalPathSummary>> AggregateCriticalPathsStreaming(
    Store& store, const AnalysisScope& scope, CriticalPathMode mode = CriticalPathMode::kJaeger);
// Streaming when possible, else from a loaded SpanTable.
Result<CriticalPathSummary> AggregateCriticalPaths(Store& store, const AnalysisScope& scope,
                                                   CriticalPathMode mode = CriticalPathMode::kJaeger);

// The critical path of trace `t` of the table, as pieces with table-local node indexes
// (node i is table row table.begin(t) + i). Reuses the solver's and the input's buffers.
void TraceCriticalPath(const SpanTable& table, size_t t, CriticalPathMode mode,
                       CriticalPathSolver* solver, CriticalPathInput* input,
                       std::vector<CriticalPathPiece>* out);

}  // namespace ddbg
