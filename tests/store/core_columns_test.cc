// ScanFilter::core_span_columns: the scan skips span attributes, events and links, keeps
// every other column bit-exact, and the batch it returns is well-formed (zero offsets).
#include <gtest/gtest.h>

#include "ddbg/store.h"
#include "store/store_test_util.h"

namespace ddbg {
namespace {

constexpr int64_t kT0 = 1736935200000000000;

TEST(CoreSpanColumns, SkipsAttributesEventsAndLinksOnly) {
  store_test::ScratchDir dir;
  auto store = OpenEmbeddedStore(dir.path());
  ASSERT_TRUE(store.ok());
  SpanBatch written = store_test::MakeSpans(300, 0x5000, kT0);
  ASSERT_GT(written.attrs.size(), 0u);
  ASSERT_GT(written.event_time_ns.size(), 0u);
  ASSERT_GT(written.link_span_id.size(), 0u);
  ASSERT_TRUE((*store)->AppendSpans(written).ok());
  ScanFilter filter;
  filter.core_span_columns = true;
  size_t batches = 0;
  ASSERT_TRUE((*store)->ScanSpans(filter, [&](const SpanBatch& b) {
    ++batches;
    EXPECT_EQ(b.span_id, written.span_id);
    EXPECT_EQ(b.trace_id, written.trace_id);
    EXPECT_EQ(b.parent_span_id, written.parent_span_id);
    EXPECT_EQ(b.start_ns, written.start_ns);
    EXPECT_EQ(b.end_ns, written.end_ns);
    EXPECT_EQ(b.status, written.status);
    EXPECT_EQ(b.kind, written.kind);
    EXPECT_EQ(b.resources.attrs.key, written.resources.attrs.key);
    for (size_t i = 0; i < b.size(); ++i) {
      EXPECT_EQ(b.dict.Get(b.name[i]), written.dict.Get(written.name[i]));
      EXPECT_EQ(b.dict.Get(b.service[i]), written.dict.Get(written.service[i]));
    }
    EXPECT_EQ(b.attrs.size(), 0u);
    EXPECT_TRUE(b.event_time_ns.empty());
    EXPECT_TRUE(b.link_span_id.empty());
    EXPECT_EQ(b.attr_off.off, std::vector<uint32_t>(b.size() + 1, 0));
    EXPECT_EQ(b.event_off.off, std::vector<uint32_t>(b.size() + 1, 0));
    bool in_resource = false;
    EXPECT_EQ(b.FindAttr(0, "no.such.key", &in_resource), -1);
    return Status::Ok();
  }).ok());
  EXPECT_EQ(batches, 1u);
  // Without the flag the same scan returns everything.
  ASSERT_TRUE((*store)->ScanSpans({}, [&](const SpanBatch& b) {
    EXPECT_EQ(b.attrs.size(), written.attrs.size());
    EXPECT_EQ(b.event_time_ns.size(), written.event_time_ns.size());
    return Status::Ok();
  }).ok());
}

}  // namespace
}  // namespace ddbg
