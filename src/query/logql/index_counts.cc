#include "query/logql/index_counts.h"

#include <roaring/roaring.hh>

#include <map>

#include "ddbg/index_terms.h"
#include "query/logql/line_eval.h"

namespace ddbg::logql {
namespace {

// Line counts per label set in buckets of one step: bucket j holds the times in
// (start + (j - k) * step, start + (j - k + 1) * step] where k = range / step, so the window
// of step i is buckets i .. i + k - 1.
class Buckets {
 public:
  Buckets(const StepGrid& g, int64_t range_ns)
      : g_(g),
        k_(range_ns / g.step_ns),
        steps_((g.end_ns - g.start_ns) / g.step_ns + 1),
        base_(g.start_ns - k_ * g.step_ns),
        inv_(1.0 / static_cast<double>(g.step_ns)) {}

  std::vector<uint64_t>* For(const LabelSet& labels) {
    auto& v = counts_[labels];
    if (v.empty()) v.assign(static_cast<size_t>(steps_ + k_ - 1), 0);
    return &v;
  }
  // The bucket of time t: floor((t - base - 1) / step) (the division done in floating
  // point, then corrected); false outside the buckets.
  bool Index(int64_t t, size_t* j) const {
    int64_t d = t - base_ - 1;
    if (d < 0) return false;
    auto q = static_cast<int64_t>(static_cast<double>(d) * inv_);
    if (q * g_.step_ns > d) --q;
    else if ((q + 1) * g_.step_ns <= d) ++q;
    if (q >= steps_ + k_ - 1) return false;
    *j = static_cast<size_t>(q);
    return true;
  }
  void Add(std::vector<uint64_t>* counts, int64_t t) const {
    size_t j;
    if (Index(t, &j)) ++(*counts)[j];
  }
  std::vector<Series> ToSeries(bool rate, double range_s) const {
    std::vector<Series> out;
    for (const auto& [labels, c] : counts_) {
      Series s;
      s.labels = labels;
      uint64_t window = 0;
      for (int64_t j = 0; j < k_ - 1; ++j) window += c[static_cast<size_t>(j)];
      for (int64_t i = 0; i < steps_; ++i) {
        window += c[static_cast<size_t>(i + k_ - 1)];
        if (i > 0) window -= c[static_cast<size_t>(i - 1)];
        if (window == 0) continue;
        double v = static_cast<double>(window);
        s.samples.push_back({g_.start_ns + i * g_.step_ns, rate ? v / range_s : v});
      }
      if (!s.samples.empty()) out.push_back(std::move(s));
    }
    return out;
  }

