// The Store interface every backend implements (the embedded columnar store now,
// ClickHouse later). Analyses and commands read and write telemetry only through it.
// A Store opened for reading sees a consistent snapshot taken at Open() (or at the last
// Refresh()); appends from other processes appear only after Refresh(). Appends from one
// Store object are serialised internally; a Store may be read from several threads.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ddbg/model.h"
#include "ddbg/status.h"

// CRoaring's C++ bitmap (Debian 12 ships it in the global namespace).
class Roaring;

namespace ddbg {
namespace store {
class TraceLookupCache;
class QueryCache;
}

struct TimeRange {
  int64_t min_ns = std::numeric_limits<int64_t>::min();
  int64_t max_ns = std::numeric_limits<int64_t>::max();
  bool Overlaps(int64_t lo, int64_t hi) const { return lo <= max_ns && hi >= min_ns; }
  bool Contains(int64_t t) const { return t >= min_ns && t <= max_ns; }
  bool unbounded() const {
    return min_ns == std::numeric_limits<int64_t>::min() &&
           max_ns == std::numeric_limits<int64_t>::max();
  }
};

// Column groups of a span scan (ScanFilter::span_columns), a bit set. The structure — ids,
// parent, service, name, kind, status, times, resource and scope tables — is always read.
// A group left out reads as if no span had it (no attributes, events, links, status message,
// flags, trace state); without kDetails|kAttributes|kEvents no value string is read either.
enum class SpanColumns : uint32_t {
  kStructure = 0,
  kAttributes = 1u << 0,  // span attributes
  kEvents = 1u << 1,      // span events and their attributes
  kLinks = 1u << 2,       // links and their attributes
  kDetails = 1u << 3,     // status message, flags, trace state
  kAll = 0xfu,
};
constexpr SpanColumns operator|(SpanColumns a, SpanColumns b) {
  return static_cast<SpanColumns>(static_cast<uint32_t>(a) | static_cast<uint32_t>(b));
}
constexpr bool Has(SpanColumns set, SpanColumns group) {
  return (static_cast<uint32_t>(set) & static_cast<uint32_t>(group)) != 0;
}

// Column groups of a log scan (ScanFilter::log_columns), a bit set. The structure — times,
// severity, resource and scope tables, service, trace and span ids, flags, event name and
// template id — is always read. A group left out reads as if no record had any of it:
// empty bodies (type string), no attributes, no template parameters. Leaving out all three
// also spares the reader the batch's value strings (docs/storage.md, section 7).
// Backends may return more than asked.
enum class LogColumns : uint32_t {
  kStructure = 0,
  kBody = 1u << 0,        // body and body_type
  kAttributes = 1u << 1,  // record attributes
  kParams = 1u << 2,      // template parameters (param_off, params)
  kAll = 0x7u,
};
constexpr LogColumns operator|(LogColumns a, LogColumns b) {
  return static_cast<LogColumns>(static_cast<uint32_t>(a) | static_cast<uint32_t>(b));
}
constexpr bool Has(LogColumns set, LogColumns group) {
  return (static_cast<uint32_t>(set) & static_cast<uint32_t>(group)) != 0;
}

// A row filter on trace ids (ScanFilter::span_rows): given the trace ids of `n` rows of one
// stored batch, sets keep[i] to 1 for each row to keep (keep[] arrives zeroed; the filter
// only sets). Called from several threads at once by a parallel scan.
using TraceRowFilter = std::function<void(const TraceId* ids, size_t n, uint8_t* keep)>;

// What a scan may skip. Backends prune whole segments with it; rows inside a returned batch
// may still fall outside, so callers filter rows themselves.
struct ScanFilter {
  TimeRange time;                  // spans: start_ns; logs and events: time_ns
  std::vector<TraceId> trace_ids;  // empty: any
  std::vector<std::string> services;  // empty: any
  std::vector<std::string> streams;   // events only; empty: any
  SpanColumns span_columns = SpanColumns::kAll;  // spans only: the column groups to read
  LogColumns log_columns = LogColumns::kAll;     // logs only: the column groups to read
  // Spans only (ScanSpans, ScanSpansParallel): when set, every batch handed out holds only
  // the rows it keeps, in stored order (possibly none: a parallel scan still hands every
  // ordinal over). The embedded store decodes the trace ids first and the other columns
  // only for the kept rows; other backends filter after reading (KeepRows). Segment cursors
  // (ForEachSpanSegment), GetTrace and FindCorrelated ignore it.
  TraceRowFilter span_rows;
  // Only segments committed after the one numbered `after_segment` (see
  // StoreStats::last_segment): how a follower reads just what is new. 0: any. Honoured
  // exactly (no row of an older segment is returned) by backends that report last_segment.
  uint64_t after_segment = 0;
};

struct StoreStats {
  uint64_t traces = 0;
  uint64_t spans = 0;
  uint64_t logs = 0;
  uint64_t events = 0;
  uint64_t segments = 0;
  uint64_t bytes_on_disk = 0;
  int64_t min_time_ns = 0;  // over every signal; 0 when empty
  int64_t max_time_ns = 0;
  std::vector<std::string> services;  // sorted, distinct, from spans and logs
  std::vector<std::string> streams_sample;  // up to 20 event stream ids
  uint64_t streams = 0;
  // The number of the last committed segment; segment numbers grow in commit order. 0 when
  // the store is empty or the backend does not number segments (it then ignores
  // ScanFilter::after_segment).
  uint64_t last_segment = 0;
};

// Called once per stored batch; returning an error stops the scan and is returned by it.
template <typename Batch>
using BatchFn = std::function<Status(const Batch&)>;

// For backends that cannot filter rows while reading: `batch` with filter.span_rows applied
// (the kept rows copied into *scratch, which is returned), or `batch` itself when the
// filter has no row filter.
const SpanBatch& KeepRows(const ScanFilter& filter, const SpanBatch& batch, SpanBatch* scratch);

// A span scan callback that may run on several threads at once (ScanSpansParallel);
// `ordinal` is the batch's position in scan order (0, 1, 2, …), so a caller can put
// per-batch results back in order.
using ParallelSpanFn = std::function<Status(const SpanBatch& batch, size_t ordinal)>;

// Some columns of one span segment (SegmentCursor::SpanColumns): the vectors of the asked
// columns hold every row, the others are empty (so `columns` is not a valid SpanBatch for
// other code; its dictionary is read only with kSegColDict). When the trace ids were asked
// for, the rows are also grouped by trace id.
struct SpanColumnSet {
  SpanBatch columns;
  uint64_t rows = 0;
  std::vector<TraceId> traces;  // sorted distinct non-zero trace ids
  std::vector<uint32_t> first;  // traces.size() + 1 offsets into by_trace
  std::vector<uint32_t> by_trace;  // row numbers grouped by trace, ascending within one
  // The rows of trace `id`, ascending, as [begin, end) (empty when the segment lacks it).
  std::pair<const uint32_t*, const uint32_t*> RowsOf(TraceId id) const;
  // Groups the rows by columns.trace_id (fills traces, first, by_trace).
  void GroupByTrace();
};

// One stored segment (a unit of pruning) offered to a query planner by ForEachSpanSegment /
// ForEachLogSegment: its size, its inverted indexes (terms built by IndexTerm(), see
// index_terms.h) and the read of its rows. Valid only during the callback.
class SegmentCursor {
 public:
  virtual ~SegmentCursor() = default;
  virtual uint64_t rows() const = 0;
  // Whether Postings/TokenRows can answer for this segment (false: no index, scan rows).
  virtual bool has_index() const = 0;
  // The rows holding `term` (set in *rows, replacing its content).
  virtual Status Postings(std::string_view term, ::Roaring* rows) = 0;
  // The segment's distinct terms starting with `prefix` (IndexTerm(kService, "") lists its
  // services), sorted. Needs has_index(); the default is Unsupported.
  virtual Status TermsWithPrefix(std::string_view prefix, std::vector<std::string>* terms) {
    return Status::Unsupported("no term listing");
  }
  // Log segments: the rows whose body has a token containing `piece` as a substring.
  virtual Status TokenRows(std::string_view piece, ::Roaring* rows) = 0;
  virtual Status ReadSpans(SpanBatch* batch) = 0;
  virtual Status ReadLogs(LogBatch* batch) = 0;
  // Only some columns of the segment (SegmentColumn bits; see SpanColumnSet). The result
  // may be shared with the store's query cache (EmbeddedStoreOptions::query_cache_bytes):
  // never modify it. The default reads the whole segment.
  virtual Result<std::shared_ptr<const SpanColumnSet>> SpanColumns(uint32_t columns);
  virtual Result<std::shared_ptr<const LogBatch>> LogColumns(uint32_t columns);
  // A number identifying the segment within the store (the same in every iteration of one
  // snapshot); 0 when the backend has none.
  virtual uint64_t segment_id() const { return 0; }
};

// Columns of SegmentCursor::SpanColumns / LogColumns, a bit set.
enum SegmentColumn : uint32_t {
  kSegColDict = 1u << 0,      // the string dictionary (names, services, bodies)
  kSegColTraceId = 1u << 1,   // trace_id
  kSegColSpanId = 1u << 2,    // span_id
  kSegColParent = 1u << 3,    // spans: parent_span_id
  kSegColService = 1u << 4,   // service (ids into the dictionary)
  kSegColName = 1u << 5,      // spans: name
  kSegColTime = 1u << 6,      // spans: start_ns and end_ns; logs: time_ns
  kSegColSeverity = 1u << 7,  // logs: severity_number
  kSegColBody = 1u << 8,      // logs: body (ids into the dictionary)
};
// Returns false to stop the iteration early (a query that has its --limit).
using SegmentFn = std::function<Result<bool>(SegmentCursor&)>;

// Column projection of event segments (Store::ScanEventColumns): which columns to decode.
enum EventColumn : uint32_t {
  kEventColStream = 1u << 0,
  kEventColVersion = 1u << 1,
  kEventColId = 1u << 2,
  kEventColType = 1u << 3,
  kEventColTime = 1u << 4,
  kEventColPayload = 1u << 5,
  kEventColMetadata = 1u << 6,
  kEventColCorrelation = 1u << 7,
  kEventColCausation = 1u << 8,
  kEventColService = 1u << 9,
};

// Some columns of one stored event segment. Strings are views into the segment's dictionary
// (dict[0] is ""), valid only during the callback; columns not asked for stay empty. The
// callback may move the vectors out.
struct EventColumns {
  size_t ordinal = 0;  // the segment's position in scan order (0, 1, …)
  // The segment's sequence number (as StoreStats::last_segment counts); 0 when the backend
  // does not number segments.
  uint64_t segment = 0;
  size_t rows = 0;
  std::vector<std::string_view> dict;
  std::vector<StrId> stream, event_id, event_type, payload, metadata, correlation_id,
      causation_id, service;
  std::vector<uint64_t> version;
  std::vector<int64_t> time_ns;
};
struct EventColumnScan {
  uint32_t columns = ~0u;  // EventColumn bits
  // More than 1: segments are decoded on up to this many threads and the callback runs
  // concurrently on them (one segment per call, in any order; use `ordinal` to reorder).
  int threads = 1;
};
using EventColumnsFn = std::function<Status(EventColumns&)>;

// The attribute keys whose string values the embedded store indexes for correlation
// lookups (Store::FindCorrelated): the correlation and workflow keys of PRODUCT.md.
const std::vector<std::string>& IndexedCorrelationKeys();

class Store {
 public:
  virtual ~Store() = default;

