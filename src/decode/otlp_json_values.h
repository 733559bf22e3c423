// Reading OTLP/JSON values from a simdjson DOM: member-name lookup (lowerCamelCase and
// snake_case), numbers that may be written as JSON numbers or decimal strings, enums given by
// number or by name, and attributes / AnyValues (nested arrays and maps become compact JSON
// text). Every reader returns false with a reason on a value of the wrong shape.
// Thread-safety: a JsonValueReader belongs to one decoding thread; free functions are pure.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "ddbg/model.h"
#include "decode/otlp_common.h"

namespace ddbg::otlp {

using JsonElement = simdjson::dom::element;

// Small table lookup of JSON member names, starting from the member that followed the
// previous match, so keys in the usual order match at the first comparison.
struct KeyName {
  std::string_view name;
  uint8_t id;
};
class KeyMatcher {
 public:
  template <size_t N>
  explicit KeyMatcher(const KeyName (&table)[N]) : table_(table), size_(N) {}
  // The id of `key`, or 0 when it is not in the table.
  uint8_t Find(std::string_view key);

 private:
  const KeyName* table_;
  size_t size_;
  size_t next_ = 0;
};

inline bool IsNull(JsonElement e) { return e.type() == simdjson::dom::element_type::NULL_VALUE; }
// "a string", "an object", … for messages.
const char* JsonTypeName(JsonElement e);
// Sets *why to "<field> must be <expected>, got <type>" and returns false.
bool WrongType(std::string_view field, JsonElement e, const char* expected, std::string* why);

// A string; null reads as "".
bool ReadString(JsonElement e, std::string_view field, std::string_view* out, std::string* why);
// An unsigned integer as a JSON number or a decimal string, at most `max`; null reads as 0.
bool ReadUnsigned(JsonElement e, std::string_view field, uint64_t max, uint64_t* out,
                  std::string* why);
// Nanoseconds since the epoch (an unsigned integer that fits int64).
bool ReadTime(JsonElement e, std::string_view field, int64_t* out, std::string* why);
// A log record's time, which OTLP allows to be unknown (0): an integer out of range (some
// converters write a negative number for a missing time) reads as 0 and sets *fixed.
bool ReadOptionalTime(JsonElement e, std::string_view field, int64_t* out, bool* fixed,
                      std::string* why);
// A signed 64-bit integer as a number or a decimal string (the protobuf JSON mapping writes
// int64 as a string; many exporters write a number).
bool ReadInt64(JsonElement e, std::string_view field, int64_t* out, std::string* why);
// A number, a numeric string, or "NaN" / "Infinity" / "-Infinity".
bool ReadDouble(JsonElement e, std::string_view field, double* out, std::string* why);
// A boolean (or the string "true" / "false").
bool ReadBool(JsonElement e, std::string_view field, bool* out, std::string* why);
// An OTLP enum as a number or by name; `from_name` maps names (-1 when unknown).
bool ReadEnum(JsonElement e, std::string_view field, int (*from_name)(std::string_view),
              int64_t* out, std::string* why);
// An array or an object (callers treat null as absent before asking).
bool GetArray(JsonElement e, std::string_view field, simdjson::dom::array* out, std::string* why);
bool GetObject(JsonElement e, std::string_view field, simdjson::dom::object* out, std::string* why);

class JsonValueReader {
 public:
  JsonValueReader();

  // Attributes: a JSON array of {"key", "value": AnyValue}, appended to *out.
  bool ReadAttributes(JsonElement attrs, AttrColumns* out, TextInterner& text, std::string* why);
  // One AnyValue: scalars as their bits, strings/bytes/arrays/maps interned (nested values
  // as compact JSON text); an absent or empty value is kEmpty.
  bool ReadAnyValue(JsonElement value, TextInterner& text, AttrType* type, uint64_t* bits,
                    std::string* why);

 private:
  bool AppendAnyValueJson(JsonElement value, std::string* out, std::string* why);
  bool AppendValuesJson(JsonElement wrapper, bool kvlist, std::string* out, std::string* why);
  bool ReadBytes(JsonElement e, std::string* out, std::string* why);
  // The single member of an AnyValue object: its id (0 when empty) and value.
  bool AnyMember(JsonElement value, uint8_t* kind, JsonElement* member, std::string* why);

  KeyMatcher kv_keys_;
  KeyMatcher any_keys_;
  KeyMatcher values_keys_;
  std::string json_scratch_;
  std::string bytes_scratch_;
};

}  // namespace ddbg::otlp
