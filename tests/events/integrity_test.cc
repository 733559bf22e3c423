#include <gtest/gtest.h>

#include <algorithm>

#include "ddbg/events.h"
#include "events/events_test_util.h"

namespace ddbg {
namespace {

using events_test::Ev;
using events_test::ScratchStore;
using events_test::T;

IntegrityOptions At2024() {
  IntegrityOptions o;
  o.now_ns = T("2024-05-01T13:00:00Z");
  return o;
}

TEST(Integrity, FindsEveryKindOfIssueWithExactCounts) {
  ScratchStore s;
  s.Add({
      {"a", 1, "2024-05-01T12:00:00Z", "X", "{}", "", "e1"},
      {"a", 2, "2024-05-01T12:01:00Z", "X", "{}", "", "e2"},
      {"a", 5, "2024-05-01T12:02:00Z", "X", "{}", "", "e3"},        // gap 3..4
      {"a", 5, "2024-05-01T12:03:00Z", "X", "{}", "", "e4"},        // duplicate version
      {"a", 6, "2024-05-01T11:00:00Z", "X", "{}", "", "e5"},        // backwards in time
      {"b", 2, "2024-05-01T12:00:00Z", "X", "{oops", "", "e1"},     // gap 1, bad payload, dup id
      {"b", 3, "2024-05-01T14:00:00Z", "X", "{}", "", "e6"},        // future (> 5 min)
      {"c", 1, "2010-01-01T00:00:00Z", "X", "{}", "", "e7"},        // older than 10 years
      {"c", 2, "2024-05-01T13:04:00Z", "X", "[1,2]", "", "e8"},     // 4 min ahead: fine
      {"d", 1, "2024-05-01T12:00:00Z", "X", "", "", ""},            // clean
  });
  auto r = CheckIntegrity(s.store(), At2024());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->events, 10u);
  EXPECT_EQ(r->streams, 4u);
  EXPECT_EQ(r->count(IntegrityIssueKind::kVersionGap), 2u);
  EXPECT_EQ(r->count(IntegrityIssueKind::kDuplicateVersion), 1u);
  EXPECT_EQ(r->count(IntegrityIssueKind::kDuplicateEventId), 1u);
  EXPECT_EQ(r->count(IntegrityIssueKind::kInvalidPayload), 1u);
  EXPECT_EQ(r->count(IntegrityIssueKind::kFutureTimestamp), 1u);
  EXPECT_EQ(r->count(IntegrityIssueKind::kAncientTimestamp), 1u);
  EXPECT_EQ(r->count(IntegrityIssueKind::kTimeBackwards), 1u);
  EXPECT_EQ(r->total(), 8u);
  EXPECT_EQ(r->affected_streams, (std::vector<std::string>{"a", "b", "c"}));
  bool gap_text = false;
  for (const auto& e : r->examples) {
    gap_text |= e.stream == "a" && e.version == 5 && e.detail == "versions 3..4 missing";
  }
  EXPECT_TRUE(gap_text);
}

TEST(Integrity, StreamFilterChecksOnlyThoseStreams) {
  ScratchStore s;
  s.Add({{"a", 2, "2024-05-01T12:00:00Z", "X", "{}"}, {"b", 3, "2024-05-01T12:00:00Z", "X", "{}"}});
  IntegrityOptions o = At2024();
  o.streams = {"b"};
  auto r = CheckIntegrity(s.store(), o);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->events, 1u);
  EXPECT_EQ(r->affected_streams, (std::vector<std::string>{"b"}));
}

TEST(Integrity, FindsExactlyTheSimulatedVersionGaps) {
  events_test::SimulatedStore sim(events_test::EventFaultOptions());
  const SimFault* gap = sim.fault(FaultKind::kVersionGap);
  ASSERT_NE(gap, nullptr);
  ASSERT_EQ(gap->streams.size(), 2u);
  IntegrityOptions o;
  o.now_ns = sim.summary().end_ns;
  auto r = CheckIntegrity(sim.store(), o);
  ASSERT_TRUE(r.ok());
  std::vector<std::string> expected = gap->streams;
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(r->affected_streams, expected);
  EXPECT_EQ(r->count(IntegrityIssueKind::kVersionGap), 2u);
  EXPECT_EQ(r->total(), 2u);
  EXPECT_EQ(r->events, sim.summary().events);
}

}  // namespace
}  // namespace ddbg
