#include "util/time_parse.h"

#include <gtest/gtest.h>

namespace ddbg {
namespace {

// Expected values computed with Python's calendar.timegm.
constexpr int64_t k20240501Noon = 1714564800000000000;  // 2024-05-01T12:00:00Z

TEST(TimeParse, DaysFromCivilMatchesKnownDates) {
  EXPECT_EQ(DaysFromCivil(1970, 1, 1), 0);
  EXPECT_EQ(DaysFromCivil(2000, 3, 1), 11017);
  EXPECT_EQ(DaysFromCivil(1900, 1, 1), -25567);
  EXPECT_TRUE(ValidDate(2024, 2, 29));
  EXPECT_FALSE(ValidDate(2023, 2, 29));
  EXPECT_FALSE(ValidDate(1900, 2, 29));
  EXPECT_TRUE(ValidDate(2000, 2, 29));
  EXPECT_FALSE(ValidDate(2024, 4, 31));
  EXPECT_FALSE(ValidDate(2024, 13, 1));
}

TEST(TimeParse, MonthFromAbbrevIgnoresCase) {
  EXPECT_EQ(MonthFromAbbrev("Jan"), 1);
  EXPECT_EQ(MonthFromAbbrev("dec"), 12);
  EXPECT_EQ(MonthFromAbbrev("JUN"), 6);
  EXPECT_EQ(MonthFromAbbrev("June"), 0);
  EXPECT_EQ(MonthFromAbbrev("Xyz"), 0);
}

TEST(TimeParse, ParsesRfc3339WithFractionAndOffset) {
  int64_t ns = 0;
  ASSERT_TRUE(ParseRfc3339("2024-05-01T12:00:00.123456789+02:00", &ns));
  EXPECT_EQ(ns, 1714557600123456789);
  ASSERT_TRUE(ParseRfc3339("2024-05-01T12:00:00Z", &ns));
  EXPECT_EQ(ns, k20240501Noon);
  ASSERT_TRUE(ParseRfc3339("2024-05-01t12:00:00z", &ns));
  EXPECT_EQ(ns, k20240501Noon);
  ASSERT_TRUE(ParseRfc3339("2024-05-01T12:00:00-0530", &ns));
  EXPECT_EQ(ns, 1714584600000000000);
  ASSERT_TRUE(ParseRfc3339("2024-05-01T17:00:00+05", &ns));
  EXPECT_EQ(ns, k20240501Noon);
}

TEST(TimeParse, AcceptsIsoVariantsWithoutZoneAsUtc) {
  int64_t ns = 0;
  ASSERT_TRUE(ParseRfc3339("2024-05-01 12:00:00,123", &ns));
  EXPECT_EQ(ns, 1714564800123000000);
  ASSERT_TRUE(ParseRfc3339("2024/05/01 12:00:00.123", &ns));
  EXPECT_EQ(ns, 1714564800123000000);
  ASSERT_TRUE(ParseRfc3339("2024-05-01T12:00Z", &ns));
  EXPECT_EQ(ns, k20240501Noon);
  // Digits past nanoseconds are dropped, not rounded.
  ASSERT_TRUE(ParseRfc3339("2024-05-01T12:00:00.1234567899Z", &ns));
  EXPECT_EQ(ns, 1714564800123456789);
  ASSERT_TRUE(ParseRfc3339("2024-02-29T23:59:59Z", &ns));
  EXPECT_EQ(ns, 1709251199000000000);
  ASSERT_TRUE(ParseRfc3339("1969-12-31T23:59:59Z", &ns));
  EXPECT_EQ(ns, -1000000000);
}

TEST(TimeParse, RejectsMalformedDates) {
  int64_t ns = 0;
  EXPECT_FALSE(ParseRfc3339("2024-13-01T00:00:00Z", &ns));
  EXPECT_FALSE(ParseRfc3339("2023-02-29T00:00:00Z", &ns));
  EXPECT_FALSE(ParseRfc3339("2024-05-01", &ns));
  EXPECT_FALSE(ParseRfc3339("2024-05-01T25:00:00Z", &ns));
  EXPECT_FALSE(ParseRfc3339("2024-05-01T12:00:00Z junk", &ns));
  EXPECT_FALSE(ParseRfc3339("2024-05-01T12:00:00+25:00", &ns));
  EXPECT_FALSE(ParseRfc3339("", &ns));
  EXPECT_FALSE(ParseRfc3339("yesterday", &ns));
}

TEST(TimeParse, IsoPrefixReportsCharactersUsed) {
  int64_t ns = 0;
  size_t used = 0;
  ASSERT_TRUE(ParseIsoPrefix("2015-07-29 17:41:44,747 - INFO  [main]", &ns, &used));
  EXPECT_EQ(used, 23u);
  EXPECT_EQ(ns, 1438191704747000000);
  ASSERT_TRUE(ParseIsoPrefix("2024-05-01T12:00:00Z INFO", &ns, &used));
  EXPECT_EQ(used, 20u);
}

TEST(TimeParse, EpochUnitIsDecidedByMagnitude) {
  int64_t ns = 0;
  ASSERT_TRUE(EpochIntToNanos(1714564800, &ns));
  EXPECT_EQ(ns, k20240501Noon);
  ASSERT_TRUE(EpochIntToNanos(1714564800123, &ns));
  EXPECT_EQ(ns, 1714564800123000000);
  ASSERT_TRUE(EpochIntToNanos(1714564800123456, &ns));
  EXPECT_EQ(ns, 1714564800123456000);
  ASSERT_TRUE(EpochIntToNanos(1714564800123456789, &ns));
  EXPECT_EQ(ns, 1714564800123456789);
  ASSERT_TRUE(EpochIntToNanos(0, &ns));
  EXPECT_EQ(ns, 0);
  // 99,999,999,999 is below 1e11, so seconds: past 2262, beyond int64 nanoseconds.
  EXPECT_FALSE(EpochIntToNanos(99999999999, &ns));
}

TEST(TimeParse, EpochDoublesKeepOnlyMeaningfulDigits) {
  int64_t ns = 0;
  ASSERT_TRUE(EpochDoubleToNanos(1714564800.123456, &ns));
  EXPECT_EQ(ns, 1714564800123456000);
  ASSERT_TRUE(EpochDoubleToNanos(1714564800123.456, &ns));
  EXPECT_EQ(ns, 1714564800123456000);
  // Zipkin's fractional microseconds.
  ASSERT_TRUE(EpochDoubleToNanos(1736935200180601.5, &ns));
  EXPECT_EQ(ns, 1736935200180601500);
  ASSERT_TRUE(EpochDoubleToNanos(-1.5, &ns));
  EXPECT_EQ(ns, -1500000000);
}

TEST(TimeParse, EpochTextIsReadExactly) {
  int64_t ns = 0;
  ASSERT_TRUE(ParseEpochText("1714564800", &ns));
  EXPECT_EQ(ns, k20240501Noon);
  ASSERT_TRUE(ParseEpochText("1714564800.123456789", &ns));
  EXPECT_EQ(ns, 1714564800123456789);
  ASSERT_TRUE(ParseEpochText("1714564800.5", &ns));
  EXPECT_EQ(ns, 1714564800500000000);
  ASSERT_TRUE(ParseEpochText("1714564800123", &ns));
  EXPECT_EQ(ns, 1714564800123000000);
  ASSERT_TRUE(ParseEpochText("1714564800123.25", &ns));
  EXPECT_EQ(ns, 1714564800123250000);
  ASSERT_TRUE(ParseEpochText("1714564800123456789", &ns));
  EXPECT_EQ(ns, 1714564800123456789);
  ASSERT_TRUE(ParseEpochText("1.7145648e9", &ns));
  EXPECT_EQ(ns, k20240501Noon);
  ASSERT_TRUE(ParseEpochText("-1.5", &ns));
  EXPECT_EQ(ns, -1500000000);
  EXPECT_FALSE(ParseEpochText("", &ns));
  EXPECT_FALSE(ParseEpochText("12ab", &ns));
  EXPECT_FALSE(ParseEpochText("99999999999999999999", &ns));
}

TEST(TimeParse, TimestampTextAcceptsBothForms) {
  int64_t ns = 0;
  ASSERT_TRUE(ParseTimestampText("2024-05-01T12:00:00Z", &ns));
  EXPECT_EQ(ns, k20240501Noon);
  ASSERT_TRUE(ParseTimestampText("1714564800000", &ns));
  EXPECT_EQ(ns, k20240501Noon);
  EXPECT_FALSE(ParseTimestampText("2024-05-01T12:00:00 tomorrow", &ns));
}

}  // namespace
}  // namespace ddbg

namespace ddbg {
namespace {

TEST(DurationText, ReadsCompoundFractionalDurationsAndNamesBadUnits) {
  int64_t ns = 0;
  EXPECT_TRUE(ParseDurationText("250ms", &ns));
  EXPECT_EQ(ns, 250000000);
  EXPECT_TRUE(ParseDurationText("1h30m", &ns));
  EXPECT_EQ(ns, 5400LL * 1000000000LL);
  EXPECT_TRUE(ParseDurationText("1.5s", &ns));
  EXPECT_EQ(ns, 1500000000);
  EXPECT_TRUE(ParseDurationText("2µs", &ns));
  EXPECT_EQ(ns, 2000);
  EXPECT_TRUE(ParseDurationText("1d", &ns));
  EXPECT_EQ(ns, 86400LL * 1000000000LL);
  std::string_view bad;
  EXPECT_FALSE(ParseDurationText("10 parsecs", &ns, &bad));
  EXPECT_EQ(bad, " parsecs");
  for (const char* no : {"", "ms", "-5s", "5", "1e400s", "99999999999h"}) {
    EXPECT_FALSE(ParseDurationText(no, &ns)) << no;
  }
}

}  // namespace
}  // namespace ddbg
