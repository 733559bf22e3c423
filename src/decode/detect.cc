// Format detection from a file name and the first bytes after decompression. The content
// decides wherever it can: protobuf is recognised by walking its top-level fields; JSON by a
// lexer that tolerates a truncated head and records which keys appear at which depth (so a
// key is never confused with a value or a substring); JSON lines are judged line by line;
// text logs need a line that opens with a recognised timestamp (or a log file name; never a
// .csv, .tsv or .md file). Anything else is kAuto, "cannot tell".
#include <string_view>
#include <utility>
#include <vector>

#include "ddbg/decode.h"
#include "decode/jsonl_reader.h"
#include "decode/log_line_header.h"

namespace ddbg {
namespace {

constexpr size_t kHeadBytes = 64 << 10;
constexpr size_t kMaxKeys = 4096;

using Keys = std::vector<std::pair<int, std::string_view>>;  // (depth, key)

std::string_view BaseName(std::string_view name) {
  size_t slash = name.find_last_of("/\\");
  return slash == std::string_view::npos ? name : name.substr(slash + 1);
}

bool EndsWithIgnoreCase(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         jsonl::EqualsIgnoreCase(s.substr(s.size() - suffix.size()), suffix);
}

// The file name without a compression suffix.
std::string_view PlainName(std::string_view name) {
  name = BaseName(name);
  for (std::string_view ext : {".gz", ".zst", ".zstd"}) {
    if (EndsWithIgnoreCase(name, ext)) return name.substr(0, name.size() - ext.size());
  }
  return name;
}

bool ReadVarint(std::string_view s, size_t* pos, uint64_t* out) {
  uint64_t v = 0;
  for (int shift = 0; shift < 64 && *pos < s.size(); shift += 7) {
    auto b = static_cast<uint8_t>(s[(*pos)++]);
    v |= static_cast<uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) {
      *out = v;
      return true;
    }
  }
  return false;
}

// An OTLP Export*ServiceRequest: a sequence of field 1 (length-delimited) messages, each
// opening with field 1, 2 or 3 of ResourceSpans/ResourceLogs. Only the last field may run
// past a head that was cut at kHeadBytes.
bool LooksLikeOtlpProto(std::string_view s) {
  size_t pos = 0;
  int fields = 0;
  while (pos < s.size()) {
    if (static_cast<uint8_t>(s[pos++]) != 0x0a) return false;
    uint64_t len = 0;
    if (!ReadVarint(s, &pos, &len)) return fields > 0 && s.size() >= kHeadBytes;
    if (len > 0 && pos < s.size()) {
      auto first = static_cast<uint8_t>(s[pos]);
      if (first != 0x0a && first != 0x12 && first != 0x1a) return false;
    }
    if (len > s.size() - pos) return s.size() >= kHeadBytes;
    pos += len;
    ++fields;
  }
  return fields > 0;
}

// Counts bytes that plain text does not contain: control characters and invalid UTF-8.
size_t NonTextBytes(std::string_view s) {
  size_t bad = 0;
  size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<uint8_t>(s[i]);
    if (c < 0x80) {
      if (c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != '\f' && c != '\v' && c != 0x1b) {
        bad += c == 0 ? 100 : 1;  // one NUL is enough to call it binary
      }
      ++i;
      continue;
    }
    size_t n = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 ? 2 : 0;
    bool ok = n > 0 && c <= 0xf4;
    for (size_t k = 1; ok && k < n; ++k) {
      if (i + k >= s.size()) break;  // cut at the end of the head
      ok = (static_cast<uint8_t>(s[i + k]) & 0xc0) == 0x80;
    }
    if (!ok) {
      ++bad;
      ++i;
    } else {
      i += n;
    }
  }
  return bad;
}

enum class ScanResult { kOk, kBad, kTruncated };

