// Aggregated critical path: trace durations give the cohorts, then one pass solves every
// trace's critical path and adds each piece to its service and operation, per cohort.
#include "ddbg/timing.h"

#include <algorithm>
#include <thread>

#include "analysis/stats.h"
#include "analysis/timing_internal.h"

namespace ddbg {
namespace timing_internal {

Cohorts CohortsOf(std::vector<int64_t> sorted, CriticalPathSummary* sum) {
  Cohorts cohorts;
  cohorts.p45 = stats::Quantile(&sorted, 0.45);
  cohorts.p55 = stats::Quantile(&sorted, 0.55);
  sum->trace_p99_ns = cohorts.p99 = stats::Quantile(&sorted, 0.99);
  sum->trace_p50_ns = stats::Quantile(&sorted, 0.50);
  return cohorts;
}

ShareAcc& PathTotals::Service(StrId id) {
  if (id >= by_service_.size()) by_service_.resize(id + 1);
  return by_service_[id];
}

ServiceBreakdown& PathTotals::Breakdown(StrId id) {
  if (id >= breakdown_.size()) breakdown_.resize(id + 1);
  return breakdown_[id];
}

ShareAcc& PathTotals::Op(uint64_t key) {
  bool added = false;
  uint32_t i = op_index_.Insert(key, &added);
  if (added) {
    op_keys_.push_back(key);
    by_op_.emplace_back();
  }
  return by_op_[i];
}

void PathTotals::AddTrace(const TraceRows& trace, int64_t duration) {
  const uint64_t tr = trace_count_++;
  bool in_p50 = duration >= cohorts_.p45 && duration <= cohorts_.p55;
  bool in_p99 = duration >= cohorts_.p99;
  p50_cohort_ += in_p50;
  p99_cohort_ += in_p99;
  solver_.Solve(trace.input, mode_, &pieces_);
  auto add = [&](ShareAcc& acc, int64_t d) {
    if (acc.last_trace != tr) {
      acc.last_trace = tr;
      ++acc.traces;
    }
    acc.all += d;
    if (in_p50) acc.p50 += d;
    if (in_p99) acc.p99 += d;
  };
  for (const CriticalPathPiece& p : pieces_) {
    int64_t d = p.end_ns - p.start_ns;
    StrId service = trace.service[p.node];
    add(Service(service), d);
    add(Op((static_cast<uint64_t>(service) << 32) | trace.name[p.node]), d);
    total_all_ += d;
    if (in_p50) total_p50_ += d;
    if (in_p99) total_p99_ += d;
  }
  children_.Build(trace.input);
  for (uint32_t i = 0; i < children_.size(); ++i) {
    ServiceBreakdown& b = Breakdown(trace.service[i]);
    ++b.spans;
    b.total_ns += trace.input.end[i] - trace.input.start[i];
    b.self_ns += children_.SelfTime(trace.input, i);
  }
}

void PathTotals::Add(const PathTotals& o) {
  for (StrId k = 0; k < o.by_service_.size(); ++k) {
    if (o.by_service_[k].traces) Service(k).Add(o.by_service_[k]);
  }
  for (size_t k = 0; k < o.op_keys_.size(); ++k) Op(o.op_keys_[k]).Add(o.by_op_[k]);
  for (StrId k = 0; k < o.breakdown_.size(); ++k) {
    const ServiceBreakdown& b = o.breakdown_[k];
    if (!b.spans) continue;
    ServiceBreakdown& m = Breakdown(k);
    m.spans += b.spans;
    m.total_ns += b.total_ns;
    m.self_ns += b.self_ns;
  }
  total_all_ += o.total_all_;
  total_p50_ += o.total_p50_;
  total_p99_ += o.total_p99_;
  p50_cohort_ += o.p50_cohort_;
  p99_cohort_ += o.p99_cohort_;
}

namespace {

void SortShares(std::vector<CriticalPathShare>* v) {
  std::sort(v->begin(), v->end(), [](const auto& a, const auto& b) {
    if (a.share_p99 != b.share_p99) return a.share_p99 > b.share_p99;
    if (a.share_all != b.share_all) return a.share_all > b.share_all;
    return std::tie(a.service, a.operation) < std::tie(b.service, b.operation);
  });
}

}  // namespace

void PathTotals::Finish(const std::function<std::string_view(StrId)>& str,
                        CriticalPathSummary* sum) {
  sum->p50_cohort = p50_cohort_;
  sum->p99_cohort = p99_cohort_;
  auto share = [&](const ShareAcc& acc, CriticalPathShare* s) {
    s->traces = acc.traces;
    s->total_ns = acc.all;
    s->share_all = total_all_ ? static_cast<double>(acc.all) / total_all_ : 0;
    s->share_p50 = total_p50_ ? static_cast<double>(acc.p50) / total_p50_ : 0;
    s->share_p99 = total_p99_ ? static_cast<double>(acc.p99) / total_p99_ : 0;
  };
  for (StrId svc = 0; svc < by_service_.size(); ++svc) {
    const ShareAcc& acc = by_service_[svc];
    if (!acc.traces) continue;
    CriticalPathShare s;
    s.service = std::string(str(svc));
    share(acc, &s);
    sum->services.push_back(std::move(s));
  }
  for (size_t k = 0; k < op_keys_.size(); ++k) {
    const ShareAcc& acc = by_op_[k];
    const uint64_t key = op_keys_[k];
    CriticalPathShare s;
    s.service = std::string(str(static_cast<StrId>(key >> 32)));
    s.operation = std::string(str(static_cast<StrId>(key & 0xffffffffu)));
    share(acc, &s);
    sum->operations.push_back(std::move(s));
  }
  SortShares(&sum->services);
  SortShares(&sum->operations);
  for (StrId svc = 0; svc < breakdown_.size(); ++svc) {
    ServiceBreakdown& b = breakdown_[svc];
    if (!b.spans) continue;
    b.service = std::string(str(svc));
    b.wait_ns = b.total_ns - b.self_ns;
    sum->breakdown.push_back(std::move(b));
  }
  std::sort(sum->breakdown.begin(), sum->breakdown.end(), [](const auto& a, const auto& b) {
    return a.total_ns != b.total_ns ? a.total_ns > b.total_ns : a.service < b.service;
  });
}

}  // namespace timing_internal

namespace {
using namespace timing_internal;

void FillInput(const SpanTable& t, size_t tr, CriticalPathInput* in) {
  in->Clear();
  const uint32_t base = t.begin(tr);
  for (uint32_t r = base; r < t.end(tr); ++r) {
    in->start.push_back(t.start_ns[r]);
    in->end.push_back(t.end_ns[r]);
    in->parent.push_back(t.parent[r] < 0 ? -1 : t.parent[r] - static_cast<int32_t>(base));
    in->async.push_back(t.async[r]);
  }
}

void FillTrace(const SpanTable& t, size_t tr, TraceRows* rows) {
  FillInput(t, tr, &rows->input);
  rows->service.assign(t.service.begin() + t.begin(tr), t.service.begin() + t.end(tr));
  rows->name.assign(t.name.begin() + t.begin(tr), t.name.begin() + t.end(tr));
}

void AddPaths(const SpanTable& t, const std::vector<int64_t>& durations, size_t from, size_t to,
              PathTotals* out) {
  TraceRows rows;
  for (size_t tr = from; tr < to; ++tr) {
    FillTrace(t, tr, &rows);
    out->AddTrace(rows, durations[tr]);
  }
}

}  // namespace

void TraceCriticalPath(const SpanTable& t, size_t tr, CriticalPathMode mode,
                       CriticalPathSolver* solver, CriticalPathInput* in,
                       std::vector<CriticalPathPiece>* out) {
  FillInput(t, tr, in);
  solver->Solve(*in, mode, out);
}

CriticalPathSummary AggregateCriticalPaths(const SpanTable& t, CriticalPathMode mode) {
  CriticalPathSummary sum;
  sum.mode = mode;
  sum.traces = t.traces();
  std::vector<int64_t> durations(t.traces());
  for (size_t tr = 0; tr < t.traces(); ++tr) durations[tr] = t.TraceDuration(tr);
  Cohorts cohorts = CohortsOf(durations, &sum);

  // Traces are split in contiguous ranges solved on separate threads, then merged.
  unsigned parts = t.traces() < 4096 ? 1u : std::clamp(std::thread::hardware_concurrency(), 1u, 4u);
  std::vector<PathTotals> partial(parts, PathTotals(mode, cohorts));
  std::vector<std::thread> threads;
  for (unsigned p = 1; p < parts; ++p) {
    threads.emplace_back([&, p] {
      AddPaths(t, durations, t.traces() * p / parts, t.traces() * (p + 1) / parts, &partial[p]);
    });
  }
  AddPaths(t, durations, 0, t.traces() / parts, &partial[0]);
  for (std::thread& th : threads) th.join();
  for (unsigned p = 1; p < parts; ++p) partial[0].Add(partial[p]);
  partial[0].Finish([&t](StrId id) { return t.str(id); }, &sum);
  return sum;
}

}  // namespace ddbg
