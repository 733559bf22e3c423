// Aggregated critical path: trace durations give the cohorts, then one pass solves every
// trace's critical path and adds each piece to its service and operation, per cohort.
#include "ddbg/timing.h"

#include <algorithm>
#include <thread>
#include <unordered_map>

#include "analysis/stats.h"
#include "analysis/trace_children.h"

namespace ddbg {
namespace {

struct ShareAcc {
  uint64_t traces = 0;
  int64_t all = 0, p50 = 0, p99 = 0;
  uint64_t last_trace = UINT64_MAX;
  void Add(const ShareAcc& o) {
    traces += o.traces;
    all += o.all;
    p50 += o.p50;
    p99 += o.p99;
  }
};

struct Cohorts {
  int64_t p45 = 0, p55 = 0, p99 = 0;
};

// What the traces of one range add to the summary.
struct PathTotals {
  std::unordered_map<StrId, ShareAcc> by_service;
  std::unordered_map<uint64_t, ShareAcc> by_op;
  std::unordered_map<StrId, ServiceBreakdown> breakdown;
  int64_t total_all = 0, total_p50 = 0, total_p99 = 0;
  uint64_t p50_cohort = 0, p99_cohort = 0;

  void Add(const PathTotals& o) {
    for (const auto& [k, a] : o.by_service) by_service[k].Add(a);
    for (const auto& [k, a] : o.by_op) by_op[k].Add(a);
    for (const auto& [k, b] : o.breakdown) {
      ServiceBreakdown& m = breakdown[k];
      m.spans += b.spans;
      m.total_ns += b.total_ns;
      m.self_ns += b.self_ns;
    }
    total_all += o.total_all;
    total_p50 += o.total_p50;
    total_p99 += o.total_p99;
    p50_cohort += o.p50_cohort;
    p99_cohort += o.p99_cohort;
  }
};

void AddPaths(const SpanTable& t, CriticalPathMode mode, const std::vector<int64_t>& durations,
              const Cohorts& c, size_t from, size_t to, PathTotals* out) {
  CriticalPathSolver solver;
  CriticalPathInput input;
  std::vector<CriticalPathPiece> pieces;
  TraceChildren children;
  for (size_t tr = from; tr < to; ++tr) {
    bool in_p50 = durations[tr] >= c.p45 && durations[tr] <= c.p55;
    bool in_p99 = durations[tr] >= c.p99;
    out->p50_cohort += in_p50;
    out->p99_cohort += in_p99;
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
      add(out->by_service[t.service[row]], d);
      add(out->by_op[(static_cast<uint64_t>(t.service[row]) << 32) | t.name[row]], d);
      out->total_all += d;
      if (in_p50) out->total_p50 += d;
      if (in_p99) out->total_p99 += d;
    }
    children.Build(t, tr);
    for (uint32_t i = 0; i < children.size(); ++i) {
      ServiceBreakdown& b = out->breakdown[t.service[base + i]];
      ++b.spans;
      b.total_ns += t.duration_ns(base + i);
      b.self_ns += children.SelfTime(t, i);
    }
  }
}

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
  Cohorts cohorts;
  cohorts.p45 = stats::Quantile(&sorted, 0.45);
  cohorts.p55 = stats::Quantile(&sorted, 0.55);
  sum.trace_p99_ns = cohorts.p99 = stats::Quantile(&sorted, 0.99);
  sum.trace_p50_ns = stats::Quantile(&sorted, 0.50);

  // Traces are split in contiguous ranges solved on separate threads, then merged.
  unsigned parts = t.traces() < 4096 ? 1u : std::clamp(std::thread::hardware_concurrency(), 1u, 4u);
  std::vector<PathTotals> partial(parts);
  std::vector<std::thread> threads;
  for (unsigned p = 1; p < parts; ++p) {
    threads.emplace_back([&, p] {
      AddPaths(t, mode, durations, cohorts, t.traces() * p / parts,
               t.traces() * (p + 1) / parts, &partial[p]);
    });
  }
  AddPaths(t, mode, durations, cohorts, 0, t.traces() / parts, &partial[0]);
  for (std::thread& th : threads) th.join();
  PathTotals all = std::move(partial[0]);
  for (unsigned p = 1; p < parts; ++p) all.Add(partial[p]);
  auto& [by_service, by_op, breakdown, total_all, total_p50, total_p99, p50_cohort, p99_cohort] = all;
  sum.p50_cohort = p50_cohort;
  sum.p99_cohort = p99_cohort;
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
