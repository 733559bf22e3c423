// The correlation index of the embedded store (docs/storage.md, "Correlation index"): chunks
// 950-953 at the end of a segment's data chunks, read lazily (never at Open) by flow
// lookups. For spans and logs the terms are (key, value) of string row attributes under
// the indexed correlation keys; for events, the correlation id, the causation id and the
// trace id named in the metadata. Each term hash maps to the distinct traces of its rows
// (rows with a trace id) and to row numbers (rows without one; every row for events).
// Thread-safety: plain functions; CorrelationSegmentIndex is immutable once read.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ddbg/model.h"
#include "ddbg/status.h"
#include "store/embedded/column_codec.h"

namespace ddbg::store {

inline constexpr uint32_t kColCorrelationTerms = 950;    // sorted distinct term hashes (u64)
inline constexpr uint32_t kColCorrelationOffsets = 951;  // per term: trace then row offsets
inline constexpr uint32_t kColCorrelationTraces = 952;   // TraceId targets
inline constexpr uint32_t kColCorrelationRows = 953;     // u32 row targets

// One chunk to append to a segment: column id, encoding, value count and encoded bytes.
struct ExtraChunk {
  uint32_t column = 0;
  Encoding encoding = Encoding::kRaw;
  uint64_t values = 0;
  std::string raw;
};

// The index chunks of a batch (empty when no row carries an indexed term).
std::vector<ExtraChunk> CorrelationChunks(const SpanBatch& b);
std::vector<ExtraChunk> CorrelationChunks(const LogBatch& b);
std::vector<ExtraChunk> CorrelationChunks(const EventBatch& b);

// Term hashes. Span and log attributes: key and value; events: correlation id ('c'),
// causation id ('k') and metadata trace id ('t').
uint64_t AttrTermHash(std::string_view key, std::string_view value);
uint64_t EventTermHash(char field, std::string_view value);
uint64_t TraceTermHash(TraceId id);

// The lazily read index of one segment: the term hashes first, the targets only when a
// looked-up term is present.
struct CorrelationSegmentIndex {
  bool present = false;  // false: the segment predates the index (scan it)
  std::vector<uint64_t> terms;
  std::vector<uint32_t> offsets;  // 2 * (terms + 1): trace offsets, then row offsets
  std::vector<TraceId> traces;
  std::vector<uint32_t> rows;
  uint64_t targets_begin = 0, targets_end = 0;  // file range of chunks 951-953

  bool HasTerm(uint64_t hash) const;
  // Adds the targets of `hash` (if present) to *traces and *rows; needs ReadTargets.
  void Lookup(uint64_t hash, std::vector<TraceId>* traces, std::vector<uint32_t>* rows) const;
};

// Reads the term chunk of the segment at `path` (`file_bytes` long) with a few short reads
// at its end. Corruption when a chunk is damaged.
Status ReadCorrelationTerms(const std::string& path, uint64_t file_bytes,
                            CorrelationSegmentIndex* index);
// Reads the offsets and targets after ReadCorrelationTerms found the index present.
Status ReadCorrelationTargets(const std::string& path, CorrelationSegmentIndex* index);

}  // namespace ddbg::store
