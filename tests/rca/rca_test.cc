// rca on small simulated systems: the injected service is ranked first with a confident
// score, a fault-free window gives no confident suspect, and the parts (the
// TraceQL --where filter, JSON rendering) behave as documented.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "analysis/rca/trace_set.h"
#include "analysis/rca/window_detect.h"
#include "ddbg/ingest.h"
#include "ddbg/rca.h"
#include "ddbg/sim.h"
#include "ddbg/store.h"

namespace ddbg {
namespace {

constexpr int64_t kMin = 60LL * 1000000000LL;

class SimStore {
 public:
  SimStore(std::vector<std::string> faults, uint64_t seed) {
    char tmpl[] = "/tmp/ddbg-rca-test-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    SimOptions o;
    o.out_dir = dir_ + "/sim";
    o.traces = 1500;
    o.seed = seed;
    o.duration_ns = 40 * kMin;
    for (const std::string& f : faults) {
      Result<FaultSpec> spec = ParseFaultSpec(f);
      EXPECT_TRUE(spec.ok()) << spec.status().ToString();
      o.faults.push_back(*spec);
    }
    EXPECT_TRUE(Simulate(o, &summary_).ok());
    auto store = OpenEmbeddedStore(dir_ + "/store");
    EXPECT_TRUE(store.ok());
    store_ = std::move(*store);
    std::vector<std::string> inputs;
    for (const SimFile& f : summary_.files) {
      if (f.format != "ground-truth" && f.format != "events-jsonl") inputs.push_back(o.out_dir + "/" + f.path);
    }
    Result<IngestReport> r = Ingest(inputs, *store_);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
  }
  ~SimStore() {
    store_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  Store& store() { return *store_; }
  const SimSummary& summary() const { return summary_; }

  RcaReport Rank(int64_t from, int64_t to) {
    RcaOptions o;
    o.has_window = true;
    o.window = {from, to};
    Result<RcaReport> r = RunRca(*store_, o);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : RcaReport{};
  }

 private:
  std::string dir_;
  SimSummary summary_;
  std::unique_ptr<Store> store_;
};

void ExpectTopService(const std::string& fault, const std::string& service, uint64_t seed) {
  SimStore sim({fault}, seed);
  const SimFault& f = sim.summary().faults.at(0);
  RcaReport report = sim.Rank(f.start_ns, f.end_ns);
  ASSERT_FALSE(report.suspects.empty()) << fault;
  EXPECT_EQ(report.suspects[0].service, service) << fault << "\n" << RcaReportTable(report);
  EXPECT_GT(report.suspects[0].confidence, 0.5) << fault;
  EXPECT_GT(report.window.anomalous_traces, 0u);
}

TEST(Rca, ErrorFaultRanksInjectedServiceFirst) {
  ExpectTopService("error:payment,start=15m,duration=10m", "payment", 1);
}

TEST(Rca, LatencyFaultRanksInjectedServiceFirst) {
  ExpectTopService("latency:inventory,start=15m,duration=10m", "inventory", 2);
}

TEST(Rca, SlowInstanceIsNamedWithItsInstance) {
  SimStore sim({"slow-instance:users,start=15m,duration=10m"}, 3);
  const SimFault& f = sim.summary().faults.at(0);
  RcaReport report = sim.Rank(f.start_ns, f.end_ns);
  ASSERT_FALSE(report.suspects.empty());
  EXPECT_EQ(report.suspects[0].service, "users") << RcaReportTable(report);
  bool instance_named = false;
  for (const RcaSuspect& s : report.suspects) {
    if (s.kind == "instance" && s.service == "users" &&
        s.instance.find(f.instance) != std::string::npos) {
      instance_named = true;
    }
  }
  EXPECT_TRUE(instance_named) << f.instance << "\n" << RcaReportTable(report);
}

TEST(Rca, FaultFreeWindowHasNoConfidentSuspect) {
  SimStore sim({}, 4);
  int64_t start = sim.summary().start_ns;
  RcaReport report = sim.Rank(start + 15 * kMin, start + 25 * kMin);
  EXPECT_GT(report.window.window_traces, 100u);
  for (const RcaSuspect& s : report.suspects) {
    EXPECT_LE(s.confidence, 0.5) << RcaReportTable(report);
  }
}

// A window near the start of the data: the baseline part the data lacks before the window
// is taken after it, and the injected service still ranks first.
TEST(Rca, BaselineContinuesAfterTheWindowWhenTheDataStartsLate) {
  SimStore sim({"error:payment,start=3m,duration=5m"}, 6);
  const SimFault& f = sim.summary().faults.at(0);
  RcaReport report = sim.Rank(f.start_ns, f.end_ns);
  EXPECT_GT(report.window.baseline_end_ns, f.end_ns) << report.window.reason;
  EXPECT_NE(report.window.reason.find("after the window"), std::string::npos) << report.window.reason;
  EXPECT_GT(report.window.baseline_traces, report.window.window_traces);
  ASSERT_FALSE(report.suspects.empty());
  EXPECT_EQ(report.suspects[0].service, "payment") << RcaReportTable(report);
}

// rca without a window on a store with one fault: the detected window starts within two
// minutes of the fault (and, when `end_slack_ns` is given, ends no earlier than that before
// its end); payment ranks first.
void ExpectDetectedAndRanked(const std::string& fault, uint64_t seed,
                             std::optional<int64_t> end_slack_ns = std::nullopt) {
  SimStore sim({fault}, seed);
  Result<RcaReport> r = RunRca(sim.store(), RcaOptions{});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const SimFault& f = sim.summary().faults.at(0);
  EXPECT_TRUE(r->window.detected) << r->window.reason;
  EXPECT_LE(std::abs(r->window.start_ns - f.start_ns), 2 * kMin) << r->window.reason;
  if (end_slack_ns) {
    EXPECT_GE(r->window.end_ns, f.end_ns - *end_slack_ns) << r->window.reason;
  }
  ASSERT_FALSE(r->suspects.empty());
  EXPECT_EQ(r->suspects[0].service, "payment") << RcaReportTable(*r);
}

TEST(Rca, DetectsTheWindowWhenNoneIsGiven) {
  ExpectDetectedAndRanked("error:payment,start=20m,duration=10m,magnitude=0.8", 5);
}

// A latency step that lasts to the end of the data covers most buckets: the robust z against
// the whole series' median misses it; the z against the buckets before it finds the start.
TEST(Rca, DetectsALatencyStepThatLastsToTheEnd) {
  ExpectDetectedAndRanked("latency:payment,start=15m,duration=25m,magnitude=3", 8, 5 * kMin);
}

TEST(Rca, FaultFreeDataHasNoDetectedWindow) {
  for (uint64_t seed : {4, 9, 10}) {
    SimStore sim({}, seed);
    Result<RcaReport> r = RunRca(sim.store(), RcaOptions{});
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_FALSE(r->window.detected) << "seed " << seed << ": " << r->window.reason;
  }
}

// The report's path: the window detected from series the caller fills, the trace set read
// from the caller's own (wider) scan through TraceSetFeed, then FinishRca — the same window,
// the same traces and spans, and the same first suspect as RunRca on its own.
TEST(Rca, FedFromTheCallersScanMatchesRunRca) {
  SimStore sim({"error:payment,start=20m,duration=10m,magnitude=0.8"}, 5);
  RcaOptions o;
  Result<RcaReport> alone = RunRca(sim.store(), o);
  ASSERT_TRUE(alone.ok()) << alone.status().ToString();

  Result<TimeRange> range = rca::DetectionRange(sim.store(), TimeRange{});
  ASSERT_TRUE(range.ok());
  rca::WindowSeries series(*range);
  ASSERT_TRUE(sim.store().ScanSpans({}, [&](const SpanBatch& b) {
    series.Add(b);
    return Status::Ok();
  }).ok());
  rca::DetectedWindow detected = series.Detect(rca::kDefaultWindowNs);
  Result<rca::RcaPlan> plan = rca::PlanRca(sim.store(), o, detected);
  ASSERT_TRUE(plan.ok());
  rca::TraceSetFeed feed(sim.store(), plan->window, plan->baseline, o.max_traces_per_side);
  ASSERT_TRUE(sim.store().ScanSpansParallel({}, 2, [&](const SpanBatch& b, size_t n) {
    feed.Add(b, n);
    return Status::Ok();
  }).ok());
  Result<rca::TraceSet> set = feed.Finish();
  ASSERT_TRUE(set.ok()) << set.status().ToString();
  Result<rca::TraceSet> loaded =
      rca::LoadTraceSet(sim.store(), plan->window, plan->baseline, o.max_traces_per_side);
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(set->traces.size(), loaded->traces.size());
  EXPECT_EQ(set->spans.size(), loaded->spans.size());
  EXPECT_EQ(set->logs.size(), loaded->logs.size());
  RcaReport fed = rca::FinishRca(o, std::move(*plan), &*set);
  EXPECT_EQ(fed.window.start_ns, alone->window.start_ns);
  EXPECT_EQ(fed.window.end_ns, alone->window.end_ns);
  EXPECT_EQ(fed.window.reason, alone->window.reason);
  EXPECT_EQ(fed.window.window_traces, alone->window.window_traces);
  ASSERT_FALSE(fed.suspects.empty());
  ASSERT_FALSE(alone->suspects.empty());
  EXPECT_EQ(fed.suspects[0].service, alone->suspects[0].service);
}

// The same telemetry in a store of small segments (many batches per scan), with the log
// template table.
std::unique_ptr<Store> SmallSegmentCopy(Store& from, const std::string& dir) {
  EmbeddedStoreOptions small;
  small.max_rows_per_segment = 400;
  std::unique_ptr<Store> to = std::move(OpenEmbeddedStore(dir, small).value());
  EXPECT_TRUE(from.ScanSpans({}, [&](const SpanBatch& b) { return to->AppendSpans(b); }).ok());
  EXPECT_TRUE(from.ScanLogs({}, [&](const LogBatch& b) { return to->AppendLogs(b); }).ok());
  std::string templates = from.ReadBlob("log_templates").value();
  EXPECT_TRUE(to->UpdateBlob("log_templates", [&](std::string* blob) {
    *blob = templates;
    return Status::Ok();
  }).ok());
  return to;
}

// What a trace set holds, in its order: trace ids, span operations, log templates, names.
std::string Fingerprint(const rca::TraceSet& set) {
  std::string out;
  for (const rca::RcaTrace& t : set.traces) out += TraceIdToHex(t.id) + " ";
  for (const rca::RcaSpan& s : set.spans) out += std::string(set.Name(s.operation)) + " ";
  for (const rca::RcaLog& l : set.logs) out += std::string(set.Name(l.tmpl)) + " ";
  for (size_t i = 0; i < set.names.size(); ++i) out += std::string(set.Name(static_cast<StrId>(i))) + "|";
  return out;
}

// rca's input and output do not depend on the threads' timing: the batches of a parallel
// scan are added in scan order whichever worker finishes first, and the log collector
// (reading on its own thread while the scan halves the sampling thresholds) takes its
// threshold once. Two loads, each delaying the other half of the batches, give the same
// trace set (its order and names included) and the same report.
TEST(Rca, TraceSetDoesNotDependOnTheThreadsTiming) {
  SimStore sim({"latency:payment,start=20m,duration=10m,magnitude=3"}, 9);
  std::string dir = ::testing::TempDir() + "ddbg-rca-order";
  std::filesystem::remove_all(dir);
  std::unique_ptr<Store> store = SmallSegmentCopy(sim.store(), dir);
  RcaOptions o;
  o.max_traces_per_side = 150;  // the scan halves the thresholds several times
  Result<TimeRange> range = rca::DetectionRange(*store, TimeRange{});
  ASSERT_TRUE(range.ok());
  rca::WindowSeries series(*range);
  ASSERT_TRUE(store->ScanSpans({}, [&](const SpanBatch& b) {
    series.Add(b);
    return Status::Ok();
  }).ok());
  rca::DetectedWindow detected = series.Detect(rca::kDefaultWindowNs);
  auto load = [&](size_t delayed_parity, std::string* report) {
    Result<rca::RcaPlan> plan = rca::PlanRca(*store, o, detected);
    EXPECT_TRUE(plan.ok());
    rca::TraceSetFeed feed(*store, plan->window, plan->baseline, o.max_traces_per_side);
    size_t batches = 0;
    EXPECT_TRUE(store->ScanSpansParallel(feed.SpanFilter(), 2, [&](const SpanBatch& b, size_t n) {
      if (n % 2 == delayed_parity) std::this_thread::sleep_for(std::chrono::milliseconds(2));
      feed.Add(b, n);
      ++batches;
      return Status::Ok();
    }).ok());
    EXPECT_GT(batches, 10u);
    Result<rca::TraceSet> set = feed.Finish();
    EXPECT_TRUE(set.ok());
    EXPECT_TRUE(set->sampled);
    std::string print = Fingerprint(*set);
    *report = RcaReportJson(rca::FinishRca(o, std::move(*plan), &*set));
    return print;
  };
  std::string report0, report1;
  std::string set0 = load(0, &report0);
  std::string set1 = load(1, &report1);
  auto first_difference = [](const std::string& a, const std::string& b) {
    size_t at = std::mismatch(a.begin(), a.end(), b.begin(), b.end()).first - a.begin();
    return at == a.size() && a.size() == b.size() ? std::string("none")
                                                  : std::to_string(at) + ": " + a.substr(at, 60) + " | " + b.substr(at, 60);
  };
  EXPECT_EQ(first_difference(set0, set1), "none");
  EXPECT_EQ(first_difference(report0, report1), "none");
  store.reset();
  std::filesystem::remove_all(dir);
}

TEST(Rca, JsonHasWindowAndRankedSuspects) {
  SimStore sim({"error:payment,start=15m,duration=10m"}, 1);
  const SimFault& f = sim.summary().faults.at(0);
  std::string json = RcaReportJson(sim.Rank(f.start_ns, f.end_ns));
  EXPECT_EQ(json.rfind("{\"window\":{\"start\":", 0), 0u) << json.substr(0, 200);
  EXPECT_NE(json.find("\"suspects\":[{\"rank\":1,\"kind\":\"service\",\"service\":\"payment\""),
            std::string::npos)
      << json.substr(0, 400);
  EXPECT_NE(json.find("\"evidence\":[{\"signal\":"), std::string::npos);
}

TEST(Rca, InvertedWindowAndBadWhereAreErrors) {
  SimStore sim({}, 1);
  RcaOptions o;
  o.has_window = true;
  o.window = {10, 5};
  EXPECT_EQ(RunRca(sim.store(), o).status().code(), StatusCode::kInvalidArgument);
  o.window = {5, 10};
  o.where = "{ resource.service.name == }";
  Result<RcaReport> r = RunRca(sim.store(), o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("1:28"), std::string::npos) << r.status().message();  // line:column
}

TEST(Rca, WhereKeepsOnlyMatchingTraces) {
  SimStore sim({"error:payment,start=15m,duration=10m"}, 1);
  const SimFault& f = sim.summary().faults.at(0);
  RcaOptions o;
  o.has_window = true;
  o.window = {f.start_ns, f.end_ns};
  Result<RcaReport> all = RunRca(sim.store(), o);
  o.where = R"({ resource.service.name = "payment" })";
  Result<RcaReport> some = RunRca(sim.store(), o);
  ASSERT_TRUE(all.ok() && some.ok()) << some.status().ToString();
  EXPECT_GT(some->window.window_traces, 0u);
  EXPECT_LT(some->window.window_traces, all->window.window_traces);
  ASSERT_FALSE(some->suspects.empty());
  EXPECT_EQ(some->suspects[0].service, "payment");
}

}  // namespace
}  // namespace ddbg
