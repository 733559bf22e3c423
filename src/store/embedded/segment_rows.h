// Column projection of span and log segments (SegmentCursor::ReadSpanColumns /
// ReadLogColumns): only the chunks of the asked SegmentColumn bits are checked, decompressed
// and decoded, so a planner that needs a segment's trace ids or times does not pay for its
// attributes, bodies and dictionary. Thread-safety: independent calls may run concurrently.
#pragma once

#include <string>

#include "ddbg/model.h"
#include "ddbg/status.h"
#include "store/embedded/manifest.h"

namespace ddbg::store {

// Reads the columns of `columns` (SegmentColumn bits) into *batch; the other vectors are
// cleared. Damage is Status::Corruption naming the file and the column.
Status ReadSegmentColumns(const std::string& path, const SegmentEntry& entry, uint32_t columns,
                          SpanBatch* batch);
Status ReadSegmentColumns(const std::string& path, const SegmentEntry& entry, uint32_t columns,
                          LogBatch* batch);

}  // namespace ddbg::store
