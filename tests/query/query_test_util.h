// Helpers of the query tests: a small `ddbg simulate` system ingested into an embedded store
// cut into many small segments, and a Store wrapper that hides the segment cursors of the
// embedded store, so every query through it runs the unindexed plan: every row of every
// segment evaluated (the brute-force reference).
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "ddbg/ingest.h"
#include "ddbg/sim.h"
#include "ddbg/store.h"
#include "store/store_test_util.h"

namespace ddbg::query_test {

// Every call forwarded, except the segment iteration: the Store default (one scanned batch
// per segment, no index) runs instead.
class ScanOnlyStore final : public Store {
 public:
  explicit ScanOnlyStore(Store& inner) : s_(inner) {}
  Status AppendSpans(const SpanBatch& b) override { return s_.AppendSpans(b); }
  Status AppendLogs(const LogBatch& b) override { return s_.AppendLogs(b); }
  Status AppendEvents(const EventBatch& b) override { return s_.AppendEvents(b); }
  Status ScanSpans(const ScanFilter& f, const BatchFn<SpanBatch>& fn) override {
    return s_.ScanSpans(f, fn);
  }
  Status ScanLogs(const ScanFilter& f, const BatchFn<LogBatch>& fn) override {
    return s_.ScanLogs(f, fn);
  }
  Status ScanEvents(const ScanFilter& f, const BatchFn<EventBatch>& fn) override {
    return s_.ScanEvents(f, fn);
  }
  Result<SpanBatch> GetTrace(TraceId id) override { return s_.GetTrace(id); }
  Result<LogBatch> GetTraceLogs(TraceId id) override { return s_.GetTraceLogs(id); }
  Result<StoreStats> Stats() override { return s_.Stats(); }
  Status Refresh() override { return s_.Refresh(); }

 private:
  Store& s_;
};

// A simulated system (raw files under dir/sim) and its store (dir/store), built once.
struct SimStore {
  store_test::ScratchDir dir;
  SimSummary summary;
  std::unique_ptr<Store> store;
};

inline std::unique_ptr<SimStore> MakeSimStore(uint64_t traces, std::vector<std::string> faults,
                                              size_t rows_per_segment) {
  auto s = std::make_unique<SimStore>();
  SimOptions o;
  o.out_dir = s->dir.Sub("sim");
  o.traces = traces;
  o.seed = 7;
  for (const std::string& f : faults) {
    Result<FaultSpec> spec = ParseFaultSpec(f);
    EXPECT_TRUE(spec.ok()) << f;
    if (spec.ok()) o.faults.push_back(*spec);
  }
  Status st = Simulate(o, &s->summary);
  EXPECT_TRUE(st.ok()) << st.message();
  EmbeddedStoreOptions so;
  so.max_rows_per_segment = rows_per_segment;
  auto opened = OpenEmbeddedStore(s->dir.Sub("store"), so);
  EXPECT_TRUE(opened.ok());
  if (!opened.ok()) return nullptr;
  s->store = std::move(*opened);
  auto r = Ingest({o.out_dir}, *s->store);
  EXPECT_TRUE(r.ok());
  return s;
}

}  // namespace ddbg::query_test
