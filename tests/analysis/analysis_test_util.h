// Helpers of the analysis tests: decoding a file of real data into a batch, hand-built
// traces, and printing span ids the way the fixtures spell them.
#pragma once

#include <gtest/gtest.h>

#include <cctype>
#include <string>
#include <vector>

#include "ddbg/decode.h"
#include "ddbg/model.h"

namespace ddbg::analysis_test {

inline std::string DataPath(const std::string& rel) {
  return std::string(DDBG_SHARED_DATA) + "/" + rel;
}

inline SpanBatch DecodeText(Format format, const std::string& text) {
  DecodeContext ctx("test");
  Status st = DecodeBuffer(format, text, ctx);
  EXPECT_TRUE(st.ok()) << st.ToString();
  return std::move(ctx.spans);
}

inline SpanBatch DecodeFile(const std::string& path) {
  Result<std::string> data = ReadFileDecompressed(path);
  EXPECT_TRUE(data.ok()) << path;
  if (!data.ok()) return {};
  Format f = DetectFormat(path, *data);
  return DecodeText(f, *data);
}

// The span id as the source wrote it: jaeger.span_id for non-hex ids, else the hex without
// leading zeros in upper case ("A" for CRISP's span "A").
inline std::string SpanLabel(const SpanBatch& b, size_t row) {
  bool in_resource = false;
  int64_t a = b.FindAttr(row, "jaeger.span_id", &in_resource);
  if (a >= 0 && !in_resource) return b.attrs.ValueText(b.dict, a);
  std::string hex = SpanIdToHex(b.span_id[row]);
  size_t nz = hex.find_first_not_of('0');
  hex = nz == std::string::npos ? "0" : hex.substr(nz);
  for (char& c : hex) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return hex;
}

// A hand-built span: times in ms from 0.
struct HandSpan {
  SpanId id;
  SpanId parent;
  const char* service;
  const char* op;
  int64_t start_ms;
  int64_t end_ms;
  bool error = false;
  SpanKind kind = SpanKind::kInternal;
  const char* instance = nullptr;
  const char* message = nullptr;
};

inline void AddHandTrace(SpanBatch* b, TraceId trace, const std::vector<HandSpan>& spans,
                         int64_t base_ns = 1700000000000000000LL) {
  for (const HandSpan& s : spans) {
    if (s.instance) {
      b->resources.attrs.AddString(b->dict.Intern("service.instance.id"),
                                   b->dict.Intern(s.instance));
    }
    SpanRow row;
    row.trace_id = trace;
    row.span_id = s.id;
    row.parent_span_id = s.parent;
    row.resource = b->CommitResource(b->dict.Intern(s.service));
    row.name = b->dict.Intern(s.op);
    row.kind = s.kind;
    row.start_ns = base_ns + s.start_ms * 1000000;
    row.end_ns = base_ns + s.end_ms * 1000000;
    row.status = s.error ? SpanStatus::kError : SpanStatus::kUnset;
    if (s.message) row.status_message = b->dict.Intern(s.message);
    b->CommitSpan(row);
  }
}

}  // namespace ddbg::analysis_test
