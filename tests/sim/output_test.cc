// The shape of a healthy simulation: well-formed traces over the range, the call graph's
// features (databases, Kafka, retries, instances, business attributes), logs in three formats
// carrying trace ids, and consistent event streams.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>

#include "ddbg/sim.h"
#include "sim_test_util.h"

namespace ddbg {
namespace {

using sim_test::Lines;
using sim_test::ReadAll;
using sim_test::ReadEvents;
using sim_test::ReadSpans;
using sim_test::RunSim;
using sim_test::ScratchDir;
using sim_test::TEvent;
using sim_test::TSpan;

constexpr int64_t kStart = 1736935200LL * 1000000000LL;
constexpr int64_t kHour = 3600LL * 1000000000LL;

class SimOutput : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new ScratchDir();
    summary_ = new SimSummary(RunSim(dir_->Sub("out"), 12, 400, 11));
    spans_ = new std::vector<TSpan>(ReadSpans(dir_->Sub("out")));
    events_ = new std::vector<TEvent>(ReadEvents(dir_->Sub("out")));
  }
  static void TearDownTestSuite() {
    delete events_;
    delete spans_;
    delete summary_;
    delete dir_;
  }
  static std::string Out(const std::string& rel) { return dir_->Sub("out/" + rel); }
  static ScratchDir* dir_;
  static SimSummary* summary_;
  static std::vector<TSpan>* spans_;
  static std::vector<TEvent>* events_;
};
ScratchDir* SimOutput::dir_ = nullptr;
SimSummary* SimOutput::summary_ = nullptr;
std::vector<TSpan>* SimOutput::spans_ = nullptr;
std::vector<TEvent>* SimOutput::events_ = nullptr;

TEST_F(SimOutput, TracesAreWellFormedAndInsideTheRange) {
  const std::vector<TSpan>& spans = *spans_;
  EXPECT_EQ(spans.size(), summary_->spans);
  std::set<std::pair<std::string, std::string>> ids;
  std::set<std::string> traces;
  for (const TSpan& s : spans) {
    ids.insert({s.trace, s.span});
    traces.insert(s.trace);
    EXPECT_EQ(s.trace.size(), 32u);
    EXPECT_EQ(s.span.size(), 16u);
    EXPECT_GE(s.end, s.start);
  }
  EXPECT_EQ(ids.size(), spans.size()) << "span ids are unique";
  EXPECT_EQ(traces.size(), 400u);
  size_t roots = 0;
  for (const TSpan& s : spans) {
    if (s.parent.empty()) {
      ++roots;
      EXPECT_EQ(s.service, "frontend");
      EXPECT_EQ(s.kind, 2);
      EXPECT_GE(s.start, kStart);
      EXPECT_LT(s.start, kStart + kHour);
    } else {
      EXPECT_TRUE(ids.count({s.trace, s.parent})) << "orphan " << s.name;
    }
  }
  EXPECT_EQ(roots, 400u);
  // About 1% of requests fail without any fault.
  EXPECT_GE(summary_->error_traces, 1u);
  EXPECT_LE(summary_->error_traces, 16u);
}

TEST_F(SimOutput, EveryServiceRunsWithSeveralInstancesAndAVersion) {
  std::map<std::string, std::set<std::string>> instances;
  for (const TSpan& s : *spans_) {
    instances[s.service].insert(s.instance);
    EXPECT_FALSE(s.version.empty());
  }
  for (const std::string& name : summary_->services) {
    ASSERT_TRUE(instances.count(name)) << name << " has no spans";
    EXPECT_GE(instances[name].size(), 2u) << name;
  }
}

TEST_F(SimOutput, CallsHaveClientAndServerSpansWithProtocolAttributes) {
  std::map<std::string, const TSpan*> by_id;
  for (const TSpan& s : *spans_) by_id[s.trace + s.span] = &s;
  size_t http = 0, grpc = 0;
  for (const TSpan& s : *spans_) {
    if (s.kind != 2 || s.parent.empty()) continue;
    const TSpan* client = by_id[s.trace + s.parent];
    ASSERT_NE(client, nullptr);
    EXPECT_EQ(client->kind, 3) << s.name;
    EXPECT_EQ(client->name, s.name);
    EXPECT_EQ(client->attrs.at("peer.service"), s.service);
    if (s.attrs.count("rpc.system")) {
      ++grpc;
      EXPECT_EQ(s.attrs.at("rpc.system"), "grpc");
      EXPECT_TRUE(s.attrs.count("rpc.grpc.status_code"));
    } else {
      ++http;
      EXPECT_TRUE(s.attrs.count("http.route")) << s.name;
      EXPECT_TRUE(s.attrs.count("http.response.status_code") || s.attrs.count("http.status_code"));
      EXPECT_TRUE(s.attrs.count("http.request.method") || s.attrs.count("http.method"));
    }
    EXPECT_TRUE(s.attrs.count("business.user_id"));
    EXPECT_TRUE(s.attrs.count("business.tenant"));
    EXPECT_TRUE(s.attrs.count("correlation_id"));
  }
  EXPECT_GT(http, 100u);
  EXPECT_GT(grpc, 100u);
}

