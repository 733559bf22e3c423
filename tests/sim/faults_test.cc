// Each fault kind: its ground truth, and that it really shows in the data.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>

#include "ddbg/sim.h"
#include "sim_test_util.h"

namespace ddbg {
namespace {

using sim_test::ReadEvents;
using sim_test::ReadSpans;
using sim_test::RunSim;
using sim_test::ScratchDir;
using sim_test::TEvent;
using sim_test::Time;
using sim_test::TSpan;

constexpr int64_t kWindowStart = 1736936400LL * 1000000000LL;  // 10:20:00Z (default start)
constexpr int64_t kWindowEnd = 1736937000LL * 1000000000LL;    // 10:30:00Z (default end)

// The one fault of a run's ground truth, as strings ("null" for JSON null).
struct Truth {
  std::map<std::string, std::string> fields;
  std::vector<std::string> streams, entities;
  uint64_t affected_traces = 0;
  size_t fault_count = 0;
};

Truth ReadTruth(const std::string& dir, size_t index = 0) {
  simdjson::dom::parser parser;
  std::string storage;
  simdjson::dom::element doc = sim_test::ReadTruth(parser, dir, &storage);
  Truth t;
  simdjson::dom::array faults = doc["faults"];
  t.fault_count = faults.size();
  if (index >= faults.size()) return t;
  simdjson::dom::object f = faults.at(index);
  for (auto field : f) {
    std::string key(field.key);
    simdjson::dom::element v = field.value;
    if (v.is_null()) {
      t.fields[key] = "null";
    } else if (v.is_string()) {
      t.fields[key] = std::string(std::string_view(v));
    } else if (v.is_array()) {
      std::vector<std::string>& list = key == "streams" ? t.streams : t.entities;
      for (simdjson::dom::element x : simdjson::dom::array(v)) {
        list.push_back(std::string(std::string_view(x)));
      }
    } else {
      t.fields[key] = simdjson::minify(v);
    }
  }
  t.affected_traces = std::stoull(t.fields["affected_traces"]);
  return t;
}

bool InWindow(int64_t t) { return t >= kWindowStart && t < kWindowEnd; }

struct Stats {
  double sum = 0;
  size_t n = 0;
  size_t errors = 0;
  void Add(const TSpan& s) {
    sum += s.ms();
    ++n;
    errors += s.error();
  }
  double mean() const { return n ? sum / static_cast<double>(n) : 0; }
  double error_rate() const { return n ? static_cast<double>(errors) / n : 0; }
};

// Server-side stats of `service` inside and outside the default window.
std::pair<Stats, Stats> ServerStats(const std::vector<TSpan>& spans, const std::string& service) {
  Stats in, out;
  for (const TSpan& s : spans) {
    if (s.service != service || (s.kind != 2 && s.kind != 5)) continue;
    (InWindow(s.start) ? in : out).Add(s);
  }
  return {in, out};
}

TEST(SimFaults, LatencyMultipliesTheServiceOwnTimeInsideTheWindow) {
  ScratchDir dir;
  RunSim(dir.path(), 8, 600, 3, {"latency:payment,start=20m,duration=10m"});
  Truth t = ReadTruth(dir.path());
  EXPECT_EQ(t.fields["kind"], "latency");
  EXPECT_EQ(t.fields["service"], "payment");
  EXPECT_EQ(t.fields["instance"], "null");
  EXPECT_EQ(t.fields["start"], "2025-01-15T10:20:00.000Z");
  EXPECT_EQ(t.fields["end"], "2025-01-15T10:30:00.000Z");
  EXPECT_EQ(t.fields["stream"], "null");
  EXPECT_EQ(t.fields["entity"], "null");
  EXPECT_EQ(t.fields["magnitude"], "5");
  EXPECT_GT(t.affected_traces, 10u);
  std::vector<TSpan> spans = ReadSpans(dir.path());
  auto [in, out] = ServerStats(spans, "payment");
  ASSERT_GT(in.n, 10u);
  EXPECT_GT(in.mean(), 2.0 * out.mean()) << in.mean() << " vs " << out.mean();
  // The services it does not call are not slower.
  auto [uin, uout] = ServerStats(spans, "users");
  EXPECT_LT(uin.mean(), 1.5 * uout.mean());
}

TEST(SimFaults, ErrorFailsTheServiceAndPropagatesToCallers) {
  ScratchDir dir;
  RunSim(dir.path(), 8, 600, 4, {"error:inventory"});
  Truth t = ReadTruth(dir.path());
  EXPECT_EQ(t.fields["kind"], "error");
  EXPECT_EQ(t.fields["service"], "inventory");
  EXPECT_EQ(t.fields["start"], "2025-01-15T10:20:00.000Z");
  EXPECT_EQ(t.fields["end"], "2025-01-15T10:30:00.000Z");
  EXPECT_EQ(t.fields["magnitude"], "0.5");
  std::vector<TSpan> spans = ReadSpans(dir.path());
  auto [in, out] = ServerStats(spans, "inventory");
  EXPECT_GT(in.error_rate(), 0.3);
  EXPECT_LT(out.error_rate(), 0.05);
  size_t propagated = 0;
  for (const TSpan& s : spans) {
    if (s.service == "inventory" && s.error() && InWindow(s.start)) {
      EXPECT_EQ(s.message, "stock ledger out of sync for sku");
    }
    if (s.service != "inventory" && s.kind == 2 && s.error() &&
        s.message.find("downstream inventory failed: stock ledger out of sync") !=
            std::string::npos) {
      ++propagated;
    }
  }
  EXPECT_GT(propagated, 10u);
}

TEST(SimFaults, CascadeTimesOutCallersAndFailsTheRoots) {
  ScratchDir dir;
  RunSim(dir.path(), 8, 600, 5, {"cascade:payment"});
  Truth t = ReadTruth(dir.path());
  EXPECT_EQ(t.fields["kind"], "cascade");
  EXPECT_EQ(t.fields["service"], "payment");
  std::vector<TSpan> spans = ReadSpans(dir.path());
  std::set<std::string> touched;
  size_t timeouts = 0;
  size_t hung = 0;
  for (const TSpan& s : spans) {
    if (s.service == "payment" && s.kind == 2 && InWindow(s.start)) {
      touched.insert(s.trace);
      bool pool = s.message.find("connection pool exhausted") != std::string::npos;
      hung += pool;
      if (pool) {
        EXPECT_TRUE(s.error());
        EXPECT_GT(s.ms(), 1000.0);
      }
    }
  }
  ASSERT_GT(touched.size(), 10u);
  // magnitude 0.95: nearly every request hangs.
  EXPECT_GT(static_cast<double>(hung), 0.85 * touched.size());
  size_t failed_roots = 0;
  for (const TSpan& s : spans) {
    if (s.parent.empty() && touched.count(s.trace)) {
      failed_roots += s.error();
      if (s.error()) {
        EXPECT_NE(s.message.find("downstream checkout"), std::string::npos);
      }
    }
    if (s.service == "checkout" && s.kind == 2 && touched.count(s.trace) && s.error()) {
      timeouts += s.message.find("downstream payment") != std::string::npos;
    }
  }
  EXPECT_GT(static_cast<double>(failed_roots), 0.8 * touched.size());
  EXPECT_GT(timeouts, 10u);
  auto [in, out] = ServerStats(spans, "checkout");
  EXPECT_GT(in.mean(), 5 * out.mean());
}

TEST(SimFaults, SlowInstanceSlowsOnlyThatInstance) {
  ScratchDir dir;
  RunSim(dir.path(), 8, 800, 6, {"slow-instance:orders,instance=1"});
  Truth t = ReadTruth(dir.path());
  EXPECT_EQ(t.fields["kind"], "slow-instance");
  EXPECT_EQ(t.fields["service"], "orders");
  EXPECT_EQ(t.fields["instance"].rfind("orders-", 0), 0u) << t.fields["instance"];
  EXPECT_EQ(t.fields["magnitude"], "8");
  std::string slow = t.fields["instance"];
  Stats slow_in, slow_out, other_in, other_out;
  for (const TSpan& s : ReadSpans(dir.path())) {
    if (s.service != "orders" || s.kind != 2) continue;
    bool in = InWindow(s.start);
    if (s.instance == slow) {
      (in ? slow_in : slow_out).Add(s);
    } else {
      (in ? other_in : other_out).Add(s);
    }
  }
  ASSERT_GT(slow_in.n, 5u);
  ASSERT_GT(other_in.n, 5u);
  EXPECT_GT(slow_in.mean(), 3 * other_in.mean());
  EXPECT_LT(other_in.mean(), 1.5 * other_out.mean());
  EXPECT_LT(slow_out.mean(), 1.5 * other_out.mean());
}

TEST(SimFaults, InconsistentStateMakesPaymentDisagreeWithTheOrder) {
  ScratchDir dir;
  RunSim(dir.path(), 8, 600, 7, {"inconsistent-state:payment"});
  Truth t = ReadTruth(dir.path());
  EXPECT_EQ(t.fields["kind"], "inconsistent-state");
  EXPECT_EQ(t.fields["service"], "payment");
  ASSERT_FALSE(t.entities.empty());
  EXPECT_EQ(t.fields["entity"], t.entities[0]);
  EXPECT_EQ(t.fields["stream"], "payment-" + t.entities[0]);
  EXPECT_EQ(t.streams.size(), t.entities.size());
  std::set<std::string> affected(t.entities.begin(), t.entities.end());
  std::map<std::string, std::string> totals, captured;
  std::map<std::string, int64_t> captured_at;
  for (const TEvent& e : ReadEvents(dir.path())) {
    if (e.type == "OrderPlaced") totals[e.payload.at("order_id")] = e.payload.at("total");
    if (e.type == "PaymentCaptured") {
      captured[e.payload.at("order_id")] = e.payload.at("amount");
      captured_at[e.payload.at("order_id")] = e.time;
    }
  }
  size_t disagreeing = 0;
  for (const auto& [order, amount] : captured) {
    bool disagree = amount != totals[order];
    EXPECT_EQ(disagree, affected.count(order) == 1) << order;
    if (disagree) {
      EXPECT_TRUE(InWindow(captured_at[order])) << order;
    }
    disagreeing += disagree;
  }
  EXPECT_EQ(disagreeing, affected.size());
}

TEST(SimFaults, InconsistentStateOnOrdersCancelsOrdersThatWerePaid) {
  ScratchDir dir;
  RunSim(dir.path(), 8, 600, 8, {"inconsistent-state:orders,count=2"});
  Truth t = ReadTruth(dir.path());
  ASSERT_EQ(t.entities.size(), 2u);
  EXPECT_EQ(t.fields["stream"], "order-" + t.entities[0].substr(4));
  std::map<std::string, std::string> last_order_type;
  std::set<std::string> paid;
  for (const TEvent& e : ReadEvents(dir.path())) {
    if (e.stream.rfind("order-", 0) == 0) last_order_type[e.payload.at("order_id")] = e.type;
    if (e.type == "PaymentCaptured") paid.insert(e.payload.at("order_id"));
  }
  for (const std::string& order : t.entities) {
    EXPECT_EQ(last_order_type[order], "OrderCancelled") << order;
    EXPECT_TRUE(paid.count(order)) << order;
  }
}

TEST(SimFaults, VersionGapSkipsAVersionInOneStream) {
  ScratchDir dir;
  RunSim(dir.path(), 8, 600, 9, {"version-gap:orders"});
  Truth t = ReadTruth(dir.path());
  EXPECT_EQ(t.fields["kind"], "version-gap");
  ASSERT_EQ(t.streams.size(), 1u);
  std::string stream = t.fields["stream"];
  EXPECT_EQ(stream, t.streams[0]);
  EXPECT_EQ(stream, "order-" + t.fields["entity"].substr(4));
  std::map<std::string, std::vector<uint64_t>> versions;
  for (const TEvent& e : ReadEvents(dir.path())) {
    versions[e.stream].push_back(e.version);
    if (e.stream == stream) {
      EXPECT_TRUE(InWindow(e.time));
    }
  }
  ASSERT_TRUE(versions.count(stream));
  EXPECT_EQ(versions[stream], (std::vector<uint64_t>{1, 3}));
  for (const auto& [id, list] : versions) {
    if (id == stream) continue;
    for (size_t i = 0; i < list.size(); ++i) ASSERT_EQ(list[i], i + 1) << id;
  }
}

TEST(SimFaults, RetryStormRepeatsIdenticalClientSpans) {
  ScratchDir dir;
  RunSim(dir.path(), 8, 600, 10, {"retry-storm:inventory"});
  Truth t = ReadTruth(dir.path());
  EXPECT_EQ(t.fields["kind"], "retry-storm");
  EXPECT_EQ(t.fields["magnitude"], "0.8");
  // Identical CLIENT children (same parent, same name) calling inventory.
  std::map<std::tuple<std::string, std::string, std::string>, std::pair<int, int64_t>> siblings;
  for (const TSpan& s : ReadSpans(dir.path())) {
    if (s.kind != 3 || s.attrs.count("peer.service") == 0 ||
        s.attrs.at("peer.service") != "inventory") {
      continue;
    }
    auto& entry = siblings[{s.trace, s.parent, s.name}];
    if (entry.first++ == 0) entry.second = s.start;
  }
  size_t storms_in = 0;
  int max_out = 0;
  for (const auto& [key, entry] : siblings) {
    if (InWindow(entry.second)) {
      storms_in += entry.first >= 4;
    } else {
      max_out = std::max(max_out, entry.first);
    }
  }
  EXPECT_GT(storms_in, 20u);
  EXPECT_LE(max_out, 3);
}

TEST(SimFaults, BadDeployIntroducesASlowerVersionFromItsStart) {
  ScratchDir dir;
  RunSim(dir.path(), 8, 600, 11, {"bad-deploy:orders,start=30m"});
  Truth t = ReadTruth(dir.path());
  EXPECT_EQ(t.fields["kind"], "bad-deploy");
  EXPECT_EQ(t.fields["version"], "5.1.0");
  EXPECT_EQ(t.fields["previous_version"], "5.0.4");
  EXPECT_EQ(t.fields["start"], "2025-01-15T10:30:00.000Z");
  EXPECT_EQ(t.fields["end"], "2025-01-15T11:00:00.000Z");
  EXPECT_EQ(t.fields["error_rate"], "0.1");
  int64_t deploy = Time("2025-01-15T10:30:00Z");
  Stats old_version, new_version;
  std::set<std::string> new_pods, old_pods;
  for (const TSpan& s : ReadSpans(dir.path())) {
    if (s.service != "orders") continue;
    if (s.version == "5.1.0") {
      EXPECT_GE(s.start, deploy);
      new_pods.insert(s.instance);
      if (s.kind == 2) new_version.Add(s);
    } else {
      EXPECT_EQ(s.version, "5.0.4");
      EXPECT_LT(s.start, deploy);
      old_pods.insert(s.instance);
      if (s.kind == 2) old_version.Add(s);
    }
  }
  ASSERT_GT(new_version.n, 20u);
  EXPECT_GT(new_version.mean(), 1.5 * old_version.mean());
  EXPECT_GT(new_version.error_rate(), old_version.error_rate() + 0.03);
  for (const std::string& pod : new_pods) EXPECT_EQ(old_pods.count(pod), 0u) << pod;
}

TEST(SimFaults, SeveralFaultsAreAllInTheGroundTruth) {
  ScratchDir dir;
  SimSummary s = RunSim(dir.path(), 8, 200, 12,
                        {"latency:payment,start=5m,duration=5m",
                         "error:orders,start=2025-01-15T10:40:00Z,duration=30m"});
  ASSERT_EQ(s.faults.size(), 2u);
  Truth first = ReadTruth(dir.path(), 0);
  Truth second = ReadTruth(dir.path(), 1);
  EXPECT_EQ(first.fault_count, 2u);
  EXPECT_EQ(first.fields["start"], "2025-01-15T10:05:00.000Z");
  EXPECT_EQ(first.fields["end"], "2025-01-15T10:10:00.000Z");
  EXPECT_EQ(second.fields["kind"], "error");
  EXPECT_EQ(second.fields["start"], "2025-01-15T10:40:00.000Z");
  // Clipped to the end of the simulated range.
  EXPECT_EQ(second.fields["end"], "2025-01-15T11:00:00.000Z");
  EXPECT_EQ(s.faults[1].affected_traces, second.affected_traces);
}

}  // namespace
}  // namespace ddbg
