// The Distributed Debug Report behind `ddbg debug`: what was looked at, eight sections in a
// fixed order (summary, topology, trace correlation, timing, errors and cascades, state,
// log evidence, hypotheses), each a list of findings with the numbers, trace ids, log lines
// and events behind them, plus the structured payloads the renderers draw (service graph,
// timelines, critical-path bars) and the ranked root-cause hypotheses.
// A DebugReport is a plain value: it owns all its strings (copied out of the store) and is
// built once by BuildDebugReport, then read by the renderers (debug_render.h).
// Thread-safety: plain values; BuildDebugReport reads the Store through its own interface.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ddbg/events.h"
#include "ddbg/model.h"
#include "ddbg/status.h"
#include "ddbg/store.h"

namespace ddbg {

// The correlation focus of a report (the `--correlation` values). Several may be active:
// the description "slow checkout failing" steers to timing and causation.
enum class Focus : uint8_t { kTiming = 0, kCausation = 1, kDependency = 2, kFlow = 3 };
inline constexpr size_t kFocusCount = 4;
const char* FocusName(Focus focus);  // "timing", "causation", "dependency", "flow"
bool ParseFocusName(std::string_view name, Focus* out);

// A set of Focus values as bits (1 << Focus).
struct FocusSet {
  uint8_t bits = 0;
  bool has(Focus f) const { return (bits >> static_cast<int>(f)) & 1; }
  void add(Focus f) { bits |= static_cast<uint8_t>(1u << static_cast<int>(f)); }
  bool empty() const { return bits == 0; }
};

// One word of a description that steered the focus, and where it steered.
struct FocusWord {
  std::string word;  // as found, lowercased ("timeout", "failing")
  Focus focus = Focus::kTiming;
};

// Reads the focus from the words of an issue description (documented in
// docs/debug-report.md): timeout/slow/latency → timing; error/fail/cascade → causation;
// inconsistent/state/mismatch → flow (state and flow); depend/topology → dependency.
// Words match by prefix ("failing", "timeouts", "dependencies"). Sets *matched when given.
FocusSet FocusFromDescription(std::string_view description, std::vector<FocusWord>* matched);

enum class Severity : uint8_t { kInfo = 0, kNotice = 1, kWarning = 2, kCritical = 3 };
const char* SeverityName(Severity severity);  // "info", "notice", "warning", "critical"

// A number behind a claim, typed so every renderer prints it in its unit.
enum class MetricUnit : uint8_t {
  kCount = 0,     // an integer count
  kDurationNs,    // nanoseconds, printed as "340ms"
  kRatio,         // 0..1, printed as a percentage
  kPerSecond,     // a rate
  kTimeNs,        // an instant, ns since the epoch, printed RFC 3339
  kNumber,        // any other double
};
const char* MetricUnitName(MetricUnit unit);  // "count", "duration_ns", "ratio", …

struct Metric {
  std::string key;  // snake_case: "error_rate", "p99_ns", "requests"
  MetricUnit unit = MetricUnit::kCount;
  int64_t int_value = 0;  // kCount, kDurationNs, kTimeNs
  double value = 0;       // kRatio, kPerSecond, kNumber
  static Metric Count(std::string key, int64_t v) { return {std::move(key), MetricUnit::kCount, v, 0}; }
  static Metric Duration(std::string key, int64_t ns) { return {std::move(key), MetricUnit::kDurationNs, ns, 0}; }
  static Metric Time(std::string key, int64_t ns) { return {std::move(key), MetricUnit::kTimeNs, ns, 0}; }
  static Metric Ratio(std::string key, double v) { return {std::move(key), MetricUnit::kRatio, 0, v}; }
  static Metric Rate(std::string key, double v) { return {std::move(key), MetricUnit::kPerSecond, 0, v}; }
  static Metric Number(std::string key, double v) { return {std::move(key), MetricUnit::kNumber, 0, v}; }
  bool is_integer() const {
    return unit == MetricUnit::kCount || unit == MetricUnit::kDurationNs || unit == MetricUnit::kTimeNs;
  }
};

// A log record quoted as evidence.
struct LogExample {
  int64_t time_ns = 0;
  std::string service;
  std::string severity;  // "ERROR"
  std::string body;
  std::string trace_id;  // hex, empty when the record has none
  std::string span_id;
};

// A domain event quoted as evidence.
struct EventRef {
  std::string stream;
  uint64_t version = 0;
  std::string type;
  int64_t time_ns = 0;
  std::string service;
  std::string correlation_id;
};

// One claim of a section with what supports it.
struct Finding {
  std::string title;  // one line: "payment p99 is 2.4s, 6.1x its p50"
  Severity severity = Severity::kInfo;
  std::string detail;  // optional longer text
  std::vector<Metric> metrics;
  std::vector<std::string> trace_ids;  // hex
  std::vector<LogExample> logs;
  std::vector<EventRef> events;
};

// The service map: nodes are services, edges caller → callee (a parent span in one service
// with a child span in another).
struct ServiceNode {
  std::string name;
  int64_t requests = 0;  // server/consumer spans (entry spans when a service has none)
  int64_t errors = 0;
  int64_t p50_ns = 0, p95_ns = 0, p99_ns = 0;
  bool unhealthy = false;
};
struct ServiceEdge {
  std::string from, to;
  int64_t calls = 0;
  int64_t errors = 0;  // calls whose callee span has error status
  double rate_per_s = 0;
  double error_rate = 0;
  int64_t p50_ns = 0, p95_ns = 0, p99_ns = 0;  // callee span durations
  bool unhealthy = false;
  bool messaging = false;  // asynchronous: a FOLLOWS_FROM/CONSUMER callee or a link (topology.h)
};
struct ServiceGraph {
  std::vector<ServiceNode> nodes;  // sorted by name
  std::vector<ServiceEdge> edges;  // sorted by (from, to)
  bool empty() const { return nodes.empty(); }
};

// A chronological line of entries (spans, logs, events or counted buckets).
struct TimelineEntry {
  int64_t time_ns = 0;
  int64_t end_ns = 0;  // == time_ns for an instant
  std::string lane;    // the row it is drawn in: usually a service
  std::string label;
  std::string kind;    // "span", "log", "event", "bucket"
  Severity severity = Severity::kInfo;
  int64_t count = 0;   // buckets: how many
};
struct Timeline {
  std::string title;
  int64_t start_ns = 0;
  int64_t end_ns = 0;
  std::vector<TimelineEntry> entries;  // sorted by time
};

// Bars of one trace: its spans as segments on a time axis, the critical path marked.
struct BarSegment {
  std::string service;
  std::string operation;
  int64_t offset_ns = 0;  // from the trace start
  int64_t duration_ns = 0;
  int64_t self_ns = 0;
  uint32_t depth = 0;
  bool critical = false;  // on the critical path
  bool error = false;
};
struct CriticalPathBars {
  std::string trace_id;
  std::string title;
  int64_t duration_ns = 0;
  std::vector<BarSegment> segments;  // tree pre-order
};

enum class SectionId : uint8_t {
  kSummary = 0, kTopology, kCorrelation, kTiming, kErrors, kState, kLogs, kHypotheses
};
inline constexpr size_t kSectionCount = 8;
const char* SectionKey(SectionId id);    // "summary", "topology", "correlation", "timing", …
const char* SectionTitle(SectionId id);  // "Summary", "Service topology and dependency map", …

// A part of the report's analysis this build could not run (not yet wired, or no data).
struct Unavailable {
  std::string analysis;  // "critical path (issue 4)"
  std::string reason;    // "analysis not available in this build"
};

struct Section {
  SectionId id = SectionId::kSummary;
  bool focused = false;  // the report's focus points here
  std::vector<Finding> findings;
  std::vector<Unavailable> unavailable;
  ServiceGraph graph;               // topology
  std::vector<Timeline> timelines;  // correlation, errors, state
  std::vector<CriticalPathBars> bars;  // correlation, timing
};

// A ranked root-cause hypothesis. `kind` uses the fault vocabulary of `ddbg simulate`
// (latency, error, cascade, slow-instance, inconsistent-state, version-gap, retry-storm,
// bad-deploy) where one applies.
struct Hypothesis {
  int rank = 0;  // 1 = most likely
  std::string kind;
  std::string service;
  std::string operation;  // empty when not specific to one
  std::string instance;
  double confidence = 0;  // 0..1
  std::vector<std::string> evidence;
};

struct ReportCounts {
  int64_t traces = 0;
  int64_t spans = 0;
  int64_t error_spans = 0;
  int64_t error_traces = 0;  // traces with at least one error span
  int64_t logs = 0;
  int64_t error_logs = 0;  // severity ERROR and above
  int64_t events = 0;
  int64_t services = 0;
};

// What the user asked for.
struct DebugRequest {
  std::string description;
  std::vector<std::string> services;  // empty: every service
  TraceId trace_id;                   // empty: the report picks representative traces
  // The window. `window_ns` > 0: that long, ending at the last record in the store (data is
  // often replayed or simulated, so "now" is the newest telemetry, not the wall clock).
  // since/until (ns since epoch) bound it explicitly; both may be combined with window_ns.
  int64_t window_ns = 0;
  bool has_since = false, has_until = false;
  int64_t since_ns = 0, until_ns = 0;
  bool has_focus = false;  // --correlation given: overrides the description's words
  Focus focus = Focus::kTiming;
  size_t representative_traces = 2;  // per kind (failing, slow)
  // Projection checkpoints (`--checkpoints FILE`, read with ParseCheckpoints) for the lag of
  // section 6; has_checkpoints false: none configured, and the section says so.
  bool has_checkpoints = false;
  std::vector<ProjectionCheckpoint> checkpoints;
  // Print each step's wall time and rows read to stderr (`--timings`, or DDBG_TIMINGS=1).
  bool timings = false;
};

struct DebugReport {
  std::string description;
  FocusSet focus;
  bool focus_from_flag = false;
  std::vector<FocusWord> focus_words;
  TimeRange window;  // what was looked at; unbounded sides are set from the data
  std::vector<std::string> services;  // the scope asked for; empty: all
  std::string trace_id;  // the trace asked for, hex; empty when none
  ReportCounts counts;
  std::array<Section, kSectionCount> sections;
  std::vector<Hypothesis> hypotheses;  // ranked, best first
  std::vector<std::string> recommendations;

  Section& section(SectionId id) { return sections[static_cast<size_t>(id)]; }
  const Section& section(SectionId id) const { return sections[static_cast<size_t>(id)]; }
};

// Builds the report from the store: resolves the window and focus, makes one columnar pass
// over the spans, logs and events of the window, then runs every section builder.
// InvalidArgument for a bad request (until before since); NotFound when --trace-id names a
// trace the store does not have.
Result<DebugReport> BuildDebugReport(Store& store, const DebugRequest& request);

}  // namespace ddbg
