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
#include <vector>

#include "ddbg/model.h"
#include "ddbg/status.h"

namespace ddbg {

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

// What a scan may skip. Backends prune whole segments with it; rows inside a returned batch
// may still fall outside, so callers filter rows themselves.
struct ScanFilter {
  TimeRange time;                  // spans: start_ns; logs and events: time_ns
  std::vector<TraceId> trace_ids;  // empty: any
  std::vector<std::string> services;  // empty: any
  std::vector<std::string> streams;   // events only; empty: any
  // Spans only: when true, a backend may leave span attributes, span events and links empty
  // (offsets all zero) to scan faster; resources and scopes keep their attributes. Analyses
  // that read only ids, names, kinds, times, status and services set it.
  bool core_span_columns = false;
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
};

// Called once per stored batch; returning an error stops the scan and is returned by it.
template <typename Batch>
using BatchFn = std::function<Status(const Batch&)>;

class Store {
 public:
  virtual ~Store() = default;

  // Appends a batch durably (the data is on disk when OK is returned). Empty batches are
  // ignored. The batch is not modified.
  virtual Status AppendSpans(const SpanBatch& batch) = 0;
  virtual Status AppendLogs(const LogBatch& batch) = 0;
  virtual Status AppendEvents(const EventBatch& batch) = 0;

  virtual Status ScanSpans(const ScanFilter& filter, const BatchFn<SpanBatch>& fn) = 0;
  virtual Status ScanLogs(const ScanFilter& filter, const BatchFn<LogBatch>& fn) = 0;
  virtual Status ScanEvents(const ScanFilter& filter, const BatchFn<EventBatch>& fn) = 0;

  // Every span of one trace gathered into one batch (empty batch when unknown).
  virtual Result<SpanBatch> GetTrace(TraceId id) = 0;
  // Every log record of one trace.
  virtual Result<LogBatch> GetTraceLogs(TraceId id) = 0;

  virtual Result<StoreStats> Stats() = 0;
  // Takes a new snapshot: data appended by others since Open() becomes visible.
  virtual Status Refresh() = 0;
};

struct EmbeddedStoreOptions {
  bool create_if_missing = true;
  bool read_only = false;
  int zstd_level = 3;
  // Rows per segment; larger batches are split.
  size_t max_rows_per_segment = 1 << 20;
};

// Opens (or creates) the embedded columnar store in directory `dir`.
Result<std::unique_ptr<Store>> OpenEmbeddedStore(const std::string& dir,
                                                 const EmbeddedStoreOptions& options = {});

}  // namespace ddbg
