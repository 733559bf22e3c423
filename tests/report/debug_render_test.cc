// The renderers of the debug report on a hand-built report whose every telemetry string is
// hostile (markup, quotes, terminal escapes): each string appears escaped for its output and
// never raw; the JSON form keeps the documented schema and round-trips the strings.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <algorithm>
#include <string>

#include "ddbg/debug_render.h"

namespace ddbg {
namespace {

constexpr int64_t kT0 = 1736935200000000000;  // 2025-01-15T10:00:00Z
constexpr int64_t kMs = 1000000;

// A hostile string numbered n: script markup, an attribute break-out and a terminal escape.
std::string H(int n) {
  return "<script>alert(" + std::to_string(n) + ")</script>\"'&\x1b[31m";
}
std::string HtmlMarker(int n) { return "&lt;script&gt;alert(" + std::to_string(n) + ")&lt;/script&gt;"; }

constexpr int kHostileFields = 30;

DebugReport HostileReport() {
  DebugReport r;
  r.description = H(0);
  r.services = {H(1)};
  r.trace_id = "0af7651916cd43dd8448eb211c80319c";
  r.window = {kT0, kT0 + 60000 * kMs};
  r.focus.add(Focus::kTiming);
  r.focus_words.push_back({H(2), Focus::kTiming});
  for (size_t i = 0; i < kSectionCount; ++i) r.sections[i].id = static_cast<SectionId>(i);
  Finding f;
  f.title = H(3);
  f.detail = H(4);
  f.severity = Severity::kCritical;
  f.metrics = {Metric::Count(H(5), 7), Metric::Duration("p99_ns", 250 * kMs),
               Metric::Ratio("error_rate", 0.125)};
  f.trace_ids = {H(6)};
  f.logs.push_back({kT0, H(7), H(8), H(9), H(10), H(11)});
  f.events.push_back({H(12), 3, H(13), kT0 + kMs, H(14), H(15)});
  for (Section& s : r.sections) s.findings.push_back(f);
  Section& topo = r.section(SectionId::kTopology);
  topo.graph.nodes = {{H(16), 10, 2, kMs, 2 * kMs, 3 * kMs, true}, {"b", 5, 0, kMs, kMs, kMs, false}};
  topo.graph.edges = {{H(16), "b", 5, 1, 0.5, 0.2, kMs, 2 * kMs, 3 * kMs, true}};
  Section& corr = r.section(SectionId::kCorrelation);
  corr.timelines.push_back({H(17), kT0, kT0 + 100 * kMs,
                            {{kT0, kT0 + 50 * kMs, H(18), H(19), "span", Severity::kWarning, 0},
                             {kT0 + 60 * kMs, kT0 + 60 * kMs, H(18), H(20), "log", Severity::kInfo, 0}}});
  corr.bars.push_back({H(21), H(22), 100 * kMs,
                       {{H(23), H(24), 0, 100 * kMs, 10 * kMs, 0, true, false},
                        {"b", "op", 10 * kMs, 50 * kMs, 50 * kMs, 1, false, true}}});
  r.section(SectionId::kState).unavailable.push_back({H(25), H(26)});
  r.hypotheses.push_back({1, H(27), H(28), H(29), "pod-1", 0.8, {H(30)}});
  r.recommendations.push_back(H(31));
  return r;
}

size_t Count(const std::string& hay, const std::string& needle) {
  size_t n = 0;
  for (size_t at = hay.find(needle); at != std::string::npos; at = hay.find(needle, at + 1)) ++n;
  return n;
}

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

TEST(DebugRenderHtml, EveryHostileStringIsEscapedAndNothingLeavesThePage) {
  std::string html = RenderDebugHtml(HostileReport());
  std::string lower = Lower(html);
  EXPECT_EQ(Count(lower, "<script"), 0u);
  EXPECT_EQ(Count(lower, "<img"), 0u);
  EXPECT_EQ(Count(lower, "<iframe"), 0u);
  EXPECT_EQ(Count(html, "\x1b"), 0u);
  // The only URL is the SVG namespace; the only url() is the arrow marker in the page.
  EXPECT_EQ(Count(lower, "http:") + Count(lower, "https:"), Count(lower, "http://www.w3.org/2000/svg"));
  EXPECT_EQ(Count(lower, "url("), Count(lower, "url(#arrow)"));
  EXPECT_NE(html.find("Content-Security-Policy"), std::string::npos);
  for (int n : {0, 1, 3, 4, 5, 6, 8, 9, 12, 13, 14, 16, 17, 18, 19, 20, 22, 23, 24, 25, 26,
                27, 28, 29, 30, 31}) {
    EXPECT_NE(html.find(HtmlMarker(n)), std::string::npos) << "field " << n << " not shown escaped";
  }
  EXPECT_NE(html.find("&quot;&#39;&amp;"), std::string::npos);
  EXPECT_EQ(Count(html, "<section"), kSectionCount);
  EXPECT_EQ(Count(html, "<svg"), 3u);  // service map, bars, timeline
}

TEST(DebugRenderMarkdown, HostileStringsAreEscaped) {
  std::string md = RenderDebugMarkdown(HostileReport());
  EXPECT_EQ(Count(Lower(md), "<script"), 0u);
  EXPECT_EQ(Count(md, "\x1b"), 0u);
  for (int n : {0, 1, 3, 4, 8, 9, 13, 16, 22, 23, 24, 25, 27, 28, 30, 31}) {
    EXPECT_NE(md.find(HtmlMarker(n)), std::string::npos) << "field " << n;
  }
  for (int s = 1; s <= 8; ++s) EXPECT_NE(md.find("\n## " + std::to_string(s) + ". "), std::string::npos);
}

TEST(DebugRenderText, NoTelemetryEscapeSequenceReachesTheTerminal) {
  DebugReport r = HostileReport();
  std::string plain = RenderDebugText(r, {.color = false, .width = 100});
  EXPECT_EQ(Count(plain, "\x1b"), 0u);
  EXPECT_NE(plain.find("<script>alert(3)</script>\"'&?[31m"), std::string::npos);
  std::string colored = RenderDebugText(r, {.color = true, .width = 100});
  // The hostile strings end in ESC[31m; on the terminal they end in ?[31m, whatever colours
  // the report adds around them.
  EXPECT_EQ(Count(colored, "</script>\"'&\x1b"), 0u);
  EXPECT_EQ(Count(colored, "</script>\"'&?[31m"), Count(plain, "</script>\"'&?[31m"));
  EXPECT_GT(Count(colored, "\x1b[0m"), 0u);
}

TEST(DebugRenderJson, KeepsTheSchemaAndRoundTripsHostileStrings) {
  std::string json = RenderDebugJson(HostileReport());
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.parse(json).get(doc), simdjson::SUCCESS) << json;
  EXPECT_EQ(std::string_view(doc["schema"]), "ddbg.debug-report/1");
  EXPECT_EQ(std::string_view(doc["description"]), H(0));
  EXPECT_EQ(std::string_view(doc["window"]["start"]), "2025-01-15T10:00:00.000000000Z");
  simdjson::dom::array sections = doc["sections"];
  ASSERT_EQ(sections.size(), kSectionCount);
  const char* keys[] = {"summary", "topology", "correlation", "timing",
                        "errors",  "state",    "logs",        "hypotheses"};
  size_t i = 0;
  for (simdjson::dom::element s : sections) {
    EXPECT_EQ(std::string_view(s["id"]), keys[i++]);
    for (const char* k : {"title", "focused", "findings", "unavailable", "graph", "timelines", "bars"}) {
      EXPECT_FALSE(s[k].error()) << k;
    }
  }
  simdjson::dom::element finding = sections.at(0)["findings"].at(0);
  EXPECT_EQ(std::string_view(finding["title"]), H(3));
  EXPECT_EQ(std::string_view(finding["severity"]), "critical");
  EXPECT_EQ(std::string_view(finding["metrics"].at(0)["key"]), H(5));
  EXPECT_EQ(int64_t(finding["metrics"].at(1)["value"]), 250 * kMs);
  EXPECT_EQ(std::string_view(finding["metrics"].at(1)["unit"]), "duration_ns");
  EXPECT_DOUBLE_EQ(double(finding["metrics"].at(2)["value"]), 0.125);
  EXPECT_EQ(std::string_view(finding["logs"].at(0)["body"]), H(9));
  EXPECT_EQ(std::string_view(finding["events"].at(0)["correlationId"]), H(15));
  simdjson::dom::element graph = sections.at(1)["graph"];
  EXPECT_EQ(std::string_view(graph["edges"].at(0)["from"]), H(16));
  EXPECT_TRUE(bool(graph["edges"].at(0)["unhealthy"]));
  EXPECT_TRUE(sections.at(2)["graph"].is_null());
  EXPECT_EQ(std::string_view(sections.at(2)["bars"].at(0)["segments"].at(0)["operation"]), H(24));
  simdjson::dom::element h = doc["hypotheses"].at(0);
  EXPECT_EQ(int64_t(h["rank"]), 1);
  EXPECT_EQ(std::string_view(h["kind"]), H(27));
  EXPECT_EQ(std::string_view(h["service"]), H(28));
  EXPECT_EQ(std::string_view(h["operation"]), H(29));
  EXPECT_EQ(std::string_view(h["instance"]), "pod-1");
  EXPECT_DOUBLE_EQ(double(h["confidence"]), 0.8);
  EXPECT_EQ(std::string_view(h["evidence"].at(0)), H(30));
  EXPECT_EQ(std::string_view(doc["recommendations"].at(0)), H(31));
}

}  // namespace
}  // namespace ddbg
