// End-to-end: `ddbg logs parse` over several files, and `ddbg logs tail` with a LogQL query
// on simulated data.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli_util.h"

namespace {

using namespace ddbg_e2e;

TEST(LogsParseCli, NumbersLinesAcrossFilesAndGivesEachItsFinalTemplate) {
  std::string dir = TempDir("parse");
  std::ofstream(dir + "/a.log", std::ios::binary)
      << "2015-10-18 18:01:47,978 INFO [main] x.Y: Connection from 10.0.0.1 closed\r\n"
         "2015-10-18 18:01:48,001 INFO [main] x.Y: Disk /dev/sda1 is full\r\n";
  std::ofstream(dir + "/b.log", std::ios::binary)
      << "2015-10-18 18:01:49,002 INFO [main] x.Y: Connection from 10.0.0.2 closed\n";
  CmdResult r = Ddbg("logs parse " + dir + "/a.log " + dir + "/b.log");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(r.out,
            "LineId,Content,EventId,EventTemplate\n"
            "1,Connection from 10.0.0.1 closed,E1,Connection from <*> closed\n"
            "2,Disk /dev/sda1 is full,E2,Disk <*> is full\n"
            "3,Connection from 10.0.0.2 closed,E1,Connection from <*> closed\n");
  std::filesystem::remove_all(dir);
}

TEST(LogsTailCli, LogQLSelectsTheBacklogAndBadQueriesFailWithAPosition) {
  std::string dir = TempDir("tail");
  ASSERT_TRUE(SimulateAndIngest(dir, "--traces 60 --seed 5 --fault error:payment"));
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
