// Shared parts of the Store interface: the default segment iteration for backends without
// segments of their own, and the index term encoding.
#include <roaring/roaring.hh>

#include "ddbg/index_terms.h"
#include "ddbg/store.h"

namespace ddbg {
namespace {

// Returned by a scan callback to stop the scan early; never leaves this file.
const char kStopScan[] = "ddbg: stop scan";

// One scanned batch presented as a segment without index.
template <typename Batch>
class BatchCursor final : public SegmentCursor {
 public:
  explicit BatchCursor(const Batch& b) : b_(b) {}
  uint64_t rows() const override { return b_.size(); }
  bool has_index() const override { return false; }
  Status Postings(std::string_view, Roaring*) override { return NoIndex(); }
  Status TokenRows(std::string_view, Roaring*) override { return NoIndex(); }
  Status ReadSpans(SpanBatch* out) override { return Copy(out); }
  Status ReadLogs(LogBatch* out) override { return Copy(out); }

 private:
  static Status NoIndex() { return Status::Unsupported("this store has no index"); }
  template <typename Out>
  Status Copy(Out* out) {
    if constexpr (std::is_same_v<Out, Batch>) {
      *out = b_;
      return Status::Ok();
    }
    return Status::Internal("segment of another signal");
  }
  const Batch& b_;
};

template <typename Batch>
Status ForEachBatch(const SegmentFn& fn, const Batch& b) {
  BatchCursor<Batch> cursor(b);
  Result<bool> more = fn(cursor);
  if (!more.ok()) return more.status();
  return *more ? Status::Ok() : Status::Internal(kStopScan);
}

Status Stopped(Status st) {
  return st.code() == StatusCode::kInternal && st.message() == kStopScan ? Status::Ok() : st;
}

}  // namespace

Result<TimeRange> Store::DataTimeRange() {
  Result<StoreStats> stats = Stats();
  if (!stats.ok()) return stats.status();
  return TimeRange{stats->min_time_ns, stats->max_time_ns};
}

Status Store::ScanSpansParallel(const ScanFilter& filter, int /*workers*/,
                                const ParallelSpanFn& fn) {
  size_t ordinal = 0;
  return ScanSpans(filter, [&](const SpanBatch& b) { return fn(b, ordinal++); });
}

Status Store::ForEachSpanSegment(const ScanFilter& filter, const SegmentFn& fn) {
  ScanFilter whole_rows = filter;  // cursors offer whole segments
  whole_rows.span_rows = nullptr;
  return Stopped(ScanSpans(whole_rows, [&fn](const SpanBatch& b) { return ForEachBatch(fn, b); }));
}

const SpanBatch& KeepRows(const ScanFilter& filter, const SpanBatch& batch, SpanBatch* scratch) {
  if (!filter.span_rows) return batch;
  std::vector<uint8_t> keep(batch.size(), 0);
  filter.span_rows(batch.trace_id.data(), batch.size(), keep.data());
  scratch->Clear();
  SpanRowCopier copier(batch, scratch);
  for (size_t i = 0; i < batch.size(); ++i) {
    if (keep[i]) copier.Copy(i);
  }
  return *scratch;
}

Status Store::ForEachLogSegment(const ScanFilter& filter, const SegmentFn& fn) {
  return Stopped(ScanLogs(filter, [&fn](const LogBatch& b) { return ForEachBatch(fn, b); }));
}

std::string IndexTerm(TermField field, std::string_view key, AttrType type,
                      std::string_view value_text) {
  std::string t;
  t.reserve(4 + key.size() + value_text.size());
  t.push_back(static_cast<char>(field));
  t.append(key);
  t.push_back('\0');
  t.push_back(static_cast<char>('0' + static_cast<int>(type)));
  t.append(value_text);
  return t;
}

}  // namespace ddbg
