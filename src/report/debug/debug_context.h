// DebugContext: everything the section builders share — the request, the resolved window and
// focus, and the digests of one columnar pass over each signal (spans, logs, events) in the
// window. A builder reads the context and writes its section of the DebugReport; builders
// needing more than the digests read the Store themselves (one pass, batch by batch).
// Thread-safety: built once by PrepareDebugContext, then read-only.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "analysis/rca/trace_set.h"
#include "analysis/rca/window_detect.h"

#include "ddbg/debug_report.h"
#include "ddbg/errors.h"
#include "ddbg/events.h"
#include "ddbg/flow.h"
#include "ddbg/log_rules.h"
#include "ddbg/rca.h"
#include "ddbg/span_table.h"
#include "ddbg/store.h"
#include "ddbg/topology.h"
#include "report/debug/latency_histogram.h"
#include "report/debug/step_timings.h"
#include "report/debug/trace_table.h"

namespace ddbg::report {

// Number of time buckets of the window for the timelines (requests and errors per bucket).
inline constexpr int kTimeBuckets = 60;

struct ServiceDigest {
  std::string name;
  bool in_scope = true;
  int64_t spans = 0;
  int64_t requests = 0;  // server/consumer spans, and roots of any kind
  int64_t errors = 0;    // requests with error status
  int64_t error_spans = 0;
  LatencyHistogram latency;  // of requests
  std::vector<int64_t> bucket_requests = std::vector<int64_t>(kTimeBuckets);
  std::vector<int64_t> bucket_errors = std::vector<int64_t>(kTimeBuckets);
  std::string first_error_message;  // of the first error request seen
  std::string first_error_trace;    // hex
};

struct SpanDigest {
  int64_t spans = 0;
  int64_t error_spans = 0;
  int64_t min_ns = 0, max_ns = 0;  // span starts seen; 0 when none
  std::vector<ServiceDigest> services;  // in first-seen order
  TraceTable traces;
};

struct LogDigestService {
  std::string name;
  int64_t logs = 0;
  int64_t warn_logs = 0;
  int64_t error_logs = 0;
  std::vector<LogExample> error_examples;  // the first few ERROR+ records
};

struct LogDigest {
  int64_t logs = 0;
  int64_t error_logs = 0;
  std::vector<LogDigestService> services;
};

struct EventDigest {
  int64_t events = 0;
  int64_t streams_touched = 0;  // distinct streams with an event in the window
  std::vector<std::pair<std::string, int64_t>> per_service;  // sorted by name
  // Events sharing a correlation id with a representative trace, in time order.
  std::vector<EventRef> correlated;
};

// A trace the report shows in full, and why it was chosen.
// Its spans and logs (bodies only: no log attributes or parameters) are gathered once, by one
// span scan and one log scan over the segments holding the representatives, for every builder.
struct RepresentativeTrace {
  TraceId id;
  std::string why;  // "slowest request", "failing: 12 error spans", "asked for"
  bool failing = false;
  SpanBatch spans;
  LogBatch logs;
  std::vector<std::string> correlation_ids;  // values of the well-known correlation keys
};

// The results of the shared analyses (errors.h, rca.h, events.h), run once for every
// section that reads them. An analysis that failed leaves its `*_error` set and its result
// empty; the sections say so instead of failing the report.
struct SharedAnalyses {
  ErrorAnalysis errors;           // over the failing traces of the window (sampled)
  uint64_t error_traces_analyzed = 0;
  uint64_t error_traces_total = 0;
  // Section 4's sample of the window's traces (critical paths, bottlenecks, perf), loaded
  // in the errors' scan; timing_error set when that scan failed.
  SpanTable timing_table;
  uint64_t timing_traces_sampled = 0;
  uint64_t timing_traces_total = 0;
  std::string timing_error;
  RcaReport rca;
  std::string rca_error;
  IntegrityReport integrity;
  std::string integrity_error;
  // The service that wrote each stream of an integrity example (stream → service).
  std::vector<std::pair<std::string, std::string>> stream_services;
  ConsistencyRules consistency_rules;            // what the consistency check compared
  std::vector<ConsistencyReport> inconsistent;  // entities whose services disagree
  ConsistencySample consistency_sample;         // how many entities were checked
  // The default log rules matched over the window's records (section 7), computed while
  // the event analyses run; log_rules_error set when they could not be.
  std::optional<logs::RuleSet> log_rules;
  std::vector<logs::LogIssue> log_issues;  // point into *log_rules
  std::string log_rules_error;
  std::string consistency_error;
  // The correlation flows of the first representatives (section 3), one per trace in
  // representative order, built beside the second span scan (section_flow.cc).
  std::vector<std::pair<TraceId, Result<FlowReport>>> flows;
};

struct DebugContext {
  DebugRequest request;
  FocusSet focus;
  TimeRange window;  // both ends bounded
  TimeRange data;    // the store's whole time range (Store::Stats), for baselines
  SpanDigest spans;
  LogDigest logs;
  EventDigest events;
  std::vector<RepresentativeTrace> representatives;
  SharedAnalyses analyses;
  // From the shared span pass (digest_spans.cc): the window's topology (section 2's edges and
  // cycles; always set after the pass) and rca's anomaly window (nullopt: rca detects it
  // itself, or is given the report's window).
  std::optional<Topology> topology;
  std::optional<rca::DetectedWindow> rca_window;
  // The representatives' logs come from the log pass (RunLogPass) instead of a scan of
  // their own: set when the window covers all the data, so the pass reads every log segment.
  bool representative_logs_in_log_pass = false;
  // Laps each step (prints only with timings on); BuildDebugReport points it at its own.
  StepClock silent_clock{nullptr};
  StepClock* clock = &silent_clock;

