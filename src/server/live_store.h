// The store the server reads and writes: the embedded store on disk plus the "head", the
// records acknowledged (durable in the WAL) but not yet sealed into a segment. Queries see
// head and store together, so data is visible as soon as it is acknowledged; Seal() moves
// the oldest contiguous run of head chunks into one store commit that also records, as
// the mark "serve.wal", the WAL position it covers. Two store objects are used: a writer,
// and a reader whose snapshot changes only together with the head (under an exclusive
// lock), so a reader never sees a record twice or misses one during a seal. With a
// decoded-segment cache there are two readers: a seal refreshes the standby one, makes
// sure the new segments are in the cache (the writer and both readers share one cache, so
// the writer's commit has already put them there) off the request path, then swaps it in
// (so no lookup ever decodes a freshly sealed segment).
// Thread-safety: everything may be called from any thread.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "ddbg/store.h"
#include "server/trace_id_hash.h"

namespace ddbg::server {

inline constexpr char kWalMark[] = "serve.wal";

struct HeadChunk {
  uint64_t lsn = 0;
  std::shared_ptr<const SpanBatch> spans;
  std::shared_ptr<const LogBatch> logs;
  size_t bytes = 0;
};

struct HeadStats {
  uint64_t chunks = 0;
  uint64_t spans = 0;
  uint64_t logs = 0;
  uint64_t bytes = 0;
  uint64_t sealed_lsn = 0;  // everything up to here is in the store
};

class LiveStore final : public Store {
 public:
  // `cache_bytes`: the decoded-segment cache of the reader that answers queries (0: none).
  // `query_cache_bytes`: the query cache (posting tables, column projections) both readers
  // share (0: none).
  static Result<std::unique_ptr<LiveStore>> Open(const std::string& dir, uint64_t cache_bytes = 0,
                                                 uint64_t query_cache_bytes = 0);

  // The WAL position the store already holds (the "serve.wal" mark at open).
  uint64_t sealed_lsn() const;
  // Adds the records of WAL record `lsn` (durable) to the head. Every LSN after
  // sealed_lsn() must be added exactly once (empty batches included), in any order.
  void AddToHead(uint64_t lsn, std::shared_ptr<const SpanBatch> spans,
                 std::shared_ptr<const LogBatch> logs);
  // Seals the head chunks whose LSNs form a contiguous run after sealed_lsn(). Returns the
  // new sealed LSN (unchanged when there was nothing to seal).
  Result<uint64_t> Seal();
  HeadStats Head() const;
  // For incremental readers, under one consistent view: the spans (structure columns) of
  // the segments committed after segment `after_segment` go to `sealed_fn`, then every head
  // chunk to `head_fn`; *last_segment receives the number of the store's last segment.
  Status ScanSpansSince(uint64_t after_segment, uint64_t* last_segment,
                        const BatchFn<SpanBatch>& sealed_fn,
                        const std::function<void(const HeadChunk&)>& head_fn);

  Status AppendSpans(const SpanBatch& batch) override { return writer_->AppendSpans(batch); }
  Status AppendLogs(const LogBatch& batch) override { return writer_->AppendLogs(batch); }
  Status AppendEvents(const EventBatch& batch) override { return writer_->AppendEvents(batch); }
  Status ScanSpans(const ScanFilter& filter, const BatchFn<SpanBatch>& fn) override;
  Status ScanLogs(const ScanFilter& filter, const BatchFn<LogBatch>& fn) override;
  Status ScanEvents(const ScanFilter& filter, const BatchFn<EventBatch>& fn) override;
  // The store's segments (with their indexes) and then each head chunk as a segment
  // without index.
  Status ForEachSpanSegment(const ScanFilter& filter, const SegmentFn& fn) override;
  Status ForEachLogSegment(const ScanFilter& filter, const SegmentFn& fn) override;
  Result<SpanBatch> GetTrace(TraceId id) override;
  Result<LogBatch> GetTraceLogs(TraceId id) override;
  Result<StoreStats> Stats() override;
  Status Refresh() override;

 private:
  LiveStore(std::unique_ptr<Store> writer, std::unique_ptr<Store> reader,
            std::unique_ptr<Store> standby, uint64_t sealed)
      : writer_(std::move(writer)), reader_(std::move(reader)), standby_(std::move(standby)),
        sealed_lsn_(sealed), contiguous_lsn_(sealed) {}
  // Makes the committed run (LSNs up to `upto`) visible: switches the reader and drops the
  // run from the head in one exclusive step.
  Status SwitchView(const std::vector<HeadChunk>& run, uint64_t upto, TraceId warm);
  std::vector<HeadChunk> HeadSnapshot() const;
  // Where one trace's records are in the head: (LSN, row) pairs, in the order added.
  struct HeadRows {
    std::vector<std::pair<uint64_t, uint32_t>> spans;
    std::vector<std::pair<uint64_t, uint32_t>> logs;
  };
  // The head chunks and rows of trace `id`, by LSN (empty when the head has none).
  std::vector<std::pair<HeadChunk, std::vector<uint32_t>>> HeadRowsOf(TraceId id, bool logs) const;
  void IndexChunk(const HeadChunk& c);    // head_mu_ held
  void UnindexChunk(const HeadChunk& c);  // head_mu_ held

  std::unique_ptr<Store> writer_;
  std::unique_ptr<Store> reader_;   // answers queries; swapped under view_mu_
  std::unique_ptr<Store> standby_;  // with a cache: the next reader; null without a cache
  std::vector<TraceId> standby_warm_;  // a trace of each segment the standby has not decoded
  std::mutex seal_mu_;              // one Seal at a time
  mutable std::shared_mutex view_mu_;  // readers shared; a seal's switch-over exclusive
  mutable std::mutex head_mu_;
  std::map<uint64_t, HeadChunk> head_;  // by LSN; guarded by head_mu_
  uint64_t sealed_lsn_;                 // guarded by head_mu_
  uint64_t contiguous_lsn_;             // every LSN up to here is in head_ or sealed
  HeadStats head_stats_;                // guarded by head_mu_
  // Trace id -> its rows in the head, so GetTrace costs O(the trace's head rows), not
  // O(head); guarded by head_mu_.
  std::unordered_map<TraceId, HeadRows, TraceIdHash> head_index_;
};

}  // namespace ddbg::server
