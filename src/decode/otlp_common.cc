#include "decode/otlp_common.h"

#include <fmt/format.h>

#include <array>
#include <cmath>
#include <cstring>
#include <iterator>

namespace ddbg::otlp {
namespace {

constexpr std::array<int8_t, 256> MakeHexTable() {
  std::array<int8_t, 256> t{};
  for (auto& v : t) v = -1;
  for (int c = '0'; c <= '9'; ++c) t[c] = static_cast<int8_t>(c - '0');
  for (int c = 'a'; c <= 'f'; ++c) t[c] = static_cast<int8_t>(c - 'a' + 10);
  for (int c = 'A'; c <= 'F'; ++c) t[c] = static_cast<int8_t>(c - 'A' + 10);
  return t;
}
constexpr std::array<int8_t, 256> kHexTable = MakeHexTable();

// Exactly 16 hex digits at p. False on any non-hex character.
inline bool Hex16(const char* p, uint64_t* out) {
  uint64_t v = 0;
  int bad = 0;
  for (int i = 0; i < 16; ++i) {
    int8_t d = kHexTable[static_cast<uint8_t>(p[i])];
    bad |= d;
    v = (v << 4) | static_cast<uint8_t>(d & 0xf);
  }
  *out = v;
  return bad >= 0;
}

inline uint64_t Load64BigEndian(const char* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}

// A short printable excerpt of a bad value for an error message.
std::string Excerpt(std::string_view s) {
  constexpr size_t kMax = 40;
  std::string out;
  for (size_t i = 0; i < s.size() && i < kMax; ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
      out.push_back(static_cast<char>(c));
    } else {
      out += fmt::format("\\x{:02x}", c);
    }
  }
  if (s.size() > kMax) out += "…";
  return out;
}

bool MissingOrZero(std::string_view field, IdRule rule, bool empty, std::string* why) {
  if (rule == IdRule::kOptional) return true;
  *why = fmt::format("{} is {}", field, empty ? "missing" : "all zeros");
  return false;
}

}  // namespace

bool TraceIdFromHex(std::string_view field, std::string_view hex, IdRule rule, TraceId* out,
                    std::string* why) {
  *out = TraceId();
  if (hex.empty()) return MissingOrZero(field, rule, true, why);
  if (hex.size() != 32) {
    *why = fmt::format("{} must be 32 hex characters, got {}", field, hex.size());
    return false;
  }
  TraceId id;
  if (!Hex16(hex.data(), &id.hi) || !Hex16(hex.data() + 16, &id.lo)) {
    *why = fmt::format("{} is not hex: \"{}\"", field, Excerpt(hex));
    return false;
  }
  if (id.empty()) return MissingOrZero(field, rule, false, why);
  *out = id;
  return true;
}

bool SpanIdFromHex(std::string_view field, std::string_view hex, IdRule rule, SpanId* out,
                   std::string* why) {
  *out = 0;
  if (hex.empty()) return MissingOrZero(field, rule, true, why);
  if (hex.size() != 16) {
    *why = fmt::format("{} must be 16 hex characters, got {}", field, hex.size());
    return false;
  }
  SpanId id;
  if (!Hex16(hex.data(), &id)) {
    *why = fmt::format("{} is not hex: \"{}\"", field, Excerpt(hex));
    return false;
  }
  if (id == 0) return MissingOrZero(field, rule, false, why);
  *out = id;
  return true;
}

bool TraceIdFromBytes(std::string_view field, std::string_view bytes, IdRule rule, TraceId* out,
                      std::string* why) {
  *out = TraceId();
  if (bytes.empty()) return MissingOrZero(field, rule, true, why);
  if (bytes.size() != 16) {
    *why = fmt::format("{} must be 16 bytes, got {}", field, bytes.size());
    return false;
  }
  TraceId id{Load64BigEndian(bytes.data()), Load64BigEndian(bytes.data() + 8)};
  if (id.empty()) return MissingOrZero(field, rule, false, why);
  *out = id;
  return true;
}

