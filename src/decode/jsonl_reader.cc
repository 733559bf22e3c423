#include "decode/jsonl_reader.h"

#include <algorithm>
#include <charconv>
#include <cstring>

#include "util/json_writer.h"

namespace ddbg::jsonl {
namespace {

bool IsBlank(std::string_view s) {
  for (char c : s) {
    if (c != ' ' && c != '\t' && c != '\r' && c != '\f' && c != '\v') return false;
  }
  return true;
}

// Length of the valid UTF-8 sequence at s[i], or 0 when the byte there starts none.
size_t Utf8SequenceLength(std::string_view s, size_t i) {
  auto b = [&](size_t k) { return static_cast<uint8_t>(s[k]); };
  uint8_t c = b(i);
  if (c < 0x80) return 1;
  size_t n = 0;
  uint8_t lo = 0x80, hi = 0xbf;
  if (c >= 0xc2 && c <= 0xdf) {
    n = 2;
  } else if (c >= 0xe0 && c <= 0xef) {
    n = 3;
    if (c == 0xe0) lo = 0xa0;  // no overlong forms
    if (c == 0xed) hi = 0x9f;  // no surrogates
  } else if (c >= 0xf0 && c <= 0xf4) {
    n = 4;
    if (c == 0xf0) lo = 0x90;
    if (c == 0xf4) hi = 0x8f;  // nothing above U+10FFFF
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  if (b(i + 1) < lo || b(i + 1) > hi) return 0;
  for (size_t k = 2; k < n; ++k) {
    if ((b(i + k) & 0xc0) != 0x80) return 0;
  }
  return n;
}

char LowerAscii(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

uint64_t Fnv1a(std::string_view s) {
  uint64_t h = 1469598103934665603ull;
  for (char c : s) h = (h ^ static_cast<uint8_t>(c)) * 1099511628211ull;
  return h;
}

}  // namespace

bool LineReader::Next(Line* line) {
  while (pos_ < data_.size()) {
    size_t begin = pos_;
    const void* nl = std::memchr(data_.data() + begin, '\n', data_.size() - begin);
    size_t end =
        nl ? static_cast<size_t>(static_cast<const char*>(nl) - data_.data()) : data_.size();
    pos_ = nl ? end + 1 : end;
    ++line_number_;
    std::string_view text = data_.substr(begin, end - begin);
    if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
    if (IsBlank(text)) continue;
    line->number = line_number_;
    line->offset = begin;
    line->text = text;
    return true;
  }
  return false;
}

simdjson::error_code LineReader::Parse(std::string_view text, simdjson::dom::element* out,
                                       bool* utf8_fixed) {
  *utf8_fixed = false;
  buffer_.assign(text);
  buffer_.resize(text.size() + simdjson::SIMDJSON_PADDING);
  simdjson::error_code err = parser_.parse(buffer_.data(), text.size(), false).get(*out);
  if (err != simdjson::UTF8_ERROR) return err;
  // simdjson validates UTF-8 as it parses; only a line that fails is repaired and parsed again.
  *utf8_fixed = true;
  buffer_.clear();
  AppendValidUtf8(text, &buffer_);
  size_t len = buffer_.size();
  buffer_.resize(len + simdjson::SIMDJSON_PADDING);
  return parser_.parse(buffer_.data(), len, false).get(*out);
}

FieldNames::FieldNames(std::initializer_list<std::span<const std::string_view>> roles) {
  int role = 0;
  for (std::span<const std::string_view> names : roles) {
    int rank = 0;
    for (std::string_view n : names) {
      std::string lower(n);
      for (char& c : lower) c = LowerAscii(c);
      longest_ = std::max(longest_, lower.size());
      entries_.push_back(Entry{std::move(lower), Match{role, rank++}});
    }
    ++role;
  }
  size_t size = 16;
  while (size < entries_.size() * 4) size *= 2;
  slots_.assign(size, 0);
  for (size_t i = 0; i < entries_.size(); ++i) {
    size_t slot = Fnv1a(entries_[i].lower) & (size - 1);
    bool duplicate = false;
    while (slots_[slot] != 0) {
      // A name listed twice keeps its first role.
      duplicate |= entries_[slots_[slot] - 1].lower == entries_[i].lower;
      slot = (slot + 1) & (size - 1);
    }
    if (!duplicate) slots_[slot] = static_cast<uint16_t>(i + 1);
  }
}

FieldNames::Match FieldNames::Find(std::string_view key) const {
  char buf[128];
  if (key.size() > longest_ || key.size() > sizeof(buf)) return {};
  for (size_t i = 0; i < key.size(); ++i) buf[i] = LowerAscii(key[i]);
  std::string_view lower(buf, key.size());
  size_t mask = slots_.size() - 1;
  for (size_t slot = Fnv1a(lower) & mask; slots_[slot] != 0; slot = (slot + 1) & mask) {
    const Entry& e = entries_[slots_[slot] - 1];
    if (e.lower == lower) return e.match;
  }
  return {};
}

void AppendValidUtf8(std::string_view text, std::string* out) {
  size_t i = 0;
  while (i < text.size()) {
    size_t n = Utf8SequenceLength(text, i);
    if (n == 0) {
      out->append("\xef\xbf\xbd");
      ++i;
    } else {
      out->append(text.data() + i, n);
      i += n;
    }
  }
}

void AppendCompactJson(simdjson::dom::element value, std::string* out) {
  using simdjson::dom::element_type;
  char buf[32];
  switch (value.type()) {
    case element_type::ARRAY: {
      out->push_back('[');
      bool first = true;
      simdjson::dom::array array = value.get_array().value_unsafe();
      for (simdjson::dom::element e : array) {
        if (!first) out->push_back(',');
        first = false;
        AppendCompactJson(e, out);
      }
      out->push_back(']');
      break;
    }
    case element_type::OBJECT: {
      out->push_back('{');
      bool first = true;
      simdjson::dom::object object = value.get_object().value_unsafe();
      for (simdjson::dom::key_value_pair kv : object) {
        if (!first) out->push_back(',');
        first = false;
        AppendJsonString(*out, kv.key);
        out->push_back(':');
        AppendCompactJson(kv.value, out);
      }
      out->push_back('}');
      break;
    }
    case element_type::STRING:
      AppendJsonString(*out, value.get_string().value_unsafe());
      break;
    case element_type::INT64: {
      auto r = std::to_chars(buf, buf + sizeof(buf), value.get_int64().value_unsafe());
      out->append(buf, r.ptr);
      break;
    }
    case element_type::UINT64: {
      auto r = std::to_chars(buf, buf + sizeof(buf), value.get_uint64().value_unsafe());
      out->append(buf, r.ptr);
      break;
    }
    case element_type::DOUBLE: {
      auto r = std::to_chars(buf, buf + sizeof(buf), value.get_double().value_unsafe());
      out->append(buf, r.ptr);
      break;
    }
    case element_type::BOOL:
      out->append(value.get_bool().value_unsafe() ? "true" : "false");
      break;
    case element_type::NULL_VALUE:
      out->append("null");
      break;
  }
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x == y) continue;
    if ((x | 0x20) != (y | 0x20) || (x | 0x20) < 'a' || (x | 0x20) > 'z') return false;
  }
  return true;
}

int NameRank(std::string_view key, std::span<const std::string_view> names) {
  int rank = 0;
  for (std::string_view n : names) {
    if (EqualsIgnoreCase(key, n)) return rank;
    ++rank;
  }
  return -1;
}

std::string JoinNames(std::span<const std::string_view> names) {
  std::string s;
  for (std::string_view n : names) {
    if (!s.empty()) s += ", ";
    s += n;
  }
  return s;
}

bool ScalarText(simdjson::dom::element value, std::string* out) {
  using simdjson::dom::element_type;
  out->clear();
  switch (value.type()) {
    case element_type::STRING:
      out->append(value.get_string().value_unsafe());
      return true;
    case element_type::INT64:
    case element_type::UINT64:
    case element_type::DOUBLE:
    case element_type::BOOL:
      AppendCompactJson(value, out);
      return true;
    default:
      return false;
  }
}

std::string Describe(simdjson::dom::element value) {
  using simdjson::dom::element_type;
  switch (value.type()) {
    case element_type::OBJECT:
      return "an object";
    case element_type::ARRAY:
      return "an array";
    case element_type::NULL_VALUE:
      return "null";
    default: {
      std::string s = "\"";
      std::string text;
      ScalarText(value, &text);
      s += text.size() > 64 ? text.substr(0, 64) + "..." : text;
      s += '"';
      return s;
    }
  }
}

}  // namespace ddbg::jsonl
