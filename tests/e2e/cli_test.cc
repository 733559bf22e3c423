// End-to-end: drives the built ddbg binary the way a user does and checks output and exit
// codes.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "cli_util.h"

namespace {

using namespace ddbg_e2e;

namespace fs = std::filesystem;

void Write(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

TEST(Cli, HelpListsCommands) {
  CmdResult r = Ddbg("--help");
  EXPECT_EQ(r.exit_code, 0);
  for (const char* cmd : {"ingest", "stats", "trace", "simulate"}) {
    EXPECT_NE(r.out.find(cmd), std::string::npos) << cmd;
  }
}

TEST(Cli, SimulateIngestStatsTraceRoundTrip) {
  std::string dir = TempDir("sim");
  CmdResult sim = Ddbg("simulate --out " + dir + "/in --services 6 --traces 200 --seed 3 "
                 "--fault latency:payment");
  ASSERT_EQ(sim.exit_code, 0) << sim.out;
  CmdResult ingest = Ddbg("ingest --data " + dir + "/data " + dir + "/in");
  EXPECT_EQ(ingest.exit_code, 0) << ingest.out;
  EXPECT_NE(ingest.out.find("skipped (ground-truth)"), std::string::npos) << ingest.out;
  CmdResult stats = Ddbg("stats --format json --data " + dir + "/data");
  ASSERT_EQ(stats.exit_code, 0) << stats.out;
  EXPECT_EQ(JsonInt(stats.out, "traces"), 200) << stats.out;
  EXPECT_GT(JsonInt(stats.out, "spans"), 200);
  EXPECT_GT(JsonInt(stats.out, "logs"), 0);
  EXPECT_GT(JsonInt(stats.out, "events"), 0);
  EXPECT_EQ(JsonInt(stats.out, "services"), 6) << stats.out;
  CmdResult trace = Ddbg("trace --slowest --no-color --data " + dir + "/data");
  EXPECT_EQ(trace.exit_code, 0) << trace.out;
  EXPECT_NE(trace.out.find("frontend"), std::string::npos) << trace.out;

  // A second ingest of the same input appends: counts double, traces stay distinct ids.
  CmdResult again = Ddbg("ingest -q --data " + dir + "/data " + dir + "/in/events.jsonl");
  EXPECT_EQ(again.exit_code, 0) << again.out;
  CmdResult stats2 = Ddbg("stats --format json --data " + dir + "/data");
  EXPECT_EQ(JsonInt(stats2.out, "events"), 2 * JsonInt(stats.out, "events"));
  fs::remove_all(dir);
}

TEST(Cli, IngestExitCodesForPartialAndUnreadableInput) {
  std::string dir = TempDir("bad");
  // One good span, one with a 15-character span id.
  Write(dir + "/mixed.jsonl",
        R"({"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"a"}}]},"scopeSpans":[{"spans":[{"traceId":"0123456789abcdef0123456789abcdef","spanId":"0123456789abcdef","name":"ok","startTimeUnixNano":"1","endTimeUnixNano":"2"}]}]}]})"
        "\n"
        R"({"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"a"}}]},"scopeSpans":[{"spans":[{"traceId":"0123456789abcdef0123456789abcdef","spanId":"0123456789abcde","name":"bad","startTimeUnixNano":"1","endTimeUnixNano":"2"}]}]}]})"
        "\n");
  CmdResult partial = Ddbg("ingest --data " + dir + "/data --errors " + dir + "/errors.txt " + dir +
                     "/mixed.jsonl");
  EXPECT_EQ(partial.exit_code, 2) << partial.out;
  std::ifstream errors(dir + "/errors.txt");
  std::string line;
  std::getline(errors, line);
  EXPECT_NE(line.find("mixed.jsonl:2"), std::string::npos) << line;

  std::string binary("\x00\x01\x02\xff\xfe garbage \x00", 14);
  Write(dir + "/garbage.json", binary);
  CmdResult unreadable = Ddbg("ingest --data " + dir + "/data2 " + dir + "/garbage.json");
  EXPECT_EQ(unreadable.exit_code, 1) << unreadable.out;
  Write(dir + "/empty.json", "");
  CmdResult empty = Ddbg("ingest --data " + dir + "/data2 " + dir + "/empty.json");
  EXPECT_EQ(empty.exit_code, 1) << empty.out;
  EXPECT_NE(empty.out.find("empty file"), std::string::npos) << empty.out;
  CmdResult missing = Ddbg("ingest --data " + dir + "/data2 " + dir + "/nope.json");
  EXPECT_EQ(missing.exit_code, 1) << missing.out;
  fs::remove_all(dir);
}

TEST(Cli, TraceNotFoundExitsOne) {
  std::string dir = TempDir("nf");
  Ddbg("simulate --out " + dir + "/in --services 4 --traces 5 --seed 1");
  Ddbg("ingest -q --data " + dir + "/data " + dir + "/in");
  CmdResult r = Ddbg("trace --data " + dir + "/data 00000000000000000000000000000abc");
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.out.find("not found"), std::string::npos) << r.out;
  fs::remove_all(dir);
}

}  // namespace
