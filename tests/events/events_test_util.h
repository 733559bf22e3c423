// Helpers of the event tests: a scratch store filled with hand-built events, and a
// simulated system ingested once per test binary.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "ddbg/events.h"
#include "ddbg/ingest.h"
#include "ddbg/sim.h"
#include "ddbg/store.h"
#include "util/time_parse.h"

namespace ddbg::events_test {

inline int64_t T(const char* rfc3339) {
  int64_t ns = 0;
  EXPECT_TRUE(ParseRfc3339(rfc3339, &ns)) << rfc3339;
  return ns;
}

struct Ev {
  std::string stream;
  uint64_t version;
  const char* time;
  std::string type;
  std::string payload;
  std::string service = "";
  std::string event_id = "";
  std::string correlation = "";
  std::string causation = "";
};

class ScratchStore {
 public:
  explicit ScratchStore(const EmbeddedStoreOptions& options = {}) {
    char tmpl[] = "/tmp/ddbg-events-test-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    store_ = std::move(OpenEmbeddedStore(dir_, options).value());
  }
  ~ScratchStore() {
    store_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  void Add(const std::vector<Ev>& events) {
    EventBatch b;
    for (const Ev& e : events) {
      EventRow r;
      r.stream = b.dict.Intern(e.stream);
      r.version = e.version;
      r.time_ns = T(e.time);
      r.event_type = b.dict.Intern(e.type);
      r.payload = b.dict.Intern(e.payload);
      r.service = b.dict.Intern(e.service);
      r.event_id = b.dict.Intern(e.event_id);
      r.correlation_id = b.dict.Intern(e.correlation);
      r.causation_id = b.dict.Intern(e.causation);
      b.CommitEvent(r);
    }
    ASSERT_TRUE(store_->AppendEvents(b).ok());
  }
  Store& store() { return *store_; }
  const std::string& dir() const { return dir_; }

 private:
  std::string dir_;
  std::unique_ptr<Store> store_;
};

}  // namespace ddbg::events_test

namespace ddbg::events_test {

// `ddbg simulate` output ingested into a scratch store, with the ground truth at hand.
class SimulatedStore {
 public:
  explicit SimulatedStore(SimOptions options) {
    char tmpl[] = "/tmp/ddbg-events-sim-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    options.out_dir = dir_ + "/input";
    Status st = Simulate(options, &summary_);
    EXPECT_TRUE(st.ok()) << st.ToString();
    store_ = std::move(OpenEmbeddedStore(dir_ + "/data").value());
    auto report = Ingest({options.out_dir}, *store_);
    EXPECT_TRUE(report.ok());
  }
  ~SimulatedStore() {
    store_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  Store& store() { return *store_; }
  const SimSummary& summary() const { return summary_; }
  std::string input(const std::string& file) const { return dir_ + "/input/" + file; }
  const SimFault* fault(FaultKind kind) const {
    for (const SimFault& f : summary_.faults) {
      if (f.kind == kind) return &f;
    }
    return nullptr;
  }

 private:
  std::string dir_;
  SimSummary summary_;
  std::unique_ptr<Store> store_;
};

inline SimOptions EventFaultOptions() {
  SimOptions o;
  o.traces = 600;
  o.seed = 7;
  o.faults.push_back(ParseFaultSpec("inconsistent-state:payment,count=3").value());
  o.faults.push_back(ParseFaultSpec("version-gap:orders,count=2").value());
  return o;
}

}  // namespace ddbg::events_test
