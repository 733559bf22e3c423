// `ddbg debug` as a user runs it: every format, --out, the hostile fixture, flag errors with
// clear messages and exit codes, and a simulated error fault showing up on the right edge.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <fstream>
#include <sstream>

#include "e2e/cli_util.h"

namespace ddbg_e2e {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class DebugCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string(TempDir("debug"));
    CmdResult r = Ddbg("ingest --data " + *dir_ + "/data " + DDBG_FIXTURES "/report");
    ASSERT_EQ(r.exit_code, 0) << r.out;
  }
  static std::string Data() { return " --data " + *dir_ + "/data"; }
  static std::string* dir_;
};
std::string* DebugCli::dir_ = nullptr;

TEST_F(DebugCli, WritesEveryFormat) {
  CmdResult text = Ddbg("debug \"checkout is slow\" --no-color" + Data());
  ASSERT_EQ(text.exit_code, 0) << text.out;
  EXPECT_NE(text.out.find("1. Summary"), std::string::npos);
  EXPECT_NE(text.out.find("8. Root-cause hypotheses"), std::string::npos);
  EXPECT_EQ(text.out.find('\x1b'), std::string::npos);
  CmdResult md = Ddbg("debug slow --format md" + Data());
  ASSERT_EQ(md.exit_code, 0);
  EXPECT_EQ(md.out.rfind("# Distributed Debug Report", 0), 0u);
  CmdResult json = Ddbg("debug slow --format json" + Data());
  ASSERT_EQ(json.exit_code, 0);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.parse(json.out).get(doc), simdjson::SUCCESS) << json.out;
  EXPECT_EQ(int64_t(doc["counts"]["spans"]), 16);
  std::string html_path = *dir_ + "/report.html";
  CmdResult html = Ddbg("debug slow --format html --out " + html_path + Data());
  ASSERT_EQ(html.exit_code, 0) << html.out;
  EXPECT_TRUE(html.out.empty());
  std::string page = ReadFile(html_path);
  EXPECT_EQ(page.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_EQ(page.find("<script"), std::string::npos);
  EXPECT_NE(page.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
}

// --timings (or DDBG_TIMINGS=1) prints one line per step with the rows it read, and a total;
// the report on stdout is the same as without it.
TEST_F(DebugCli, TimingsPrintEachStepWithRowsRead) {
  CmdResult plain = Ddbg("debug slow --format json --out " + *dir_ + "/plain.json" + Data());
  ASSERT_EQ(plain.exit_code, 0) << plain.out;
  EXPECT_EQ(plain.out.find("timings:"), std::string::npos);
  CmdResult timed = Ddbg("debug slow --format json --timings --out " + *dir_ + "/timed.json" + Data());
  ASSERT_EQ(timed.exit_code, 0) << timed.out;
  EXPECT_NE(timed.out.find("timings: span pass: scan"), std::string::npos) << timed.out;
  EXPECT_NE(timed.out.find("rows read: 16 spans"), std::string::npos) << timed.out;
  EXPECT_NE(timed.out.find("timings: total"), std::string::npos) << timed.out;
  CmdResult env = Shell("DDBG_TIMINGS=1 " + std::string(DDBG_BINARY) + " debug slow --format json --out " +
                        *dir_ + "/env.json" + Data());
  EXPECT_NE(env.out.find("timings: total"), std::string::npos) << env.out;
  EXPECT_EQ(ReadFile(*dir_ + "/timed.json"), ReadFile(*dir_ + "/plain.json"));
}

TEST_F(DebugCli, CorrelationFlagOverridesTheDescription) {
  CmdResult r = Ddbg("debug \"checkout is slow\" --correlation dependency --format json" + Data());
  ASSERT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("\"focus\":[\"dependency\"],\"focusSource\":\"flag\""), std::string::npos);
}

