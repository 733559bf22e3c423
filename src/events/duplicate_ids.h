// Duplicate event ids over millions of events without a random access per event into one
// big table: the hashes are partitioned by their top bits, and each partition (small enough
// for the cache) is checked with its own open-addressing table, on two threads.
// Thread-safety: FindDuplicateIds is reentrant.
#pragma once

#include <cstdint>
#include <vector>

namespace ddbg::events {

struct DuplicateId {
  uint64_t seq = 0;    // the later event (position in the concatenated hash lists)
  uint64_t first = 0;  // the earliest event with the same id hash
};

// `lists` are the event-id hashes in arrival order (0: no id), concatenated; returns every
// event whose hash was seen before, ordered by seq.
std::vector<DuplicateId> FindDuplicateIds(const std::vector<const std::vector<uint64_t>*>& lists);

}  // namespace ddbg::events
