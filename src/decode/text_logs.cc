// Plain-text log lines. Each line that opens with a recognised timestamp starts a record (see
// log_line_header.h for the layouts); the body is the whole original line, so nothing is
// lost. Lines without a timestamp that continue a record (indented lines, `at …`, `Caused
// by:`, exception headers, Python tracebacks) are appended to it with '\n'. Any other line
// without a timestamp becomes its own record with the previous record's time; before any
// timestamp it gets time 0 and counts as a warning. Layouts without a year (syslog, klog)
// take the current UTC year, since a buffer carries no file date; layouts with only a time of
// day count from 1970-01-01. The service is the file name's stem (payment.log -> payment).
// Trace and span ids written in the line (trace_id=…, traceId: …, TraceID: …) are extracted.
#include <fmt/format.h>

#include <string>

#include "ddbg/decode.h"
#include "decode/log_line_header.h"

namespace ddbg {
namespace {

bool IsHex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
bool IsWordChar(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

bool StartsWithIgnoreCase(std::string_view s, size_t p, std::string_view word) {
  if (p + word.size() > s.size()) return false;
  for (size_t i = 0; i < word.size(); ++i) {
    if (Lower(s[p + i]) != word[i]) return false;
  }
  return true;
}

// After "trace"/"span" at s[p]: an optional '_', '-' or '.', "id", an optional closing quote,
// ':' or '=', optional spaces and an opening quote, then a hex run with a clean end.
// Returns the hex run or an empty view.
std::string_view IdValueAfter(std::string_view s, size_t p) {
  if (p < s.size() && (s[p] == '_' || s[p] == '-' || s[p] == '.')) ++p;
  if (!StartsWithIgnoreCase(s, p, "id")) return {};
  p += 2;
  if (p < s.size() && (s[p] == '"' || s[p] == '\'')) ++p;
  while (p < s.size() && s[p] == ' ') ++p;
  if (p >= s.size() || (s[p] != ':' && s[p] != '=')) return {};
  ++p;
  while (p < s.size() && (s[p] == ' ' || s[p] == '"' || s[p] == '\'')) ++p;
  size_t e = p;
  while (e < s.size() && IsHex(s[e])) ++e;
  if (e < s.size() && IsWordChar(s[e])) return {};
  return s.substr(p, e - p);
}

// Finds trace_id / span_id tokens written in the line.
void FindIds(std::string_view s, TraceId* trace, SpanId* span) {
  for (size_t i = 0; i + 7 < s.size(); ++i) {
    char c = Lower(s[i]);
    if (c != 't' && c != 's') continue;
    if (i > 0 && IsWordChar(s[i - 1])) continue;
    if (c == 't' && trace->empty() && StartsWithIgnoreCase(s, i, "trace")) {
      std::string_view hex = IdValueAfter(s, i + 5);
      if (hex.size() == 16 || hex.size() == 32) ParseTraceIdHex(hex, trace);
    } else if (c == 's' && *span == 0 && StartsWithIgnoreCase(s, i, "span")) {
      std::string_view hex = IdValueAfter(s, i + 4);
      if (hex.size() == 16) ParseSpanIdHex(hex, span);
    }
  }
}

// A line without a timestamp that belongs to the record before it.
bool IsContinuation(std::string_view line) {
  if (line.empty()) return false;
  if (line[0] == ' ' || line[0] == '\t') return true;
  for (std::string_view prefix : {"at ", "Caused by:", "Suppressed:", "... ", "Traceback ("}) {
    if (line.substr(0, prefix.size()) == prefix) return true;
  }
  // An exception header: java.lang.IllegalStateException: …, ValueError: …
  size_t end = 0;
  while (end < line.size() && (IsWordChar(line[end]) || line[end] == '.' || line[end] == '$')) {
    ++end;
  }
  std::string_view name = line.substr(0, end);
  if (end < line.size() && line[end] != ':') return false;
  for (std::string_view suffix : {"Exception", "Error", "Throwable"}) {
    if (name.size() > suffix.size() && name.substr(name.size() - suffix.size()) == suffix) {
      return true;
    }
  }
  return false;
}

// Text, not binary: no NUL bytes and few other control characters in the first bytes.
bool LooksLikeText(std::string_view data) {
  std::string_view head = data.substr(0, 4096);
  size_t control = 0;
  for (char ch : head) {
    auto c = static_cast<unsigned char>(ch);
    if (c == 0) return false;
    if (c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != '\f' && c != 0x1b) ++control;
  }
  return control * 20 <= head.size();
}

class TextLogDecoder {
 public:
  explicit TextLogDecoder(DecodeContext& ctx)
      : ctx_(ctx), service_(ServiceFromSource(ctx.source())), year_(CurrentUtcYear()) {}

  Status Run(std::string_view data) {
    if (!LooksLikeText(data)) {
      return Status::InvalidArgument(
          fmt::format("{}: binary data, not text log lines", ctx_.source()));
    }
    size_t pos = 0;
    uint64_t number = 0;
    while (pos < data.size()) {
      size_t nl = data.find('\n', pos);
      size_t end = nl == std::string_view::npos ? data.size() : nl;
      std::string_view line = data.substr(pos, end - pos);
      pos = nl == std::string_view::npos ? data.size() : nl + 1;
      ++number;
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (line.find_first_not_of(" \t\f\v") == std::string_view::npos) continue;
      LogLineHeader h;
      if (ParseLogLineHeader(line, year_, &h)) {
        DDBG_RETURN_IF_ERROR(Commit());
        Start(line, h.time_ns, h.severity_number, h.level);
        last_time_ = h.time_ns;
        have_time_ = true;
      } else if (pending_ && IsContinuation(line)) {
        if (body_.empty()) body_.assign(first_line_);
        body_.push_back('\n');
        body_.append(line);
      } else {
        DDBG_RETURN_IF_ERROR(Commit());
        if (!have_time_) ctx_.Warn();  // time 0: nothing earlier to borrow from
        Start(line, last_time_, 0, {});
      }
    }
    return Commit();
  }

 private:
  void Start(std::string_view line, int64_t time_ns, uint8_t severity, std::string_view level) {
    pending_ = true;
    first_line_ = line;
    body_.clear();
    row_ = LogRow();
    row_.time_ns = time_ns;
    row_.observed_ns = time_ns;
    row_.severity_number = severity;
    level_ = level;
    FindIds(line, &row_.trace_id, &row_.span_id);
  }

  Status Commit() {
    if (!pending_) return Status::Ok();
    pending_ = false;
    LogBatch& logs = ctx_.logs;
    if (logs.resources.size() == 0) {  // a new batch (start, or after a flush)
      logs.resources.attrs.AddString(logs.dict.Intern("service.name"), logs.dict.Intern(service_));
      resource_ = logs.CommitResource(logs.dict.Intern(service_));
      logs.CommitScope(kEmptyStr, kEmptyStr);
    }
    row_.resource = resource_;
    row_.severity_text = level_.empty() ? kEmptyStr : logs.dict.Intern(level_);
    row_.body = logs.dict.Intern(body_.empty() ? first_line_ : std::string_view(body_));
    logs.CommitLog(row_);
    return ctx_.MaybeFlush();
  }

  DecodeContext& ctx_;
  std::string_view service_;
  int year_;
  bool pending_ = false;
  std::string_view first_line_;
  std::string body_;  // used only when continuation lines are joined
  std::string_view level_;
  LogRow row_;
  uint32_t resource_ = 0;
  int64_t last_time_ = 0;
  bool have_time_ = false;
};

}  // namespace

Status DecodeTextLogs(std::string_view data, DecodeContext& ctx) {
  return TextLogDecoder(ctx).Run(data);
}

}  // namespace ddbg
