// Splitting a line-oriented input (JSON lines of OTLP requests, JSON-lines logs, event
// JSONL) into pieces at line boundaries so that the pieces can be decoded on several
// threads. Inputs that are not one JSON document per line (a pretty-printed request, text
// logs whose records span lines, Jaeger/Zipkin documents) stay whole.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "ddbg/decode.h"

namespace ddbg {

struct InputPiece {
  std::string_view bytes;
  uint64_t first_line = 0;    // lines before this piece in the input
  uint64_t first_offset = 0;  // bytes before this piece in the input
};

// At most `max_pieces` pieces of about equal size; one piece when the input is small, not
// line-oriented JSON, or the format is not one decoded line by line.
std::vector<InputPiece> SplitInput(Format format, std::string_view data, size_t max_pieces,
                                   size_t min_piece_bytes = 8 << 20);

}  // namespace ddbg
