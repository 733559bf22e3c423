// TraceQL (the Grafana Tempo subset documented in docs/query.md) and the Jaeger-style tag
// search, evaluated on a Store. A query is parsed, planned (time pruning, inverted indexes
// when the store has them, candidate traces, whole-trace evaluation) and run; results list
// traces with their matched spansets, in the shape of Tempo's search response.
// Errors are values: a query that does not parse gives InvalidArgument "L:C: expected …".
// Thread-safety: the functions keep no state; a Store may be shared as its contract says.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ddbg/model.h"
#include "ddbg/status.h"
#include "ddbg/store.h"

namespace ddbg {

// One step of an executed plan, for --explain.
struct QueryStep {
  std::string name;    // "candidate scan", "gather traces", "evaluate"
  std::string detail;  // what the step used (index terms, filters)
  uint64_t segments = 0;          // segments the step looked at
  uint64_t segments_skipped = 0;  // pruned by an index without reading rows
  uint64_t segments_read = 0;     // whose rows were read
  uint64_t rows_read = 0;         // rows of the segments read
  uint64_t rows_checked = 0;      // rows evaluated (after index narrowing)
  uint64_t rows_matched = 0;
};

struct QueryExplain {
  std::string plan;  // the plan as text, one step per line
  std::vector<QueryStep> steps;
  double elapsed_ms = 0;
};
// The plan and its counters as indented text.
std::string FormatExplain(const QueryExplain& e);

// A typed attribute of a result span or spanset.
struct ResultAttr {
  std::string key;
  AttrType type = AttrType::kString;  // kString, kInt, kDouble or kBool
  std::string text;                   // the value as text
  int64_t int_value = 0;
  double double_value = 0;
};

struct MatchedSpan {
  SpanId span_id = 0;
  std::string service;
  std::string name;
  int64_t start_ns = 0;
  int64_t duration_ns = 0;
  std::vector<ResultAttr> attributes;  // attributes the query reads or selects
};

struct ResultSpanSet {
  std::vector<MatchedSpan> spans;  // the first spans_per_spanset, by start time
  uint64_t matched = 0;            // all spans of the spanset
  std::vector<ResultAttr> attributes;  // by() values and aggregate values
};

struct TraceHit {
  TraceId trace_id;
  std::string root_service;  // "" when the trace has no root span
  std::string root_name;
  int64_t start_ns = 0;
  int64_t duration_ns = 0;
  uint64_t span_count = 0;
  std::vector<ResultSpanSet> spansets;
};

struct TraceSearchOptions {
  ScanFilter scope;             // time range (on span start) and other pruning
  size_t limit = 20;            // traces; 0 = all
  size_t spans_per_spanset = 3;
};

struct TraceSearchResult {
  std::vector<TraceHit> traces;  // newest first
  QueryExplain explain;
};

// Parses only; OK or the parse error.
Status CheckTraceQL(std::string_view traceql);

Result<TraceSearchResult> SearchTraceQL(Store& store, std::string_view traceql,
                                        const TraceSearchOptions& options);

// The distinct trace ids whose spans satisfy the query (for analyses' --where filters), at
// most `limit` (0 = all), in the order the store yields them.
Result<std::vector<TraceId>> FindTraceIds(Store& store, std::string_view traceql,
                                          const ScanFilter& scope, size_t limit /*0 = all*/);

// The Jaeger UI tag search: `key=value AND key2>3 AND service=x AND minDuration=30ms …`,
// translated to the equivalent TraceQL (which is what runs).
Result<std::string> TagSearchToTraceQL(std::string_view tags);
Result<TraceSearchResult> SearchTags(Store& store, std::string_view tags,
                                     const TraceSearchOptions& options);

// Grafana Tempo's search response: {"traces":[{"traceID",…,"spanSets":[…]}],"metrics":{…}}.
std::string TempoSearchJson(const TraceSearchResult& result);
// A table: trace id, root service and operation, start, duration, spans, matched spans.
std::string TraceSearchTable(const TraceSearchResult& result);

}  // namespace ddbg