bool SpanIdFromBytes(std::string_view field, std::string_view bytes, IdRule rule, SpanId* out,
                     std::string* why) {
  *out = 0;
  if (bytes.empty()) return MissingOrZero(field, rule, true, why);
  if (bytes.size() != 8) {
    *why = fmt::format("{} must be 8 bytes, got {}", field, bytes.size());
    return false;
  }
  SpanId id = Load64BigEndian(bytes.data());
  if (id == 0) return MissingOrZero(field, rule, false, why);
  *out = id;
  return true;
}

bool CheckSpan(SpanRow* row, bool* fixed, std::string* why) {
  if (row->parent_span_id == row->span_id) {
    *why = "span is its own parent (parentSpanId == spanId)";
    return false;
  }
  if (row->end_ns < row->start_ns) {
    row->end_ns = row->start_ns;
    *fixed = true;
  }
  return true;
}

int SpanKindFromName(std::string_view name) {
  static constexpr std::string_view kNames[] = {"SPAN_KIND_UNSPECIFIED", "SPAN_KIND_INTERNAL",
                                                "SPAN_KIND_SERVER",      "SPAN_KIND_CLIENT",
                                                "SPAN_KIND_PRODUCER",    "SPAN_KIND_CONSUMER"};
  for (int i = 0; i < 6; ++i) {
    if (name == kNames[i]) return i;
  }
  return -1;
}

int StatusCodeFromName(std::string_view name) {
  if (name == "STATUS_CODE_UNSET") return 0;
  if (name == "STATUS_CODE_OK") return 1;
  if (name == "STATUS_CODE_ERROR") return 2;
  return -1;
}

int SeverityFromName(std::string_view name) {
  static constexpr std::string_view kPrefix = "SEVERITY_NUMBER_";
  if (name.substr(0, kPrefix.size()) != kPrefix) return -1;
  std::string_view rest = name.substr(kPrefix.size());
  if (rest == "UNSPECIFIED") return 0;
  static constexpr std::string_view kLevels[] = {"TRACE", "DEBUG", "INFO",
                                                 "WARN",  "ERROR", "FATAL"};
  for (int level = 0; level < 6; ++level) {
    std::string_view l = kLevels[level];
    if (rest.substr(0, l.size()) != l) continue;
    std::string_view n = rest.substr(l.size());
    if (n.empty()) return level * 4 + 1;
    if (n.size() == 1 && n[0] >= '2' && n[0] <= '4') return level * 4 + (n[0] - '0');
  }
  return -1;
}

SpanKind SpanKindFromNumber(int64_t v, bool* fixed) {
  if (v < 0 || v > 5) {
    *fixed = true;
    return SpanKind::kUnspecified;
  }
  return static_cast<SpanKind>(v);
}

SpanStatus SpanStatusFromNumber(int64_t v, bool* fixed) {
  if (v < 0 || v > 2) {
    *fixed = true;
    return SpanStatus::kUnset;
  }
  return static_cast<SpanStatus>(v);
}

uint8_t SeverityFromNumber(int64_t v, bool* fixed) {
  if (v < 0 || v > 24) {
    *fixed = true;
    return 0;
  }
  return static_cast<uint8_t>(v);
}

size_t AppendRepairedUtf8(std::string_view s, std::string* out) {
  static constexpr char kReplacement[] = "\xEF\xBF\xBD";
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  size_t n = s.size();
  size_t replaced = 0;
  size_t i = 0;
  while (i < n) {
    unsigned char c = p[i];
    if (c < 0x80) {
      size_t j = i + 1;
      while (j < n && p[j] < 0x80) ++j;
      out->append(s.data() + i, j - i);
      i = j;
      continue;
    }
    // Expected length and the allowed range of the second byte (Unicode table 3-7).
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
    size_t good = len == 0 ? 0 : 1;  // bytes of a valid prefix seen so far
    while (good > 0 && good < len && i + good < n) {
      unsigned char b = p[i + good];
      unsigned char b_lo = good == 1 ? lo : 0x80, b_hi = good == 1 ? hi : 0xBF;
      if (b < b_lo || b > b_hi) break;
      ++good;
    }
    if (len != 0 && good == len) {
      out->append(s.data() + i, len);
      i += len;
    } else {
      out->append(kReplacement, 3);
      ++replaced;
      i += good == 0 ? 1 : good;
    }
  }
  return replaced;
}

