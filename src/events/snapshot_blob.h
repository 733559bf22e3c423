// The persisted-snapshot blob of one stream and reducer (store named blob "snap-<hash>"):
// per store segment, a summary of the stream's events in it (segments are immutable, so a
// summary never changes), and states after prefixes of the stream with what each was built
// from. A snapshot is stale when a segment committed after it was built holds an event of
// the stream with a version at or below the last one it folded: that event sorts into the
// prefix. Deciding this needs only the summaries, never the events before the snapshot.
// Text format in docs/storage.md. Thread-safety: plain values.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

namespace ddbg::events {

// The events of one stream in one segment.
struct SegmentSummary {
  uint64_t events = 0;
  uint64_t min_version = 0, max_version = 0;
  int64_t min_time = 0, max_time = 0;
  void Add(uint64_t version, int64_t time);
};

struct PersistedSnapshot {
  uint64_t last_version = 0;   // the version of the last event folded into `state`
  int64_t max_time = 0;        // the latest time among the events folded
  uint64_t built_through = 0;  // the stream was read through this segment number
  std::string state;           // JSON
};

struct SnapshotBlob {
  // Every segment numbered up to this one that holds events of the stream is in `segments`.
  uint64_t summarized_through = 0;
  std::map<uint64_t, SegmentSummary> segments;      // by segment number
  std::map<uint64_t, PersistedSnapshot> snapshots;  // by the number of events folded

  bool Stale(const PersistedSnapshot& s) const;
  // Adds `other`'s summaries and snapshots (its snapshots win for the same count), then
  // drops every snapshot the summaries prove stale.
  void Merge(SnapshotBlob other);
};

std::string SnapshotBlobName(const std::string& stream, const std::string& reducer_id);
// An empty blob for text of another stream or reducer, another format version or damage.
SnapshotBlob ParseSnapshotBlob(std::string_view text, const std::string& stream,
                               const std::string& reducer_id);
std::string FormatSnapshotBlob(const SnapshotBlob& blob, const std::string& stream,
                               const std::string& reducer_id);

}  // namespace ddbg::events
