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
#include "ddbg/timing.h"
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
    if (row.latency_regressed) {
      EXPECT_TRUE(row.service == "payment" || row.service == "checkout" || row.service == "frontend")
          << row.service;
    }
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

namespace ddbg {
namespace {

// The whole store and its middle third (cuts traces in two), from a SimStore's table.
std::vector<AnalysisScope> WholeAndMiddleThird(const SpanTable& table) {
  AnalysisScope whole, part;
  auto [lo, hi] = std::minmax_element(table.start_ns.begin(), table.start_ns.end());
  part.time.min_ns = *lo + (*hi - *lo) / 3;
  part.time.max_ns = *hi - (*hi - *lo) / 3;
  return {whole, part};
}

SpanTable LeanTable(Store& store, const AnalysisScope& scope) {
  SpanTableOptions options;
  options.error_details = false;
  Result<SpanTable> t = LoadSpanTable(store, scope, options);
  EXPECT_TRUE(t.ok()) << t.status().ToString();
  return t.ok() ? std::move(*t) : SpanTable();
}

void ExpectSamePerf(const PerfReport& a, const PerfReport& b) {
  EXPECT_EQ(a.window_ns, b.window_ns);
  ASSERT_EQ(a.rows.size(), b.rows.size());
  for (size_t i = 0; i < a.rows.size(); ++i) {
    const PerfRow &x = a.rows[i], &y = b.rows[i];
    EXPECT_EQ(std::tie(x.service, x.operation, x.instance, x.executions, x.errors, x.p50_ns, x.p95_ns, x.p99_ns),
              std::tie(y.service, y.operation, y.instance, y.executions, y.errors, y.p50_ns, y.p95_ns, y.p99_ns));
    EXPECT_EQ(x.mean_ns, y.mean_ns) << x.service << " " << x.operation;
    EXPECT_EQ(x.throughput_per_s, y.throughput_per_s);
  }
  ASSERT_EQ(a.outliers.size(), b.outliers.size());
  for (size_t i = 0; i < a.outliers.size(); ++i) {
    const PerfOutlier &x = a.outliers[i], &y = b.outliers[i];
    EXPECT_EQ(std::tie(x.service, x.operation, x.instance, x.metric, x.value, x.peers, x.p_value),
              std::tie(y.service, y.operation, y.instance, y.metric, y.value, y.peers, y.p_value));
  }
  EXPECT_EQ(a.recommendations, b.recommendations);
}

TEST(SimulatedFaults, StreamingPerfEqualsTheSpanTableOne) {
  SimStore s({"slow-instance:inventory", "error:payment,start=5m,duration=20m,magnitude=0.3"}, 600);
  auto store = OpenEmbeddedStore(s.dir + "/store");
  ASSERT_TRUE(store.ok());
  for (const AnalysisScope& scope : WholeAndMiddleThird(s.table)) {
    SpanTable table = LeanTable(**store, scope);
    for (PerfGroupBy by : {PerfGroupBy::kOperation, PerfGroupBy::kService, PerfGroupBy::kInstance}) {
      PerfOptions options;
      options.by = by;
      Result<std::optional<PerfReport>> fast = ComputePerfStreaming(**store, scope, options);
      ASSERT_TRUE(fast.ok()) << fast.status().ToString();
      ASSERT_TRUE(fast->has_value());
      EXPECT_GT((*fast)->rows.size(), 3u);
      ExpectSamePerf(**fast, ComputePerf(table, options));
    }
  }
  PerfReport whole = **ComputePerfStreaming(**store, {}, {});
  EXPECT_FALSE(whole.outliers.empty());  // the slow instance, as the table path finds it
  AnalysisScope services;
  services.services = {"payment"};
  EXPECT_FALSE(ComputePerfStreaming(**store, services, {})->has_value());
  PerfOptions by_version;
  by_version.by = PerfGroupBy::kAttribute;
  by_version.attribute = "service.version";
  EXPECT_FALSE(ComputePerfStreaming(**store, {}, by_version)->has_value());
  Result<PerfReport> fallback = ComputePerf(**store, {}, by_version);
  ASSERT_TRUE(fallback.ok());
  EXPECT_FALSE(fallback->rows.empty());
}

void ExpectSameRegress(const RegressReport& a, const RegressReport& b) {
  EXPECT_EQ(a.operations_compared, b.operations_compared);
  auto same = [](const std::vector<RegressRow>& x, const std::vector<RegressRow>& y) {
    ASSERT_EQ(x.size(), y.size());
    for (size_t i = 0; i < x.size(); ++i) {
      const RegressRow &p = x[i], &q = y[i];
      EXPECT_EQ(std::tie(p.service, p.operation, p.baseline.count, p.baseline.errors, p.baseline.p50_ns,
                         p.baseline.p95_ns, p.target.count, p.target.errors, p.target.p50_ns, p.target.p95_ns),
                std::tie(q.service, q.operation, q.baseline.count, q.baseline.errors, q.baseline.p50_ns,
                         q.baseline.p95_ns, q.target.count, q.target.errors, q.target.p50_ns, q.target.p95_ns));
      EXPECT_EQ(std::tie(p.latency_p, p.error_p, p.throughput_p, p.severity),
                std::tie(q.latency_p, q.error_p, q.throughput_p, q.severity)) << p.service << " " << p.operation;
    }
  };
  same(a.regressions, b.regressions);
  same(a.all, b.all);
}

TEST(SimulatedFaults, StreamingRegressEqualsTheSpanTableOne) {
  SimStore s({"latency:payment,start=30m,duration=30m,magnitude=3"}, 1200);
  auto store = OpenEmbeddedStore(s.dir + "/store");
  ASSERT_TRUE(store.ok());
  RegressSide base = s.Window(0, 30), target = s.Window(30, 60);
  for (const AnalysisScope& scope : WholeAndMiddleThird(s.table)) {
    Result<std::optional<RegressReport>> fast = CompareSidesStreaming(**store, scope, base, target);
    ASSERT_TRUE(fast.ok()) << fast.status().ToString();
    ASSERT_TRUE(fast->has_value());
    EXPECT_GT((*fast)->operations_compared, 5u);
    ExpectSameRegress(**fast, CompareSides(LeanTable(**store, scope), base, target));
  }
  Result<std::optional<RegressReport>> whole = CompareSidesStreaming(**store, {}, base, target);
  ASSERT_FALSE((*whole)->regressions.empty());
  EXPECT_EQ((*whole)->regressions[0].service, "payment");
  RegressSide version;
  version.is_version = true;
  version.version = "1.0.0";
  EXPECT_FALSE(CompareSidesStreaming(**store, {}, version, target)->has_value());
}

void ExpectSameShares(const std::vector<CriticalPathShare>& a, const std::vector<CriticalPathShare>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(std::tie(a[i].service, a[i].operation, a[i].traces, a[i].total_ns),
              std::tie(b[i].service, b[i].operation, b[i].traces, b[i].total_ns));
    EXPECT_EQ(std::tie(a[i].share_all, a[i].share_p50, a[i].share_p99),
              std::tie(b[i].share_all, b[i].share_p50, b[i].share_p99)) << a[i].service;
  }
}

TEST(SimulatedFaults, StreamingCriticalPathEqualsTheSpanTableOne) {
  SimStore s({"latency:payment,start=10m,duration=30m,magnitude=3"}, 600);
  auto store = OpenEmbeddedStore(s.dir + "/store");
  ASSERT_TRUE(store.ok());
  for (const AnalysisScope& scope : WholeAndMiddleThird(s.table)) {
    SpanTable table = LeanTable(**store, scope);
    for (CriticalPathMode mode : {CriticalPathMode::kJaeger, CriticalPathMode::kCrisp}) {
      auto fast = AggregateCriticalPathsStreaming(**store, scope, mode);
      ASSERT_TRUE(fast.ok()) << fast.status().ToString();
      ASSERT_TRUE(fast->has_value());
      const CriticalPathSummary& a = **fast;
      CriticalPathSummary b = AggregateCriticalPaths(table, mode);
      EXPECT_GT(a.traces, 100u);
      EXPECT_EQ(std::tie(a.traces, a.trace_p50_ns, a.trace_p99_ns, a.p50_cohort, a.p99_cohort),
                std::tie(b.traces, b.trace_p50_ns, b.trace_p99_ns, b.p50_cohort, b.p99_cohort));
      ExpectSameShares(a.services, b.services);
      ExpectSameShares(a.operations, b.operations);
      ASSERT_EQ(a.breakdown.size(), b.breakdown.size());
      for (size_t i = 0; i < a.breakdown.size(); ++i) {
        const ServiceBreakdown &x = a.breakdown[i], &y = b.breakdown[i];
        EXPECT_EQ(std::tie(x.service, x.spans, x.total_ns, x.self_ns, x.wait_ns),
                  std::tie(y.service, y.spans, y.total_ns, y.self_ns, y.wait_ns));
      }
    }
  }
  AnalysisScope where;
  where.where = "{ resource.service.name = \"payment\" }";
  EXPECT_FALSE(AggregateCriticalPathsStreaming(**store, where)->has_value());
}

}  // namespace
}  // namespace ddbg