// Lexes one JSON value from s[*pos], recording object keys with their depth (1 = a key of
// the outermost object). Checks tokens and bracket nesting, not the full grammar.
ScanResult ScanValue(std::string_view s, size_t* pos, Keys* keys) {
  std::vector<char> stack;
  size_t p = *pos;
  auto skip_ws = [&](size_t q) {
    while (q < s.size() && (s[q] == ' ' || s[q] == '\t' || s[q] == '\n' || s[q] == '\r')) ++q;
    return q;
  };
  while (true) {
    p = skip_ws(p);
    if (p >= s.size()) return ScanResult::kTruncated;
    char c = s[p];
    if (c == '{' || c == '[') {
      stack.push_back(c);
      ++p;
    } else if (c == '}' || c == ']') {
      if (stack.empty() || stack.back() != (c == '}' ? '{' : '[')) return ScanResult::kBad;
      stack.pop_back();
      ++p;
    } else if (c == '"') {
      size_t q = p + 1;
      while (q < s.size() && s[q] != '"') q += s[q] == '\\' ? 2 : 1;
      if (q >= s.size()) return ScanResult::kTruncated;
      std::string_view str = s.substr(p + 1, q - p - 1);
      p = q + 1;
      if (!stack.empty() && stack.back() == '{') {
        size_t after = skip_ws(p);
        if (after < s.size() && s[after] == ':' && keys->size() < kMaxKeys) {
          keys->emplace_back(static_cast<int>(stack.size()), str);
        }
      }
    } else if (c == ':' || c == ',') {
      if (stack.empty() || (c == ':' && stack.back() != '{')) return ScanResult::kBad;
      ++p;
    } else if (c == '-' || (c >= '0' && c <= '9')) {
      while (p < s.size() && ((s[p] >= '0' && s[p] <= '9') || s[p] == '-' || s[p] == '+' ||
                              s[p] == '.' || s[p] == 'e' || s[p] == 'E')) {
        ++p;
      }
      if (p >= s.size() && !stack.empty()) return ScanResult::kTruncated;
    } else if (c == 't' || c == 'f' || c == 'n') {
      std::string_view word = c == 't' ? "true" : c == 'f' ? "false" : "null";
      std::string_view have = s.substr(p, word.size());
      if (have != word) {
        return word.substr(0, have.size()) == have && p + have.size() == s.size()
                   ? ScanResult::kTruncated
                   : ScanResult::kBad;
      }
      p += word.size();
    } else {
      return ScanResult::kBad;
    }
    if (stack.empty()) {
      *pos = p;
      return ScanResult::kOk;
    }
  }
}

enum class Kind { kOther, kOtlp, kJaeger, kZipkin, kGroundTruth, kLog, kEvent };

bool HasKey(const Keys& keys, int min_depth, int max_depth,
            std::initializer_list<std::string_view> names) {
  for (const auto& [depth, key] : keys) {
    if (depth < min_depth || depth > max_depth) continue;
    for (std::string_view n : names) {
      if (key == n) return true;
    }
  }
  return false;
}

bool HasKeyIgnoreCase(const Keys& keys, std::initializer_list<std::string_view> names) {
  for (const auto& [depth, key] : keys) {
    if (depth != 1) continue;
    for (std::string_view n : names) {
      if (jsonl::EqualsIgnoreCase(key, n)) return true;
    }
  }
  return false;
}

Kind Classify(char top, const Keys& k) {
  constexpr int kDeep = 1 << 20;
  if (top == '[') {
    if (HasKey(k, 2, 2, {"traceId"}) && HasKey(k, 2, 2, {"id"})) return Kind::kZipkin;
    if (HasKey(k, 2, 2, {"spanID"}) && HasKey(k, 2, 2, {"operationName"})) return Kind::kJaeger;
    return Kind::kOther;
  }
  if (top != '{') return Kind::kOther;
  if (HasKey(k, 1, 1, {"resourceSpans", "resourceLogs"})) return Kind::kOtlp;
  if (HasKey(k, 1, 1, {"faults"})) return Kind::kGroundTruth;
  if (HasKey(k, 1, 1, {"data"}) &&
      HasKey(k, 2, kDeep, {"traceID", "spanID", "operationName", "processes"})) {
    return Kind::kJaeger;
  }
  if (HasKey(k, 1, 1, {"traceID"}) && HasKey(k, 1, 1, {"spans"})) return Kind::kJaeger;
  if (HasKey(k, 1, 1, {"traceId"}) && HasKey(k, 1, 1, {"id"})) return Kind::kZipkin;
  bool stream = HasKeyIgnoreCase(k, {"stream", "stream_id", "streamId", "aggregate_id",
                                     "aggregateId", "aggregate", "stream_name", "streamName"});
  bool version =
      HasKeyIgnoreCase(k, {"version", "stream_version", "streamVersion", "revision", "sequence",
                           "seq", "event_number", "eventNumber", "position"});
  bool type = HasKeyIgnoreCase(k, {"type", "event_type", "eventType"});
  bool message = HasKeyIgnoreCase(k, {"message", "msg", "log", "@m", "@mt"});
  // An event needs a stream and a version, or a stream and a type without a log message
  // (Docker's json-file logs have "stream":"stdout" and are logs).
  if (stream && (version || (type && !message))) return Kind::kEvent;
  bool time = HasKeyIgnoreCase(k, {"timestamp", "@timestamp", "time", "ts", "timestamp_ns",
                                   "datetime", "@t", "timeUnixNano", "time_unix_nano"});
  if (time && (message || HasKeyIgnoreCase(k, {"body"}))) return Kind::kLog;
  return Kind::kOther;
}

Format FormatOf(Kind kind) {
  switch (kind) {
    case Kind::kOtlp:
      return Format::kOtlpJson;
    case Kind::kJaeger:
      return Format::kJaegerJson;
    case Kind::kZipkin:
      return Format::kZipkinJson;
    case Kind::kGroundTruth:
      return Format::kGroundTruth;
    case Kind::kLog:
      return Format::kJsonLogs;
    case Kind::kEvent:
      return Format::kEventsJsonl;
    default:
      return Format::kAuto;
  }
}

