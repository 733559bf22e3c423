#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "e2e/cli_util.h"

namespace {

using ddbg_e2e::Ddbg;

class EventsCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string(ddbg_e2e::TempDir("events-cli"));
    auto r = Ddbg("simulate --out " + *dir_ + "/in --traces 400 --seed 3 "
                  "--fault version-gap:orders,count=1 --fault inconsistent-state:payment,count=2");
    ASSERT_EQ(r.exit_code, 0) << r.out;
    r = Ddbg("ingest -q --data " + *dir_ + "/data " + *dir_ + "/in");
    ASSERT_EQ(r.exit_code, 0) << r.out;
  }
  static void TearDownTestSuite() {
    std::filesystem::remove_all(*dir_);
    delete dir_;
  }
  static std::string Data() { return " --data " + *dir_ + "/data"; }
  static std::string* dir_;
};
std::string* EventsCli::dir_ = nullptr;

TEST_F(EventsCli, EveryCommandHasHelp) {
  for (const char* cmd : {"flow", "integrity", "state", "state at", "state replay", "state diff",
                          "state consistency", "projections lag", "workflow"}) {
    auto r = Ddbg(std::string(cmd) + " --help");
    EXPECT_EQ(r.exit_code, 0) << cmd;
    EXPECT_NE(r.out.find("Usage"), std::string::npos) << cmd;
  }
}

TEST_F(EventsCli, IntegrityAndConsistencyExitTwoOnFindings) {
  auto r = Ddbg("integrity --now 2025-01-15T12:00:00Z" + Data());
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.out.find("version-gap          1"), std::string::npos) << r.out;
  r = Ddbg("state consistency --all --format json" + Data());
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.out.find("\"field\":\"amount\""), std::string::npos) << r.out;
}

TEST_F(EventsCli, ReplayBreakpointDiffAndBadInput) {
  auto r = Ddbg("state replay order-100001 --break 'state.status == \"nonsense\"'" + Data());
  EXPECT_EQ(r.exit_code, 3) << r.out;
  EXPECT_NE(r.out.find("never hit"), std::string::npos) << r.out;
  r = Ddbg("state replay order-100001 --watch status --break 'state.status == \"pending\"'" + Data());
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("status = \"pending\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("breakpoint"), std::string::npos) << r.out;
  r = Ddbg("state at no-such-stream" + Data());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("no-such-stream"), std::string::npos) << r.out;
  r = Ddbg("state at order-100001 --time yesterday" + Data());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("--time"), std::string::npos) << r.out;
  r = Ddbg("state diff order-100001 2025-01-15T10:00:00Z 2025-01-15T11:00:00Z" + Data());
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("added"), std::string::npos) << r.out;
}

// The persisted snapshots change where the fold starts, never the state.
TEST_F(EventsCli, StateAtStartsFromPersistedSnapshots) {
  std::string at = "state at order-100001 --format json" + Data();
  auto whole = Ddbg(at + " --snapshot-every 0");
  ASSERT_EQ(whole.exit_code, 0) << whole.out;
  auto first = Ddbg(at + " --snapshot-every 2");
  auto second = Ddbg(at + " --snapshot-every 2");
  ASSERT_EQ(second.exit_code, 0) << second.out;
  EXPECT_NE(first.out.find("\"from_snapshot\":0,"), std::string::npos) << first.out;
  EXPECT_EQ(second.out.find("\"from_snapshot\":0,"), std::string::npos) << second.out;
  auto state = [](const std::string& out) { return out.substr(out.find("\"state\":")); };
  EXPECT_EQ(state(first.out), state(whole.out));
  EXPECT_EQ(state(second.out), state(whole.out));
}

TEST_F(EventsCli, ReplayStepsInteractivelyFromStdin) {
  std::string input = *dir_ + "/step-input.txt";
  std::ofstream(input) << "\np\nq\n";  // next, print the state, quit
  auto r = Ddbg("state replay order-100001 --step" + Data() + " < " + input);
  EXPECT_EQ(r.exit_code, 0) << r.out;
  size_t prompts = 0;
  for (size_t p = r.out.find("(replay)"); p != std::string::npos; p = r.out.find("(replay)", p + 1)) {
    ++prompts;
  }
  EXPECT_EQ(prompts, 3u) << r.out;  // after v1, after v2, again after printing the state
  EXPECT_NE(r.out.find("state: {"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("v3 "), std::string::npos) << "quit must stop the replay: " << r.out;
}

TEST_F(EventsCli, ProjectionsLag) {
  std::string cp = *dir_ + "/cp.jsonl";
  std::ofstream(cp) << "{\"projection\":\"orders\",\"last_processed_at\":\"2025-01-15T10:59:00Z\"}\n"
                       "{\"projection\":\"stale\",\"last_processed_at\":\"2025-01-15T10:00:00Z\"}\n";
  auto r = Ddbg("projections lag --checkpoints " + cp + Data());
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.out.find("healthy"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("critical"), std::string::npos) << r.out;
}

}  // namespace
