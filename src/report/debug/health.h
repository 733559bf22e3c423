// The provisional health rules of the report's own RED summary (used until topology.h and
// rca.h are wired): an error rate of 5% or more with at least 3 errors, or a p99 at least
// 5x the p50 and at least 50 ms. Documented in docs/debug-report.md.
#pragma once

#include <cstdint>

#include "report/debug/latency_histogram.h"

namespace ddbg::report {

struct Percentiles {
  int64_t p50 = 0, p95 = 0, p99 = 0;
};

inline Percentiles PercentilesOf(const LatencyHistogram& h) {
  return {h.Quantile(0.50), h.Quantile(0.95), h.Quantile(0.99)};
}

inline double Share(int64_t part, int64_t whole) {
  return whole > 0 ? static_cast<double>(part) / static_cast<double>(whole) : 0.0;
}

inline bool ErrorRateHigh(int64_t errors, int64_t total) {
  return errors >= 3 && Share(errors, total) >= 0.05;
}

inline bool TailLatencyHigh(const Percentiles& p) {
  constexpr int64_t kMinTailNs = 50'000'000;
  return p.p99 >= kMinTailNs && p.p99 >= 5 * p.p50;
}

}  // namespace ddbg::report
