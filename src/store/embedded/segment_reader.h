// Reads segment files back: the whole batch of a segment (every chunk checked against its
// checksum, every column decoded, the result checked for structure), or only the index
// chunks at the front of the file. Any damage is reported as Status::Corruption naming the
// file and, when it lies in a chunk, the column. Thread-safety: independent calls may run
// concurrently; the files are immutable.
#pragma once

#include <string>

#include "ddbg/model.h"
#include "ddbg/status.h"
#include "ddbg/store.h"
#include "store/embedded/manifest.h"
#include "store/embedded/trace_index.h"

namespace ddbg::store {

struct SegmentReadOptions {
  int threads = 0;  // 0: DefaultWorkerCount() for large segments, 1 for small ones
  // Span segments: the column groups to decode (see SpanColumns in store.h); the others
  // read as empty. Their chunks are neither decompressed nor checked.
  SpanColumns span_columns = SpanColumns::kAll;
  // Log segments: the same with LogColumns.
  LogColumns log_columns = LogColumns::kAll;
  // Span segments: when set (ScanFilter::span_rows), the batch holds only the rows it
  // keeps. The trace ids are decoded first; every other row column, and the attributes,
  // events and links below it, are decoded only for the kept rows (the bytes of the others
  // are walked, not decoded). No kept row: an empty batch, nothing more decoded.
  const TraceRowFilter* row_filter = nullptr;
};

// Reads the segment described by `entry` from `path` into *batch (replacing its content).
// The file's size, signal and row count must match the entry.
Status ReadSegment(const std::string& path, const SegmentEntry& entry, SpanBatch* batch,
                   const SegmentReadOptions& options = {});
Status ReadSegment(const std::string& path, const SegmentEntry& entry, LogBatch* batch,
                   const SegmentReadOptions& options = {});
Status ReadSegment(const std::string& path, const SegmentEntry& entry, EventBatch* batch,
                   const SegmentReadOptions& options = {});

// Reads only the header and the index chunks (a short read at the front of the file).
Status ReadSegmentIndex(const std::string& path, const SegmentEntry& entry, SegmentIndex* index);

}  // namespace ddbg::store
