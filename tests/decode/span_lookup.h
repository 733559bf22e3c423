// Test helpers to decode a file or string into a DecodeContext and look at the decoded spans
// by id, attribute and service. Used by the Jaeger, Zipkin and cross-format tests.
#pragma once

#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <string_view>

#include "ddbg/decode.h"
#include "ddbg/model.h"

namespace ddbg::testing {

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline std::string SharedData(std::string_view rel) {
  return std::string(DDBG_SHARED_DATA) + "/" + std::string(rel);
}

// Index of the span with this id (first match over all traces), or -1.
inline int64_t FindSpan(const SpanBatch& b, SpanId id) {
  for (size_t i = 0; i < b.size(); ++i) {
    if (b.span_id[i] == id) return static_cast<int64_t>(i);
  }
  return -1;
}

inline int64_t FindSpanHex(const SpanBatch& b, std::string_view hex) {
  SpanId id = 0;
  if (!ParseSpanIdHex(hex, &id)) return -1;
  return FindSpan(b, id);
}

// The text of span i's attribute `key` (span attributes only), or "<absent>".
inline std::string SpanAttr(const SpanBatch& b, size_t i, std::string_view key) {
  for (uint32_t a = b.attr_off.begin(i); a < b.attr_off.end(i); ++a) {
    if (b.dict.Get(b.attrs.key[a]) == key) return b.attrs.ValueText(b.dict, a);
  }
  return "<absent>";
}

inline AttrType SpanAttrType(const SpanBatch& b, size_t i, std::string_view key) {
  for (uint32_t a = b.attr_off.begin(i); a < b.attr_off.end(i); ++a) {
    if (b.dict.Get(b.attrs.key[a]) == key) return b.attrs.type[a];
  }
  return AttrType::kEmpty;
}

// The text of resource attribute `key` of span i's resource, or "<absent>".
inline std::string ResourceAttr(const SpanBatch& b, size_t i, std::string_view key) {
  uint32_t r = b.resource[i];
  for (uint32_t a = b.resources.attr_off.begin(r); a < b.resources.attr_off.end(r); ++a) {
    if (b.dict.Get(b.resources.attrs.key[a]) == key) {
      return b.resources.attrs.ValueText(b.dict, a);
    }
  }
  return "<absent>";
}

inline size_t CountWithAttr(const SpanBatch& b, std::string_view key) {
  size_t n = 0;
  for (size_t i = 0; i < b.size(); ++i) n += SpanAttr(b, i, key) != "<absent>";
  return n;
}

inline std::set<std::string> Services(const SpanBatch& b) {
  std::set<std::string> out;
  for (size_t i = 0; i < b.size(); ++i) out.emplace(b.dict.Get(b.service[i]));
  return out;
}

inline size_t CountErrors(const SpanBatch& b) {
  size_t n = 0;
  for (size_t i = 0; i < b.size(); ++i) n += b.status[i] == SpanStatus::kError;
  return n;
}

// True when no two spans of a trace share a span id.
inline bool UniqueIds(const SpanBatch& b) {
  std::set<std::pair<std::string, SpanId>> seen;
  for (size_t i = 0; i < b.size(); ++i) {
    if (!seen.emplace(TraceIdToHex(b.trace_id[i]), b.span_id[i]).second) return false;
  }
  return true;
}

inline std::string Rejections(const DecodeContext& ctx) {
  std::string out;
  for (const Rejection& r : ctx.stats.rejections) out += r.ToString() + "\n";
  return out;
}

}  // namespace ddbg::testing
