#include <gtest/gtest.h>

#include <re2/re2.h>
#include <re2/set.h>

#include "ddbg/log_rules.h"
#include "logs/loghub_accuracy.h"
#include "logs/rule_prefilter.h"

namespace ddbg::logs {
namespace {

std::vector<std::string> DefaultRegexes() {
  std::vector<std::string> out;
  for (const LogRule& r : DefaultLogRules()) out.push_back(r.regex);
  return out;
}

TEST(RulePrefilter, KeepsOnlyTheLiteralsEveryMatchNeeds) {
  RulePrefilter p = RulePrefilter::Build({R"((?i)projection.*(lag|behind))", R"((?i)deadlock)"});
  ASSERT_TRUE(p.enabled());
  // "lag" and "behind" are needed only with "projection", so one literal per rule suffices.
  EXPECT_EQ(p.literals(), (std::vector<std::string>{"deadlock", "projection"}));
  EXPECT_TRUE(p.MayMatch("DEADLOCK detected"));
  EXPECT_TRUE(p.MayMatch("tx 7: Deadlock"));  // literal at the very end
  EXPECT_TRUE(p.MayMatch("deadlock"));        // the whole message
  EXPECT_TRUE(p.MayMatch("Projection healthy"));  // passes; the regex then rejects it
  EXPECT_FALSE(p.MayMatch("dead lock"));
  EXPECT_FALSE(p.MayMatch("order ord-1 created"));
  EXPECT_FALSE(p.MayMatch(""));
}

TEST(RulePrefilter, NonAsciiMessagesAlwaysPass) {
  RulePrefilter p = RulePrefilter::Build({R"((?i)killed)"});
  ASSERT_TRUE(p.enabled());
  // U+212A KELVIN SIGN folds to "k" under (?i): RE2, not the ASCII scan, must decide.
  EXPECT_TRUE(p.MayMatch("\xE2\x84\xAAilled"));
  EXPECT_TRUE(RE2::PartialMatch("\xE2\x84\xAAilled", RE2("(?i)killed")));
}

TEST(RulePrefilter, DisabledWhenARuleNeedsNoLiteral) {
  EXPECT_FALSE(RulePrefilter::Build({R"((?i)deadlock)", R"(\d+ms)"}).enabled());
  EXPECT_FALSE(RulePrefilter::Build({R"(ab|deadlock)"}).enabled());  // "ab" is too short
  EXPECT_TRUE(RulePrefilter::Build({R"(\d+ms)"}).MayMatch("anything"));
  EXPECT_FALSE(RulePrefilter::Build({}).enabled());
}

// Never rejects a message the default rules match: every line of the loghub sample,
// upper-cased and lower-cased, and the default rules' own literals at every offset.
TEST(RulePrefilter, AgreesWithTheRegexSetOnRealLogs) {
  std::vector<std::string> regexes = DefaultRegexes();
  RulePrefilter p = RulePrefilter::Build(regexes);
  ASSERT_TRUE(p.enabled());
  RE2::Set set(RE2::Options(), RE2::UNANCHORED);
  for (const std::string& r : regexes) ASSERT_GE(set.Add(r, nullptr), 0);
  ASSERT_TRUE(set.Compile());
  std::vector<std::string> messages;
  for (const char* system : {"Apache", "BGL", "HDFS", "Hadoop", "Linux", "OpenSSH", "Spark",
                             "Zookeeper"}) {
    auto lines = ReadTextLines(std::string(DDBG_SHARED_DATA) + "/loghub2k/" + system + "/" +
                               system + "_2k.log");
    ASSERT_TRUE(lines.ok()) << system;
    messages.insert(messages.end(), lines->begin(), lines->end());
  }
  for (const std::string& literal : p.literals()) {
    for (const char* pad : {"", "x", "xy", "xyz"}) messages.push_back(pad + literal + " ok");
  }
  size_t matched = 0;
  for (std::string m : messages) {
    for (int pass = 0; pass < 2; ++pass) {
      bool matches = set.Match(m, nullptr);
      matched += matches;
      if (matches) EXPECT_TRUE(p.MayMatch(m)) << m;
      for (char& c : m) c = static_cast<char>(pass == 0 ? std::toupper(c) : std::tolower(c));
    }
  }
  EXPECT_GT(matched, 100u);
}

TEST(RuleSet, MatchesWithThePrefilterAsWithoutIt) {
  auto rules = RuleSet::Compile(DefaultLogRules());
  ASSERT_TRUE(rules.ok());
  std::vector<int> hits;
  rules->Match("Out of memory: Killed process 1234 (java)", &hits);
  EXPECT_EQ(hits.size(), 2u);  // memory_pressure and oom_killed
  rules->Match("order ord-1 created", &hits);
  EXPECT_TRUE(hits.empty());
}

}  // namespace
}  // namespace ddbg::logs
