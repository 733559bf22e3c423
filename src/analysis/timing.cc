// Aggregated critical path: trace durations give the cohorts, then one pass solves every
// trace's critical path and adds each piece to its service and operation, per cohort.
#include "ddbg/timing.h"

#include <algorithm>
#include <unordered_map>

#include "analysis/stats.h"
#include "analysis/trace_children.h"

namespace ddbg {
namespace {

struct ShareAcc {
  uint64_t traces = 0;
  int64_t all = 0, p50 = 0, p99 = 0;
  uint64_t last_trace = UINT64_MAX;
};

void SortShares(std::vector<CriticalPathShare>* v) {
  std::sort(v->begin(), v->end(), [](const auto& a, const auto& b) {
    if (a.share_p99 != b.share_p99) return a.share_p99 > b.share_p99;
    if (a.share_all != b.share_all) return a.share_all > b.share_all;
    return std::tie(a.service, a.operation) < std::tie(b.service, b.operation);
  });
}

}  // namespace

void TraceCriticalPath(const SpanTable& t, size_t tr, CriticalPathMode mode,
                       CriticalPathSolver* solver, CriticalPathInput* in,
                       std::vector<CriticalPathPiece>* out) {
  in->Clear();
  const uint32_t base = t.begin(tr);
  for (uint32_t r = base; r < t.end(tr); ++r) {
    in->start.push_back(t.start_ns[r]);
    in->end.push_back(t.end_ns[r]);
    in->parent.push_back(t.parent[r] < 0 ? -1 : t.parent[r] - static_cast<int32_t>(base));
    in->async.push_back(t.async[r]);
  }
  solver->Solve(*in, mode, out);
}

CriticalPathSummary AggregateCriticalPaths(const SpanTable& t, CriticalPathMode mode) {
  CriticalPathSummary sum;
  sum.mode = mode;
  sum.traces = t.traces();
  std::vector<int64_t> durations(t.traces());
  for (size_t tr = 0; tr < t.traces(); ++tr) durations[tr] = t.TraceDuration(tr);
  std::vector<int64_t> sorted = durations;
  int64_t p45 = stats::Quantile(&sorted, 0.45);
  int64_t p55 = stats::Quantile(&sorted, 0.55);
  sum.trace_p99_ns = stats::Quantile(&sorted, 0.99);
  sum.trace_p50_ns = stats::Quantile(&sorted, 0.50);

  std::unordered_map<StrId, ShareAcc> by_service;
  std::unordered_map<uint64_t, ShareAcc> by_op;
  std::unordered_map<StrId, ServiceBreakdown> breakdown;
  int64_t total_all = 0, total_p50 = 0, total_p99 = 0;
  CriticalPathSolver solver;
  CriticalPathInput input;
  std::vector<CriticalPathPiece> pieces;
  TraceChildren children;
  for (size_t tr = 0; tr < t.traces(); ++tr) {
    bool in_p50 = durations[tr] >= p45 && durations[tr] <= p55;
    bool in_p99 = durations[tr] >= sum.trace_p99_ns;
    sum.p50_cohort += in_p50;
    sum.p99_cohort += in_p99;
    TraceCriticalPath(t, tr, mode, &solver, &input, &pieces);
    const uint32_t base = t.begin(tr);
    auto add = [&](ShareAcc& acc, int64_t d) {
      if (acc.last_trace != tr) {
        acc.last_trace = tr;
        ++acc.traces;
      }
      acc.all += d;
      if (in_p50) acc.p50 += d;
      if (in_p99) acc.p99 += d;
    };
    for (const CriticalPathPiece& p : pieces) {
      int64_t d = p.end_ns - p.start_ns;
      uint32_t row = base + p.node;
      add(by_service[t.service[row]], d);
      add(by_op[(static_cast<uint64_t>(t.service[row]) << 32) | t.name[row]], d);
      total_all += d;
      if (in_p50) total_p50 += d;
      if (in_p99) total_p99 += d;
    }
    children.Build(t, tr);
    for (uint32_t i = 0; i < children.size(); ++i) {
      ServiceBreakdown& b = breakdown[t.service[base + i]];
      int64_t self = children.SelfTime(t, i);
      ++b.spans;
      b.total_ns += t.duration_ns(base + i);
      b.self_ns += self;
    }
  }
  auto share = [&](const ShareAcc& acc, CriticalPathShare* s) {
    s->traces = acc.traces;
    s->total_ns = acc.all;
    s->share_all = total_all ? static_cast<double>(acc.all) / total_all : 0;
    s->share_p50 = total_p50 ? static_cast<double>(acc.p50) / total_p50 : 0;
    s->share_p99 = total_p99 ? static_cast<double>(acc.p99) / total_p99 : 0;
  };
  for (const auto& [svc, acc] : by_service) {
    CriticalPathShare s;
    s.service = std::string(t.str(svc));
    share(acc, &s);
    sum.services.push_back(std::move(s));
  }
  for (const auto& [key, acc] : by_op) {
    CriticalPathShare s;
    s.service = std::string(t.str(static_cast<StrId>(key >> 32)));
    s.operation = std::string(t.str(static_cast<StrId>(key & 0xffffffffu)));
    share(acc, &s);
    sum.operations.push_back(std::move(s));
  }
  SortShares(&sum.services);
  SortShares(&sum.operations);
  for (auto& [svc, b] : breakdown) {
    b.service = std::string(t.str(svc));
    b.wait_ns = b.total_ns - b.self_ns;
    sum.breakdown.push_back(std::move(b));
  }
  std::sort(sum.breakdown.begin(), sum.breakdown.end(), [](const auto& a, const auto& b) {
    return a.total_ns != b.total_ns ? a.total_ns > b.total_ns : a.service < b.service;
  });
  return sum;
}

}  // namespace ddbg
