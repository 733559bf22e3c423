// Attribute signal (after Honeycomb's BubbleUp): per service, the attribute values of its
// anomalous window spans (errors, or self time above the baseline's 95th percentile of the
// operation) against its baseline spans. Values over-represented among the anomalous spans
// — an instance (host.name, k8s.pod.name, service.instance.id), a service.version, a route,
// a tenant — become suspects of their own.
#include <algorithm>
#include <fmt/format.h>
#include <unordered_map>

#include "analysis/rca/signal.h"
#include "analysis/rca/stats.h"

namespace ddbg::rca {
namespace {

constexpr size_t kMinAnomalousSpans = 5;
constexpr size_t kPerService = 3;

uint64_t OpKey(const RcaSpan& s) { return (static_cast<uint64_t>(s.service) << 32) | s.operation; }

// Instance keys, most specific first; kNotInstance for other pairs.
constexpr std::string_view kInstanceKeys[] = {"service.instance.id=", "k8s.pod.name=",
                                              "host.name=", "k8s.node.name="};
constexpr int kNotInstance = 4;

int InstanceRank(std::string_view pair) {
  for (int i = 0; i < kNotInstance; ++i) {
    if (pair.starts_with(kInstanceKeys[i])) return i;
  }
  return kNotInstance;
}

struct ServiceSide {
  double anomalous = 0, baseline = 0;
  std::unordered_map<StrId, std::pair<double, double>> pairs;  // (anomalous, baseline) counts
};

template <typename Fn>
void ForEachPair(const TraceSet& set, const RcaSpan& sp, Fn fn) {
  for (StrId p : set.resources[sp.resource].pairs) fn(p);
  for (uint32_t a = sp.attr_begin; a < sp.attr_end; ++a) fn(set.span_attrs[a]);
}

}  // namespace

std::vector<Finding> AttributeSignal(const TraceSet& set) {
  std::unordered_map<uint64_t, std::vector<double>> self_b;
  for (const RcaTrace& tr : set.traces) {
    if (tr.in_window) continue;
    for (uint32_t s = tr.span_begin; s < tr.span_end; ++s) {
      self_b[OpKey(set.spans[s])].push_back(static_cast<double>(set.spans[s].self_ns));
    }
  }
  std::unordered_map<uint64_t, double> slow;
  for (auto& [k, v] : self_b) {
    if (v.size() >= 20) slow[k] = Quantile(v, 0.95);
  }
  std::unordered_map<StrId, ServiceSide> sides;
  for (const RcaTrace& tr : set.traces) {
    for (uint32_t s = tr.span_begin; s < tr.span_end; ++s) {
      const RcaSpan& sp = set.spans[s];
      bool counted;
      if (tr.in_window) {
        auto it = slow.find(OpKey(sp));
        counted = sp.error || (it != slow.end() && static_cast<double>(sp.self_ns) > it->second);
      } else {
        counted = true;
      }
      if (!counted) continue;
      ServiceSide& side = sides[sp.service];
      (tr.in_window ? side.anomalous : side.baseline) += 1;
      ForEachPair(set, sp, [&](StrId p) {
        auto& c = side.pairs[p];
        (tr.in_window ? c.first : c.second) += 1;
      });
    }
  }
  std::vector<Finding> out;
  for (const auto& [service, side] : sides) {
    if (side.anomalous < kMinAnomalousSpans || side.baseline < kMinAnomalousSpans) continue;
    std::vector<Finding> found;
    for (const auto& [pair, c] : side.pairs) {
      double pa = c.first / side.anomalous, pb = c.second / side.baseline;
      double z = TwoProportionZ(c.first, side.anomalous, c.second, side.baseline);
      double strength = std::max(0.0, pa - pb) * Ramp(z, 3, 8);
      if (strength < 0.1) continue;
      Finding f;
      std::string_view text = set.Name(pair);
      f.kind = InstanceRank(text) < kNotInstance ? SuspectKind::kInstance : SuspectKind::kAttribute;
      f.service = service;
      f.pair = pair;
      f.strength = strength;
      f.z = z;
      f.summary = fmt::format("{} on {:.0f}% of {}'s anomalous spans vs {:.0f}% of its baseline "
                              "spans",
                              text, pa * 100, set.Name(service), pb * 100);
      f.figures = {{"anomalous_share", pa}, {"baseline_share", pb}, {"z", z},
                   {"anomalous_spans", side.anomalous}};
      found.push_back(std::move(f));
    }
    // Equal strengths (a pod and the node it runs on, always together): the most specific
    // instance key first, then by text (the same order on every run).
    std::sort(found.begin(), found.end(), [&](const Finding& a, const Finding& b) {
      if (a.strength != b.strength) return a.strength > b.strength;
      std::string_view pa = set.Name(a.pair), pb = set.Name(b.pair);
      int ra = InstanceRank(pa), rb = InstanceRank(pb);
      return ra != rb ? ra < rb : pa < pb;
    });
    if (found.size() > kPerService) found.resize(kPerService);
    for (Finding& f : found) {
      StrId pair = f.pair;
      f.traces = ExampleTraces(set, 3, [&](uint32_t s) {
        const RcaSpan& sp = set.spans[s];
        if (sp.service != f.service) return false;
        bool has = false;
        ForEachPair(set, sp, [&](StrId p) { has = has || p == pair; });
        return has;
      });
      out.push_back(std::move(f));
    }
  }
  return out;
}

}  // namespace ddbg::rca
