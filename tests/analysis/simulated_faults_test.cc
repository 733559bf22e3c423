// On `ddbg simulate` data with injected faults: errors names the injected origin service,
// perf flags the injected slow instance, regress reports the injected latency regression
// and nothing on a fault-free pair of windows.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <tuple>

#include "ddbg/errors.h"
#include "ddbg/ingest.h"
#include "ddbg/perf.h"
#include "ddbg/regress.h"
#include "ddbg/sim.h"
#include "ddbg/topology.h"

namespace ddbg {
namespace {

constexpr int64_t kMinute = 60LL * 1000000000LL;

struct SimStore {
  std::string dir;
  SimSummary summary;
  SpanTable table;
  SimStore(std::vector<std::string> faults, uint64_t traces = 1500, uint64_t seed = 7) {
    char tmpl[] = "/tmp/ddbg-analysis-sim-XXXXXX";
    dir = ::mkdtemp(tmpl);
    SimOptions o;
    o.out_dir = dir + "/sim";
    o.traces = traces;
    o.seed = seed;
    for (const std::string& f : faults) {
      Result<FaultSpec> spec = ParseFaultSpec(f);
      EXPECT_TRUE(spec.ok()) << f;
      o.faults.push_back(*spec);
    }
    EXPECT_TRUE(Simulate(o, &summary).ok());
    auto store = OpenEmbeddedStore(dir + "/store");
    EXPECT_TRUE(store.ok());
    EXPECT_TRUE(Ingest({dir + "/sim/traces.otlp.jsonl"}, **store).ok());
    Result<SpanTable> t = LoadSpanTable(**store, AnalysisScope{}, {"service.version"});
    EXPECT_TRUE(t.ok());
    table = std::move(*t);
  }
  ~SimStore() {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
  RegressSide Window(int64_t from_min, int64_t to_min) const {
    RegressSide s;
    s.window.min_ns = summary.start_ns + from_min * kMinute;
    s.window.max_ns = summary.start_ns + to_min * kMinute - 1;
    s.label = std::to_string(from_min) + "m.." + std::to_string(to_min) + "m";
    return s;
  }
};

TEST(SimulatedFaults, ErrorsNameTheInjectedOriginService) {
  SimStore s({"error:inventory,start=10m,duration=40m,magnitude=0.5"});
  ErrorAnalysis e = AnalyzeErrors(s.table);
  ASSERT_FALSE(e.origins.empty());
  EXPECT_EQ(e.origins[0].key.substr(0, e.origins[0].key.find(' ')), "inventory");
  ASSERT_FALSE(e.cascades.empty());
  EXPECT_EQ(e.cascades[0].services.front(), "inventory");
}

// A retry storm on payment: checkout's CLIENT spans retry, and the retried calls are
// served by payment (the child span in another service).
TEST(SimulatedFaults, RetriesNameTheServiceThatServedThem) {
  SimStore s({"retry-storm:payment,start=10m,duration=20m"});
  ErrorAnalysis e = AnalyzeErrors(s.table);
  ASSERT_FALSE(e.retries.empty());
  const RetryPattern& r = e.retries.front();
  EXPECT_EQ(r.service, "checkout");
  EXPECT_EQ(r.target_service, "payment");
  EXPECT_GE(r.max_attempts, 5u);
  EXPECT_GT(r.retries, 2 * r.traces);
}

// A cascade from inventory: callers time out while inventory still waits on its pool, so
// the paths start at inventory (call order, not end time) and count the callers' timeouts;
// a fast error burst has callers that received the error instead.
TEST(SimulatedFaults, CascadePathsStartAtTheOriginAndCountCallerTimeouts) {
  SimStore cascade({"cascade:inventory,start=10m,duration=20m"});
  ErrorAnalysis e = AnalyzeErrors(cascade.table);
  uint64_t traces = 0, timed_out = 0;
  for (const CascadePattern& c : e.cascades) {
    if (c.services.front() != "inventory") continue;
    traces += c.traces;
    timed_out += c.callers_timed_out;
  }
  ASSERT_GT(traces, 20u);
  EXPECT_GT(timed_out * 10, traces * 9) << timed_out << " of " << traces;
  SimStore burst({"error:inventory,start=10m,duration=20m,magnitude=0.5"});
  ErrorAnalysis b = AnalyzeErrors(burst.table);
  ASSERT_FALSE(b.cascades.empty());
  for (const CascadePattern& c : b.cascades) EXPECT_EQ(c.callers_timed_out, 0u) << c.services.front();
}

TEST(SimulatedFaults, PerfFlagsTheSlowInstanceOnly) {
  SimStore s({"slow-instance:inventory"});
  ASSERT_EQ(s.summary.faults.size(), 1u);
  PerfReport p = ComputePerf(s.table);
  ASSERT_FALSE(p.outliers.empty());
  for (const PerfOutlier& o : p.outliers) {
    if (o.metric != "latency") continue;
    EXPECT_EQ(o.instance, s.summary.faults[0].instance) << o.service << " " << o.operation;
  }
  bool flagged = false;
  for (const PerfOutlier& o : p.outliers) flagged |= o.instance == s.summary.faults[0].instance;
  EXPECT_TRUE(flagged);
  EXPECT_FALSE(p.recommendations.empty());
}

TEST(SimulatedFaults, RegressReportsTheInjectedLatencyRegression) {
  SimStore s({"latency:payment,start=30m,duration=30m,magnitude=3"});
  RegressReport r = CompareSides(s.table, s.Window(0, 30), s.Window(30, 60));
  ASSERT_FALSE(r.regressions.empty());
  for (const RegressRow& row : r.regressions) {
    if (row.latency_regressed) EXPECT_TRUE(row.service == "payment" || row.service == "checkout" || row.service == "frontend") << row.service;
  }
  EXPECT_EQ(r.regressions[0].service, "payment");
  EXPECT_TRUE(r.regressions[0].latency_regressed);
}

TEST(SimulatedFaults, RegressReportsNothingWithoutFaults) {
  SimStore s({});
  RegressReport r = CompareSides(s.table, s.Window(0, 30), s.Window(30, 60));
  EXPECT_GT(r.operations_compared, 10u);
  for (const RegressRow& row : r.regressions) {
    ADD_FAILURE() << "noise reported: " << row.service << " " << row.operation;
  }
}

TEST(SimulatedFaults, RegressSplitsByServiceVersion) {
  SimStore s({"bad-deploy:payment,start=30m"});
  ASSERT_EQ(s.summary.faults.size(), 1u);
  RegressSide base, target;
  base.is_version = target.is_version = true;
  base.version = s.summary.faults[0].previous_version;
  target.version = s.summary.faults[0].version;
  RegressReport r = CompareSides(s.table, base, target);
  ASSERT_FALSE(r.regressions.empty());
  EXPECT_EQ(r.regressions[0].service, "payment");
}

TEST(SimulatedFaults, TopologyHasTheSimulatedEntryService) {
  SimStore s({}, 300);
  Topology t = ComputeTopology(s.table);
  ASSERT_FALSE(t.services.empty());
  bool frontend_calls = false;
  for (const TopologyEdge& e : t.edges) frontend_calls |= e.parent == s.summary.services[0];
  EXPECT_TRUE(frontend_calls);
}

}  // namespace
}  // namespace ddbg

namespace ddbg {
namespace {

void ExpectSameTopology(const Topology& a, const Topology& b) {
  EXPECT_EQ(a.traces, b.traces);
  EXPECT_EQ(a.window_ns, b.window_ns);
  ASSERT_EQ(a.services.size(), b.services.size());
  for (size_t i = 0; i < a.services.size(); ++i) {
    const TopologyService &x = a.services[i], &y = b.services[i];
    EXPECT_EQ(x.name, y.name);
    EXPECT_EQ(std::tie(x.in_degree, x.out_degree, x.requests, x.errors),
              std::tie(y.in_degree, y.out_degree, y.requests, y.errors)) << x.name;
    EXPECT_DOUBLE_EQ(x.request_rate_per_s, y.request_rate_per_s);
  }
  ASSERT_EQ(a.edges.size(), b.edges.size());
  for (size_t i = 0; i < a.edges.size(); ++i) {
    const TopologyEdge &x = a.edges[i], &y = b.edges[i];
    EXPECT_EQ(std::tie(x.parent, x.child, x.messaging, x.calls, x.errors, x.p50_ns, x.p95_ns, x.p99_ns),
              std::tie(y.parent, y.child, y.messaging, y.calls, y.errors, y.p50_ns, y.p95_ns, y.p99_ns))
        << x.parent << " -> " << x.child;
  }
  ASSERT_EQ(a.cycles.size(), b.cycles.size());
  for (size_t i = 0; i < a.cycles.size(); ++i) EXPECT_EQ(a.cycles[i].loop, b.cycles[i].loop);
}

TEST(SimulatedFaults, StreamingTopologyEqualsTheSpanTableOne) {
  SimStore s({"error:inventory,start=1m,duration=40m,magnitude=0.5"}, 400);
  auto store = OpenEmbeddedStore(s.dir + "/store");
  ASSERT_TRUE(store.ok());
  AnalysisScope whole;
  AnalysisScope part;
  auto [lo, hi] = std::minmax_element(s.table.start_ns.begin(), s.table.start_ns.end());
  part.time.min_ns = *lo + (*hi - *lo) / 3;  // the middle third: cuts traces in two
  part.time.max_ns = *hi - (*hi - *lo) / 3;
  for (const AnalysisScope* scope : {&whole, &part}) {
    Result<std::optional<Topology>> fast = ComputeTopologyStreaming(**store, *scope);
    ASSERT_TRUE(fast.ok()) << fast.status().ToString();
    ASSERT_TRUE(fast->has_value());
    Result<Topology> slow = ComputeTopologyFromTable(**store, *scope);
    ASSERT_TRUE(slow.ok());
    EXPECT_GT((*fast)->edges.size(), 2u);
    EXPECT_GT((*fast)->traces, 0u);
    ExpectSameTopology(**fast, *slow);
  }
  AnalysisScope services;
  services.services = {"payment"};
  Result<std::optional<Topology>> fast = ComputeTopologyStreaming(**store, services);
  ASSERT_TRUE(fast.ok());
  EXPECT_FALSE(fast->has_value());  // trace-level filter: the SpanTable path answers
}

}  // namespace
}  // namespace ddbg
