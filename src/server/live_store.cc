#include "server/live_store.h"

#include <algorithm>
#include <set>

namespace ddbg::server {
namespace {

size_t ChunkBytes(const SpanBatch* spans, const LogBatch* logs) {
  return (spans ? spans->MemoryBytes() : 0) + (logs ? logs->MemoryBytes() : 0);
}

template <typename Batch>
void AddServices(const Batch& b, std::set<std::string>* out) {
  for (StrId s : b.resources.service) {
    if (!b.dict.Get(s).empty()) out->emplace(b.dict.Get(s));
  }
}

void TimeBounds(const std::vector<int64_t>& times, StoreStats* s, bool* any) {
  for (int64_t t : times) {
    if (t == 0) continue;
    if (!*any) {
      s->min_time_ns = s->max_time_ns = t;
      *any = true;
    }
    s->min_time_ns = std::min(s->min_time_ns, t);
    s->max_time_ns = std::max(s->max_time_ns, t);
  }
}

// The head chunks as a read-only Store, so Store's default segment iteration (each batch a
// segment without index) presents them to planners.
class HeadView final : public Store {
 public:
  explicit HeadView(std::vector<HeadChunk> chunks) : chunks_(std::move(chunks)) {}
  Status AppendSpans(const SpanBatch&) override { return ReadOnly(); }
  Status AppendLogs(const LogBatch&) override { return ReadOnly(); }
  Status AppendEvents(const EventBatch&) override { return ReadOnly(); }
  Status ScanSpans(const ScanFilter&, const BatchFn<SpanBatch>& fn) override {
    for (const HeadChunk& c : chunks_) {
      if (c.spans && !c.spans->empty()) DDBG_RETURN_IF_ERROR(fn(*c.spans));
    }
    return Status::Ok();
  }
  Status ScanLogs(const ScanFilter&, const BatchFn<LogBatch>& fn) override {
    for (const HeadChunk& c : chunks_) {
      if (c.logs && !c.logs->empty()) DDBG_RETURN_IF_ERROR(fn(*c.logs));
    }
    return Status::Ok();
  }
  Status ScanEvents(const ScanFilter&, const BatchFn<EventBatch>&) override { return Status::Ok(); }
  Result<SpanBatch> GetTrace(TraceId) override { return ReadOnly(); }
  Result<LogBatch> GetTraceLogs(TraceId) override { return ReadOnly(); }
  Result<StoreStats> Stats() override { return ReadOnly(); }
  Status Refresh() override { return Status::Ok(); }