  // Appends a batch durably (the data is on disk when OK is returned). Empty batches are
  // ignored. The batch is not modified.
  virtual Status AppendSpans(const SpanBatch& batch) = 0;
  virtual Status AppendLogs(const LogBatch& batch) = 0;
  virtual Status AppendEvents(const EventBatch& batch) = 0;

  // Appends spans and logs in one commit (all or nothing, durable on OK) and records
  // mark `name` = `value` in the same commit. A writer that keeps its own log (the server's
  // WAL) stores its position this way, so after a crash it knows exactly what reached the
  // store. Backends without marks return Unsupported.
  virtual Status AppendMarked(const SpanBatch& spans, const LogBatch& logs,
                              const std::string& name, uint64_t value) {
    return Status::Unsupported("this store does not support marked appends");
  }
  // The last committed value of mark `name`, read from the store's current commit (not the
  // snapshot); 0 when it was never set.
  virtual Result<uint64_t> ReadMark(const std::string& name) {
    return Status::Unsupported("this store does not support marks");
  }

  virtual Status ScanSpans(const ScanFilter& filter, const BatchFn<SpanBatch>& fn) = 0;
  virtual Status ScanLogs(const ScanFilter& filter, const BatchFn<LogBatch>& fn) = 0;
  virtual Status ScanEvents(const ScanFilter& filter, const BatchFn<EventBatch>& fn) = 0;
  // ScanSpans with the reading and `fn` spread over up to `workers` threads: each batch is
  // read and handed to `fn` on one of them, so `fn` must be safe to call concurrently.
  // The first error (from reading or from `fn`) stops the scan and is returned. The default
  // runs ScanSpans on the calling thread.
  virtual Status ScanSpansParallel(const ScanFilter& filter, int workers,
                                   const ParallelSpanFn& fn);
  // Only some columns of the events, without building a string dictionary per batch (fast
  // whole-store passes). The default converts ScanEvents batches on one thread.
  virtual Status ScanEventColumns(const ScanFilter& filter, const EventColumnScan& scan,
                                  const EventColumnsFn& fn);

