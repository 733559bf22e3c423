#include "query/logql/index_counts.h"

#include <roaring/roaring.hh>

#include <algorithm>
#include <array>
#include <map>
#include <thread>

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

  size_t size() const { return static_cast<size_t>(steps_ + k_ - 1); }
  std::vector<uint64_t>* For(const LabelSet& labels) {
    auto& v = counts_[labels];
    if (v.empty()) v.assign(size(), 0);
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

// The streams of one segment: the service of each service id of the service column (from
// one row of each service's posting list), and the bucket counts of each (service, level)
// pair the selector keeps, by service slot and severity number.
struct SegmentStreams {
  std::vector<int32_t> slot_of_id;  // service StrId -> service slot; -1: none
  std::vector<std::array<uint64_t*, 256>> counts;  // per slot, per severity; null: not kept
};

// False when the service postings do not cover every row (a service name too long to be
// indexed, or no index).
Result<bool> SelectStreams(SegmentCursor& seg, const LogExpr& e, const LogBatch& cols,
                           Buckets* buckets, SegmentStreams* out) {
  if (!seg.has_index()) return false;
  const std::string prefix = IndexTerm(TermField::kService, "");
  std::vector<std::string> terms;
  DDBG_RETURN_IF_ERROR(seg.TermsWithPrefix(prefix, &terms));
  uint64_t covered = 0;
  for (const std::string& t : terms) {
    Roaring rows;
    DDBG_RETURN_IF_ERROR(seg.Postings(t, &rows));
    if (rows.isEmpty()) continue;
    covered += rows.cardinality();
    StrId id = cols.service[rows.minimum()];
    if (id >= out->slot_of_id.size()) out->slot_of_id.resize(id + 1, -1);
    out->slot_of_id[id] = static_cast<int32_t>(out->counts.size());
    std::string service = t.substr(prefix.size());
    // Severity numbers share a few level names: decide each name once.
    std::map<const char*, uint64_t*> of_level;
    auto& by_severity = out->counts.emplace_back();
    for (int sev = 0; sev < 256; ++sev) {
      const char* name = SeverityShortName(static_cast<uint8_t>(sev));
      auto [it, fresh] = of_level.emplace(name, nullptr);
      if (fresh) {
        std::string level = Lower(name);
        bool keep = true;
        for (const Matcher& m : e.selector) {
          keep = keep && MatchesValue(m, IsServiceLabel(m.label) ? std::string_view(service) : level);
        }
        if (keep) it->second = buckets->For({{"level", level}, {"service", service}})->data();
      }
      by_severity[sev] = it->second;
    }
  }
  return covered == seg.rows();
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

constexpr uint32_t kCountColumns = kSegColTime | kSegColService | kSegColSeverity;

// Counts rows [begin, end) into the arrays `streams` points at; false when a row's service
// id has no slot (the segment contradicts itself).
bool CountRange(const LogBatch& cols, const SegmentStreams& streams, const Buckets& buckets,
                const TimeRange& scan, size_t begin, size_t end, uint64_t* matched) {
  const size_t ids = streams.slot_of_id.size();
  for (size_t r = begin; r < end; ++r) {
    int64_t t = cols.time_ns[r];
    StrId id = cols.service[r];
    if (id >= ids || streams.slot_of_id[id] < 0) return false;
    uint64_t* counts = streams.counts[static_cast<size_t>(streams.slot_of_id[id])][cols.severity_number[r]];
    size_t j;
    if (counts == nullptr || t < scan.min_ns || t > scan.max_ns) continue;
    ++*matched;
    if (buckets.Index(t, &j)) ++counts[j];
  }
  return true;
}

// CountRange on two threads for large segments: the second half counts into arrays of its
// own, added to the shared ones afterwards.
bool CountRows2(const LogBatch& cols, const SegmentStreams& streams, const Buckets& buckets,
                const TimeRange& scan, uint64_t* matched) {
  const size_t n = cols.size();
  if (n < (1u << 16)) return CountRange(cols, streams, buckets, scan, 0, n, matched);
  SegmentStreams mine = streams;
  std::map<uint64_t*, std::vector<uint64_t>> own;
  for (auto& by_severity : mine.counts) {
    for (uint64_t*& c : by_severity) {
      if (c == nullptr) continue;
      auto& v = own[c];
      v.resize(buckets.size());
      c = v.data();
    }
  }
  uint64_t matched2 = 0;
  bool ok2 = true;
  std::thread helper([&] { ok2 = CountRange(cols, mine, buckets, scan, n / 2, n, &matched2); });
  bool ok = CountRange(cols, streams, buckets, scan, 0, n / 2, matched);
  helper.join();
  for (const auto& [shared, v] : own) {
    for (size_t j = 0; j < v.size(); ++j) shared[j] += v[j];
  }
  *matched += matched2;
  return ok && ok2;
}

Status CountSegment(SegmentCursor& seg, const LogExpr& e, const TimeRange& scan, Buckets* buckets,
                    QueryStep* step) {
  ++step->segments;
  if (!seg.has_index()) return CountRows(seg, e, scan, buckets, step);
  Result<std::shared_ptr<const LogBatch>> read = seg.LogColumns(kCountColumns);
  if (!read.ok()) return read.status();
  const LogBatch& cols = **read;
  SegmentStreams streams;
  Result<bool> indexed = SelectStreams(seg, e, cols, buckets, &streams);
  if (!indexed.ok()) return indexed.status();
  if (!*indexed) return CountRows(seg, e, scan, buckets, step);
  ++step->segments_read;
  step->rows_read += cols.size();
  uint64_t matched = 0;
  if (!CountRows2(cols, streams, *buckets, scan, &matched)) {
    return Status::Corruption("log segment: service postings disagree with the service column");
  }
  step->rows_matched += matched;
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
