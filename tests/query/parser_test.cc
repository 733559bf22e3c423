// Parser tests: every TraceQL, LogQL and tag-search construct parses; malformed queries get
// their position and what was expected.
#include <gtest/gtest.h>

#include "ddbg/logql.h"
#include "ddbg/traceql.h"
#include "query/logql/parser.h"
#include "query/traceql/parser.h"

namespace ddbg {
namespace {

TEST(TraceQLParse, AcceptsEveryConstruct) {
  const char* ok[] = {
      "{}",
      "{ }",
      "{ resource.service.name = \"checkout\" && span.http.status_code >= 500 }",
      "{ .http.method = \"GET\" || .http.method != \"POST\" }",
      "{ name =~ \"GET.*\" && name !~ \"x\" }",
      "{ status = error }",
      "{ kind = server && duration > 250ms }",
      "{ rootServiceName = \"frontend\" && rootName = \"GET /\" && traceDuration < 1.5s }",
      "{ span.n > 1 && span.f <= 2.5 && span.b = true && span.x = nil && span.y != nil }",
      "{ (span.a = 1 || span.b = 2) && !(span.c = 3) }",
      "{ kind = server } >> { status = error }",
      "{ kind = server } > { kind = client }",
      "{ name = \"a\" } ~ { name = \"b\" }",
      "({ name = \"a\" } && { name = \"b\" }) || { name = \"c\" }",
      "{ } | count() > 2",
      "{ } | avg(duration) > 1s",
      "{ } | min(duration) >= 1ms | max(duration) < 2s | sum(span.bytes) > 10",
      "{ } | by(resource.service.name) | count() > 1",
      "{ } | select(span.http.url, resource.host.name)",
      "{ } | { status = error }",
      "{ event.exception.type = \"x\" && link.peer = \"y\" && instrumentation.lib = \"z\" }",
      "{ span:name = \"x\" && trace:rootService = \"y\" && instrumentation:name = \"s\" }",
  };
  for (const char* q : ok) EXPECT_TRUE(CheckTraceQL(q).ok()) << q << ": " << CheckTraceQL(q).message();
}

TEST(TraceQLParse, StructureOfAQuery) {
  auto q = traceql::ParseTraceQL("{ kind = server } >> { status = error } | count() > 2");
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->root->kind, traceql::SpansetExpr::Kind::kDescendant);
  ASSERT_EQ(q->stages.size(), 1u);
  EXPECT_EQ(q->stages[0].kind, traceql::Stage::Kind::kCount);
  EXPECT_EQ(q->stages[0].value.i, 2);
  auto d = traceql::ParseTraceQL("{ duration > 1h30m }");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->root->filter.value.i, 5400LL * 1000000000LL);
}

TEST(TraceQLParse, ErrorsNamePositionAndExpectation) {
  struct Case {
    const char* q;
    const char* msg;
  } cases[] = {
      {"{ .a = \"x\" AND .b = \"y\" }", "1:12: expected '}' after spanset filter, found 'AND'"},
      {"{ span.a = }", "1:12: expected a value (string, number, duration, true, false, nil), found '}'"},
      {"{ status = bad }", "1:12: expected a status (error, ok, unset), found 'bad'"},
      {"{ kind = fast }", "1:10: expected a kind (server, client, producer, consumer, internal, unspecified), found 'fast'"},
      {"{ duration > 5 }", "1:14: expected a duration such as 250ms or 1.5s, found '5'"},
      {"{ foo = 1 }", "1:3: expected an attribute (span.x, resource.x, .x) or intrinsic, found 'foo'"},
      {"{ span.a = \"x\"", "1:15: expected '}' after spanset filter, found end of query"},
      {"{ name =~ \"(\" }", "1:11: invalid regular expression: missing ): ("},
      {"{ span.a \"x\" }", "1:10: expected a comparison operator (=, !=, >, >=, <, <=, =~, !~), found \"x\""},
      {"{ } | frobnicate()", "1:7: expected a pipeline stage (count(), avg(), min(), max(), sum(), by(), select() or { … }), found 'frobnicate'"},
      {"{ } | count() > \"x\"", "1:17: expected a number or duration after count() >, found \"x\""},
      {"{ name = \"x }", "1:10: unterminated string"},
      {"{ } { }", "1:5: expected '|', '&&', '||', '>>', '>', '~' or end of query, found '{'"},
      {"{ status > error }", "1:12: operator > does not apply to error"},
      {"{ span.a = 12ab }", "1:12: invalid number or duration '12ab'"},
      {"name = \"x\"", "1:1: expected '{' to start a spanset filter, found 'name'"},
  };
  for (const Case& c : cases) {
    Status st = CheckTraceQL(c.q);
    EXPECT_FALSE(st.ok()) << c.q;
    EXPECT_EQ(st.message(), c.msg) << c.q;
  }
}

