// AnalysisScope: what part of the store an analysis looks at — a time range, a set of
// services and a TraceQL filter — shared by every trace analysis (topology, critical path,
// bottlenecks, errors, perf, regress) and by the commands that print them.
// Plain values; thread-safe to share read-only.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ddbg/status.h"
#include "ddbg/store.h"

namespace ddbg {

struct AnalysisScope {
  TimeRange time;                     // spans whose start falls inside
  std::vector<std::string> services;  // traces touching any of them; empty: all
  std::string where;                  // TraceQL; empty: no filter

  // True when `service` is listed, or when no service is listed.
  bool IncludesService(std::string_view service) const;
  ScanFilter ToScanFilter() const;
};

// The trace ids `scope.where` selects, or nullopt when `where` is empty (every trace).
// The single place --where is resolved: the TraceQL engine plugs in here.
Result<std::optional<std::vector<TraceId>>> ResolveWhere(Store& store, const AnalysisScope& scope);

// The text form of the scope's time and service options, as given on the command line.
struct ScopeText {
  std::string since;        // RFC 3339, epoch, or a duration before the end of the data
  std::string until;        // same forms
  std::string time_window;  // a duration: the last D of the data ("30m", "2h")
  std::string services;     // comma-separated
  std::string where;
};

// Parses ScopeText into a scope. Durations in --since/--until/--time-window count back
// from `data_end_ns` (the latest timestamp in the store), so "the last 30 minutes" means
// the last 30 minutes of recorded data. --time-window cannot be combined with --since.
Result<AnalysisScope> ParseScope(const ScopeText& text, int64_t data_end_ns);

// "30m", "2h", "90s", "1h30m", "500ms", "1d" → nanoseconds.
Result<int64_t> ParseScopeDuration(std::string_view text);

}  // namespace ddbg
