// The correlation index (FindCorrelated, FindLinkedEvents) and the event column projection
// (ScanEventColumns) of the embedded store, on hand-built batches with known answers.
#include <gtest/gtest.h>

#include <algorithm>
#include <mutex>
#include <set>

#include "ddbg/store.h"
#include "store/store_test_util.h"

namespace ddbg {
namespace {

using store_test::ScratchDir;

constexpr TraceId kA{0, 0xa}, kB{0, 0xb}, kC{0, 0xc}, kD{0, 0xd};

void AddSpan(SpanBatch& b, TraceId t, uint64_t id, const char* key, const char* value) {
  if (b.resources.size() == 0) b.CommitResource(b.dict.Intern("svc"));
  if (key != nullptr) b.attrs.AddString(b.dict.Intern(key), b.dict.Intern(value));
  SpanRow r;
  r.trace_id = t;
  r.span_id = id;
  r.name = b.dict.Intern("op");
  r.start_ns = 1000 + static_cast<int64_t>(id);
  r.end_ns = r.start_ns + 5;
  b.CommitSpan(r);
}

void AddLog(LogBatch& b, TraceId t, const char* body, const char* key, const char* value) {
  if (b.resources.size() == 0) b.CommitResource(b.dict.Intern("svc"));
  b.attrs.AddString(b.dict.Intern(key), b.dict.Intern(value));
  LogRow r;
  r.time_ns = 2000;
  r.trace_id = t;
  r.body = b.dict.Intern(body);
  b.CommitLog(r);
}

class CorrelationIndexTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = std::move(OpenEmbeddedStore(dir_.path()).value());
    SpanBatch spans;
    AddSpan(spans, kA, 1, nullptr, nullptr);
    AddSpan(spans, kA, 2, "correlation_id", "c1");
    AddSpan(spans, kB, 3, "request_id", "c1");
    AddSpan(spans, kC, 4, "correlation_id", "c2");
    ASSERT_TRUE(store_->AppendSpans(spans).ok());
    LogBatch logs;
    AddLog(logs, {}, "no trace c1", "correlation_id", "c1");
    AddLog(logs, kD, "trace d c1", "correlation_id", "c1");
    AddLog(logs, {}, "no trace c2", "correlation_id", "c2");
    ASSERT_TRUE(store_->AppendLogs(logs).ok());
  }

  struct Found {
    std::vector<TraceId> traces;
    size_t span_rows = 0;
    std::vector<std::string> log_bodies;
  };
  Found Find(const std::vector<std::string>& keys, const std::vector<std::string>& values) {
    Found f;
    Status st = store_->FindCorrelated(
        keys, values, &f.traces,
        [&](const SpanBatch& b) {
          f.span_rows += b.size();
          return Status::Ok();
        },
        [&](const LogBatch& b) {
          for (size_t i = 0; i < b.size(); ++i) f.log_bodies.emplace_back(b.dict.Get(b.body[i]));
          return Status::Ok();
        });
    EXPECT_TRUE(st.ok()) << st.ToString();
    return f;
  }

  ScratchDir dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(CorrelationIndexTest, GivesTracesAndTheRowsWithoutTrace) {
  Found f = Find({"correlation_id", "request_id"}, {"c1"});
  EXPECT_EQ(f.traces, (std::vector<TraceId>{kA, kB, kD}));
  EXPECT_EQ(f.span_rows, 0u);  // every carrying span has a trace: no segment decoded
  EXPECT_EQ(f.log_bodies, (std::vector<std::string>{"no trace c1"}));
}

TEST_F(CorrelationIndexTest, KeysAreExact) {
  Found f = Find({"correlation_id"}, {"c1"});
  EXPECT_EQ(f.traces, (std::vector<TraceId>{kA, kD}));
  Found none = Find({"correlation_id"}, {"c9"});
  EXPECT_TRUE(none.traces.empty());
  EXPECT_TRUE(none.log_bodies.empty());
}

TEST_F(CorrelationIndexTest, SurvivesReopenAndUnindexedKeysScan) {
  store_.reset();
  store_ = std::move(OpenEmbeddedStore(dir_.path(), {.read_only = true}).value());
  EXPECT_EQ(Find({"correlation_id"}, {"c2"}).traces, (std::vector<TraceId>{kC}));
  Found scan = Find({"my_key"}, {"c1"});  // not indexed: every batch is offered
  EXPECT_EQ(scan.span_rows, 4u);
  EXPECT_EQ(scan.log_bodies.size(), 3u);
}

// Events: correlation ids, causation ids and traces named in metadata, and the column scan.
class EventIndexTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = std::move(OpenEmbeddedStore(dir_.path(), {.max_rows_per_segment = 2}).value());
    EventBatch b;
    auto add = [&](const char* id, const char* corr, const char* cause, const char* meta) {
      EventRow r;
      r.stream = b.dict.Intern("s-1");
      r.version = b.size() + 1;
      r.event_id = b.dict.Intern(id);
      r.time_ns = 100 + static_cast<int64_t>(b.size());
      r.correlation_id = b.dict.Intern(corr);
      r.causation_id = b.dict.Intern(cause);
      r.metadata = b.dict.Intern(meta);
      b.CommitEvent(r);
    };
    add("e1", "c1", "", "{}");
    add("e2", "c2", "e9", "{}");
    add("e3", "c3", "", "{\"trace_id\":\"000000000000000000000000000000ab\"}");
    add("e4", "c4", "", "{}");
    add("e5", "c1", "e1", "{}");
    ASSERT_TRUE(store_->AppendEvents(b).ok());
  }
  ScratchDir dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(EventIndexTest, LinkedEventsByCorrelationCausationAndTrace) {
  std::set<std::string> ids;
  Status st = store_->FindLinkedEvents({"c1"}, {"e9"}, {TraceId{0, 0xab}}, [&](const EventBatch& b) {
    for (size_t i = 0; i < b.size(); ++i) ids.insert(std::string(b.dict.Get(b.event_id[i])));
    return Status::Ok();
  });
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(ids, (std::set<std::string>{"e1", "e2", "e3", "e5"}));
}

TEST_F(EventIndexTest, ColumnScanDecodesOnlyAskedColumnsOnTwoThreads) {
  EventColumnScan scan;
  scan.columns = kEventColId | kEventColVersion;
  scan.threads = 2;
  std::mutex mu;
  std::set<size_t> ordinals;
  std::set<std::pair<uint64_t, std::string>> rows;
  Status st = store_->ScanEventColumns({}, scan, [&](EventColumns& c) {
    std::lock_guard<std::mutex> l(mu);
    EXPECT_TRUE(c.stream.empty());
    EXPECT_TRUE(c.payload.empty());
    EXPECT_EQ(c.version.size(), c.rows);
    ordinals.insert(c.ordinal);
    for (size_t i = 0; i < c.rows; ++i) rows.insert({c.version[i], std::string(c.dict[c.event_id[i]])});
    return Status::Ok();
  });
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(ordinals, (std::set<size_t>{0, 1, 2}));  // 5 events in segments of 2
  EXPECT_EQ(rows.size(), 5u);
  EXPECT_TRUE(rows.count({3, "e3"}));
}

}  // namespace
}  // namespace ddbg
