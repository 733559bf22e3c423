#include "store/embedded/trace_lookup_cache.h"

#include "store/embedded/trace_index.h"

namespace ddbg::store {

template <typename Batch>
std::shared_ptr<const TraceRows<Batch>> TraceRows<Batch>::Build(Batch batch) {
  auto out = std::make_shared<TraceRows<Batch>>();
  out->traces = DistinctTraceIds(batch.trace_id);
  const size_t n = batch.size();
  // Counting sort of the rows by the position of their trace id in `traces`.
  std::vector<uint32_t> slot(n, UINT32_MAX);
  out->first.assign(out->traces.size() + 1, 0);
  for (size_t i = 0; i < n; ++i) {
    const TraceId& id = batch.trace_id[i];
    if (id.empty()) continue;
    auto it = std::lower_bound(out->traces.begin(), out->traces.end(), id);
    slot[i] = static_cast<uint32_t>(it - out->traces.begin());
    ++out->first[slot[i] + 1];
  }
  for (size_t k = 1; k < out->first.size(); ++k) out->first[k] += out->first[k - 1];
  out->rows.resize(out->first.back());
  std::vector<uint32_t> next(out->first.begin(), out->first.end() - 1);
  for (size_t i = 0; i < n; ++i) {
    if (slot[i] != UINT32_MAX) out->rows[next[slot[i]]++] = static_cast<uint32_t>(i);
  }
  out->bytes = batch.MemoryBytes() + out->traces.size() * sizeof(TraceId) +
               (out->first.size() + out->rows.size()) * sizeof(uint32_t);
  out->batch = std::move(batch);
  return out;
}

template struct TraceRows<SpanBatch>;
template struct TraceRows<LogBatch>;

TraceLookupCache::Entry* TraceLookupCache::Touch(uint64_t seq) {
  auto it = entries_.find(seq);
  if (it == entries_.end()) return nullptr;
  lru_.splice(lru_.begin(), lru_, it->second.lru);
  return &it->second;
}

void TraceLookupCache::Insert(uint64_t seq, Entry entry) {
  std::lock_guard<std::mutex> l(mu_);
  if (entry.bytes > budget_) return;  // would evict everything and still not fit
  auto old = entries_.find(seq);
  if (old != entries_.end()) {
    bytes_ -= old->second.bytes;
    lru_.erase(old->second.lru);
    entries_.erase(old);
  }
  while (bytes_ + entry.bytes > budget_ && !lru_.empty()) {
    auto victim = entries_.find(lru_.back());
    bytes_ -= victim->second.bytes;
    entries_.erase(victim);
    lru_.pop_back();
  }
  lru_.push_front(seq);
  entry.lru = lru_.begin();
  bytes_ += entry.bytes;
  entries_.emplace(seq, std::move(entry));
}

std::shared_ptr<const TraceRows<SpanBatch>> TraceLookupCache::FindSpans(uint64_t seq) {
  std::lock_guard<std::mutex> l(mu_);
  Entry* e = Touch(seq);
  return e == nullptr ? nullptr : e->spans;
}

std::shared_ptr<const TraceRows<LogBatch>> TraceLookupCache::FindLogs(uint64_t seq) {
  std::lock_guard<std::mutex> l(mu_);
  Entry* e = Touch(seq);
  return e == nullptr ? nullptr : e->logs;
}

void TraceLookupCache::Put(uint64_t seq, std::shared_ptr<const TraceRows<SpanBatch>> spans) {
  Entry e;
  e.bytes = spans->bytes;
  e.spans = std::move(spans);
  Insert(seq, std::move(e));
}

void TraceLookupCache::Put(uint64_t seq, std::shared_ptr<const TraceRows<LogBatch>> logs) {
  Entry e;
  e.bytes = logs->bytes;
  e.logs = std::move(logs);
  Insert(seq, std::move(e));
}

size_t TraceLookupCache::bytes() const {
  std::lock_guard<std::mutex> l(mu_);
  return bytes_;
}

}  // namespace ddbg::store
