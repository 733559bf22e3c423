// Root-cause ranking (`ddbg rca`): given an anomaly window (or finding one), rank the
// services, operations, instances and attribute values where it most likely started, with
// the evidence of each signal (spectrum, self time, error origins, attribute
// over-representation, log templates) and a calibrated confidence in [0, 1].
// RunRca reads through the Store interface only. Thread-safety: pure functions of their
// arguments; the Store must be usable from the calling thread.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ddbg/status.h"
#include "ddbg/store.h"

namespace ddbg {

// What makes a trace "anomalous" (a failing or slow request).
enum class RcaTrigger : uint8_t {
  kAuto = 0,  // errors (span status or ERROR logs), unusual latency or missing calls
  kSlo,       // the root span lasts longer than RcaOptions::slo_ns
  kErrors,    // errors only
};

struct RcaOptions {
  // The anomaly window. Unset (has_window false): detected from the data; when
  // `last_ns` > 0 detection looks only at the last `last_ns` of data.
  bool has_window = false;
  TimeRange window;
  int64_t last_ns = 0;
  // The normal period to compare with. Unset: `baseline_ns` (when > 0), else
  // `baseline_factor` × the window's length, right before the window.
  bool has_baseline = false;
  TimeRange baseline;
  int64_t baseline_ns = 0;
  double baseline_factor = 12.0;
  RcaTrigger trigger = RcaTrigger::kAuto;
  int64_t slo_ns = 0;       // kSlo only
  std::string where;        // TraceQL subset: keep traces with a matching span; empty: all
  int top = 10;             // suspects returned
  // Traces kept per side (window / baseline) before sampling by trace-id hash; bounds time
  // and memory on very large windows. 0: no limit.
  uint64_t max_traces_per_side = 20000;
};

// One signal's figures for one suspect.
struct RcaEvidence {
  std::string signal;   // "spectrum", "selftime", "errors", "attrs", "logs",
                        // "transitions", "queueing"
  double score = 0;     // the signal's strength for this suspect, >= 0 (z-like)
  std::string summary;  // one line a person reads
  std::vector<std::pair<std::string, double>> figures;  // named numbers behind the score
  std::vector<std::string> trace_ids;                   // example anomalous traces (hex)
  std::vector<std::string> log_templates;               // logs signal only
};

struct RcaSuspect {
  int rank = 0;          // 1-based
  std::string kind;      // "service", "operation", "instance", "attribute"
  std::string service;
  std::string operation;  // kind "operation"
  std::string instance;   // kind "instance": "k8s.pod.name=…" style key=value
  std::string attribute;  // kind "attribute": "service.version=2.1.0"
  double confidence = 0;  // calibrated: a fault-free window keeps every suspect <= 0.5
  double score = 0;       // the combined evidence the ranking is by
  std::vector<RcaEvidence> evidence;
};

struct RcaWindowInfo {
  int64_t start_ns = 0;
  int64_t end_ns = 0;
  int64_t baseline_start_ns = 0;
  int64_t baseline_end_ns = 0;
  bool detected = false;  // chosen by change detection rather than given
  std::string reason;     // why this window (detected) or "given"
  uint64_t window_traces = 0;
  uint64_t anomalous_traces = 0;
  uint64_t baseline_traces = 0;
  uint64_t baseline_anomalous_traces = 0;
  uint64_t window_logs = 0;
  uint64_t baseline_logs = 0;
  bool sampled = false;  // max_traces_per_side was reached
};

struct RcaReport {
  RcaWindowInfo window;
  std::vector<RcaSuspect> suspects;  // best first
};

// Runs the whole ranking. InvalidArgument for a bad `where` or an empty/inverted window;
// an empty store or window gives a report with no suspects and a reason.
Result<RcaReport> RunRca(Store& store, const RcaOptions& options);

// Renderings of a report: `{"window":{…},"suspects":[…]}`, a terminal table, Markdown.
std::string RcaReportJson(const RcaReport& report);
std::string RcaReportTable(const RcaReport& report);
std::string RcaReportMarkdown(const RcaReport& report);

}  // namespace ddbg
