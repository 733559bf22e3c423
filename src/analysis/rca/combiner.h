// The combiner: merges the findings of every signal per suspect, sums their weighted
// strengths into one score, ranks, and maps the score to a calibrated confidence. Instance
// and attribute suspects are refinements of a service: their score is the service's, scaled
// by how strongly the value is over-represented. Thread-safety: pure function.
#pragma once

#include <vector>

#include "analysis/rca/signal.h"
#include "ddbg/rca.h"

namespace ddbg::rca {

struct SignalResult {
  const Signal* signal;
  std::vector<Finding> findings;
};

// Score at which the confidence reaches 0.5: just under one signal at full strength (its
// test passed far beyond significance), see docs/rca.md for how it was calibrated.
inline constexpr double kHalfConfidenceScore = 0.8;

std::vector<RcaSuspect> CombineFindings(const TraceSet& set,
                                        const std::vector<SignalResult>& results, int top);

}  // namespace ddbg::rca
