// The simulator's output is a pure function of its options.
#include <gtest/gtest.h>

#include <filesystem>

#include "ddbg/sim.h"
#include "sim_test_util.h"

namespace ddbg {
namespace {

using sim_test::ReadAll;
using sim_test::RunSim;
using sim_test::ScratchDir;

const std::vector<std::string> kFaults = {"latency:payment,start=10m",
                                          "retry-storm:inventory,start=30m", "version-gap:orders",
                                          "inconsistent-state:payment"};

TEST(SimDeterminism, SameSeedGivesIdenticalBytesInEveryFile) {
  ScratchDir dir;
  SimSummary a = RunSim(dir.Sub("a"), 12, 300, 7, kFaults);
  SimSummary b = RunSim(dir.Sub("b"), 12, 300, 7, kFaults);
  ASSERT_EQ(a.files.size(), b.files.size());
  ASSERT_GE(a.files.size(), 6u);
  for (size_t i = 0; i < a.files.size(); ++i) {
    EXPECT_EQ(a.files[i].path, b.files[i].path);
    std::string x = ReadAll(dir.Sub("a/" + a.files[i].path));
    std::string y = ReadAll(dir.Sub("b/" + b.files[i].path));
    EXPECT_FALSE(x.empty()) << a.files[i].path;
    EXPECT_EQ(x.size(), a.files[i].bytes) << a.files[i].path;
    EXPECT_TRUE(x == y) << a.files[i].path << " differs between two runs with the same seed";
  }
  EXPECT_EQ(a.spans, b.spans);
  EXPECT_EQ(a.logs, b.logs);
  EXPECT_EQ(a.events, b.events);
}

TEST(SimDeterminism, DifferentSeedGivesDifferentData) {
  ScratchDir dir;
  SimSummary a = RunSim(dir.Sub("a"), 8, 200, 1);
  SimSummary b = RunSim(dir.Sub("b"), 8, 200, 2);
  EXPECT_NE(ReadAll(dir.Sub("a/traces.otlp.jsonl")), ReadAll(dir.Sub("b/traces.otlp.jsonl")));
  EXPECT_NE(ReadAll(dir.Sub("a/events.jsonl")), ReadAll(dir.Sub("b/events.jsonl")));
  // The system is the same: the topology depends on the service count only.
  EXPECT_EQ(a.services, b.services);
}

TEST(SimTopology, ServiceNamesAreStable) {
  std::vector<std::string> eight = SimServiceNames(8);
  EXPECT_EQ(eight, (std::vector<std::string>{"frontend", "checkout", "payment", "inventory",
                                             "orders", "shipping", "notification", "users"}));
  std::vector<std::string> many = SimServiceNames(30);
  EXPECT_EQ(std::vector<std::string>(many.begin(), many.begin() + 8), eight);
  EXPECT_EQ(many[8], "catalog");
  EXPECT_EQ(many[9], "pricing");
  EXPECT_EQ(many[23], "audit");
  EXPECT_EQ(many[24], "svc-24");
  EXPECT_EQ(many[29], "svc-29");
}

TEST(SimTopology, SummaryListsTheTopologyInOrder) {
  ScratchDir dir;
  SimSummary s = RunSim(dir.Sub("out"), 26, 20, 1);
  EXPECT_EQ(s.services, SimServiceNames(26));
}

}  // namespace
}  // namespace ddbg
