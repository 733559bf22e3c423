// Decoded segments kept in memory for point lookups by trace id (Store::GetTrace and
// GetTraceLogs), so a long-running reader — the server answering /api/traces/{id} — does
// not decompress a whole segment for every trace it is asked for. Each entry is one span or
// log segment's batch with its rows grouped by trace id (CSR over the segment index's sorted
// trace ids). Entries are evicted least recently used beyond a byte budget. A writer that
// keeps the cache warm inserts what it has just committed, so fresh data is never decoded.
// Thread-safety: all methods may be called from any thread; entries are immutable and
// shared, so an evicted entry stays valid for whoever still holds it.
#pragma once

#include <algorithm>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "ddbg/model.h"

namespace ddbg::store {

template <typename Batch>
struct TraceRows {
  Batch batch;
  std::vector<TraceId> traces;  // sorted distinct non-zero trace ids of the batch
  std::vector<uint32_t> first;  // traces.size() + 1 offsets into rows
  std::vector<uint32_t> rows;   // row numbers grouped by trace, ascending within a trace
  size_t bytes = 0;             // approximate memory held

  // Builds the grouping; `batch` is moved in.
  static std::shared_ptr<const TraceRows> Build(Batch batch);
  // Hands the rows of trace `id` to copier.Copy(row), in row order.
  template <typename Copier>
  void CopyTrace(TraceId id, Copier& copier) const;
};

class TraceLookupCache {
 public:
  explicit TraceLookupCache(size_t budget_bytes) : budget_(budget_bytes) {}

  std::shared_ptr<const TraceRows<SpanBatch>> FindSpans(uint64_t seq);
  std::shared_ptr<const TraceRows<LogBatch>> FindLogs(uint64_t seq);
  void Put(uint64_t seq, std::shared_ptr<const TraceRows<SpanBatch>> spans);
  void Put(uint64_t seq, std::shared_ptr<const TraceRows<LogBatch>> logs);
  size_t bytes() const;

 private:
  struct Entry {
    std::shared_ptr<const TraceRows<SpanBatch>> spans;
    std::shared_ptr<const TraceRows<LogBatch>> logs;
    size_t bytes = 0;
    std::list<uint64_t>::iterator lru;
  };
  Entry* Touch(uint64_t seq);  // mu_ held
  void Insert(uint64_t seq, Entry entry);  // takes mu_
  const size_t budget_;
  mutable std::mutex mu_;
  std::unordered_map<uint64_t, Entry> entries_;
  std::list<uint64_t> lru_;  // most recent first
  size_t bytes_ = 0;
};

template <typename Batch>
template <typename Copier>
void TraceRows<Batch>::CopyTrace(TraceId id, Copier& copier) const {
  auto it = std::lower_bound(traces.begin(), traces.end(), id);
  if (it == traces.end() || !(*it == id)) return;
  size_t k = static_cast<size_t>(it - traces.begin());
  for (uint32_t i = first[k]; i < first[k + 1]; ++i) copier.Copy(rows[i]);
}

}  // namespace ddbg::store