 private:
  static Status ReadOnly() { return Status::Unsupported("the head view only scans"); }
  std::vector<HeadChunk> chunks_;
};

// Runs `stored` (the store's segments) and, unless its callback stopped it, `head`.
template <typename StoredFn, typename HeadFn>
Status StoredThenHead(const SegmentFn& fn, StoredFn stored, HeadFn head) {
  bool stopped = false;
  DDBG_RETURN_IF_ERROR(stored([&](SegmentCursor& c) -> Result<bool> {
    Result<bool> more = fn(c);
    if (more.ok() && !*more) stopped = true;
    return more;
  }));
  return stopped ? Status::Ok() : head(fn);
}

}  // namespace

Result<std::unique_ptr<LiveStore>> LiveStore::Open(const std::string& dir, uint64_t cache_bytes,
                                                   uint64_t query_cache_bytes) {
  // With a cache, the writer and both readers share it: a sealed segment enters the cache
  // from the writer's commit, so the standby reader finds it decoded. The query cache is
  // filled by queries, so only the readers (swapped at each seal) share it.
  std::shared_ptr<store::TraceLookupCache> cache;
  if (cache_bytes > 0) cache = NewTraceLookupCache(cache_bytes);
  std::shared_ptr<store::QueryCache> query_cache;
  if (query_cache_bytes > 0) query_cache = NewQueryCache(query_cache_bytes);
  auto writer = OpenEmbeddedStore(dir, {.shared_cache = cache});
  if (!writer.ok()) return writer.status();
  EmbeddedStoreOptions read_options{
      .read_only = true, .shared_cache = cache, .shared_query_cache = query_cache};
  auto reader = OpenEmbeddedStore(dir, read_options);
  if (!reader.ok()) return reader.status();
  std::unique_ptr<Store> standby;
  if (cache_bytes > 0) {
    auto opened = OpenEmbeddedStore(dir, read_options);
    if (!opened.ok()) return opened.status();
    standby = std::move(opened).value();
  }
  Result<uint64_t> mark = (*writer)->ReadMark(kWalMark);
  if (!mark.ok()) return mark.status();
  return std::unique_ptr<LiveStore>(
      new LiveStore(std::move(writer).value(), std::move(reader).value(), std::move(standby), *mark));
}

uint64_t LiveStore::sealed_lsn() const {
  std::lock_guard<std::mutex> l(head_mu_);
  return sealed_lsn_;
}

void LiveStore::AddToHead(uint64_t lsn, std::shared_ptr<const SpanBatch> spans,
                          std::shared_ptr<const LogBatch> logs) {
  HeadChunk c;
  c.lsn = lsn;
  c.bytes = ChunkBytes(spans.get(), logs.get());
  c.spans = std::move(spans);
  c.logs = std::move(logs);
  std::lock_guard<std::mutex> l(head_mu_);
  head_stats_.chunks++;
  head_stats_.spans += c.spans ? c.spans->size() : 0;
  head_stats_.logs += c.logs ? c.logs->size() : 0;
  head_stats_.bytes += c.bytes;
  IndexChunk(c);
  head_.emplace(lsn, std::move(c));
  while (head_.count(contiguous_lsn_ + 1) > 0) ++contiguous_lsn_;
}

void LiveStore::IndexChunk(const HeadChunk& c) {
  if (c.spans) {
    for (size_t i = 0; i < c.spans->size(); ++i) {
      head_index_[c.spans->trace_id[i]].spans.emplace_back(c.lsn, static_cast<uint32_t>(i));
    }
  }
  if (c.logs) {
    for (size_t i = 0; i < c.logs->size(); ++i) {
      if (c.logs->trace_id[i].empty()) continue;
      head_index_[c.logs->trace_id[i]].logs.emplace_back(c.lsn, static_cast<uint32_t>(i));
    }
  }
}

void LiveStore::UnindexChunk(const HeadChunk& c) {
  auto drop = [this, lsn = c.lsn](TraceId id, bool logs) {
    auto it = head_index_.find(id);
    if (it == head_index_.end()) return;
    auto& rows = logs ? it->second.logs : it->second.spans;
    std::erase_if(rows, [lsn](const auto& r) { return r.first == lsn; });
    if (it->second.spans.empty() && it->second.logs.empty()) head_index_.erase(it);
  };
  if (c.spans) {
    for (size_t i = 0; i < c.spans->size(); ++i) drop(c.spans->trace_id[i], false);
  }
  if (c.logs) {
    for (size_t i = 0; i < c.logs->size(); ++i) drop(c.logs->trace_id[i], true);
  }
}

std::vector<std::pair<HeadChunk, std::vector<uint32_t>>> LiveStore::HeadRowsOf(TraceId id,
                                                                               bool logs) const {
  std::vector<std::pair<HeadChunk, std::vector<uint32_t>>> out;
  std::lock_guard<std::mutex> l(head_mu_);
  auto it = head_index_.find(id);
  if (it == head_index_.end()) return out;
  auto rows = logs ? it->second.logs : it->second.spans;
  std::sort(rows.begin(), rows.end());
  for (const auto& [lsn, row] : rows) {
    if (out.empty() || out.back().first.lsn != lsn) out.push_back({head_.at(lsn), {}});
    out.back().second.push_back(row);
  }
  return out;
}

std::vector<HeadChunk> LiveStore::HeadSnapshot() const {
  std::lock_guard<std::mutex> l(head_mu_);
  std::vector<HeadChunk> out;
  out.reserve(head_.size());
  for (const auto& [lsn, c] : head_) out.push_back(c);
  return out;
}

HeadStats LiveStore::Head() const {
  std::lock_guard<std::mutex> l(head_mu_);
  HeadStats s = head_stats_;
  s.sealed_lsn = sealed_lsn_;
  return s;
}

Result<uint64_t> LiveStore::Seal() {
  std::lock_guard<std::mutex> seal_lock(seal_mu_);
  std::vector<HeadChunk> run;
  uint64_t upto;
  {
    std::lock_guard<std::mutex> l(head_mu_);
    upto = contiguous_lsn_;
    for (auto it = head_.begin(); it != head_.end() && it->first <= upto; ++it) {
      run.push_back(it->second);
    }
    if (upto == sealed_lsn_) return sealed_lsn_;
  }
  SpanBatch spans;
  LogBatch logs;
  for (const HeadChunk& c : run) {
    if (c.spans && !c.spans->empty()) {
      SpanRowCopier copier(*c.spans, &spans);
      for (size_t i = 0; i < c.spans->size(); ++i) copier.Copy(i);
    }
    if (c.logs && !c.logs->empty()) {
      LogRowCopier copier(*c.logs, &logs);
      for (size_t i = 0; i < c.logs->size(); ++i) copier.Copy(i);
    }
  }
  DDBG_RETURN_IF_ERROR(writer_->AppendMarked(spans, logs, kWalMark, upto));
  DDBG_RETURN_IF_ERROR(SwitchView(run, upto, spans.empty() ? TraceId() : spans.trace_id[0]));
  return upto;
}

Status LiveStore::SwitchView(const std::vector<HeadChunk>& run, uint64_t upto, TraceId warm) {
  Status refreshed = Status::Ok();
  bool swap = false;
  if (standby_) {
    // Nobody reads the standby: refresh it and decode the segments it has not seen yet
    // (one lookup of a trace in each) without holding any lock readers wait for.
    if (!warm.empty()) standby_warm_.push_back(warm);
    refreshed = standby_->Refresh();
    for (TraceId id : standby_warm_) {
      if (refreshed.ok()) refreshed = standby_->GetTrace(id).status();
    }
    swap = refreshed.ok();
  }
  std::unique_lock<std::shared_mutex> view(view_mu_);
  if (swap) {
    std::swap(reader_, standby_);
    standby_warm_.clear();
    if (!warm.empty()) standby_warm_.push_back(warm);  // the old reader has not seen it
  } else {
    refreshed = reader_->Refresh();
  }
  std::lock_guard<std::mutex> l(head_mu_);
  for (const HeadChunk& c : run) {
    head_stats_.chunks--;
    head_stats_.spans -= c.spans ? c.spans->size() : 0;
    head_stats_.logs -= c.logs ? c.logs->size() : 0;
    head_stats_.bytes -= c.bytes;
    UnindexChunk(c);
    head_.erase(c.lsn);
  }
  sealed_lsn_ = upto;
  return refreshed;
}

Status LiveStore::ScanSpans(const ScanFilter& filter, const BatchFn<SpanBatch>& fn) {
  std::shared_lock<std::shared_mutex> view(view_mu_);
  DDBG_RETURN_IF_ERROR(reader_->ScanSpans(filter, fn));
  SpanBatch kept;
  for (const HeadChunk& c : HeadSnapshot()) {
    if (c.spans && !c.spans->empty()) DDBG_RETURN_IF_ERROR(fn(KeepRows(filter, *c.spans, &kept)));
  }
  return Status::Ok();
}

Status LiveStore::ScanLogs(const ScanFilter& filter, const BatchFn<LogBatch>& fn) {
  std::shared_lock<std::shared_mutex> view(view_mu_);
  DDBG_RETURN_IF_ERROR(reader_->ScanLogs(filter, fn));
  for (const HeadChunk& c : HeadSnapshot()) {
    if (c.logs && !c.logs->empty()) DDBG_RETURN_IF_ERROR(fn(*c.logs));
  }
  return Status::Ok();
}

Status LiveStore::ScanEvents(const ScanFilter& filter, const BatchFn<EventBatch>& fn) {
  return writer_->ScanEvents(filter, fn);
}

Status LiveStore::ScanSpansSince(uint64_t after_segment, uint64_t* last_segment,
                                 const BatchFn<SpanBatch>& sealed_fn,
                                 const std::function<void(const HeadChunk&)>& head_fn) {
  std::shared_lock<std::shared_mutex> view(view_mu_);
  Result<StoreStats> stats = reader_->Stats();
  if (!stats.ok()) return stats.status();
  *last_segment = stats->last_segment;
  if (stats->last_segment > after_segment) {
    ScanFilter filter;
    filter.after_segment = after_segment;
    filter.span_columns = SpanColumns::kStructure;
    DDBG_RETURN_IF_ERROR(reader_->ScanSpans(filter, sealed_fn));
  }
  for (const HeadChunk& c : HeadSnapshot()) head_fn(c);
  return Status::Ok();
}

Status LiveStore::ForEachSpanSegment(const ScanFilter& filter, const SegmentFn& fn) {
  std::shared_lock<std::shared_mutex> view(view_mu_);
  return StoredThenHead(
      fn, [&](const SegmentFn& f) { return reader_->ForEachSpanSegment(filter, f); },
      [&](const SegmentFn& f) { return HeadView(HeadSnapshot()).ForEachSpanSegment(filter, f); });
}

Status LiveStore::ForEachLogSegment(const ScanFilter& filter, const SegmentFn& fn) {
  std::shared_lock<std::shared_mutex> view(view_mu_);
  return StoredThenHead(
      fn, [&](const SegmentFn& f) { return reader_->ForEachLogSegment(filter, f); },
      [&](const SegmentFn& f) { return HeadView(HeadSnapshot()).ForEachLogSegment(filter, f); });
}

// Copies rows `rows` of `chunk` into `out`.
template <typename Copier, typename Batch>
void CopyRows(const Batch& chunk, const std::vector<uint32_t>& rows, Batch* out) {
  Copier copier(chunk, out);
  for (uint32_t i : rows) copier.Copy(i);
}

Result<SpanBatch> LiveStore::GetTrace(TraceId id) {
  std::shared_lock<std::shared_mutex> view(view_mu_);
  Result<SpanBatch> stored = reader_->GetTrace(id);
  if (!stored.ok() || id.empty()) return stored;
  SpanBatch out = std::move(stored).value();
  for (const auto& [c, rows] : HeadRowsOf(id, false)) CopyRows<SpanRowCopier>(*c.spans, rows, &out);
  return out;
}

Result<LogBatch> LiveStore::GetTraceLogs(TraceId id) {
  std::shared_lock<std::shared_mutex> view(view_mu_);
  Result<LogBatch> stored = reader_->GetTraceLogs(id);
  if (!stored.ok() || id.empty()) return stored;
  LogBatch out = std::move(stored).value();
  for (const auto& [c, rows] : HeadRowsOf(id, true)) CopyRows<LogRowCopier>(*c.logs, rows, &out);
  return out;
}

Result<StoreStats> LiveStore::Stats() {
  std::shared_lock<std::shared_mutex> view(view_mu_);
  Result<StoreStats> stored = reader_->Stats();
  if (!stored.ok()) return stored;
  StoreStats s = std::move(stored).value();
  std::set<std::string> services(s.services.begin(), s.services.end());
  bool any = s.spans + s.logs + s.events > 0;
  std::vector<HeadChunk> head = HeadSnapshot();
  for (const HeadChunk& c : head) {
    if (c.spans) {
      s.spans += c.spans->size();
      AddServices(*c.spans, &services);
      TimeBounds(c.spans->start_ns, &s, &any);
    }
    if (c.logs) {
      s.logs += c.logs->size();
      AddServices(*c.logs, &services);
      TimeBounds(c.logs->time_ns, &s, &any);
    }
  }
  s.services.assign(services.begin(), services.end());
  // Head records are in no numbered segment: scans return them whatever after_segment says,
  // so segment numbers are not reported while the head holds any (see StoreStats).
  if (!head.empty()) s.last_segment = 0;
  return s;
}

Status LiveStore::Refresh() {
  std::lock_guard<std::mutex> seal_lock(seal_mu_);
  std::unique_lock<std::shared_mutex> view(view_mu_);
  if (standby_) DDBG_RETURN_IF_ERROR(standby_->Refresh());
  return reader_->Refresh();
}

}  // namespace ddbg::server
