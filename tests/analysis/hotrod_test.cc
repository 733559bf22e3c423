// Jaeger's HotROD skill fixtures: every manifest's expected answer (N+1 groups with their
// counts, overlaps, wall and summed time; near misses that must not be reported; error
// loci) reproduced by `bottlenecks` and `errors`.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <cmath>

#include "analysis_test_util.h"
#include "ddbg/bottlenecks.h"
#include "ddbg/errors.h"

namespace ddbg {
namespace {

using analysis_test::DataPath;

struct Fixture {
  SpanBatch batch;
  SpanTable table;
  simdjson::dom::parser parser;
  simdjson::dom::element manifest;
  explicit Fixture(const std::string& name) {
    std::string base = DataPath("traces/jaeger-hotrod/" + name);
    batch = analysis_test::DecodeFile(base + ".json");
    table = SpanTableFromBatches({&batch});
    manifest = parser.load(base + ".manifest.json");
  }
  std::string Expected(const char* key) {
    return std::string(std::string_view(manifest["expected"][key]));
  }
};

class NPlusOne : public ::testing::TestWithParam<std::string> {};

TEST_P(NPlusOne, ManifestGroupAndVerdictReproduced) {
  Fixture f(GetParam());
  ASSERT_EQ(f.table.traces(), 1u);
  std::vector<SiblingGroup> groups = FindSiblingGroups(f.table, 0, 5);
  const SiblingGroup* g = nullptr;
  for (const SiblingGroup& x : groups) {
    if (SpanIdToHex(x.parent_span_id) == f.Expected("parent_span_id") &&
        x.operation == f.Expected("operation")) {
      g = &x;
    }
  }
  ASSERT_NE(g, nullptr) << "group under " << f.Expected("parent_span_id") << " not found";
  EXPECT_EQ(g->service, f.Expected("service"));
  EXPECT_EQ(g->count, int64_t(f.manifest["expected"]["siblings"]));
  EXPECT_EQ(g->overlapping_pairs, int64_t(f.manifest["expected"]["overlapping_pairs"]));
  EXPECT_NEAR(g->wall_ns / 1e6, double(f.manifest["expected"]["wall_ms"]), 0.051);
  EXPECT_NEAR(g->sum_ns / 1e6, double(f.manifest["expected"]["sum_of_durations_ms"]), 0.051);
  bool present = bool(f.manifest["pattern_present"]);
  Bottlenecks b = FindBottlenecks(f.table);
  bool reported = false;
  for (const NPlusOnePattern& p : b.n_plus_one) {
    for (const SiblingGroup& e : p.examples) {
      if (e.parent_span_id == g->parent_span_id && e.operation == g->operation) reported = true;
    }
  }
  EXPECT_EQ(reported, present);
}

INSTANTIATE_TEST_SUITE_P(Manifests, NPlusOne,
                         ::testing::Values("n_plus_one_positive", "n_plus_one_near_miss",
                                           "n_plus_one_full_serial", "n_plus_one_full_concurrent"));

TEST(NPlusOne, NearMissTraceReportsNothing) {
  Fixture f("n_plus_one_near_miss");
  EXPECT_TRUE(FindBottlenecks(f.table).n_plus_one.empty());
}

TEST(NPlusOne, ConcurrentCaptureStillHasTheGetDriverChain) {
  Fixture f("n_plus_one_full_concurrent");
  Bottlenecks b = FindBottlenecks(f.table);
  ASSERT_EQ(b.n_plus_one.size(), 1u);
  EXPECT_EQ(b.n_plus_one[0].operation, "GetDriver");
  EXPECT_EQ(b.n_plus_one[0].max_count, 13u);
}

class ErrorLocus : public ::testing::TestWithParam<std::string> {};

TEST_P(ErrorLocus, OriginIsTheManifestLocus) {
  Fixture f(GetParam());
  bool has = false;
  TraceErrors te = AnalyzeTraceErrors(f.table, 0, &has);
  ASSERT_TRUE(has);
  EXPECT_EQ(SpanIdToHex(te.origin.span_id), f.Expected("locus_span_id"));
  EXPECT_EQ(te.origin.service, f.Expected("locus_service"));
  EXPECT_EQ(te.origin.operation, f.Expected("locus_operation"));
  if (f.manifest["expected"]["mechanism"].error() == simdjson::SUCCESS) {
    EXPECT_EQ(te.origin.message, f.Expected("mechanism"));
  }
  ErrorAnalysis all = AnalyzeErrors(f.table);
  ASSERT_FALSE(all.origins.empty());
  EXPECT_EQ(all.origins[0].key, f.Expected("locus_service") + " / " + f.Expected("locus_operation"));
}

INSTANTIATE_TEST_SUITE_P(Manifests, ErrorLocus,
                         ::testing::Values("error_timeout_masked", "sibling_errors"));

TEST(ErrorLocus, TimeoutLocusIsMarkedAndProxyIsPropagated) {
  Fixture f("error_timeout_masked");
  bool has = false;
  TraceErrors te = AnalyzeTraceErrors(f.table, 0, &has);
  EXPECT_TRUE(te.origin_is_timeout);
  ASSERT_EQ(te.propagated.size(), 1u);
  EXPECT_EQ(SpanIdToHex(te.propagated[0].span_id), "247a43490cfe60cd");
}

}  // namespace
}  // namespace ddbg
