// Pieces shared by the two ways of aggregating critical paths: over a loaded SpanTable
// (timing.cc) and over traces bucketed by trace id while streaming the store
// (timing_scan.cc). A trace is handed over as local arrays (CriticalPathInput) plus each
// span's service and operation ids in some string space; totals are mergeable.
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

#include "analysis/dense_index.h"
#include "analysis/trace_children.h"
#include "ddbg/timing.h"

namespace ddbg::timing_internal {

struct Cohorts {
  int64_t p45 = 0, p55 = 0, p99 = 0;
};

// Trace-duration quantiles of all traces: the cohorts, and sum->trace_p50/p99_ns.
Cohorts CohortsOf(std::vector<int64_t> durations, CriticalPathSummary* sum);

// One trace: CriticalPathInput plus the service and operation id of each span.
struct TraceRows {
  CriticalPathInput input;
  std::vector<StrId> service, name;
  void Clear() {
    input.Clear();
    service.clear();
    name.clear();
  }
};

struct ShareAcc {
  uint64_t traces = 0;
  int64_t all = 0, p50 = 0, p99 = 0;
  uint64_t last_trace = UINT64_MAX;
  void Add(const ShareAcc& o) {
    traces += o.traces;
    all += o.all;
    p50 += o.p50;
    p99 += o.p99;
  }
};

// What some traces add to the summary. One per thread; Add() merges.
class PathTotals {
 public:
  PathTotals(CriticalPathMode mode, const Cohorts& cohorts) : mode_(mode), cohorts_(cohorts) {}
  // Solves one trace of the given duration and adds its critical path and self times.
  void AddTrace(const TraceRows& trace, int64_t duration);
  void Add(const PathTotals& o);
  // The summary; `str` names the ids. `sum` already holds traces and duration quantiles.
  void Finish(const std::function<std::string_view(StrId)>& str, CriticalPathSummary* sum);

 private:
  CriticalPathMode mode_;
  Cohorts cohorts_;
  uint64_t trace_count_ = 0;  // traces added, to count each once per key
  // Service ids are small and dense: vectors indexed by id (an entry with no trace or no
  // span was never added). Operations (service << 32 | name) through a DenseIndex.
  std::vector<ShareAcc> by_service_;
  std::vector<ServiceBreakdown> breakdown_;
  DenseIndex<uint64_t, U64Hash> op_index_;
  std::vector<uint64_t> op_keys_;
  std::vector<ShareAcc> by_op_;
  ShareAcc& Service(StrId id);
  ServiceBreakdown& Breakdown(StrId id);
  ShareAcc& Op(uint64_t key);
  int64_t total_all_ = 0, total_p50_ = 0, total_p99_ = 0;
  uint64_t p50_cohort_ = 0, p99_cohort_ = 0;
  // Scratch reused between traces.
  CriticalPathSolver solver_;
  std::vector<CriticalPathPiece> pieces_;
  TraceChildren children_;
};

}  // namespace ddbg::timing_internal
