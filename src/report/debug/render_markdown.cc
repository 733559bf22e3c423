// The Markdown form of the debug report, for pasting into an incident channel or a ticket:
// a heading per section, findings as bullets with their numbers, the service edges and the
// trace bars as tables. Telemetry text goes through MarkdownEscape.
#include <fmt/format.h>

#include "ddbg/debug_render.h"
#include "report/debug/render_common.h"
#include "util/escape.h"
#include "util/time_format.h"

namespace ddbg {
namespace {

using report::FormatMetricValue;

constexpr size_t kBarRows = 30;

class MarkdownWriter {
 public:
  void Report(const DebugReport& r) {
    out_ += "# Distributed Debug Report\n\n";
    out_ += "> " + MarkdownEscape(r.description) + "\n\n";
    out_ += fmt::format("Focus: **{}** · window {} → {} ({}) · scope: {}{}\n",
                        report::FocusList(r.focus), FormatRfc3339(r.window.min_ns, 3),
                        FormatRfc3339(r.window.max_ns, 3),
                        FormatDuration(r.window.max_ns - r.window.min_ns),
                        r.services.empty() ? "all services" : Join(r.services),
                        r.trace_id.empty() ? "" : " · trace " + MarkdownEscape(r.trace_id));
    for (const Section& s : r.sections) SectionMd(r, s);
  }
  std::string& out() { return out_; }

 private:
  static std::string Join(const std::vector<std::string>& v) {
    std::string s;
    for (const std::string& x : v) {
      if (!s.empty()) s += ", ";
      s += MarkdownEscape(x);
    }
    return s;
  }

  void SectionMd(const DebugReport& r, const Section& s) {
    out_ += fmt::format("\n## {}. {}{}\n\n", static_cast<int>(s.id) + 1, SectionTitle(s.id),
                        s.focused ? " (focus)" : "");
    for (const Finding& f : s.findings) FindingMd(f);
    if (s.id == SectionId::kSummary && !r.hypotheses.empty()) {
      out_ += "\nTop hypotheses:\n\n";
      for (size_t i = 0; i < r.hypotheses.size() && i < report::kSummaryHypotheses; ++i) {
        out_ += "- " + MarkdownEscape(report::HypothesisLine(r.hypotheses[i])) + "\n";
      }
    }
    if (s.id == SectionId::kHypotheses) Hypotheses(r);
    if (!s.graph.empty()) Edges(s.graph);
    for (const CriticalPathBars& b : s.bars) Bars(b);
    if (!s.unavailable.empty()) out_ += "\n";
    for (const Unavailable& u : s.unavailable) {
      out_ += fmt::format("- _{}: {}_\n", MarkdownEscape(u.analysis), MarkdownEscape(u.reason));
    }
  }

  void FindingMd(const Finding& f) {
    const char* mark = f.severity == Severity::kCritical ? "**critical** "
                       : f.severity == Severity::kWarning ? "**warning** " : "";
    out_ += fmt::format("- {}{}\n", mark, MarkdownEscape(f.title));
    for (std::string_view d : report::DetailLines(f.detail)) {
      out_ += "  " + MarkdownEscape(std::string(d)) + "\n";
    }
    std::string nums;
    for (const Metric& m : f.metrics) {
      nums += fmt::format("{}{}={}", nums.empty() ? "" : ", ", MarkdownEscape(m.key), FormatMetricValue(m));
    }
    if (!nums.empty()) out_ += "  - numbers: " + nums + "\n";
    for (const std::string& id : f.trace_ids) out_ += "  - trace " + MarkdownEscape(id) + "\n";
    for (const LogExample& l : f.logs) {
      out_ += fmt::format("  - log {} {} [{}] {}\n", FormatRfc3339(l.time_ns, 3),
                          MarkdownEscape(l.severity), MarkdownEscape(l.service), MarkdownEscape(l.body));
    }
    for (const EventRef& e : f.events) {
      out_ += fmt::format("  - event {} {} {} v{} ({})\n", FormatRfc3339(e.time_ns, 3),
                          MarkdownEscape(e.type), MarkdownEscape(e.stream), e.version,
                          MarkdownEscape(e.service));
    }
  }

  void Hypotheses(const DebugReport& r) {
    for (const Hypothesis& h : r.hypotheses) {
      out_ += "- " + MarkdownEscape(report::HypothesisLine(h)) + "\n";
      for (const std::string& e : h.evidence) out_ += "  - " + MarkdownEscape(e) + "\n";
    }
    if (!r.recommendations.empty()) out_ += "\nRecommendations:\n\n";
    for (const std::string& rec : r.recommendations) out_ += "- " + MarkdownEscape(rec) + "\n";
  }

  void Edges(const ServiceGraph& g) {
    out_ += "\n| caller | callee | calls | rate | errors | p50 | p95 | p99 | health |\n";
    out_ += "|---|---|---:|---:|---:|---:|---:|---:|---|\n";
    for (const ServiceEdge& e : g.edges) {
      out_ += fmt::format("| {} | {} | {} | {:.2f}/s | {:.1f}% | {} | {} | {} | {} |\n",
                          MarkdownEscape(e.from), MarkdownEscape(e.to) + (e.messaging ? " (async)" : ""), e.calls, e.rate_per_s,
                          e.error_rate * 100, FormatDuration(e.p50_ns), FormatDuration(e.p95_ns),
                          FormatDuration(e.p99_ns), e.unhealthy ? "**unhealthy**" : "ok");
    }
  }

  void Bars(const CriticalPathBars& b) {
    out_ += "\nSpans of " + MarkdownEscape(b.title) + " (critical path in bold):\n\n";
    out_ += "| span | start | duration | self |\n|---|---:|---:|---:|\n";
    size_t rows = 0;
    for (const BarSegment& s : b.segments) {
      if (rows++ == kBarRows) break;
      std::string name = std::string(2 * std::min<uint32_t>(s.depth, 8), '.') +
                         MarkdownEscape(s.service) + " " + MarkdownEscape(s.operation);
      if (s.critical) name = "**" + name + "**";
      if (s.error) name += " (error)";
      out_ += fmt::format("| {} | +{} | {} | {} |\n", name, FormatDuration(s.offset_ns),
                          FormatDuration(s.duration_ns), FormatDuration(s.self_ns));
    }
  }

  std::string out_;
};

}  // namespace

std::string RenderDebugMarkdown(const DebugReport& report) {
  MarkdownWriter w;
  w.Report(report);
  return std::move(w.out());
}

}  // namespace ddbg
