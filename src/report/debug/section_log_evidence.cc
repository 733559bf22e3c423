// Section 7 from log_rules.h and log_patterns.h: the default log rules matched over the
// window's records (rule, severity, count, last message, services, action; matched by the
// shared analyses beside the event analyses), and the
// templates new or spiking in the window against a baseline — the window of equal length
// just before it, clipped to the data; when too little data precedes the window, the data
// after it.
#include <algorithm>
#include <optional>

#include <fmt/format.h>

#include "ddbg/log_patterns.h"
#include "ddbg/log_rules.h"
#include "report/debug/sections.h"
#include "util/time_format.h"

namespace ddbg::report {
namespace {

constexpr size_t kRulesShown = 8;
constexpr size_t kChangesShown = 8;
// A baseline shorter than this fraction of the window is not compared against.
constexpr int64_t kMinBaselineFraction = 4;

Severity FromRule(logs::RuleSeverity s) {
  switch (s) {
    case logs::RuleSeverity::kCritical: return Severity::kCritical;
    case logs::RuleSeverity::kError: return Severity::kWarning;
    case logs::RuleSeverity::kWarning: return Severity::kNotice;
    case logs::RuleSeverity::kInfo: return Severity::kInfo;
  }
  return Severity::kInfo;
}

std::string Joined(const std::vector<std::string>& parts) {
  std::string out;
  for (const std::string& p : parts) out += (out.empty() ? "" : ", ") + p;
  return out;
}

ScanFilter WindowFilter(const DebugContext& ctx, TimeRange time) {
  ScanFilter f;
  f.time = time;
  f.services = ctx.request.services;
  return f;
}

// The rule hits the shared analyses computed (analyses.cc).
void AddRuleHits(const DebugContext& ctx, Section* s) {
  if (!ctx.analyses.log_rules_error.empty()) {
    s->unavailable.push_back({"log rule hits (log_rules.h)", ctx.analyses.log_rules_error});
    return;
  }
  const std::vector<logs::LogIssue>* issues = &ctx.analyses.log_issues;
  for (size_t i = 0; i < issues->size() && i < kRulesShown; ++i) {
    const logs::LogIssue& is = (*issues)[i];
    Finding f = MakeFinding(
        fmt::format("log rule {} ({}): {} records in {}, last: \"{}\"; action: {}", is.rule->name,
                    logs::RuleSeverityName(is.rule->severity), is.occurrences, Joined(is.services),
                    is.last_message, is.rule->action),
        FromRule(is.rule->severity),
        {Metric::Count("occurrences", static_cast<int64_t>(is.occurrences)),
         Metric::Time("first", is.first_seen_ns), Metric::Time("last", is.last_seen_ns)});
    s->findings.push_back(std::move(f));
  }
}

// The baseline window, or nullopt when the data leaves no room for one.
std::optional<TimeRange> BaselineWindow(Store& store, const TimeRange& window) {
  Result<TimeRange> data = store.DataTimeRange();
  if (!data.ok()) return std::nullopt;
  int64_t len = window.max_ns - window.min_ns;
  TimeRange before{std::max(window.min_ns - len, data->min_ns), window.min_ns};
  if ((before.max_ns - before.min_ns) * kMinBaselineFraction >= len) return before;
  TimeRange after{window.max_ns, std::min(window.max_ns + len, data->max_ns + 1)};
  if ((after.max_ns - after.min_ns) * kMinBaselineFraction >= len) return after;
  return std::nullopt;
}

void AddPatternChanges(Store& store, const DebugContext& ctx, Section* s) {
  const char* kAnalysis = "new or spiking log templates (log_patterns.h)";
  std::optional<TimeRange> baseline = BaselineWindow(store, ctx.window);
  if (!baseline) {
    s->unavailable.push_back({kAnalysis, "no data outside the window to compare against"});
    return;
  }
  Result<std::vector<logs::PatternChange>> changes =
      logs::DiffPatterns(store, WindowFilter(ctx, *baseline), WindowFilter(ctx, ctx.window));
  if (!changes.ok()) {
    s->unavailable.push_back({kAnalysis, changes.status().ToString()});
    return;
  }
  size_t shown = 0;
  for (const logs::PatternChange& c : *changes) {
    if (shown == kChangesShown) break;
    if (c.kind != logs::PatternChangeKind::kNew && c.kind != logs::PatternChangeKind::kSpiking) continue;
    ++shown;
    bool loud = c.target.by_severity[5] + c.target.by_severity[6] > 0;  // error, fatal
    Finding f = MakeFinding(
        fmt::format("{} log template in {}: \"{}\" {} times ({:.1f}/min, baseline {:.1f}/min {} to {})",
                    logs::PatternChangeName(c.kind), Joined(c.target.services), c.target.text,
                    c.target.count, c.target_rate, c.baseline_rate, FormatRfc3339(baseline->min_ns),
                    FormatRfc3339(baseline->max_ns)),
        loud ? Severity::kWarning : Severity::kNotice,
        {Metric::Count("count", static_cast<int64_t>(c.target.count)),
         Metric::Count("baseline_count", static_cast<int64_t>(c.baseline.count)),
         Metric::Number("rate_per_min", c.target_rate), Metric::Number("baseline_rate_per_min", c.baseline_rate),
         Metric::Number("score", c.score), Metric::Time("first", c.target.first_seen_ns)});
    s->findings.push_back(std::move(f));
  }
}

}  // namespace

Status BuildLogEvidence(Store& store, const DebugContext& ctx, DebugReport* report) {
  Section& s = report->section(SectionId::kLogs);
  if (ctx.logs.logs == 0) return Status::Ok();
  AddRuleHits(ctx, &s);
  AddPatternChanges(store, ctx, &s);
  return Status::Ok();
}

}  // namespace ddbg::report
