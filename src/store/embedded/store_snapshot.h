// A snapshot of the embedded store: the committed segments a reader may look at (from one
// reading of the manifest, plus the segments this process appended since), each with its
// manifest entry and its index. Snapshots are immutable and shared by pointer, so a scan
// keeps working on the snapshot it started with while Refresh() or an append installs a
// newer one. Thread-safety: immutable after construction; Stats() is computed once, safely.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "ddbg/status.h"
#include "ddbg/store.h"
#include "store/embedded/manifest.h"
#include "store/embedded/trace_index.h"

namespace ddbg::store {

// One committed segment as this process knows it.
struct SegmentHandle {
  SegmentEntry entry;
  std::string path;
  SegmentIndex index;
  // Not OK when the index chunks could not be read at Open()/Refresh(); the segment is then
  // never pruned by trace id or stream, so a read that needs it reports this error.
  Status index_status;
};

class Snapshot {
 public:
  Snapshot(std::vector<std::shared_ptr<const SegmentHandle>> segments, uint64_t fixed_bytes)
      : segments_(std::move(segments)), fixed_bytes_(fixed_bytes) {}

  const std::vector<std::shared_ptr<const SegmentHandle>>& segments() const { return segments_; }
  // Bytes of the files other than segments (manifest, store.meta).
  uint64_t fixed_bytes() const { return fixed_bytes_; }
  const StoreStats& Stats() const;
  // Stats()'s min_time_ns / max_time_ns, from the manifest entries alone.
  TimeRange TimeBounds() const;

 private:
  std::vector<std::shared_ptr<const SegmentHandle>> segments_;
  uint64_t fixed_bytes_;
  mutable std::once_flag stats_once_;
  mutable StoreStats stats_;
};

// Builds the handles of the manifest's segments, reusing those of `previous` (same seq) and
// reading the index of the others.
std::vector<std::shared_ptr<const SegmentHandle>> BuildHandles(const std::string& dir,
                                                               const Manifest& manifest,
                                                               const Snapshot* previous);

// True when segment `h` of signal `signal` may hold rows the filter asks for.
bool MayMatch(const SegmentHandle& h, const ScanFilter& filter);

}  // namespace ddbg::store
