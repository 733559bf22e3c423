// A whole JSON document (a Jaeger or Zipkin file) made ready for simdjson's on-demand parser:
// invalid UTF-8 is replaced with U+FFFD, an input cut short can be closed so that the records
// before the cut stay readable, and positions in the parsed buffer map back to byte offsets
// and lines of the original input for rejections. Also the small value readers both decoders
// share. Thread-safety: a JsonDocument belongs to one decoding thread.
#pragma once

#include <fmt/format.h>
#include <simdjson.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ddbg/status.h"

namespace ddbg::json {

// A JSON value read without interpretation, so a field can be read before the field that
// says how to interpret it (a Jaeger tag's "type" may follow its "value").
struct RawValue {
  enum class Kind : uint8_t { kAbsent, kNull, kBool, kNumber, kString, kArray, kObject };
  Kind kind = Kind::kAbsent;
  bool boolean = false;
  // kString: the unescaped string; kNumber: the number as written; kArray/kObject: the JSON.
  // Views into the parser's buffers: valid until the parser reads another document.
  std::string_view text;

  bool present() const { return kind != Kind::kAbsent && kind != Kind::kNull; }
};

// True for an error after which the on-demand parser cannot go on (the document's structure
// is broken from there); false for success and for errors confined to one value (a value of
// an unexpected type or form).
bool Fatal(simdjson::error_code e);
// ASCII case-insensitive equality.
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

// Reads `value` into *out. Returns simdjson's error (a structural error ends the document).
simdjson::error_code ReadRaw(simdjson::ondemand::value value, RawValue* out);
// Reads a string field; a value of another type leaves *out empty and returns INCORRECT_TYPE.
simdjson::error_code ReadString(simdjson::ondemand::value value, std::string_view* out);

// Microseconds since the epoch as written in JSON ("1736935200180601.5", "1.5e3" or a string
// holding a number) to nanoseconds, in exact decimal arithmetic (no double in between),
// rounded half up. False for negative, non-numeric or out-of-range values.
bool MicrosToNanos(const RawValue& v, int64_t* ns);
// Integers and doubles as written (a number, or a string holding one). Integers written as
// 12.0 or 1e3 are accepted when exact.
bool ToInt64(const RawValue& v, int64_t* out);
bool ToDouble(const RawValue& v, double* out);
// The text of a scalar (numbers as written, "true"/"false"), the JSON of a container.
std::string_view ScalarText(const RawValue& v);
// A short printable excerpt of a bad value for a rejection message.
std::string Excerpt(std::string_view s);
// Lowercase hex of a 64-bit id, for messages and attributes.
std::string Hex16(uint64_t v);

class JsonDocument {
 public:
  // Copies `data` into a padded buffer, replacing invalid UTF-8. `data` must stay valid while
  // the document is used (line numbers are counted in it).
  void Load(std::string_view data);
  // Closes an unterminated string and every container still open at the end of the input, so
  // that the complete records before the cut can be read. The parser must iterate again
  // afterwards. False when nothing was open (the input is not truncated).
  bool CloseTruncated();
  // Starts parsing with `parser`: iterates the document and checks that its root object or
  // array is closed, closing a truncated input (once) when it is not. On success *root_type
  // says what the root is and the document is positioned at its start.
  simdjson::error_code Start(simdjson::ondemand::parser& parser, simdjson::ondemand::document* doc,
                             simdjson::ondemand::json_type* root_type);

  simdjson::padded_string_view padded() {
    return simdjson::padded_string_view(buf_.data(), size_, buf_.size());
  }
  const char* begin() const { return buf_.data(); }
  // Byte offset in the original input of a position in the buffer.
  uint64_t OffsetOf(const char* p) const;
  // 1-based line of an original byte offset.
  uint64_t LineOf(uint64_t offset);
  // True when the object or array starting at `p` was still open where the input ended.
  bool OpenAtEnd(const char* p) const;
  // Number of invalid UTF-8 sequences replaced by Load.
  size_t utf8_replacements() const { return replacements_.size(); }
  bool truncated() const { return truncated_; }

 private:
  std::string_view original_;
  std::string buf_;  // the document, then SIMDJSON_PADDING spare bytes
  size_t size_ = 0;
  bool truncated_ = false;
  // For each U+FFFD put in place of invalid bytes: its buffer offset, and how many bytes the
  // buffer has gained over the input up to and including it.
  std::vector<std::pair<uint64_t, uint64_t>> replacements_;
  std::vector<uint64_t> open_at_end_;  // buffer offsets of containers open at the end, sorted
  uint64_t line_offset_ = 0;           // LineOf cache: lines counted up to this offset
  uint64_t line_ = 1;
};

// What the span-document decoders (Jaeger, Zipkin) share while walking a document: the
// structural error that ends the walk, where it happened, and whether a span already
// reported the cut of a truncated input.
class DocumentWalk {
 protected:
  // Records the first structural error; always false (the walk stops).
  bool Fail(simdjson::error_code e, const char* at) {
    if (fatal_ == simdjson::SUCCESS) {
      fatal_ = e;
      fatal_at_ = at;
    }
    return false;
  }
  // A structural error ends the walk; a value of the wrong type only names the first bad
  // field in *bad (when given) and the walk goes on.
  bool Soft(simdjson::error_code e, const char* at, const char* field, const char** bad) {
    if (!e) return true;
    if (Fatal(e)) return Fail(e, at);
    if (bad != nullptr && *bad == nullptr) *bad = field;
    return true;
  }

  simdjson::error_code fatal_ = simdjson::SUCCESS;
  const char* fatal_at_ = nullptr;
  bool truncation_reported_ = false;
};

// How reading a span document (Jaeger, Zipkin) stopped early, if it did.
struct DocumentStop {
  simdjson::error_code fatal = simdjson::SUCCESS;  // the error that stopped the walk
  const char* at = nullptr;                         // where, in the parsed buffer
  bool truncation_reported = false;                 // a span already reported the cut
};

// After the complete spans of a document were committed: reports through `reject(at, reason)`
// where and why the rest was not read (malformed or truncated), and refuses the input
// ("not a <format> document") when nothing at all could be kept.
template <typename RejectFn>
Status FinishSpanDocument(const JsonDocument& doc, size_t input_size, const DocumentStop& stop,
                          size_t committed, std::string_view source, std::string_view format,
                          RejectFn&& reject) {
  if (stop.fatal != simdjson::SUCCESS && !stop.truncation_reported) {
    // In a truncated input the error comes from the cut.
    reject(stop.at, doc.truncated()
                        ? std::string("the input ends inside this span (truncated)")
                        : fmt::format("malformed JSON: {}; the rest of the document was not read",
                                      simdjson::error_message(stop.fatal)));
  } else if (doc.truncated() && !stop.truncation_reported) {
    reject(doc.begin() + input_size,
           "the input ends before the JSON document is closed "
           "(truncated); spans after this point are missing");
  }
  if ((stop.fatal != simdjson::SUCCESS || doc.truncated()) && committed == 0) {
    return Status::InvalidArgument(fmt::format("{}: not a {} document: {} before any complete span",
                                               source, format,
                                               doc.truncated() ? "the input ends" : "malformed JSON"));
  }
  return Status::Ok();
}

}  // namespace ddbg::json
