// The read side of EmbeddedStore: scans with segment pruning, segment cursors for query
// planners, and trace gathering.
#include <atomic>
#include <mutex>
#include <type_traits>

#include "store/embedded/embedded_store.h"
#include "store/embedded/job_runner.h"
#include "store/embedded/segment_cursor.h"
#include "store/embedded/segment_reader.h"

namespace ddbg::store {

template <typename Batch>
Status EmbeddedStore::Scan(Signal signal, const ScanFilter& filter, const BatchFn<Batch>& fn) {
  std::shared_ptr<const Snapshot> snapshot = Current();
  SegmentReadOptions options;
  options.span_columns = filter.span_columns;
  options.log_columns = filter.log_columns;
  if (filter.span_rows) options.row_filter = &filter.span_rows;
  Batch batch;
  for (const auto& h : snapshot->segments()) {
    if (h->entry.signal != signal || !MayMatch(*h, filter)) continue;
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
    EmbeddedSegmentCursor cursor(*h, query_cache_.get());
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

template <typename Batch>
Result<std::shared_ptr<const TraceRows<Batch>>> EmbeddedStore::CachedSegment(
    const SegmentHandle& h) {
  std::shared_ptr<const TraceRows<Batch>> found;
  if constexpr (std::is_same_v<Batch, SpanBatch>) {
    found = cache_->FindSpans(h.entry.seq);
  } else {
    found = cache_->FindLogs(h.entry.seq);
  }
  if (found) return found;
  Batch batch;
  DDBG_RETURN_IF_ERROR(ReadSegment(h.path, h.entry, &batch));
  found = TraceRows<Batch>::Build(std::move(batch));
  cache_->Put(h.entry.seq, found);
  return found;
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
    if (cache_) {
      Result<std::shared_ptr<const TraceRows<Batch>>> cached = CachedSegment<Batch>(*h);
      if (!cached.ok()) return cached.status();
      Copier copier((*cached)->batch, &out);
      (*cached)->CopyTrace(id, copier);
      continue;
    }
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

// Segments are claimed from a shared counter; each worker reads whole segments on its own
// (one decoding thread each) into a batch it reuses.
Status EmbeddedStore::ScanSpansParallel(const ScanFilter& filter, int workers,
                                        const ParallelSpanFn& fn) {
  std::shared_ptr<const Snapshot> snapshot = Current();
  std::vector<const SegmentHandle*> segments;
  for (const auto& h : snapshot->segments()) {
    if (h->entry.signal == Signal::kSpans && MayMatch(*h, filter)) segments.push_back(h.get());
  }
  if (workers <= 1 || segments.size() <= 1) {
    return ScanSpans(filter, [&fn, n = size_t{0}](const SpanBatch& b) mutable { return fn(b, n++); });
  }
  SegmentReadOptions options;
  options.threads = 1;
  options.span_columns = filter.span_columns;
  if (filter.span_rows) options.row_filter = &filter.span_rows;
  std::mutex mu;
  Status first_error;
  std::atomic<bool> failed{false};
  std::vector<SpanBatch> batches(static_cast<size_t>(workers));
  RunJobs(segments.size(), workers, [&](size_t j, int w) {
    if (failed.load()) return;
    const SegmentHandle& h = *segments[j];
    SpanBatch& batch = batches[static_cast<size_t>(w)];
    Status st = ReadSegment(h.path, h.entry, &batch, options);
    if (st.ok()) st = fn(batch, j);
    if (st.ok()) return;
    std::lock_guard<std::mutex> lock(mu);
    if (!failed.exchange(true)) first_error = st;
  });
  return first_error;
}

Result<SpanBatch> EmbeddedStore::GetTrace(TraceId id) {
  return GatherTrace<SpanBatch, SpanRowCopier>(Signal::kSpans, id);
}
Result<LogBatch> EmbeddedStore::GetTraceLogs(TraceId id) {
  return GatherTrace<LogBatch, LogRowCopier>(Signal::kLogs, id);
}

}  // namespace ddbg::store
