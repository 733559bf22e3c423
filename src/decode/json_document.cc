#include "decode/json_document.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <iterator>

namespace ddbg::json {
namespace od = simdjson::ondemand;

namespace {

std::string_view TrimRight(std::string_view s) {
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\n' || s.back() == '\r' || s.back() == '\t')) {
    s.remove_suffix(1);
  }
  return s;
}

std::string_view Trim(std::string_view s) {
  s = TrimRight(s);
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  return s;
}

// The text a numeric value is written in: a JSON number, or a string holding one.
bool NumberText(const RawValue& v, std::string_view* out) {
  if (v.kind != RawValue::Kind::kNumber && v.kind != RawValue::Kind::kString) return false;
  *out = Trim(v.text);
  return !out->empty();
}

// Length of the valid UTF-8 sequence at p[0..n), or 0 when it is invalid; *bad is set to
// the number of bytes of the maximal invalid subpart to replace (Unicode table 3-7).
size_t Utf8Sequence(const unsigned char* p, size_t n, size_t* bad) {
  unsigned char c = p[0];
  size_t len = 0;
  unsigned char lo = 0x80, hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
  }
  size_t good = len == 0 ? 0 : 1;
  while (good > 0 && good < len && good < n) {
    unsigned char b = p[good];
    unsigned char b_lo = good == 1 ? lo : 0x80, b_hi = good == 1 ? hi : 0xBF;
    if (b < b_lo || b > b_hi) break;
    ++good;
  }
  if (len != 0 && good == len) return len;
  *bad = good == 0 ? 1 : good;
  return 0;
}

}  // namespace

bool Fatal(simdjson::error_code e) {
  return e != simdjson::SUCCESS && e != simdjson::INCORRECT_TYPE && e != simdjson::NUMBER_ERROR &&
         e != simdjson::NUMBER_OUT_OF_RANGE && e != simdjson::STRING_ERROR &&
         e != simdjson::UTF8_ERROR;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x + 32);
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y + 32);
    if (x != y) return false;
  }
  return true;
}

simdjson::error_code ReadRaw(od::value value, RawValue* out) {
  od::json_type type;
  simdjson::error_code err = value.type().get(type);
  if (err) return err;
  switch (type) {
    case od::json_type::string:
      out->kind = RawValue::Kind::kString;
      return value.get_string().get(out->text);
    case od::json_type::number:
      out->kind = RawValue::Kind::kNumber;
      out->text = TrimRight(value.raw_json_token());
      return simdjson::SUCCESS;
    case od::json_type::boolean:
      out->kind = RawValue::Kind::kBool;
      return value.get_bool().get(out->boolean);
    case od::json_type::null: {
      out->kind = RawValue::Kind::kNull;
      bool is_null = false;
      err = value.is_null().get(is_null);
      if (!err && !is_null) err = simdjson::INCORRECT_TYPE;
      return err;
    }
    case od::json_type::array: {
      od::array array;
      err = value.get_array().get(array);
      if (err) return err;
      out->kind = RawValue::Kind::kArray;
      return array.raw_json().get(out->text);
    }
    case od::json_type::object: {
      od::object object;
      err = value.get_object().get(object);
      if (err) return err;
      out->kind = RawValue::Kind::kObject;
      return object.raw_json().get(out->text);
    }
  }
  return simdjson::INCORRECT_TYPE;
}

simdjson::error_code ReadString(od::value value, std::string_view* out) {
  od::json_type type;
  simdjson::error_code err = value.type().get(type);
  if (err) return err;
  if (type != od::json_type::string) return simdjson::INCORRECT_TYPE;
  return value.get_string().get(*out);
}

