// Prometheus metrics of the server: RED metrics derived from ingested spans (per service and
// operation: span count, error count, duration histogram) and ddbg's own counters (records
// ingested and rejected by reason, rejected requests, query latency). Gauges owned by other
// parts (WAL bytes, queue depth, head size) are passed in when rendering.
// Thread-safety: every method may be called from any thread.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>

#include "ddbg/model.h"

namespace ddbg::server {

inline constexpr std::array<double, 12> kSpanBuckets = {0.001, 0.005, 0.01, 0.025, 0.05, 0.1,
                                                        0.25,  0.5,   1,    2.5,   5,    10};
inline constexpr std::array<double, 11> kQueryBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                         0.05,   0.1,   0.25,   0.5,   1};

template <size_t N>
struct Histogram {
  std::array<uint64_t, N + 1> counts{};  // per bucket, the last is +Inf; not cumulative
  uint64_t count = 0;
  double sum = 0;
  void Observe(const std::array<double, N>& bounds, double v);
};

struct RedSeries {
  uint64_t errors = 0;
  Histogram<kSpanBuckets.size()> duration;  // seconds; its count is the span count
};

// Point-in-time values of other components, for Render().
struct MetricGauges {
  uint64_t wal_bytes = 0;
  uint64_t wal_files = 0;
  uint64_t wal_syncs = 0;
  uint64_t queue_requests = 0;  // requests admitted and not yet acknowledged
  uint64_t queue_bytes = 0;
  uint64_t head_spans = 0;  // acknowledged, not yet sealed into segments
  uint64_t head_logs = 0;
  uint64_t sealed_lsn = 0;
};

class Metrics {
 public:
  void RecordSpans(const SpanBatch& spans);
  void RecordLogs(uint64_t n);
  // `signal` is "spans" or "logs"; `reason` a short snake_case word.
  void RecordRejectedRecords(const std::string& signal, const std::string& reason, uint64_t n);
  void RecordRejectedRequest(const std::string& reason);
  void RecordQuery(const std::string& endpoint, double seconds);
  std::string Render(const MetricGauges& gauges) const;

 private:
  mutable std::mutex mu_;
  std::map<std::pair<std::string, std::string>, RedSeries> red_;  // (service, operation)
  uint64_t ingested_spans_ = 0;
  uint64_t ingested_logs_ = 0;
  std::map<std::pair<std::string, std::string>, uint64_t> rejected_records_;  // (signal, reason)
  std::map<std::string, uint64_t> rejected_requests_;
  std::map<std::string, Histogram<kQueryBuckets.size()>> queries_;
};

}  // namespace ddbg::server
