#include "query/traceql/trace_eval.h"

#include <algorithm>
#include <map>
#include <unordered_map>

namespace ddbg::traceql {
namespace {

using SpanList = std::vector<uint32_t>;  // sorted positions

void LinkParents(const SpanBatch& b, TraceView* t) {
  std::sort(t->rows.begin(), t->rows.end(), [&b](uint32_t x, uint32_t y) {
    return b.start_ns[x] != b.start_ns[y] ? b.start_ns[x] < b.start_ns[y] : x < y;
  });
  std::unordered_map<SpanId, int32_t> pos;
  pos.reserve(t->rows.size());
  for (size_t p = 0; p < t->rows.size(); ++p) pos.emplace(b.span_id[t->rows[p]], static_cast<int32_t>(p));
  t->parent.assign(t->rows.size(), -1);
  t->start_ns = b.start_ns[t->rows[0]];
  t->end_ns = b.end_ns[t->rows[0]];
  for (size_t p = 0; p < t->rows.size(); ++p) {
    uint32_t r = t->rows[p];
    t->start_ns = std::min(t->start_ns, b.start_ns[r]);
    t->end_ns = std::max(t->end_ns, b.end_ns[r]);
    if (b.parent_span_id[r] == 0) {
      if (t->root < 0) t->root = static_cast<int32_t>(p);
      continue;
    }
    auto it = pos.find(b.parent_span_id[r]);
    if (it != pos.end() && it->second != static_cast<int32_t>(p)) t->parent[p] = it->second;
  }
  t->info.duration_ns = t->end_ns - t->start_ns;
  if (t->root >= 0) {
    uint32_t r = t->rows[static_cast<size_t>(t->root)];
    t->info.root_service = b.dict.Get(b.service[r]);
    t->info.root_name = b.dict.Get(b.name[r]);
  }
}

SpanList Filter(const Cond& c, const TraceView& t, SpanMatcher& m, const TimeRange& time) {
  SpanList out;
  const SpanBatch& b = m.batch();
  for (uint32_t p = 0; p < t.rows.size(); ++p) {
    uint32_t r = t.rows[p];
    if (time.Contains(b.start_ns[r]) && m.Eval(c, r, t.info)) out.push_back(p);
  }
  return out;
}

SpanList Union(const SpanList& a, const SpanList& b) {
  SpanList out;
  std::set_union(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  return out;
}

// Spans of `rhs` related to some span of `lhs` as the structural operator says.
SpanList Structural(SpansetExpr::Kind kind, const SpanList& lhs, const SpanList& rhs,
                    const TraceView& t) {
  std::vector<char> in_lhs(t.rows.size(), 0);
  for (uint32_t p : lhs) in_lhs[p] = 1;
  SpanList out;
  for (uint32_t p : rhs) {
    int32_t parent = t.parent[p];
    bool keep = false;
    if (kind == SpansetExpr::Kind::kChild) {
      keep = parent >= 0 && in_lhs[static_cast<size_t>(parent)];
    } else if (kind == SpansetExpr::Kind::kDescendant) {
      // Bounded walk: a broken trace with a parent cycle must not loop forever.
      for (size_t steps = 0; parent >= 0 && steps < t.rows.size() && !keep; ++steps) {
        keep = in_lhs[static_cast<size_t>(parent)];
        parent = t.parent[static_cast<size_t>(parent)];
      }
    } else {
      for (uint32_t q : lhs) {
        if (q != p && parent >= 0 && t.parent[q] == parent) {
          keep = true;
          break;
        }
      }
    }
    if (keep) out.push_back(p);
  }
  return out;
}

SpanList EvalSpanset(const SpansetExpr& e, const TraceView& t, SpanMatcher& m,
                     const TimeRange& time) {
  using K = SpansetExpr::Kind;
  if (e.kind == K::kFilter) return Filter(e.filter, t, m, time);
  SpanList lhs = EvalSpanset(*e.lhs, t, m, time);
  if (e.kind == K::kAnd && lhs.empty()) return {};
  if (e.kind != K::kOr && e.kind != K::kAnd && lhs.empty()) return {};
  SpanList rhs = EvalSpanset(*e.rhs, t, m, time);
  switch (e.kind) {
    case K::kOr: return Union(lhs, rhs);
    case K::kAnd: return rhs.empty() ? SpanList{} : Union(lhs, rhs);
    default: return Structural(e.kind, lhs, rhs, t);
  }
}

Value NumberValue(double v, bool duration) {
  Value out;
  out.type = duration ? Value::Type::kDuration : Value::Type::kFloat;
  out.f = v;
  out.i = static_cast<int64_t>(v);
  return out;
}

// The aggregate of a numeric field over a spanset; nil when no span has a number.
Value Aggregate(const Stage& s, const SpanSet& set, const TraceView& t, SpanMatcher& m) {
  double acc = 0;
  size_t n = 0;
  bool duration = false;
  for (uint32_t p : set.spans) {
    Value v = m.First(s.fields[0], t.rows[p], &t.info);
    double x;
    if (v.type == Value::Type::kInt || v.type == Value::Type::kDuration) x = static_cast<double>(v.i);
    else if (v.type == Value::Type::kFloat) x = v.f;
    else continue;
    duration = v.type == Value::Type::kDuration;
    if (n == 0) acc = x;
    else if (s.agg == Stage::Agg::kMin) acc = std::min(acc, x);
    else if (s.agg == Stage::Agg::kMax) acc = std::max(acc, x);
    else acc += x;
    ++n;
  }
  if (n == 0) return Value();
  if (s.agg == Stage::Agg::kAvg) acc /= static_cast<double>(n);
  return NumberValue(acc, duration);
}

bool StageKeeps(const Stage& s, const Value& v) {
  if (v.type == Value::Type::kNil) return false;
  Cond c;
  c.op = s.op;
  c.value = s.value;
  Value cmp = v;
  // Aggregates are compared as numbers; a duration literal against a duration value.
  if (cmp.type == Value::Type::kDuration && s.value.type == Literal::Type::kDuration) {
    cmp.i = static_cast<int64_t>(cmp.f);
  } else {
    cmp.type = Value::Type::kFloat;
    c.value.type = Literal::Type::kFloat;
  }
  return CompareValue(cmp, c);
}

std::string ValueKey(const Value& v) {
  switch (v.type) {
    case Value::Type::kNil: return "nil";
    case Value::Type::kString: return "s" + std::string(v.s);
    case Value::Type::kFloat: return "f" + std::to_string(v.f);
    default: return "i" + std::to_string(v.i);
  }
}

std::vector<SpanSet> SplitBy(const Stage& s, const SpanSet& set, const TraceView& t,
                             SpanMatcher& m) {
  std::map<std::string, SpanSet> groups;
  for (uint32_t p : set.spans) {
    std::string key;
    std::vector<Value> values;
    for (const Field& f : s.fields) {
      values.push_back(m.First(f, t.rows[p], &t.info));
      if (!values.back().owned.empty()) values.back().s = values.back().owned;
      key += ValueKey(values.back()) + '\0';
    }
    SpanSet& g = groups[key];
    if (g.spans.empty()) {
      g.labels = set.labels;
      for (size_t i = 0; i < s.fields.size(); ++i) {
        g.labels.push_back({"by(" + s.fields[i].text + ")", values[i]});
        LabeledValue& lv = g.labels.back();
        if (!lv.value.owned.empty()) lv.value.s = lv.value.owned;
      }
    }
    g.spans.push_back(p);
  }
  std::vector<SpanSet> out;
  for (auto& [k, g] : groups) out.push_back(std::move(g));
  return out;
}

void RunStage(const Stage& s, const TraceView& t, SpanMatcher& m, const TimeRange& time,
              std::vector<SpanSet>* sets) {
  std::vector<SpanSet> next;
  for (SpanSet& set : *sets) {
    switch (s.kind) {
      case Stage::Kind::kBy:
        for (SpanSet& g : SplitBy(s, set, t, m)) next.push_back(std::move(g));
        break;
      case Stage::Kind::kCount: {
        Value n = NumberValue(static_cast<double>(set.spans.size()), false);
        if (!StageKeeps(s, n)) break;
        set.labels.push_back({s.text, n});
        next.push_back(std::move(set));
        break;
      }
      case Stage::Kind::kAggregate: {
        Value v = Aggregate(s, set, t, m);
        if (!StageKeeps(s, v)) break;
        set.labels.push_back({s.text, v});
        next.push_back(std::move(set));
        break;
      }
      case Stage::Kind::kFilter: {
        SpanList kept;
        const SpanBatch& b = m.batch();
        for (uint32_t p : set.spans) {
          if (time.Contains(b.start_ns[t.rows[p]]) && m.Eval(s.filter, t.rows[p], t.info)) kept.push_back(p);
        }
        if (kept.empty()) break;
        set.spans = std::move(kept);
        next.push_back(std::move(set));
        break;
      }
      case Stage::Kind::kSelect:
        next.push_back(std::move(set));
        break;
    }
  }
  *sets = std::move(next);
}

}  // namespace

std::vector<TraceView> GroupTraces(const SpanBatch& b) {
  std::vector<TraceView> out;
  std::map<TraceId, size_t> index;
  for (uint32_t r = 0; r < b.size(); ++r) {
    auto [it, fresh] = index.emplace(b.trace_id[r], out.size());
    if (fresh) {
      out.emplace_back();
      out.back().id = b.trace_id[r];
    }
    out[it->second].rows.push_back(r);
  }
  for (TraceView& t : out) LinkParents(b, &t);
  return out;
}

std::vector<SpanSet> EvalTrace(const Query& q, const TraceView& t, SpanMatcher& m,
                               const TimeRange& time) {
  SpanList spans = EvalSpanset(*q.root, t, m, time);
  if (spans.empty()) return {};
  std::vector<SpanSet> sets(1);
  sets[0].spans = std::move(spans);
  for (const Stage& s : q.stages) {
    RunStage(s, t, m, time, &sets);
    if (sets.empty()) break;
  }
  return sets;
}

}  // namespace ddbg::traceql
