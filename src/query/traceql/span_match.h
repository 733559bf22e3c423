// Evaluates TraceQL span conditions on the rows of a SpanBatch: attribute lookups by scope
// (span, resource, event, link, instrumentation, unscoped), typed comparisons, regexes.
// Trace-level intrinsics (rootServiceName, rootName, traceDuration) come from a TraceInfo;
// without one they are unknown and the three-valued EvalTri says so (used to prefilter rows
// before whole traces are gathered). Thread-safety: one matcher per thread and batch.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

#include "ddbg/model.h"
#include "query/traceql/ast.h"

namespace ddbg::traceql {

struct TraceInfo {
  std::string_view root_service;
  std::string_view root_name;
  int64_t duration_ns = 0;
};

// A span field's value.
struct Value {
  enum class Type : uint8_t { kNil, kString, kInt, kFloat, kBool, kDuration, kStatus, kKind };
  Type type = Type::kNil;
  std::string_view s;
  int64_t i = 0;
  double f = 0;
  std::string owned;  // backing of s for values rendered as text (arrays, maps, bytes)
};

enum class Tri : uint8_t { kFalse, kTrue, kUnknown };

// True when `v` satisfies `op lit` (or the regex of `c`).
bool CompareValue(const Value& v, const Cond& c);

class SpanMatcher {
 public:
  explicit SpanMatcher(const SpanBatch& batch) : b_(batch) {}

  bool Eval(const Cond& c, size_t row, const TraceInfo& trace);
  Tri EvalTri(const Cond& c, size_t row);  // trace-level intrinsics unknown
  // Calls fn(value) for each value of the field on the row (several for event/link scopes);
  // stops when fn returns true and returns whether it did.
  template <typename Fn>
  bool AnyValue(const Field& f, size_t row, const TraceInfo* trace, Fn&& fn);
  // The first value (nil when absent).
  Value First(const Field& f, size_t row, const TraceInfo* trace);
  const SpanBatch& batch() const { return b_; }

 private:
  int64_t KeyId(const std::string& key);
  bool Intrinsic(const Field& f, size_t row, const TraceInfo* trace, Value* v);
  template <typename Fn>
  bool AnyIn(const AttrColumns& a, uint32_t begin, uint32_t end, int64_t key, Fn&& fn);
  Value AttrValue(const AttrColumns& a, size_t i);

  const SpanBatch& b_;
  std::unordered_map<std::string, int64_t> key_ids_;
};

}  // namespace ddbg::traceql
