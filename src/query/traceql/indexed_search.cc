#include "query/traceql/indexed_search.h"

#include <roaring/roaring.hh>

#include <algorithm>
#include <map>
#include <unordered_map>
#include <unordered_set>

#include "ddbg/index_terms.h"
#include "query/traceql/plan.h"
#include "query/traceql/result_builder.h"

namespace ddbg::traceql {
namespace {

struct IdHash {
  size_t operator()(const TraceId& t) const { return t.hi ^ (t.lo * 0x9e3779b97f4a7c15ULL); }
};

// The columns both steps read: what a result needs, never the attributes.
constexpr uint32_t kStructure = kSegColTraceId | kSegColSpanId | kSegColParent | kSegColService |
                                kSegColName | kSegColTime | kSegColDict;
// Literals longer than this may exceed the store's indexed value length (256 bytes), whose
// postings then hold every row: such queries take the general plan.
constexpr size_t kMaxLiteralBytes = 200;

// One equality: the posting terms of its literal's stored forms, each with the value a row
// holding that term has.
struct Equality {
  const Field* field = nullptr;
  std::vector<std::string> terms;
  std::vector<Value> values;
};

bool Flatten(const Cond& c, std::vector<const Cond*>* out) {
  if (c.kind == Cond::Kind::kAnd) {
    for (const Cond& k : c.children) {
      if (!Flatten(k, out)) return false;
    }
    return true;
  }
  if (c.kind != Cond::Kind::kCmp || c.op != CmpOp::kEq) return false;
  out->push_back(&c);
  return true;
}

Value FormValue(const Literal& l, AttrType type) {
  Value v;
  switch (type) {
    case AttrType::kString: v.type = Value::Type::kString; v.s = l.str; break;
    case AttrType::kBool: v.type = Value::Type::kBool; v.i = l.i; break;
    case AttrType::kInt: v.type = Value::Type::kInt; v.i = l.i; break;
    default: v.type = Value::Type::kFloat; v.f = l.f; break;
  }
  return v;
}

bool ToEquality(const Cond& c, Equality* e) {
  const Field& f = c.field;
  const Literal& l = c.value;
  e->field = &f;
  if (l.type == Literal::Type::kString && l.str.size() > kMaxLiteralBytes) return false;
  if (f.scope == Scope::kIntrinsic) {
    if (l.type != Literal::Type::kString) return false;
    if (f.intrinsic == Intrinsic::kService) e->terms = {IndexTerm(TermField::kService, l.str)};
    else if (f.intrinsic == Intrinsic::kName) e->terms = {IndexTerm(TermField::kSpanName, l.str)};
    else return false;
    e->values.resize(1);
    return true;
  }
  if (f.scope != Scope::kSpan && f.scope != Scope::kResource) return false;
  if (l.type != Literal::Type::kString && l.type != Literal::Type::kInt &&
      l.type != Literal::Type::kBool) {
    return false;
  }
  TermField tf = f.scope == Scope::kSpan ? TermField::kAttr : TermField::kResourceAttr;
  for (const auto& [type, text] : LiteralForms(l)) {
    e->terms.push_back(IndexTerm(tf, f.key, type, text));
    e->values.push_back(FormValue(l, type));
  }
  return true;
}

bool Equalities(const Query& q, std::vector<Equality>* out) {
  if (!q.stages.empty() || !q.root || q.root->kind != SpansetExpr::Kind::kFilter) return false;
  std::vector<const Cond*> conds;
  if (!Flatten(q.root->filter, &conds)) return false;
  for (const Cond* c : conds) {
    Equality e;
    if (!ToEquality(*c, &e)) return false;
    out->push_back(std::move(e));
  }
  return !out->empty();
}

// The rows of one segment holding every equality, and per equality the rows of each form.
struct SegmentMatch {
  Roaring rows;
  std::vector<std::vector<Roaring>> forms;
};

// False when the segment cannot answer from its index.
Result<bool> MatchSegment(SegmentCursor& seg, const std::vector<Equality>& eqs, SegmentMatch* m) {
  if (!seg.has_index() || seg.segment_id() == 0) return false;
  m->forms.assign(eqs.size(), {});
  for (size_t i = 0; i < eqs.size(); ++i) {
    Roaring any;
    for (const std::string& term : eqs[i].terms) {
      Roaring r;
      DDBG_RETURN_IF_ERROR(seg.Postings(term, &r));
      any |= r;
      m->forms[i].push_back(std::move(r));
    }
    if (i == 0) m->rows = std::move(any);
    else m->rows &= any;
    if (m->rows.isEmpty()) break;
  }
  return true;
}

// The attributes a result span shows (ReferencedAttributes), from the forms it matched.
std::vector<ResultAttr> MatchedAttributes(const std::vector<Field>& fields,
                                          const std::vector<Equality>& eqs, const SegmentMatch& m,
                                          uint32_t row) {
  std::vector<ResultAttr> out;
  for (const Field& f : fields) {
    for (size_t i = 0; i < eqs.size(); ++i) {
      if (eqs[i].field->scope != f.scope || eqs[i].field->key != f.key) continue;
      size_t j = 0;
      while (j < m.forms[i].size() && !m.forms[i][j].contains(row)) ++j;
      if (j < m.forms[i].size()) out.push_back(ToResultAttr(f.key, eqs[i].values[j]));
      break;
    }
  }
  return out;
}

// Step 1: the matching rows of every segment in scope, by trace in order of discovery.
// `on_row(trace, segment id, row, match)` is called for each; `done()` stops after a segment.
template <typename RowFn, typename DoneFn>
Result<bool> ScanMatches(Store& store, const std::vector<Equality>& eqs, const ScanFilter& scope,
                         QueryStep* step, RowFn&& on_row, DoneFn&& done) {
  step->name = "index match";
  step->detail = "posting lists of " + std::to_string(eqs.size()) + " equalities";
  bool indexed = true;
  DDBG_RETURN_IF_ERROR(store.ForEachSpanSegment(scope, [&](SegmentCursor& seg) -> Result<bool> {
    ++step->segments;
    SegmentMatch m;
    Result<bool> ok = MatchSegment(seg, eqs, &m);
    if (!ok.ok()) return ok.status();
    if (!*ok) return indexed = false;
    if (m.rows.isEmpty()) {
      ++step->segments_skipped;
      return true;
    }
    Result<std::shared_ptr<const SpanColumnSet>> cols = seg.SpanColumns(kStructure);
    if (!cols.ok()) return cols.status();
    ++step->segments_read;
    step->rows_read += (*cols)->rows;
    const SpanBatch& b = (*cols)->columns;
    for (uint32_t r : m.rows) {
      if (r >= b.start_ns.size() || !scope.time.Contains(b.start_ns[r])) continue;
      ++step->rows_matched;
      on_row(b.trace_id[r], seg.segment_id(), r, m);
    }
    return !done();
  }));
  return indexed;
}

// One span of a result trace, from step 2.
struct TraceSpan {
  const SpanColumnSet* cols;
  uint64_t segment;
  uint32_t order;  // segment position in step 2 (the general plan's gather order)
  uint32_t row;
};

struct ResultTrace {
  TraceId id;
  std::map<std::pair<uint64_t, uint32_t>, std::vector<ResultAttr>> matched;  // (segment, row)
  std::vector<TraceSpan> spans;
  std::pair<uint32_t, uint32_t> first{UINT32_MAX, UINT32_MAX};  // gather order of the first span
};

MatchedSpan ToMatchedSpan(const TraceSpan& s, std::vector<ResultAttr> attrs) {
  const SpanBatch& b = s.cols->columns;
  MatchedSpan m;
  m.span_id = b.span_id[s.row];
  m.service = b.dict.Get(b.service[s.row]);
  m.name = b.dict.Get(b.name[s.row]);
  m.start_ns = b.start_ns[s.row];
  m.duration_ns = b.end_ns[s.row] - b.start_ns[s.row];
  m.attributes = std::move(attrs);
  return m;
}

// The trace summary and its spanset, as ResultBuilder makes them from the whole trace.
TraceHit ToHit(ResultTrace& t, size_t per_set) {
  auto start = [](const TraceSpan& s) { return s.cols->columns.start_ns[s.row]; };
  std::sort(t.spans.begin(), t.spans.end(), [&](const TraceSpan& x, const TraceSpan& y) {
    if (start(x) != start(y)) return start(x) < start(y);
    return std::tie(x.order, x.row) < std::tie(y.order, y.row);
  });
  TraceHit h;
  h.trace_id = t.id;
  h.span_count = t.spans.size();
  h.start_ns = start(t.spans.front());
  int64_t end = t.spans.front().cols->columns.end_ns[t.spans.front().row];
  bool rooted = false;
  ResultSpanSet set;
  for (const TraceSpan& s : t.spans) {
    const SpanBatch& b = s.cols->columns;
    h.start_ns = std::min(h.start_ns, b.start_ns[s.row]);
    end = std::max(end, b.end_ns[s.row]);
    if (!rooted && b.parent_span_id[s.row] == 0) {
      rooted = true;
      h.root_service = b.dict.Get(b.service[s.row]);
      h.root_name = b.dict.Get(b.name[s.row]);
    }
    auto it = t.matched.find({s.segment, s.row});
    if (it == t.matched.end()) continue;
    if (per_set == 0 || set.spans.size() < per_set) set.spans.push_back(ToMatchedSpan(s, std::move(it->second)));
    ++set.matched;
  }
  h.duration_ns = end - h.start_ns;
  h.spansets.push_back(std::move(set));
  return h;
}

// What step 1 saw: the segments it matched (a limit stops it early), and how to match.
struct MatchContext {
  const std::vector<Equality>& eqs;
  const std::vector<Field>& fields;
  const TimeRange& time;
  std::unordered_set<uint64_t> matched_segments;
};

// The matches of a result trace in a segment step 1 did not reach.
Status MatchLater(SegmentCursor& seg, const SpanColumnSet& cols, const MatchContext& ctx,
                  std::vector<ResultTrace>& traces) {
  SegmentMatch m;
  Result<bool> ok = MatchSegment(seg, ctx.eqs, &m);
  if (!ok.ok()) return ok.status();
  if (!*ok) return Status::Internal("a segment lost its posting lists");
  for (ResultTrace& t : traces) {
    auto [begin, end] = cols.RowsOf(t.id);
    for (const uint32_t* r = begin; r != end; ++r) {
      if (m.rows.contains(*r) && ctx.time.Contains(cols.columns.start_ns[*r])) {
        t.matched[{seg.segment_id(), *r}] = MatchedAttributes(ctx.fields, ctx.eqs, m, *r);
      }
    }
  }
  return Status::Ok();
}

// Step 2: every span of the result traces, from the segments holding them.
Status GatherSpans(Store& store, std::vector<ResultTrace>& traces, const MatchContext& ctx,
                   std::vector<std::shared_ptr<const SpanColumnSet>>* keep, QueryStep* step) {
  step->name = "trace summaries";
  step->detail = std::to_string(traces.size()) + " traces through the trace-id index";
  ScanFilter f;
  for (const ResultTrace& t : traces) f.trace_ids.push_back(t.id);
  if (f.trace_ids.empty()) return Status::Ok();
  return store.ForEachSpanSegment(f, [&](SegmentCursor& seg) -> Result<bool> {
    ++step->segments;
    Result<std::shared_ptr<const SpanColumnSet>> cols = seg.SpanColumns(kStructure);
    if (!cols.ok()) return cols.status();
    ++step->segments_read;
    step->rows_read += (*cols)->rows;
    auto order = static_cast<uint32_t>(keep->size());
    keep->push_back(*cols);
    if (ctx.matched_segments.count(seg.segment_id()) == 0) {
      DDBG_RETURN_IF_ERROR(MatchLater(seg, **cols, ctx, traces));
    }
    for (ResultTrace& t : traces) {
      auto [begin, end] = (*cols)->RowsOf(t.id);
      for (const uint32_t* r = begin; r != end; ++r) {
        t.spans.push_back(TraceSpan{cols->get(), seg.segment_id(), order, *r});
        ++step->rows_matched;
      }
      if (begin != end) t.first = std::min(t.first, std::make_pair(order, *begin));
    }
    return true;
  });
}

}  // namespace

bool IndexAnswers(const Query& q) {
  std::vector<Equality> eqs;
  return Equalities(q, &eqs);
}

Result<bool> IndexedTraceIds(Store& store, const Query& q, const ScanFilter& scope, size_t limit,
                             std::vector<TraceId>* out) {
  std::vector<Equality> eqs;
  if (!Equalities(q, &eqs)) return false;
  std::unordered_set<TraceId, IdHash> seen;
  out->clear();
  QueryStep step;
  Result<bool> indexed = ScanMatches(
      store, eqs, scope, &step,
      [&](TraceId id, uint64_t, uint32_t, const SegmentMatch&) {
        if (seen.insert(id).second) out->push_back(id);
      },
      [&] { return limit != 0 && out->size() >= limit; });
  if (!indexed.ok() || !*indexed) return indexed;
  if (limit != 0 && out->size() > limit) out->resize(limit);
  return true;
}

Result<bool> IndexedSearch(Store& store, const Query& q, const TraceSearchOptions& options,
                           TraceSearchResult* out) {
  std::vector<Equality> eqs;
  if (!Equalities(q, &eqs)) return false;
  const std::vector<Field> fields = ReferencedAttributes(q);
  std::vector<ResultTrace> traces;
  std::unordered_map<TraceId, size_t, IdHash> index;
  QueryStep match, gather;
  MatchContext ctx{eqs, fields, options.scope.time, {}};
  Result<bool> indexed = ScanMatches(
      store, eqs, options.scope, &match,
      [&](TraceId id, uint64_t segment, uint32_t row, const SegmentMatch& m) {
        ctx.matched_segments.insert(segment);
        auto [it, fresh] = index.emplace(id, traces.size());
        if (fresh) traces.push_back(ResultTrace{.id = id});
        traces[it->second].matched[{segment, row}] = MatchedAttributes(fields, eqs, m, row);
      },
      [&] { return options.limit != 0 && traces.size() >= options.limit; });
  if (!indexed.ok() || !*indexed) return indexed;
  // With a limit the general plan evaluates the first candidates found (a chunk of at least
  // 256, every one of which matches here) and keeps the first `limit` of them gathered.
  if (options.limit != 0) traces.resize(std::min(traces.size(), std::max<size_t>(options.limit * 4, 256)));
  std::vector<std::shared_ptr<const SpanColumnSet>> keep;
  DDBG_RETURN_IF_ERROR(GatherSpans(store, traces, ctx, &keep, &gather));
  // The general plan lists traces in the order their first span was gathered.
  std::stable_sort(traces.begin(), traces.end(),
                   [](const ResultTrace& a, const ResultTrace& b) { return a.first < b.first; });
  for (ResultTrace& t : traces) {
    if (options.limit != 0 && out->traces.size() >= options.limit) break;
    if (!t.spans.empty()) out->traces.push_back(ToHit(t, options.spans_per_spanset));
  }
  out->explain.steps = {match, gather};
  return true;
}

}  // namespace ddbg::traceql
