// The terminal form of the debug report: numbered sections, one line per finding with its
// numbers under it, trace ids, quoted logs and events, the service edges as a table, trace
// bars and timelines in characters. Telemetry text goes through TerminalSafe.
#include <algorithm>

#include <fmt/format.h>

#include "ddbg/debug_render.h"
#include "report/debug/render_common.h"
#include "util/escape.h"
#include "util/time_format.h"

namespace ddbg {
namespace {

using report::FormatMetricValue;

constexpr const char* kReset = "\x1b[0m";
constexpr const char* kBold = "\x1b[1m";
constexpr const char* kDim = "\x1b[2m";
constexpr const char* kRed = "\x1b[31m";
constexpr const char* kYellow = "\x1b[33m";
constexpr const char* kCyan = "\x1b[36m";
constexpr size_t kLabelWidth = 36;
constexpr size_t kBarsShown = 24;

class TextWriter {
 public:
  TextWriter(const DebugTextOptions& o) : o_(o) {}

  void Report(const DebugReport& r) {
    Line(Paint(kBold, "Distributed Debug Report") + " — \"" + TerminalSafe(r.description) + "\"");
    Line(Paint(kDim, fmt::format("focus: {} · window {} → {} ({}) · scope: {}{}{}",
                                 report::FocusList(r.focus), FormatRfc3339(r.window.min_ns, 3),
                                 FormatRfc3339(r.window.max_ns, 3),
                                 FormatDuration(r.window.max_ns - r.window.min_ns), Scope(r),
                                 r.trace_id.empty() ? "" : " · trace ", TerminalSafe(r.trace_id))));
    for (const Section& s : r.sections) SectionText(r, s);
    out_ += '\n';
  }
  std::string& out() { return out_; }

 private:
  static std::string Scope(const DebugReport& r) {
    if (r.services.empty()) return "all services";
    std::string s;
    for (const std::string& name : r.services) {
      if (!s.empty()) s += ',';
      s += TerminalSafe(name);
    }
    return s;
  }

  std::string Paint(const char* color, const std::string& s) const {
    return o_.color ? color + s + kReset : s;
  }
  void Line(const std::string& s) { out_ += s + '\n'; }

  void SectionText(const DebugReport& r, const Section& s) {
    out_ += '\n';
    std::string head = fmt::format("{}. {}", static_cast<int>(s.id) + 1, SectionTitle(s.id));
    Line(Paint(s.focused ? kCyan : kBold, head) + (s.focused ? Paint(kCyan, "  [focus]") : ""));
    for (const Finding& f : s.findings) FindingText(f);
    if (s.id == SectionId::kSummary) TopHypotheses(r);
    if (s.id == SectionId::kHypotheses) Hypotheses(r);
    if (!s.graph.empty()) Edges(s.graph);
    // The terminal shows the first drawing of each kind; html and json carry them all.
    if (!s.bars.empty()) Bars(s.bars.front());
    if (!s.timelines.empty()) TimelineText(s.timelines.front());
    size_t more = s.bars.size() + s.timelines.size() - (s.bars.empty() ? 0 : 1) -
                  (s.timelines.empty() ? 0 : 1);
    if (more > 0) Line(Paint(kDim, fmt::format("  ({} more drawings in --format html or json)", more)));
    for (const Unavailable& u : s.unavailable) {
      Line(Paint(kDim, fmt::format("  – {}: {}", TerminalSafe(u.analysis), TerminalSafe(u.reason))));
    }
  }

  void FindingText(const Finding& f) {
    static constexpr const char* kGlyph[] = {"•", "•", "!", "✗"};
    const char* color = f.severity == Severity::kCritical ? kRed
                        : f.severity == Severity::kWarning ? kYellow : kReset;
    std::string glyph = kGlyph[static_cast<size_t>(f.severity)];
    Line("  " + (f.severity >= Severity::kWarning ? Paint(color, glyph) : glyph) + " " +
         TerminalSafe(f.title));
    for (std::string_view d : report::DetailLines(f.detail)) Line("    " + TerminalSafe(d));
    std::string nums;
    for (const Metric& m : f.metrics) nums += fmt::format("{}{}={}", nums.empty() ? "" : "  ", m.key, FormatMetricValue(m));
    if (!nums.empty()) Line("    " + Paint(kDim, TerminalSafe(nums)));
    if (!f.trace_ids.empty()) {
      std::string ids;
      for (const std::string& id : f.trace_ids) {
        if (!ids.empty()) ids += ", ";
        ids += TerminalSafe(id);
      }
      Line("    traces: " + ids);
    }
    for (const LogExample& l : f.logs) {
      Line(fmt::format("    log {} {} [{}] {}", FormatRfc3339(l.time_ns, 3), TerminalSafe(l.severity),
                       TerminalSafe(l.service), TerminalSafe(l.body)));
    }
    for (const EventRef& e : f.events) {
      Line(fmt::format("    event {} {} {} v{} ({})", FormatRfc3339(e.time_ns, 3),
                       TerminalSafe(e.type), TerminalSafe(e.stream), e.version, TerminalSafe(e.service)));
    }
  }

