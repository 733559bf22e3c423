// LogRowMatcher: a LogQL log query tested record by record (what `logs tail` runs).
#include <gtest/gtest.h>

#include "ddbg/logql.h"
#include "query/log_rows_util.h"

namespace ddbg {
namespace {

const LogBatch& Batch() {
  static const LogBatch b = test::MakeLogBatch({
      {"api", "ERROR", R"({"status":503,"path":"/pay","msg":"upstream timeout"})"},
      {"api", "INFO", R"({"status":200,"path":"/pay","msg":"ok"})"},
      {"web", "WARN", "user=bob took=1.5s msg=\"slow page\""},
      {"web", "ERROR", "user=alice took=20ms msg=\"connection refused\""},
      {"db", "INFO", "checkpoint complete: wrote 12 buffers"},
  });
  return b;
}

// The rows of Batch() the query matches.
std::vector<size_t> Rows(std::string_view logql) {
  Result<LogRowMatcher> m = LogRowMatcher::Compile(logql);
  EXPECT_TRUE(m.ok()) << logql << ": " << m.status().ToString();
  std::vector<size_t> rows;
  if (!m.ok()) return rows;
  for (size_t i = 0; i < Batch().size(); ++i) {
    if (m->Matches(Batch(), i)) rows.push_back(i);
  }
  return rows;
}

using V = std::vector<size_t>;

TEST(LogRowMatcher, StreamSelectors) {
  EXPECT_EQ(Rows(R"({service="api"})"), (V{0, 1}));
  EXPECT_EQ(Rows(R"({service=~"api|web", level="error"})"), (V{0, 3}));
  EXPECT_EQ(Rows(R"({service!="web"})"), (V{0, 1, 4}));
  EXPECT_EQ(Rows(R"({level!~"info|warn"})"), (V{0, 3}));
}

TEST(LogRowMatcher, LineFilters) {
  EXPECT_EQ(Rows(R"({service=~".+"} |= "refused")"), (V{3}));
  EXPECT_EQ(Rows(R"({service=~".+"} != "msg" |~ "wrote [0-9]+")"), (V{4}));
  EXPECT_EQ(Rows(R"({service="api"} !~ "timeout")"), (V{1}));
}

TEST(LogRowMatcher, ParsersAndLabelFilters) {
  EXPECT_EQ(Rows(R"({service="api"} | json | status >= 500)"), (V{0}));
  EXPECT_EQ(Rows(R"({service="api"} | json | path="/pay" and msg=~"u.*")"), (V{0}));
  EXPECT_EQ(Rows(R"({service="web"} | logfmt | took > 1s)"), (V{2}));
  EXPECT_EQ(Rows(R"({service="web"} | logfmt | user="alice" or took < 100ms)"), (V{3}));
  EXPECT_EQ(Rows(R"({service="db"} | pattern "checkpoint <_>: wrote <n> buffers" | n > 10)"),
            (V{4}));
}

TEST(LogRowMatcher, FillsTheFormattedLineAndLabels) {
  auto m = LogRowMatcher::Compile(R"({service="web"} | logfmt | line_format "{{.user}}: {{.msg}}")");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  LogLine line;
  ASSERT_TRUE(m->Matches(Batch(), 3, &line));
  EXPECT_EQ(line.line, "alice: connection refused");
  bool has_user = false;
  for (const auto& [k, v] : line.labels) has_user = has_user || (k == "user" && v == "alice");
  EXPECT_TRUE(has_user);
}

TEST(LogRowMatcher, RefusesMetricAndMalformedQueries) {
  auto metric = LogRowMatcher::Compile(R"(count_over_time({service="api"}[5m]))");
  EXPECT_FALSE(metric.ok());
  EXPECT_NE(metric.status().message().find("metric query"), std::string::npos);
  auto bad = LogRowMatcher::Compile(R"({service="api"} |= )");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("1:"), std::string::npos) << bad.status().message();
}

}  // namespace
}  // namespace ddbg
