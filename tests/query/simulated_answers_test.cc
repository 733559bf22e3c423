// End to end on `ddbg simulate` output: simulate, ingest, query with TraceQL, the tag search
// and LogQL, and compare with answers computed here from the raw files (OTLP JSON read with
// simdjson, text log lines read as text), independently of ddbg's decoders and engines.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <fstream>
#include <map>
#include <set>

#include "ddbg/logql.h"
#include "e2e/cli_util.h"
#include "ddbg/traceql.h"
#include "query/query_test_util.h"

namespace ddbg {
namespace {

struct RawSpan {
  std::string trace_hex, service, name;
  int status = 0;
  bool root = false;
};

std::vector<RawSpan> ReadRawSpans(const std::string& path) {
  std::vector<RawSpan> out;
  std::ifstream in(path);
  std::string line;
  simdjson::dom::parser p;
  while (std::getline(in, line)) {
    simdjson::dom::element doc = p.parse(line);
    for (simdjson::dom::element rs : doc["resourceSpans"].get_array()) {
      std::string service;
      for (simdjson::dom::element a : rs["resource"]["attributes"].get_array()) {
        if (std::string_view(a["key"]) == "service.name") service = std::string_view(a["value"]["stringValue"]);
      }
      for (simdjson::dom::element ss : rs["scopeSpans"].get_array()) {
        for (simdjson::dom::element s : ss["spans"].get_array()) {
          RawSpan r;
          r.trace_hex = std::string_view(s["traceId"]);
          r.service = service;
          r.name = std::string_view(s["name"]);
          int64_t code = 0;
          if (s["status"]["code"].get(code) == simdjson::SUCCESS) r.status = static_cast<int>(code);
          std::string_view parent;
          r.root = s["parentSpanId"].get(parent) != simdjson::SUCCESS || parent.empty();
          out.push_back(std::move(r));
        }
      }
    }
  }
  return out;
}

std::set<std::string> Hex(const TraceSearchResult& r) {
  std::set<std::string> out;
  for (const TraceHit& h : r.traces) out.insert(TraceIdToHex(h.trace_id));
  return out;
}

class SimulatedAnswers : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    sim_ = query_test::MakeSimStore(300, {"error:payment"}, 4000).release();
    spans_ = new std::vector<RawSpan>(ReadRawSpans(sim_->dir.Sub("sim/traces.otlp.jsonl")));
  }
  static void TearDownTestSuite() {
    delete spans_;
    delete sim_;
  }
  static Result<TraceSearchResult> All(std::string_view q) {
    TraceSearchOptions o;
    o.limit = 0;
    return SearchTraceQL(*sim_->store, q, o);
  }
  static inline query_test::SimStore* sim_ = nullptr;
  static inline std::vector<RawSpan>* spans_ = nullptr;
};

TEST_F(SimulatedAnswers, ErrorsOfTheFaultyServiceAndRootErrors) {
  std::set<std::string> payment_errors, root_errors, traces;
  for (const RawSpan& s : *spans_) {
    traces.insert(s.trace_hex);
    if (s.service == "payment" && s.status == 2) payment_errors.insert(s.trace_hex);
    if (s.root && s.status == 2) root_errors.insert(s.trace_hex);
  }
  ASSERT_EQ(traces.size(), sim_->summary.traces);
  ASSERT_EQ(root_errors.size(), sim_->summary.error_traces);
  ASSERT_FALSE(payment_errors.empty());
  auto r = All("{ resource.service.name = \"payment\" && status = error }");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(Hex(*r), payment_errors);
  TraceSearchOptions o;
  o.limit = 0;
  auto tags = SearchTags(*sim_->store, "service=payment AND error=true", o);
  ASSERT_TRUE(tags.ok());
  EXPECT_EQ(Hex(*tags), payment_errors);
  // Nothing calls the entry service, so its erroring server spans are the erroring roots.
  auto roots = All("{ status = error && resource.service.name = \"frontend\" && kind = server } | "
                   "select(name)");
  ASSERT_TRUE(roots.ok());
  EXPECT_EQ(Hex(*roots), root_errors);
}

TEST_F(SimulatedAnswers, SpanCountsAndNames) {
  std::map<std::string, int> per_trace;
  std::map<std::string, std::set<std::string>> traces_by_name;
  for (const RawSpan& s : *spans_) {
    ++per_trace[s.trace_hex];
    traces_by_name[s.name].insert(s.trace_hex);
  }
  std::set<std::string> big;
  for (const auto& [t, n] : per_trace) {
    if (n > 20) big.insert(t);
  }
  auto r = All("{ } | count() > 20");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(Hex(*r), big);
  for (const auto& [name, ids] : traces_by_name) {
    auto n = All("{ name = \"" + name + "\" }");
    ASSERT_TRUE(n.ok()) << name;
    EXPECT_EQ(Hex(*n), ids) << name;
  }
}