TEST(TagSearch, TranslatesToTraceQL) {
  auto q = TagSearchToTraceQL("business.user_id=\"user-123\"");
  ASSERT_TRUE(q.ok()) << q.status().message();
  EXPECT_EQ(*q, "{ (span.business.user_id = \"user-123\" || resource.business.user_id = \"user-123\" || "
                "event.business.user_id = \"user-123\" || link.business.user_id = \"user-123\" || "
                "instrumentation.business.user_id = \"user-123\") }");
  auto q2 = TagSearchToTraceQL("service.operation=\"x\" AND operation.duration_ms>30000");
  ASSERT_TRUE(q2.ok());
  EXPECT_EQ(*q2, "{ name = \"x\" && duration > 30000ms }");
  auto q3 = TagSearchToTraceQL("service=checkout minDuration=1s maxDuration=2s error=true");
  ASSERT_TRUE(q3.ok());
  EXPECT_EQ(*q3, "{ resource.service.name = \"checkout\" && duration >= 1s && duration <= 2s && status = error }");
  EXPECT_TRUE(TagSearchToTraceQL("crypto.risk_level=\"high\" AND business.domain=\"crypto-trading\"").ok());
  EXPECT_TRUE(TagSearchToTraceQL("function.shard=\"shard-aave\"").ok());
  EXPECT_EQ(TagSearchToTraceQL("a=1 AND").status().message(), "1:8: expected a tag name, found end of query");
  EXPECT_EQ(TagSearchToTraceQL("a 1").status().message(),
            "1:3: expected '=', '!=', '>', '>=', '<', '<=' or '=~' after the tag name, found '1'");
}

TEST(LogQLParse, AcceptsEveryConstruct) {
  const char* ok[] = {
      "{service=\"checkout\"}",
      "{service=\"checkout\", level!=\"debug\", k8s_pod_name=~\"ck-.*\", host_name!~\"a|b\"}",
      "{service=\"checkout\"} |= \"timeout\" != \"retry\" |~ \"t.*t\" !~ \"^x\"",
      "{service=\"a\"} | json | latency_ms > 500 and status = \"500\" or route =~ \"/api.*\"",
      "{service=\"a\"} | logfmt | duration >= 1.5s, user != \"x\"",
      "{service=\"a\"} | pattern \"<ip> - <_> <status>\" | status >= 500",
      "{service=\"a\"} | json | line_format \"{{.status}} {{ .path }}\"",
      "count_over_time({service=\"a\"}[5m])",
      "rate({service=\"a\"} |= \"x\"[1m])",
      "bytes_over_time({service=\"a\"}[1h])",
      "sum by (service) (count_over_time({level=\"error\"}[5m]))",
      "sum(rate({level=\"error\"}[5m])) by (service)",
      "avg without (level) (count_over_time({service=~\".+\"}[5m]))",
      "max(sum by (service, level) (count_over_time({service=\"a\"}[5m])))",
      "{service=\"a\"} | logfmt | drop = \"x\" or keep > 2",  // label names that are also stage words
  };
  for (const char* q : ok) EXPECT_TRUE(CheckLogQL(q).ok()) << q << ": " << CheckLogQL(q).message();
  auto q = logql::ParseLogQL("sum by (service) (count_over_time({level=\"error\"} |= \"x\"[5m]))");
  ASSERT_TRUE(q.ok());
  EXPECT_TRUE(q->is_metric);
  EXPECT_EQ(q->metric->grouping, std::vector<std::string>{"service"});
  EXPECT_EQ(q->metric->inner->range_ns, 300LL * 1000000000LL);
  EXPECT_EQ(q->Source().stages.size(), 1u);
}

TEST(LogQLParse, ErrorsNamePositionAndExpectation) {
  struct Case {
    const char* q;
    const char* msg;
  } cases[] = {
      {"{service=checkout}", "1:10: expected a quoted label value, found 'checkout'"},
      {"{service=\"a\" level=\"b\"}", "1:14: expected '}' or ',' in the stream selector, found 'level'"},
      {"{service=\"a\"} |= ", "1:18: expected a quoted string after the line filter, found end of query"},
      {"{service=\"a\"} | yaml", "1:21: expected a comparison (=, !=, =~, !~, >, >=, <, <=) after the label, found end of query"},
      {"{service=\"a\"} | 5", "1:17: expected json, logfmt, pattern, line_format or a label filter after '|', found '5'"},
      {"count_over_time({service=\"a\"})", "1:30: expected '[' and a range such as [5m], found ')'"},
      {"sum by service (count_over_time({a=\"b\"}[1m]))", "1:8: expected '(' and label names, found 'service'"},
      {"{a=~\"(\"}", "1:5: invalid regular expression: missing ): ("},
      {"{a=\"b\"} | pattern \"nothing\"", "1:19: pattern: needs at least one capture <name>"},
      {"{a=\"b\"} | x > \"y\"", "1:15: expected a number or duration after x, found \"y\""},
      {"topk(3, count_over_time({a=\"b\"}[1m]))", "1:1: topk is not supported yet (docs/query.md lists the supported subset)"},
      {"sum(quantile_over_time(0.9, {a=\"b\"}[1m]))", "1:5: quantile_over_time is not supported yet (docs/query.md lists the supported subset)"},
      {"{a=\"b\"} | regexp \"(?P<x>.*)\"", "1:11: '| regexp' is not supported yet (docs/query.md lists the supported subset)"},
      {"{a=\"b\"} | json | unwrap latency", "1:18: '| unwrap' is not supported yet (docs/query.md lists the supported subset)"},
      {"{a=\"b\"} extra", "1:9: expected a pipeline stage ('|=', '!=', '|~', '!~', '| json', …) or end of query, found 'extra'"},
  };
  for (const Case& c : cases) {
    Status st = CheckLogQL(c.q);
    EXPECT_FALSE(st.ok()) << c.q;
    EXPECT_EQ(st.message(), c.msg) << c.q;
  }
}

}  // namespace
}  // namespace ddbg
