#include "analysis/rca/combiner.h"

#include <algorithm>
#include <cmath>
#include <map>

namespace ddbg::rca {
namespace {

constexpr double kRefinementMinStrength = 0.3;

RcaEvidence ToEvidence(const TraceSet& set, const char* signal, const Finding& f) {
  RcaEvidence e;
  e.signal = signal;
  e.score = f.strength;
  e.summary = f.summary;
  e.figures = f.figures;
  for (uint32_t t : f.traces) e.trace_ids.push_back(TraceIdToHex(set.traces[t].id));
  for (StrId t : f.templates) e.log_templates.emplace_back(set.Name(t));
  return e;
}

double Confidence(double score) {
  // 1 - 2^(-score / half): 0.5 at kHalfConfidenceScore, approaching 1 as evidence piles up.
  return 1 - std::exp2(-score / kHalfConfidenceScore);
}

struct ServiceEntry {
  double score = 0;
  double best_op_strength = 0;
  StrId operation = kEmptyStr;
  std::vector<RcaEvidence> evidence;
};

}  // namespace

std::vector<RcaSuspect> CombineFindings(const TraceSet& set,
                                        const std::vector<SignalResult>& results, int top) {
  std::map<StrId, ServiceEntry> services;
  for (const SignalResult& r : results) {
    for (const Finding& f : r.findings) {
      if (f.kind != SuspectKind::kService) continue;
      ServiceEntry& e = services[f.service];
      e.score += r.signal->weight * f.strength;
      if (f.operation != kEmptyStr && f.strength > e.best_op_strength) {
        e.best_op_strength = f.strength;
        e.operation = f.operation;
      }
      e.evidence.push_back(ToEvidence(set, r.signal->name, f));
    }
  }
  std::vector<RcaSuspect> out;
  for (auto& [service, e] : services) {
    RcaSuspect s;
    s.kind = "service";
    s.service = set.Name(service);
    if (e.operation != kEmptyStr) s.operation = set.Name(e.operation);
    s.score = e.score;
    s.evidence = std::move(e.evidence);
    out.push_back(std::move(s));
  }
  for (const SignalResult& r : results) {
    for (const Finding& f : r.findings) {
      if (f.kind == SuspectKind::kService || f.strength < kRefinementMinStrength) continue;
      auto it = services.find(f.service);
      if (it == services.end()) continue;
      RcaSuspect s;
      s.kind = SuspectKindName(f.kind);
      s.service = set.Name(f.service);
      (f.kind == SuspectKind::kInstance ? s.instance : s.attribute) = set.Name(f.pair);
      s.score = it->second.score * f.strength;
      s.evidence.push_back(ToEvidence(set, r.signal->name, f));
      out.push_back(std::move(s));
    }
  }
  std::stable_sort(out.begin(), out.end(), [](const RcaSuspect& a, const RcaSuspect& b) {
    if (a.score != b.score) return a.score > b.score;
    return a.service < b.service;
  });
  if (top > 0 && out.size() > static_cast<size_t>(top)) out.resize(top);
  for (size_t i = 0; i < out.size(); ++i) {
    out[i].rank = static_cast<int>(i + 1);
    out[i].confidence = Confidence(out[i].score);
    std::sort(out[i].evidence.begin(), out[i].evidence.end(),
              [](const RcaEvidence& a, const RcaEvidence& b) { return a.score > b.score; });
  }
  return out;
}

}  // namespace ddbg::rca