TEST_F(SimOutput, DatabaseAndKafkaSpansFollowTheConventions) {
  std::map<std::string, const TSpan*> by_id;
  for (const TSpan& s : *spans_) by_id[s.trace + s.span] = &s;
  std::set<std::string> systems;
  size_t consumers = 0;
  for (const TSpan& s : *spans_) {
    if (s.attrs.count("db.system")) {
      systems.insert(s.attrs.at("db.system"));
      EXPECT_EQ(s.kind, 3);
      EXPECT_TRUE(s.attrs.count("db.statement"));
    }
    if (s.kind == 5) {
      ++consumers;
      EXPECT_EQ(s.attrs.at("messaging.system"), "kafka");
      EXPECT_TRUE(s.has_link);
      const TSpan* producer = by_id[s.trace + s.parent];
      ASSERT_NE(producer, nullptr);
      EXPECT_EQ(producer->kind, 4);
      EXPECT_EQ(producer->attrs.at("messaging.destination.name"),
                s.attrs.at("messaging.destination.name"));
      EXPECT_GT(s.start, producer->end);
    }
  }
  EXPECT_EQ(systems, (std::set<std::string>{"postgresql", "redis"}));
  EXPECT_GT(consumers, 50u);
}

TEST_F(SimOutput, CheckoutSpansCarryTheOrder) {
  size_t with_order = 0;
  for (const TSpan& s : *spans_) {
    if (s.name != "POST /api/checkout") continue;
    EXPECT_EQ(s.attrs.at("business.order_id").rfind("ord-", 0), 0u);
    EXPECT_EQ(s.attrs.at("business.process_name"), "checkout");
    EXPECT_EQ(s.attrs.at("business.workflow_id"), "checkout-" + s.attrs.at("business.order_id"));
    ++with_order;
  }
  EXPECT_GT(with_order, 20u);
}

TEST_F(SimOutput, LogsComeInThreeFormatsInTimeOrderWithTraceIds) {
  std::set<std::string> traces;
  for (const TSpan& s : *spans_) traces.insert(s.trace);
  std::set<std::string> formats;
  uint64_t total = 0;
  for (const SimFile& f : summary_->files) {
    formats.insert(f.format);
    if (f.path.rfind("logs/", 0) != 0) continue;
    std::vector<std::string> lines = Lines(ReadAll(Out(f.path)));
    EXPECT_EQ(lines.size(), f.records) << f.path;
    total += lines.size();
    std::string previous;
    size_t with_trace = 0;
    for (const std::string& line : lines) {
      std::string ts;
      if (f.format == "text-logs") {
        ts = line.substr(0, 24);
        EXPECT_EQ(ts.back(), 'Z') << line;
        EXPECT_NE(line.find(" ["), std::string::npos);
      } else {
        size_t at = line.find("\"timestamp\":\"");
        ASSERT_EQ(at, 1u) << line;
        ts = line.substr(at + 13, 27);
      }
      EXPECT_LE(previous, ts) << f.path << " is not in time order";
      previous = ts;
      size_t t = line.find("trace_id");
      if (t != std::string::npos) {
        size_t begin = line.find_first_of("0123456789abcdef", t + 9);
        EXPECT_TRUE(traces.count(line.substr(begin, 32))) << line;
        ++with_trace;
      }
    }
    EXPECT_GT(with_trace, lines.size() / 2) << f.path;
  }
  EXPECT_TRUE(formats.count("text-logs"));
  EXPECT_TRUE(formats.count("json-logs"));
  std::vector<std::string> otlp = Lines(ReadAll(Out("logs.otlp.jsonl")));
  EXPECT_FALSE(otlp.empty());
  for (const SimFile& f : summary_->files) {
    if (f.path == "logs.otlp.jsonl") total += f.records;
  }
  EXPECT_EQ(total, summary_->logs);
}

TEST_F(SimOutput, FailedSpansLogErrorsAndRecordExceptions) {
  size_t originating = 0;
  for (const TSpan& s : *spans_) {
    if (!s.error() || (s.kind != 2 && s.kind != 5)) continue;
    EXPECT_FALSE(s.message.empty());
    EXPECT_TRUE(s.has_exception) << s.name;
    EXPECT_TRUE(s.attrs.count("error.type"));
    originating += s.message.find("downstream") == std::string::npos;
  }
  EXPECT_GE(originating, 1u);
  std::string all_logs = ReadAll(Out("logs.otlp.jsonl"));
  for (const SimFile& f : summary_->files) {
    if (f.path.rfind("logs/", 0) == 0) all_logs += ReadAll(Out(f.path));
  }
  EXPECT_TRUE(all_logs.find("\"ERROR\"") != std::string::npos ||
              all_logs.find(" ERROR [") != std::string::npos ||
              all_logs.find("\"level\":\"error\"") != std::string::npos);
}

