// End-to-end: the trace analysis commands (topology, critical-path, bottlenecks, errors, perf,
// regress) on one small simulated store with three injected faults — errors at inventory in
// the first half hour, a slow shipping instance throughout, payment latency x3 in the second
// half hour — checking exit codes, a known answer in the table and the JSON shape.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "cli_util.h"

namespace {

using namespace ddbg_e2e;

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The first value of a string field `"key":"value"` in a JSON text; empty when absent.
std::string JsonString(const std::string& json, const std::string& key) {
  std::string needle = "\"" + key + "\":\"";
  size_t at = json.find(needle);
  if (at == std::string::npos) return "";
  at += needle.size();
  return json.substr(at, json.find('"', at) - at);
}

// The first data row (after the "---" rule) of the table under `heading`; empty if absent.
std::string FirstRowUnder(const std::string& out, const std::string& heading) {
  size_t at = out.find(heading);
  if (at == std::string::npos) return "";
  size_t rule = out.find("\n  ---", at);
  if (rule == std::string::npos) return "";
  size_t row = out.find('\n', rule + 1) + 1;
  return out.substr(row, out.find('\n', row) - row);
}

class AnalysesCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string(TempDir("analyses"));
    ok_ = SimulateAndIngest(
        *dir_,
        "--services 6 --traces 600 --seed 7"
        " --fault error:inventory,start=1m,duration=29m,magnitude=0.5"
        " --fault slow-instance:shipping,start=1m,duration=59m"
        " --fault latency:payment,start=30m,duration=30m,magnitude=3");
  }
  static void TearDownTestSuite() {
    std::error_code ec;
    std::filesystem::remove_all(*dir_, ec);
    delete dir_;
  }
  void SetUp() override { ASSERT_TRUE(ok_); }

  static CmdResult Run(const std::string& args) {
    return Ddbg(args + " --data " + *dir_ + "/data");
  }
  static std::string GroundTruth() { return Slurp(*dir_ + "/in/ground_truth.json"); }
  static std::string FirstTraceId() {
    std::ifstream in(*dir_ + "/in/traces.otlp.jsonl");
    std::string line;
    std::getline(in, line);
    return JsonString(line, "traceId");
  }

  static std::string* dir_;
  static bool ok_;
};
std::string* AnalysesCli::dir_ = nullptr;
bool AnalysesCli::ok_ = false;

TEST_F(AnalysesCli, TopologyShowsTheCallGraph) {
  CmdResult t = Run("topology");
  ASSERT_EQ(t.exit_code, 0) << t.out;
  EXPECT_NE(t.out.find("Dependencies (caller -> callee)"), std::string::npos) << t.out;
  EXPECT_NE(t.out.find("frontend checkout"), std::string::npos) << t.out;
  CmdResult j = Run("topology --format json");
  ASSERT_EQ(j.exit_code, 0) << j.out;
  EXPECT_EQ(j.out.rfind("{\"edges\":[{", 0), 0u) << j.out;
  EXPECT_NE(j.out.find("{\"parent\":\"frontend\",\"child\":\"checkout\""), std::string::npos);
  EXPECT_NE(j.out.find("\"services\":["), std::string::npos);
}

TEST_F(AnalysesCli, CriticalPathOfOneTraceAndAggregate) {
  std::string id = FirstTraceId();
  ASSERT_EQ(id.size(), 32u);
  CmdResult t = Run("critical-path " + id);
  ASSERT_EQ(t.exit_code, 0) << t.out;
  EXPECT_NE(t.out.find("Critical path of " + id), std::string::npos) << t.out;
  CmdResult j = Run("critical-path " + id + " --format json");
  ASSERT_EQ(j.exit_code, 0) << j.out;
  EXPECT_EQ(JsonString(j.out, "traceID"), id);
  EXPECT_NE(j.out.find("\"segments\":[{\"spanID\":\""), std::string::npos) << j.out;
  for (const char* key : {"\"service\":", "\"operation\":", "\"startUnixNano\":",
                          "\"endUnixNano\":"}) {
    EXPECT_NE(j.out.find(key), std::string::npos) << key;
  }
  // Payment latency x3 for half the time: payment owns the p99 of the critical path.
  CmdResult agg = Run("critical-path");
  ASSERT_EQ(agg.exit_code, 0) << agg.out;
  EXPECT_EQ(FirstRowUnder(agg.out, "Critical-path share by service").rfind("  payment ", 0), 0u)
      << agg.out;
  CmdResult missing = Run("critical-path 0123456789abcdef0123456789abcdef");
  EXPECT_EQ(missing.exit_code, 1) << missing.out;
  EXPECT_NE(missing.out.find("not found"), std::string::npos) << missing.out;
}

