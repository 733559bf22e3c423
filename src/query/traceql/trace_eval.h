// Evaluates a whole TraceQL query on complete traces: groups a batch's rows by trace
// (parents, root, bounds), evaluates the spanset expression (filters, &&, ||, >, >>, ~) and
// runs the pipeline (by, count, avg/min/max/sum, select, filters) to the result spansets.
// Thread-safety: plain functions over caller-owned data.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ddbg/model.h"
#include "ddbg/store.h"
#include "query/traceql/ast.h"
#include "query/traceql/span_match.h"

namespace ddbg::traceql {

// One trace's rows in a batch.
struct TraceView {
  TraceId id;
  std::vector<uint32_t> rows;    // batch rows, by start time
  std::vector<int32_t> parent;   // per position: position of the parent span, -1 when none
  int32_t root = -1;             // position of the root span (no parent id), -1 when none
  int64_t start_ns = 0;
  int64_t end_ns = 0;
  TraceInfo info;
};

// Groups every row of `b` by trace id (traces in order of first appearance).
std::vector<TraceView> GroupTraces(const SpanBatch& b);

struct LabeledValue {
  std::string key;
  Value value;
};

// A result spanset: positions (in the TraceView) of its spans, and the labels the pipeline
// attached (by() values, aggregate values).
struct SpanSet {
  std::vector<uint32_t> spans;
  std::vector<LabeledValue> labels;
};

// The spansets the query yields for one trace (empty: the trace does not match). Only spans
// whose start lies in `time` can match a filter.
std::vector<SpanSet> EvalTrace(const Query& q, const TraceView& t, SpanMatcher& m,
                               const TimeRange& time);

}  // namespace ddbg::traceql
