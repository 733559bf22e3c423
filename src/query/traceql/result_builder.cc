#include "query/traceql/result_builder.h"

#include <cstdio>

namespace ddbg::traceql {

ResultAttr ToResultAttr(const std::string& key, const Value& v) {
  ResultAttr a;
  a.key = key;
  switch (v.type) {
    case Value::Type::kInt:
    case Value::Type::kDuration:
      a.type = AttrType::kInt;
      a.int_value = v.i;
      a.text = std::to_string(v.i);
      break;
    case Value::Type::kFloat: {
      a.type = AttrType::kDouble;
      a.double_value = v.f;
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.17g", v.f);
      a.text = buf;
      if (v.f == static_cast<double>(static_cast<int64_t>(v.f))) a.text = std::to_string(static_cast<int64_t>(v.f));
      break;
    }
    case Value::Type::kBool:
      a.type = AttrType::kBool;
      a.int_value = v.i;
      a.text = v.i ? "true" : "false";
      break;
    case Value::Type::kStatus:
      a.text = SpanStatusName(static_cast<SpanStatus>(v.i));
      break;
    case Value::Type::kKind:
      a.text = SpanKindName(static_cast<SpanKind>(v.i));
      break;
    case Value::Type::kNil:
      a.text = "nil";
      break;
    case Value::Type::kString:
      a.text = std::string(v.s);
      break;
  }
  return a;
}

MatchedSpan ResultBuilder::Span(const TraceView& t, uint32_t pos) {
  uint32_t r = t.rows[pos];
  MatchedSpan s;
  s.span_id = b_.span_id[r];
  s.service = b_.dict.Get(b_.service[r]);
  s.name = b_.dict.Get(b_.name[r]);
  s.start_ns = b_.start_ns[r];
  s.duration_ns = b_.end_ns[r] - b_.start_ns[r];
  for (const Field& f : fields_) {
    Value v = m_.First(f, r, &t.info);
    if (v.type == Value::Type::kNil) continue;
    s.attributes.push_back(ToResultAttr(f.key, v));
  }
  return s;
}

TraceHit ResultBuilder::Hit(const TraceView& t, const std::vector<SpanSet>& sets) {
  TraceHit h;
  h.trace_id = t.id;
  h.root_service = std::string(t.info.root_service);
  h.root_name = std::string(t.info.root_name);
  h.start_ns = t.start_ns;
  h.duration_ns = t.end_ns - t.start_ns;
  h.span_count = t.rows.size();
  for (const SpanSet& set : sets) {
    ResultSpanSet out;
    out.matched = set.spans.size();
    for (size_t i = 0; i < set.spans.size() && (per_set_ == 0 || i < per_set_); ++i) {
      out.spans.push_back(Span(t, set.spans[i]));
    }
    for (const LabeledValue& l : set.labels) out.attributes.push_back(ToResultAttr(l.key, l.value));
    h.spansets.push_back(std::move(out));
  }
  return h;
}

}  // namespace ddbg::traceql
