// The check for `ddbg debug`: on small simulated systems with one injected fault of
// each kind, the report's top-ranked hypothesis names the fault's service and kind (in the
// `ddbg simulate` vocabulary); a fault-free window yields no confident hypothesis.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>

#include "ddbg/debug_report.h"
#include "ddbg/ingest.h"
#include "ddbg/sim.h"
#include "ddbg/store.h"

namespace ddbg {
namespace {

constexpr int64_t kMin = 60LL * 1000000000LL;

std::string Ranking(const DebugReport& r) {
  std::string out;
  for (const Hypothesis& h : r.hypotheses) {
    out += std::to_string(h.rank) + ". " + h.kind + " " + h.service + " " + h.operation + " " +
           h.instance + " " + std::to_string(h.confidence) + "\n";
    for (const std::string& e : h.evidence) out += "     " + e + "\n";
  }
  return out;
}

// A simulated system (traces, logs and events) ingested into a scratch store.
class SimulatedStore {
 public:
  SimulatedStore(const std::string& fault, uint64_t seed) {
    char tmpl[] = "/tmp/ddbg-debug-hyp-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    SimOptions o;
    o.out_dir = dir_ + "/sim";
    o.traces = 1500;
    o.seed = seed;
    o.duration_ns = 40 * kMin;
    if (!fault.empty()) {
      Result<FaultSpec> spec = ParseFaultSpec(fault);
      EXPECT_TRUE(spec.ok()) << spec.status().ToString();
      if (spec.ok()) o.faults.push_back(*spec);
    }
    EXPECT_TRUE(Simulate(o, &summary_).ok());
    auto store = OpenEmbeddedStore(dir_ + "/store");
    EXPECT_TRUE(store.ok());
    store_ = std::move(*store);
    std::vector<std::string> inputs;
    for (const SimFile& f : summary_.files) {
      if (f.format != "ground-truth") inputs.push_back(o.out_dir + "/" + f.path);
    }
    Result<IngestReport> r = Ingest(inputs, *store_);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
  }
  ~SimulatedStore() {
    store_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  const SimSummary& summary() const { return summary_; }

  DebugReport Debug(const std::string& description, int64_t since, int64_t until) {
    DebugRequest req;
    req.description = description;
    req.has_since = req.has_until = true;
    req.since_ns = since;
    req.until_ns = until;
    Result<DebugReport> r = BuildDebugReport(*store_, req);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? std::move(*r) : DebugReport{};
  }

 private:
  std::string dir_;
  SimSummary summary_;
  std::unique_ptr<Store> store_;
};

// Injects `fault`, asks about the fault's window, and checks the top hypothesis.
void ExpectTopHypothesis(const std::string& fault, const std::string& kind, const std::string& service,
                         uint64_t seed) {
  SimulatedStore sim(fault, seed);
  ASSERT_FALSE(sim.summary().faults.empty());
  const SimFault& f = sim.summary().faults.front();
  DebugReport report = sim.Debug("something is wrong", f.start_ns, f.end_ns);
  ASSERT_FALSE(report.hypotheses.empty()) << fault;
  const Hypothesis& top = report.hypotheses.front();
  EXPECT_EQ(top.service, service) << fault << "\n" << Ranking(report);
  EXPECT_EQ(top.kind, kind) << fault << "\n" << Ranking(report);
  EXPECT_GT(top.confidence, 0.5) << fault << "\n" << Ranking(report);
  if (kind == "slow-instance") {
    EXPECT_NE(top.instance.find(f.instance), std::string::npos) << top.instance;
  }
  EXPECT_FALSE(report.recommendations.empty());
}

TEST(DebugHypotheses, LatencyOnOneService) {
  ExpectTopHypothesis("latency:inventory,start=15m,duration=10m", "latency", "inventory", 2);
}
TEST(DebugHypotheses, SlowInstance) {
  ExpectTopHypothesis("slow-instance:users,start=15m,duration=10m", "slow-instance", "users", 3);
}
TEST(DebugHypotheses, ErrorBurst) {
  ExpectTopHypothesis("error:payment,start=15m,duration=10m", "error", "payment", 1);
}
// Callers time out waiting on inventory's hung pool and the failure climbs to the root.
TEST(DebugHypotheses, CascadeFromADatabaseBackedService) {
  ExpectTopHypothesis("cascade:inventory,start=15m,duration=10m", "cascade", "inventory", 5);
}
// checkout retries payment's fast rejections: the retried calls are served by payment.
TEST(DebugHypotheses, RetryStorm) {
  ExpectTopHypothesis("retry-storm:payment,start=15m,duration=10m", "retry-storm", "payment", 6);
}
// The same faults on other services: nothing is tied to the simulator's names.
TEST(DebugHypotheses, CascadeFromPayment) {
  ExpectTopHypothesis("cascade:payment,start=15m,duration=10m", "cascade", "payment", 12);
}
TEST(DebugHypotheses, RetryStormOnInventory) {
  ExpectTopHypothesis("retry-storm:inventory,start=15m,duration=10m", "retry-storm", "inventory", 13);
}
TEST(DebugHypotheses, InconsistentStatusInInventory) {
  ExpectTopHypothesis("inconsistent-state:inventory,start=15m,duration=10m", "inconsistent-state", "inventory", 14);
}
TEST(DebugHypotheses, InconsistentStateInShipping) {
  ExpectTopHypothesis("inconsistent-state:shipping,start=15m,duration=10m", "inconsistent-state", "shipping", 15);
}
TEST(DebugHypotheses, ErrorBurstInCheckout) {
  ExpectTopHypothesis("error:checkout,start=15m,duration=10m", "error", "checkout", 16);
}
TEST(DebugHypotheses, CascadeFromOrders) {
  ExpectTopHypothesis("cascade:orders,start=15m,duration=10m", "cascade", "orders", 17);
}
TEST(DebugHypotheses, BadDeploy) {
  ExpectTopHypothesis("bad-deploy:checkout,start=15m,duration=10m", "bad-deploy", "checkout", 7);
}
// payment records amounts the other services' events contradict, from the fault's start.
TEST(DebugHypotheses, InconsistentState) {
  ExpectTopHypothesis("inconsistent-state:payment,start=15m,duration=10m", "inconsistent-state", "payment", 8);
}
TEST(DebugHypotheses, EventVersionGap) {
  ExpectTopHypothesis("version-gap:orders,start=15m,duration=10m,count=3", "version-gap", "orders", 9);
}
TEST(DebugHypotheses, LatencyOnAnotherService) {
  ExpectTopHypothesis("latency:payment,start=20m,duration=10m,magnitude=4", "latency", "payment", 10);
}
TEST(DebugHypotheses, ErrorBurstElsewhere) {
  ExpectTopHypothesis("error:inventory,start=20m,duration=10m,magnitude=0.5", "error", "inventory", 11);
}

// Sections 5 and 6 show the shared analyses: the origin of an error burst with its traces
// and a cascade timeline; a version gap by kind with the stream and its writer.
const Finding* FindingStartingWith(const Section& s, const std::string& prefix) {
  for (const Finding& f : s.findings) {
    if (f.title.rfind(prefix, 0) == 0) return &f;
  }
  return nullptr;
}

TEST(DebugSections, ErrorsSectionNamesTheOriginAndACascade) {
  SimulatedStore sim("error:inventory,start=15m,duration=10m", 1);
  const SimFault& fault = sim.summary().faults.front();
  DebugReport report = sim.Debug("errors", fault.start_ns, fault.end_ns);
  const Section& s = report.section(SectionId::kErrors);
  EXPECT_TRUE(s.unavailable.empty());
  const Finding* origin = FindingStartingWith(s, "errors originate in ");
  ASSERT_NE(origin, nullptr);
  EXPECT_EQ(origin->title.rfind("errors originate in inventory / ", 0), 0u) << origin->title;
  EXPECT_FALSE(origin->trace_ids.empty());
  bool has_propagated = false;
  for (const Finding& f : s.findings) {
    for (const Metric& m : f.metrics) has_propagated |= m.key == "propagated" && m.int_value > 0;
  }
  EXPECT_TRUE(has_propagated);
  EXPECT_NE(FindingStartingWith(s, "error group inventory"), nullptr);
  bool cascade = false;
  for (const Timeline& t : s.timelines) {
    if (t.title.rfind("error cascade of trace ", 0) != 0) continue;
    cascade = true;
    ASSERT_FALSE(t.entries.empty());
    size_t origins = 0;
    for (const TimelineEntry& e : t.entries) {
      if (e.label.rfind("origin ", 0) != 0) continue;
      ++origins;
      EXPECT_EQ(e.lane, "inventory");
    }
    EXPECT_EQ(origins, 1u);
  }
  EXPECT_TRUE(cascade);
}

TEST(DebugSections, StateSectionCountsVersionGapsWithTheirStream) {
  SimulatedStore sim("version-gap:orders,start=15m,duration=10m,count=3", 9);
  const SimFault& fault = sim.summary().faults.front();
  DebugReport report = sim.Debug("state", fault.start_ns, fault.end_ns);
  const Section& s = report.section(SectionId::kState);
  const Finding* gaps = nullptr;
  for (const Finding& f : s.findings) {
    if (f.title.find("of kind version-gap") != std::string::npos) gaps = &f;
  }
  ASSERT_NE(gaps, nullptr);
  ASSERT_FALSE(gaps->metrics.empty());
  EXPECT_EQ(gaps->metrics.front().key, "version-gap");
  EXPECT_GE(gaps->metrics.front().int_value, 1);
  ASSERT_FALSE(gaps->events.empty());
  EXPECT_EQ(gaps->events.front().service, "orders");
  EXPECT_FALSE(gaps->events.front().stream.empty());
  bool consistency = false;
  for (const Finding& f : s.findings) consistency |= f.title.find("entities whose services disagree") != std::string::npos;
  EXPECT_TRUE(consistency);
  EXPECT_EQ(FindingStartingWith(s, "no integrity issues"), nullptr);
}

// Section 4 reads timing.h: a latency fault on payment makes payment own a large share of
// the slowest traces' critical path. Section 7 reads log_patterns.h and log_rules.h: an error
// burst on payment shows as a new or spiking template of payment at ERROR, and rules match.
const Metric* MetricOf(const Finding& f, const std::string& key) {
  for (const Metric& m : f.metrics) {
    if (m.key == key) return &m;
  }
  return nullptr;
}

TEST(DebugSections, TimingSectionShowsWhoOwnsTheCriticalPath) {
  SimulatedStore sim("latency:payment,start=15m,duration=10m,magnitude=4", 10);
  const SimFault& fault = sim.summary().faults.front();
  DebugReport report = sim.Debug("slow", fault.start_ns, fault.end_ns);
  const Section& s = report.section(SectionId::kTiming);
  ASSERT_NE(FindingStartingWith(s, "critical paths of "), nullptr);
  const Finding* payment = FindingStartingWith(s, "critical path: payment owns ");
  ASSERT_NE(payment, nullptr);
  const Metric* p99 = MetricOf(*payment, "share_p99");
  ASSERT_NE(p99, nullptr);
  EXPECT_GE(p99->value, 0.3) << payment->title;
  EXPECT_EQ(payment->severity, Severity::kWarning);
  ASSERT_NE(MetricOf(*payment, "self_ns"), nullptr);
  // Payment owns more of the p99 path than any other service.
  const Finding* first = FindingStartingWith(s, "critical path: ");
  EXPECT_EQ(first, payment) << first->title;
  for (const Section& sec : report.sections) {
    for (const Unavailable& u : sec.unavailable) EXPECT_EQ(u.analysis.find("critical-path ownership"), std::string::npos);
  }
}

TEST(DebugSections, LogSectionShowsNewOrSpikingErrorTemplatesAndRuleHits) {
  SimulatedStore sim("error:payment,start=20m,duration=10m", 1);
  const SimFault& fault = sim.summary().faults.front();
  DebugReport report = sim.Debug("errors", fault.start_ns, fault.end_ns);
  const Section& s = report.section(SectionId::kLogs);
  EXPECT_TRUE(s.unavailable.empty()) << s.unavailable.front().analysis << ": " << s.unavailable.front().reason;
  const Finding* change = nullptr;
  for (const Finding& f : s.findings) {
    bool new_or_spiking = f.title.rfind("new log template in ", 0) == 0 || f.title.rfind("spiking log template in ", 0) == 0;
    if (new_or_spiking && f.title.find(" template in payment") != std::string::npos && f.severity == Severity::kWarning) {
      change = &f;
      break;
    }
  }
  std::string titles;
  for (const Finding& f : s.findings) titles += f.title + "\n";
  ASSERT_NE(change, nullptr) << titles;
  const Metric* count = MetricOf(*change, "count");
  ASSERT_NE(count, nullptr);
  EXPECT_GT(count->int_value, 0);
  EXPECT_NE(FindingStartingWith(s, "log rule "), nullptr) << titles;
}

// Section 4 reads perf.h: a slow instance of users is a perf outlier on latency, named by
// its instance. Section 2 reads topology.h: the simulated system has no dependency cycle.
TEST(DebugSections, TimingSectionNamesTheSlowInstanceAndTopologyHasNoCycles) {
  SimulatedStore sim("slow-instance:users,start=15m,duration=10m,magnitude=5", 3);
  const SimFault& fault = sim.summary().faults.front();
  ASSERT_FALSE(fault.instance.empty());
  DebugReport report = sim.Debug("slow", fault.start_ns, fault.end_ns);
  const Finding* outlier = FindingStartingWith(report.section(SectionId::kTiming), "perf outlier: users / ");
  ASSERT_NE(outlier, nullptr);
  EXPECT_NE(outlier->title.find("on instance " + fault.instance), std::string::npos) << outlier->title;
  EXPECT_NE(outlier->title.find("p95 "), std::string::npos) << outlier->title;
  const Metric* p95 = MetricOf(*outlier, "p95_ns");
  const Metric* peers = MetricOf(*outlier, "peers_p95_ns");
  ASSERT_NE(p95, nullptr);
  ASSERT_NE(peers, nullptr);
  EXPECT_GT(p95->int_value, peers->int_value);
  const Section& topology = report.section(SectionId::kTopology);
  ASSERT_NE(FindingStartingWith(topology, "no dependency cycles among "), nullptr);
  for (const Section& sec : report.sections) {
    for (const Unavailable& u : sec.unavailable) {
      EXPECT_EQ(u.analysis.find("topology.h"), std::string::npos) << u.analysis;
      EXPECT_EQ(u.analysis.find("perf.h"), std::string::npos) << u.analysis;
    }
  }
}

// Section 4 reads regress.h: against the 10 minutes before, a latency fault on inventory
// regresses inventory's operations on latency, and the fault-free window before it does not.
TEST(DebugSections, TimingSectionShowsTheInjectedLatencyRegression) {
  SimulatedStore sim("latency:inventory,start=15m,duration=10m,magnitude=4", 2);
  const SimFault& fault = sim.summary().faults.front();
  DebugReport report = sim.Debug("slow", fault.start_ns, fault.end_ns);
  const Section& s = report.section(SectionId::kTiming);
  const Finding* head = FindingStartingWith(s, "regressions: ");
  ASSERT_NE(head, nullptr);
  EXPECT_EQ(MetricOf(*head, "baseline_start")->int_value, fault.start_ns - (fault.end_ns - fault.start_ns));
  const Finding* inventory = FindingStartingWith(s, "regression: inventory / ");
  ASSERT_NE(inventory, nullptr) << head->title;
  EXPECT_NE(inventory->detail.find("latency"), std::string::npos) << inventory->detail;
  EXPECT_GT(MetricOf(*inventory, "p95_ns")->int_value, 2 * MetricOf(*inventory, "baseline_p95_ns")->int_value);
  for (const Finding& f : s.findings) {
    if (f.title.rfind("regression: ", 0) != 0 || f.detail.find("latency") == std::string::npos) continue;
    // Only inventory and the callers waiting on it slow down.
    EXPECT_TRUE(f.title.find(" inventory / ") != std::string::npos || f.title.find(" checkout / ") != std::string::npos ||
                f.title.find(" frontend / ") != std::string::npos) << f.title;
  }
  int64_t start = sim.summary().start_ns;
  DebugReport calm = sim.Debug("slow", start + 5 * kMin, start + 14 * kMin);
  const Finding* none = FindingStartingWith(calm.section(SectionId::kTiming), "regressions: 0 of ");
  EXPECT_NE(none, nullptr);
}

TEST(DebugHypotheses, FaultFreeWindowHasNoConfidentHypothesis) {
  SimulatedStore sim("", 4);
  int64_t start = sim.summary().start_ns;
  DebugReport report = sim.Debug("something is wrong", start + 15 * kMin, start + 25 * kMin);
  EXPECT_GT(report.counts.traces, 100);
  for (const Hypothesis& h : report.hypotheses) EXPECT_LE(h.confidence, 0.5) << Ranking(report);
  EXPECT_TRUE(report.recommendations.empty());
}

}  // namespace
}  // namespace ddbg
