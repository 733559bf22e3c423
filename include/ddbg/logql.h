// LogQL (the Grafana Loki subset documented in docs/query.md) evaluated on a Store: log
// queries return matching lines, metric queries return series sampled every step over a
// time range. Used by `ddbg logs query`; LogRowMatcher tests single records (`logs tail`).
// Errors are values: a query that does not parse gives InvalidArgument "L:C: expected …".
// Thread-safety: the functions keep no state.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ddbg/status.h"
#include "ddbg/store.h"
#include "ddbg/traceql.h"

namespace ddbg {

using LabelSet = std::vector<std::pair<std::string, std::string>>;  // sorted by name

struct LogLine {
  int64_t time_ns = 0;
  std::string line;  // the body, or the line_format result
  LabelSet labels;   // service, level, and labels the parsers extracted
  TraceId trace_id;
  SpanId span_id = 0;
};

struct Sample {
  int64_t time_ns = 0;
  double value = 0;
};

struct Series {
  LabelSet labels;
  std::vector<Sample> samples;  // one per step with data
};

struct LogQueryOptions {
  TimeRange range;  // unbounded ends: the store's first/last record time
  int64_t step_ns = 0;  // metric queries; 0: range/100 rounded up to a second (at least 1s)
  size_t limit = 100;   // log queries: lines, in store (time) order; 0 = all
  // Metric queries without a line pipeline (count_over_time, rate) are counted from the
  // label posting lists and the time column; false sends every line through the pipeline
  // (the reference the tests compare with).
  bool count_from_index = true;
};

struct LogQueryResult {
  bool is_metric = false;
  std::vector<LogLine> lines;
  std::vector<Series> series;
  int64_t start_ns = 0, end_ns = 0, step_ns = 0;  // metric queries: the evaluated steps
  QueryExplain explain;
};

Status CheckLogQL(std::string_view logql);
Result<LogQueryResult> EvalLogQL(Store& store, std::string_view logql, const LogQueryOptions& options);

// The lines of a log query that belong to one trace (`logs query --by-trace`).
struct TraceLogGroup {
  TraceId trace_id;                   // zero: the lines without a trace id
  std::vector<size_t> lines;          // indexes into LogQueryResult::lines, by time
  int64_t first_ns = 0, last_ns = 0;  // time of the earliest and latest line
  std::vector<std::string> services;  // distinct, in order of first appearance
};
// Groups a log query's lines by trace id: traces in order of their first line, then one
// group of the lines without a trace id (if any).
std::vector<TraceLogGroup> GroupLinesByTrace(const LogQueryResult& r);
// Per trace: a heading (id, lines, services, time span), then its lines indented.
std::string LogsByTraceTable(const LogQueryResult& r);
// {"traces":[{"traceID","lines","services","startTimeUnixNano","endTimeUnixNano",
// "values":[{"timeUnixNano","labels":{…},"line"}]}], "untraced":{"values":[…]}}.
std::string LogsByTraceJson(const LogQueryResult& r);

// A LogQL log query (stream selector, line filters, parsers, label filters, line_format)
// compiled once and tested record by record, for callers that bring their own rows
// (`ddbg logs tail`). Metric queries are refused with InvalidArgument. Copies share the
// compiled query; Matches() is const and may run on several threads.
class LogRowMatcher {
 public:
  static Result<LogRowMatcher> Compile(std::string_view logql);
  // Whether record `row` of `batch` passes the selector and the pipeline. When it does and
  // `out` is given, *out holds the resulting line (after line_format) and labels.
  bool Matches(const LogBatch& batch, size_t row, LogLine* out = nullptr) const;

 private:
  struct Compiled;
  explicit LogRowMatcher(std::shared_ptr<const Compiled> c) : compiled_(std::move(c)) {}
  std::shared_ptr<const Compiled> compiled_;
};

// `{label="value", …}`.
std::string FormatLabels(const LabelSet& labels);
// Lines: time, labels, line. Series: each series' labels, then one "time value" per step.
std::string LogQueryTable(const LogQueryResult& r);
// Loki's query_range response: {"status":"success","data":{"resultType":"streams"|"matrix",…}}.
std::string LokiQueryJson(const LogQueryResult& r);

}  // namespace ddbg
