#include "ingest/pieces.h"

#include <algorithm>

namespace ddbg {
namespace {

bool LineOriented(Format f) {
  return f == Format::kOtlpJson || f == Format::kJsonLogs || f == Format::kEventsJsonl;
}

// True when the first line is a whole JSON object ({ … }) and the next one opens another:
// JSON lines, not a pretty-printed document whose first line is "{".
bool LooksLikeJsonLines(std::string_view data) {
  size_t nl = data.find('\n');
  if (nl == std::string_view::npos || nl + 1 >= data.size()) return false;
  std::string_view first = data.substr(0, nl);
  size_t b = first.find_first_not_of(" \t\r");
  size_t e = first.find_last_not_of(" \t\r");
  if (b == std::string_view::npos || first[b] != '{' || first[e] != '}') return false;
  size_t next = data.find_first_not_of(" \t\r\n", nl + 1);
  return next != std::string_view::npos && data[next] == '{';
}

}  // namespace

std::vector<InputPiece> SplitInput(Format format, std::string_view data, size_t max_pieces,
                                   size_t min_piece_bytes) {
  size_t pieces = std::min(max_pieces, data.size() / std::max<size_t>(min_piece_bytes, 1));
  if (pieces < 2 || !LineOriented(format) || !LooksLikeJsonLines(data)) {
    return {InputPiece{data, 0, 0}};
  }
  std::vector<InputPiece> out;
  size_t begin = 0;
  uint64_t lines = 0;
  for (size_t i = 1; i <= pieces && begin < data.size(); ++i) {
    size_t end = data.size();
    if (i < pieces) {
      size_t target = std::max(begin, data.size() / pieces * i);
      size_t nl = data.find('\n', target);
      end = nl == std::string_view::npos ? data.size() : nl + 1;
    }
    std::string_view piece = data.substr(begin, end - begin);
    out.push_back(InputPiece{piece, lines, begin});
    lines += static_cast<uint64_t>(std::count(piece.begin(), piece.end(), '\n'));
    begin = end;
  }
  return out;
}

}  // namespace ddbg
