// The two-part dictionary of span and log segments (format version 2) and column
// projection: structure-only reads hold only the structure strings, full reads hold every
// string, version 1 segments still read, and damage to the value part is reported exactly
// when it is read.
#include <gtest/gtest.h>

#include <algorithm>

#include "store/embedded/file_io.h"
#include "store/embedded/posting_lists.h"
#include "store/embedded/segment_columns.h"
#include "store/embedded/segment_format.h"
#include "store/embedded/segment_reader.h"
#include "store/embedded/segment_writer.h"
#include "store/store_test_util.h"

namespace ddbg::store {
namespace {

using store_test::BitDiff;
using store_test::ContentDiff;
using store_test::ScratchDir;

// Spans whose attribute values include per-span user ids (value part only), "checkout" (also
// a service name: structure) and a link carrying opentracing.ref_type = follows_from.
SpanBatch SpansWithValues() {
  SpanBatch b = store_test::MakeSpans(40, 0x5000, 1700000000000000000);
  SpanRow r = b.Row(0);
  r.span_id = 0xfeed;
  b.attrs.AddString(b.dict.Intern("user.id"), b.dict.Intern("user-unique-1"));
  b.attrs.AddString(b.dict.Intern("peer.service"), b.dict.Intern("checkout"));
  b.link_attrs.AddString(b.dict.Intern("opentracing.ref_type"), b.dict.Intern("follows_from"));
  b.CommitLink(r.trace_id, r.parent_span_id, kEmptyStr);
  r.status_message = b.dict.Intern("a unique status message");
  b.CommitSpan(r);
  return b;
}

template <typename Batch>
WrittenSegment MustWrite(const std::string& path, const Batch& b, uint32_t version = 2) {
  SegmentWriteOptions w;
  w.format_version = version;
  Result<WrittenSegment> written = WriteSegment(path, b, w);
  EXPECT_TRUE(written.ok()) << written.status().ToString();
  return written.ok() ? *written : WrittenSegment{};
}

template <typename Batch>
Batch MustRead(const std::string& path, const WrittenSegment& w, SegmentReadOptions r = {}) {
  Batch out;
  Status st = ReadSegment(path, w.entry, &out, r);
  EXPECT_TRUE(st.ok()) << st.ToString();
  return out;
}

bool HasString(const StringDict& d, std::string_view s) { return d.Find(s) >= 0; }

// Every string of the dictionary, to count repeats.
size_t Count(const StringDict& d, std::string_view s) {
  size_t n = 0;
  for (size_t i = 0; i < d.size(); ++i) n += d.Get(static_cast<StrId>(i)) == s;
  return n;
}

// What a structure(+links) read must give: the full batch with the other groups emptied.
SpanBatch StructureOf(SpanBatch b, bool links) {
  const size_t rows = b.size();
  b.status_message.assign(rows, kEmptyStr);
  b.flags.assign(rows, 0);
  b.trace_state.assign(rows, kEmptyStr);
  b.attr_off.off.assign(rows + 1, 0);
  b.attrs.Clear();
  b.event_off.off.assign(rows + 1, 0);
  b.event_time_ns.clear();
  b.event_name.clear();
  b.event_attr_off = Offsets();
  b.event_attrs.Clear();
  if (!links) {
    b.link_off.off.assign(rows + 1, 0);
    b.link_trace_id.clear();
    b.link_span_id.clear();
    b.link_trace_state.clear();
    b.link_attr_off = Offsets();
    b.link_attrs.Clear();
  }
  return b;
}

TEST(DictSplit, StructureReadOfSpansHoldsOnlyStructureStrings) {
  ScratchDir dir;
  SpanBatch in = SpansWithValues();
  WrittenSegment w = MustWrite(dir.Sub("s"), in);
  SpanBatch full = MustRead<SpanBatch>(dir.Sub("s"), w);
  EXPECT_EQ(ContentDiff(in, full), "");
  for (bool links : {false, true}) {
    SegmentReadOptions r;
    r.span_columns = links ? SpanColumns::kLinks : SpanColumns::kStructure;
    SpanBatch part = MustRead<SpanBatch>(dir.Sub("s"), w, r);
    EXPECT_EQ(ContentDiff(StructureOf(full, links), part), "") << links;
    // Structure strings resolve; value strings are not even in the dictionary.
    EXPECT_LT(part.dict.size(), full.dict.size());
    EXPECT_TRUE(HasString(part.dict, "host-frontend"));  // resource attribute value
    EXPECT_TRUE(HasString(part.dict, "user.id"));        // attribute key
    EXPECT_TRUE(HasString(part.dict, "follows_from"));   // link attribute value
    EXPECT_TRUE(HasString(part.dict, "exception"));      // event name
    EXPECT_FALSE(HasString(part.dict, "user-unique-1"));
    EXPECT_FALSE(HasString(part.dict, "a unique status message"));
    EXPECT_FALSE(HasString(part.dict, "Timeout"));  // event attribute value
    EXPECT_FALSE(HasString(part.dict, "vendor=x"));  // span trace state
  }
  EXPECT_TRUE(HasString(full.dict, "user-unique-1"));
}

TEST(DictSplit, StringUsedAsServiceAndAsValueResolvesInBothReads) {
  ScratchDir dir;
  SpanBatch in = SpansWithValues();
  WrittenSegment w = MustWrite(dir.Sub("s"), in);
  SpanBatch full = MustRead<SpanBatch>(dir.Sub("s"), w);
  SegmentReadOptions r;
  r.span_columns = SpanColumns::kStructure;
  SpanBatch part = MustRead<SpanBatch>(dir.Sub("s"), w, r);
  // Stored once, in the structure part, and named by both columns.
  EXPECT_EQ(Count(full.dict, "checkout"), 1u);
  EXPECT_EQ(Count(part.dict, "checkout"), 1u);
  const size_t last = full.size() - 1;
  EXPECT_EQ(full.dict.Get(full.attrs.value[full.attr_off.end(last) - 1]), "checkout");
  EXPECT_EQ(full.dict.Get(full.service[1]), "checkout");
  EXPECT_EQ(part.dict.Get(part.service[1]), "checkout");
  // Structure ids are the same in both reads: the value part only adds ids after them.
  EXPECT_EQ(part.service, full.service);
  EXPECT_EQ(part.name, full.name);
}

TEST(DictSplit, EmptyValuePartReads) {
  ScratchDir dir;
  SpanBatch in;
  store_test::AddResourcesAndScopes(in, {"frontend"});
  for (int i = 0; i < 5; ++i) {
    SpanRow r;
    r.trace_id = TraceId{1, 2};
    r.span_id = 10 + static_cast<uint64_t>(i);
    r.name = in.dict.Intern("op");
    in.CommitSpan(r);
  }
  WrittenSegment w = MustWrite(dir.Sub("s"), in);
  SpanBatch full = MustRead<SpanBatch>(dir.Sub("s"), w);
  SegmentReadOptions r;
  r.span_columns = SpanColumns::kStructure;
  SpanBatch part = MustRead<SpanBatch>(dir.Sub("s"), w, r);
  EXPECT_EQ(ContentDiff(in, full), "");
  EXPECT_EQ(ContentDiff(in, part), "");
  EXPECT_EQ(full.dict.size(), part.dict.size());
}

TEST(DictSplit, LogProjectionLeavesOutBodiesAttributesAndParams) {
  ScratchDir dir;
  LogBatch in = store_test::MakeLogs(60, 0x7000, 1700000000000000000);
  WrittenSegment w = MustWrite(dir.Sub("l"), in);
  LogBatch full = MustRead<LogBatch>(dir.Sub("l"), w);
  ASSERT_EQ(ContentDiff(in, full), "");

  SegmentReadOptions r;
  r.log_columns = LogColumns::kStructure;
  LogBatch part = MustRead<LogBatch>(dir.Sub("l"), w, r);
  LogBatch want = full;
  want.body.assign(want.size(), kEmptyStr);
  want.body_type.assign(want.size(), AttrType::kString);
  want.attr_off.off.assign(want.size() + 1, 0);
  want.attrs.Clear();
  want.param_off.off.assign(want.size() + 1, 0);
  want.params.clear();
  EXPECT_EQ(ContentDiff(want, part), "");
  EXPECT_EQ(part.template_id, full.template_id);
  EXPECT_FALSE(HasString(part.dict, "user 5 logged in"));
  EXPECT_FALSE(HasString(part.dict, "p1"));  // template parameter
  EXPECT_TRUE(HasString(part.dict, "login"));  // event name
  EXPECT_TRUE(HasString(part.dict, "host-payments"));

  // One group asked for: that group as in the full read, the others empty.
  r.log_columns = LogColumns::kBody;
  LogBatch bodies = MustRead<LogBatch>(dir.Sub("l"), w, r);
  want.body = full.body;
  want.body_type = full.body_type;
  EXPECT_EQ(ContentDiff(want, bodies), "");
  EXPECT_EQ(bodies.dict.size(), full.dict.size());
}

TEST(DictSplit, VersionOneSegmentsStillRead) {
  ScratchDir dir;
  SpanBatch spans = SpansWithValues();
  LogBatch logs = store_test::MakeLogs(30, 0x100, 5);
  WrittenSegment ws = MustWrite(dir.Sub("s1"), spans, 1);
  WrittenSegment wl = MustWrite(dir.Sub("l1"), logs, 1);
  std::string head;
  ASSERT_TRUE(ReadFileRange(dir.Sub("s1"), 0, kSegmentHeaderBytes, &head).ok());
  EXPECT_EQ(GetFixed32(head.data() + 8), 1u);
  // One dictionary chunk with the batch's ids: bit-exact, whatever the projection.
  EXPECT_EQ(BitDiff(spans, MustRead<SpanBatch>(dir.Sub("s1"), ws)), "");
  EXPECT_EQ(BitDiff(logs, MustRead<LogBatch>(dir.Sub("l1"), wl)), "");
  SegmentReadOptions r;
  r.span_columns = SpanColumns::kLinks;
  r.log_columns = LogColumns::kStructure;
  SpanBatch part = MustRead<SpanBatch>(dir.Sub("s1"), ws, r);
  EXPECT_EQ(ContentDiff(StructureOf(spans, true), part), "");
  LogBatch lpart = MustRead<LogBatch>(dir.Sub("l1"), wl, r);
  EXPECT_EQ(lpart.time_ns, logs.time_ns);
  EXPECT_TRUE(lpart.params.empty());
}

// Flips one byte inside the stored bytes of chunk `column`.
void DamageChunk(const std::string& path, uint32_t column) {
  std::string file;
  ASSERT_TRUE(ReadWholeFile(path, &file).ok());
  std::vector<DirectoryEntry> dir;
  std::string why;
  ASSERT_TRUE(DecodeDirectory(file, &dir, &why)) << why;
  auto e = std::find_if(dir.begin(), dir.end(),
                        [column](const DirectoryEntry& d) { return d.column == column; });
  ASSERT_NE(e, dir.end());
  file[e->offset + kChunkHeaderBytes + 1] ^= 0x40;
  ASSERT_TRUE(store_test::OverwriteFile(path, file));
}

TEST(DictSplit, DamagedValuePartIsReportedOnlyWhenRead) {
  ScratchDir dir;
  SpanBatch spans = SpansWithValues();
  LogBatch logs = store_test::MakeLogs(30, 0x100, 5);
  WrittenSegment ws = MustWrite(dir.Sub("s"), spans);
  WrittenSegment wl = MustWrite(dir.Sub("l"), logs);
  DamageChunk(dir.Sub("s"), kColDictValues);
  DamageChunk(dir.Sub("l"), kColDictValues);

  SegmentReadOptions structure;
  structure.span_columns = SpanColumns::kLinks;
  structure.log_columns = LogColumns::kStructure;
  SpanBatch sb;
  LogBatch lb;
  EXPECT_TRUE(ReadSegment(dir.Sub("s"), ws.entry, &sb, structure).ok());
  EXPECT_TRUE(ReadSegment(dir.Sub("l"), wl.entry, &lb, structure).ok());

  SegmentReadOptions details;
  details.span_columns = SpanColumns::kDetails;
  details.log_columns = LogColumns::kParams;
  for (const SegmentReadOptions& r : {details, SegmentReadOptions{}}) {
    Status st = ReadSegment(dir.Sub("s"), ws.entry, &sb, r);
    EXPECT_EQ(st.code(), StatusCode::kCorruption);
    EXPECT_NE(st.message().find("column 'dict_values' (id 2)"), std::string::npos) << st.message();
    st = ReadSegment(dir.Sub("l"), wl.entry, &lb, r);
    EXPECT_EQ(st.code(), StatusCode::kCorruption);
    EXPECT_NE(st.message().find("dict_values"), std::string::npos) << st.message();
  }
}

TEST(DictSplit, ProjectedReadLeavesPostingChunksToQueriesAndAFullReadChecksThem) {
  ScratchDir dir;
  SpanBatch spans = SpansWithValues();
  WrittenSegment w = MustWrite(dir.Sub("s"), spans);
  DamageChunk(dir.Sub("s"), kColTermPostings);
  SegmentReadOptions structure;
  structure.span_columns = SpanColumns::kLinks;
  SpanBatch b;
  EXPECT_TRUE(ReadSegment(dir.Sub("s"), w.entry, &b, structure).ok());
  Status st = ReadSegment(dir.Sub("s"), w.entry, &b);
  EXPECT_EQ(st.code(), StatusCode::kCorruption);
  EXPECT_NE(st.message().find("index chunk 911"), std::string::npos) << st.message();
}

}  // namespace
}  // namespace ddbg::store
