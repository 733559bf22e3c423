#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "ddbg/model.h"

namespace ddbg {
namespace {

TEST(Ids, HexRoundTripAndPadding) {
  TraceId t;
  ASSERT_TRUE(ParseTraceIdHex("3a9a4f8456454e6641a5562067649405", &t));
  EXPECT_EQ(TraceIdToHex(t), "3a9a4f8456454e6641a5562067649405");
  ASSERT_TRUE(ParseTraceIdHex("a03ee8fff1dcd9b9", &t));
  EXPECT_EQ(t.hi, 0u);
  EXPECT_EQ(TraceIdToHex(t), "0000000000000000a03ee8fff1dcd9b9");
  SpanId s;
  ASSERT_TRUE(ParseSpanIdHex("D9FE973684707C5C", &s));
  EXPECT_EQ(SpanIdToHex(s), "d9fe973684707c5c");
  EXPECT_FALSE(ParseSpanIdHex("xyz", &s));
  EXPECT_FALSE(ParseSpanIdHex("00112233445566778", &s));
  EXPECT_FALSE(ParseTraceIdHex("", &t));
}

// A dictionary read back from storage: ids by position, lookup table built on first use,
// also when several threads look up at once; Intern() afterwards continues the ids.
TEST(StringDict, UnindexedAppendsAreFoundLazilyFromManyThreads) {
  StringDict d;
  for (int i = 1; i <= 5000; ++i) EXPECT_EQ(d.AppendUnindexed("s" + std::to_string(i)), StrId(i));
  std::vector<int> wrong(4, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&d, &wrong, t] {
      for (int i = 5000; i >= 1; --i) wrong[t] += d.Find("s" + std::to_string(i)) != i;
      wrong[t] += d.Find("absent") != -1;
    });
  }
  for (std::thread& th : threads) th.join();
  EXPECT_EQ(wrong, std::vector<int>(4, 0));
  EXPECT_EQ(d.Intern("s17"), 17u);
  EXPECT_EQ(d.Intern("new"), 5001u);
  EXPECT_EQ(d.AppendUnindexed("later"), 5002u);
  EXPECT_EQ(d.Find("later"), 5002);
  StringDict moved = std::move(d);
  EXPECT_EQ(moved.Find("s4999"), 4999);
  StringDict copy = moved;
  EXPECT_EQ(copy.Find("later"), 5002);
  EXPECT_EQ(copy.Intern("x"), 5003u);
}

TEST(StringDict, InternsOnceAndKeepsViewsStable) {
  StringDict d;
  EXPECT_EQ(d.Intern(""), kEmptyStr);
  StrId a = d.Intern("alpha");
  std::string_view view = d.Get(a);
  for (int i = 0; i < 100000; ++i) d.Intern("s" + std::to_string(i));
  EXPECT_EQ(d.Intern("alpha"), a);
  EXPECT_EQ(view, "alpha");
  EXPECT_EQ(d.Get(a).data(), view.data());
  EXPECT_EQ(d.size(), 100002u);
  std::string big(10 << 20, 'x');
  StrId b = d.Intern(big);
  EXPECT_EQ(d.Get(b), big);
  StringDict copy = d;
  EXPECT_EQ(copy.Find("s99999"), d.Find("s99999"));
  EXPECT_EQ(copy.Get(b), big);
}

SpanBatch TwoSpans() {
  SpanBatch b;
  b.resources.attrs.AddString(b.dict.Intern("service.name"), b.dict.Intern("checkout"));
  uint32_t res = b.CommitResource(b.dict.Intern("checkout"));
  uint32_t scope = b.CommitScope(b.dict.Intern("lib"), b.dict.Intern("1.0"));
  for (int i = 0; i < 2; ++i) {
    b.attrs.AddInt(b.dict.Intern("http.status_code"), 200 + i);
    b.event_attrs.AddString(b.dict.Intern("exception.type"), b.dict.Intern("Timeout"));
    b.CommitEvent(150 + i, b.dict.Intern("exception"));
    SpanRow r;
    r.trace_id = {1, 2};
    r.span_id = 10 + i;
    r.parent_span_id = i ? 10 : 0;
    r.resource = res;
    r.scope = scope;
    r.name = b.dict.Intern(i ? "GET /db" : "POST /checkout");
    r.start_ns = 100 + i;
    r.end_ns = 200;
    r.status = i ? SpanStatus::kError : SpanStatus::kUnset;
    b.CommitSpan(r);
  }
  return b;
}

TEST(SpanBatch, DiscardPendingDropsHalfAppendedSpan) {
  SpanBatch b = TwoSpans();
  b.attrs.AddInt(b.dict.Intern("x"), 1);
  b.CommitEvent(1, b.dict.Intern("e"));
  b.DiscardPending();
  EXPECT_EQ(b.attrs.size(), 2u);
  EXPECT_EQ(b.event_time_ns.size(), 2u);
  EXPECT_EQ(b.dict.Get(b.service[1]), "checkout");
  bool in_res = true;
  int64_t a = b.FindAttr(1, "http.status_code", &in_res);
  ASSERT_GE(a, 0);
  EXPECT_FALSE(in_res);
  EXPECT_EQ(b.attrs.IntAt(a), 201);
  EXPECT_GE(b.FindAttr(0, "service.name", &in_res), 0);
  EXPECT_TRUE(in_res);
}

TEST(SpanRowCopier, CopiesRowsWithResourcesOnce) {
  SpanBatch src = TwoSpans();
  SpanBatch dst;
  dst.dict.Intern("unrelated");
  SpanRowCopier copier(src, &dst);
  copier.Copy(1);
  copier.Copy(0);
  EXPECT_EQ(dst.resources.size(), 1u);
  SpanBatch reordered;
  SpanRowCopier c2(src, &reordered);
  c2.Copy(1);
  c2.Copy(0);
  std::string why;
  EXPECT_TRUE(SameContent(dst, reordered, &why)) << why;
  EXPECT_FALSE(SameContent(dst, src, &why));
  EXPECT_EQ(dst.dict.Get(dst.name[0]), "GET /db");
  EXPECT_EQ(dst.event_time_ns[0], 151);
}

TEST(Severity, FromTextCommonSpellings) {
  EXPECT_EQ(SeverityFromText("warning"), 13);
  EXPECT_EQ(SeverityFromText("ERR"), 17);
  EXPECT_EQ(SeverityFromText("info"), 9);
  EXPECT_EQ(SeverityFromText("nonsense"), 0);
  EXPECT_STREQ(SeverityShortName(18), "ERROR");
}

}  // namespace
}  // namespace ddbg
