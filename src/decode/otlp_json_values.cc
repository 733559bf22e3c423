#include "decode/otlp_json_values.h"

#include <fmt/format.h>

#include <charconv>
#include <cstring>
#include <limits>

namespace ddbg::otlp {
namespace {

using simdjson::dom::element_type;

enum KvKey : uint8_t { kKey = 1, kValue };
enum AnyKey : uint8_t {
  kStringValue = 1,
  kBoolValue,
  kIntValue,
  kDoubleValue,
  kArrayValue,
  kKvlistValue,
  kBytesValue
};
constexpr KeyName kKvTable[] = {{"key", kKey}, {"value", kValue}};
constexpr KeyName kAnyTable[] = {
    {"stringValue", kStringValue},  {"intValue", kIntValue},        {"boolValue", kBoolValue},
    {"doubleValue", kDoubleValue},  {"arrayValue", kArrayValue},    {"kvlistValue", kKvlistValue},
    {"bytesValue", kBytesValue},    {"string_value", kStringValue}, {"int_value", kIntValue},
    {"bool_value", kBoolValue},     {"double_value", kDoubleValue}, {"array_value", kArrayValue},
    {"kvlist_value", kKvlistValue}, {"bytes_value", kBytesValue}};
constexpr KeyName kValuesTable[] = {{"values", 1}};

bool FullParse(std::string_view s, auto* out) {
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return !s.empty() && ec == std::errc() && end == s.data() + s.size();
}

// Member names are short: comparing them in 8-byte words inline beats a call to memcmp.
inline bool SameShortKey(const char* a, const char* b, size_t n) {
  if (n < 8) {
    for (size_t i = 0; i < n; ++i) {
      if (a[i] != b[i]) return false;
    }
    return true;
  }
  auto word = [](const char* p) {
    uint64_t v;
    std::memcpy(&v, p, sizeof(v));
    return v;
  };
  for (size_t i = 0; i + 8 <= n; i += 8) {
    if (word(a + i) != word(b + i)) return false;
  }
  return word(a + n - 8) == word(b + n - 8);
}

}  // namespace

uint8_t KeyMatcher::Find(std::string_view key) {
  size_t i = next_;
  for (size_t n = 0; n < size_; ++n) {
    const KeyName& k = table_[i];
    if (k.name.size() == key.size() && SameShortKey(k.name.data(), key.data(), key.size())) {
      next_ = i + 1 == size_ ? 0 : i + 1;
      return k.id;
    }
    if (++i == size_) i = 0;
  }
  return 0;
}

const char* JsonTypeName(JsonElement e) {
  switch (e.type()) {
    case element_type::ARRAY:
      return "an array";
    case element_type::OBJECT:
      return "an object";
    case element_type::INT64:
    case element_type::UINT64:
      return "an integer";
    case element_type::DOUBLE:
      return "a fractional number";
    case element_type::STRING:
      return "a string";
    case element_type::BOOL:
      return "a boolean";
    default:
      return "null";
  }
}

bool WrongType(std::string_view field, JsonElement e, const char* expected, std::string* why) {
  *why = fmt::format("{} must be {}, got {}", field, expected, JsonTypeName(e));
  return false;
}

bool ReadString(JsonElement e, std::string_view field, std::string_view* out, std::string* why) {
  if (e.get_string().get(*out) == simdjson::SUCCESS) return true;
  if (IsNull(e)) {
    *out = {};
    return true;
  }
  return WrongType(field, e, "a string", why);
}

bool ReadUnsigned(JsonElement e, std::string_view field, uint64_t max, uint64_t* out,
                  std::string* why) {
  switch (e.type()) {
    case element_type::INT64: {
      int64_t v = e.get_int64().value_unsafe();
      *out = static_cast<uint64_t>(v);
      if (v >= 0 && *out <= max) return true;
      break;
    }
    case element_type::UINT64:
      *out = e.get_uint64().value_unsafe();
      if (*out <= max) return true;
      break;
    case element_type::STRING: {
      std::string_view s = e.get_string().value_unsafe();
      if (s.empty()) {
        *out = 0;
        return true;
      }
      if (!FullParse(s, out)) {
        *why = fmt::format("{} must be an unsigned integer, got \"{}\"", field, s.substr(0, 40));
        return false;
      }
      if (*out <= max) return true;
      break;
    }
    case element_type::NULL_VALUE:
      *out = 0;
      return true;
    default:
      return WrongType(field, e, "an unsigned integer", why);
  }
  *why = fmt::format("{} is out of range", field);
  return false;
}

bool ReadTime(JsonElement e, std::string_view field, int64_t* out, std::string* why) {
  uint64_t v = 0;
  if (!ReadUnsigned(e, field, std::numeric_limits<int64_t>::max(), &v, why)) return false;
  *out = static_cast<int64_t>(v);
  return true;
}

bool ReadOptionalTime(JsonElement e, std::string_view field, int64_t* out, bool* fixed,
                      std::string* why) {
  if (ReadTime(e, field, out, why)) return true;
  int64_t signed_value = 0;
  std::string ignored;
  if (e.type() == element_type::UINT64 || ReadInt64(e, field, &signed_value, &ignored)) {
    *out = 0;
    *fixed = true;
    return true;
  }
  return false;
}

bool ReadInt64(JsonElement e, std::string_view field, int64_t* out, std::string* why) {
  switch (e.type()) {
    case element_type::INT64:
      *out = e.get_int64().value_unsafe();
      return true;
    case element_type::UINT64:
      *why = fmt::format("{} is out of the int64 range", field);
      return false;
    case element_type::STRING: {
      std::string_view s = e.get_string().value_unsafe();
      if (FullParse(s, out)) return true;
      *why = fmt::format("{} must be an integer, got \"{}\"", field, s.substr(0, 40));
      return false;
    }
    default:
      return WrongType(field, e, "an integer", why);
  }
}

bool ReadDouble(JsonElement e, std::string_view field, double* out, std::string* why) {
  if (e.get_double().get(*out) == simdjson::SUCCESS) return true;
  std::string_view s;
  if (e.get_string().get(s) != simdjson::SUCCESS) return WrongType(field, e, "a number", why);
  if (s == "NaN") {
    *out = std::numeric_limits<double>::quiet_NaN();
  } else if (s == "Infinity") {
    *out = std::numeric_limits<double>::infinity();
  } else if (s == "-Infinity") {
    *out = -std::numeric_limits<double>::infinity();
  } else if (!FullParse(s, out)) {
    *why = fmt::format("{} must be a number, got \"{}\"", field, s.substr(0, 40));
    return false;
  }
  return true;
}

bool ReadBool(JsonElement e, std::string_view field, bool* out, std::string* why) {
  if (e.get_bool().get(*out) == simdjson::SUCCESS) return true;
  std::string_view s;
  if (e.get_string().get(s) == simdjson::SUCCESS && (s == "true" || s == "false")) {
    *out = s == "true";
    return true;
  }
  return WrongType(field, e, "a boolean", why);
}

bool ReadEnum(JsonElement e, std::string_view field, int (*from_name)(std::string_view),
              int64_t* out, std::string* why) {
  if (e.get_int64().get(*out) == simdjson::SUCCESS) return true;
  std::string_view s;
  if (e.get_string().get(s) == simdjson::SUCCESS) {
    int v = from_name(s);
    if (v >= 0) {
      *out = v;
      return true;
    }
    if (FullParse(s, out)) return true;
    *why = fmt::format("{} has an unknown value \"{}\"", field, s.substr(0, 40));
    return false;
  }
  if (IsNull(e)) {
    *out = 0;
    return true;
  }
  return WrongType(field, e, "an integer or an enum name", why);
}

bool GetArray(JsonElement e, std::string_view field, simdjson::dom::array* out, std::string* why) {
  if (e.get_array().get(*out) == simdjson::SUCCESS) return true;
  return WrongType(field, e, "an array", why);
}

bool GetObject(JsonElement e, std::string_view field, simdjson::dom::object* out,
               std::string* why) {
  if (e.get_object().get(*out) == simdjson::SUCCESS) return true;
  return WrongType(field, e, "an object", why);
}

JsonValueReader::JsonValueReader()
    : kv_keys_(kKvTable), any_keys_(kAnyTable), values_keys_(kValuesTable) {}

bool JsonValueReader::ReadAttributes(JsonElement attrs, AttrColumns* out, TextInterner& text,
                                     std::string* why) {
  if (IsNull(attrs)) return true;
  simdjson::dom::array arr;
  if (!GetArray(attrs, "attributes", &arr, why)) return false;
  for (JsonElement kv : arr) {
    simdjson::dom::object obj;
    if (!GetObject(kv, "attributes[]", &obj, why)) return false;
    std::string_view key;
    bool has_key = false;
    JsonElement value;
    bool has_value = false;
    for (auto field : obj) {
      uint8_t k = kv_keys_.Find(field.key);
      if (k == kKey) {
        if (field.value.get_string().get(key) != simdjson::SUCCESS) {
          return WrongType("attribute key", field.value, "a string", why);
        }
        has_key = true;
      } else if (k == kValue) {
        value = field.value;
        has_value = true;
      }
    }
    if (!has_key) {
      *why = "attribute without a key";
      return false;
    }
    StrId key_id = text.Text(key);
    AttrType type = AttrType::kEmpty;
    uint64_t bits = 0;
    if (has_value && !ReadAnyValue(value, text, &type, &bits, why)) {
      *why = fmt::format("attribute \"{}\": {}", key.substr(0, 100), *why);
      return false;
    }
    out->Add(key_id, type, bits);
  }
  return true;
}

bool JsonValueReader::AnyMember(JsonElement value, uint8_t* kind, JsonElement* member,
                                std::string* why) {
  *kind = 0;
  if (IsNull(value)) return true;
  simdjson::dom::object obj;
  if (!GetObject(value, "value", &obj, why)) return false;
  for (auto field : obj) {
    uint8_t k = any_keys_.Find(field.key);
    if (k == 0 || IsNull(field.value)) continue;
    if (*kind != 0) {
      *why = "AnyValue holds more than one value";
      return false;
    }
    *kind = k;
    *member = field.value;
  }
  return true;
}

bool JsonValueReader::ReadBytes(JsonElement e, std::string* out, std::string* why) {
  std::string_view s;
  if (!ReadString(e, "bytesValue", &s, why)) return false;
  out->clear();
  if (DecodeBase64(s, out)) return true;
  *why = fmt::format("bytesValue is not base64: \"{}\"", s.substr(0, 40));
  return false;
}

bool JsonValueReader::ReadAnyValue(JsonElement value, TextInterner& text, AttrType* type,
                                   uint64_t* bits, std::string* why) {
  *type = AttrType::kEmpty;
  *bits = 0;
  uint8_t kind = 0;
  JsonElement v;
  if (!AnyMember(value, &kind, &v, why)) return false;
  switch (kind) {
    case kStringValue: {
      std::string_view s;
      if (!ReadString(v, "stringValue", &s, why)) return false;
      *type = AttrType::kString;
      *bits = text.Text(s);
      return true;
    }
    case kBoolValue: {
      bool b = false;
      if (!ReadBool(v, "boolValue", &b, why)) return false;
      *type = AttrType::kBool;
      *bits = b ? 1 : 0;
      return true;
    }
    case kIntValue: {
      int64_t i = 0;
      if (!ReadInt64(v, "intValue", &i, why)) return false;
      *type = AttrType::kInt;
      *bits = static_cast<uint64_t>(i);
      return true;
    }
    case kDoubleValue: {
      double d = 0;
      if (!ReadDouble(v, "doubleValue", &d, why)) return false;
      *type = AttrType::kDouble;
      std::memcpy(bits, &d, sizeof(d));
      return true;
    }
    case kArrayValue:
    case kKvlistValue:
      json_scratch_.clear();
      if (!AppendValuesJson(v, kind == kKvlistValue, &json_scratch_, why)) return false;
      *type = kind == kKvlistValue ? AttrType::kKvList : AttrType::kArray;
      *bits = text.Text(json_scratch_);
      return true;
    case kBytesValue:
      if (!ReadBytes(v, &bytes_scratch_, why)) return false;
      *type = AttrType::kBytes;
      *bits = text.Bytes(bytes_scratch_);
      return true;
    default:
      return true;
  }
}

bool JsonValueReader::AppendAnyValueJson(JsonElement value, std::string* out, std::string* why) {
  uint8_t kind = 0;
  JsonElement v;
  if (!AnyMember(value, &kind, &v, why)) return false;
  switch (kind) {
    case kStringValue: {
      std::string_view s;
      if (!ReadString(v, "stringValue", &s, why)) return false;
      AppendJsonString(s, out);
      return true;
    }
    case kBoolValue: {
      bool b = false;
      if (!ReadBool(v, "boolValue", &b, why)) return false;
      out->append(b ? "true" : "false");
      return true;
    }
    case kIntValue: {
      int64_t i = 0;
      if (!ReadInt64(v, "intValue", &i, why)) return false;
      AppendJsonInt(i, out);
      return true;
    }
    case kDoubleValue: {
      double d = 0;
      if (!ReadDouble(v, "doubleValue", &d, why)) return false;
      AppendJsonDouble(d, out);
      return true;
    }
    case kArrayValue:
    case kKvlistValue:
      return AppendValuesJson(v, kind == kKvlistValue, out, why);
    case kBytesValue:
      if (!ReadBytes(v, &bytes_scratch_, why)) return false;
      out->push_back('"');
      AppendBase64(bytes_scratch_, out);
      out->push_back('"');
      return true;
    default:
      out->append("null");
      return true;
  }
}

bool JsonValueReader::AppendValuesJson(JsonElement wrapper, bool kvlist, std::string* out,
                                       std::string* why) {
  const char* field = kvlist ? "kvlistValue" : "arrayValue";
  out->push_back(kvlist ? '{' : '[');
  simdjson::dom::object obj;
  if (!GetObject(wrapper, field, &obj, why)) return false;
  for (auto member : obj) {
    if (values_keys_.Find(member.key) != 1 || IsNull(member.value)) continue;
    simdjson::dom::array arr;
    if (!GetArray(member.value, kvlist ? "kvlistValue.values" : "arrayValue.values", &arr, why)) {
      return false;
    }
    bool first = true;
    for (JsonElement item : arr) {
      if (!first) out->push_back(',');
      first = false;
      if (!kvlist) {
        if (!AppendAnyValueJson(item, out, why)) return false;
        continue;
      }
      simdjson::dom::object kv;
      if (!GetObject(item, "kvlistValue.values[]", &kv, why)) return false;
      std::string_view key;
      JsonElement value;
      bool has_value = false;
      for (auto f : kv) {
        uint8_t k = kv_keys_.Find(f.key);
        if (k == kKey) {
          if (!ReadString(f.value, "kvlistValue key", &key, why)) return false;
        } else if (k == kValue) {
          value = f.value;
          has_value = true;
        }
      }
      AppendJsonString(key, out);
      out->push_back(':');
      if (!has_value) {
        out->append("null");
      } else if (!AppendAnyValueJson(value, out, why)) {
        return false;
      }
    }
  }
  out->push_back(kvlist ? '}' : ']');
  return true;
}

}  // namespace ddbg::otlp
