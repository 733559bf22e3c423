#include <gtest/gtest.h>
#include <simdjson.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <tuple>

#include "ddbg/decode.h"
#include "ddbg/flow.h"
#include "events/events_test_util.h"

namespace ddbg {
namespace {

using events_test::ScratchStore;
using events_test::SimulatedStore;
using events_test::T;

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

using Hop = std::tuple<int64_t, std::string, std::string>;  // time, service, name

// The hop sequence of a correlation id computed straight from the simulator's files (not
// through the store): the trace whose spans carry the id, its SERVER/CONSUMER/root spans,
// and the events whose metadata names the id, in time order.
std::vector<Hop> ExpectedHops(const SimulatedStore& sim, const std::string& corr, TraceId* trace) {
  DecodeContext ctx("traces");
  EXPECT_TRUE(DecodeBuffer(Format::kOtlpJson, ReadAll(sim.input("traces.otlp.jsonl")), ctx).ok());
  const SpanBatch& b = ctx.spans;
  for (size_t i = 0; i < b.size() && trace->empty(); ++i) {
    bool in_resource = false;
    int64_t a = b.FindAttr(i, "correlation_id", &in_resource);
    if (a >= 0 && b.attrs.ValueText(b.dict, a) == corr) *trace = b.trace_id[i];
  }
  std::vector<Hop> hops;
  for (size_t i = 0; i < b.size(); ++i) {
    if (b.trace_id[i] != *trace) continue;
    if (b.kind[i] == SpanKind::kServer || b.kind[i] == SpanKind::kConsumer || b.parent_span_id[i] == 0) {
      hops.emplace_back(b.start_ns[i], std::string(b.dict.Get(b.service[i])),
                        std::string(b.dict.Get(b.name[i])));
    }
  }
  simdjson::dom::parser parser;
  std::istringstream lines(ReadAll(sim.input("events.jsonl")));
  std::string line;
  while (std::getline(lines, line)) {
    simdjson::dom::element e = parser.parse(line);
    if (std::string_view(e["metadata"]["correlation_id"]) != corr) continue;
    int64_t ns = 0;
    ParseTimestampText(std::string_view(e["timestamp"]), &ns);
    hops.emplace_back(ns, std::string(std::string_view(e["service"])),
                      std::string(std::string_view(e["type"])));
  }
  std::stable_sort(hops.begin(), hops.end(),
                   [](const Hop& a, const Hop& b) { return std::get<0>(a) < std::get<0>(b); });
  return hops;
}

std::vector<Hop> FlowHops(const FlowReport& r) {
  std::vector<Hop> hops;
  for (size_t i : r.hops) {
    hops.emplace_back(r.records[i].time_ns, r.records[i].service, r.records[i].name);
  }
  return hops;
}

// The correlation ids of the first few checkouts (the ones that write events).
std::vector<std::string> CheckoutCorrelations(const SimulatedStore& sim, size_t n) {
  std::vector<std::string> out;
  simdjson::dom::parser parser;
  std::istringstream lines(ReadAll(sim.input("events.jsonl")));
  std::string line;
  while (std::getline(lines, line) && out.size() < n) {
    simdjson::dom::element e = parser.parse(line);
    if (std::string_view(e["type"]) != "OrderPlaced") continue;
    out.emplace_back(std::string_view(e["metadata"]["correlation_id"]));
  }
  return out;
}

TEST(Flow, ReproducesTheSimulatedHopSequenceByCorrelationAndTraceId) {
  SimOptions o;
  o.traces = 300;
  o.seed = 11;
  SimulatedStore sim(o);
  std::vector<std::string> ids = CheckoutCorrelations(sim, 3);
  ASSERT_EQ(ids.size(), 3u);
  for (const std::string& corr : ids) {
    TraceId trace;
    std::vector<Hop> expected = ExpectedHops(sim, corr, &trace);
    ASSERT_FALSE(trace.empty());
    ASSERT_GE(expected.size(), 8u);
    auto flow = BuildFlow(sim.store(), corr);
    ASSERT_TRUE(flow.ok()) << flow.status().message();
    EXPECT_EQ(FlowHops(*flow), expected) << corr;
    EXPECT_EQ(flow->trace_ids, std::vector<std::string>{TraceIdToHex(trace)});
    EXPECT_EQ(flow->services.front(), "frontend");
    auto by_trace = BuildFlow(sim.store(), TraceIdToHex(trace));
    ASSERT_TRUE(by_trace.ok());
    EXPECT_EQ(FlowHops(*by_trace), expected) << TraceIdToHex(trace);
    EXPECT_EQ(by_trace->records.size(), flow->records.size());
  }
}

void AddSpan(SpanBatch& b, uint32_t res, TraceId t, SpanId id, SpanId parent, SpanKind kind,
             const char* name, int64_t start, int64_t end, const char* corr, const char* peer) {
  if (corr != nullptr) b.attrs.AddString(b.dict.Intern("correlation_id"), b.dict.Intern(corr));
  if (peer != nullptr) b.attrs.AddString(b.dict.Intern("peer.service"), b.dict.Intern(peer));
  SpanRow r;
  r.trace_id = t;
  r.span_id = id;
  r.parent_span_id = parent;
  r.resource = res;
  r.name = b.dict.Intern(name);
  r.kind = kind;
  r.start_ns = start;
  r.end_ns = end;
  b.CommitSpan(r);
}

TEST(Flow, FlagsBreaksDelaysAndErrorsAndFollowsCausation) {
  ScratchStore s;
  int64_t t0 = T("2024-05-01T12:00:00Z");
  const int64_t ms = 1000000;
  SpanBatch b;
  uint32_t gw = b.CommitResource(b.dict.Intern("gateway"));
  uint32_t pay = b.CommitResource(b.dict.Intern("payment"));
  TraceId t{0, 0xabc};
  AddSpan(b, gw, t, 1, 0, SpanKind::kServer, "POST /pay", t0, t0 + 50 * ms, "c-1", nullptr);
  AddSpan(b, gw, t, 2, 1, SpanKind::kClient, "Charge", t0 + 1 * ms, t0 + 40 * ms, nullptr, "payment");
  AddSpan(b, pay, t, 3, 2, SpanKind::kServer, "Charge", t0 + 2 * ms, t0 + 30 * ms, "c-1", nullptr);
  AddSpan(b, gw, t, 4, 1, SpanKind::kClient, "Refund", t0 + 41 * ms, t0 + 45 * ms, nullptr, "payment");
  AddSpan(b, pay, t, 5, 0x99, SpanKind::kServer, "Orphan", t0 + 42 * ms, t0 + 44 * ms, nullptr, nullptr);
  ASSERT_TRUE(s.store().AppendSpans(b).ok());
  s.Add({
      {"pay-1", 1, "2024-05-01T12:00:00.020Z", "PaymentCaptured", "{}", "payment", "e1", "c-1", "c-1"},
      // Another correlation id, caused by e1: the id changed hands.
      {"ship-1", 1, "2024-05-01T12:00:05Z", "ShipmentScheduled", "{}", "shipping", "e2", "c-2", "e1"},
      {"ship-1", 2, "2024-05-01T12:00:06Z", "ShipmentFailed", "{}", "shipping", "e3", "c-2", "e-missing"},
  });
  FlowOptions o;
  auto r = BuildFlow(s.store(), "c-1", o);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->records.size(), 8u);
  EXPECT_EQ(r->services, (std::vector<std::string>{"gateway", "payment", "shipping"}));
  EXPECT_EQ(r->correlation_ids, (std::vector<std::string>{"c-1", "c-2"}));
  ASSERT_EQ(r->breaks.size(), 3u);
  std::string all;
  for (const auto& f : r->breaks) all += f.what + "\n";
  EXPECT_NE(all.find("gateway called payment ('Refund') but payment has no record"), std::string::npos) << all;
  EXPECT_NE(all.find("parent span 0000000000000099 has no record"), std::string::npos) << all;
  EXPECT_NE(all.find("caused by event e-missing"), std::string::npos) << all;
  ASSERT_EQ(r->delays.size(), 1u);
  EXPECT_EQ(r->delays[0].service, "shipping");
  EXPECT_EQ(r->end_ns - r->start_ns, 6000 * ms);
  EXPECT_EQ(BuildFlow(s.store(), "nobody").status().code(), StatusCode::kNotFound);
}

TEST(Flow, FlagsAPublishedMessageThatNoConsumerReceived) {
  ScratchStore s;
  int64_t t0 = T("2024-05-01T12:00:00Z");
  const int64_t ms = 1000000;
  SpanBatch b;
  uint32_t orders = b.CommitResource(b.dict.Intern("orders"));
  uint32_t mail = b.CommitResource(b.dict.Intern("mailer"));
  TraceId t{0, 0x51}, consumer_trace{0, 0x52};
  AddSpan(b, orders, t, 1, 0, SpanKind::kServer, "POST /orders", t0, t0 + 20 * ms, "c-9", nullptr);
  AddSpan(b, orders, t, 2, 1, SpanKind::kProducer, "publish order.created", t0 + ms, t0 + 2 * ms,
          nullptr, nullptr);
  AddSpan(b, mail, t, 3, 2, SpanKind::kConsumer, "consume order.created", t0 + 3 * ms,
          t0 + 4 * ms, nullptr, nullptr);  // a child of its producer
  AddSpan(b, orders, t, 4, 1, SpanKind::kProducer, "publish order.audit", t0 + 5 * ms,
          t0 + 6 * ms, nullptr, nullptr);  // received in another trace, through a link
  AddSpan(b, orders, t, 5, 1, SpanKind::kProducer, "publish order.billing", t0 + 7 * ms,
          t0 + 8 * ms, nullptr, nullptr);  // never received
  b.CommitLink(t, 4, kEmptyStr);
  AddSpan(b, mail, consumer_trace, 6, 0, SpanKind::kConsumer, "consume order.audit", t0 + 9 * ms,
          t0 + 10 * ms, nullptr, nullptr);
  ASSERT_TRUE(s.store().AppendSpans(b).ok());
  auto r = BuildFlow(s.store(), "c-9");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->records.size(), 5u);  // the linked consumer trace is not named by the flow
  ASSERT_EQ(r->breaks.size(), 2u);
  std::string all;
  for (const auto& f : r->breaks) all += f.what + "\n";
  EXPECT_NE(all.find("orders published 'publish order.audit' but no consumer"), std::string::npos)
      << all;
  EXPECT_NE(all.find("orders published 'publish order.billing' but no consumer"),
            std::string::npos)
      << all;
  // Following the audit consumer's trace (it links to the producer) clears that break.
  auto by_consumer = BuildFlow(s.store(), TraceIdToHex(consumer_trace));
  ASSERT_TRUE(by_consumer.ok());
  EXPECT_EQ(by_consumer->records.size(), 6u);  // the link brings the producer's trace in
  ASSERT_EQ(by_consumer->breaks.size(), 1u);
  EXPECT_NE(by_consumer->breaks[0].what.find("order.billing"), std::string::npos);
}