 private:
  StepGrid g_;
  int64_t k_, steps_, base_;
  double inv_;
  std::map<LabelSet, std::vector<uint64_t>> counts_;
};

// One stream of a segment: its rows and its bucket counts.
struct Stream {
  Roaring rows;
  std::vector<uint64_t>* counts = nullptr;
};

// The rows of each term under `prefix` with the term's value; false when they do not cover
// the segment's rows exactly once (unindexed values, or no index).
Result<bool> ValueRows(SegmentCursor& seg, const std::string& prefix,
                       std::vector<std::pair<std::string, Roaring>>* out) {
  std::vector<std::string> terms;
  DDBG_RETURN_IF_ERROR(seg.TermsWithPrefix(prefix, &terms));
  uint64_t total = 0;
  Roaring all;
  for (const std::string& t : terms) {
    Roaring rows;
    DDBG_RETURN_IF_ERROR(seg.Postings(t, &rows));
    total += rows.cardinality();
    all |= rows;
    out->emplace_back(t.substr(prefix.size()), std::move(rows));
  }
  return total == seg.rows() && all.cardinality() == seg.rows();
}

// The segment's streams the selector keeps; false when the postings cannot tell.
Result<bool> SelectedStreams(SegmentCursor& seg, const LogExpr& e, Buckets* buckets,
                             std::vector<Stream>* out) {
  if (!seg.has_index()) return false;
  std::vector<std::pair<std::string, Roaring>> services, levels;
  Result<bool> ok = ValueRows(seg, IndexTerm(TermField::kService, ""), &services);
  if (!ok.ok() || !*ok) return ok;
  ok = ValueRows(seg, IndexTerm(TermField::kSeverity, ""), &levels);
  if (!ok.ok() || !*ok) return ok;
  for (auto& [service, srows] : services) {
    for (auto& [severity, lrows] : levels) {
      std::string level = Lower(severity);
      bool keep = true;
      for (const Matcher& m : e.selector) {
        keep = keep && MatchesValue(m, IsServiceLabel(m.label) ? std::string_view(service) : level);
      }
      if (!keep) continue;
      Stream s;
      s.rows = srows & lrows;
      if (s.rows.isEmpty()) continue;
      s.counts = buckets->For({{"level", level}, {"service", service}});
      out->push_back(std::move(s));
    }
  }
  return true;
}

// A segment the postings cannot split: every row through the line evaluator.
Status CountRows(SegmentCursor& seg, const LogExpr& e, const TimeRange& scan, Buckets* buckets,
                 QueryStep* step) {
  LogBatch batch;
  DDBG_RETURN_IF_ERROR(seg.ReadLogs(&batch));
  ++step->segments_read;
  step->rows_read += batch.size();
  LineEvaluator ev(e, batch);
  LogLine line;
  for (size_t r = 0; r < batch.size(); ++r) {
    ++step->rows_checked;
    if (!scan.Contains(batch.time_ns[r]) || !ev.Run(r, &line)) continue;
    ++step->rows_matched;
    buckets->Add(buckets->For(line.labels), batch.time_ns[r]);
  }
  return Status::Ok();
}

Status CountSegment(SegmentCursor& seg, const LogExpr& e, const TimeRange& scan, Buckets* buckets,
                    QueryStep* step) {
  ++step->segments;
  std::vector<Stream> streams;
  Result<bool> indexed = SelectedStreams(seg, e, buckets, &streams);
  if (!indexed.ok()) return indexed.status();
  if (!*indexed) return CountRows(seg, e, scan, buckets, step);
  if (streams.empty()) {
    ++step->segments_skipped;
    return Status::Ok();
  }
  Result<std::shared_ptr<const LogBatch>> cols = seg.LogColumns(kSegColTime);
  if (!cols.ok()) return cols.status();
  const std::vector<int64_t>& times = (*cols)->time_ns;
  ++step->segments_read;
  step->rows_read += times.size();
  const int64_t lo = scan.min_ns, hi = scan.max_ns;
  for (const Stream& s : streams) {
    uint64_t* counts = s.counts->data();
    uint64_t matched = 0;
    for (uint32_t r : s.rows) {
      if (r >= times.size()) break;
      int64_t t = times[r];
      size_t j;
      if (t < lo || t > hi) continue;
      ++matched;
      if (buckets->Index(t, &j)) ++counts[j];
    }
    step->rows_matched += matched;
  }
  return Status::Ok();
}

}  // namespace

bool CountableFromIndex(const MetricExpr& range, const StepGrid& grid) {
  if (range.kind != MetricExpr::Kind::kRange || !range.log.stages.empty()) return false;
  if (range.function != "count_over_time" && range.function != "rate") return false;
  if (grid.step_ns <= 0 || range.range_ns <= 0 || range.range_ns % grid.step_ns != 0) return false;
  for (const Matcher& m : range.log.selector) {
    if (!IsServiceLabel(m.label) && !IsLevelLabel(m.label)) return false;
  }
  return true;
}

Status CountFromIndex(Store& store, const MetricExpr& range, const StepGrid& grid,
                      const TimeRange& scan, QueryStep* step, std::vector<Series>* out) {
  step->name = "log count";
  step->detail = "service and severity postings, time column";
  Buckets buckets(grid, range.range_ns);
  ScanFilter f;
  f.time = scan;
  for (const Matcher& m : range.log.selector) {
    if (m.op == MatchOp::kEq && (m.label == "service" || m.label == "service_name")) f.services = {m.value};
  }
  DDBG_RETURN_IF_ERROR(store.ForEachLogSegment(f, [&](SegmentCursor& seg) -> Result<bool> {
    DDBG_RETURN_IF_ERROR(CountSegment(seg, range.log, scan, &buckets, step));
    return true;
  }));
  *out = buckets.ToSeries(range.function == "rate", static_cast<double>(range.range_ns) / 1e9);
  return Status::Ok();
}

}  // namespace ddbg::logql
