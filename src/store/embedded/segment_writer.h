// Writes one batch as one immutable segment file: checks the batch is well formed, encodes
// and compresses every column (in parallel on a few threads), writes header, index chunks,
// column chunks, directory and trailer, and fsyncs. The file is written under a temporary
// name chosen by the caller, which renames it into place when it commits the segment.
// Thread-safety: independent calls may run concurrently on different paths.
#pragma once

#include <string>

#include "ddbg/model.h"
#include "ddbg/status.h"
#include "store/embedded/manifest.h"
#include "store/embedded/segment_format.h"
#include "store/embedded/trace_index.h"

namespace ddbg::store {

struct SegmentWriteOptions {
  int zstd_level = 3;
  int threads = 0;  // 0: DefaultWorkerCount() for large batches, 1 for small ones
  // The segment format version to write. Only tests write version 1 (one dictionary chunk),
  // to check that segments of older stores still read.
  uint32_t format_version = kSegmentFormatVersion;
};

// What was written: the manifest entry (seq still 0: the caller numbers the segment when it
// commits) and the index of the new segment.
struct WrittenSegment {
  SegmentEntry entry;
  SegmentIndex index;
};

// Writes `batch` (not empty) to `path`, which must not exist. InvalidArgument when the batch
// is not well formed; the file is removed on any failure.
Result<WrittenSegment> WriteSegment(const std::string& path, const SpanBatch& batch,
                                    const SegmentWriteOptions& options);
Result<WrittenSegment> WriteSegment(const std::string& path, const LogBatch& batch,
                                    const SegmentWriteOptions& options);
Result<WrittenSegment> WriteSegment(const std::string& path, const EventBatch& batch,
                                    const SegmentWriteOptions& options);

}  // namespace ddbg::store
