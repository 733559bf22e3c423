// Reads of one stream from a store segment by segment, for `state at` from persisted
// snapshots: summaries of the segments committed since the last look (stream, version and
// time columns only), and the events that follow a snapshot up to a time T read from only
// the segments that can hold them (pruned with the summaries, columns projected).
// Thread-safety: reentrant.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "ddbg/events.h"
#include "ddbg/store.h"
#include "events/snapshot_blob.h"

namespace ddbg::events {

// Summarizes the stream's events in the segments numbered after `after` into *out.
// *numbered becomes false when the store does not number its segments (the summaries are
// then unusable).
Status SummarizeSegments(Store& store, const std::string& stream, uint64_t after,
                         std::map<uint64_t, SegmentSummary>* out, bool* numbered);

// The events of the stream with a version above `after_version` that a fold up to time `t`
// may need, in the stream's order (version, then time, then commit order). A fold takes
// them until the first one later than `t` or with a version above `version_bound`: the
// events of the segments left unread (all later than t) start at that version.
struct FoldTail {
  std::vector<StreamEvent> events;
  uint64_t version_bound = UINT64_MAX;
  size_t segments_read = 0;
  // False when a segment the summaries call for is not in the store's snapshot (summaries
  // written by a process that saw a newer commit): the events are then incomplete.
  bool complete = true;
};
Result<FoldTail> ReadFoldTail(Store& store, const std::string& stream,
                              const std::map<uint64_t, SegmentSummary>& segments,
                              uint64_t after_version, int64_t t);

}  // namespace ddbg::events
