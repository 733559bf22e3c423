// Runs a LogQL query: segments pruned by time and service, rows narrowed by the label and
// token indexes, then the line pipeline; log queries stop at --limit, metric queries feed
// the matching lines to the range and vector aggregations.
#include <atomic>
#include <chrono>
#include <thread>
#include <optional>

#include "ddbg/index_terms.h"
#include "ddbg/logql.h"
#include "query/candidate_rows.h"
#include "query/logql/index_counts.h"
#include "query/logql/line_eval.h"
#include "query/logql/metrics.h"
#include "query/logql/parser.h"

namespace ddbg {
namespace {

using logql::LogExpr;
using logql::PipelineStage;
using query::IndexExpr;

// The index expression of the selector's equality matchers and the leading line filters.
IndexExpr LogIndex(const LogExpr& e) {
  std::vector<IndexExpr> all;
  for (const logql::Matcher& m : e.selector) {
    if (m.op != logql::MatchOp::kEq) continue;
    if (m.label == "service" || m.label == "service_name" || m.label == "job") {
      all.push_back(IndexExpr::Terms({IndexTerm(TermField::kService, m.value)}));
    } else if (m.label == "level" || m.label == "severity" || m.label == "detected_level") {
      std::string upper = m.value;
      for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      all.push_back(IndexExpr::Terms({IndexTerm(TermField::kSeverity, upper)}));
    }
  }
  for (const PipelineStage& s : e.stages) {
    if (s.kind > PipelineStage::Kind::kLineNotRegex) break;
    if (s.kind != PipelineStage::Kind::kLineContains) continue;
    IndexExpr t;
    t.kind = IndexExpr::Kind::kTokens;
    ForEachToken(s.text, [&t](std::string_view tok) { t.terms.emplace_back(tok); });
    if (!t.terms.empty()) all.push_back(std::move(t));
  }
  return IndexExpr::And(std::move(all));
}

ScanFilter LogScanFilter(const LogExpr& e, TimeRange time) {
  ScanFilter f;
  f.time = time;
  for (const logql::Matcher& m : e.selector) {
    if (m.op == logql::MatchOp::kEq && (m.label == "service" || m.label == "service_name")) {
      f.services = {m.value};
    }
  }
  return f;
}

// The columns the line evaluator reads when the selector names only service and level and
// the pipeline holds only line filters (no parser, label filter or line_format).
constexpr uint32_t kLineColumns = kSegColDict | kSegColTime | kSegColService | kSegColSeverity |
                                  kSegColBody | kSegColTraceId | kSegColSpanId;

// The leading `|=` stages a segment's token index decides exactly: needles that are one
// whole token (the index rows hold a token containing it, so the body contains it).
std::vector<bool> TokenDecidedStages(const LogExpr& e) {
  std::vector<bool> decided;
  for (const PipelineStage& s : e.stages) {
    if (s.kind > PipelineStage::Kind::kLineNotRegex) break;
    size_t tokens = 0;
    bool whole = false;
    ForEachToken(s.text, [&](std::string_view tok) {
      ++tokens;
      whole = tok.size() == s.text.size();
    });
    decided.push_back(s.kind == PipelineStage::Kind::kLineContains && tokens == 1 && whole);
  }
  return decided;
}

bool LineColumnsSuffice(const LogExpr& e) {
  for (const logql::Matcher& m : e.selector) {
    if (!logql::IsServiceLabel(m.label) && !logql::IsLevelLabel(m.label)) return false;
  }
  for (const PipelineStage& s : e.stages) {
    if (s.kind > PipelineStage::Kind::kLineNotRegex) return false;
  }
  return true;
}

// Calls fn(line) for each matching record (fn may move from it); fn returns false to stop.
// Segments are read whole, or only the columns of kLineColumns (shared with the store's query cache) when
// those suffice.
template <typename Fn>
Status ScanLines(Store& store, const LogExpr& e, const TimeRange& time, QueryStep* step, Fn&& fn) {
  IndexExpr index = LogIndex(e);
  step->name = "log scan";
  step->detail = "index: " + index.ToString();
  const bool projected = LineColumnsSuffice(e);
  const std::vector<bool> decided = TokenDecidedStages(e);
  LogBatch whole;
  std::shared_ptr<const LogBatch> columns;
  const LogBatch* batch = &whole;
  auto read = [&](SegmentCursor& seg) -> Result<const LogBatch*> {
    if (!projected) {
      DDBG_RETURN_IF_ERROR(seg.ReadLogs(&whole));
      return batch = &whole;
    }
    Result<std::shared_ptr<const LogBatch>> cols = seg.LogColumns(kLineColumns);
    if (!cols.ok()) return cols.status();
    columns = *cols;
    return batch = columns.get();
  };
  LogLine line;
  return store.ForEachLogSegment(LogScanFilter(e, time), [&](SegmentCursor& seg) -> Result<bool> {
    std::optional<logql::LineEvaluator> ev;
    return query::VisitCandidates(
        seg, index, step, [&] { return read(seg); },
        [&](uint32_t r) {
          if (!ev) {
            ev.emplace(e, *batch);
            if (seg.has_index()) ev->SetDecidedStages(decided);
          }
          if (!time.Contains(batch->time_ns[r]) || !ev->Run(r, &line)) return true;
          ++step->rows_matched;
          return fn(line);
        },
        [&](uint32_t r) { __builtin_prefetch(batch->dict.Get(batch->body[r]).data()); });
  });
}

// Every matching line (no limit) when the projected columns suffice: the columns are
// shared, so the candidate rows of each segment are collected first and evaluated on two
// threads; fn sees the lines in store order.
template <typename Fn>
Status ScanAllLines(Store& store, const LogExpr& e, const TimeRange& time, QueryStep* step, Fn&& fn) {
  IndexExpr index = LogIndex(e);
  step->name = "log scan";
  step->detail = "index: " + index.ToString() + "; columns only, two threads";
  const std::vector<bool> decided = TokenDecidedStages(e);
  struct Job {
    std::shared_ptr<const LogBatch> batch;
    bool indexed = false;
    std::vector<uint32_t> rows;
    std::vector<LogLine> lines;
  };
  std::vector<Job> jobs;
  DDBG_RETURN_IF_ERROR(store.ForEachLogSegment(LogScanFilter(e, time), [&](SegmentCursor& seg) -> Result<bool> {
    Job job;
    job.indexed = seg.has_index();
    auto read = [&]() -> Result<const LogBatch*> {
      Result<std::shared_ptr<const LogBatch>> cols = seg.LogColumns(kLineColumns);
      if (!cols.ok()) return cols.status();
      job.batch = *cols;
      return job.batch.get();
    };
    Result<bool> ok = query::VisitCandidates(seg, index, step, read, [&](uint32_t r) {
      job.rows.push_back(r);
      return true;
    });
    if (!ok.ok()) return ok.status();
    if (job.batch) jobs.push_back(std::move(job));
    return true;
  }));
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t k; (k = next++) < jobs.size();) {
      Job& j = jobs[k];
      logql::LineEvaluator ev(e, *j.batch);
      if (j.indexed) ev.SetDecidedStages(decided);
      LogLine line;
      for (uint32_t r : j.rows) {
        if (time.Contains(j.batch->time_ns[r]) && ev.Run(r, &line)) j.lines.push_back(std::move(line));
      }
    }
  };
  std::thread helper(work);
  work();
  helper.join();
  for (Job& j : jobs) {
    step->rows_matched += j.lines.size();
    for (LogLine& l : j.lines) fn(l);
  }
  return Status::Ok();
}

