// The HTML form of the debug report: one self-contained file — inline CSS, inline SVG
// drawings (html_svg.h), no script, font, image or link to anything outside it, and a
// Content-Security-Policy that forbids them anyway. Every string passes AppendHtmlEscaped.
#include <fmt/format.h>

#include "ddbg/debug_render.h"
#include "report/debug/html_svg.h"
#include "report/debug/render_common.h"
#include "util/escape.h"
#include "util/time_format.h"

namespace ddbg {
namespace {

using report::FormatMetricValue;

constexpr std::string_view kStyle = R"css(
body{font:14px/1.45 system-ui,sans-serif;margin:0;background:#f6f7f9;color:#1d2330}
header{background:#1d2330;color:#fff;padding:18px 28px}
header h1{margin:0 0 4px;font-size:20px}header .desc{font-size:16px;color:#ffd479}
header .meta{color:#aeb6c6;font-size:12px;margin-top:6px}
main{padding:8px 28px 40px;max-width:1200px}
section{background:#fff;border:1px solid #dde1e8;border-radius:8px;margin:16px 0;padding:12px 18px}
section.focus{border:2px solid #3d7bd9}
section h2{font-size:17px;margin:4px 0 10px}h2 .tag{font-size:11px;background:#3d7bd9;color:#fff;border-radius:3px;padding:1px 6px;margin-left:8px;vertical-align:middle}
.finding{border-left:4px solid #c9ced8;padding:4px 10px;margin:8px 0}
.finding.warning{border-color:#e0a100}.finding.critical{border-color:#d23b3b}
.finding .title{font-weight:600}.nums{color:#566070;font-size:12px}
.nums span{display:inline-block;margin-right:12px}.nums b{font-weight:600;color:#1d2330}
.ev{font:12px/1.4 ui-monospace,monospace;white-space:pre-wrap;word-break:break-all;color:#333;margin:2px 0}
.tid{font:12px ui-monospace,monospace;color:#3d5a99}
.na{color:#7a8394;font-style:italic;font-size:12px;margin:3px 0}
table{border-collapse:collapse;font-size:12px;margin:8px 0}td,th{border-bottom:1px solid #e6e9ee;padding:3px 8px;text-align:right}
td:first-child,th:first-child,td:nth-child(2),th:nth-child(2){text-align:left}tr.bad td{color:#c22}
.hyp{font-weight:600}
svg{display:block;margin:8px 0;max-width:100%;height:auto}
svg text{font:11px system-ui,sans-serif;fill:#1d2330}
.map .node rect{fill:#eef3fb;stroke:#7d95bd}.map .node.bad rect{fill:#fdecec;stroke:#d23b3b;stroke-width:2}
.map .nname{font-weight:600;font-size:12px}.map .nstat{fill:#566070;font-size:10px}
.map .edge path{fill:none;stroke:#8a96ab;stroke-width:1.5}.map .edge.bad path{stroke:#d23b3b;stroke-width:3}
.map .elabel{fill:#566070;font-size:10px}.map .edge.bad .elabel{fill:#c22}.arrowhead{fill:#8a96ab}
.timeline .span{fill:#9db7e0}.timeline .bucket{fill:#f0b3b3}.timeline .sev-warning,.timeline .sev-critical{fill:#d23b3b}
.timeline .log{fill:#e0a100}.timeline .event{fill:#3a9b5c}.timeline .lane{fill:#566070}.timeline .axis{fill:#7a8394}
.bars .seg{fill:#b9c6dc}.bars .seg.crit{fill:#f08a24}.bars .seg.err{fill:#d23b3b}.bars .blabel.crit{font-weight:600}
.bars .bdur{fill:#566070}
)css";

class HtmlWriter {
 public:
  void Report(const DebugReport& r) {
    out_ += "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
            "style-src 'unsafe-inline'\">"
            "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
            "<title>ddbg debug report: ";
    Esc(r.description);
    out_ += "</title><style>";
    out_ += kStyle;
    out_ += "</style></head><body><header><h1>Distributed Debug Report</h1><div class=\"desc\">";
    Esc(r.description);
    out_ += "</div><div class=\"meta\">";
    Esc(fmt::format("focus: {} · window {} → {} ({}) · scope: ", report::FocusList(r.focus),
                    FormatRfc3339(r.window.min_ns, 3), FormatRfc3339(r.window.max_ns, 3),
                    FormatDuration(r.window.max_ns - r.window.min_ns)));
    if (r.services.empty()) out_ += "all services";
    for (size_t i = 0; i < r.services.size(); ++i) {
      if (i > 0) out_ += ", ";
      Esc(r.services[i]);
    }
    if (!r.trace_id.empty()) {
      out_ += " · trace ";
      Esc(r.trace_id);
    }
    out_ += "</div></header><main>";
    for (const Section& s : r.sections) SectionHtml(r, s);
    out_ += "</main></body></html>\n";
  }
  std::string& out() { return out_; }

 private:
  void Esc(std::string_view s) { AppendHtmlEscaped(out_, s); }

  void Div(const char* cls, std::string_view text) {
    out_ += fmt::format("<div class=\"{}\">", cls);
    Esc(text);
    out_ += "</div>";
  }

  void SectionHtml(const DebugReport& r, const Section& s) {
    out_ += fmt::format("<section id=\"{}\" class=\"{}\"><h2>{}. {}{}</h2>", SectionKey(s.id),
                        s.focused ? "focus" : "", static_cast<int>(s.id) + 1, SectionTitle(s.id),
                        s.focused ? "<span class=\"tag\">focus</span>" : "");
    for (const Finding& f : s.findings) FindingHtml(f);
    if (s.id == SectionId::kSummary) {
      for (size_t i = 0; i < r.hypotheses.size() && i < report::kSummaryHypotheses; ++i) {
        Div("hyp", report::HypothesisLine(r.hypotheses[i]));
      }
    }
    if (s.id == SectionId::kHypotheses) Hypotheses(r);
    if (!s.graph.empty()) {
      report::AppendServiceMapSvg(out_, s.graph);
      EdgeTable(s.graph);
    }
    for (const CriticalPathBars& b : s.bars) {
      Div("title", "Spans of " + b.title + " (critical path in orange)");
      report::AppendBarsSvg(out_, b);
    }
    for (const Timeline& t : s.timelines) {
      Div("title", "Timeline: " + t.title);
      report::AppendTimelineSvg(out_, t);
    }
    for (const Unavailable& u : s.unavailable) Div("na", u.analysis + ": " + u.reason);
    out_ += "</section>";
  }

  void FindingHtml(const Finding& f) {
    out_ += fmt::format("<div class=\"finding {}\">", SeverityName(f.severity));
    Div("title", f.title);
    for (std::string_view d : report::DetailLines(f.detail)) Div("detail", d);
    if (!f.metrics.empty()) {
      out_ += "<div class=\"nums\">";
      for (const Metric& m : f.metrics) {
        out_ += "<span>";
        Esc(m.key);
        out_ += " <b>";
        Esc(FormatMetricValue(m));
        out_ += "</b></span>";
      }
      out_ += "</div>";
    }
    for (const std::string& id : f.trace_ids) Div("tid", "trace " + id);
    for (const LogExample& l : f.logs) {
      Div("ev", fmt::format("log {} {} [{}] {}", FormatRfc3339(l.time_ns, 3), l.severity,
                            l.service, l.body));
    }
    for (const EventRef& e : f.events) {
      Div("ev", fmt::format("event {} {} {} v{} ({})", FormatRfc3339(e.time_ns, 3), e.type,
                            e.stream, e.version, e.service));
    }
    out_ += "</div>";
  }

  void Hypotheses(const DebugReport& r) {
    for (const Hypothesis& h : r.hypotheses) {
      out_ += "<div class=\"finding\">";
      Div("hyp", report::HypothesisLine(h));
      for (const std::string& e : h.evidence) Div("ev", e);
      out_ += "</div>";
    }
    for (const std::string& rec : r.recommendations) Div("finding", "→ " + rec);
  }

  void EdgeTable(const ServiceGraph& g) {
    out_ += "<table><tr><th>caller</th><th>callee</th><th>calls</th><th>rate</th>"
            "<th>errors</th><th>p50</th><th>p95</th><th>p99</th></tr>";
    for (const ServiceEdge& e : g.edges) {
      out_ += e.unhealthy ? "<tr class=\"bad\"><td>" : "<tr><td>";
      Esc(e.from);
      out_ += "</td><td>";
      Esc(e.to);
      if (e.messaging) out_ += " (async)";
      out_ += fmt::format("</td><td>{}</td><td>{:.2f}/s</td><td>{:.1f}%</td><td>{}</td><td>{}</td>"
                          "<td>{}</td></tr>",
                          e.calls, e.rate_per_s, e.error_rate * 100, FormatDuration(e.p50_ns),
                          FormatDuration(e.p95_ns), FormatDuration(e.p99_ns));
    }
    out_ += "</table>";
  }

  std::string out_;
};

}  // namespace

std::string RenderDebugHtml(const DebugReport& report) {
  HtmlWriter w;
  w.Report(report);
  return std::move(w.out());
}

}  // namespace ddbg
