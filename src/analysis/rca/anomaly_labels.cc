#include "analysis/rca/anomaly_labels.h"

#include <unordered_map>

#include "analysis/rca/stats.h"

namespace ddbg::rca {
namespace {

constexpr size_t kMinBaselineSamples = 20;

struct RootProfile {
  double slow_ns = 0;      // durations above this are slow
  double min_spans = 0;    // fewer spans than this: calls are missing
  bool known = false;
};

// Per root operation, from baseline traces: the 99th percentile of the duration and the 1st
// percentile of the span count. Root operations seen too rarely use the pooled figures.
std::unordered_map<StrId, RootProfile> BaselineProfiles(const TraceSet& set, RootProfile* pooled) {
  std::unordered_map<StrId, std::pair<std::vector<double>, std::vector<double>>> samples;
  std::vector<double> all;
  for (const RcaTrace& tr : set.traces) {
    if (tr.in_window || tr.error) continue;
    auto& s = samples[tr.root_op];
    s.first.push_back(static_cast<double>(tr.duration_ns));
    s.second.push_back(tr.span_count());
    all.push_back(static_cast<double>(tr.duration_ns));
  }
  std::unordered_map<StrId, RootProfile> out;
  for (auto& [op, s] : samples) {
    if (s.first.size() < kMinBaselineSamples) continue;
    RootProfile p;
    p.slow_ns = Quantile(s.first, 0.99);
    p.min_spans = Quantile(s.second, 0.01);
    p.known = true;
    out[op] = p;
  }
  pooled->slow_ns = all.size() >= kMinBaselineSamples ? Quantile(all, 0.99) : 0;
  pooled->known = pooled->slow_ns > 0;
  return out;
}

bool IsAnomalous(const RcaOptions& options, const RcaTrace& tr, const RootProfile* p) {
  switch (options.trigger) {
    case RcaTrigger::kErrors:
      return tr.error;
    case RcaTrigger::kSlo:
      return tr.duration_ns > options.slo_ns;
    case RcaTrigger::kAuto:
      break;
  }
  if (tr.error) return true;
  if (p == nullptr || !p->known) return false;
  if (tr.duration_ns > p->slow_ns) return true;
  return p->min_spans > 1 && tr.span_count() < p->min_spans;
}

}  // namespace

AnomalySummary LabelAnomalies(const RcaOptions& options, TraceSet* set) {
  RootProfile pooled;
  auto profiles = BaselineProfiles(*set, &pooled);
  AnomalySummary sum;
  for (RcaTrace& tr : set->traces) {
    auto it = profiles.find(tr.root_op);
    const RootProfile* p = it != profiles.end() ? &it->second : &pooled;
    tr.anomalous = IsAnomalous(options, tr, p);
    if (tr.in_window) {
      ++sum.window_traces;
      sum.window_anomalous += tr.anomalous;
    } else {
      ++sum.baseline_traces;
      sum.baseline_anomalous += tr.anomalous;
    }
  }
  sum.z = TwoProportionZ(static_cast<double>(sum.window_anomalous),
                         static_cast<double>(sum.window_traces),
                         static_cast<double>(sum.baseline_anomalous),
                         static_cast<double>(sum.baseline_traces));
  set->anomaly_z = sum.z;
  return sum;
}

}  // namespace ddbg::rca
