// Queueing signal: how long a call waits before the called service starts serving it — from
// the start of the caller's span to the start of its child span in another service (for a
// client span: time on the wire and in the callee's queue). A service starved of CPU (a hog
// in its pod) or of threads leaves requests queued before its handler's span opens, so every
// caller waits longer while the callee's own spans may look normal and few (a rarely called
// service has too few spans for self time). The wait is compared per edge (caller service
// and operation -> callee service) with the edge's baseline, in units of the edge's usual
// wait (its baseline median, at least kMinUsualWaitNs, so clock skew between hosts and tiny
// waits do not inflate ratios), pooled per callee, and tested with a rank-sum test (exact for
// the few calls a rarely called service gets). A starved caller delays its own outgoing calls
// too: edges whose caller is itself found queueing are left out of its callees' pools; and a
// rise every callee shares is nobody's (SharedWaitFactor).
#include <algorithm>
#include <array>
#include <cmath>
#include <fmt/format.h>
#include <map>
#include <unordered_map>
#include <unordered_set>

#include "analysis/rca/signal.h"
#include "analysis/rca/stats.h"

namespace ddbg::rca {
namespace {

constexpr int64_t kMinUsualWaitNs = 1000000;  // 1 ms
constexpr size_t kMinBaselineCalls = 5;       // per edge
constexpr size_t kMinWindowCalls = 3;         // per callee
constexpr size_t kMinCalleesForShared = 3;

struct Call {
  StrId caller = kEmptyStr;
  uint32_t span = 0;  // the callee's span
  uint32_t trace = 0;
  double wait_ns = 0;
  bool in_window = false;
};

struct EdgeWaits {
  std::vector<uint32_t> calls;  // indexes into the call list
  double usual_ns = 0;          // baseline median, floored
};

using EdgeKey = std::array<StrId, 3>;  // caller service, caller operation, callee service
using Edges = std::map<EdgeKey, EdgeWaits>;

// Every cross-service call of the set, and the calls grouped per edge.
std::vector<Call> CollectCalls(const TraceSet& set,
                               Edges* edges) {
  std::vector<Call> calls;
  for (uint32_t t = 0; t < set.traces.size(); ++t) {
    const RcaTrace& tr = set.traces[t];
    for (uint32_t s = tr.span_begin; s < tr.span_end; ++s) {
      const RcaSpan& sp = set.spans[s];
      if (sp.parent < 0) continue;
      const RcaSpan& parent = set.spans[tr.span_begin + static_cast<uint32_t>(sp.parent)];
      if (parent.service == sp.service) continue;
      (*edges)[{parent.service, parent.operation, sp.service}].calls.push_back(static_cast<uint32_t>(calls.size()));
      calls.push_back({parent.service, s, t, static_cast<double>(sp.start_ns - parent.start_ns),
                       tr.in_window});
    }
  }
  std::vector<double> base;
  for (auto& [key, e] : *edges) {
    base.clear();
    for (uint32_t c : e.calls) {
      if (!calls[c].in_window) base.push_back(calls[c].wait_ns);
    }
    e.usual_ns = base.size() >= kMinBaselineCalls
                     ? std::max<double>(Quantile(base, 0.5), kMinUsualWaitNs)
                     : 0;  // too few baseline calls: the edge is not compared
  }
  return calls;
}

struct Pool {
  std::vector<double> window, baseline;  // waits in units of the edge's usual wait
  std::vector<uint32_t> window_calls;
  std::unordered_set<StrId> callers;
};

std::unordered_map<StrId, Pool> PoolPerCallee(const TraceSet& set, const std::vector<Call>& calls,
                                              const Edges& edges,
                                              const std::unordered_set<StrId>& starved) {
  std::unordered_map<StrId, Pool> pools;
  for (const auto& [key, e] : edges) {
    if (e.usual_ns <= 0) continue;
    for (uint32_t c : e.calls) {
      const Call& call = calls[c];
      if (starved.count(call.caller)) continue;
      Pool& p = pools[set.spans[call.span].service];
      (call.in_window ? p.window : p.baseline).push_back(call.wait_ns / e.usual_ns);
      if (call.in_window) p.window_calls.push_back(c), p.callers.insert(call.caller);
    }
  }
  return pools;
}

Finding CalleeFinding(const TraceSet& set, const std::vector<Call>& calls, StrId callee, Pool& p) {
  Finding f;
  f.service = callee;
  if (p.window.size() < kMinWindowCalls || p.baseline.empty()) return f;
  f.z = RankSumZ(p.window, p.baseline);
  std::vector<double> w = p.window;
  double ratio = Quantile(w, 0.5);  // the median wait in units of the usual one
  f.strength = Ramp(f.z, 2, 5) * Ramp(std::log2(std::max(ratio, 1e-9)), 1, 3);
  if (f.strength <= 0) return f;
  std::unordered_map<StrId, double> ops;
  std::vector<double> waits_ms;
  for (uint32_t c : p.window_calls) {
    ops[set.spans[calls[c].span].operation] += 1;
    waits_ms.push_back(calls[c].wait_ns / 1e6);
  }
  double best = 0;
  for (const auto& [op, n] : ops) {
    if (n > best || (n == best && op < f.operation)) best = n, f.operation = op;
  }
  double median_ms = Quantile(waits_ms, 0.5);
  f.summary = fmt::format("calls to it wait {:.1f} ms before it starts serving them (median of {} "
                          "calls from {} callers), x{:.1f} their usual wait",
                          median_ms, p.window.size(), p.callers.size(), ratio);
  f.figures = {{"median_wait_ms", median_ms}, {"wait_ratio", ratio}, {"z", f.z},
               {"window_calls", static_cast<double>(p.window.size())},
               {"baseline_calls", static_cast<double>(p.baseline.size())}};
  std::vector<std::pair<double, uint32_t>> slowest;  // (wait, trace)
  for (uint32_t c : p.window_calls) slowest.push_back({-calls[c].wait_ns, calls[c].trace});
  std::sort(slowest.begin(), slowest.end());
  for (const auto& [neg_wait, t] : slowest) {
    if (f.traces.size() >= 3) break;
    if (std::find(f.traces.begin(), f.traces.end(), t) == f.traces.end()) f.traces.push_back(t);
  }
  return f;
}

// A rise of the wait that most callees share (the network, a node every service runs on) is
// no one service's: the lower median, over callees with enough window calls (at least
// kMinCalleesForShared of them), of their median wait ratio. Window waits are divided by it.
double SharedWaitFactor(std::unordered_map<StrId, Pool>& pools) {
  std::vector<double> medians;
  for (auto& [callee, p] : pools) {
    if (p.window.size() < kMinWindowCalls) continue;
    std::vector<double> w = p.window;
    medians.push_back(Quantile(w, 0.5));
  }
  if (medians.size() < kMinCalleesForShared) return 1;
  std::sort(medians.begin(), medians.end());
  return std::max(1.0, medians[(medians.size() - 1) / 2]);
}

std::vector<Finding> Findings(const TraceSet& set, const std::vector<Call>& calls,
                              const Edges& edges,
                              const std::unordered_set<StrId>& starved) {
  std::vector<Finding> out;
  std::unordered_map<StrId, Pool> pools = PoolPerCallee(set, calls, edges, starved);
  double shared = SharedWaitFactor(pools);
  for (auto& [callee, pool] : pools) {
    for (double& v : pool.window) v /= shared;
    Finding f = CalleeFinding(set, calls, callee, pool);
    if (f.strength > 0) out.push_back(std::move(f));
  }
  std::sort(out.begin(), out.end(), [](const Finding& a, const Finding& b) { return a.service < b.service; });
  return out;
}

}  // namespace

std::vector<Finding> QueueingSignal(const TraceSet& set) {
  Edges edges;
  std::vector<Call> calls = CollectCalls(set, &edges);
  std::vector<Finding> first = Findings(set, calls, edges, {});
  if (first.empty()) return first;
  std::unordered_set<StrId> starved;  // services whose own callers wait: their calls out are suspect
  for (const Finding& f : first) starved.insert(f.service);
  return Findings(set, calls, edges, starved);
}

}  // namespace ddbg::rca
