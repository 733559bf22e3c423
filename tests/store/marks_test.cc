// Marks: named counters committed with a combined spans+logs append (the server's WAL
// position), read back after reopening, and version-1 manifests still readable.
#include <gtest/gtest.h>
#include <xxhash.h>

#include "ddbg/store.h"
#include "store/embedded/file_io.h"
#include "store/embedded/manifest.h"
#include "store/store_test_util.h"

namespace ddbg {
namespace {

using store_test::ScratchDir;

TEST(StoreMarks, MarkedAppendCommitsSpansLogsAndMarkTogether) {
  ScratchDir dir;
  SpanBatch spans = store_test::MakeSpans(20, 0x10, 1000);
  LogBatch logs = store_test::MakeLogs(10, 0x10, 2000);
  {
    auto s = OpenEmbeddedStore(dir.path());
    ASSERT_TRUE(s.ok());
    EXPECT_EQ(*(*s)->ReadMark("serve.wal"), 0u);
    ASSERT_TRUE((*s)->AppendMarked(spans, logs, "serve.wal", 77).ok());
    ASSERT_TRUE((*s)->AppendMarked(SpanBatch(), LogBatch(), "other", 5).ok());
    EXPECT_EQ((*s)->Stats()->spans, 20u);
  }
  auto s = OpenEmbeddedStore(dir.path(), {.read_only = true});
  ASSERT_TRUE(s.ok());
  StoreStats st = *(*s)->Stats();
  EXPECT_EQ(st.spans, 20u);
  EXPECT_EQ(st.logs, 10u);
  EXPECT_EQ(st.segments, 2u);
  EXPECT_EQ(*(*s)->ReadMark("serve.wal"), 77u);
  EXPECT_EQ(*(*s)->ReadMark("other"), 5u);
  EXPECT_EQ(*(*s)->ReadMark("absent"), 0u);
}

TEST(StoreMarks, VersionOneManifestWithoutMarksIsRead) {
  store::Manifest m;
  m.generation = 3;
  m.next_seq = 9;
  m.marks["x"] = 1;
  std::string v2 = store::EncodeManifest(m);
  // Rebuild the same manifest as version 1: no mark section, version field 1.
  store::Manifest no_marks = m;
  no_marks.marks.clear();
  std::string v1 = store::EncodeManifest(no_marks);
  v1.resize(v1.size() - 9);  // drop the mark count (varint 0) and the checksum
  store::PutFixed32(v1.data() + store::kManifestMagic.size(), 1);
  char sum[8];
  store::PutFixed64(sum, XXH64(v1.data(), v1.size(), 0));
  v1.append(sum, 8);
  store::Manifest got;
  ASSERT_TRUE(store::DecodeManifest(v1, "MANIFEST", &got).ok());
  EXPECT_EQ(got.next_seq, 9u);
  EXPECT_TRUE(got.marks.empty());
  ASSERT_TRUE(store::DecodeManifest(v2, "MANIFEST", &got).ok());
  EXPECT_EQ(got.marks.at("x"), 1u);
}

}  // namespace
}  // namespace ddbg
