// SpanTable: the spans of many traces as flat columns grouped by trace, with parents
// resolved to row indexes — the input of every aggregate trace analysis. Strings (service,
// operation, instance, error type…) are interned once in the table's own dictionary, so
// analyses compare 32-bit ids and never touch per-span heap objects.
// Thread-safety: immutable once built; share it read-only.
#pragma once

#include <functional>
#include <cstdint>
#include <string>
#include <vector>

#include "ddbg/analysis_scope.h"
#include "ddbg/model.h"
#include "ddbg/status.h"
#include "ddbg/store.h"

namespace ddbg {

struct SpanTableOptions {
  // A span or resource attribute copied into SpanTable::group (e.g. "service.version").
  std::string group_attribute;
  // Fill error_type / error_message (needs span attributes and events, the bulk of a
  // stored span); when false they stay empty and the load reads much less.
  bool error_details = true;
  // The column groups a load reads for these options.
  SpanColumns Columns() const;
};

// A link from a span to a span of another trace (messaging: consumer -> producer).
struct SpanTableLink {
  uint32_t row = 0;
  TraceId trace_id;
  SpanId span_id = 0;
};

struct SpanTable {
  static constexpr int32_t kNoParent = -1;

  StringDict dict;
  // Per trace: rows [trace_begin[t], trace_begin[t+1]).
  std::vector<TraceId> trace_id;
  std::vector<uint32_t> trace_begin{0};

  // Per span, grouped by trace (in scan order inside a trace).
  std::vector<SpanId> span_id;
  std::vector<SpanId> parent_span_id;
  std::vector<int32_t> parent;  // table row of the parent in the same trace, or kNoParent
  std::vector<StrId> service;
  std::vector<StrId> name;
  std::vector<StrId> instance;  // service.instance.id, host.name or k8s.pod.name; "" if none
  std::vector<StrId> group;     // SpanTableOptions::group_attribute value; "" when absent
  std::vector<StrId> error_type;     // exception.type (event or attribute), error spans only
  std::vector<StrId> error_message;  // exception.message, else the status message
  std::vector<SpanKind> kind;
  std::vector<SpanStatus> status;
  std::vector<uint8_t> async;  // FOLLOWS_FROM child, or CONSUMER child of a PRODUCER
  std::vector<int64_t> start_ns;
  std::vector<int64_t> end_ns;
  std::vector<SpanTableLink> links;  // links to spans of other traces

  size_t traces() const { return trace_id.size(); }
  size_t spans() const { return span_id.size(); }
  uint32_t begin(size_t t) const { return trace_begin[t]; }
  uint32_t end(size_t t) const { return trace_begin[t + 1]; }
  int64_t duration_ns(size_t row) const { return end_ns[row] - start_ns[row]; }
  bool is_error(size_t row) const { return status[row] == SpanStatus::kError; }
  std::string_view str(StrId id) const { return dict.Get(id); }
  // The trace's duration: latest end minus earliest start of its spans.
  int64_t TraceDuration(size_t t) const;
  int64_t TraceStart(size_t t) const;
  // The row of the trace's root: the earliest-starting span without a parent.
  uint32_t RootRow(size_t t) const;
};

// Loads the spans in `scope` (time range on span start, traces touching the listed services,
// the --where filter) from the store.
Result<SpanTable> LoadSpanTable(Store& store, const AnalysisScope& scope,
                                const SpanTableOptions& options = {});
// Only the traces listed in `trace_ids` (inside `scope`; its `where` is ignored): the
// input of analyses that look at a chosen subset, such as the failing traces of a report.
Result<SpanTable> LoadSpanTableOfTraces(Store& store, const AnalysisScope& scope,
                                        const std::vector<TraceId>& trace_ids,
                                        const SpanTableOptions& options = {});
// Several LoadSpanTableOfTraces in one scan: table k holds the traces of sets[k] with
// options[k] (the scan reads the union of their traces and column groups once).
struct TraceSubset {
  std::vector<TraceId> trace_ids;
  SpanTableOptions options;
};
// Another consumer of the same scan (`also`): its filter's time range and column groups
// widen the scan's (which then reads every trace), and `add` sees every batch with its
// position in the scan (0, 1, …), from several threads at once. With a row filter
// (filter.span_rows) the batches hold only the rows of the subsets' traces and the rows it
// keeps (`add` still checks its own rows); without one, every row.
struct SpanScanConsumer {
  ScanFilter filter;
  std::function<void(const SpanBatch&, size_t ordinal)> add;
};
Result<std::vector<SpanTable>> LoadSpanTablesOfTraces(Store& store, const AnalysisScope& scope,
                                                      const std::vector<TraceSubset>& sets,
                                                      const SpanScanConsumer* also = nullptr);
// The same from in-memory batches (tests, single-file analyses); every trace is kept.
SpanTable SpanTableFromBatches(const std::vector<const SpanBatch*>& batches,
                               const SpanTableOptions& options = {});

}  // namespace ddbg
