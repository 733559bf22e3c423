// AnalysisScope parsing and the one place --where (TraceQL) is resolved.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "ddbg/analysis_scope.h"
#include "ddbg/traceql.h"
#include "util/time_parse.h"

namespace ddbg {

bool AnalysisScope::IncludesService(std::string_view service) const {
  if (services.empty()) return true;
  return std::find(services.begin(), services.end(), service) != services.end();
}

ScanFilter AnalysisScope::ToScanFilter() const {
  ScanFilter f;
  f.time = time;
  return f;
}

Result<std::optional<std::vector<TraceId>>> ResolveWhere(Store& store,
                                                         const AnalysisScope& scope) {
  if (scope.where.empty()) return std::optional<std::vector<TraceId>>();
  Result<std::vector<TraceId>> ids = FindTraceIds(store, scope.where, scope.ToScanFilter(), 0);
  if (!ids.ok()) {
    return Status::InvalidArgument(fmt::format("--where: {}", ids.status().message()));
  }
  return std::optional<std::vector<TraceId>>(std::move(*ids));
}

Result<int64_t> ParseScopeDuration(std::string_view text) {
  int64_t total = 0;
  if (!ParseDurationText(text, &total) || total <= 0) {
    return Status::InvalidArgument(
        fmt::format("'{}' is not a duration (use forms like 90s, 30m, 2h, 1h30m, 1d)", text));
  }
  return total;
}

namespace {

// An absolute time, or a duration counted back from the end of the data.
Result<int64_t> ParseTimePoint(std::string_view flag, std::string_view text, int64_t end_ns) {
  int64_t ns = 0;
  if (ParseTimestampText(text, &ns)) return ns;
  Result<int64_t> d = ParseScopeDuration(text);
  if (d.ok()) return end_ns - *d;
  return Status::InvalidArgument(fmt::format(
      "{} '{}': expected an RFC 3339 time, epoch seconds/ms/ns, or a duration before the "
      "end of the data such as 30m",
      flag, text));
}

std::vector<std::string> SplitServices(std::string_view text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string_view::npos) comma = text.size();
    std::string_view part = text.substr(start, comma - start);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    while (!part.empty() && part.back() == ' ') part.remove_suffix(1);
    if (!part.empty()) out.emplace_back(part);
    start = comma + 1;
  }
  return out;
}

}  // namespace

Result<AnalysisScope> ParseScope(const ScopeText& text, int64_t data_end_ns) {
  AnalysisScope scope;
  if (!text.time_window.empty() && !text.since.empty()) {
    return Status::InvalidArgument("--time-window and --since cannot be combined");
  }
  if (!text.until.empty()) {
    Result<int64_t> t = ParseTimePoint("--until", text.until, data_end_ns);
    if (!t.ok()) return t.status();
    scope.time.max_ns = *t;
  }
  int64_t end = text.until.empty() ? data_end_ns : scope.time.max_ns;
  if (!text.time_window.empty()) {
    Result<int64_t> d = ParseScopeDuration(text.time_window);
    if (!d.ok()) return Status::InvalidArgument("--time-window: " + d.status().message());
    scope.time.min_ns = end - *d;
  }
  if (!text.since.empty()) {
    Result<int64_t> t = ParseTimePoint("--since", text.since, data_end_ns);
    if (!t.ok()) return t.status();
    scope.time.min_ns = *t;
  }
  if (scope.time.min_ns > scope.time.max_ns) {
    return Status::InvalidArgument("the time range is empty: --since is after --until");
  }
  scope.services = SplitServices(text.services);
  scope.where = text.where;
  return scope;
}

}  // namespace ddbg