TEST(Workflow, TimelineWithMissingAndOutOfOrderStepsAgainstGivenSteps) {
  SimOptions o;
  o.traces = 300;
  o.seed = 11;
  SimulatedStore sim(o);
  std::vector<std::string> ids = CheckoutCorrelations(sim, 1);
  TraceId trace;
  ExpectedHops(sim, ids[0], &trace);
  auto flow = BuildFlow(sim.store(), ids[0]);
  ASSERT_TRUE(flow.ok());
  // The workflow id of that checkout, from its spans.
  std::string order;
  for (const auto& rec : flow->records) {
    if (rec.kind == FlowRecordKind::kEvent && rec.name == "OrderPlaced") order = rec.detail;
  }
  ASSERT_FALSE(order.empty());
  std::string number = order.substr(6, order.find(' ') - 6);  // "order-100001 v1"
  std::string wf = "checkout-ord-" + number;
  WorkflowOptions w;
  w.steps = {"OrderPlaced", "StockReserved", "PaymentCaptured", "GiftWrapped"};
  auto r = AnalyzeWorkflow(sim.store(), wf, w);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->missing, std::vector<std::string>{"GiftWrapped"});
  EXPECT_TRUE(r->out_of_order.empty());
  EXPECT_EQ(r->expected_source, "given");
  w.steps = {"PaymentCaptured", "OrderPlaced"};
  r = AnalyzeWorkflow(sim.store(), wf, w);
  EXPECT_EQ(r->out_of_order, std::vector<std::string>{"OrderPlaced before PaymentCaptured"});
  // Learned from the other checkouts: a completed checkout has nothing to report.
  w.steps.clear();
  r = AnalyzeWorkflow(sim.store(), wf, w);
  ASSERT_TRUE(r.ok());
  EXPECT_NE(r->expected_source.find("learned from"), std::string::npos);
  EXPECT_TRUE(std::find(r->expected.begin(), r->expected.end(), "OrderPlaced") != r->expected.end());
  EXPECT_TRUE(r->missing.empty());
  EXPECT_EQ(AnalyzeWorkflow(sim.store(), "checkout-ord-1", w).status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace ddbg