  // Correlation lookups, for flows. FindCorrelated: spans and log records with a string row
  // attribute under one of `keys` whose value is one of `values`. *traces receives traces
  // holding such rows; span_fn and log_fn receive batches holding at least every such row
  // that *traces does not cover (callers filter rows themselves). The default scans every
  // batch; the embedded store answers from its correlation index (keys of
  // IndexedCorrelationKeys(); other keys scan).
  virtual Status FindCorrelated(const std::vector<std::string>& keys,
                                const std::vector<std::string>& values,
                                std::vector<TraceId>* traces, const BatchFn<SpanBatch>& span_fn,
                                const BatchFn<LogBatch>& log_fn);
  // Batches holding at least every event whose correlation id is in `correlation_ids`, whose
  // causation id is in `causation_ids` or whose metadata names a trace of `traces`.
  virtual Status FindLinkedEvents(const std::vector<std::string>& correlation_ids,
                                  const std::vector<std::string>& causation_ids,
                                  const std::vector<TraceId>& traces,
                                  const BatchFn<EventBatch>& fn);

  // Every span of one trace gathered into one batch (empty batch when unknown).
  virtual Result<SpanBatch> GetTrace(TraceId id) = 0;
  // Every log record of one trace.
  virtual Result<LogBatch> GetTraceLogs(TraceId id) = 0;

