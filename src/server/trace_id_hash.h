// A hash of trace ids for the server's unordered maps (ids are random: mixing both halves
// is enough). Thread-safety: stateless.
#pragma once

#include <cstddef>

#include "ddbg/model.h"

namespace ddbg::server {

struct TraceIdHash {
  size_t operator()(const TraceId& t) const { return t.hi * 0x9e3779b97f4a7c15ULL ^ t.lo; }
};

}  // namespace ddbg::server