bool HasReplacementChar(std::string_view s) {
  return s.find("\xEF\xBF\xBD") != std::string_view::npos;
}

void AppendBase64(std::string_view bytes, std::string* out) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  size_t n = bytes.size();
  size_t i = 0;
  for (; i + 3 <= n; i += 3) {
    uint32_t v = (p[i] << 16) | (p[i + 1] << 8) | p[i + 2];
    out->push_back(kAlphabet[v >> 18]);
    out->push_back(kAlphabet[(v >> 12) & 63]);
    out->push_back(kAlphabet[(v >> 6) & 63]);
    out->push_back(kAlphabet[v & 63]);
  }
  if (n - i == 1) {
    uint32_t v = p[i] << 16;
    out->push_back(kAlphabet[v >> 18]);
    out->push_back(kAlphabet[(v >> 12) & 63]);
    out->append("==");
  } else if (n - i == 2) {
    uint32_t v = (p[i] << 16) | (p[i + 1] << 8);
    out->push_back(kAlphabet[v >> 18]);
    out->push_back(kAlphabet[(v >> 12) & 63]);
    out->push_back(kAlphabet[(v >> 6) & 63]);
    out->push_back('=');
  }
}

bool DecodeBase64(std::string_view text, std::string* out) {
  static constexpr std::array<int8_t, 256> kValues = [] {
    std::array<int8_t, 256> t{};
    for (auto& v : t) v = -1;
    for (int i = 0; i < 26; ++i) t['A' + i] = static_cast<int8_t>(i);
    for (int i = 0; i < 26; ++i) t['a' + i] = static_cast<int8_t>(26 + i);
    for (int i = 0; i < 10; ++i) t['0' + i] = static_cast<int8_t>(52 + i);
    t['+'] = t['-'] = 62;
    t['/'] = t['_'] = 63;
    return t;
  }();
  size_t n = text.size();
  while (n > 0 && text[n - 1] == '=') --n;
  if (text.size() - n > 2 || n % 4 == 1) return false;
  if (text.size() % 4 != 0 && text.size() != n) return false;  // padding only to a full quad
  uint32_t acc = 0;
  int bits = 0;
  for (size_t i = 0; i < n; ++i) {
    int8_t v = kValues[static_cast<uint8_t>(text[i])];
    if (v < 0) return false;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out->push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  return true;
}

void AppendJsonString(std::string_view s, std::string* out) {
  static constexpr char kHexDigits[] = "0123456789abcdef";
  out->push_back('"');
  size_t start = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out->append(s.data() + start, i - start);
    start = i + 1;
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      case '\b':
        out->append("\\b");
        break;
      case '\f':
        out->append("\\f");
        break;
      default:
        out->append("\\u00");
        out->push_back(kHexDigits[c >> 4]);
        out->push_back(kHexDigits[c & 0xf]);
    }
  }
  out->append(s.data() + start, s.size() - start);
  out->push_back('"');
}

void AppendJsonInt(int64_t v, std::string* out) {
  fmt::format_to(std::back_inserter(*out), "{}", v);
}

void AppendJsonDouble(double v, std::string* out) {
  if (std::isfinite(v)) {
    fmt::format_to(std::back_inserter(*out), "{}", v);
  } else {
    out->append(std::isnan(v) ? "\"NaN\"" : (v > 0 ? "\"Infinity\"" : "\"-Infinity\""));
  }
}

std::string ScalarText(AttrType type, uint64_t bits) {
  switch (type) {
    case AttrType::kInt:
      return fmt::format("{}", static_cast<int64_t>(bits));
    case AttrType::kDouble: {
      double d;
      std::memcpy(&d, &bits, sizeof(d));
      if (std::isfinite(d)) return fmt::format("{}", d);
      return std::isnan(d) ? "NaN" : (d > 0 ? "Infinity" : "-Infinity");
    }
    case AttrType::kBool:
      return bits ? "true" : "false";
    default:
      return std::string();
  }
}

}  // namespace ddbg::otlp
