// Spectrum signal (after MicroRank): operations that appear in anomalous window traces and
// not in normal ones score by Ochiai, ef / sqrt(F · (ef + ep)), weighted by the operation's
// centrality in the anomalous call graph (PageRank with edges caller -> callee, so blame
// flows towards the operations everything else waits on).
#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <unordered_map>

#include "analysis/rca/signal.h"

namespace ddbg::rca {
namespace {

uint64_t OpKey(const RcaSpan& s) { return (static_cast<uint64_t>(s.service) << 32) | s.operation; }

struct OpCounts {
  double ef = 0;  // anomalous traces containing the operation
  double ep = 0;  // normal traces containing it
  uint32_t index = 0;
};

// PageRank over the operations' caller -> callee edges seen in anomalous traces.
std::vector<double> Centrality(const TraceSet& set,
                               const std::unordered_map<uint64_t, OpCounts>& ops) {
  size_t n = ops.size();
  std::vector<std::vector<uint32_t>> out(n);
  for (const RcaTrace& tr : set.traces) {
    if (!tr.in_window || !tr.anomalous) continue;
    for (uint32_t s = tr.span_begin; s < tr.span_end; ++s) {
      const RcaSpan& sp = set.spans[s];
      if (sp.parent < 0) continue;
      uint32_t from = ops.at(OpKey(set.spans[tr.span_begin + sp.parent])).index;
      uint32_t to = ops.at(OpKey(sp)).index;
      if (from != to) out[from].push_back(to);
    }
  }
  for (auto& v : out) {
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
  }
  std::vector<double> rank(n, 1.0 / static_cast<double>(n)), next(n);
  for (int iter = 0; iter < 30; ++iter) {
    std::fill(next.begin(), next.end(), 0.15 / static_cast<double>(n));
    double dangling = 0;
    for (size_t i = 0; i < n; ++i) {
      if (out[i].empty()) {
        dangling += rank[i];
        continue;
      }
      for (uint32_t j : out[i]) next[j] += 0.85 * rank[i] / static_cast<double>(out[i].size());
    }
    for (double& x : next) x += 0.85 * dangling / static_cast<double>(n);
    rank.swap(next);
  }
  double top = *std::max_element(rank.begin(), rank.end());
  for (double& x : rank) x /= top;
  return rank;
}

}  // namespace

std::vector<Finding> SpectrumSignal(const TraceSet& set) {
  std::unordered_map<uint64_t, OpCounts> ops;
  double failing = 0, passing = 0;
  std::vector<uint64_t> seen;
  for (const RcaTrace& tr : set.traces) {
    if (!tr.in_window) continue;
    (tr.anomalous ? failing : passing) += 1;
    seen.clear();
    for (uint32_t s = tr.span_begin; s < tr.span_end; ++s) seen.push_back(OpKey(set.spans[s]));
    std::sort(seen.begin(), seen.end());
    seen.erase(std::unique(seen.begin(), seen.end()), seen.end());
    for (uint64_t k : seen) {
      auto [it, inserted] = ops.try_emplace(k);
      if (inserted) it->second.index = static_cast<uint32_t>(ops.size() - 1);
      (tr.anomalous ? it->second.ef : it->second.ep) += 1;
    }
  }
  std::vector<Finding> out;
  if (failing < 3 || ops.empty()) return out;
  std::vector<double> central = Centrality(set, ops);
  std::unordered_map<StrId, Finding> best;  // per service: its best operation
  for (const auto& [key, c] : ops) {
    if (c.ef == 0) continue;
    double ochiai = c.ef / std::sqrt(failing * (c.ef + c.ep));
    double weight = 0.5 + 0.5 * central[c.index];
    // Spectra only mean something when the window has clearly more anomalous traces.
    double strength = ochiai * weight * Ramp(set.anomaly_z, 2, 6);
    StrId service = static_cast<StrId>(key >> 32);
    Finding& f = best[service];
    if (strength <= f.strength) continue;
    f.kind = SuspectKind::kService;
    f.service = service;
    f.operation = static_cast<StrId>(key & 0xffffffffu);
    f.strength = strength;
    f.z = ochiai;
    f.summary = fmt::format("{} is in {:.0f} of {:.0f} anomalous traces and {:.0f} normal ones",
                            set.Name(f.operation), c.ef, failing, c.ep);
    f.figures = {{"ochiai", ochiai},   {"centrality", central[c.index]},
                 {"anomalous_traces_with", c.ef}, {"normal_traces_with", c.ep},
                 {"anomalous_traces", failing}};
  }
  for (auto& [service, f] : best) {
    if (f.strength <= 0) continue;
    uint64_t key = (static_cast<uint64_t>(f.service) << 32) | f.operation;
    f.traces = ExampleTraces(set, 3, [&](uint32_t s) { return OpKey(set.spans[s]) == key; });
    out.push_back(std::move(f));
  }
  return out;
}

}  // namespace ddbg::rca
