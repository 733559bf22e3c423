// End-to-end: `ddbg logs tail` with a LogQL query on simulated data.
#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>

#include "cli_util.h"

namespace {

using namespace ddbg_e2e;

TEST(LogsTailCli, LogQLSelectsTheBacklogAndBadQueriesFailWithAPosition) {
  std::string dir = TempDir("tail");
  ASSERT_EQ(Ddbg("simulate --out " + dir + "/in --traces 60 --seed 5 --fault error:payment")
                .exit_code, 0);
  ASSERT_EQ(Ddbg("ingest -q --data " + dir + "/data " + dir + "/in").exit_code, 0);
  CmdResult r = Ddbg("logs tail --data " + dir + "/data --polls 1 -n 3 '{level=\"error\"}'");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  std::istringstream lines(r.out);
  int count = 0;
  for (std::string line; std::getline(lines, line); ++count) {
    EXPECT_NE(line.find(" ERROR "), std::string::npos) << line;
  }
  EXPECT_EQ(count, 3) << r.out;
  CmdResult bad = Ddbg("logs tail --data " + dir + "/data --polls 1 '{level=\"error\"} |='");
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.out.find("QUERY: 1:"), std::string::npos) << bad.out;
  std::filesystem::remove_all(dir);
}

}  // namespace