  void TopHypotheses(const DebugReport& r) {
    if (r.hypotheses.empty()) return;
    Line("  Top hypotheses:");
    for (size_t i = 0; i < r.hypotheses.size() && i < report::kSummaryHypotheses; ++i) {
      Line("    " + TerminalSafe(report::HypothesisLine(r.hypotheses[i])));
    }
  }

  void Hypotheses(const DebugReport& r) {
    for (const Hypothesis& h : r.hypotheses) {
      Line("  " + TerminalSafe(report::HypothesisLine(h)));
      for (const std::string& e : h.evidence) Line("      " + TerminalSafe(e));
    }
    for (const std::string& rec : r.recommendations) Line("  → " + TerminalSafe(rec));
  }

  void Edges(const ServiceGraph& g) {
    Line(Paint(kDim, fmt::format("    {:<34} {:>8} {:>9} {:>7} {:>9} {:>9}", "caller → callee",
                                 "calls", "rate", "errors", "p50", "p99")));
    for (const ServiceEdge& e : g.edges) {
      std::string name = TerminalSafe(e.from) + " → " + TerminalSafe(e.to) + (e.messaging ? " (async)" : "");
      std::string row = fmt::format("    {:<34} {:>8} {:>7.2f}/s {:>6.1f}% {:>9} {:>9}", name,
                                    e.calls, e.rate_per_s, e.error_rate * 100,
                                    FormatDuration(e.p50_ns), FormatDuration(e.p99_ns));
      Line(e.unhealthy ? Paint(kRed, row + "  unhealthy") : row);
    }
  }

  void Bars(const CriticalPathBars& b) {
    Line("  bars of " + TerminalSafe(b.title) + " (* = critical path)");
    int bar_w = std::max(10, o_.width - static_cast<int>(kLabelWidth) - 16);
    double total = static_cast<double>(std::max<int64_t>(b.duration_ns, 1));
    size_t shown = 0;
    for (const BarSegment& s : b.segments) {
      if (shown++ == kBarsShown) {
        Line(Paint(kDim, fmt::format("    … {} more spans", b.segments.size() - kBarsShown)));
        break;
      }
      std::string label = std::string(std::min<size_t>(s.depth, 8), ' ') + TerminalSafe(s.service) +
                          " " + TerminalSafe(s.operation);
      if (label.size() > kLabelWidth) label = label.substr(0, kLabelWidth - 1) + "…";
      int from = static_cast<int>(static_cast<double>(s.offset_ns) / total * bar_w);
      int len = std::max(1, static_cast<int>(static_cast<double>(s.duration_ns) / total * bar_w));
      len = std::min(len, bar_w - std::min(from, bar_w - 1));
      std::string bar = std::string(from, ' ') + std::string(len, s.critical ? '#' : '=');
      bar.resize(bar_w, ' ');
      const char* color = s.error ? kRed : s.critical ? kYellow : kDim;
      Line(fmt::format("   {}{:<{}} |{}| {}", s.critical ? '*' : ' ', label, kLabelWidth,
                       Paint(color, bar), FormatDuration(s.duration_ns)));
    }
  }

  void TimelineText(const Timeline& t) {
    Line("  timeline: " + TerminalSafe(t.title));
    size_t shown = 0;
    for (const TimelineEntry& e : t.entries) {
      if (shown++ == report::kTimelineLinesShown) {
        Line(Paint(kDim, fmt::format("    … {} more", t.entries.size() - report::kTimelineLinesShown)));
        break;
      }
      std::string line = fmt::format("    +{:<9} {:<6} [{}] {}", FormatDuration(e.time_ns - t.start_ns),
                                     TerminalSafe(e.kind), TerminalSafe(e.lane), TerminalSafe(e.label));
      Line(e.severity >= Severity::kWarning ? Paint(kYellow, line) : line);
    }
  }

  const DebugTextOptions& o_;
  std::string out_;
};

}  // namespace

std::string RenderDebugText(const DebugReport& report, const DebugTextOptions& options) {
  TextWriter w(options);
  w.Report(report);
  return std::move(w.out());
}

}  // namespace ddbg
