// logs tail: the query (LogQL or text) and the follower reading only what is new.
#include <gtest/gtest.h>

#include <filesystem>

#include "logs/log_tail.h"
#include "query/log_rows_util.h"

namespace ddbg::logs {
namespace {

namespace fs = std::filesystem;

// The real embedded store, counting the log rows its scans hand out; it can hide its
// segment numbers to act as a backend without them.
class CountingStore final : public Store {
 public:
  CountingStore(std::unique_ptr<Store> inner, bool numbered)
      : inner_(std::move(inner)), numbered_(numbered) {}
  uint64_t rows_scanned = 0;

  Status AppendSpans(const SpanBatch& b) override { return inner_->AppendSpans(b); }
  Status AppendLogs(const LogBatch& b) override { return inner_->AppendLogs(b); }
  Status AppendEvents(const EventBatch& b) override { return inner_->AppendEvents(b); }
  Status ScanSpans(const ScanFilter& f, const BatchFn<SpanBatch>& fn) override {
    return inner_->ScanSpans(f, fn);
  }
  Status ScanLogs(const ScanFilter& f, const BatchFn<LogBatch>& fn) override {
    ScanFilter g = f;
    if (!numbered_) g.after_segment = 0;
    return inner_->ScanLogs(g, [&](const LogBatch& b) {
      rows_scanned += b.size();
      return fn(b);
    });
  }
  Status ScanEvents(const ScanFilter& f, const BatchFn<EventBatch>& fn) override {
    return inner_->ScanEvents(f, fn);
  }
  Result<SpanBatch> GetTrace(TraceId id) override { return inner_->GetTrace(id); }
  Result<LogBatch> GetTraceLogs(TraceId id) override { return inner_->GetTraceLogs(id); }
  Result<StoreStats> Stats() override {
    Result<StoreStats> s = inner_->Stats();
    if (s.ok() && !numbered_) s->last_segment = 0;
    return s;
  }
  Status Refresh() override { return inner_->Refresh(); }

 private:
  std::unique_ptr<Store> inner_;
  bool numbered_;
};

class Tail : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("ddbg_tail_test_" + std::to_string(getpid()));
    fs::remove_all(dir_);
    auto store = OpenEmbeddedStore(dir_.string());
    ASSERT_TRUE(store.ok());
    store_ = std::make_unique<CountingStore>(std::move(*store), GetParam());
  }
  void TearDown() override { fs::remove_all(dir_); }

  void Append(const std::vector<test::TestLog>& logs) {
    ASSERT_TRUE(store_->AppendLogs(test::MakeLogBatch(logs)).ok());
  }
  // The bodies one poll shows.
  std::vector<std::string> Poll(LogFollower& f) {
    std::vector<std::string> out;
    Result<bool> more = f.Poll([&](const LogBatch& b, size_t i) {
      out.emplace_back(b.dict.Get(b.body[i]));
      return true;
    });
    EXPECT_TRUE(more.ok() && *more);
    return out;
  }

  fs::path dir_;
  std::unique_ptr<CountingStore> store_;
};

using Bodies = std::vector<std::string>;

TEST_P(Tail, ShowsTheBacklogThenOnlyNewRecords) {
  Append({{"api", "ERROR", "e1"}, {"api", "INFO", "i1"}, {"api", "ERROR", "e2"}});
  auto q = CompileTailQuery(R"({service="api", level="error"})", {}, {});
  ASSERT_TRUE(q.ok()) << q.status().ToString();
  LogFollower follower(*store_, *q, /*backlog=*/1);
  EXPECT_EQ(Poll(follower), (Bodies{"e2"}));
  EXPECT_EQ(Poll(follower), Bodies{});
  Append({{"web", "ERROR", "w1"}, {"api", "ERROR", "e3"}});
  Append({{"api", "ERROR", "e4"}});
  EXPECT_EQ(Poll(follower), (Bodies{"e3", "e4"}));
  EXPECT_EQ(Poll(follower), Bodies{});
}

// With segment numbers a poll reads only the new segments; without, it rescans every row.
TEST_P(Tail, ReadsOnlySegmentsCommittedSinceThePreviousPoll) {
  bool numbered = GetParam();
  for (int i = 0; i < 5; ++i) Append({{"api", "INFO", "old " + std::to_string(i)}});
  auto q = CompileTailQuery("new", {}, {});
  ASSERT_TRUE(q.ok());
  LogFollower follower(*store_, *q, /*backlog=*/0);
  EXPECT_EQ(Poll(follower), Bodies{});
  EXPECT_EQ(store_->rows_scanned, numbered ? 0u : 5u);  // numbered: no backlog, nothing read
  Append({{"api", "INFO", "new a"}, {"api", "INFO", "other"}});
  EXPECT_EQ(Poll(follower), (Bodies{"new a"}));
  EXPECT_EQ(store_->rows_scanned, numbered ? 2u : 12u);
  EXPECT_EQ(Poll(follower), Bodies{});
  EXPECT_EQ(store_->rows_scanned, numbered ? 2u : 19u);
}

TEST_P(Tail, TextQueriesAndServiceOptionsCombine) {
  Append({{"api", "INFO", "payment failed"}, {"web", "INFO", "payment failed"},
          {"api", "INFO", "payment ok"}});
  auto q = CompileTailQuery("failed", {"api"}, {"payment"});
  ASSERT_TRUE(q.ok());
  LogFollower follower(*store_, *q, /*backlog=*/10);
  EXPECT_EQ(Poll(follower), (Bodies{"payment failed"}));
}

INSTANTIATE_TEST_SUITE_P(NumberedSegments, Tail, ::testing::Bool());

TEST(TailQuery, MalformedLogQLNamesThePosition) {
  auto q = CompileTailQuery(R"({service="api"} | json | status >)", {}, {});
  ASSERT_FALSE(q.ok());
  EXPECT_EQ(q.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(q.status().message().find("QUERY: 1:"), std::string::npos) << q.status().message();
}

}  // namespace
}  // namespace ddbg::logs
