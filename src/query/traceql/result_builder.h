// Turns evaluated spansets of a trace into the public TraceHit: the trace summary (root,
// bounds, span count) and each spanset's first spans with the attributes the query reads.
// Thread-safety: one builder per thread.
#pragma once

#include <vector>

#include "ddbg/traceql.h"
#include "query/traceql/trace_eval.h"

namespace ddbg::traceql {

// A Value as a typed result attribute.
ResultAttr ToResultAttr(const std::string& key, const Value& v);

class ResultBuilder {
 public:
  ResultBuilder(const Query& q, const SpanBatch& b, SpanMatcher& m, size_t spans_per_spanset)
      : fields_(ReferencedAttributes(q)), b_(b), m_(m), per_set_(spans_per_spanset) {}
  TraceHit Hit(const TraceView& t, const std::vector<SpanSet>& sets);

 private:
  MatchedSpan Span(const TraceView& t, uint32_t pos);
  std::vector<Field> fields_;
  const SpanBatch& b_;
  SpanMatcher& m_;
  size_t per_set_;
};

}  // namespace ddbg::traceql
