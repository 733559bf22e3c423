// Focus steering by the words of the issue description (docs/debug-report.md).
#include <gtest/gtest.h>

#include "ddbg/debug_report.h"

namespace ddbg {
namespace {

std::string Names(FocusSet set) {
  std::string out;
  for (size_t i = 0; i < kFocusCount; ++i) {
    if (set.has(static_cast<Focus>(i))) out += std::string(out.empty() ? "" : ",") + FocusName(static_cast<Focus>(i));
  }
  return out;
}

TEST(DebugFocus, WordsSteerToTheirFocus) {
  EXPECT_EQ(Names(FocusFromDescription("API gateway timeouts", nullptr)), "timing");
  EXPECT_EQ(Names(FocusFromDescription("checkout is SLOW", nullptr)), "timing");
  EXPECT_EQ(Names(FocusFromDescription("p99 latency went up", nullptr)), "timing");
  EXPECT_EQ(Names(FocusFromDescription("errors after deploy", nullptr)), "causation");
  EXPECT_EQ(Names(FocusFromDescription("payments failing", nullptr)), "causation");
  EXPECT_EQ(Names(FocusFromDescription("Cascading failure analysis", nullptr)), "causation");
  EXPECT_EQ(Names(FocusFromDescription("Order state inconsistencies", nullptr)), "flow");
  EXPECT_EQ(Names(FocusFromDescription("amount mismatch", nullptr)), "flow");
  EXPECT_EQ(Names(FocusFromDescription("which services depend on auth", nullptr)), "dependency");
  EXPECT_EQ(Names(FocusFromDescription("topology of checkout", nullptr)), "dependency");
}

TEST(DebugFocus, SeveralWordsGiveSeveralFoci) {
  std::vector<FocusWord> words;
  FocusSet set = FocusFromDescription("checkout is slow and failing", &words);
  EXPECT_EQ(Names(set), "timing,causation");
  ASSERT_EQ(words.size(), 2u);
  EXPECT_EQ(words[0].word, "slow");
  EXPECT_EQ(words[0].focus, Focus::kTiming);
  EXPECT_EQ(words[1].word, "failing");
  EXPECT_EQ(words[1].focus, Focus::kCausation);
}

TEST(DebugFocus, NoSteeringWordsGiveNoFocus) {
  EXPECT_TRUE(FocusFromDescription("something is off with checkout", nullptr).empty());
  EXPECT_TRUE(FocusFromDescription("", nullptr).empty());
  // Prefixes match whole words only from their start.
  EXPECT_TRUE(FocusFromDescription("overslow unerror", nullptr).empty());
}

TEST(DebugFocus, ParsesCorrelationFlagValues) {
  Focus f;
  ASSERT_TRUE(ParseFocusName("dependency", &f));
  EXPECT_EQ(f, Focus::kDependency);
  EXPECT_FALSE(ParseFocusName("state", &f));
}

}  // namespace
}  // namespace ddbg
