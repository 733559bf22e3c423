// Runs a TraceQL query: candidate scan (time-pruned segments, index-narrowed rows, span
// prefilter), gather of whole candidate traces through the trace-id index, evaluation.
#include <algorithm>
#include <chrono>
#include <set>

#include "ddbg/traceql.h"
#include "query/candidate_rows.h"
#include "query/traceql/indexed_search.h"
#include "query/traceql/parser.h"
#include "query/traceql/plan.h"
#include "query/traceql/result_builder.h"
#include "query/traceql/trace_eval.h"

namespace ddbg {
namespace {

using traceql::Query;
using traceql::TracePlan;

// Candidate traces in the order found, without repeats.
struct Candidates {
  std::vector<TraceId> ids;
  std::set<TraceId> seen;
  void Add(TraceId id) {
    if (seen.insert(id).second) ids.push_back(id);
  }
};

// Step 1: rows that may match some leaf filter, narrowed by the index where it can.
Status CandidateScan(Store& store, const TracePlan& plan, const ScanFilter& scope, size_t stop_at,
                     Candidates* out, QueryStep* step) {
  step->name = "candidate scan";
  step->detail = plan.Describe();
  SpanBatch batch;
  return store.ForEachSpanSegment(scope, [&](SegmentCursor& seg) -> Result<bool> {
    traceql::SpanMatcher m(batch);
    Result<bool> visited = query::VisitCandidateRows(seg, plan.index, &batch, step, [&](uint32_t r) {
      if (!scope.time.Contains(batch.start_ns[r])) return true;
      for (const traceql::Cond* c : plan.leaves) {
        if (m.EvalTri(*c, r) != traceql::Tri::kFalse) {
          ++step->rows_matched;
          out->Add(batch.trace_id[r]);
          return true;
        }
      }
      return true;
    });
    if (!visited.ok()) return visited.status();
    return stop_at == 0 || out->ids.size() < stop_at;
  });
}

// Step 2: every span of the given traces, in one batch.
Status Gather(Store& store, const std::vector<TraceId>& ids, SpanBatch* all, QueryStep* step) {
  step->name = "gather traces";
  step->detail = std::to_string(ids.size()) + " traces through the trace-id index";
  *all = SpanBatch();
  if (ids.empty()) return Status::Ok();
  ScanFilter f;
  f.trace_ids = ids;
  std::vector<TraceId> sorted = ids;
  std::sort(sorted.begin(), sorted.end());
  SpanBatch batch;
  return store.ForEachSpanSegment(f, [&](SegmentCursor& seg) -> Result<bool> {
    ++step->segments;
    DDBG_RETURN_IF_ERROR(seg.ReadSpans(&batch));
    ++step->segments_read;
    step->rows_read += batch.size();
    SpanRowCopier copier(batch, all);
    for (size_t r = 0; r < batch.size(); ++r) {
      if (std::binary_search(sorted.begin(), sorted.end(), batch.trace_id[r])) {
        copier.Copy(r);
        ++step->rows_matched;
      }
    }
    return true;
  });
}

struct Run {
  Store& store;
  const Query& q;
  const TracePlan& plan;
  const TraceSearchOptions& options;
  TraceSearchResult result;

  Status Execute(bool ids_only) {
    Candidates cands;
    QueryStep scan;
    size_t stop_at = plan.simple ? options.limit : 0;
    DDBG_RETURN_IF_ERROR(CandidateScan(store, plan, options.scope, stop_at, &cands, &scan));
    result.explain.steps.push_back(scan);
    if (ids_only && plan.simple) {
      for (TraceId id : cands.ids) result.traces.push_back(TraceHit{.trace_id = id});
      return Status::Ok();
    }
    // Whole traces are gathered in chunks so that a --limit stops early.
    size_t chunk = options.limit == 0 ? cands.ids.size() : std::max<size_t>(options.limit * 4, 256);
    QueryStep gather, eval;
    gather.name = "gather traces";
    eval.name = "evaluate";
    eval.detail = std::to_string(q.stages.size()) + " pipeline stages";
    for (size_t begin = 0; begin < cands.ids.size(); begin += chunk) {
      std::vector<TraceId> part(cands.ids.begin() + static_cast<long>(begin),
                                cands.ids.begin() + static_cast<long>(std::min(cands.ids.size(), begin + chunk)));
      SpanBatch all;
      QueryStep g;
      DDBG_RETURN_IF_ERROR(Gather(store, part, &all, &g));
      Accumulate(g, &gather);
      if (Evaluate(all, &eval)) break;
    }
    result.explain.steps.push_back(gather);
    result.explain.steps.push_back(eval);
    return Status::Ok();
  }

