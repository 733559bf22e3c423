// The trace id an event's metadata names ("trace_id" or "traceId"), found without parsing
// the whole JSON. Empty when none.
#pragma once

#include <string_view>

#include "ddbg/model.h"

namespace ddbg {

inline TraceId MetadataTrace(std::string_view metadata) {
  for (std::string_view key : {"\"trace_id\":\"", "\"traceId\":\""}) {
    size_t at = metadata.find(key);
    if (at == std::string_view::npos) continue;
    size_t start = at + key.size();
    size_t end = metadata.find('"', start);
    TraceId id;
    if (end != std::string_view::npos &&
        ParseTraceIdHex(metadata.substr(start, end - start), &id)) {
      return id;
    }
  }
  return {};
}

}  // namespace ddbg
