// The renumbering of a span or log batch's string ids for a segment of format version 2:
// the strings a structure column refers to come first (ids 1..k, dictionary chunk 1), all
// others after them (ids k+1..n, chunk 2), each part in the batch's id order. A string
// used by both kinds of column (an attribute value that is also a service name) belongs to
// the structure part. The segment writer encodes every string column through `new_id`.
// Thread-safety: built once, then only read (the encoding jobs share it).
#pragma once

#include <vector>

#include "ddbg/model.h"

namespace ddbg::store {

struct DictSplit {
  std::vector<StrId> new_id;     // indexed by the batch's id; new_id[0] == 0
  std::vector<StrId> structure;  // the batch's ids of the structure part, in new-id order
  std::vector<StrId> values;     // the batch's ids of the value part, in new-id order
};

// `batch` must have passed CheckBatch (every id inside the dictionary).
DictSplit SplitDict(const SpanBatch& batch);
DictSplit SplitDict(const LogBatch& batch);

}  // namespace ddbg::store
