// LogCollector: reads the log records of the window and the baseline on its own thread while
// the loader scans spans. Each record keeps its trace and span ids, time, service, template
// (the store's template id, mined against the stored table when missing) and whether it is
// an ERROR (severity field, else the level in the body's header). Records of traces the
// sampler will drop are skipped early, by the highest threshold as it stands when the
// collection begins (after presampling, before the span scan halves it), so what is
// collected never depends on how far another thread's span scan has got.
// Thread-safety: one collector per thread; it reads the shared threshold once (in Begin) and
// the store (which may be read from several threads). Its names live in its own dictionary.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "ddbg/log_templates.h"
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
  StrId statement = kEmptyStr;  // the log statement: see StatementOf
  StrId peer = kEmptyStr;       // ERROR records: another service the body names, if any
  bool error = false;
  bool in_window = false;
};

// The log statement a template comes from: the code location it names among its first
// tokens (`a.s.ContactsServiceImpl#31`, `Foo.java:42`, `server.go:7`), else the whole
// template. Templates of one statement that differ only by data the miner left unmasked
// (names, places in the message) are then one event.
std::string_view StatementOf(std::string_view tmpl);

class LogCollector {
 public:
  // `max_threshold`: the highest sampling threshold any side still has (only decreases).
  LogCollector(const TimeRange& window, const TimeRange& baseline,
               const std::atomic<uint64_t>* max_threshold)
      : window_(window), baseline_(baseline), max_threshold_(max_threshold) {}

  // Its own scan: Begin, then every batch of a ScanLogs over Filter().
  Status Collect(Store& store);
  // For a caller whose scan feeds the collector: Begin (reads the stored templates and
  // services, and the threshold), then Add the batches of a scan covering at least Filter()
  // (its time range, with bodies) in scan order; rows outside the ranges are skipped.
  Status Begin(Store& store);
  ScanFilter Filter() const;
  void Add(const LogBatch& b);
  std::vector<RawLog>& logs() { return logs_; }
  const StringDict& names() const { return names_; }

 private:
  TimeRange window_, baseline_;
  const std::atomic<uint64_t>* max_threshold_;
  uint64_t threshold_ = UINT64_MAX;  // read in Begin
  std::optional<logs::TemplateMiner> miner_;
  std::vector<std::string> service_names_;
  std::unordered_set<std::string_view> services_;  // views of service_names_
  std::unordered_map<uint32_t, std::pair<StrId, StrId>> template_names_;  // text, statement
  uint64_t untraced_ = 0;
  StringDict names_;
  std::vector<RawLog> logs_;
};

// The first token of `body` (split at characters that cannot be in a service name) that is
// one of `services` and not `self`; empty when none. An error that names another service
// ("No instances available for ts-basic-service", "connection refused: payment:8080") is
// a failure to reach that service.
std::string_view NamedPeer(std::string_view body, std::string_view self,
                           const std::unordered_set<std::string_view>& services);

}  // namespace ddbg::rca
