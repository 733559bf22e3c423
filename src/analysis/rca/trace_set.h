// TraceSet: the plain, per-trace input every rca signal reads — spans of the window and of
// the baseline flattened per trace (parent index, self time, error flag, resource and a few
// attribute pairs) plus the log records linked to them, with every name interned once.
// Built from Store scans by LoadTraceSet, which samples traces by id hash while it scans;
// the signals never see the store.
// Thread-safety: immutable once built; share read-only.
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "ddbg/model.h"
#include "ddbg/rca.h"
#include "ddbg/status.h"
#include "ddbg/store.h"
#include "ddbg/string_dict.h"

namespace ddbg::rca {

// The process that emitted a span: service, its instance and version, and the instance-like
// resource attributes (host.name, k8s.pod.name, service.instance.id …) as key=value pairs.
struct RcaResource {
  StrId service = kEmptyStr;
  StrId instance = kEmptyStr;  // the most specific instance key present, "key=value"
  StrId version = kEmptyStr;   // service.version value, or empty
  std::vector<StrId> pairs;    // "key=value" for every attribute-worth resource key
};

struct RcaSpan {
  uint32_t resource = 0;  // index into TraceSet::resources
  StrId service = kEmptyStr;
  StrId operation = kEmptyStr;
  int32_t parent = -1;  // index within the trace's spans; -1 for roots and orphans
  int64_t start_ns = 0;
  int64_t duration_ns = 0;
  int64_t self_ns = 0;          // duration minus the union of children clipped to it
  bool error = false;           // error status, or an ERROR-level log on this span
  bool error_below = false;     // a descendant is an error
  StrId peer_failure = kEmptyStr;  // it logged an error naming this other service
  bool peer_blamed = false;        // … and that service is to blame (JudgePeers)
  uint32_t attr_begin = 0;      // span attribute pairs TraceSet::span_attrs[begin, end)
  uint32_t attr_end = 0;
};

struct RcaTrace {
  TraceId id;
  int64_t start_ns = 0;
  int64_t duration_ns = 0;  // earliest start to latest end
  StrId root_op = kEmptyStr;  // "service operation" of the root (or earliest) span
  uint32_t span_begin = 0;    // TraceSet::spans[begin, end)
  uint32_t span_end = 0;
  bool in_window = false;  // false: a baseline trace
  bool error = false;      // any span is an error
  bool anomalous = false;  // set by LabelAnomalies
  uint32_t span_count() const { return span_end - span_begin; }
};

struct RcaLog {
  StrId service = kEmptyStr;
  StrId tmpl = kEmptyStr;  // the text of the record's template (the store's log miner)
  StrId statement = kEmptyStr;  // its log statement (code location, else the template)
  StrId peer = kEmptyStr;  // an error naming another service: that service (see NamedPeer)
  bool peer_blamed = false;  // that service is to blame; false with a peer: no one is
  int64_t time_ns = 0;
  int32_t trace = -1;  // index into TraceSet::traces, -1 when not linked
  int32_t span = -1;   // index into TraceSet::spans, -1 when not linked
  bool error = false;  // severity ERROR or worse (from the record or its body)
  bool in_window = false;
};

struct TraceSet {
  StringDict names;
  std::vector<RcaResource> resources;
  std::vector<RcaTrace> traces;
  std::vector<RcaSpan> spans;
  std::vector<StrId> span_attrs;  // "key=value" pairs of entry spans
  std::vector<RcaLog> logs;
  TimeRange window;
  TimeRange baseline;
  bool sampled = false;
  double sample_rate[2] = {1, 1};  // share of the traces kept: [0] baseline, [1] window
  double anomaly_z = 0;  // set by LabelAnomalies: how far the window's anomalous share departs
  std::string_view Name(StrId id) const { return names.Get(id); }
  // The baseline's length without the window (the baseline range may span the window when
  // it continues after it).
  int64_t BaselineNs() const {
    int64_t overlap = std::max<int64_t>(0, std::min(window.max_ns, baseline.max_ns) -
                                               std::max(window.min_ns, baseline.min_ns));
    return baseline.max_ns - baseline.min_ns - overlap;
  }
};

// Reads the traces that start in `window` or `baseline` (given `where`, only those ids) and
// the logs of both ranges. A side holding more than `max_traces_per_side` traces (0: no
// limit) is sampled by trace-id hash down to between half and all of it; records without a
// trace follow their side's rate. Traces are kept whole (spans a little past the range's end
// are included).
Result<TraceSet> LoadTraceSet(Store& store, const TimeRange& window, const TimeRange& baseline,
                              uint64_t max_traces_per_side,
                              const std::vector<TraceId>* where = nullptr);

// LoadTraceSet (without `where`) for a caller that scans the spans itself, sharing one
// scan with other work: the logs are read on a thread from construction on; the caller's
// scan covers at least SpanFilter() (time range and column groups) and hands every batch
// to Add with its scan position (from any thread; rows outside the range are ignored; the
// rows are added in scan order whatever the threads' timing); Finish builds the set once
// the scan is done. Thread-safety: Add from several threads; Finish once.
// With `logs_fed` the logs are not read on a thread: the caller's log scan, covering at
// least LogFilter(), hands every batch to AddLogs in scan order (from one thread) before
// Finish.
class TraceSetFeed {
 public:
  TraceSetFeed(Store& store, const TimeRange& window, const TimeRange& baseline,
               uint64_t max_traces_per_side, bool logs_fed = false);
  ~TraceSetFeed();
  ScanFilter SpanFilter() const;
  // `ordinal`: the batch's position in the scan (0, 1, …; ScanSpansParallel's), every one
  // of them handed over exactly once.
  void Add(const SpanBatch& b, size_t ordinal);
  ScanFilter LogFilter() const;
  void AddLogs(const LogBatch& b);
  Result<TraceSet> Finish();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ddbg::rca
