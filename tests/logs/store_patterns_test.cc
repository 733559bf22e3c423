// Templates through the store, on `ddbg simulate` data: ids stored per record, the table
// merged across ingests, and the diff finding the error template a fault introduces.
#include <gtest/gtest.h>

#include <filesystem>

#include "ddbg/ingest.h"
#include "ddbg/log_patterns.h"
#include "ddbg/log_templates.h"
#include "ddbg/sim.h"

namespace ddbg::logs {
namespace {

namespace fs = std::filesystem;
constexpr int64_t kMin = 60'000'000'000LL;
constexpr int64_t kStart = 1736935200LL * 1'000'000'000LL;  // 2025-01-15T10:00:00Z

class StorePatterns : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("ddbg_logs_test_" + std::to_string(getpid()));
    fs::remove_all(dir_);
    SimOptions sim;
    sim.out_dir = (dir_ / "sim").string();
    sim.traces = 300;
    auto fault = ParseFaultSpec("error:payment,start=30m,duration=20m");
    ASSERT_TRUE(fault.ok());
    sim.faults.push_back(*fault);
    SimSummary summary;
    ASSERT_TRUE(Simulate(sim, &summary).ok());
    auto store = OpenEmbeddedStore((dir_ / "store").string());
    ASSERT_TRUE(store.ok());
    store_ = std::move(*store);
  }
  void TearDown() override { fs::remove_all(dir_); }
  void IngestLogs() {
    auto report = Ingest({(dir_ / "sim" / "logs").string()}, *store_);
    ASSERT_TRUE(report.ok());
    ASSERT_GT(report->logs, 0u);
  }
  fs::path dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(StorePatterns, EveryRecordGetsAStoredTemplateAndParams) {
  IngestLogs();
  auto table = LoadTemplates(*store_);
  ASSERT_TRUE(table.ok());
  uint64_t records = 0, with_params = 0;
  ASSERT_TRUE(store_->ScanLogs({}, [&](const LogBatch& b) {
    for (size_t i = 0; i < b.size(); ++i) {
      ++records;
      EXPECT_GT(b.template_id[i], 0u);
      EXPECT_LT(b.template_id[i], table->size());
      EXPECT_EQ((*table)[b.template_id[i]].id, b.template_id[i]);
      with_params += b.param_off.end(i) > b.param_off.begin(i);
    }
    return Status::Ok();
  }).ok());
  uint64_t counted = 0;
  for (const auto& t : *table) counted += t.count;
  EXPECT_EQ(counted, records);
  EXPECT_GT(with_params, records / 2);
}

TEST_F(StorePatterns, TemplatesMergeAcrossIngests) {
  IngestLogs();
  auto first = LoadTemplates(*store_);
  IngestLogs();
  auto second = LoadTemplates(*store_);
  ASSERT_TRUE(first.ok() && second.ok());
  ASSERT_EQ(first->size(), second->size());  // the same records again: no new template
  // Most templates take exactly the same records again; one that was generalised during the
  // first ingest (a merged word family) may now also take records that went to a sibling
  // before it was.
  uint64_t sum1 = 0, sum2 = 0;
  size_t doubled = 0;
  for (size_t id = 1; id < first->size(); ++id) {
    EXPECT_GE((*second)[id].count, (*first)[id].count) << (*first)[id].text;
    sum1 += (*first)[id].count;
    sum2 += (*second)[id].count;
    doubled += (*second)[id].count == 2 * (*first)[id].count;
  }
  EXPECT_EQ(sum2, 2 * sum1);
  EXPECT_GE(doubled * 10, (first->size() - 1) * 9);
  auto patterns = CollectPatterns(*store_, {});
  ASSERT_TRUE(patterns.ok());
  EXPECT_EQ(patterns->size(), first->size() - 1);
}

TEST_F(StorePatterns, DiffFindsTheErrorTemplateOfAnInjectedFault) {
  IngestLogs();
  ScanFilter baseline, target;
  baseline.time = {kStart, kStart + 30 * kMin - 1};
  target.time = {kStart + 30 * kMin, kStart + 50 * kMin};
  auto changes = DiffPatterns(*store_, baseline, target);
  ASSERT_TRUE(changes.ok());
  ASSERT_FALSE(changes->empty());
  const PatternChange& top = changes->front();
  EXPECT_EQ(top.kind, PatternChangeKind::kNew);
  EXPECT_NE(top.target.text.find("payment gateway returned"), std::string::npos) << top.target.text;
  bool payment = false;
  for (const auto& c : *changes) {
    if (c.kind != PatternChangeKind::kNew) continue;
    payment = payment || std::find(c.target.services.begin(), c.target.services.end(), "payment") !=
                             c.target.services.end();
  }
  EXPECT_TRUE(payment);
  // Nothing changes between two quiet windows of the same length.
  ScanFilter quiet_a, quiet_b;
  quiet_a.time = {kStart, kStart + 15 * kMin - 1};
  quiet_b.time = {kStart + 15 * kMin, kStart + 30 * kMin - 1};
  auto none = DiffPatterns(*store_, quiet_a, quiet_b);
  ASSERT_TRUE(none.ok());
  for (const auto& c : *none) {
    EXPECT_NE(c.kind, PatternChangeKind::kSpiking) << c.target.text;
  }
}

}  // namespace
}  // namespace ddbg::logs
