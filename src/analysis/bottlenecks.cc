// Bottlenecks: the critical-path ranking comes from the timing aggregation; sibling groups,
// fan-outs and gaps come from one pass over each trace's children lists.
#include "ddbg/bottlenecks.h"

#include <algorithm>
#include <map>
#include <tuple>
#include <unordered_map>

#include "analysis/trace_children.h"

namespace ddbg {
namespace {

using OpKey = std::tuple<StrId, StrId, StrId, StrId>;  // parent svc, parent op, svc, op

SiblingGroup MakeGroup(const SpanTable& t, uint32_t parent_row, const std::vector<uint32_t>& rows) {
  SiblingGroup g;
  g.parent_span_id = t.span_id[parent_row];
  g.parent_service = std::string(t.str(t.service[parent_row]));
  g.parent_operation = std::string(t.str(t.name[parent_row]));
  g.service = std::string(t.str(t.service[rows[0]]));
  g.operation = std::string(t.str(t.name[rows[0]]));
  g.count = static_cast<uint32_t>(rows.size());
  int64_t lo = INT64_MAX, hi = INT64_MIN;
  for (size_t k = 0; k < rows.size(); ++k) {
    uint32_t r = rows[k];
    lo = std::min(lo, t.start_ns[r]);
    hi = std::max(hi, t.end_ns[r]);
    g.sum_ns += t.duration_ns(r);
    if (k > 0 && t.start_ns[r] < t.end_ns[rows[k - 1]]) ++g.overlapping_pairs;
  }
  g.wall_ns = hi - lo;
  return g;
}

// Calls `fn(parent_local, rows)` for each same-operation sibling group of the trace.
template <typename Fn>
void ForEachSiblingGroup(const SpanTable& t, const TraceChildren& ch, uint32_t min_repeats,
                         Fn fn) {
  std::map<std::pair<StrId, StrId>, std::vector<uint32_t>> groups;
  for (uint32_t i = 0; i < ch.size(); ++i) {
    if (ch.count(i) < min_repeats) continue;
    groups.clear();
    for (const uint32_t* c = ch.begin(i); c != ch.end(i); ++c) {
      uint32_t r = ch.base() + *c;
      groups[{t.service[r], t.name[r]}].push_back(r);
    }
    for (auto& [key, rows] : groups) {
      if (rows.size() >= min_repeats) fn(i, rows);
    }
  }
}

}  // namespace

std::vector<SiblingGroup> FindSiblingGroups(const SpanTable& t, size_t tr, uint32_t min_repeats) {
  TraceChildren ch;
  ch.Build(t, tr);
  std::vector<SiblingGroup> out;
  ForEachSiblingGroup(t, ch, min_repeats, [&](uint32_t parent, const std::vector<uint32_t>& rows) {
    out.push_back(MakeGroup(t, ch.base() + parent, rows));
    out.back().trace_id = t.trace_id[tr];
  });
  return out;
}

Bottlenecks FindBottlenecks(const SpanTable& t, const BottleneckOptions& opt) {
  Bottlenecks out;
  out.traces = t.traces();
  out.operations = AggregateCriticalPaths(t).operations;
  std::sort(out.operations.begin(), out.operations.end(),
            [](const auto& a, const auto& b) { return a.share_all > b.share_all; });
  std::map<OpKey, NPlusOnePattern> n1;
  std::map<std::pair<StrId, StrId>, FanOutPattern> fan;
  std::map<std::pair<StrId, StrId>, GapPattern> gaps;
  TraceChildren ch;
  for (size_t tr = 0; tr < t.traces(); ++tr) {
    ch.Build(t, tr);
    ForEachSiblingGroup(t, ch, opt.min_repeats, [&](uint32_t parent, const std::vector<uint32_t>& rows) {
      uint32_t prow = ch.base() + parent;
      SiblingGroup g = MakeGroup(t, prow, rows);
      g.trace_id = t.trace_id[tr];
      if (!g.sequential()) return;
      NPlusOnePattern& p = n1[{t.service[prow], t.name[prow], t.service[rows[0]], t.name[rows[0]]}];
      ++p.traces;
      p.max_count = std::max(p.max_count, g.count);
      p.mean_count += g.count;
      p.mean_sum_ns += g.sum_ns;
      if (p.examples.size() < opt.examples) p.examples.push_back(std::move(g));
    });
    for (uint32_t i = 0; i < ch.size(); ++i) {
      uint32_t prow = ch.base() + i;
      uint32_t n = ch.count(i);
      if (n == 0) continue;
      // Fan-out: many children, some running concurrently.
      if (n >= opt.min_fanout) {
        bool concurrent = false;
        int64_t run_end = INT64_MIN;
        for (const uint32_t* c = ch.begin(i); c != ch.end(i); ++c) {
          uint32_t r = ch.base() + *c;
          if (t.start_ns[r] < run_end) concurrent = true;
          run_end = std::max(run_end, t.end_ns[r]);
        }
        if (concurrent) {
          FanOutPattern& f = fan[{t.service[prow], t.name[prow]}];
          ++f.occurrences;
          f.max_children = std::max(f.max_children, n);
          f.mean_children += n;
          if (f.examples.size() < opt.examples) f.examples.push_back(t.trace_id[tr]);
        }
      }
      // Gaps between children.
      int64_t pdur = t.duration_ns(prow);
      int64_t min_len = std::max<int64_t>(opt.min_gap_ns, static_cast<int64_t>(pdur * opt.min_gap_share));
      int64_t covered_to = INT64_MIN;
      for (const uint32_t* c = ch.begin(i); c != ch.end(i); ++c) {
        uint32_t r = ch.base() + *c;
        int64_t s = std::max(t.start_ns[r], t.start_ns[prow]);
        int64_t e = std::min(t.end_ns[r], t.end_ns[prow]);
        if (e < s) continue;
        if (covered_to != INT64_MIN && s - covered_to >= min_len) {
          GapPattern& g = gaps[{t.service[prow], t.name[prow]}];
          ++g.occurrences;
          g.total_ns += s - covered_to;
          g.max_ns = std::max(g.max_ns, s - covered_to);
          if (g.examples.size() < opt.examples) {
            g.examples.push_back({t.trace_id[tr], t.span_id[prow], std::string(t.str(t.service[prow])),
                                  std::string(t.str(t.name[prow])), covered_to, s, pdur});
          }
        }
        covered_to = std::max(covered_to, e);
      }
    }
  }
  for (auto& [key, p] : n1) {
    p.parent_service = std::string(t.str(std::get<0>(key)));
    p.parent_operation = std::string(t.str(std::get<1>(key)));
    p.service = std::string(t.str(std::get<2>(key)));
    p.operation = std::string(t.str(std::get<3>(key)));
    p.mean_count /= p.traces;
    p.mean_sum_ns /= static_cast<int64_t>(p.traces);
    out.n_plus_one.push_back(std::move(p));
  }
  for (auto& [key, f] : fan) {
    f.service = std::string(t.str(key.first));
    f.operation = std::string(t.str(key.second));
    f.mean_children /= f.occurrences;
    out.fan_outs.push_back(std::move(f));
  }
  for (auto& [key, g] : gaps) {
    g.service = std::string(t.str(key.first));
    g.operation = std::string(t.str(key.second));
    out.gaps.push_back(std::move(g));
  }
  std::stable_sort(out.n_plus_one.begin(), out.n_plus_one.end(),
                   [](const auto& a, const auto& b) { return a.traces > b.traces; });
  std::stable_sort(out.fan_outs.begin(), out.fan_outs.end(),
                   [](const auto& a, const auto& b) { return a.occurrences > b.occurrences; });
  std::stable_sort(out.gaps.begin(), out.gaps.end(),
                   [](const auto& a, const auto& b) { return a.total_ns > b.total_ns; });
  return out;
}

}  // namespace ddbg