  // Segment by segment, for planners: segments the filter prunes are not offered. The
  // default (for backends without segments or indexes) offers each scanned batch as one
  // segment without index.
  virtual Status ForEachSpanSegment(const ScanFilter& filter, const SegmentFn& fn);
  virtual Status ForEachLogSegment(const ScanFilter& filter, const SegmentFn& fn);

  virtual Result<StoreStats> Stats() = 0;
  // The time bounds Stats() reports (min_time_ns, max_time_ns over every signal; 0, 0 when
  // empty) without the rest of its work (counting distinct traces and streams). The
  // default calls Stats().
  virtual Result<TimeRange> DataTimeRange();
  // Takes a new snapshot: data appended by others since Open() becomes visible.
  virtual Status Refresh() = 0;

  // Named blobs: small documents kept beside the telemetry (the log template table). Names
  // are [a-z0-9_-]+. ReadBlob gives "" for a blob never written. UpdateBlob reads the
  // current blob, lets `fn` rewrite it and publishes the result atomically while holding
  // the store's writer lock, so concurrent writers merge instead of overwriting; an error
  // from `fn` leaves the blob as it was. Backends without blobs return Unsupported.
  virtual Result<std::string> ReadBlob(const std::string& name);
  virtual Status UpdateBlob(const std::string& name,
                            const std::function<Status(std::string*)>& fn);
};

struct EmbeddedStoreOptions {
  bool create_if_missing = true;
  bool read_only = false;
  int zstd_level = 3;
  // Rows per segment; larger batches are split.
  size_t max_rows_per_segment = 1 << 20;
  // Rows per event segment (at most max_rows_per_segment): smaller event segments let a
  // read of one stream between two times skip most of a long stream. 0: no own limit.
  size_t max_rows_per_event_segment = 1 << 16;
  // Bytes of decoded span and log segments kept in memory for GetTrace / GetTraceLogs, least
  // recently used evicted (0: none, every lookup decodes the segments holding the trace).
  // For long-running readers such as `ddbg serve`; segments appended through this object
  // are put in the cache as they are committed, so fresh data is never decoded again.
  size_t cache_bytes = 0;
  // Bytes of decoded posting lists and column projections (SegmentCursor::SpanColumns /
  // LogColumns) kept in memory for repeated queries, least recently used evicted (0: none).
  size_t query_cache_bytes = 0;
  // Instead of a cache of its own: one shared with other Store objects opened on the SAME
  // directory (a server's writer and readers), so a segment one of them commits is found
  // decoded by the others. Made by NewTraceLookupCache(); cache_bytes is then ignored.
  std::shared_ptr<store::TraceLookupCache> shared_cache = nullptr;
  // The same for the query cache: one shared by readers of the SAME directory (a server's
  // two readers), made by NewQueryCache(); query_cache_bytes is then ignored.
  std::shared_ptr<store::QueryCache> shared_query_cache = nullptr;
};

// A trace lookup cache of `budget_bytes` to share through EmbeddedStoreOptions::shared_cache.
std::shared_ptr<store::TraceLookupCache> NewTraceLookupCache(size_t budget_bytes);
// A query cache of `budget_bytes` to share through EmbeddedStoreOptions::shared_query_cache.
std::shared_ptr<store::QueryCache> NewQueryCache(size_t budget_bytes);

// Opens (or creates) the embedded columnar store in directory `dir`.
Result<std::unique_ptr<Store>> OpenEmbeddedStore(const std::string& dir,
                                                 const EmbeddedStoreOptions& options = {});

}  // namespace ddbg
