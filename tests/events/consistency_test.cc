#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>

#include "ddbg/events.h"
#include "events/consistency_internal.h"
#include "events/events_test_util.h"

namespace ddbg {
namespace {

using events_test::ScratchStore;
using events_test::T;

TEST(Consistency, ReportsEachDisagreementAndSinceWhen) {
  ScratchStore s;
  s.Add({
      {"order-1", 1, "2024-05-01T12:00:00Z", "OrderPlaced", R"({"order_id":"o1","status":"pending","total":10})", "orders"},
      {"payment-o1", 1, "2024-05-01T12:00:05Z", "PaymentCaptured", R"({"order_id":"o1","status":"captured","amount":11})", "payment"},
      {"order-1", 2, "2024-05-01T12:00:10Z", "OrderConfirmed", R"({"status":"confirmed"})", "orders"},
      {"order-1", 3, "2024-05-01T12:00:20Z", "OrderCancelled", R"({"status":"cancelled"})", "orders"},
      {"order-2", 1, "2024-05-01T12:00:00Z", "OrderPlaced", R"({"order_id":"o2","status":"pending","total":10})", "orders"},
  });
  auto reducer = NewMergePatchReducer();
  ConsistencyRules rules;
  auto r = CheckConsistency(s.store(), "o1", T("2024-05-01T12:01:00Z"), rules, *reducer);
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->views.size(), 2u);
  ASSERT_EQ(r->disagreements.size(), 2u);
  EXPECT_EQ(r->disagreements[0].field, "amount");
  EXPECT_EQ(r->disagreements[0].since_ns, T("2024-05-01T12:00:05Z"));
  EXPECT_EQ(r->disagreements[1].field, "status");
  EXPECT_EQ(r->disagreements[1].since_ns, T("2024-05-01T12:00:20Z"));

  // Before the cancellation only the amounts disagree.
  r = CheckConsistency(s.store(), "o1", T("2024-05-01T12:00:15Z"), rules, *reducer);
  ASSERT_EQ(r->disagreements.size(), 1u);
  EXPECT_EQ(r->disagreements[0].field, "amount");
  EXPECT_EQ(CheckConsistency(s.store(), "o9", INT64_MAX, rules, *reducer).status().code(),
            StatusCode::kNotFound);
}

TEST(Consistency, RulesParseAndRejectUnknownMembers) {
  auto rules = ParseConsistencyRules(
      R"({"entity_key":"trade_id","compare":[{"name":"amt","fields":["amount_usd"]}]})");
  ASSERT_TRUE(rules.ok());
  EXPECT_EQ(rules->entity_key, "trade_id");
  ASSERT_EQ(rules->compare.size(), 1u);
  EXPECT_FALSE(ParseConsistencyRules(R"({"entity":"x"})").ok());
  EXPECT_FALSE(ParseConsistencyRules("[").ok());
}

// The simulated system documents one natural disagreement: when checkout times out waiting
// for a slow payment that then succeeds, the order is cancelled while the payment is
// captured. Everything else found must be exactly the injected entities.
TEST(Consistency, FindsExactlyTheInjectedInconsistentEntities) {
  events_test::SimulatedStore sim(events_test::EventFaultOptions());
  const SimFault* fault = sim.fault(FaultKind::kInconsistentState);
  ASSERT_NE(fault, nullptr);
  ASSERT_EQ(fault->entities.size(), 3u);
  auto reducer = NewMergePatchReducer();
  auto found = CheckAllConsistency(sim.store(), ConsistencyRules{}, *reducer);
  ASSERT_TRUE(found.ok());
  std::set<std::string> injected(fault->entities.begin(), fault->entities.end());
  std::set<std::string> amount;
  for (const auto& r : *found) {
    // Checked at the end of the entity's events, which name the requests that wrote them.
    EXPECT_LT(r.at_ns, INT64_MAX) << r.entity;
    EXPECT_FALSE(r.trace_ids.empty()) << r.entity;
    for (const auto& d : r.disagreements) {
      EXPECT_LE(d.since_ns, r.at_ns) << r.entity;
      if (d.field == "amount") {
        amount.insert(r.entity);
        continue;
      }
      ASSERT_EQ(d.field, "status") << r.entity;
      EXPECT_FALSE(injected.count(r.entity)) << r.entity;
      std::map<std::string, std::string> by_service(d.values.begin(), d.values.end());
      EXPECT_EQ(by_service["orders"], "cancelled") << r.entity;
      EXPECT_EQ(by_service["payment"], "captured") << r.entity;
    }
  }
  EXPECT_EQ(amount, injected);
}

std::vector<std::string> Entities(const std::vector<ConsistencyReport>& reports) {
  std::vector<std::string> out;
  for (const auto& r : reports) out.push_back(r.entity);
  return out;
}

// Uncapped, the two-pass sample finds exactly what CheckAllConsistency finds; capped, it
// checks that many entities and finds a subset of them.
TEST(Consistency, SampleMatchesTheFullCheckAndHonoursItsCap) {
  events_test::SimulatedStore sim(events_test::EventFaultOptions());
  auto reducer = NewMergePatchReducer();
  auto all = CheckAllConsistency(sim.store(), ConsistencyRules{}, *reducer);
  ASSERT_TRUE(all.ok());
  ConsistencySample sample;
  auto same = CheckConsistencySample(sim.store(), ConsistencyRules{}, *reducer, SIZE_MAX, &sample);
  ASSERT_TRUE(same.ok());
  EXPECT_EQ(Entities(*same), Entities(*all));
  for (size_t i = 0; i < same->size() && i < all->size(); ++i) {
    EXPECT_EQ((*same)[i].disagreements.size(), (*all)[i].disagreements.size());
    EXPECT_EQ((*same)[i].at_ns, (*all)[i].at_ns);
  }
  EXPECT_EQ(sample.checked, sample.entities);
  ASSERT_GT(sample.entities, 10u);

  auto few = CheckConsistencySample(sim.store(), ConsistencyRules{}, *reducer, 10, &sample);
  ASSERT_TRUE(few.ok());
  EXPECT_EQ(sample.checked, 10u);
  EXPECT_GT(sample.entities, 10u);
  std::vector<std::string> every = Entities(*all);
  for (const std::string& e : Entities(*few)) {
    EXPECT_NE(std::find(every.begin(), every.end(), e), every.end()) << e;
  }
}

}  // namespace
}  // namespace ddbg

