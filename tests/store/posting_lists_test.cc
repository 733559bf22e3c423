// The posting lists of span and log segments: exact rows per term and per token piece, what
// is not indexed answers "every row", segments without posting lists (older stores) are
// offered without index and still read, and a damaged posting chunk is reported.
#include <gtest/gtest.h>

#include <roaring/roaring.hh>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "ddbg/index_terms.h"
#include "ddbg/store.h"
#include "store/embedded/posting_lists.h"
#include "store/embedded/segment_format.h"
#include "store/store_test_util.h"

namespace ddbg {
namespace {

using store_test::MakeLogs;
using store_test::MakeSpans;
using store_test::ScratchDir;

std::vector<uint32_t> Rows(const Roaring& r) {
  std::vector<uint32_t> out;
  for (uint32_t x : r) out.push_back(x);
  return out;
}

// The rows of `b` for which pred(row) holds, as the reference for a posting list.
template <typename Pred>
std::vector<uint32_t> Where(size_t n, Pred&& pred) {
  std::vector<uint32_t> out;
  for (uint32_t i = 0; i < n; ++i) {
    if (pred(i)) out.push_back(i);
  }
  return out;
}

// Runs fn on the cursor of the store's only segment of the signal.
template <typename Fn>
void OnOnlySegment(Store& s, bool logs, Fn&& fn) {
  int seen = 0;
  SegmentFn each = [&](SegmentCursor& c) -> Result<bool> {
    ++seen;
    fn(c);
    return true;
  };
  ASSERT_TRUE((logs ? s.ForEachLogSegment({}, each) : s.ForEachSpanSegment({}, each)).ok());
  ASSERT_EQ(seen, 1);
}

TEST(PostingLists, SpanTermsHoldExactlyTheirRows) {
  ScratchDir dir;
  auto s = OpenEmbeddedStore(dir.path());
  ASSERT_TRUE(s.ok());
  SpanBatch b = MakeSpans(60, 0x100, 1'000'000'000);
  ASSERT_TRUE((*s)->AppendSpans(b).ok());
  OnOnlySegment(**s, false, [&](SegmentCursor& c) {
    ASSERT_TRUE(c.has_index());
    EXPECT_EQ(c.rows(), 60u);
    Roaring r;
    ASSERT_TRUE(c.Postings(IndexTerm(TermField::kSpanName, "op-2"), &r).ok());
    EXPECT_EQ(Rows(r), Where(60, [](uint32_t i) { return i % 5 == 2; }));
    ASSERT_TRUE(c.Postings(IndexTerm(TermField::kStatus, "error"), &r).ok());
    EXPECT_EQ(Rows(r), Where(60, [&](uint32_t i) { return b.status[i] == SpanStatus::kError; }));
    ASSERT_TRUE(c.Postings(IndexTerm(TermField::kAttr, "http.status_code", AttrType::kInt, "-500"), &r).ok());
    EXPECT_EQ(Rows(r), Where(60, [](uint32_t i) { return i % 3 == 0; }));
    ASSERT_TRUE(c.Postings(IndexTerm(TermField::kResourceAttr, "host.name", AttrType::kString, "host-checkout"), &r).ok());
    EXPECT_EQ(Rows(r), Where(60, [](uint32_t i) { return i % 2 == 1; }));
    ASSERT_TRUE(c.Postings(IndexTerm(TermField::kEventAttr, "exception.type", AttrType::kString, "Timeout"), &r).ok());
    EXPECT_EQ(Rows(r), Where(60, [](uint32_t i) { return i % 2 == 0; }));
    ASSERT_TRUE(c.Postings(IndexTerm(TermField::kLinkAttr, "link.n", AttrType::kInt, "9"), &r).ok());
    EXPECT_EQ(Rows(r), std::vector<uint32_t>{9});
    // scope.level is an attribute of the second scope ("custom"), which odd rows use.
    ASSERT_TRUE(c.Postings(IndexTerm(TermField::kScopeAttr, "scope.level", AttrType::kInt, "7"), &r).ok());
    EXPECT_EQ(Rows(r), Where(60, [](uint32_t i) { return i % 2 == 1; }));
    ASSERT_TRUE(c.Postings(IndexTerm(TermField::kScopeName, "custom"), &r).ok());
    EXPECT_EQ(Rows(r), Where(60, [](uint32_t i) { return i % 2 == 1; }));
    // The same text as another type is another term.
    ASSERT_TRUE(c.Postings(IndexTerm(TermField::kAttr, "http.status_code", AttrType::kString, "-500"), &r).ok());
    EXPECT_TRUE(r.isEmpty());
    // Bytes values are not indexed: every row is a candidate.
    ASSERT_TRUE(c.Postings(IndexTerm(TermField::kAttr, "blob", AttrType::kBytes, "x"), &r).ok());
    EXPECT_EQ(r.cardinality(), 60u);
  });
}

TEST(PostingLists, LogTokensMatchSubstringsOfTokens) {
  ScratchDir dir;
  auto s = OpenEmbeddedStore(dir.path());
  ASSERT_TRUE(s.ok());
  LogBatch b = MakeLogs(40, 0x200, 2'000'000'000);
  ASSERT_TRUE((*s)->AppendLogs(b).ok());
  auto body_has_token_with = [&](std::string_view piece) {
    return Where(40, [&](uint32_t i) {
      bool found = false;
      ForEachToken(b.dict.Get(b.body[i]), [&](std::string_view t) {
        found = found || t.find(piece) != std::string_view::npos;
      });
      return found;
    });
  };
  OnOnlySegment(**s, true, [&](SegmentCursor& c) {
    ASSERT_TRUE(c.has_index());
    Roaring r;
    for (const char* piece : {"logged", "ogge", "1", "12", "structured", "user", "zzz"}) {
      ASSERT_TRUE(c.TokenRows(piece, &r).ok());
      EXPECT_EQ(Rows(r), body_has_token_with(piece)) << piece;
    }
    ASSERT_TRUE(c.Postings(IndexTerm(TermField::kService, "payments"), &r).ok());
    EXPECT_EQ(Rows(r), Where(40, [](uint32_t i) { return i % 2 == 1; }));
    ASSERT_TRUE(c.Postings(IndexTerm(TermField::kSeverity, "ERROR"), &r).ok());
    EXPECT_EQ(Rows(r), Where(40, [&](uint32_t i) {
                return std::string_view(SeverityShortName(b.severity_number[i])) == "ERROR";
              }));
    // Log record attributes are not indexed.
    ASSERT_TRUE(c.Postings(IndexTerm(TermField::kAttr, "http.method", AttrType::kString, "GET"), &r).ok());
    EXPECT_EQ(r.cardinality(), 40u);
  });
}

// Renames the posting list chunks in a segment's directory so that the file looks like one
// written before they existed (the bytes stay; the file size is unchanged).
void HidePostings(const std::string& path) {
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  std::string file = ss.str();
  const char* t = file.data() + file.size() - store::kTrailerBytes;
  uint64_t dir_offset = store::GetFixed64(t);
  std::string directory = file.substr(dir_offset, file.size() - store::kTrailerBytes - dir_offset);
  for (size_t e = 0; e < directory.size(); e += store::kDirectoryEntryBytes) {
    uint32_t col = store::GetFixed32(directory.data() + e);
    if (col >= store::kColTerms && col <= store::kColTokenPostings) {
      store::PutFixed32(directory.data() + e, 990);
    }
  }
  f.seekp(static_cast<std::streamoff>(dir_offset));
  f << directory << store::EncodeTrailer(dir_offset, directory);
}

std::string OnlySegmentFile(const std::string& dir, const std::string& prefix) {
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().filename().string().starts_with(prefix)) return e.path().string();
  }
  return "";
}

TEST(PostingLists, SegmentsWithoutPostingsAreOfferedWithoutIndex) {
  ScratchDir dir;
  auto s = OpenEmbeddedStore(dir.path());
  ASSERT_TRUE(s.ok());
  LogBatch b = MakeLogs(30, 0x300, 3'000'000'000);
  ASSERT_TRUE((*s)->AppendLogs(b).ok());
  s->reset();
  HidePostings(OnlySegmentFile(dir.path(), "logs-"));
  auto old = OpenEmbeddedStore(dir.path(), {.read_only = true});
  ASSERT_TRUE(old.ok());
  OnOnlySegment(**old, true, [&](SegmentCursor& c) {
    EXPECT_FALSE(c.has_index());
    LogBatch read;
    Status st = c.ReadLogs(&read);
    ASSERT_TRUE(st.ok()) << st.message();
    EXPECT_EQ(store_test::ContentDiff(b, read), "");
  });
}

TEST(PostingLists, DamagedPostingChunkIsReported) {
  ScratchDir dir;
  auto s = OpenEmbeddedStore(dir.path());
  ASSERT_TRUE(s.ok());
  ASSERT_TRUE((*s)->AppendSpans(MakeSpans(30, 0x400, 4'000'000'000)).ok());
  std::string path = OnlySegmentFile(dir.path(), "spans-");
  // Flip a byte inside the term chunk (found through the directory).
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  std::string file = ss.str();
  std::vector<store::DirectoryEntry> entries;
  std::string why;
  ASSERT_TRUE(store::DecodeDirectory(file, &entries, &why));
  uint64_t at = 0;
  for (const auto& e : entries) {
    if (e.column == store::kColTerms) at = e.offset + store::kChunkHeaderBytes + 3;
  }
  ASSERT_GT(at, 0u);
  f.seekp(static_cast<std::streamoff>(at));
  f.put(static_cast<char>(file[at] ^ 0x5a));
  f.close();
  OnOnlySegment(**s, false, [&](SegmentCursor& c) {
    Roaring r;
    Status st = c.Postings(IndexTerm(TermField::kSpanName, "op-1"), &r);
    EXPECT_EQ(st.code(), StatusCode::kCorruption);
    EXPECT_NE(st.message().find(path), std::string::npos) << st.message();
    EXPECT_NE(st.message().find("checksum"), std::string::npos) << st.message();
  });
}

}  // namespace
}  // namespace ddbg