  static void Accumulate(const QueryStep& s, QueryStep* into) {
    into->name = s.name;
    into->detail = s.detail;
    into->segments += s.segments;
    into->segments_read += s.segments_read;
    into->rows_read += s.rows_read;
    into->rows_matched += s.rows_matched;
  }

  // Evaluates the gathered traces; true once the limit is reached.
  bool Evaluate(const SpanBatch& all, QueryStep* step) {
    traceql::SpanMatcher m(all);
    traceql::ResultBuilder builder(q, all, m, options.spans_per_spanset);
    for (const traceql::TraceView& t : traceql::GroupTraces(all)) {
      ++step->rows_checked;
      std::vector<traceql::SpanSet> sets = traceql::EvalTrace(q, t, m, options.scope.time);
      if (sets.empty()) continue;
      ++step->rows_matched;
      result.traces.push_back(builder.Hit(t, sets));
      if (options.limit != 0 && result.traces.size() >= options.limit) return true;
    }
    return false;
  }
};

}  // namespace

Status CheckTraceQL(std::string_view traceql) { return traceql::ParseTraceQL(traceql).status(); }

Result<TraceSearchResult> SearchTraceQL(Store& store, std::string_view text,
                                        const TraceSearchOptions& options) {
  auto start = std::chrono::steady_clock::now();
  Result<Query> q = traceql::ParseTraceQL(text);
  if (!q.ok()) return q.status();
  TracePlan plan = traceql::PlanTraceQuery(*q);
  Run run{store, *q, plan, options, {}};
  // A filter the posting lists answer exactly: no attribute is read.
  Result<bool> indexed = false;
  if (traceql::IndexAnswers(*q)) {
    indexed = traceql::IndexedSearch(store, *q, options, &run.result);
    if (!indexed.ok()) return indexed.status();
  }
  if (!*indexed) DDBG_RETURN_IF_ERROR(run.Execute(false));
  std::stable_sort(run.result.traces.begin(), run.result.traces.end(),
                   [](const TraceHit& a, const TraceHit& b) { return a.start_ns > b.start_ns; });
  run.result.explain.plan = "TraceQL " + std::string(text) + "\n" +
                            (*indexed ? "span-level, answered by the posting lists" : plan.Describe());
  run.result.explain.elapsed_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  return std::move(run.result);
}

Result<std::vector<TraceId>> FindTraceIds(Store& store, std::string_view text,
                                          const ScanFilter& scope, size_t limit) {
  Result<Query> q = traceql::ParseTraceQL(text);
  if (!q.ok()) return q.status();
  std::vector<TraceId> ids;
  if (traceql::IndexAnswers(*q)) {
    Result<bool> indexed = traceql::IndexedTraceIds(store, *q, scope, limit, &ids);
    if (!indexed.ok()) return indexed.status();
    if (*indexed) return ids;
  }
  TracePlan plan = traceql::PlanTraceQuery(*q);
  TraceSearchOptions options;
  options.scope = scope;
  options.limit = limit;
  Run run{store, *q, plan, options, {}};
  DDBG_RETURN_IF_ERROR(run.Execute(true));
  for (const TraceHit& h : run.result.traces) ids.push_back(h.trace_id);
  if (limit != 0 && ids.size() > limit) ids.resize(limit);
  return ids;
}

Result<TraceSearchResult> SearchTags(Store& store, std::string_view tags,
                                     const TraceSearchOptions& options) {
  Result<std::string> q = TagSearchToTraceQL(tags);
  if (!q.ok()) return q.status();
  return SearchTraceQL(store, *q, options);
}

}  // namespace ddbg
