// Topology: Uber's production service graph (1,238 services, 4,271 edges) — degrees, cycles,
// speed, readable DOT/Mermaid — and a hand-built trace with a known cycle and error rates.
#include "ddbg/topology.h"

#include <gtest/gtest.h>

#include <chrono>

#include "analysis_test_util.h"
#include "report/analysis_tables.h"

namespace ddbg {
namespace {

using analysis_test::HandSpan;

TEST(Topology, UberProductionGraphIsFastAndFindsCycles) {
  Result<std::string> text =
      ReadFileDecompressed(analysis_test::DataPath("traces/jaeger-ui/dependencies/uber-crisp-large.json"));
  ASSERT_TRUE(text.ok());
  auto t0 = std::chrono::steady_clock::now();
  auto links = ParseJaegerDependencies(*text);
  ASSERT_TRUE(links.ok()) << links.status().ToString();
  Topology topo = TopologyFromDependencies(*links);
  double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_EQ(topo.services.size(), 1238u);
  EXPECT_EQ(topo.edges.size(), 4271u);
  EXPECT_LT(ms, 1000);
  ASSERT_FALSE(topo.cycles.empty());
  for (const auto& c : topo.cycles) {
    // Each loop really is a loop along existing edges.
    ASSERT_GE(c.loop.size(), 3u);
    EXPECT_EQ(c.loop.front(), c.loop.back());
    for (size_t i = 0; i + 1 < c.loop.size(); ++i) {
      bool found = false;
      for (const DependencyLink& l : *links) found |= l.parent == c.loop[i] && l.child == c.loop[i + 1];
      EXPECT_TRUE(found) << c.loop[i] << " -> " << c.loop[i + 1];
    }
  }
  std::string dot = TopologyDot(topo);
  std::string mermaid = TopologyMermaid(topo);
  EXPECT_EQ(std::count(dot.begin(), dot.end(), '\n'), 1238 + 4271 + 4);
  EXPECT_EQ(std::count(mermaid.begin(), mermaid.end(), '\n'), 1238 + 4271 + 1);
}

TEST(Topology, HandBuiltTraceEdgesRatesAndCycle) {
  SpanBatch b;
  // a -> b -> c -> a (a cycle), b -> c fails once of two calls.
  analysis_test::AddHandTrace(&b, {0, 1}, {
      {1, 0, "a", "root", 0, 100},
      {2, 1, "b", "call-b", 10, 90},
      {3, 2, "c", "call-c", 20, 40, true},
      {4, 2, "c", "call-c", 50, 60},
      {5, 3, "a", "callback", 25, 35},
  });
  SpanTable t = SpanTableFromBatches({&b});
  Topology topo = ComputeTopology(t);
  ASSERT_EQ(topo.edges.size(), 3u);
  EXPECT_EQ(topo.edges[0].parent, "b");
  EXPECT_EQ(topo.edges[0].child, "c");
  EXPECT_EQ(topo.edges[0].calls, 2u);
  EXPECT_EQ(topo.edges[0].errors, 1u);
  EXPECT_EQ(topo.edges[0].p50_ns, 10000000);
  EXPECT_EQ(topo.edges[0].p99_ns, 20000000);
  ASSERT_EQ(topo.cycles.size(), 1u);
  EXPECT_EQ(topo.cycles[0].services, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(topo.cycles[0].loop, (std::vector<std::string>{"a", "b", "c", "a"}));
  ASSERT_EQ(topo.services.size(), 3u);
  EXPECT_EQ(topo.services[0].name, "a");
  EXPECT_EQ(topo.services[0].requests, 2u);  // the root and the callback
  EXPECT_EQ(topo.services[0].in_degree, 1u);
}

TEST(Topology, BadDependencyJsonIsAnError) {
  EXPECT_FALSE(ParseJaegerDependencies("{").ok());
  EXPECT_FALSE(ParseJaegerDependencies("[{\"parent\": 1}]").ok());
}

}  // namespace
}  // namespace ddbg
