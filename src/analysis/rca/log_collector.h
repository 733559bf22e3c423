// LogCollector: reads the log records of the window and the baseline on its own thread while
// the loader scans spans. Each record keeps its trace and span ids, time, service, template
// (the store's template id, mined against the stored table when missing) and whether it is
// an ERROR (severity field, else the level in the body's header). Records of traces already
// sampled out are skipped early, by the sampler's thresholds as they stand.
// Thread-safety: one collector per thread; it only reads the shared thresholds (atomics) and
// the store (which may be read from several threads). Its names live in its own dictionary.
#pragma once

#include <atomic>
#include <cstdint>
#include <vector>

#include "ddbg/model.h"
#include "ddbg/status.h"
#include "ddbg/store.h"
#include "ddbg/string_dict.h"

namespace ddbg::rca {

// The hash traces are sampled by: uniform over 64 bits whatever the id generator.
inline uint64_t TraceSampleHash(TraceId id) {
  uint64_t h = (id.lo ^ (id.hi * 0x9e3779b97f4a7c15ULL)) * 0xff51afd7ed558ccdULL;
  return h ^ (h >> 29);
}

struct RawLog {
  TraceId trace;  // empty when the record has none
  SpanId span = 0;
  int64_t time_ns = 0;
  uint64_t hash = 0;  // the trace's sample hash, or the record's own for records without one
  StrId service = kEmptyStr;  // in the collector's names
  StrId tmpl = kEmptyStr;     // template text, in the collector's names
  bool error = false;
  bool in_window = false;
};

class LogCollector {
 public:
  // `max_threshold`: the highest sampling threshold any side still has (only decreases).
  LogCollector(const TimeRange& window, const TimeRange& baseline,
               const std::atomic<uint64_t>* max_threshold)
      : window_(window), baseline_(baseline), max_threshold_(max_threshold) {}

  Status Collect(Store& store);
  std::vector<RawLog>& logs() { return logs_; }
  const StringDict& names() const { return names_; }

 private:
  TimeRange window_, baseline_;
  const std::atomic<uint64_t>* max_threshold_;
  StringDict names_;
  std::vector<RawLog> logs_;
};

}  // namespace ddbg::rca
