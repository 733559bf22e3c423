// Anomaly-window detection: per service, the error rate and mean log latency of its spans in
// time buckets; a bucket departs when its robust z-score (against the median and MAD of the
// service's own buckets) is high. The first strongly departing bucket is the change point;
// the window runs while the departure lasts. Thread-safety: reads the store only.
#pragma once

#include <string>

#include "ddbg/status.h"
#include "ddbg/store.h"

namespace ddbg::rca {

struct DetectedWindow {
  TimeRange window;
  bool found = false;  // false: no departure; window is the end of the range
  std::string reason;
};

// Looks at spans in `range` (unbounded: the whole store). `fallback_ns` is the window
// length used when nothing departs.
Result<DetectedWindow> DetectWindow(Store& store, TimeRange range, int64_t fallback_ns);

}  // namespace ddbg::rca
