// Reading JSON-lines input for the log and event decoders: LineReader walks a buffer line by
// line and parses each line into a simdjson DOM through one reused padded buffer (no
// allocation per line), replacing invalid UTF-8 with U+FFFD first. Also the small helpers both
// decoders need: compact JSON text of a DOM value and case-insensitive field-name lookup.
// Thread-safety: a LineReader belongs to one decoding thread; the free functions are pure.
#pragma once

#include <fmt/format.h>
#include <simdjson.h>

#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ddbg/decode.h"

namespace ddbg::jsonl {

struct Line {
  uint64_t number = 0;    // 1-based line number in the input
  uint64_t offset = 0;    // byte offset of the line's first character
  std::string_view text;  // the line without its terminator ("\n" or "\r\n")
};

class LineReader {
 public:
  explicit LineReader(std::string_view data) : data_(data) {}

  // Advances to the next line that holds more than whitespace. False at the end.
  bool Next(Line* line);
  // Parses `text` into *out, valid until the next call. Sets *utf8_fixed when invalid UTF-8
  // was replaced by U+FFFD before parsing. Returns simdjson's error code.
  simdjson::error_code Parse(std::string_view text, simdjson::dom::element* out, bool* utf8_fixed);

 private:
  std::string_view data_;
  size_t pos_ = 0;
  uint64_t line_number_ = 0;
  std::string buffer_;
  simdjson::dom::parser parser_;
};

// Runs `decode(object, line)` on every line of `data` that is a JSON object; `decode`
// returns true when it kept the record. Other lines are rejected ("<record> must be a JSON
// object"); when not one line is an object, the input is refused as not being `kind`.
// A kept record whose line needed a UTF-8 repair counts a warning.
template <typename Decode>
Status DecodeObjectLines(std::string_view data, DecodeContext& ctx, std::string_view record,
                         std::string_view kind, Decode&& decode) {
  LineReader reader(data);
  Line line;
  uint64_t lines = 0;
  uint64_t objects = 0;  // lines that were JSON objects, decodable or not
  while (reader.Next(&line)) {
    ++lines;
    simdjson::dom::element doc;
    bool fixed = false;
    simdjson::error_code err = reader.Parse(line.text, &doc, &fixed);
    if (err) {
      ctx.Reject(line.number, line.offset,
                 fmt::format("not valid JSON: {}", simdjson::error_message(err)));
    } else if (doc.type() != simdjson::dom::element_type::OBJECT) {
      ctx.Reject(line.number, line.offset, fmt::format("{} must be a JSON object", record));
    } else {
      ++objects;
      if (decode(doc.get_object().value_unsafe(), line) && fixed) ctx.Warn();
    }
    DDBG_RETURN_IF_ERROR(ctx.MaybeFlush());
  }
  if (lines > 0 && objects == 0) {
    return Status::InvalidArgument(
        fmt::format("{}: no line is a JSON object; not {}", ctx.source(), kind));
  }
  return Status::Ok();
}

// Maps a field name, ignoring ASCII case, to its role and the rank of that spelling in the
// role's list (0 = preferred), built once from one name list per role. Read-only after
// construction, so one instance may serve every thread.
class FieldNames {
 public:
  struct Match {
    int role = -1;  // index of the list the name is in; -1 when in none
    int rank = -1;
  };
  explicit FieldNames(std::initializer_list<std::span<const std::string_view>> roles);
  Match Find(std::string_view key) const;

 private:
  struct Entry {
    std::string lower;
    Match match;
  };
  std::vector<Entry> entries_;
  // Open addressing over FNV-1a hashes of the lowercase names: slot holds index + 1.
  std::vector<uint16_t> slots_;
  size_t longest_ = 0;
};

// Appends `text` to *out with every invalid UTF-8 sequence replaced by U+FFFD.
void AppendValidUtf8(std::string_view text, std::string* out);
// Appends the compact JSON text of `value` (no insignificant whitespace) to *out.
void AppendCompactJson(simdjson::dom::element value, std::string* out);
// ASCII case-insensitive equality.
bool EqualsIgnoreCase(std::string_view a, std::string_view b);
// The position of `key` in `names` (compared ignoring ASCII case), or -1.
int NameRank(std::string_view key, std::span<const std::string_view> names);
// "a, b, c" from a list of names, for rejection messages.
std::string JoinNames(std::span<const std::string_view> names);
// For messages: "\"text\"" for a scalar, else "an object", "an array" or "null".
std::string Describe(simdjson::dom::element value);
// The text of a scalar (string as is, numbers in JSON form, true/false); false for objects,
// arrays and null.
bool ScalarText(simdjson::dom::element value, std::string* out);

}  // namespace ddbg::jsonl
