// Anomaly-window detection: per service, the error rate and mean log latency of its spans in
// time buckets; a bucket departs when its robust z-score is high, against the median and MAD
// of the service's own buckets or against the median of the buckets before it (its history,
// spread from first differences). The first strongly departing bucket is the change point;
// the window runs while the departure lasts. Thread-safety: reads the store only.
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "ddbg/rca.h"
#include "ddbg/status.h"
#include "ddbg/store.h"

namespace ddbg::rca {

// The window's length when nothing departs and no --last was given.
inline constexpr int64_t kDefaultWindowNs = 15LL * 60 * 1000000000LL;

struct DetectedWindow {
  TimeRange window;
  bool found = false;  // false: no departure; window is the end of the range
  std::string reason;
};

// The per-service, per-bucket series detection reads, filled batch by batch (one scan of
// the store in DetectWindow, or a caller's own pass: the debug report's shared span pass).
// Thread-safety: one thread per series; Merge the series of several threads.
class WindowSeries {
 public:
  // `range` as DetectionRange gives it.
  explicit WindowSeries(TimeRange range);
  void Add(const SpanBatch& b);  // spans starting in the range
  void Merge(const WindowSeries& other);
  DetectedWindow Detect(int64_t fallback_ns) const;

 private:
  struct Bucket {
    double spans = 0, errors = 0, log_ms = 0;
  };
  int64_t lo_, hi_, width_ = 1;
  size_t n_ = 0;
  std::unordered_map<std::string, std::vector<Bucket>> series_;
};

// `range` clipped to the store's data (unbounded: the whole store).
Result<TimeRange> DetectionRange(Store& store, TimeRange range);

// Looks at spans in `range` (unbounded: the whole store). `fallback_ns` is the window
// length used when nothing departs.
Result<DetectedWindow> DetectWindow(Store& store, TimeRange range, int64_t fallback_ns);

// RunRca (rca.h) in a window already chosen: `detected` as ChooseWindow would give it (the
// options' window when it has one, else DetectWindow's) — for callers that detected it from
// their own pass over the spans.
Result<RcaReport> RunRcaInWindow(Store& store, const RcaOptions& options,
                                 const DetectedWindow& detected);

// RunRcaInWindow in two halves around loading the trace set, for a caller that loads it in
// its own scan (TraceSetFeed, trace_set.h; no `where`): PlanRca picks the baseline and
// fills the report's window info; FinishRca labels, runs the signals and ranks.
struct RcaPlan {
  TimeRange window, baseline;
  RcaReport report;
};
Result<RcaPlan> PlanRca(Store& store, const RcaOptions& options, const DetectedWindow& detected);
struct TraceSet;
RcaReport FinishRca(const RcaOptions& options, RcaPlan plan, TraceSet* set);

}  // namespace ddbg::rca
