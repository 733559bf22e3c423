// TraceTree: links, orphans, cycles, duplicates, Zipkin shared spans, self time and clock
// skew, on hand-built batches and on real traces whose answers were worked out by hand.
#include "ddbg/trace_tree.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "ddbg/decode.h"

namespace ddbg {
namespace {

struct S {
  SpanId id;
  SpanId parent;
  const char* service;
  int64_t start;
  int64_t end;
  const char* host = nullptr;  // resource host.name; none: the service is the clock key
  SpanKind kind = SpanKind::kInternal;
};

SpanBatch Batch(const std::vector<S>& spans, TraceId trace = {0, 0x42}) {
  SpanBatch b;
  for (const S& s : spans) {
    if (s.host) b.resources.attrs.AddString(b.dict.Intern("host.name"), b.dict.Intern(s.host));
    SpanRow row;
    row.trace_id = trace;
    row.span_id = s.id;
    row.parent_span_id = s.parent;
    row.resource = b.CommitResource(b.dict.Intern(s.service));
    row.name = b.dict.Intern(std::string("op-") + std::to_string(s.id));
    row.kind = s.kind;
    row.start_ns = s.start;
    row.end_ns = s.end;
    b.CommitSpan(row);
  }
  return b;
}

// The span ids in preorder; placeholders as "(missing aa)" / "(cycle)".
std::vector<std::string> Order(const TraceTree& t) {
  std::vector<std::string> out;
  for (uint32_t i : t.preorder()) {
    const TraceTree::Node& n = t.node(i);
    std::string indent(n.depth * 2, ' ');
    if (n.placeholder == TraceTree::Placeholder::kMissingParent) {
      out.push_back(indent + "(missing " + SpanIdToHex(n.span_id) + ")");
    } else if (n.placeholder == TraceTree::Placeholder::kBrokenCycle) {
      out.push_back(indent + "(cycle)");
    } else {
      out.push_back(indent + std::to_string(n.span_id));
    }
  }
  return out;
}

const TraceTree::Node& NodeOf(const TraceTree& t, uint32_t row) { return t.node(t.NodeOfRow(row)); }

using V = std::vector<std::string>;

TEST(TraceTree, SortsChildrenByStartTime) {
  SpanBatch b =
      Batch({{1, 0, "a", 0, 100}, {3, 1, "a", 50, 60}, {2, 1, "a", 10, 20}, {4, 2, "a", 12, 15}});
  TraceTree t = BuildTraceTree(b);
  EXPECT_EQ(Order(t), (V{"1", "  2", "    4", "  3"}));
  EXPECT_EQ(t.span_count(), 4u);
  EXPECT_TRUE(t.issues().empty());
  EXPECT_EQ(t.start_ns(), 0);
  EXPECT_EQ(t.duration_ns(), 100);
}

TEST(TraceTree, GroupsOrphansUnderOnePlaceholderPerMissingParent) {
  SpanBatch b = Batch({{1, 0, "a", 0, 100},
                       {2, 0xaa, "b", 30, 40},
                       {3, 0xbb, "c", 20, 25},
                       {4, 0xaa, "b", 10, 50},
                       {5, 4, "b", 11, 12}});
  TraceTree t = BuildTraceTree(b);
  EXPECT_EQ(Order(t), (V{"1", "(missing 00000000000000aa)", "  4", "    5", "  2",
                         "(missing 00000000000000bb)", "  3"}));
  ASSERT_EQ(t.issues().size(), 3u);
  for (const TraceIssue& is : t.issues()) EXPECT_EQ(is.kind, TraceIssueKind::kOrphan);
  EXPECT_EQ(t.issues()[0].span_id, 2u);
  EXPECT_EQ(t.issues()[0].parent_span_id, 0xaau);
  EXPECT_EQ(t.span_count(), 5u);
}

TEST(TraceTree, BreaksTwoSpanParentCycleAtEarliestSpan) {
  // A(10) -> parent B, B(20) -> parent A: A is detached and B hangs under it.
  SpanBatch b = Batch({{7, 0, "r", 0, 100}, {0xb, 0xa, "x", 20, 30}, {0xa, 0xb, "x", 10, 40}});
  TraceTree t = BuildTraceTree(b);
  EXPECT_EQ(Order(t), (V{"7", "(cycle)", "  10", "    11"}));
  ASSERT_EQ(t.issues().size(), 1u);
  const TraceIssue& is = t.issues()[0];
  EXPECT_EQ(is.kind, TraceIssueKind::kCycle);
  EXPECT_EQ(is.span_id, 0xau);
  EXPECT_EQ(is.parent_span_id, 0xbu);
  EXPECT_EQ(is.cycle, (std::vector<SpanId>{0xa, 0xb}));
  EXPECT_EQ(is.row, 2u);
}

TEST(TraceTree, BreaksSelfParentCycle) {
  SpanBatch b = Batch({{5, 5, "x", 0, 10}, {6, 5, "x", 2, 4}});
  TraceTree t = BuildTraceTree(b);
  EXPECT_EQ(Order(t), (V{"(cycle)", "  5", "    6"}));
  ASSERT_EQ(t.issues().size(), 1u);
  EXPECT_EQ(t.issues()[0].cycle, (std::vector<SpanId>{5}));
}

TEST(TraceTree, KeepsFirstOfDuplicateIdsAndReportsTheOthers) {
  SpanBatch b = Batch({{1, 0, "a", 0, 100},
                       {2, 1, "a", 10, 50},
                       {2, 1, "a", 60, 90},
                       {3, 2, "a", 20, 30},
                       {2, 1, "a", 5, 6}});
  TraceTree t = BuildTraceTree(b);
  EXPECT_EQ(Order(t), (V{"1", "  2", "    3"}));
  EXPECT_EQ(NodeOf(t, 1).start_ns, 10);
  EXPECT_EQ(t.NodeOfRow(2), TraceTree::kNone);
  EXPECT_EQ(t.NodeOfRow(4), TraceTree::kNone);
  ASSERT_EQ(t.issues().size(), 2u);
  EXPECT_EQ(t.issues()[0].kind, TraceIssueKind::kDuplicateId);
  EXPECT_EQ(t.issues()[0].row, 2u);
  EXPECT_EQ(t.issues()[1].row, 4u);
  EXPECT_EQ(t.span_count(), 3u);
}

TEST(TraceTree, IgnoresRowsOfOtherTraces) {
  SpanBatch b = Batch({{1, 0, "a", 0, 10}});
  SpanBatch other = Batch({{2, 0, "a", 0, 10}}, TraceId{0, 0x99});
  SpanRowCopier(other, &b).Copy(0);
  TraceTree t = BuildTraceTree(b);
  EXPECT_EQ(Order(t), (V{"1"}));
  EXPECT_EQ(t.other_trace_rows(), 1u);
  TraceTreeOptions o;
  o.trace_id = TraceId{0, 0x99};
  EXPECT_EQ(Order(BuildTraceTree(b, o)), (V{"2"}));
}

TEST(TraceTree, EmptyBatchGivesEmptyTree) {
  SpanBatch b;
  TraceTree t = BuildTraceTree(b);
  EXPECT_EQ(t.span_count(), 0u);
  EXPECT_TRUE(t.preorder().empty());
}

TEST(TraceTree, SelfTimeSubtractsUnionOfOverlappingChildren) {
  // Children [10,40] [30,60] [80,90] cover 50 + 10 of the parent's 100.
  SpanBatch b = Batch({{1, 0, "a", 0, 100},
                       {2, 1, "a", 10, 40},
                       {3, 1, "a", 30, 60},
                       {4, 1, "a", 80, 90},
                       {5, 3, "a", 35, 36}});
  TraceTree t = BuildTraceTree(b);
  EXPECT_EQ(NodeOf(t, 0).self_ns, 40);
  EXPECT_EQ(NodeOf(t, 2).self_ns, 29);
  EXPECT_EQ(NodeOf(t, 4).self_ns, 1);
}

TEST(TraceTree, SelfTimeClipsChildrenOutsideTheParent) {
  // Same clock, so no skew fix: [-20,30] counts 30, [90,150] counts 10, [150,200] nothing.
  SpanBatch b = Batch(
      {{1, 0, "a", 0, 100}, {2, 1, "a", -20, 30}, {3, 1, "a", 90, 150}, {4, 1, "a", 150, 200}});
  TraceTree t = BuildTraceTree(b);
  EXPECT_TRUE(t.skew_adjustments().empty());
  EXPECT_EQ(NodeOf(t, 0).self_ns, 60);
  EXPECT_EQ(t.start_ns(), -20);
  EXPECT_EQ(t.end_ns(), 200);
}

TEST(TraceTree, CentresChildOnOtherHostAndShiftsItsSameHostSubtree) {
  // Parent [1000,2000] on host a; child [500,1300] on host b: latency (1000-800)/2 = 100,
  // delta = 1000 + 100 - 500 = 600. Its host-b child moves by the same 600; its host-c child
  // [600,700] is checked against the shifted parent [1100,1900]: 1100 + 350 - 600 = 850.
  SpanBatch b = Batch({{1, 0, "front", 1000, 2000, "a", SpanKind::kClient},
                       {2, 1, "back", 500, 1300, "b", SpanKind::kServer},
                       {3, 2, "back", 600, 700, "b"},
                       {4, 2, "db", 600, 700, "c"}});
  TraceTree t = BuildTraceTree(b);
  ASSERT_EQ(t.skew_adjustments().size(), 2u);
  EXPECT_EQ(t.skew_adjustments()[0].node, t.NodeOfRow(1));
  EXPECT_EQ(t.skew_adjustments()[0].delta_ns, 600);
  EXPECT_TRUE(t.skew_adjustments()[0].applied);
  EXPECT_EQ(t.skew_adjustments()[0].reason, "starts 500ns before its parent");
  EXPECT_EQ(NodeOf(t, 1).start_ns, 1100);
  EXPECT_EQ(NodeOf(t, 1).end_ns, 1900);
  EXPECT_EQ(NodeOf(t, 2).start_ns, 1200);
  EXPECT_EQ(NodeOf(t, 2).skew_ns, 600);
  EXPECT_EQ(t.skew_adjustments()[1].node, t.NodeOfRow(3));
  EXPECT_EQ(t.skew_adjustments()[1].delta_ns, 850);
  EXPECT_EQ(NodeOf(t, 3).start_ns, 1450);
  EXPECT_EQ(NodeOf(t, 0).skew_ns, 0);
  EXPECT_EQ(t.start_ns(), 1000);
}

TEST(TraceTree, ChildLongerThanParentIsOnlyAlignedToItsStart) {
  SpanBatch b = Batch({{1, 0, "a", 1000, 1100},
                       {2, 1, "b", 900, 1300},
                       {3, 0, "c", 1000, 1100},
                       {4, 3, "d", 1050, 1400}});
  TraceTree t = BuildTraceTree(b);
  ASSERT_EQ(t.skew_adjustments().size(), 1u);
  EXPECT_EQ(t.skew_adjustments()[0].delta_ns, 100);
  EXPECT_EQ(NodeOf(t, 1).start_ns, 1000);
  EXPECT_EQ(NodeOf(t, 3).start_ns, 1050);  // starts inside: left alone
}

TEST(TraceTree, ChildStartingAfterParentEndsIsPulledIn) {
  SpanBatch b = Batch({{1, 0, "a", 0, 1000}, {2, 1, "b", 1500, 1600}});
  TraceTree t = BuildTraceTree(b);
  ASSERT_EQ(t.skew_adjustments().size(), 1u);
  EXPECT_EQ(t.skew_adjustments()[0].delta_ns, -1050);  // 0 + 450 - 1500
  EXPECT_EQ(t.skew_adjustments()[0].reason, "starts 500ns after its parent ends");
}

TEST(TraceTree, AsyncConsumerIsOnlyKeptFromStartingBeforeItsProducer) {
  // A consumer running after its producer ended is normal; one starting before it is skew.
  SpanBatch b = Batch({{1, 0, "shop", 0, 10, nullptr, SpanKind::kProducer},
                       {2, 1, "mail", 50, 55, nullptr, SpanKind::kConsumer},
                       {3, 0, "shop", 100, 110, nullptr, SpanKind::kProducer},
                       {4, 3, "mail", 95, 98, nullptr, SpanKind::kConsumer}});
  TraceTree t = BuildTraceTree(b);
  ASSERT_EQ(t.skew_adjustments().size(), 1u);
  EXPECT_EQ(t.skew_adjustments()[0].node, t.NodeOfRow(3));
  EXPECT_EQ(t.skew_adjustments()[0].delta_ns, 5);
  EXPECT_EQ(NodeOf(t, 1).start_ns, 50);
  EXPECT_EQ(NodeOf(t, 3).start_ns, 100);
}

TEST(TraceTree, SameHostChildOutsideParentIsNotShifted) {
  SpanBatch b = Batch({{1, 0, "a", 0, 100, "h"}, {2, 1, "b", 150, 160, "h"}});
  TraceTree t = BuildTraceTree(b);
  EXPECT_TRUE(t.skew_adjustments().empty());
  EXPECT_EQ(NodeOf(t, 1).start_ns, 150);
}

TEST(TraceTree, RefusesDeltaOverTheLimitAndSkipsWhenDisabled) {
  SpanBatch b = Batch({{1, 0, "a", 0, 1000}, {2, 1, "b", 1500, 1600}});
  TraceTreeOptions o;
  o.max_skew_adjust_ns = 1000;
  TraceTree t = BuildTraceTree(b, o);
  ASSERT_EQ(t.skew_adjustments().size(), 1u);
  EXPECT_FALSE(t.skew_adjustments()[0].applied);
  EXPECT_EQ(NodeOf(t, 1).start_ns, 1500);
  o.adjust_clock_skew = false;
  EXPECT_TRUE(BuildTraceTree(b, o).skew_adjustments().empty());
}

TEST(TraceTree, ZipkinSharedServerHalfBecomesChildOfClientHalf) {
  // The SERVER half shares id 2 with its CLIENT; id 2's children hang under the SERVER.
  SpanBatch b = Batch({{2, 1, "b", 10, 90, nullptr, SpanKind::kServer},
                       {1, 0, "a", 0, 100},
                       {2, 1, "a", 5, 95, nullptr, SpanKind::kClient},
                       {3, 2, "b", 20, 30}});
  TraceTree t = BuildTraceTree(b);
  EXPECT_TRUE(t.issues().empty());
  EXPECT_EQ(t.node(NodeOf(t, 0).parent).row, 2u);
  EXPECT_TRUE(NodeOf(t, 0).shared_server);
  EXPECT_EQ(t.node(NodeOf(t, 3).parent).row, 0u);
  EXPECT_EQ(NodeOf(t, 2).self_ns, 10);
}

TEST(TraceTree, HostKeyPrefersHostAttributesOverService) {
  SpanBatch b = Batch({{1, 0, "a", 0, 10, "web-1"}, {2, 1, "b", 0, 10}});
  TraceTree t = BuildTraceTree(b);
  EXPECT_EQ(t.HostKey(0), "web-1");
  EXPECT_EQ(t.HostKey(1), "b");
}

TEST(TraceTree, FormatsDurationsReadably) {
  EXPECT_EQ(FormatDurationNs(0), "0ns");
  EXPECT_EQ(FormatDurationNs(850000, true), "850us");
  EXPECT_EQ(FormatDurationNs(12500), "12.50\xc2\xb5s");
  EXPECT_EQ(FormatDurationNs(-250038330), "-250.0ms");
  EXPECT_EQ(FormatDurationNs(65922000), "65.92ms");
  EXPECT_EQ(FormatDurationNs(1234567890), "1.235s");
  EXPECT_EQ(FormatDurationNs(125000000000), "2m05s");
}

// ---- real traces --------------------------------------------------------------------------

std::string ReadData(const std::string& rel) {
  Result<std::string> data = ReadFileDecompressed(std::string(DDBG_SHARED_DATA) + "/" + rel);
  EXPECT_TRUE(data.ok()) << rel << ": " << data.status().ToString();
  return data.ok() ? *data : std::string();
}

uint32_t RowOf(const SpanBatch& b, std::string_view service, SpanKind kind) {
  for (uint32_t r = 0; r < b.size(); ++r) {
    if (b.dict.Get(b.service[r]) == service && b.kind[r] == kind) return r;
  }
  ADD_FAILURE() << "no " << service << " span of kind " << SpanKindName(kind);
  return 0;
}

TEST(TraceTreeRealData, ZipkinSkewShiftsServerSpanToCentreInItsClient) {
  // skew.json: CLIENT post (servicea) starts 1470150004074202 µs, lasts 94539 µs; its shared
  // SERVER half (serviceb) starts 1470150004008761, lasts 93577. Centring: latency
  // (94539 - 93577) / 2 = 481 µs, delta = 074202 + 481 - 008761 = 65922 µs.
  DecodeContext ctx("skew.json");
  ASSERT_TRUE(DecodeZipkinJson(ReadData("traces/zipkin-lens/skew.json"), ctx).ok());
  ASSERT_EQ(ctx.spans.size(), 4u);
  TraceTree t = BuildTraceTree(ctx.spans);
  EXPECT_TRUE(t.issues().empty());
  ASSERT_EQ(t.skew_adjustments().size(), 1u);
  const SkewAdjustment& s = t.skew_adjustments()[0];
  EXPECT_EQ(s.delta_ns, 65922000);
  uint32_t server = RowOf(ctx.spans, "serviceb", SpanKind::kServer);
  EXPECT_EQ(t.node(s.node).row, server);
  EXPECT_EQ(t.node(t.node(s.node).parent).row, RowOf(ctx.spans, "servicea", SpanKind::kClient));
  EXPECT_EQ(NodeOf(t, server).start_ns, 1470150004074683000);
  // The local "async" span on serviceb moves with its server span.
  uint32_t async = RowOf(ctx.spans, "serviceb", SpanKind::kInternal);
  EXPECT_EQ(NodeOf(t, async).skew_ns, 65922000);
  EXPECT_EQ(NodeOf(t, async).start_ns, 1470150004074684000);
  EXPECT_EQ(NodeOf(t, async).depth, 3u);
}

TEST(TraceTreeRealData, OtlpInventoryClockAheadIsShiftedBack) {
  // json-shared-skew: inventory (app-02) runs 250 ms ahead. In trace 3a9a4f84… its SERVER span
  // 1a3e6cd7c6a15598 [...415000244, ...423812988] sits under checkout's CLIENT 4805bd6fda333416
  // [...163937012, ...174799561] (exact integers, python): durations 10862549 and 8812744,
  // delta = 163937012 + (10862549 - 8812744) / 2 - 415000244 = -250038330.
  DecodeContext ctx("0001-traces.json");
  ASSERT_TRUE(
      DecodeOtlpJson(ReadData("otlp-captured/json-shared-skew/0001-traces.json"), ctx).ok());
  TraceTreeOptions o;
  ASSERT_TRUE(ParseTraceIdHex("3a9a4f8456454e6641a5562067649405", &o.trace_id));
  TraceTree t = BuildTraceTree(ctx.spans, o);
  EXPECT_EQ(t.span_count(), 19u);
  EXPECT_TRUE(t.issues().empty());
  ASSERT_EQ(t.skew_adjustments().size(), 1u);
  const SkewAdjustment& s = t.skew_adjustments()[0];
  EXPECT_EQ(s.delta_ns, -250038330);
  EXPECT_EQ(ctx.spans.dict.Get(ctx.spans.service[t.node(s.node).row]), "inventory");
  EXPECT_EQ(t.node(s.node).span_id, 0x1a3e6cd7c6a15598u);
  EXPECT_EQ(s.reason, "starts 240.2ms after its parent ends");
  // Every inventory span of the trace moved by the same delta; nothing else moved.
  for (const TraceTree::Node& n : t.nodes()) {
    bool inventory = ctx.spans.dict.Get(ctx.spans.service[n.row]) == "inventory";
    EXPECT_EQ(n.skew_ns, inventory ? -250038330 : 0);
  }
  // The trace now ends with notification's consumer span (…380855225), no longer with the
  // unshifted inventory span (…423812988); it starts with GET /checkout (…157723877).
  EXPECT_EQ(t.duration_ns(), 380855225 - 157723877);
}

// Self time per span, in µs, keyed by "service op#n" in file order.
std::map<std::string, int64_t> SelfTimesUs(const std::string& file) {
  DecodeContext ctx(file);
  Status st = DecodeJaegerJson(ReadData("traces/jaeger-ui/self-time-shapes/" + file), ctx);
  EXPECT_TRUE(st.ok()) << st.ToString();
  TraceTreeOptions o;
  o.adjust_clock_skew = false;  // jaeger-ui's statistics work on the recorded times
  TraceTree t = BuildTraceTree(ctx.spans, o);
  EXPECT_TRUE(t.issues().empty());
  std::map<std::string, int64_t> out;
  for (const TraceTree::Node& n : t.nodes()) {
    std::string key = SpanIdToHex(n.span_id);
    out[key] = n.self_ns / 1000;
  }
  return out;
}

TEST(TraceTreeRealData, SelfTimesMatchJaegerUiTraceStatistics) {
  // tableValues.test.js, testTraceNormal: self 2.4 / 0.76 / 1.67 / 0.05 / 0.02 ms.
  auto normal = SelfTimesUs("testTraceNormal.json");
  EXPECT_EQ(normal["150c193cf155b46b"], 2403);  // api-gateway GET /api/customer/…
  EXPECT_EQ(normal["22be69e72cbcde0b"], 760);   // api-gateway GET /owners/8/pets/10
  EXPECT_EQ(normal["e821b549888cbc3b"], 1666);  // customers-service GET /owners/8/pets/10
  EXPECT_EQ(normal["622a5079b565623e"], 52);
  EXPECT_EQ(normal["4085dddb47429851"], 21);
  // "spans among each other": nine overlapping queries union to [956849, 956880]: 1.67 ms.
  EXPECT_EQ(SelfTimesUs("spansAmongEachOther.json")["6f9bbe751e5fd944"], 1665);
  // Grouped: plus three identical queries [956897, 956937]: 1696 - 31 - 40 → 1.63 ms; and
  // two more apart ([957522, +46], [957658, +19]) → 1.56 ms.
  EXPECT_EQ(SelfTimesUs("spansAmongEachOtherGrouped.json")["6f9bbe751e5fd944"], 1625);
  EXPECT_EQ(SelfTimesUs("spanAmongEachOtherGroupedAndSpans.json")["6f9bbe751e5fd944"], 1560);
  // "span is longer as parent": children clipped at the parent's end: 1.22 ms.
  EXPECT_EQ(SelfTimesUs("spanLongerAsParent.json")["6745965d0b964193"], 1215);
}

}  // namespace
}  // namespace ddbg
