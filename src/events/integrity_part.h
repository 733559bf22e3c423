// The per-segment half of CheckIntegrity, run concurrently on the segments: from one event
// segment's columns, the rows to check (local stream, version, time, event-id hash) and the
// per-event issues (payload that is not JSON, timestamps in the future or too old).
// Thread-safety: ExtractIntegrityPart may run on several threads at once.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ddbg/events.h"
#include "ddbg/store.h"
#include "util/packed_strings.h"

namespace ddbg::events {

// A per-event issue found while extracting; `row` indexes the part's rows.
struct PartIssue {
  uint32_t row = 0;
  IntegrityIssueKind kind = IntegrityIssueKind::kInvalidPayload;
  std::string detail;
};

struct IntegrityPart {
  PackedStrings streams;  // the segment's streams, by local index
  std::vector<uint64_t> stream_hashes;  // XXH3 of each (SegmentFacts::StreamHash)
  std::vector<uint32_t> row_stream;  // local stream index per row
  std::vector<uint64_t> version;
  std::vector<int64_t> time_ns;
  std::vector<uint64_t> id_hash;  // 0: the event has no id
  std::vector<PartIssue> issues;
  size_t rows() const { return row_stream.size(); }
};

struct PartOptions {
  const std::vector<std::string>* wanted = nullptr;  // sorted; empty: every stream
  int64_t future_after_ns = 0;                       // later is a future timestamp
  int64_t ancient_before_ns = 0;                     // earlier is too old
};

// The columns ExtractIntegrityPart reads.
inline constexpr uint32_t kIntegrityColumns =
    kEventColStream | kEventColVersion | kEventColId | kEventColTime | kEventColPayload;

// Payload validity comes from `facts` (the segment's, shared with other consumers).
IntegrityPart ExtractIntegrityPart(const EventColumns& cols, const PartOptions& options,
                                   SegmentFacts& facts);

// The hash integrity uses for event ids (never 0).
uint64_t EventIdHash(std::string_view id);

}  // namespace ddbg::events
