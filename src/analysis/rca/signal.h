// The interface of an rca evidence signal: a pure function from the labelled TraceSet to
// findings, each a suspect (service, operation, instance or attribute value) with a strength
// in [0, 1] and the figures behind it. The combiner weighs and merges findings per suspect.
// Thread-safety: signals keep no state; they may run concurrently on one TraceSet.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "analysis/rca/trace_set.h"

namespace ddbg::rca {

enum class SuspectKind : uint8_t { kService = 0, kOperation, kInstance, kAttribute };
const char* SuspectKindName(SuspectKind kind);  // "service", "operation", …

struct Finding {
  SuspectKind kind = SuspectKind::kService;
  StrId service = kEmptyStr;
  StrId operation = kEmptyStr;  // kOperation
  StrId pair = kEmptyStr;       // kInstance / kAttribute: "key=value"
  double strength = 0;          // in [0, 1]: how much this signal blames the suspect
  double z = 0;                 // the test statistic behind it
  std::string summary;
  std::vector<std::pair<std::string, double>> figures;
  std::vector<uint32_t> traces;  // example trace indexes (anomalous window traces)
  std::vector<StrId> templates;  // logs signal
};

struct Signal {
  const char* name;
  double weight;  // in the combined score
  std::vector<Finding> (*run)(const TraceSet& set);
};

std::vector<Finding> SpectrumSignal(const TraceSet& set);
std::vector<Finding> SelfTimeSignal(const TraceSet& set);
std::vector<Finding> ErrorOriginSignal(const TraceSet& set);
std::vector<Finding> AttributeSignal(const TraceSet& set);
std::vector<Finding> LogPatternSignal(const TraceSet& set);
std::vector<Finding> TransitionSignal(const TraceSet& set);
std::vector<Finding> QueueingSignal(const TraceSet& set);

// Every signal, in the order evidence is shown.
const std::vector<Signal>& AllSignals();

// Shared helpers for signals.
// A saturating map of a z statistic to [0, 1]: 0 up to `from`, 1 from `to` on.
double Ramp(double z, double from, double to);
// Up to `n` anomalous window traces in which `pred(span index)` holds for some span.
template <typename Pred>
std::vector<uint32_t> ExampleTraces(const TraceSet& set, size_t n, Pred pred) {
  std::vector<uint32_t> out;
  for (uint32_t t = 0; t < set.traces.size() && out.size() < n; ++t) {
    const RcaTrace& tr = set.traces[t];
    if (!tr.in_window || !tr.anomalous) continue;
    for (uint32_t s = tr.span_begin; s < tr.span_end; ++s) {
      if (pred(s)) {
        out.push_back(t);
        break;
      }
    }
  }
  return out;
}

}  // namespace ddbg::rca
