// The trace view: exact terminal output (goldens) for a small hand-built trace, colours only
// when asked, hostile span text neutralised, and the JSON form.
#include "ddbg/waterfall.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <string>

namespace ddbg {
namespace {

constexpr int64_t kT0 = 1736935200000000000;  // 2025-01-15T10:00:00Z
constexpr int64_t kMs = 1000000;

struct SpanSpec {
  SpanId id;
  SpanId parent;
  const char* service;
  const char* name;
  int64_t start_ms;
  int64_t end_ms;
  SpanStatus status = SpanStatus::kUnset;
  const char* message = "";
};

void Add(SpanBatch& b, const SpanSpec& s) {
  SpanRow row;
  row.trace_id = TraceId{0x0af7651916cd43ddull, 0x8448eb211c80319cull};
  row.span_id = s.id;
  row.parent_span_id = s.parent;
  row.resource = b.CommitResource(b.dict.Intern(s.service));
  row.name = b.dict.Intern(s.name);
  row.kind = s.parent == 0 ? SpanKind::kServer : SpanKind::kInternal;
  row.start_ns = kT0 + s.start_ms * kMs;
  row.end_ns = kT0 + s.end_ms * kMs;
  row.status = s.status;
  row.status_message = b.dict.Intern(s.message);
  b.CommitSpan(row);
}

// checkout calls payment (which fails with an exception event) and the database; one
// notification span lost its parent.
SpanBatch SmallTrace() {
  SpanBatch b;
  Add(b, {1, 0, "frontend", "GET /checkout", 0, 100});
  Add(b, {2, 1, "checkout", "POST /api/checkout", 5, 95});
  StringDict& d = b.dict;
  b.attrs.AddInt(d.Intern("http.status_code"), 402);
  b.event_attrs.AddString(d.Intern("exception.stacktrace"),
                          d.Intern("CardDeclined: card declined\n    at charge (pay.js:12)"));
  b.event_attrs.AddString(d.Intern("exception.type"), d.Intern("CardDeclined"));
  b.event_attrs.AddString(d.Intern("exception.message"), d.Intern("card declined"));
  b.CommitEvent(kT0 + 50 * kMs, d.Intern("exception"));
  Add(b, {3, 2, "payment", "charge", 10, 60, SpanStatus::kError, "card declined"});
  Add(b, {4, 2, "checkout", "INSERT orders", 70, 80});
  Add(b, {5, 0xdead, "notification", "send email", 96, 99});
  return b;
}

TEST(Waterfall, RendersTreeWithUnicodeBarsWhenNoColor) {
  SpanBatch b = SmallTrace();
  TraceTree tree = BuildTraceTree(b);
  WaterfallOptions o;
  o.width = 88;
  const std::string expected =
      "trace 0af7651916cd43dd8448eb211c80319c · 2025-01-15T10:00:00.000000Z · 100.0ms\n"
      "5 spans · 4 services: checkout, frontend, notification, payment\n"
      "orphans: 1 span whose parent is not in the trace (missing 000000000000dead)\n"
      "\n"
      "SPAN                                  START  DURATION      SELF  0               100.0ms\n"
      "frontend GET /checkout                    0   100.0ms   10.00ms  ███████████████████████\n"
      "└─ checkout POST /api/checkout       5.00ms   90.00ms   30.00ms   █████████████████████\n"
      "   ├─ ✗ payment charge              10.00ms   50.00ms   50.00ms    ████████████\n"
      "   │    error: card declined\n"
      "   │    • exception @50.00ms exception.type=CardDeclined exception.message=\"card declin…\n"
      "   └─ checkout INSERT orders        70.00ms   10.00ms   10.00ms                  ███\n"
      "(missing parent 000000000000dead)   96.00ms\n"
      "└─ notification send email          96.00ms    3.00ms    3.00ms                        █\n";
  EXPECT_EQ(RenderWaterfallText(tree, o), expected);
}

TEST(Waterfall, RendersAsciiOnlyWhenAsked) {
  SpanBatch b = SmallTrace();
  TraceTree tree = BuildTraceTree(b);
  WaterfallOptions o;
  o.width = 80;
  o.ascii = true;
  const std::string expected =
      "trace 0af7651916cd43dd8448eb211c80319c | 2025-01-15T10:00:00.000000Z | 100.0ms\n"
      "5 spans | 4 services: checkout, frontend, notification, payment\n"
      "orphans: 1 span whose parent is not in the trace (missing 000000000000dead)\n"
      "\n"
      "SPAN                             START  DURATION      SELF  0            100.0ms\n"
      "frontend GET /checkout               0   100.0ms   10.00ms  --------------------\n"
      "`- checkout POST /api/check~    5.00ms   90.00ms   30.00ms   ------------------\n"
      "   |- ERROR payment charge     10.00ms   50.00ms   50.00ms    ----------\n"
      "   |    error: card declined\n"
      "   |    * exception @50.00ms exception.type=CardDeclined exception.message=\"car~\n"
      "   `- checkout INSERT orders   70.00ms   10.00ms   10.00ms                --\n"
      "(missing parent 00000000000~   96.00ms\n"
      "`- notification send email     96.00ms    3.00ms    3.00ms                     -\n";
  std::string text = RenderWaterfallText(tree, o);
  EXPECT_EQ(text, expected);
  for (unsigned char c : text) ASSERT_LT(c, 0x80) << text;
}

TEST(Waterfall, ColoursOnlyWhenAsked) {
  SpanBatch b = SmallTrace();
  TraceTree tree = BuildTraceTree(b);
  WaterfallOptions o;
  EXPECT_EQ(RenderWaterfallText(tree, o).find('\x1b'), std::string::npos);
  o.color = true;
  std::string text = RenderWaterfallText(tree, o);
  EXPECT_NE(text.find("\x1b[31m\xe2\x9c\x97 \x1b[0m"), std::string::npos) << text;
}

TEST(Waterfall, NeutralisesControlCharactersInSpanText) {
  SpanBatch b;
  Add(b, {1, 0, "evil\x1b[2J", "op\nsecond line\x07", 0, 10, SpanStatus::kError,
          "boom\x1b]0;title\x07"});
  TraceTree tree = BuildTraceTree(b);
  std::string text = RenderWaterfallText(tree, {});
  EXPECT_EQ(text.find('\x1b'), std::string::npos) << text;
  EXPECT_EQ(text.find('\x07'), std::string::npos) << text;
  EXPECT_NE(text.find("evil?[2J op second line?"), std::string::npos) << text;
  EXPECT_NE(text.find("error: boom?]0;title?"), std::string::npos) << text;
}

TEST(Waterfall, NotesClockSkewOnTheShiftedSpan) {
  SpanBatch b;
  Add(b, {1, 0, "checkout", "reserve", 0, 20});
  Add(b, {2, 1, "inventory", "Reserve", 260, 270});
  TraceTree tree = BuildTraceTree(b);
  std::string text = RenderWaterfallText(tree, {});
  EXPECT_NE(text.find("clock skew: inventory shifted by -255.0ms (starts 240.0ms after its "
                      "parent ends)\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("    clock skew: shifted by -255.0ms"), std::string::npos) << text;
}

TEST(Waterfall, JsonListsSpansInTreeOrderWithSelfTimes) {
  SpanBatch b = SmallTrace();
  TraceTree tree = BuildTraceTree(b);
  std::string json = RenderWaterfallJson(tree);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.parse(json).get(doc), simdjson::SUCCESS) << json;
  EXPECT_EQ(std::string_view(doc["traceID"]), "0af7651916cd43dd8448eb211c80319c");
  EXPECT_EQ(int64_t(doc["spanCount"]), 5);
  EXPECT_EQ(int64_t(doc["durationNs"]), 100 * kMs);
  EXPECT_EQ(simdjson::dom::array(doc["services"]).size(), 4u);
  EXPECT_EQ(simdjson::dom::array(doc["skewAdjustments"]).size(), 0u);
  simdjson::dom::array issues = doc["issues"];
  ASSERT_EQ(issues.size(), 1u);
  EXPECT_EQ(std::string_view(issues.at(0)["kind"]), "orphan");
  EXPECT_EQ(std::string_view(issues.at(0)["parentSpanID"]), "000000000000dead");
  const char* ids[] = {"0000000000000001", "0000000000000002", "0000000000000003",
                       "0000000000000004", "0000000000000005"};
  const int64_t self_ms[] = {10, 30, 50, 10, 3};
  const int64_t depth[] = {0, 1, 2, 2, 1};
  simdjson::dom::array spans = doc["spans"];
  ASSERT_EQ(spans.size(), 5u);
  for (size_t i = 0; i < 5; ++i) {
    simdjson::dom::element s = spans.at(i);
    EXPECT_EQ(std::string_view(s["spanID"]), ids[i]);
    EXPECT_EQ(int64_t(s["selfNs"]), self_ms[i] * kMs) << i;
    EXPECT_EQ(int64_t(s["depth"]), depth[i]) << i;
    EXPECT_EQ(int64_t(s["adjustedNs"]), 0);
    EXPECT_EQ(bool(s["orphan"]), i == 4);
  }
  simdjson::dom::element pay = spans.at(2);
  EXPECT_EQ(std::string_view(pay["parentSpanID"]), "0000000000000002");
  EXPECT_EQ(std::string_view(pay["status"]), "error");
  EXPECT_EQ(std::string_view(pay["statusMessage"]), "card declined");
  EXPECT_EQ(std::string_view(pay["kind"]), "internal");
  EXPECT_EQ(int64_t(pay["startUnixNano"]), kT0 + 10 * kMs);
  EXPECT_EQ(int64_t(pay["durationNs"]), 50 * kMs);
  EXPECT_EQ(int64_t(pay["attributes"]["http.status_code"]), 402);
  simdjson::dom::element ev = pay["events"].at(0);
  EXPECT_EQ(std::string_view(ev["name"]), "exception");
  EXPECT_EQ(int64_t(ev["offsetNs"]), 50 * kMs);
  EXPECT_EQ(std::string_view(ev["attributes"]["exception.stacktrace"]),
            "CardDeclined: card declined\n    at charge (pay.js:12)");
  EXPECT_EQ(std::string_view(spans.at(4)["parentSpanID"]), "000000000000dead");
  EXPECT_EQ(std::string_view(spans.at(0)["parentSpanID"]), "");
}

}  // namespace
}  // namespace ddbg
