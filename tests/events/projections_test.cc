#include <gtest/gtest.h>

#include "ddbg/events.h"
#include "events/events_test_util.h"

namespace ddbg {
namespace {

using events_test::ScratchStore;
using events_test::T;

TEST(Projections, LagStatusAgainstTheHead) {
  ScratchStore s;
  s.Add({{"a", 1, "2024-05-01T12:00:00Z", "X", "{}"},
         {"a", 2, "2024-05-01T12:20:00Z", "X", "{}"},
         {"b", 1, "2024-05-01T12:58:00Z", "X", "{}"},
         {"b", 2, "2024-05-01T13:00:00Z", "X", "{}"}});
  auto cps = ParseCheckpoints(
      "{\"projection\":\"orders-view\",\"last_processed_at\":\"2024-05-01T13:00:00Z\"}\n"
      "{\"name\":\"search\",\"time\":\"2024-05-01T12:50:00Z\",\"last_event_id\":\"e9\"}\n"
      "\n{\"projection_name\":\"reports\",\"last_processed_at\":\"2024-05-01T12:10:00Z\"}\n"
      "{\"projection\":\"new\",\"last_processed_at\":null}\n",
      "cp.jsonl");
  ASSERT_TRUE(cps.ok()) << cps.status().message();
  ASSERT_EQ(cps->size(), 4u);
  auto r = ComputeProjectionLag(s.store(), *cps);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->head_ns, T("2024-05-01T13:00:00Z"));
  ASSERT_EQ(r->projections.size(), 4u);
  EXPECT_EQ(r->projections[0].health, ProjectionHealth::kHealthy);
  EXPECT_EQ(r->projections[0].events_behind, 0u);
  EXPECT_EQ(r->projections[1].health, ProjectionHealth::kWarning);
  EXPECT_EQ(r->projections[1].events_behind, 2u);
  EXPECT_EQ(r->projections[2].health, ProjectionHealth::kCritical);
  EXPECT_EQ(r->projections[2].lag_ns, T("2024-05-01T13:00:00Z") - T("2024-05-01T12:10:00Z"));
  EXPECT_EQ(r->projections[3].health, ProjectionHealth::kCritical);
  EXPECT_EQ(r->projections[3].events_behind, 4u);
}

TEST(Projections, CsvAndArrayFormsAndErrorsWithPlace) {
  auto csv = ParseCheckpoints("projection,last_processed_at,position\nv1,2024-05-01T12:00:00Z,42\n",
                              "cp.csv");
  ASSERT_TRUE(csv.ok()) << csv.status().message();
  EXPECT_EQ((*csv)[0].position, 42u);
  auto arr = ParseCheckpoints(R"([{"projection":"p","time":"2024-05-01T12:00:00Z"}])", "cp.json");
  ASSERT_TRUE(arr.ok());
  EXPECT_EQ((*arr)[0].projection, "p");
  auto bad = ParseCheckpoints("projection,time\np,yesterday\n", "cp.csv");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("cp.csv:2"), std::string::npos) << bad.status().message();
  EXPECT_FALSE(ParseCheckpoints("{\"time\":\"2024-05-01T12:00:00Z\"}", "x").ok());
}

}  // namespace
}  // namespace ddbg
