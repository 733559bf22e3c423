#include "sim/ground_truth.h"

#include <fmt/format.h>

#include "util/json_writer.h"
#include "util/time_format.h"

namespace ddbg::sim {
namespace {

void StringOrNull(JsonWriter& w, const char* key, const std::string& value) {
  w.Key(key);
  if (value.empty()) {
    w.Null();
  } else {
    w.String(value);
  }
}

std::string Describe(const SimFault& f) {
  std::string window = FormatRfc3339(f.start_ns, 0) + " .. " + FormatRfc3339(f.end_ns, 0);
  switch (f.kind) {
    case FaultKind::kLatency:
      return fmt::format("{}: own work (self time, database and external calls) x{} during {}",
                         f.service, f.magnitude, window);
    case FaultKind::kError:
      return fmt::format("{}: {:.0f}% of requests fail with its characteristic error during {}",
                         f.service, f.magnitude * 100, window);
    case FaultKind::kCascade:
      return fmt::format(
          "{}: {:.0f}% of requests hang on an exhausted connection pool and fail; callers time "
          "out, retry and fail up to the root during {}",
          f.service, f.magnitude * 100, window);
    case FaultKind::kSlowInstance:
      return fmt::format("{}: instance {} is x{} slower during {}", f.service, f.instance,
                         f.magnitude, window);
    case FaultKind::kInconsistentState:
      return fmt::format(
          "{}: events of {} entities record values that disagree with the other "
          "services' events during {}",
          f.service, f.entities.size(), window);
    case FaultKind::kVersionGap:
      return fmt::format("{}: {} stream(s) skip {} version number(s) during {}", f.service,
                         f.streams.size(), f.magnitude, window);
    case FaultKind::kRetryStorm:
      return fmt::format(
          "{}: {:.0f}% of requests rejected as UNAVAILABLE; callers retry up to "
          "10 times during {}",
          f.service, f.magnitude * 100, window);
    case FaultKind::kBadDeploy:
      return fmt::format("{}: version {} (was {}) deployed at {}: x{} slower, {:.0f}% errors",
                         f.service, f.version, f.previous_version, FormatRfc3339(f.start_ns, 0),
                         f.magnitude, f.error_rate * 100);
  }
  return "";
}

}  // namespace

std::string RenderGroundTruth(const SimOptions& options, const SimSummary& summary) {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject();
  w.Key("faults").BeginArray();
  for (const SimFault& f : summary.faults) {
    w.BeginObject();
    w.Key("kind").String(FaultKindName(f.kind));
    w.Key("service").String(f.service);
    StringOrNull(w, "instance", f.instance);
    w.Key("start").String(FormatRfc3339(f.start_ns, 3));
    w.Key("end").String(FormatRfc3339(f.end_ns, 3));
    StringOrNull(w, "stream", f.streams.empty() ? std::string() : f.streams.front());
    StringOrNull(w, "entity", f.entities.empty() ? std::string() : f.entities.front());
    w.Key("magnitude").Double(f.magnitude);
    StringOrNull(w, "version", f.version);
    StringOrNull(w, "previous_version", f.previous_version);
    w.Key("error_rate");
    if (f.kind == FaultKind::kBadDeploy) {
      w.Double(f.error_rate);
    } else {
      w.Null();
    }
    w.Key("streams").BeginArray();
    for (const std::string& s : f.streams) w.String(s);
    w.EndArray();
    w.Key("entities").BeginArray();
    for (const std::string& e : f.entities) w.String(e);
    w.EndArray();
    w.Key("affected_traces").Uint(f.affected_traces);
    w.Key("affected_spans").Uint(f.affected_spans);
    w.Key("affected_events").Uint(f.affected_events);
    w.Key("description").String(Describe(f));
    w.EndObject();
  }
  w.EndArray();
  w.Key("generator").String("ddbg simulate");
  w.Key("seed").Uint(options.seed);
  w.Key("start").String(FormatRfc3339(summary.start_ns, 3));
  w.Key("end").String(FormatRfc3339(summary.end_ns, 3));
  w.Key("services").BeginArray();
  for (const std::string& s : summary.services) w.String(s);
  w.EndArray();
  w.Key("counts").BeginObject();
  w.Key("traces").Uint(summary.traces);
  w.Key("error_traces").Uint(summary.error_traces);
  w.Key("spans").Uint(summary.spans);
  w.Key("logs").Uint(summary.logs);
  w.Key("events").Uint(summary.events);
  w.Key("streams").Uint(summary.streams);
  w.EndObject();
  w.EndObject();
  out.push_back('\n');
  return out;
}

}  // namespace ddbg::sim