bool MicrosToNanos(const RawValue& v, int64_t* ns) {
  // Exact decimal arithmetic: the value is D * 10^shift ns, D the integer of all digits.
  std::string_view s;
  if (!NumberText(v, &s)) return false;
  size_t i = 0, int_digits = 0, frac_digits = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i, ++int_digits;
  size_t digits_end = i;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i, ++frac_digits;
    if (frac_digits == 0) return false;
    digits_end = i;
  }
  if (int_digits == 0) return false;
  int64_t exponent = 0;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    bool negative = i < s.size() && s[i] == '-';
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
    if (i == s.size()) return false;
    for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) {
      exponent = std::min<int64_t>(exponent * 10 + (s[i] - '0'), 1000);
    }
    if (negative) exponent = -exponent;
  }
  if (i != s.size()) return false;
  int64_t shift = exponent - static_cast<int64_t>(frac_digits) + 3;  // µs -> ns
  int64_t n_digits = static_cast<int64_t>(int_digits + frac_digits);
  int64_t keep = shift >= 0 ? n_digits : n_digits + shift;  // digits before the point
  uint64_t value = 0;
  int64_t seen = 0;
  int round_digit = 0;
  for (size_t k = 0; k < digits_end; ++k) {
    if (s[k] == '.') continue;
    int d = s[k] - '0';
    if (seen < keep) {
      if (value > (UINT64_MAX - 9) / 10) return false;
      value = value * 10 + static_cast<uint64_t>(d);
    } else if (seen == keep) {
      round_digit = d;
    }
    ++seen;
  }
  for (int64_t k = 0; shift > 0 && k < shift; ++k) {
    if (value > UINT64_MAX / 10) return false;
    value *= 10;
  }
  if (round_digit >= 5) ++value;
  if (value > static_cast<uint64_t>(INT64_MAX)) return false;
  *ns = static_cast<int64_t>(value);
  return true;
}

bool ToInt64(const RawValue& v, int64_t* out) {
  std::string_view s;
  if (!NumberText(v, &s)) return false;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  if (ec == std::errc() && end == s.data() + s.size()) return true;
  double d = 0;
  if (!ToDouble(v, &d) || d != std::trunc(d) || d < -9.2e18 || d > 9.2e18) return false;
  *out = static_cast<int64_t>(d);
  return true;
}

bool ToDouble(const RawValue& v, double* out) {
  std::string_view s;
  if (!NumberText(v, &s)) return false;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && end == s.data() + s.size();
}

std::string_view ScalarText(const RawValue& v) {
  if (v.kind == RawValue::Kind::kBool) return v.boolean ? "true" : "false";
  if (v.kind == RawValue::Kind::kNull) return "null";
  return v.text;
}

std::string Excerpt(std::string_view s) {
  constexpr size_t kMax = 40;
  std::string out;
  for (size_t i = 0; i < s.size() && i < kMax; ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != 0x7f && c != '"' && c != '\\') {
      out.push_back(static_cast<char>(c));
    } else {
      out += fmt::format("\\x{:02x}", c);
    }
  }
  if (s.size() > kMax) out += "…";
  return out;
}

std::string Hex16(uint64_t v) { return fmt::format("{:016x}", v); }

void JsonDocument::Load(std::string_view data) {
  original_ = data;
  replacements_.clear();
  open_at_end_.clear();
  truncated_ = false;
  line_offset_ = 0;
  line_ = 1;
  buf_.clear();
  if (simdjson::validate_utf8(data.data(), data.size())) {
    buf_.reserve(data.size() + simdjson::SIMDJSON_PADDING);
    buf_.append(data);
  } else {
    static constexpr char kReplacement[] = "\xEF\xBF\xBD";
    buf_.reserve(data.size() + data.size() / 8 + simdjson::SIMDJSON_PADDING);
    const auto* p = reinterpret_cast<const unsigned char*>(data.data());
    size_t i = 0;
    while (i < data.size()) {
      if (p[i] < 0x80) {
        size_t j = i + 1;
        while (j < data.size() && p[j] < 0x80) ++j;
        buf_.append(data.data() + i, j - i);
        i = j;
        continue;
      }
      size_t bad = 0;
      size_t len = Utf8Sequence(p + i, data.size() - i, &bad);
      if (len > 0) {
        buf_.append(data.data() + i, len);
        i += len;
      } else {
        uint64_t shift = replacements_.empty() ? 0 : replacements_.back().second;
        replacements_.emplace_back(buf_.size(), shift + 3 - bad);
        buf_.append(kReplacement, 3);
        i += bad;
      }
    }
  }
  size_ = buf_.size();
  buf_.resize(size_ + simdjson::SIMDJSON_PADDING, '\0');
}

