// Projection lag: checkpoints (JSON lines, a JSON array or CSV) against the head of the
// event store, with the healthy / warning / critical thresholds of an event-store runbook.
#include <fmt/format.h>

#include <algorithm>
#include <charconv>

#include "ddbg/events.h"
#include "util/time_parse.h"

namespace ddbg {
namespace {

constexpr std::string_view kNameKeys[] = {"projection", "name", "projection_name"};
constexpr std::string_view kTimeKeys[] = {"last_processed_at", "time", "checkpoint_time",
                                          "updated_at"};
constexpr std::string_view kEventKeys[] = {"last_event_id", "event_id"};
constexpr std::string_view kPositionKeys[] = {"position", "events_processed", "checkpoint"};

template <size_t N>
bool Is(std::string_view key, const std::string_view (&names)[N]) {
  return std::find(std::begin(names), std::end(names), key) != std::end(names);
}

// Applies one named field; an error names the place.
Status SetField(ProjectionCheckpoint* cp, std::string_view key, std::string_view value,
                const std::string& where) {
  if (Is(key, kNameKeys)) {
    cp->projection = value;
  } else if (Is(key, kTimeKeys)) {
    if (value.empty() || value == "null") return Status::Ok();
    if (!ParseTimestampText(value, &cp->last_processed_ns)) {
      return Status::InvalidArgument(fmt::format("{}: cannot read time '{}'", where, value));
    }
  } else if (Is(key, kEventKeys)) {
    cp->last_event_id = value;
  } else if (Is(key, kPositionKeys)) {
    auto r = std::from_chars(value.data(), value.data() + value.size(), cp->position);
    if (!value.empty() && (r.ec != std::errc() || r.ptr != value.data() + value.size())) {
      return Status::InvalidArgument(
          fmt::format("{}: position must be a non-negative integer, got '{}'", where, value));
    }
  }
  return Status::Ok();
}

Status FromObject(const JsonValue& obj, const std::string& where,
                  std::vector<ProjectionCheckpoint>* out) {
  if (!obj.is_object()) return Status::InvalidArgument(where + ": a checkpoint must be an object");
  ProjectionCheckpoint cp;
  for (const auto& [k, v] : obj.members()) {
    DDBG_RETURN_IF_ERROR(SetField(&cp, k, v.is_null() ? "" : v.ToText(), where));
  }
  if (cp.projection.empty()) {
    return Status::InvalidArgument(where + ": no projection name (projection, name)");
  }
  out->push_back(std::move(cp));
  return Status::Ok();
}

std::vector<std::string_view> SplitCsv(std::string_view line) {
  std::vector<std::string_view> cells;
  size_t start = 0;
  for (size_t i = 0; i <= line.size(); ++i) {
    if (i == line.size() || line[i] == ',') {
      std::string_view c = line.substr(start, i - start);
      while (!c.empty() && (c.front() == ' ' || c.front() == '"')) c.remove_prefix(1);
      while (!c.empty() && (c.back() == ' ' || c.back() == '"' || c.back() == '\r')) c.remove_suffix(1);
      cells.push_back(c);
      start = i + 1;
    }
  }
  return cells;
}

std::vector<std::string_view> Lines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

Result<std::vector<ProjectionCheckpoint>> ParseCsv(const std::vector<std::string_view>& lines,
                                                   const std::string& source) {
  std::vector<ProjectionCheckpoint> out;
  std::vector<std::string_view> header = SplitCsv(lines.front());
  for (size_t n = 1; n < lines.size(); ++n) {
    if (lines[n].find_first_not_of(" \r") == std::string_view::npos) continue;
    std::vector<std::string_view> cells = SplitCsv(lines[n]);
    std::string where = fmt::format("{}:{}", source, n + 1);
    if (cells.size() != header.size()) {
      return Status::InvalidArgument(fmt::format("{}: {} cells, the header has {}", where,
                                                 cells.size(), header.size()));
    }
    ProjectionCheckpoint cp;
    for (size_t i = 0; i < cells.size(); ++i) {
      DDBG_RETURN_IF_ERROR(SetField(&cp, header[i], cells[i], where));
    }
    if (cp.projection.empty()) return Status::InvalidArgument(where + ": no projection name");
    out.push_back(std::move(cp));
  }
  return out;
}

}  // namespace

const char* ProjectionHealthName(ProjectionHealth h) {
  switch (h) {
    case ProjectionHealth::kHealthy:
      return "healthy";
    case ProjectionHealth::kWarning:
      return "warning";
    case ProjectionHealth::kCritical:
      return "critical";
  }
  return "unknown";
}

Result<std::vector<ProjectionCheckpoint>> ParseCheckpoints(std::string_view text,
                                                           const std::string& source) {
  std::vector<std::string_view> lines = Lines(text);
  size_t first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return std::vector<ProjectionCheckpoint>{};
  std::vector<ProjectionCheckpoint> out;
  if (text[first] == '[') {
    Result<JsonValue> doc = JsonValue::Parse(text);
    if (!doc.ok()) return Status::InvalidArgument(source + ": " + doc.status().message());
    for (size_t i = 0; i < doc->items().size(); ++i) {
      DDBG_RETURN_IF_ERROR(
          FromObject(doc->items()[i], fmt::format("{}[{}]", source, i), &out));
    }
    return out;
  }
  if (text[first] != '{') return ParseCsv(lines, source);
  for (size_t n = 0; n < lines.size(); ++n) {
    if (lines[n].find_first_not_of(" \t\r") == std::string_view::npos) continue;
    std::string where = fmt::format("{}:{}", source, n + 1);
    Result<JsonValue> doc = JsonValue::Parse(lines[n]);
    if (!doc.ok()) return Status::InvalidArgument(where + ": " + doc.status().message());
    DDBG_RETURN_IF_ERROR(FromObject(*doc, where, &out));
  }
  return out;
}

Result<ProjectionLagReport> ComputeProjectionLag(Store& store,
                                                 const std::vector<ProjectionCheckpoint>& cps,
                                                 const ProjectionLagOptions& options) {
  ProjectionLagReport report;
  std::vector<int64_t> times;
  DDBG_RETURN_IF_ERROR(store.ScanEvents({}, [&](const EventBatch& b) {
    times.insert(times.end(), b.time_ns.begin(), b.time_ns.end());
    return Status::Ok();
  }));
  std::sort(times.begin(), times.end());
  report.head_events = times.size();
  report.head_ns = times.empty() ? 0 : times.back();
  for (const ProjectionCheckpoint& cp : cps) {
    ProjectionLag lag;
    lag.checkpoint = cp;
    if (cp.last_processed_ns == 0) {
      lag.lag_ns = INT64_MAX;
      lag.events_behind = times.size();
    } else {
      lag.lag_ns = std::max<int64_t>(0, report.head_ns - cp.last_processed_ns);
      lag.events_behind =
          times.end() - std::upper_bound(times.begin(), times.end(), cp.last_processed_ns);
    }
    lag.health = lag.lag_ns > options.critical_ns  ? ProjectionHealth::kCritical
                 : lag.lag_ns > options.warning_ns ? ProjectionHealth::kWarning
                                                   : ProjectionHealth::kHealthy;
    report.projections.push_back(std::move(lag));
  }
  return report;
}

}  // namespace ddbg