TEST_F(SimOutput, EventStreamsAreConsistentAndCorrelatedWithTraces) {
  const std::vector<TEvent>& events = *events_;
  EXPECT_EQ(events.size(), summary_->events);
  std::map<std::string, std::vector<const TEvent*>> streams;
  std::map<std::string, std::vector<const TEvent*>> flows;
  std::string previous;
  for (const TEvent& e : events) {
    streams[e.stream].push_back(&e);
    flows[e.correlation].push_back(&e);
    EXPECT_LE(previous, e.timestamp) << "events.jsonl is in time order";
    previous = e.timestamp;
  }
  EXPECT_EQ(streams.size(), summary_->streams);
  for (const auto& [id, list] : streams) {
    for (size_t i = 0; i < list.size(); ++i) {
      EXPECT_EQ(list[i]->version, i + 1) << id;
      EXPECT_EQ(list[i]->service, list[0]->service) << id;
    }
  }
  // Causation: each event points to the previous event of its flow; the first to the request.
  for (const auto& [corr, list] : flows) {
    EXPECT_EQ(list[0]->causation, corr);
    for (size_t i = 1; i < list.size(); ++i) EXPECT_EQ(list[i]->causation, list[i - 1]->id);
  }
  // The correlation id is the trace's.
  std::map<std::string, std::string> trace_corr;
  for (const TSpan& s : *spans_) {
    if (s.parent.empty()) trace_corr[s.trace] = s.attrs.at("correlation_id");
  }
  for (const TEvent& e : events) EXPECT_EQ(trace_corr[e.trace], e.correlation);
  // One order appears in several services' streams.
  const TEvent& placed = *std::find_if(events.begin(), events.end(),
                                       [](const TEvent& e) { return e.type == "OrderPlaced"; });
  std::string order = placed.payload.at("order_id");
  EXPECT_EQ(placed.stream, "order-" + order.substr(4));
  EXPECT_EQ(placed.service, "orders");
  std::set<std::string> owners;
  for (const TEvent& e : events) {
    if (e.payload.count("order_id") && e.payload.at("order_id") == order) owners.insert(e.service);
  }
  EXPECT_TRUE(owners.count("payment"));
  EXPECT_TRUE(owners.count("inventory"));
  EXPECT_TRUE(streams.count("payment-" + order));
  // Without faults the payment amount is the order total.
  std::map<std::string, std::string> totals;
  for (const TEvent& e : events) {
    if (e.type == "OrderPlaced") totals[e.payload.at("order_id")] = e.payload.at("total");
  }
  for (const TEvent& e : events) {
    if (e.type == "PaymentCaptured") {
      EXPECT_EQ(e.payload.at("amount"), totals[e.payload.at("order_id")]);
    }
  }
}

TEST(SimScale, LargeTopologiesReachGeneratedServices) {
  ScratchDir dir;
  SimSummary s = RunSim(dir.Sub("out"), 40, 300, 5);
  std::set<std::string> seen;
  for (const TSpan& span : ReadSpans(dir.Sub("out"))) seen.insert(span.service);
  EXPECT_EQ(s.services.size(), 40u);
  EXPECT_TRUE(seen.count("svc-24"));
  EXPECT_GE(seen.size(), 36u);
}

TEST(SimScale, TradesCarryCryptoAttributesAndWriteTradeStreams) {
  ScratchDir dir;
  RunSim(dir.Sub("out"), 24, 300, 5);
  size_t crypto = 0;
  for (const TSpan& s : ReadSpans(dir.Sub("out"))) {
    if (!s.attrs.count("function.shard")) continue;
    EXPECT_EQ(s.attrs.at("function.shard").rfind("shard-", 0), 0u);
    EXPECT_EQ(s.attrs.at("business.domain"), "crypto-trading");
    EXPECT_TRUE(s.attrs.count("crypto.trading_pair"));
    EXPECT_TRUE(s.attrs.count("crypto.amount_usd"));
    ++crypto;
  }
  EXPECT_GT(crypto, 20u);
  size_t trades = 0;
  for (const TEvent& e : ReadEvents(dir.Sub("out"))) {
    if (e.stream.rfind("trade-", 0) != 0) continue;
    EXPECT_EQ(e.service, "trading");
    trades += e.type == "TradeRequested";
  }
  EXPECT_GT(trades, 5u);
}

TEST(SimScale, SmallestTopologyStillWritesOrderEvents) {
  ScratchDir dir;
  SimSummary s = RunSim(dir.Sub("out"), 3, 50, 5);
  EXPECT_EQ(s.services, (std::vector<std::string>{"frontend", "checkout", "payment"}));
  std::set<std::string> owners;
  for (const TEvent& e : ReadEvents(dir.Sub("out"))) owners.insert(e.service);
  EXPECT_EQ(owners, (std::set<std::string>{"checkout", "payment"}));
}

}  // namespace
}  // namespace ddbg
