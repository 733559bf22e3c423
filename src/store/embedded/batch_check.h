// Structural checks of a batch before it is written and after it is read back: one value
// per row in every row column, offsets that rise and stay inside their child columns,
// string ids inside the dictionary (also for string-valued attributes). A batch that passes
// can be walked by any reader without bounds checks. Resource and scope indexes are not
// checked: the model tolerates an index past the table (service then reads "").
// Thread-safety: pure functions.
#pragma once

#include <string>

#include "ddbg/model.h"

namespace ddbg::store {

// Empty when well formed, else a description of the first problem found.
std::string CheckBatch(const SpanBatch& b);
std::string CheckBatch(const LogBatch& b);
std::string CheckBatch(const EventBatch& b);

}  // namespace ddbg::store