TEST_F(SimulatedAnswers, LineFilterReturnsTheRawLinesInOrder) {
  std::ifstream in(sim_->dir.Sub("sim/logs/payment.log"));
  std::vector<std::string> gateway, all;
  std::string line;
  while (std::getline(in, line)) {
    all.push_back(line);
    if (line.find("Gateway") != std::string::npos) gateway.push_back(line);
  }
  ASSERT_FALSE(gateway.empty());
  LogQueryOptions o;
  o.limit = 0;
  auto r = EvalLogQL(*sim_->store, "{service=\"payment\"} |= \"Gateway\"", o);
  ASSERT_TRUE(r.ok());
  std::vector<std::string> got;
  for (const LogLine& l : r->lines) got.push_back(l.line);
  EXPECT_EQ(got, gateway);
  // A piece inside tokens ("ateway" of "Gateway" and "GatewayException") finds the same lines.
  auto piece = EvalLogQL(*sim_->store, "{service=\"payment\"} |= \"ateway\"", o);
  ASSERT_TRUE(piece.ok());
  EXPECT_EQ(piece->lines.size(), gateway.size());
  // count_over_time over the whole range adds up to the number of lines.
  o.range = {sim_->summary.end_ns, sim_->summary.end_ns + 1};
  auto m = EvalLogQL(*sim_->store, "sum by (service) (count_over_time({service=\"payment\"} [1h]))", o);
  ASSERT_TRUE(m.ok());
  ASSERT_EQ(m->series.size(), 1u);
  ASSERT_FALSE(m->series[0].samples.empty());
  EXPECT_EQ(m->series[0].samples.back().value, static_cast<double>(all.size()));
}

TEST_F(SimulatedAnswers, LinesGroupedByTheTraceIdTheyCarry) {
  LogQueryOptions o;
  o.limit = 0;
  auto r = EvalLogQL(*sim_->store, "{service=~\"payment|checkout\"}", o);
  ASSERT_TRUE(r.ok());
  std::vector<TraceLogGroup> groups = GroupLinesByTrace(*r);
  size_t lines = 0, traced = 0;
  for (const TraceLogGroup& g : groups) {
    lines += g.lines.size();
    for (size_t k = 0; k < g.lines.size(); ++k) {
      const LogLine& l = r->lines[g.lines[k]];
      // The text lines carry their trace id; the store decoded it from the line.
      if (g.trace_id.empty()) {
        EXPECT_EQ(l.line.find("trace_id="), std::string::npos) << l.line;
      } else {
        EXPECT_NE(l.line.find("trace_id=" + TraceIdToHex(g.trace_id)), std::string::npos) << l.line;
      }
      if (k > 0) EXPECT_LE(r->lines[g.lines[k - 1]].time_ns, l.time_ns);
    }
    traced += !g.trace_id.empty();
  }
  EXPECT_EQ(lines, r->lines.size());
  EXPECT_GT(traced, 50u);
  // The command prints the same grouping.
  std::string cmd = "logs query --data " + sim_->dir.Sub("store") +
                    " --by-trace --limit 0 --format json '{service=~\"payment|checkout\"}'";
  ddbg_e2e::CmdResult cli = ddbg_e2e::Ddbg(cmd);
  ASSERT_EQ(cli.exit_code, 0) << cli.out;
  simdjson::dom::parser p;
  simdjson::dom::element doc = p.parse(cli.out);
  size_t cli_traces = 0;
  for (simdjson::dom::element t : doc["traces"].get_array()) {
    EXPECT_EQ(std::string_view(t["traceID"]), TraceIdToHex(groups[cli_traces].trace_id));
    EXPECT_EQ(uint64_t(t["lines"]), groups[cli_traces].lines.size());
    ++cli_traces;
  }
  EXPECT_EQ(cli_traces, traced);
  ddbg_e2e::CmdResult metric = ddbg_e2e::Ddbg(
      "logs query --data " + sim_->dir.Sub("store") + " --by-trace 'count_over_time({service=\"payment\"}[1m])'");
  EXPECT_EQ(metric.exit_code, 1);
  EXPECT_NE(metric.out.find("--by-trace"), std::string::npos) << metric.out;
}

}  // namespace
}  // namespace ddbg