namespace ddbg {
namespace {

// The entities seen by two or more services (by the streams that name each first), in the
// order the sample takes them: by std::hash of the value.
std::vector<std::string> SharedEntitiesByHash(Store& store) {
  std::map<std::string, std::string> entity_of;  // stream -> first entity named
  simdjson::dom::parser parser;
  Status st = store.ScanEvents({}, [&](const EventBatch& b) {
    for (size_t i = 0; i < b.size(); ++i) {
      std::string entity = events::EntityOf(parser, b.dict.Get(b.payload[i]), "order_id");
      if (!entity.empty()) entity_of.emplace(b.dict.Get(b.stream[i]), entity);
    }
    return Status::Ok();
  });
  EXPECT_TRUE(st.ok());
  std::map<std::string, int> streams;
  for (const auto& [stream, entity] : entity_of) ++streams[entity];
  std::vector<std::string> shared;
  for (const auto& [entity, n] : streams) {
    if (n >= 2) shared.push_back(entity);
  }
  std::sort(shared.begin(), shared.end(), [](const std::string& a, const std::string& b) {
    return std::hash<std::string>()(a) < std::hash<std::string>()(b);
  });
  return shared;
}

// The one-scan sample (events of the likely-chosen entities kept while scanning segments of
// 100 events, so its threshold falls mid-scan) reports exactly what the full check reports
// for the entities it chose: with the cap just including each inconsistent entity, it is
// found with the same views' outcome; with the cap just excluding it, it is not.
TEST(ConsistencyScan, OneScanSampleIsTheFullCheckOfTheChosenEntities) {
  events_test::SimulatedStore sim(events_test::EventFaultOptions());
  EmbeddedStoreOptions small_segments;
  small_segments.max_rows_per_event_segment = 100;
  ScratchStore s(small_segments);
  ASSERT_TRUE(sim.store().ScanEvents({}, [&](const EventBatch& b) { return s.store().AppendEvents(b); }).ok());
  auto reducer = NewMergePatchReducer();
  auto all = CheckAllConsistency(s.store(), ConsistencyRules{}, *reducer);
  ASSERT_TRUE(all.ok());
  ASSERT_FALSE(all->empty());
  std::vector<std::string> shared = SharedEntitiesByHash(s.store());
  int folded_from_the_scan = 0;  // runs that did not read the chosen streams again
  for (const ConsistencyReport& bad : *all) {
    size_t rank = std::find(shared.begin(), shared.end(), bad.entity) - shared.begin();
    ASSERT_LT(rank, shared.size()) << bad.entity;
    for (size_t cap : {rank, rank + 1}) {
      ConsistencyScan scan(ConsistencyRules{}, cap);
      ASSERT_TRUE(ScanEventsShared(s.store(), {}, 2, {&scan}).ok());
      ConsistencySample sample;
      auto got = scan.Finish(s.store(), *reducer, &sample);
      ASSERT_TRUE(got.ok()) << got.status().message();
      folded_from_the_scan += scan.reread() ? 0 : 1;
      EXPECT_EQ(sample.entities, shared.size());
      EXPECT_EQ(sample.checked, cap);
      std::vector<std::string> expected;
      for (const ConsistencyReport& r : *all) {
        size_t at = std::find(shared.begin(), shared.end(), r.entity) - shared.begin();
        if (at < cap) expected.push_back(r.entity);
      }
      EXPECT_EQ(Entities(*got), expected) << "cap " << cap;
      for (const ConsistencyReport& r : *got) {
        auto same = std::find_if(all->begin(), all->end(), [&](const auto& a) { return a.entity == r.entity; });
        ASSERT_NE(same, all->end());
        EXPECT_EQ(r.disagreements.size(), same->disagreements.size()) << r.entity;
        EXPECT_EQ(r.views.size(), same->views.size()) << r.entity;
        EXPECT_EQ(r.trace_ids, same->trace_ids) << r.entity;
        EXPECT_EQ(r.at_ns, same->at_ns) << r.entity;
      }
    }
  }
  EXPECT_GT(folded_from_the_scan, 0);
}

}  // namespace
}  // namespace ddbg
