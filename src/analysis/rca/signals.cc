// The signal registry and helpers shared by the signals.
#include <algorithm>

#include "analysis/rca/signal.h"

namespace ddbg::rca {

const char* SuspectKindName(SuspectKind kind) {
  switch (kind) {
    case SuspectKind::kService: return "service";
    case SuspectKind::kOperation: return "operation";
    case SuspectKind::kInstance: return "instance";
    case SuspectKind::kAttribute: return "attribute";
  }
  return "service";
}

double Ramp(double z, double from, double to) {
  if (z <= from) return 0;
  if (z >= to) return 1;
  return (z - from) / (to - from);
}

const std::vector<Signal>& AllSignals() {
  static const std::vector<Signal> kSignals = {
      {"errors", 1.0, &ErrorOriginSignal},  {"selftime", 1.0, &SelfTimeSignal},
      {"spectrum", 0.6, &SpectrumSignal},   {"logs", 0.8, &LogPatternSignal},
      {"transitions", 1.0, &TransitionSignal}, {"attrs", 0.3, &AttributeSignal},
      {"queueing", 1.0, &QueueingSignal},
  };
  return kSignals;
}

}  // namespace ddbg::rca