bool JsonDocument::CloseTruncated() {
  if (truncated_) return false;
  std::vector<std::pair<uint64_t, char>> stack;
  bool in_string = false, escape = false;
  for (size_t i = 0; i < size_; ++i) {
    char c = buf_[i];
    if (in_string) {
      if (escape) {
        escape = false;
      } else if (c == '\\') {
        escape = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      stack.emplace_back(i, c);
    } else if ((c == '}' || c == ']') && !stack.empty()) {
      stack.pop_back();
    }
  }
  if (!in_string && stack.empty()) return false;
  std::string tail;
  if (in_string) {
    if (escape) tail.push_back('\\');
    tail.push_back('"');
  }
  for (auto it = stack.rbegin(); it != stack.rend(); ++it)
    tail.push_back(it->second == '{' ? '}' : ']');
  for (const auto& open : stack) open_at_end_.push_back(open.first);
  buf_.resize(size_);
  buf_.append(tail);
  size_ = buf_.size();
  buf_.resize(size_ + simdjson::SIMDJSON_PADDING, '\0');
  truncated_ = true;
  return true;
}

simdjson::error_code JsonDocument::Start(od::parser& parser, od::document* doc,
                                         od::json_type* root_type) {
  for (int attempt = 0;; ++attempt) {
    simdjson::error_code err = parser.iterate(padded()).get(*doc);
    if (!err) err = doc->type().get(*root_type);
    if (!err && *root_type == od::json_type::array) {
      od::array probe;
      err = doc->get_array().get(probe);
    } else if (!err && *root_type == od::json_type::object) {
      od::object probe;
      err = doc->get_object().get(probe);
    }
    bool cut = err == simdjson::UNCLOSED_STRING || err == simdjson::INCOMPLETE_ARRAY_OR_OBJECT;
    if (cut && attempt == 0 && CloseTruncated()) continue;
    if (!err) doc->rewind();
    return err;
  }
}

uint64_t JsonDocument::OffsetOf(const char* p) const {
  if (p < buf_.data()) return 0;
  uint64_t at = std::min<uint64_t>(static_cast<uint64_t>(p - buf_.data()), size_);
  // Bytes the buffer gained before `at`: each replacement's entry holds the running total.
  auto it = std::lower_bound(
      replacements_.begin(), replacements_.end(), at,
      [](const std::pair<uint64_t, uint64_t>& r, uint64_t offset) { return r.first < offset; });
  uint64_t shift = it == replacements_.begin() ? 0 : std::prev(it)->second;
  uint64_t original = at - std::min(at, shift);
  return std::min<uint64_t>(original, original_.size());
}

uint64_t JsonDocument::LineOf(uint64_t offset) {
  offset = std::min<uint64_t>(offset, original_.size());
  if (offset < line_offset_) {
    line_offset_ = 0;
    line_ = 1;
  }
  const char* p = original_.data() + line_offset_;
  const char* end = original_.data() + offset;
  while (p < end) {
    const void* nl = std::memchr(p, '\n', static_cast<size_t>(end - p));
    if (nl == nullptr) break;
    ++line_;
    p = static_cast<const char*>(nl) + 1;
  }
  line_offset_ = offset;
  return line_;
}

bool JsonDocument::OpenAtEnd(const char* p) const {
  if (open_at_end_.empty() || p < buf_.data()) return false;
  uint64_t at = static_cast<uint64_t>(p - buf_.data());
  return std::binary_search(open_at_end_.begin(), open_at_end_.end(), at);
}

}  // namespace ddbg::json