Status ResolveRange(Store& store, const LogQueryOptions& o, TimeRange* range) {
  *range = o.range;
  if (!range->unbounded() && range->min_ns != TimeRange().min_ns && range->max_ns != TimeRange().max_ns) {
    return Status::Ok();
  }
  Result<TimeRange> data = store.DataTimeRange();
  if (!data.ok()) return data.status();
  if (range->min_ns == TimeRange().min_ns) range->min_ns = data->min_ns;
  if (range->max_ns == TimeRange().max_ns) range->max_ns = data->max_ns;
  return Status::Ok();
}

}  // namespace

Status CheckLogQL(std::string_view text) { return logql::ParseLogQL(text).status(); }

Result<LogQueryResult> EvalLogQL(Store& store, std::string_view text, const LogQueryOptions& o) {
  auto start = std::chrono::steady_clock::now();
  Result<logql::Query> q = logql::ParseLogQL(text);
  if (!q.ok()) return q.status();
  LogQueryResult r;
  r.is_metric = q->is_metric;
  QueryStep step;
  if (!q->is_metric) {
    auto keep = [&](LogLine& l) {
      r.lines.push_back(std::move(l));  // the evaluator refills the line for the next row
      return o.limit == 0 || r.lines.size() < o.limit;
    };
    if (o.limit == 0 && LineColumnsSuffice(q->log)) {
      DDBG_RETURN_IF_ERROR(ScanAllLines(store, q->log, o.range, &step, keep));
    } else {
      DDBG_RETURN_IF_ERROR(ScanLines(store, q->log, o.range, &step, keep));
    }
  } else {
    TimeRange range;
    DDBG_RETURN_IF_ERROR(ResolveRange(store, o, &range));
    const logql::MetricExpr* inner = q->metric.get();
    while (inner->kind == logql::MetricExpr::Kind::kVector) inner = inner->inner.get();
    logql::StepGrid grid;
    grid.start_ns = range.min_ns;
    grid.end_ns = range.max_ns;
    int64_t span = std::max<int64_t>(1, range.max_ns - range.min_ns);
    grid.step_ns = o.step_ns > 0 ? o.step_ns : std::max<int64_t>(1000000000LL, (span / 100 + 999999999LL) / 1000000000LL * 1000000000LL);
    if (span / grid.step_ns > 11000) {
      return Status::InvalidArgument("more than 11000 steps: choose a larger --step or a shorter range");
    }
    TimeRange scan{range.min_ns - inner->range_ns, range.max_ns};
    if (logql::CountableFromIndex(*inner, grid) && o.count_from_index) {
      std::vector<Series> counted;
      DDBG_RETURN_IF_ERROR(logql::CountFromIndex(store, *inner, grid, scan, &step, &counted));
      r.series = logql::AggregateRangeSeries(*q->metric, std::move(counted));
    } else {
      logql::PointsByLabels points;
      auto add = [&](const LogLine& l) {
        points[l.labels].push_back({l.time_ns, l.line.size()});
        return true;
      };
      if (LineColumnsSuffice(inner->log)) {
        DDBG_RETURN_IF_ERROR(ScanAllLines(store, inner->log, scan, &step, add));
      } else {
        DDBG_RETURN_IF_ERROR(ScanLines(store, inner->log, scan, &step, add));
      }
      r.series = logql::EvalMetric(*q->metric, points, grid);
    }
    r.start_ns = grid.start_ns;
    r.end_ns = grid.end_ns;
    r.step_ns = grid.step_ns;
  }
  r.explain.steps.push_back(step);
  r.explain.plan = "LogQL " + std::string(text);
  r.explain.elapsed_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  return r;
}

}  // namespace ddbg