TEST_F(DebugCli, BadFlagsAreClearErrors) {
  CmdResult id = Ddbg("debug x --trace-id xyz" + Data());
  EXPECT_EQ(id.exit_code, 1);
  EXPECT_NE(id.out.find("--trace-id must be 16 or 32 hex digits, got 'xyz'"), std::string::npos);
  CmdResult missing = Ddbg("debug x --trace-id 00000000000000000000000000000bad" + Data());
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.out.find("not in the store"), std::string::npos);
  CmdResult window = Ddbg("debug x --time-window 5parsecs" + Data());
  EXPECT_EQ(window.exit_code, 1);
  EXPECT_NE(window.out.find("--time-window"), std::string::npos);
  CmdResult since = Ddbg("debug x --since yesterday" + Data());
  EXPECT_EQ(since.exit_code, 1);
  EXPECT_NE(since.out.find("--since: not a time: 'yesterday'"), std::string::npos);
  EXPECT_NE(Ddbg("debug x --correlation vibes" + Data()).exit_code, 0);
  EXPECT_NE(Ddbg("debug x --format pdf" + Data()).exit_code, 0);
  CmdResult store = Ddbg("debug x --data " + *dir_ + "/nothing-here");
  EXPECT_EQ(store.exit_code, 1);
  EXPECT_NE(store.out.find("cannot open store"), std::string::npos);
  EXPECT_EQ(Ddbg("debug --help").exit_code, 0);
}

TEST_F(DebugCli, CheckpointsFileFeedsTheProjectionLag) {
  std::string path = *dir_ + "/checkpoints.jsonl";
  std::ofstream(path) << "{\"projection\":\"never-ran\"}\n";
  CmdResult r = Ddbg("debug state --format json --checkpoints " + path + Data());
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("\"title\":\"projection never-ran: critical, never processed"), std::string::npos);
  CmdResult none = Ddbg("debug state --format json" + Data());
  EXPECT_NE(none.out.find("projection lag: no checkpoints configured"), std::string::npos);
  std::string bad = *dir_ + "/bad-checkpoints.jsonl";
  std::ofstream(bad) << "{\"projection\": \n";
  CmdResult invalid = Ddbg("debug state --checkpoints " + bad + Data());
  EXPECT_EQ(invalid.exit_code, 1);
  EXPECT_NE(invalid.out.find("--checkpoints: "), std::string::npos) << invalid.out;
  EXPECT_NE(invalid.out.find("bad-checkpoints.jsonl"), std::string::npos) << invalid.out;
  CmdResult missing = Ddbg("debug state --checkpoints " + *dir_ + "/no-such-file" + Data());
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.out.find("--checkpoints: cannot read "), std::string::npos) << missing.out;
}

TEST(DebugCliSimulated, ErrorFaultMarksTheEdgeIntoTheFaultyService) {
  std::string dir = TempDir("debug-sim");
  ASSERT_EQ(Ddbg("simulate --out " + dir + "/in --traces 400 --seed 5 --fault error:inventory")
                .exit_code, 0);
  ASSERT_EQ(Ddbg("ingest --data " + dir + "/data " + dir + "/in").exit_code, 0);
  CmdResult r = Ddbg("debug \"checkout errors\" --format json --data " + dir + "/data");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.parse(r.out).get(doc), simdjson::SUCCESS);
  // The fault fails half of inventory's requests for 10 of the 60 minutes; only inventory and
  // the callers its errors propagate to (checkout, up to the frontend) are unhealthy.
  bool into_inventory_unhealthy = false;
  for (simdjson::dom::element e : doc["sections"].at(1)["graph"]["edges"]) {
    std::string_view to = e["to"];
    if (!bool(e["unhealthy"])) continue;
    EXPECT_TRUE(to == "inventory" || to == "checkout") << to;
    if (to == "inventory") {
      into_inventory_unhealthy = true;
      EXPECT_GT(double(e["errorRate"]), 0.05);
    }
  }
  EXPECT_TRUE(into_inventory_unhealthy);
}

}  // namespace
}  // namespace ddbg_e2e