TEST_F(AnalysesCli, BottlenecksRankThePaymentCallFirst) {
  CmdResult t = Run("bottlenecks");
  ASSERT_EQ(t.exit_code, 0) << t.out;
  EXPECT_NE(t.out.find("Operations by contribution to end-to-end latency (600 traces)"),
            std::string::npos)
      << t.out;
  CmdResult j = Run("bottlenecks --format json");
  ASSERT_EQ(j.exit_code, 0) << j.out;
  EXPECT_EQ(j.out.rfind("{\"operations\":[{\"service\":\"payment\"", 0), 0u) << j.out;
  EXPECT_NE(j.out.find("\"cp_share\":"), std::string::npos);
}

TEST_F(AnalysesCli, ErrorsNameTheInjectedOrigin) {
  CmdResult t = Run("errors");
  ASSERT_EQ(t.exit_code, 0) << t.out;
  EXPECT_EQ(FirstRowUnder(t.out, "Originating errors").rfind("  inventory / ", 0), 0u) << t.out;
  CmdResult j = Run("errors --format json");
  ASSERT_EQ(j.exit_code, 0) << j.out;
  EXPECT_EQ(j.out.rfind("{\"summary\":[{\"traces\":600,", 0), 0u) << j.out;
  EXPECT_EQ(JsonString(j.out, "origin").rfind("inventory / ", 0), 0u) << j.out;
}

TEST_F(AnalysesCli, PerfFlagsTheSlowInstance) {
  std::string gt = GroundTruth();
  size_t slow = gt.find("\"slow-instance\"");
  ASSERT_NE(slow, std::string::npos) << gt;
  std::string instance = JsonString(gt.substr(slow), "instance");
  ASSERT_FALSE(instance.empty()) << gt;
  CmdResult t = Run("perf");
  ASSERT_EQ(t.exit_code, 0) << t.out;
  size_t outliers = t.out.find("Outliers among instances");
  ASSERT_NE(outliers, std::string::npos) << t.out;
  EXPECT_NE(t.out.find(instance, outliers), std::string::npos) << t.out;
  CmdResult j = Run("perf --format json");
  ASSERT_EQ(j.exit_code, 0) << j.out;
  EXPECT_EQ(j.out.rfind("{\"rows\":[{", 0), 0u) << j.out.substr(0, 200);
  size_t jo = j.out.find("\"outliers\":[{");
  ASSERT_NE(jo, std::string::npos);
  EXPECT_EQ(JsonString(j.out.substr(jo), "instance"), instance);
}

TEST_F(AnalysesCli, RegressFindsThePaymentSlowdown) {
  std::string windows =
      " --baseline 2025-01-15T10:00:00Z..2025-01-15T10:30:00Z"
      " --target 2025-01-15T10:30:00Z..2025-01-15T11:00:00Z";
  CmdResult t = Run("regress" + windows);
  ASSERT_EQ(t.exit_code, 0) << t.out;
  size_t charge = t.out.find("payment   payment.PaymentService/Charge");
  ASSERT_NE(charge, std::string::npos) << t.out;
  std::string row = t.out.substr(charge, t.out.find('\n', charge) - charge);
  EXPECT_NE(row.find("latency"), std::string::npos) << row;
  CmdResult j = Run("regress --format json" + windows);
  ASSERT_EQ(j.exit_code, 0) << j.out;
  EXPECT_EQ(j.out.rfind("{\"regressions\":[{", 0), 0u) << j.out.substr(0, 200);
  EXPECT_NE(j.out.find("\"operation\":\"payment.PaymentService/Charge\""), std::string::npos);
  CmdResult bad = Run("regress --baseline nonsense..x --target 2025-01-15T10:30:00Z..2025-01-15T11:00:00Z");
  EXPECT_NE(bad.exit_code, 0) << bad.out;
}

}  // namespace
