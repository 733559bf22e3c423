// Regression: compare a baseline and a target — two time windows (e.g. before and after a
// deploy timestamp) or two values of service.version — per operation: latency p50/p95,
// error rate and throughput, flagged only when the change passes its threshold (latency
// +30%, error rate +5 points, throughput -20%) and a significance test (Mann-Whitney U on
// latencies, a two-proportion z test on errors, a conditional rate test on throughput).
// Thread-safety: pure functions over immutable inputs.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ddbg/analysis_scope.h"
#include "ddbg/span_table.h"

namespace ddbg {

// One side of the comparison: a time window, or a service.version value.
struct RegressSide {
  bool is_version = false;
  TimeRange window;
  std::string version;
  std::string label;  // as given, for output
};

struct RegressOptions {
  double latency_increase = 0.30;
  double error_points = 5.0;
  double throughput_drop = 0.20;
  double alpha = 0.01;
  uint64_t min_samples = 20;  // per side, for the latency and error tests
};

struct RegressSideStats {
  uint64_t count = 0;
  uint64_t errors = 0;
  int64_t p50_ns = 0, p95_ns = 0;
  double throughput_per_s = 0;
  double error_rate() const { return count ? static_cast<double>(errors) / count : 0; }
};

struct RegressRow {
  std::string service, operation;
  RegressSideStats baseline, target;
  double p50_change = 0, p95_change = 0;  // relative (+0.3 = +30%)
  double error_points = 0;                // target - baseline, in points
  double throughput_change = 0;           // relative
  double latency_p = 1, error_p = 1, throughput_p = 1;
  bool latency_regressed = false, errors_regressed = false, throughput_regressed = false;
  double severity = 0;  // larger is worse
  bool regressed() const { return latency_regressed || errors_regressed || throughput_regressed; }
};

struct RegressReport {
  std::string baseline_label, target_label;
  uint64_t operations_compared = 0;
  std::vector<RegressRow> regressions;  // by severity
  std::vector<RegressRow> all;          // every operation with data on both sides
};

// Compares the spans of `table` on each side. For version sides the table must have been
// loaded with group_attribute = "service.version". `all` is sorted by service and operation.
RegressReport CompareSides(const SpanTable& table, const RegressSide& baseline,
                           const RegressSide& target, const RegressOptions& options = {});

// The same by streaming the store batch by batch (no grouped SpanTable), or nullopt when a
// side is a version or the scope needs whole traces (--services, --where).
Result<std::optional<RegressReport>> CompareSidesStreaming(Store& store, const AnalysisScope& scope,
                                                          const RegressSide& baseline,
                                                          const RegressSide& target,
                                                          const RegressOptions& options = {});
// Streaming when possible, else from a loaded SpanTable (with service.version for versions).
Result<RegressReport> CompareSides(Store& store, const AnalysisScope& scope,
                                   const RegressSide& baseline, const RegressSide& target,
                                   const RegressOptions& options = {});

// "2025-01-15T10:00:00Z..2025-01-15T10:30:00Z" (either end may be empty, or a duration
// before `data_end_ns`) is a window; anything else is a service.version value.
Result<RegressSide> ParseRegressSide(std::string_view text, int64_t data_end_ns);

}  // namespace ddbg