  bool InScope(std::string_view service) const;
  // Bucket index of a time inside the window, clamped to [0, kTimeBuckets).
  int Bucket(int64_t t) const;
  int64_t BucketStart(int b) const;
};

// Resolves the window and focus, digests spans, picks and fetches the representative traces,
// then runs the shared analyses (the log and event passes among them). Errors: a bad window, an unknown --trace-id, store failures.
Status PrepareDebugContext(Store& store, const DebugRequest& request, DebugContext* ctx);

// Whether the request bounds the window (--since, --until, --time-window): rca is then given
// the report's window instead of detecting one.
bool RcaWindowGiven(const DebugRequest& r);
// rca's window length when it detects none.
inline int64_t RcaFallbackWindowNs() { return rca::kDefaultWindowNs; }

// The single passes (digest_*.cc).
Status DigestSpans(Store& store, DebugContext* ctx);
// The log digest, batch by batch, fed by the report's log pass (digest_logs.cc).
class LogDigestFeed {
 public:
  explicit LogDigestFeed(DebugContext* ctx) : ctx_(ctx) {}
  void Add(const LogBatch& b);  // batches in scan order

 private:
  DebugContext* ctx_;
  std::vector<uint32_t> res_to_svc_;  // per resource row of the batch: service index
};
// What the log pass reads: the window's records with bodies (no attributes or params).
ScanFilter LogPassFilter(const DebugContext& ctx);
// The log pass (log_pass.cc): one scan of the window's records feeding the log digest, the
// default log rules (their own scan when --services narrows them) and, when not null, rca's
// log collector (whose ranges must lie inside the window).
Status RunLogPass(Store& store, DebugContext* ctx, rca::TraceSetFeed* rca_logs);
// The event digest, fed by the report's one event scan (with integrity and consistency).
class EventDigestScan : public EventScanConsumer {
 public:
  explicit EventDigestScan(DebugContext* ctx);
  ~EventDigestScan() override;
  uint32_t columns() const override;
  Status Consume(const EventColumns& c, SegmentFacts& facts) override;
  void Finish();  // sets ctx->events

 private:
  struct Parts;
  DebugContext* ctx_;
  std::vector<std::string_view> wanted_;  // the representatives' correlation ids
  std::unique_ptr<Parts> parts_;
};
// The one event scan feeding the event digest, integrity and consistency (analyses.cc):
// Scan decodes every segment once (two threads) and sets ctx->events, then merges
// integrity's parts and folds consistency's entities on a thread of their own, which Join
// (or the destructor) waits for; other steps may run meanwhile.
class EventPass {
 public:
  EventPass(Store& store, DebugContext* ctx);
  ~EventPass();
  Status Scan();
  void Join();

 private:
  void Merge(StepClock::TimePoint begin);
  Store& store_;
  DebugContext* ctx_;
  EventDigestScan digest_;
  IntegrityScan integrity_;
  ConsistencyScan consistency_;
  std::thread merges_;
};
// Builds the correlation flows section 3 shows into ctx->analyses.flows (section_flow.cc).
void BuildRepresentativeFlows(Store& store, DebugContext* ctx);
// Runs the shared analyses on what the digests found (analyses.cc).
Status RunSharedAnalyses(Store& store, DebugContext* ctx);
// At most `cap` of `all`, spread evenly over it (all of them when they fit).
std::vector<TraceId> SampleEvenly(std::vector<TraceId> all, size_t cap);
// Chooses the traces to show (the one asked for, or failing and slow ones in focus order).
void PickRepresentativeTraces(DebugContext* ctx);
// Fetches the spans and logs of each representative and reads its correlation ids (the logs
// only when ctx->representative_logs_in_log_pass is false).
Status FetchRepresentativeTraces(Store& store, DebugContext* ctx);
// Appends the rows of `b` that belong to a representative to its logs (the log pass, in
// scan order: the rows come in segment then row order, as GetTraceLogs returns them).
void AddRepresentativeLogs(const LogBatch& b, std::vector<RepresentativeTrace>* reps);

// Tunes glibc's heap for a report (process-wide; a report is the whole of a `ddbg debug` run):
// - two arenas (the threads a report runs at once): with one per thread, the memory a scan's
//   workers free stays in their arenas and cannot serve the next step on other threads;
// - blocks up to 32 MiB come from the heap, not from mmap, and freed pages stay mapped (no
//   trimming below 1 GiB): each step reuses the pages the previous one freed instead of
//   unmapping them and faulting in fresh zeroed pages. On 1M traces page faults were ~11 %
//   of the run's CPU with trimming after each step, ~6 % with this (peak resident size
//   about the same, 1.1-1.2 GB).
void TuneHeapForReport();

// When an entity's services began to disagree: the earliest start of its disagreements —
// when the inconsistency was written, however long the entity's events go on after.
int64_t DisagreedSince(const ConsistencyReport& r);

// Row i of a log batch as a quoted example (strings copied).
LogExample MakeLogExample(const LogBatch& b, size_t i);

}  // namespace ddbg::report
