// The embedded columnar store: a directory of immutable segment files listed by a
// MANIFEST (see docs/storage.md). Appends write a segment under a temporary name outside
// any lock, then, holding the directory's LOCK (flock), re-read the manifest, rename the
// segment into place and publish the manifest with the segment added. Readers work on a
// Snapshot taken at Open()/Refresh(). Thread-safety: appends and Refresh() through one
// object are serialised by a mutex; reads may run from any number of threads, each on the
// snapshot current when it started.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "ddbg/store.h"
#include "store/embedded/query_cache.h"
#include "store/embedded/segment_writer.h"
#include "store/embedded/store_snapshot.h"
#include "store/embedded/trace_lookup_cache.h"

namespace ddbg::store {

inline constexpr std::string_view kStoreMetaName = "store.meta";
inline constexpr std::string_view kLockName = "LOCK";
inline constexpr int kStoreFormatVersion = 1;

// Removes what crashed writers left behind in `dir`: segment files numbered at or past the
// manifest's next_seq (renamed but never published) and temporary files whose process is
// gone. The caller holds the LOCK.
Status RemoveLeftovers(const std::string& dir, const Manifest& manifest);

class EmbeddedStore final : public Store {
 public:
  static Result<std::unique_ptr<Store>> Open(const std::string& dir,
                                             const EmbeddedStoreOptions& options);

  Status AppendSpans(const SpanBatch& batch) override;
  Status AppendLogs(const LogBatch& batch) override;
  Status AppendEvents(const EventBatch& batch) override;
  Status AppendMarked(const SpanBatch& spans, const LogBatch& logs, const std::string& name,
                      uint64_t value) override;
  Result<uint64_t> ReadMark(const std::string& name) override;
  Status ScanSpans(const ScanFilter& filter, const BatchFn<SpanBatch>& fn) override;
  Status ScanLogs(const ScanFilter& filter, const BatchFn<LogBatch>& fn) override;
  Status ScanEvents(const ScanFilter& filter, const BatchFn<EventBatch>& fn) override;
  Status ScanSpansParallel(const ScanFilter& filter, int workers,
                           const ParallelSpanFn& fn) override;
  Status ScanEventColumns(const ScanFilter& filter, const EventColumnScan& scan,
                          const EventColumnsFn& fn) override;
  Status FindCorrelated(const std::vector<std::string>& keys,
                        const std::vector<std::string>& values, std::vector<TraceId>* traces,
                        const BatchFn<SpanBatch>& span_fn,
                        const BatchFn<LogBatch>& log_fn) override;
  Status FindLinkedEvents(const std::vector<std::string>& correlation_ids,
                          const std::vector<std::string>& causation_ids,
                          const std::vector<TraceId>& traces,
                          const BatchFn<EventBatch>& fn) override;
  Result<SpanBatch> GetTrace(TraceId id) override;
  Result<LogBatch> GetTraceLogs(TraceId id) override;
  Status ForEachSpanSegment(const ScanFilter& filter, const SegmentFn& fn) override;
  Status ForEachLogSegment(const ScanFilter& filter, const SegmentFn& fn) override;
  Result<StoreStats> Stats() override;
  Result<TimeRange> DataTimeRange() override;
  Status Refresh() override;
  Result<std::string> ReadBlob(const std::string& name) override;
  Status UpdateBlob(const std::string& name,
                    const std::function<Status(std::string*)>& fn) override;

 private:
  EmbeddedStore(std::string dir, const EmbeddedStoreOptions& options, uint64_t meta_bytes)
      : dir_(std::move(dir)),
        options_(options),
        meta_bytes_(meta_bytes),
        cache_(options.shared_cache         ? options.shared_cache
               : options.cache_bytes > 0 ? std::make_shared<TraceLookupCache>(options.cache_bytes)
                                         : nullptr),
        query_cache_(options.shared_query_cache ? options.shared_query_cache
                     : options.query_cache_bytes > 0
                         ? std::make_shared<QueryCache>(options.query_cache_bytes)
                         : nullptr) {}

  std::shared_ptr<const Snapshot> Current() const;
  void Install(std::shared_ptr<const Snapshot> snapshot);
  // Temp segment files written but not yet committed; removed unless committed.
  struct PendingParts {
    std::vector<std::string> temps;
    std::vector<WrittenSegment> written;
    // With a cache: what each part holds, grouped by trace, to cache once it has its number.
    std::vector<std::shared_ptr<const TraceRows<SpanBatch>>> cached_spans;
    std::vector<std::shared_ptr<const TraceRows<LogBatch>>> cached_logs;
    ~PendingParts();
  };
  template <typename Batch>
  Status Append(const Batch& batch);
  // Writes `batch` (cut into parts of at most max_rows_per_segment) as temp segments.
  template <typename Batch>
  Status WriteParts(const Batch& batch, PendingParts* parts);
  // Renames the written temp files into place and publishes them in the manifest, with
  // `mark` (when not null) set in the same manifest.
  Status Commit(PendingParts& parts, const std::pair<std::string, uint64_t>* mark);
  template <typename Batch>
  Status Scan(Signal signal, const ScanFilter& filter, const BatchFn<Batch>& fn);
  Status ForEachSegment(Signal signal, const ScanFilter& filter, const SegmentFn& fn);
  template <typename Batch, typename Copier>
  Result<Batch> GatherTrace(Signal signal, TraceId id);
  // The decoded segment for a trace lookup: from the cache, or read (and cached).
  template <typename Batch>
  Result<std::shared_ptr<const TraceRows<Batch>>> CachedSegment(const SegmentHandle& h);
  // Keeps what a part holds for the cache (no-op without a cache).
  template <typename Batch>
  void KeepForCache(const Batch& part, PendingParts* parts);
  // Puts the committed parts (now numbered) into the cache.
  void CacheCommitted(const PendingParts& parts);
  // The correlation index lookups (correlation_lookup.cc).
  template <typename Batch>
  Status LookupTerms(Signal signal, const std::vector<uint64_t>& terms,
                     std::vector<TraceId>* traces, const BatchFn<Batch>& fn);

  std::string dir_;
  EmbeddedStoreOptions options_;
  uint64_t meta_bytes_;
  std::mutex append_mu_;
  mutable std::mutex mu_;
  std::shared_ptr<const Snapshot> snapshot_;  // guarded by mu_
  std::shared_ptr<TraceLookupCache> cache_;  // null without cache_bytes or shared_cache
  std::shared_ptr<QueryCache> query_cache_;  // null without query_cache_bytes or shared_query_cache
};

}  // namespace ddbg::store
