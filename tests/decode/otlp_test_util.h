// Helpers for the OTLP decoder tests: reading shared test data, summarising a span batch, and
// putting batches in a canonical row order so that SameContent can compare two decodes.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "ddbg/decode.h"
#include "ddbg/model.h"

namespace ddbg::otlp_test {

inline std::string DataPath(std::string_view rel) {
  return std::string(DDBG_SHARED_DATA) + "/" + std::string(rel);
}

// The file's bytes, gunzipped when compressed.
inline std::string ReadData(std::string_view rel) {
  Result<std::string> r = ReadFileDecompressed(DataPath(rel));
  EXPECT_TRUE(r.ok()) << rel << ": " << r.status().ToString();
  return r.ok() ? std::move(r).value() : std::string();
}

struct SpanSummary {
  size_t spans = 0;
  size_t traces = 0;
  size_t services = 0;
  size_t errors = 0;
  size_t roots = 0;
};

inline SpanSummary Summarize(const SpanBatch& b) {
  SpanSummary s;
  s.spans = b.size();
  std::set<TraceId> traces(b.trace_id.begin(), b.trace_id.end());
  s.traces = traces.size();
  std::set<std::string_view> services;
  for (size_t i = 0; i < b.size(); ++i) {
    services.insert(b.dict.Get(b.service[i]));
    s.errors += b.status[i] == SpanStatus::kError;
    s.roots += b.parent_span_id[i] == 0;
  }
  s.services = services.size();
  return s;
}

// A copy of `b` with rows ordered by (trace id, span id, start).
inline SpanBatch SortedSpans(const SpanBatch& b) {
  std::vector<size_t> order(b.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](size_t x, size_t y) {
    return std::tie(b.trace_id[x], b.span_id[x], b.start_ns[x]) <
           std::tie(b.trace_id[y], b.span_id[y], b.start_ns[y]);
  });
  SpanBatch out;
  SpanRowCopier copier(b, &out);
  for (size_t i : order) copier.Copy(i);
  return out;
}

// A copy of `b` with rows ordered by (time, body).
inline LogBatch SortedLogs(const LogBatch& b) {
  std::vector<size_t> order(b.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](size_t x, size_t y) {
    return std::make_tuple(b.time_ns[x], b.dict.Get(b.body[x])) <
           std::make_tuple(b.time_ns[y], b.dict.Get(b.body[y]));
  });
  LogBatch out;
  LogRowCopier copier(b, &out);
  for (size_t i : order) copier.Copy(i);
  return out;
}

// The text of attribute `key` on span i (not its resource), or "<absent>".
inline std::string SpanAttr(const SpanBatch& b, size_t i, std::string_view key) {
  for (uint32_t a = b.attr_off.begin(i); a < b.attr_off.end(i); ++a) {
    if (b.dict.Get(b.attrs.key[a]) == key) return b.attrs.ValueText(b.dict, a);
  }
  return "<absent>";
}

inline std::vector<std::string> Reasons(const DecodeContext& ctx) {
  std::vector<std::string> out;
  for (const Rejection& r : ctx.stats.rejections) out.push_back(r.reason);
  return out;
}

}  // namespace ddbg::otlp_test
