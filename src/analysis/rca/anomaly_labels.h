// Marks which traces of a TraceSet are anomalous — failing or slow requests — in both the
// window and the baseline, by the rule the options choose (errors, an SLO on the root
// duration, or automatically: errors, latency above the baseline's 99th percentile of the
// same root operation, or missing calls), and measures how far the window departs.
// Thread-safety: modifies the set; run before the signals.
#pragma once

#include "analysis/rca/trace_set.h"
#include "ddbg/rca.h"

namespace ddbg::rca {

struct AnomalySummary {
  uint64_t window_traces = 0;
  uint64_t window_anomalous = 0;
  uint64_t baseline_traces = 0;
  uint64_t baseline_anomalous = 0;
  double z = 0;  // two-proportion z of the window's anomalous share above the baseline's
};

AnomalySummary LabelAnomalies(const RcaOptions& options, TraceSet* set);

}  // namespace ddbg::rca
