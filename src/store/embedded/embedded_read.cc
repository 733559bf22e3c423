// The read side of EmbeddedStore: scans with segment pruning, segment cursors for query
// planners, and trace gathering.
#include "store/embedded/embedded_store.h"
#include "store/embedded/segment_cursor.h"
#include "store/embedded/segment_reader.h"

namespace ddbg::store {

template <typename Batch>
Status EmbeddedStore::Scan(Signal signal, const ScanFilter& filter, const BatchFn<Batch>& fn) {
  std::shared_ptr<const Snapshot> snapshot = Current();
  Batch batch;
  for (const auto& h : snapshot->segments()) {
    if (h->entry.signal != signal || !MayMatch(*h, filter)) continue;
    SegmentReadOptions options;
    options.core_span_columns = filter.core_span_columns;
    DDBG_RETURN_IF_ERROR(ReadSegment(h->path, h->entry, &batch, options));
    DDBG_RETURN_IF_ERROR(fn(batch));
  }
  return Status::Ok();
}

Status EmbeddedStore::ForEachSegment(Signal signal, const ScanFilter& filter,
                                     const SegmentFn& fn) {
  std::shared_ptr<const Snapshot> snapshot = Current();
  for (const auto& h : snapshot->segments()) {
    if (h->entry.signal != signal || !MayMatch(*h, filter)) continue;
    EmbeddedSegmentCursor cursor(*h);
    Result<bool> more = fn(cursor);
    if (!more.ok()) return more.status();
    if (!*more) break;
  }
  return Status::Ok();
}

Status EmbeddedStore::ForEachSpanSegment(const ScanFilter& filter, const SegmentFn& fn) {
  return ForEachSegment(Signal::kSpans, filter, fn);
}
Status EmbeddedStore::ForEachLogSegment(const ScanFilter& filter, const SegmentFn& fn) {
  return ForEachSegment(Signal::kLogs, filter, fn);
}

template <typename Batch, typename Copier>
Result<Batch> EmbeddedStore::GatherTrace(Signal signal, TraceId id) {
  Batch out;
  if (id.empty()) return out;
  std::shared_ptr<const Snapshot> snapshot = Current();
  Batch segment;
  for (const auto& h : snapshot->segments()) {
    if (h->entry.signal != signal) continue;
    if (h->index_status.ok() && !h->index.HasTrace(id)) continue;
    DDBG_RETURN_IF_ERROR(ReadSegment(h->path, h->entry, &segment));
    Copier copier(segment, &out);
    for (size_t i = 0; i < segment.size(); ++i) {
      if (segment.trace_id[i] == id) copier.Copy(i);
    }
  }
  return out;
}

Status EmbeddedStore::ScanSpans(const ScanFilter& filter, const BatchFn<SpanBatch>& fn) {
  return Scan(Signal::kSpans, filter, fn);
}
Status EmbeddedStore::ScanLogs(const ScanFilter& filter, const BatchFn<LogBatch>& fn) {
  return Scan(Signal::kLogs, filter, fn);
}
Status EmbeddedStore::ScanEvents(const ScanFilter& filter, const BatchFn<EventBatch>& fn) {
  return Scan(Signal::kEvents, filter, fn);
}

Result<SpanBatch> EmbeddedStore::GetTrace(TraceId id) {
  return GatherTrace<SpanBatch, SpanRowCopier>(Signal::kSpans, id);
}
Result<LogBatch> EmbeddedStore::GetTraceLogs(TraceId id) {
  return GatherTrace<LogBatch, LogRowCopier>(Signal::kLogs, id);
}

}  // namespace ddbg::store
