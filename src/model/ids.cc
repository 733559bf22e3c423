#include <cstring>

#include "ddbg/model.h"

namespace ddbg {
namespace {
constexpr char kHex[] = "0123456789abcdef";

void PutHex64(uint64_t v, char* out) {
  for (int i = 15; i >= 0; --i) {
    out[i] = kHex[v & 0xf];
    v >>= 4;
  }
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Parses up to 16 hex digits into *out. False on a non-hex character.
bool ParseHex64(std::string_view hex, uint64_t* out) {
  uint64_t v = 0;
  for (char c : hex) {
    int d = HexValue(c);
    if (d < 0) return false;
    v = (v << 4) | static_cast<uint64_t>(d);
  }
  *out = v;
  return true;
}
}  // namespace

std::string TraceIdToHex(TraceId id) {
  std::string s(32, '0');
  PutHex64(id.hi, s.data());
  PutHex64(id.lo, s.data() + 16);
  return s;
}

std::string SpanIdToHex(SpanId id) {
  std::string s(16, '0');
  PutHex64(id, s.data());
  return s;
}

bool ParseTraceIdHex(std::string_view hex, TraceId* out) {
  if (hex.empty() || hex.size() > 32) return false;
  TraceId id;
  if (hex.size() <= 16) {
    if (!ParseHex64(hex, &id.lo)) return false;
  } else {
    size_t split = hex.size() - 16;
    if (!ParseHex64(hex.substr(0, split), &id.hi) || !ParseHex64(hex.substr(split), &id.lo)) {
      return false;
    }
  }
  *out = id;
  return true;
}

bool ParseSpanIdHex(std::string_view hex, SpanId* out) {
  if (hex.empty() || hex.size() > 16) return false;
  return ParseHex64(hex, out);
}

const char* SpanKindName(SpanKind kind) {
  switch (kind) {
    case SpanKind::kInternal: return "internal";
    case SpanKind::kServer: return "server";
    case SpanKind::kClient: return "client";
    case SpanKind::kProducer: return "producer";
    case SpanKind::kConsumer: return "consumer";
    default: return "unspecified";
  }
}

const char* SpanStatusName(SpanStatus code) {
  switch (code) {
    case SpanStatus::kOk: return "ok";
    case SpanStatus::kError: return "error";
    default: return "unset";
  }
}

const char* AttrTypeName(AttrType type) {
  switch (type) {
    case AttrType::kString: return "string";
    case AttrType::kInt: return "int";
    case AttrType::kDouble: return "double";
    case AttrType::kBool: return "bool";
    case AttrType::kBytes: return "bytes";
    case AttrType::kArray: return "array";
    case AttrType::kKvList: return "kvlist";
    default: return "empty";
  }
}

uint8_t SeverityFromText(std::string_view text) {
  char buf[16];
  size_t n = 0;
  for (char c : text) {
    if (n == sizeof(buf)) return 0;
    buf[n++] = static_cast<char>((c >= 'a' && c <= 'z') ? c - 32 : c);
  }
  std::string_view t(buf, n);
  if (t == "TRACE" || t == "FINEST" || t == "FINER" || t == "T") return 1;
  if (t == "DEBUG" || t == "FINE" || t == "DBG" || t == "D" || t == "VERBOSE") return 5;
  if (t == "INFO" || t == "INFORMATION" || t == "I" || t == "NOTICE" || t == "INF") return 9;
  if (t == "WARN" || t == "WARNING" || t == "W" || t == "WRN") return 13;
  if (t == "ERROR" || t == "ERR" || t == "E" || t == "SEVERE") return 17;
  if (t == "FATAL" || t == "CRITICAL" || t == "CRIT" || t == "F" || t == "PANIC" ||
      t == "EMERG" || t == "ALERT") {
    return 21;
  }
  return 0;
}

const char* SeverityShortName(uint8_t number) {
  if (number == 0) return "UNSET";
  if (number <= 4) return "TRACE";
  if (number <= 8) return "DEBUG";
  if (number <= 12) return "INFO";
  if (number <= 16) return "WARN";
  if (number <= 20) return "ERROR";
  return "FATAL";
}

}  // namespace ddbg
