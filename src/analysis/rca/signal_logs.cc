// Log signal: per service and log statement (the code location a template names, else the
// template: StatementOf in log_collector.h), the window's count against the count the baseline predicts for the same
// traffic (the service's span count, or time when it has no spans). New or spiking
// statements, error ones above all, and statements that stopped appearing (a code path no
// longer reached) blame the service that writes them, or, for an error naming another
// service (a failure to reach it), the service named. Logs written by spans that only
// propagate an error from below are left out.
#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <unordered_map>

#include "analysis/rca/signal.h"
#include "analysis/rca/stats.h"

namespace ddbg::rca {
namespace {

constexpr double kQuietWeight = 0.7;  // drops and non-error templates

struct TemplateCounts {
  double window = 0, baseline = 0;
  bool error = false;
  StrId example = kEmptyStr;  // a template of the statement, from the window when it has one
};

struct ServiceLogs {
  double spans_w = 0, spans_b = 0;
  std::unordered_map<StrId, TemplateCounts> templates;
};

struct Scored {
  StrId statement;
  StrId tmpl;  // the statement's example template
  double z;
  double window, expected;
  bool error;
};

}  // namespace

std::vector<Finding> LogPatternSignal(const TraceSet& set) {
  std::unordered_map<StrId, ServiceLogs> services;
  for (const RcaTrace& tr : set.traces) {
    for (uint32_t s = tr.span_begin; s < tr.span_end; ++s) {
      ServiceLogs& sl = services[set.spans[s].service];
      (tr.in_window ? sl.spans_w : sl.spans_b) += 1;
    }
  }
  for (const RcaLog& log : set.logs) {
    if (log.span >= 0 && set.spans[log.span].error_below) continue;
    // An error naming a service the writer could not reach speaks about that service, or
    // about no one (JudgePeers, edge_failures.h).
    if (log.peer != kEmptyStr && !log.peer_blamed) continue;
    TemplateCounts& c =
        services[log.peer != kEmptyStr ? log.peer : log.service].templates[log.statement];
    (log.in_window ? c.window : c.baseline) += 1;
    if (c.example == kEmptyStr || (log.in_window && c.window == 1)) c.example = log.tmpl;
    c.error = c.error || log.error;
  }
  double time_ratio =
      static_cast<double>(set.window.max_ns - set.window.min_ns) /
      std::max<double>(1.0, static_cast<double>(set.BaselineNs()));
  std::vector<Finding> out;
  std::vector<Scored> scored;
  for (const auto& [service, sl] : services) {
    if (sl.templates.empty()) continue;
    double ratio = sl.spans_w >= 10 && sl.spans_b >= 10 ? sl.spans_w / sl.spans_b : time_ratio;
    scored.clear();
    for (const auto& [statement, c] : sl.templates) {
      double expected = (c.baseline + 0.5) * ratio;
      double rise = PoissonZ(c.window, expected);
      double z = rise >= 0 ? rise * (c.error ? 1.0 : kQuietWeight) : -rise * kQuietWeight;
      scored.push_back({statement, c.example, z, c.window, expected, c.error});
    }
    std::sort(scored.begin(), scored.end(), [](const Scored& a, const Scored& b) {
      return a.z > b.z || (a.z == b.z && a.statement < b.statement);
    });
    const Scored& top = scored.front();
    if (top.z < 3) continue;
    Finding f;
    f.service = service;
    f.z = top.z;
    f.strength = 1 - std::exp(-(top.z - 3) / 8);
    bool rose = top.window > top.expected;
    f.summary = fmt::format("{} log template {} {:.0f} times in the window ({:.1f} expected): {}",
                            top.error ? "error" : "a", rose ? "seen" : "only", top.window,
                            top.expected, set.Name(top.tmpl));
    f.figures = {{"z", top.z}, {"count", top.window}, {"expected", top.expected},
                 {"templates_changed", 0}};
    for (const Scored& s : scored) {
      if (s.z < 3) break;
      f.figures.back().second += 1;
      if (f.templates.size() < 3) f.templates.push_back(s.tmpl);
    }
    StrId statement = top.statement;
    for (const RcaLog& log : set.logs) {
      if (f.traces.size() >= 3) break;
      if (log.in_window && log.trace >= 0 && log.service == service && log.statement == statement &&
          (f.traces.empty() || f.traces.back() != static_cast<uint32_t>(log.trace))) {
        f.traces.push_back(static_cast<uint32_t>(log.trace));
      }
    }
    out.push_back(std::move(f));
  }
  return out;
}

}  // namespace ddbg::rca
