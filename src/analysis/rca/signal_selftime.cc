// Self-time signal: per operation, the self time of its spans (duration minus the time
// covered by children, as trace_tree.h defines it) in the window against the baseline.
// A service is blamed by the share of the window's significant added self time that its
// operations account for, scaled by how large and how certain the slowdown is.
#include <cmath>
#include <fmt/format.h>
#include <unordered_map>

#include "analysis/rca/signal.h"
#include "analysis/rca/stats.h"

namespace ddbg::rca {
namespace {

struct OpTimes {
  Moments log_w, log_b;  // log of self time (µs + 1)
  Moments raw_w, raw_b;  // self time in ns
};

double LogSelf(int64_t ns) { return std::log1p(static_cast<double>(ns) / 1000.0); }

}  // namespace

std::vector<Finding> SelfTimeSignal(const TraceSet& set) {
  std::unordered_map<uint64_t, OpTimes> ops;
  for (const RcaTrace& tr : set.traces) {
    for (uint32_t s = tr.span_begin; s < tr.span_end; ++s) {
      const RcaSpan& sp = set.spans[s];
      OpTimes& o = ops[(static_cast<uint64_t>(sp.service) << 32) | sp.operation];
      (tr.in_window ? o.log_w : o.log_b).Add(LogSelf(sp.self_ns));
      (tr.in_window ? o.raw_w : o.raw_b).Add(static_cast<double>(sp.self_ns));
    }
  }
  struct Blame {
    double excess_ns = 0, best_t = 0, best_ratio = 0;
    StrId best_op = kEmptyStr;
    double mean_w = 0, mean_b = 0;
  };
  std::unordered_map<StrId, Blame> by_service;
  double total_excess = 0;
  for (const auto& [key, o] : ops) {
    if (o.raw_w.n < 5 || o.raw_b.n < 5) continue;
    double t = WelchT(o.log_w, o.log_b);
    double ratio = o.raw_w.mean() / std::max(o.raw_b.mean(), 1.0);
    if (t < 3 || ratio <= 1) continue;
    double excess = o.raw_w.n * (o.raw_w.mean() - o.raw_b.mean());
    total_excess += excess;
    Blame& b = by_service[static_cast<StrId>(key >> 32)];
    b.excess_ns += excess;
    if (t * std::log2(ratio) > b.best_t * std::log2(std::max(b.best_ratio, 1.0))) {
      b.best_t = t, b.best_ratio = ratio, b.best_op = static_cast<StrId>(key & 0xffffffffu);
      b.mean_w = o.raw_w.mean(), b.mean_b = o.raw_b.mean();
    }
  }
  std::vector<Finding> out;
  for (const auto& [service, b] : by_service) {
    double share = total_excess > 0 ? b.excess_ns / total_excess : 0;
    Finding f;
    f.service = service;
    f.operation = b.best_op;
    f.z = b.best_t;
    f.strength = share * Ramp(b.best_t, 3, 8) * Ramp(std::log2(b.best_ratio), 0.2, 1.5);
    if (f.strength <= 0) continue;
    f.summary = fmt::format("{} self time x{:.2f} (mean {:.2f}ms vs {:.2f}ms baseline); {:.0f}% "
                            "of the window's added self time",
                            set.Name(b.best_op), b.best_ratio, b.mean_w / 1e6, b.mean_b / 1e6,
                            share * 100);
    f.figures = {{"ratio", b.best_ratio},      {"t", b.best_t},
                 {"mean_self_ms", b.mean_w / 1e6}, {"baseline_mean_self_ms", b.mean_b / 1e6},
                 {"share_of_added_self_time", share}};
    double slow = b.mean_b * 2;
    f.traces = ExampleTraces(set, 3, [&](uint32_t s) {
      const RcaSpan& sp = set.spans[s];
      return sp.service == service && sp.operation == b.best_op &&
             static_cast<double>(sp.self_ns) > slow;
    });
    out.push_back(std::move(f));
  }
  return out;
}

}  // namespace ddbg::rca
