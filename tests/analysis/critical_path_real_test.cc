// Critical path (Jaeger mode) on real traces — the OTel JS captures and the Zipkin UI test
// data — checked trace by trace against an independent, recursive implementation of Jaeger's
// published algorithm written here: start at the root's end; repeatedly take the child that
// finishes last before the cursor, clip it to its parent, recurse into it, and give the parent
// the self segments between children.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "analysis_test_util.h"
#include "ddbg/critical_path.h"

namespace ddbg {
namespace {

using analysis_test::DataPath;
using Seg = std::tuple<int64_t, int64_t, SpanId>;  // start ns, end ns, span id

// Jaeger's reference walk over the tree's (skew-adjusted) times.
class ReferenceCriticalPath {
 public:
  explicit ReferenceCriticalPath(const TraceTree& tree) : tree_(tree) {}

  std::vector<Seg> Run() {
    for (uint32_t top : tree_.roots()) {
      const TraceTree::Node& n = tree_.node(top);
      if (!n.is_placeholder()) {
        Walk(top, n.start_ns, n.end_ns);
        continue;
      }
      // Spans under a missing parent are roots of their own.
      for (const uint32_t* c = tree_.children_begin(top); c != tree_.children_end(top); ++c) {
        Walk(*c, tree_.node(*c).start_ns, tree_.node(*c).end_ns);
      }
    }
    std::sort(out_.begin(), out_.end());
    return out_;
  }

 private:
  struct Child {
    uint32_t node;
    int64_t start, end;  // clipped to the parent
  };

  // FOLLOWS_FROM children and CONSUMER children of a PRODUCER do not block their parent.
  bool IsAsync(uint32_t node, uint32_t parent) const {
    const SpanBatch& b = tree_.batch();
    uint32_t row = tree_.node(node).row;
    return IsFollowsFromChild(b, row) || (b.kind[row] == SpanKind::kConsumer &&
                                          b.kind[tree_.node(parent).row] == SpanKind::kProducer);
  }

  // Jaeger's sanitizer: keep children inside the parent, drop those wholly outside, clip
  // the rest.
  std::vector<Child> ClippedChildren(uint32_t node, int64_t lo, int64_t hi) const {
    std::vector<Child> kids;
    for (const uint32_t* c = tree_.children_begin(node); c != tree_.children_end(node); ++c) {
      if (IsAsync(*c, node)) continue;
      int64_t s = tree_.node(*c).start_ns, e = tree_.node(*c).end_ns;
      bool inside = s >= lo && e <= hi;
      if (!inside && (s >= hi || e <= lo)) continue;
      kids.push_back({*c, std::max(s, lo), std::min(e, hi)});
    }
    return kids;
  }

  void Emit(uint32_t node, int64_t s, int64_t e) {
    if (e > s) out_.emplace_back(s, e, tree_.node(node).span_id);
  }

  void Walk(uint32_t node, int64_t lo, int64_t hi) {
    std::vector<Child> kids = ClippedChildren(node, lo, hi);
    int64_t cursor = hi;
    bool first = true;
    while (true) {
      const Child* next = nullptr;
      for (const Child& k : kids) {
        bool before = first ? k.end <= cursor : k.end < cursor;
        if (before && (next == nullptr || k.end > next->end)) next = &k;
      }
      if (next == nullptr) break;
      Emit(node, next->end, cursor);
      Walk(next->node, next->start, next->end);
      cursor = next->start;
      first = false;
    }
    Emit(node, lo, cursor);
  }

  const TraceTree& tree_;
  std::vector<Seg> out_;
};

std::vector<Seg> LibrarySegments(const TraceTree& tree) {
  std::vector<Seg> out;
  for (const CriticalPathSegment& s : ComputeCriticalPath(tree, CriticalPathMode::kJaeger).segments) {
    out.emplace_back(s.start_ns, s.end_ns, s.span_id);
  }
  std::sort(out.begin(), out.end());
  return out;
}

SpanBatch DecodeAll(const std::vector<std::string>& paths) {
  DecodeContext ctx("test");
  for (const std::string& p : paths) {
    Result<std::string> data = ReadFileDecompressed(p);
    EXPECT_TRUE(data.ok()) << p;
    if (!data.ok()) continue;
    Status st = DecodeBuffer(DetectFormat(p, *data), *data, ctx);
    EXPECT_TRUE(st.ok()) << p << ": " << st.ToString();
  }
  return std::move(ctx.spans);
}

// Compares both implementations on every trace of the batch; returns the trace count.
size_t CompareAllTraces(const SpanBatch& b, const std::string& what) {
  std::set<TraceId> ids(b.trace_id.begin(), b.trace_id.end());
  for (const TraceId& id : ids) {
    TraceTreeOptions opts;
    opts.trace_id = id;
    TraceTree tree = BuildTraceTree(b, opts);
    std::vector<Seg> want = ReferenceCriticalPath(tree).Run();
    EXPECT_FALSE(want.empty()) << what << " " << TraceIdToHex(id);
    EXPECT_EQ(LibrarySegments(tree), want) << what << " trace " << TraceIdToHex(id);
  }
  return ids.size();
}

std::vector<std::string> OtlpFiles(const std::string& dir, int count) {
  std::vector<std::string> out;
  for (int i = 1; i <= count; ++i) {
    char name[32];
    std::snprintf(name, sizeof name, "/%04d-traces.json", i);
    out.push_back(DataPath("otlp-captured/" + dir) + name);
  }
  return out;
}

TEST(CriticalPathReal, OtlpCapturedMatchesReference) {
  SpanBatch b = DecodeAll(OtlpFiles("json", 5));
  EXPECT_EQ(b.size(), 104u);
  EXPECT_EQ(CompareAllTraces(b, "json"), 6u);
}

TEST(CriticalPathReal, OtlpCapturedWithSkewMatchesReference) {
  SpanBatch b = DecodeAll(OtlpFiles("json-shared-skew", 1));
  EXPECT_EQ(CompareAllTraces(b, "json-shared-skew"), 6u);
}

class ZipkinLens : public ::testing::TestWithParam<std::string> {};

TEST_P(ZipkinLens, MatchesReference) {
  SpanBatch b = DecodeAll({DataPath("traces/zipkin-lens/" + GetParam())});
  ASSERT_FALSE(b.empty());
  EXPECT_EQ(CompareAllTraces(b, GetParam()), 1u);
}

INSTANTIATE_TEST_SUITE_P(
    Files, ZipkinLens,
    ::testing::Values("ascend.json", "envoy.json", "messaging-kafka.json", "messaging.json",
                      "messaging2.json", "simple-db-p6.json", "skew.json",
                      "smartthings-mobile-web-install.json",
                      "smartthings-oauth-authorization.json", "yelp.json",
                      "zipkin2-chinese.json", "zipkin2-client.json"),
    [](const auto& info) {
      std::string n = info.param.substr(0, info.param.find('.'));
      std::replace(n.begin(), n.end(), '-', '_');
      return n;
    });

}  // namespace
}  // namespace ddbg