// JSON detection. Sets *is_json to false when the head is not JSON at all (so the caller can
// try text logs); returns kAuto for JSON of no known shape.
Format DetectJson(std::string_view s, size_t start, bool* is_json) {
  Keys keys;
  size_t pos = start;
  ScanResult r = ScanValue(s, &pos, &keys);
  *is_json = r != ScanResult::kBad;
  if (r == ScanResult::kBad) return Format::kAuto;
  Kind first = Classify(s[start], keys);
  if (r == ScanResult::kTruncated) return FormatOf(first);
  // One document, or one value per line?
  size_t rest = pos;
  while (rest < s.size() && (s[rest] == ' ' || s[rest] == '\t' || s[rest] == '\r')) ++rest;
  if (rest >= s.size() || s.find_first_not_of(" \t\r\n", rest) == std::string_view::npos) {
    return FormatOf(first);
  }
  if (s[rest] != '\n') {
    *is_json = false;  // text after the value on the same line: not JSON
    return Format::kAuto;
  }
  if (first != Kind::kLog && first != Kind::kEvent && first != Kind::kOther) {
    return FormatOf(first);
  }
  // JSON lines of records: judge each complete line.
  size_t logs = 0, events = 0, lines = 0;
  size_t line_start = start;
  while (line_start < s.size() && lines < 200) {
    size_t nl = s.find('\n', line_start);
    if (nl == std::string_view::npos) break;  // the last line may be cut: ignore it
    std::string_view line = s.substr(line_start, nl - line_start);
    line_start = nl + 1;
    size_t p = line.find_first_not_of(" \t\r");
    if (p == std::string_view::npos) continue;
    ++lines;
    keys.clear();
    size_t q = p;
    if (ScanValue(line, &q, &keys) != ScanResult::kOk) continue;
    Kind k = Classify(line[p], keys);
    logs += k == Kind::kLog;
    events += k == Kind::kEvent;
  }
  if (lines == 0) return FormatOf(first);
  if (events > logs && events * 2 >= lines) return Format::kEventsJsonl;
  if (logs > 0 && logs >= events && logs * 2 >= lines) return Format::kJsonLogs;
  return Format::kAuto;
}

bool HasTimestampedLine(std::string_view s) {
  int year = CurrentUtcYear();
  size_t pos = 0;
  for (int checked = 0; checked < 50 && pos < s.size();) {
    size_t nl = s.find('\n', pos);
    std::string_view line = s.substr(pos, nl == std::string_view::npos ? s.npos : nl - pos);
    pos = nl == std::string_view::npos ? s.size() : nl + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
    ++checked;
    LogLineHeader h;
    if (ParseLogLineHeader(line, year, &h)) return true;
  }
  return false;
}

}  // namespace

Format DetectFormat(std::string_view file_name, std::string_view head) {
  std::string_view name = PlainName(file_name);
  if (jsonl::EqualsIgnoreCase(name, "ground_truth.json")) return Format::kGroundTruth;
  if (head.size() > kHeadBytes) head = head.substr(0, kHeadBytes);
  if (head.empty()) return Format::kAuto;

  const bool proto_name = EndsWithIgnoreCase(name, ".pb") || EndsWithIgnoreCase(name, ".bin") ||
                          EndsWithIgnoreCase(name, ".protobuf");
  const size_t non_text = NonTextBytes(head);
  if (static_cast<uint8_t>(head[0]) == 0x0a && (proto_name || non_text > 0) &&
      LooksLikeOtlpProto(head)) {
    return Format::kOtlpProto;
  }
  // Binary: more than 2% of the head is not text. A few invalid UTF-8 bytes in a short text
  // file (one line of a log) do not make it binary; a NUL byte does (it counts 100).
  if (non_text * 50 > head.size() && non_text >= 16) return Format::kAuto;

  size_t start = 0;
  if (head.substr(0, 3) == "\xef\xbb\xbf") start = 3;
  start = head.find_first_not_of(" \t\r\n", start);
  if (start == std::string_view::npos) return Format::kAuto;
  if (head[start] == '{' || head[start] == '[') {
    bool is_json = false;
    Format f = DetectJson(head, start, &is_json);
    if (is_json) return f;
  }
  // Tables and documents are not logs, even with a timestamp in the first column.
  for (std::string_view ext : {".csv", ".tsv", ".md"}) {
    if (EndsWithIgnoreCase(name, ext)) return Format::kAuto;
  }
  if (HasTimestampedLine(head.substr(start))) return Format::kTextLogs;
  for (std::string_view ext : {".log", ".out", ".err", ".txt"}) {
    if (EndsWithIgnoreCase(name, ext)) return Format::kTextLogs;
  }
  // Rotated logs: app.log.1
  size_t dot = name.rfind('.');
  if (dot != std::string_view::npos && dot > 4 &&
      name.find_first_not_of("0123456789", dot + 1) == std::string_view::npos &&
      EndsWithIgnoreCase(name.substr(0, dot), ".log")) {
    return Format::kTextLogs;
  }
  return Format::kAuto;
}

}  // namespace ddbg
