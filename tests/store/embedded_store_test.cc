// The embedded store through the Store interface: durability across reopen, snapshots,
// pruning, trace gathering, statistics, concurrency between processes, corruption.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <mutex>
#include <set>

#include "ddbg/store.h"
#include "store/embedded/file_io.h"
#include "store/embedded/segment_format.h"
#include "store/store_test_util.h"

namespace ddbg {
namespace {

using store_test::BitDiff;
using store_test::ContentDiff;
using store_test::ScratchDir;

std::unique_ptr<Store> MustOpen(const std::string& dir, EmbeddedStoreOptions options = {}) {
  Result<std::unique_ptr<Store>> s = OpenEmbeddedStore(dir, options);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return s.ok() ? std::move(s).value() : nullptr;
}

template <typename Batch>
std::vector<Batch> ScanAll(Store& s, const ScanFilter& f = {}, Status* status = nullptr) {
  std::vector<Batch> out;
  auto keep = [&out](const Batch& b) {
    out.push_back(b);
    return Status::Ok();
  };
  Status st;
  if constexpr (std::is_same_v<Batch, SpanBatch>) st = s.ScanSpans(f, keep);
  if constexpr (std::is_same_v<Batch, LogBatch>) st = s.ScanLogs(f, keep);
  if constexpr (std::is_same_v<Batch, EventBatch>) st = s.ScanEvents(f, keep);
  if (status != nullptr) {
    *status = st;
  } else {
    EXPECT_TRUE(st.ok()) << st.ToString();
  }
  return out;
}

// Segment files of the directory, sorted by name (= by sequence number per signal).
std::vector<std::string> SegmentFiles(const std::string& dir, const std::string& prefix) {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    std::string n = e.path().filename().string();
    if (n.starts_with(prefix) && n.ends_with(".seg")) out.push_back(e.path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

void FlipByte(const std::string& path, uint64_t offset) {
  std::string bytes;
  ASSERT_TRUE(store::ReadWholeFile(path, &bytes).ok());
  bytes[offset] ^= 0x40;
  ASSERT_TRUE(store::RemoveFile(path).ok());
  store::WritableFile f;
  ASSERT_TRUE(f.Create(path).ok());
  ASSERT_TRUE(f.Append(bytes).ok());
  ASSERT_TRUE(f.Close().ok());
}

void Truncate(const std::string& path, uint64_t size) { std::filesystem::resize_file(path, size); }

TEST(EmbeddedStore, ReopenReadsEverySignalBackBitExact) {
  ScratchDir dir;
  SpanBatch spans = store_test::MakeSpans(50, 0x100, 1000);
  LogBatch logs = store_test::MakeLogs(40, 0x100, 2000);
  EventBatch events = store_test::MakeEvents(30, 3000);
  {
    auto s = MustOpen(dir.Sub("data"));
    ASSERT_TRUE(s->AppendSpans(spans).ok());
    ASSERT_TRUE(s->AppendLogs(logs).ok());
    ASSERT_TRUE(s->AppendEvents(events).ok());
    // The writer sees its own appends without Refresh().
    ASSERT_EQ(ScanAll<SpanBatch>(*s).size(), 1u);
  }
  auto s = MustOpen(dir.Sub("data"));
  auto got_spans = ScanAll<SpanBatch>(*s);
  auto got_logs = ScanAll<LogBatch>(*s);
  auto got_events = ScanAll<EventBatch>(*s);
  ASSERT_EQ(got_spans.size(), 1u);
  ASSERT_EQ(got_logs.size(), 1u);
  ASSERT_EQ(got_events.size(), 1u);
  // String ids are renumbered by the two-part dictionary; events keep theirs.
  EXPECT_EQ(ContentDiff(spans, got_spans[0]), "");
  EXPECT_EQ(ContentDiff(logs, got_logs[0]), "");
  EXPECT_EQ(BitDiff(events, got_events[0]), "");
  EXPECT_TRUE(store::PathExists(dir.Sub("data/store.meta")));
  EXPECT_TRUE(store::PathExists(dir.Sub("data/MANIFEST")));
}

TEST(EmbeddedStore, EmptyBatchesAreIgnored) {
  ScratchDir dir;
  auto s = MustOpen(dir.path());
  SpanBatch empty;
  empty.dict.Intern("unused");
  EXPECT_TRUE(s->AppendSpans(empty).ok());
  EXPECT_TRUE(s->AppendLogs(LogBatch()).ok());
  EXPECT_TRUE(s->AppendEvents(EventBatch()).ok());
  EXPECT_EQ(s->Stats()->segments, 0u);
  EXPECT_TRUE(SegmentFiles(dir.path(), "").empty());
}

TEST(EmbeddedStore, MultipleAppendsAddSegmentsInOrder) {
  ScratchDir dir;
  std::vector<SpanBatch> in;
  {
    auto s = MustOpen(dir.path());
    for (int k = 0; k < 4; ++k) {
      in.push_back(store_test::MakeSpans(5 + k, 0x1000 * (k + 1), 1000 * k));
      ASSERT_TRUE(s->AppendSpans(in.back()).ok());
    }
  }
  // A second writer appends to what is there.
  {
    auto s = MustOpen(dir.path());
    in.push_back(store_test::MakeSpans(2, 0x9000, 77));
    ASSERT_TRUE(s->AppendSpans(in.back()).ok());
  }
  auto s = MustOpen(dir.path());
  auto got = ScanAll<SpanBatch>(*s);
  ASSERT_EQ(got.size(), in.size());
  for (size_t i = 0; i < in.size(); ++i) EXPECT_EQ(ContentDiff(in[i], got[i]), "") << i;
  EXPECT_EQ(SegmentFiles(dir.path(), "spans-").size(), 5u);
  EXPECT_EQ(s->Stats()->spans, 5u + 6 + 7 + 8 + 2);
}

TEST(EmbeddedStore, GetTraceGathersAcrossThreeSegmentsAndSkipsOthers) {
  ScratchDir dir;
  auto s = MustOpen(dir.path());
  const TraceId wanted{3, 0x300};
  for (uint64_t k = 0; k < 3; ++k) {
    SpanBatch b = store_test::MakeSpans(6, 0x300, static_cast<int64_t>(k) * 1000000000);
    for (SpanId& id : b.span_id) id += k << 32;
    ASSERT_TRUE(s->AppendSpans(b).ok());
  }
  ASSERT_TRUE(s->AppendSpans(store_test::MakeSpans(6, 0x700, 0)).ok());
  // The fourth segment does not hold the trace: damage it to prove GetTrace never opens it.
  std::vector<std::string> files = SegmentFiles(dir.path(), "spans-");
  ASSERT_EQ(files.size(), 4u);
  Truncate(files[3], 100);

  Result<SpanBatch> t = s->GetTrace(wanted);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  ASSERT_EQ(t->size(), 9u);
  std::set<SpanId> ids(t->span_id.begin(), t->span_id.end());
  for (uint64_t k = 0; k < 3; ++k) {
    for (uint64_t i = 0; i < 3; ++i) {
      EXPECT_TRUE(ids.count(0x1000000000000000ull + i + (k << 32))) << k << " " << i;
    }
  }
  for (size_t i = 0; i < t->size(); ++i) {
    EXPECT_EQ(t->trace_id[i], wanted);
    EXPECT_EQ(t->dict.Get(t->service[i]), (t->span_id[i] & 1) ? "checkout" : "frontend");
    int64_t a = t->FindAttr(i, "http.method", nullptr);
    ASSERT_GE(a, 0);
    EXPECT_EQ(t->dict.Get(static_cast<StrId>(t->attrs.value[a])),
              (t->span_id[i] & 1) ? "GET" : "POST");
  }
  EXPECT_EQ(s->GetTrace(TraceId{3, 0x999})->size(), 0u);
  EXPECT_EQ(s->GetTrace(TraceId{})->size(), 0u);
  // The damaged segment is reported when a trace it holds is asked for.
  Result<SpanBatch> broken = s->GetTrace(TraceId{7, 0x700});
  ASSERT_FALSE(broken.ok());
  EXPECT_EQ(broken.status().code(), StatusCode::kCorruption);
  EXPECT_NE(broken.status().message().find(files[3]), std::string::npos);
}

TEST(EmbeddedStore, GetTraceLogsGathersAcrossSegments) {
  ScratchDir dir;
  auto s = MustOpen(dir.path());
  LogBatch a = store_test::MakeLogs(9, 0x500, 0);   // rows 1,2 have trace 0x500
  LogBatch b = store_test::MakeLogs(6, 0x500, 10);  // rows 1,2 again
  ASSERT_TRUE(s->AppendLogs(a).ok());
  ASSERT_TRUE(s->AppendLogs(b).ok());
  Result<LogBatch> t = s->GetTraceLogs(TraceId{5, 0x500});
  ASSERT_TRUE(t.ok());
  ASSERT_EQ(t->size(), 4u);
  EXPECT_EQ(t->dict.Get(t->body[0]), "user 1 logged in");
  EXPECT_EQ(t->time_ns, (std::vector<int64_t>{1000, 2000, 1010, 2010}));
  EXPECT_EQ(t->template_id, (std::vector<uint32_t>{1, 2, 1, 2}));
  EXPECT_EQ(t->params.size(), 2u * (1 + 2));
  EXPECT_EQ(s->GetTraceLogs(TraceId{})->size(), 0u);
}

TEST(EmbeddedStore, TimeFilterNeverOpensSegmentsOutsideTheRange) {
  ScratchDir dir;
  auto s = MustOpen(dir.path());
  for (int64_t base : {int64_t{0}, int64_t{1} << 40, int64_t{2} << 40}) {
    ASSERT_TRUE(s->AppendSpans(store_test::MakeSpans(10, 0x10 + base, base)).ok());
    ASSERT_TRUE(s->AppendEvents(store_test::MakeEvents(10, base)).ok());
  }
  // Damage the first and last segment of each signal: a scan that opens them fails.
  for (const char* prefix : {"spans-", "events-"}) {
    std::vector<std::string> files = SegmentFiles(dir.path(), prefix);
    ASSERT_EQ(files.size(), 3u);
    Truncate(files[0], 64);
    Truncate(files[2], 64);
  }
  ScanFilter f;
  f.time.min_ns = (int64_t{1} << 40) + 2000000;  // inside the middle segment's bounds
  f.time.max_ns = (int64_t{1} << 40) + 3000000;
  auto spans = ScanAll<SpanBatch>(*s, f);
  ASSERT_EQ(spans.size(), 1u);
  EXPECT_EQ(spans[0].start_ns[0], int64_t{1} << 40);
  auto events = ScanAll<EventBatch>(*s, f);  // events span base .. base+4500
  EXPECT_EQ(events.size(), 0u);
  f.time.min_ns = (int64_t{1} << 40) + 4500;
  f.time.max_ns = (int64_t{1} << 40) + 4500;
  EXPECT_EQ(ScanAll<EventBatch>(*s, f).size(), 1u);
  // Without the filter the damaged first segment is reached and reported.
  Status st;
  ScanAll<SpanBatch>(*s, {}, &st);
  EXPECT_EQ(st.code(), StatusCode::kCorruption);
  EXPECT_NE(st.message().find("spans-000000000001.seg"), std::string::npos) << st.message();
}

TEST(EmbeddedStore, ServiceTraceAndStreamFiltersPruneSegments) {
  ScratchDir dir;
  auto s = MustOpen(dir.path());
  ASSERT_TRUE(s->AppendSpans(store_test::MakeSpans(6, 0x100, 0, 3, {"a"})).ok());
  ASSERT_TRUE(s->AppendSpans(store_test::MakeSpans(6, 0x200, 0, 3, {"b", "c"})).ok());
  ASSERT_TRUE(s->AppendLogs(store_test::MakeLogs(6, 0x100, 0)).ok());
  ASSERT_TRUE(s->AppendEvents(store_test::MakeEvents(4, 0, "order-")).ok());
  ASSERT_TRUE(s->AppendEvents(store_test::MakeEvents(4, 0, "cart-")).ok());
  ScanFilter f;
  f.services = {"c", "zzz"};
  auto spans = ScanAll<SpanBatch>(*s, f);
  ASSERT_EQ(spans.size(), 1u);
  EXPECT_EQ(spans[0].trace_id[0], (TraceId{2, 0x200}));
  f.services = {"zzz"};
  EXPECT_EQ(ScanAll<SpanBatch>(*s, f).size(), 0u);
  EXPECT_EQ(ScanAll<LogBatch>(*s, f).size(), 0u);
  f = ScanFilter();
  f.trace_ids = {TraceId{1, 0x101}};
  spans = ScanAll<SpanBatch>(*s, f);
  ASSERT_EQ(spans.size(), 1u);
  EXPECT_EQ(spans[0].trace_id[0], (TraceId{1, 0x100}));
  EXPECT_EQ(ScanAll<LogBatch>(*s, f).size(), 1u);
  f.trace_ids = {TraceId{1, 0x1ff}};
  EXPECT_EQ(ScanAll<SpanBatch>(*s, f).size(), 0u);
  EXPECT_EQ(ScanAll<LogBatch>(*s, f).size(), 0u);
  f = ScanFilter();
  f.streams = {"cart-2"};
  auto events = ScanAll<EventBatch>(*s, f);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].dict.Get(events[0].stream[0]), "cart-0");
  f.streams = {"order-9"};
  EXPECT_EQ(ScanAll<EventBatch>(*s, f).size(), 0u);
}

TEST(EmbeddedStore, BatchesAboveMaxRowsAreSplitIntoSegments) {
  ScratchDir dir;
  EmbeddedStoreOptions o;
  o.max_rows_per_segment = 4;
  auto s = MustOpen(dir.path(), o);
  SpanBatch in = store_test::MakeSpans(10, 0x40, 0);
  ASSERT_TRUE(s->AppendSpans(in).ok());
  ASSERT_TRUE(s->AppendEvents(store_test::MakeEvents(9, 0)).ok());
  auto got = ScanAll<SpanBatch>(*s);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0].size(), 4u);
  EXPECT_EQ(got[1].size(), 4u);
  EXPECT_EQ(got[2].size(), 2u);
  size_t row = 0;
  for (const SpanBatch& b : got) {
    for (size_t i = 0; i < b.size(); ++i, ++row) {
      EXPECT_EQ(b.span_id[i], in.span_id[row]);
      EXPECT_EQ(b.dict.Get(b.name[i]), in.dict.Get(in.name[row]));
      EXPECT_EQ(b.attr_off.end(i) - b.attr_off.begin(i),
                in.attr_off.end(row) - in.attr_off.begin(row));
      EXPECT_EQ(b.event_off.end(i) - b.event_off.begin(i),
                in.event_off.end(row) - in.event_off.begin(row));
    }
  }
  EXPECT_EQ(ScanAll<EventBatch>(*s).size(), 3u);
  EXPECT_EQ(s->Stats()->segments, 6u);
}

TEST(EmbeddedStore, EventSegmentsHaveTheirOwnRowLimit) {
  ScratchDir dir;
  EmbeddedStoreOptions o;
  o.max_rows_per_event_segment = 4;
  auto s = MustOpen(dir.path(), o);
  ASSERT_TRUE(s->AppendSpans(store_test::MakeSpans(10, 0x40, 0)).ok());
  EventBatch in = store_test::MakeEvents(9, 0);
  ASSERT_TRUE(s->AppendEvents(in).ok());
  EXPECT_EQ(ScanAll<SpanBatch>(*s).size(), 1u);
  auto got = ScanAll<EventBatch>(*s);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[2].size(), 1u);
  size_t row = 0;
  for (const EventBatch& b : got) {
    for (size_t i = 0; i < b.size(); ++i, ++row) {
      EXPECT_EQ(b.dict.Get(b.stream[i]), in.dict.Get(in.stream[row]));
      EXPECT_EQ(b.time_ns[i], in.time_ns[row]);
    }
  }
  // Column scans name each segment by its sequence number, in commit order.
  std::vector<uint64_t> numbers;
  ASSERT_TRUE(s->ScanEventColumns({}, {}, [&](EventColumns& c) {
                 numbers.push_back(c.segment);
                 return Status::Ok();
               }).ok());
  EXPECT_EQ(numbers, (std::vector<uint64_t>{2, 3, 4}));
  EXPECT_EQ(s->Stats()->last_segment, 4u);
}

TEST(EmbeddedStore, StatsAreExact) {
  ScratchDir dir;
  auto s = MustOpen(dir.path());
  ASSERT_TRUE(s->AppendSpans(store_test::MakeSpans(10, 0x100, 5000)).ok());
  ASSERT_TRUE(s->AppendSpans(store_test::MakeSpans(6, 0x102, 9000, 3, {"inventory"})).ok());
  ASSERT_TRUE(s->AppendLogs(store_test::MakeLogs(5, 0x100, 100)).ok());
  ASSERT_TRUE(s->AppendEvents(store_test::MakeEvents(9, 50)).ok());
  uint64_t bytes = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir.path())) bytes += e.file_size();
  for (int pass = 0; pass < 2; ++pass) {
    Result<StoreStats> st = s->Stats();
    ASSERT_TRUE(st.ok());
    EXPECT_EQ(st->traces, 4u);  // 0x100..0x103; 0x102 and 0x103 are in both segments
    EXPECT_EQ(st->spans, 16u);
    EXPECT_EQ(st->logs, 5u);
    EXPECT_EQ(st->events, 9u);
    EXPECT_EQ(st->segments, 4u);
    EXPECT_EQ(st->bytes_on_disk, bytes);
    EXPECT_EQ(st->min_time_ns, 50);
    EXPECT_EQ(st->max_time_ns, 5000 + 10 * 1000000);
    Result<TimeRange> bounds = s->DataTimeRange();
    ASSERT_TRUE(bounds.ok());
    EXPECT_EQ(bounds->min_ns, 50);
    EXPECT_EQ(bounds->max_ns, 5000 + 10 * 1000000);
    EXPECT_EQ(st->services,
              (std::vector<std::string>{"checkout", "frontend", "inventory", "payments"}));
    EXPECT_EQ(st->streams, 4u);
    EXPECT_EQ(st->streams_sample,
              (std::vector<std::string>{"order-0", "order-1", "order-2", "order-3"}));
    s = MustOpen(dir.path());  // the second pass reads the same numbers after a reopen
  }
}

TEST(EmbeddedStore, ReaderKeepsItsSnapshotUntilRefresh) {
  ScratchDir dir;
  auto s = MustOpen(dir.path());
  ASSERT_TRUE(s->AppendSpans(store_test::MakeSpans(3, 0x100, 0)).ok());
  ASSERT_EQ(s->Stats()->spans, 3u);
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto w = OpenEmbeddedStore(dir.path());
    bool ok = w.ok() && (*w)->AppendSpans(store_test::MakeSpans(5, 0x200, 100)).ok() &&
              (*w)->AppendEvents(store_test::MakeEvents(2, 0)).ok();
    _exit(ok ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  // The other process's segments are on disk but not in this snapshot.
  EXPECT_EQ(ScanAll<SpanBatch>(*s).size(), 1u);
  EXPECT_EQ(ScanAll<EventBatch>(*s).size(), 0u);
  EXPECT_EQ(s->Stats()->spans, 3u);
  EXPECT_EQ(s->GetTrace(TraceId{2, 0x200})->size(), 0u);
  ASSERT_TRUE(s->Refresh().ok());
  EXPECT_EQ(ScanAll<SpanBatch>(*s).size(), 2u);
  EXPECT_EQ(ScanAll<EventBatch>(*s).size(), 1u);
  EXPECT_EQ(s->Stats()->spans, 8u);
  EXPECT_EQ(s->GetTrace(TraceId{2, 0x200})->size(), 3u);
  // This process's next append keeps the other's segments (no lost manifest update).
  ASSERT_TRUE(s->AppendSpans(store_test::MakeSpans(1, 0x300, 0)).ok());
  EXPECT_EQ(MustOpen(dir.path())->Stats()->segments, 4u);
}

TEST(EmbeddedStore, TwoProcessesAppendingConcurrentlyBothLand) {
  ScratchDir dir;
  MustOpen(dir.path());
  int go[2];
  ASSERT_EQ(pipe(go), 0);
  constexpr int kAppends = 15;
  std::vector<pid_t> children;
  for (int c = 0; c < 2; ++c) {
    pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      close(go[1]);
      char b;
      (void)!read(go[0], &b, 1);  // wait until the parent lets both start
      auto w = OpenEmbeddedStore(dir.path());
      bool ok = w.ok();
      for (int i = 0; ok && i < kAppends; ++i) {
        ok = (*w)->AppendSpans(store_test::MakeSpans(2, 0x1000 * (c + 1) + i, i)).ok();
      }
      _exit(ok ? 0 : 1);
    }
    children.push_back(child);
  }
  close(go[0]);
  close(go[1]);
  for (pid_t child : children) {
    int status = 0;
    ASSERT_EQ(waitpid(child, &status, 0), child);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  auto s = MustOpen(dir.path());
  Result<StoreStats> st = s->Stats();
  EXPECT_EQ(st->segments, 2u * kAppends);
  EXPECT_EQ(st->spans, 4u * kAppends);
  EXPECT_EQ(SegmentFiles(dir.path(), "spans-").size(), 2u * kAppends);
  EXPECT_EQ(ScanAll<SpanBatch>(*s).size(), 2u * kAppends);
}

TEST(EmbeddedStore, DamagedSegmentsAreCorruptionNamingFileAndColumn) {
  ScratchDir dir;
  auto s = MustOpen(dir.path());
  ASSERT_TRUE(s->AppendSpans(store_test::MakeSpans(200, 0x100, 0)).ok());
  ASSERT_TRUE(s->AppendSpans(store_test::MakeSpans(200, 0x900, 0)).ok());
  std::vector<std::string> files = SegmentFiles(dir.path(), "spans-");
  ASSERT_EQ(files.size(), 2u);
  // Flip a byte inside the stored bytes of column 'name' (id 106).
  std::string bytes;
  ASSERT_TRUE(store::ReadWholeFile(files[0], &bytes).ok());
  std::vector<store::DirectoryEntry> directory;
  std::string why;
  ASSERT_TRUE(store::DecodeDirectory(bytes, &directory, &why)) << why;
  uint64_t name_chunk = 0;
  for (const auto& e : directory) {
    if (e.column == 106) name_chunk = e.offset;
  }
  ASSERT_GT(name_chunk, 0u);
  FlipByte(files[0], name_chunk + store::kChunkHeaderBytes + 3);
  Status st;
  ScanAll<SpanBatch>(*s, {}, &st);
  ASSERT_EQ(st.code(), StatusCode::kCorruption);
  EXPECT_NE(st.message().find(files[0]), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("column 'name' (id 106)"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("checksum mismatch"), std::string::npos) << st.message();
  // The other segment and the statistics still work.
  EXPECT_EQ(s->GetTrace(TraceId{9, 0x900})->size(), 3u);
  EXPECT_EQ(s->Stats()->spans, 400u);
  ScanFilter f;
  f.trace_ids = {TraceId{9, 0x901}};
  EXPECT_EQ(ScanAll<SpanBatch>(*s, f).size(), 1u);

  Truncate(files[1], store::FileSize(files[1]).value() - 10);
  auto reopened = MustOpen(dir.path());
  EXPECT_EQ(reopened->Stats()->traces, 134u);  // the indexes sit at the front of the files
  Result<SpanBatch> t = reopened->GetTrace(TraceId{9, 0x900});
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), StatusCode::kCorruption);
  EXPECT_NE(t.status().message().find(files[1] + ": truncated"), std::string::npos)
      << t.status().message();
}

TEST(EmbeddedStore, MissingSegmentFileIsCorruption) {
  ScratchDir dir;
  ASSERT_TRUE(MustOpen(dir.path())->AppendEvents(store_test::MakeEvents(3, 0)).ok());
  ASSERT_TRUE(store::RemoveFile(dir.Sub("events-000000000001.seg")).ok());
  auto s = MustOpen(dir.path());
  EXPECT_EQ(s->Stats()->events, 3u);
  EXPECT_EQ(s->Stats()->streams, 0u);  // its stream index is gone with it
  Status st;
  ScanAll<EventBatch>(*s, {}, &st);
  EXPECT_EQ(st.code(), StatusCode::kCorruption);
  EXPECT_NE(st.message().find("events-000000000001.seg: listed in the MANIFEST but missing"),
            std::string::npos)
      << st.message();
}

TEST(EmbeddedStore, DamagedManifestFailsOpen) {
  ScratchDir dir;
  ASSERT_TRUE(MustOpen(dir.path())->AppendEvents(store_test::MakeEvents(3, 0)).ok());
  FlipByte(dir.Sub("MANIFEST"), 20);
  Result<std::unique_ptr<Store>> s = OpenEmbeddedStore(dir.path());
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kCorruption);
  EXPECT_NE(s.status().message().find("MANIFEST"), std::string::npos);
}

TEST(EmbeddedStore, ReadOnlyNeverCreatesOrWrites) {
  ScratchDir dir;
  EmbeddedStoreOptions ro;
  ro.read_only = true;
  Result<std::unique_ptr<Store>> missing = OpenEmbeddedStore(dir.Sub("nope"), ro);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_FALSE(store::PathExists(dir.Sub("nope")));
  Result<std::unique_ptr<Store>> not_store = OpenEmbeddedStore(dir.path(), ro);
  EXPECT_EQ(not_store.status().code(), StatusCode::kNotFound);

  ASSERT_TRUE(MustOpen(dir.Sub("d"))->AppendLogs(store_test::MakeLogs(4, 1, 0)).ok());
  auto s = MustOpen(dir.Sub("d"), ro);
  EXPECT_EQ(s->Stats()->logs, 4u);
  EXPECT_EQ(ScanAll<LogBatch>(*s).size(), 1u);
  Status st = s->AppendLogs(store_test::MakeLogs(1, 1, 0));
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  store::WritableFile other;
  ASSERT_TRUE(other.Create(dir.Sub("notes.txt")).ok());
  Result<std::unique_ptr<Store>> foreign = OpenEmbeddedStore(dir.path());
  EXPECT_EQ(foreign.status().code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(store::PathExists(dir.Sub("store.meta")));
  EmbeddedStoreOptions no_create;
  no_create.create_if_missing = false;
  EXPECT_EQ(OpenEmbeddedStore(dir.Sub("x"), no_create).status().code(), StatusCode::kNotFound);
}

TEST(EmbeddedStore, WritableOpenRemovesWhatCrashedWritersLeft) {
  ScratchDir dir;
  ASSERT_TRUE(MustOpen(dir.path())->AppendSpans(store_test::MakeSpans(2, 1, 0)).ok());
  pid_t gone = fork();
  if (gone == 0) _exit(0);
  ASSERT_EQ(waitpid(gone, nullptr, 0), gone);
  std::string orphan = dir.Sub("spans-000000000002.seg");  // renamed, never published
  std::string temp = dir.Sub("segment.tmp-" + std::to_string(gone) + "-0");
  std::string live = dir.Sub("segment.tmp-" + std::to_string(getpid()) + "-99");
  for (const std::string& p : {orphan, temp, live}) {
    store::WritableFile f;
    ASSERT_TRUE(f.Create(p).ok());
    ASSERT_TRUE(f.Append("junk").ok());
  }
  auto s = MustOpen(dir.path());
  EXPECT_FALSE(store::PathExists(orphan));
  EXPECT_FALSE(store::PathExists(temp));
  EXPECT_TRUE(store::PathExists(live));  // a running process may still be writing it
  EXPECT_TRUE(store::PathExists(dir.Sub("spans-000000000001.seg")));
  ASSERT_TRUE(s->AppendSpans(store_test::MakeSpans(2, 1, 0)).ok());
  EXPECT_EQ(ScanAll<SpanBatch>(*s).size(), 2u);
}

// A projected scan reads the structure (the same strings; ids are renumbered by the two-part
// dictionary) and the skipped groups as "none".
TEST(EmbeddedStore, ProjectedSpanScanSkipsColumnGroups) {
  ScratchDir dir;
  SpanBatch spans = store_test::MakeSpans(40, 0x100, 1000);
  ASSERT_GT(spans.attrs.size(), 0u);
  ASSERT_GT(spans.event_time_ns.size(), 0u);
  ASSERT_GT(spans.link_span_id.size(), 0u);
  auto s = MustOpen(dir.path());
  ASSERT_TRUE(s->AppendSpans(spans).ok());
  ScanFilter filter;
  filter.span_columns = SpanColumns::kLinks;
  std::vector<SpanBatch> got;
  ASSERT_TRUE(s->ScanSpans(filter, [&](const SpanBatch& b) {
                 got.push_back(b);
                 return Status::Ok();
               }).ok());
  ASSERT_EQ(got.size(), 1u);
  const SpanBatch& b = got[0];
  EXPECT_EQ(b.span_id, spans.span_id);
  EXPECT_EQ(b.start_ns, spans.start_ns);
  EXPECT_EQ(b.end_ns, spans.end_ns);
  for (size_t i = 0; i < b.size(); ++i) {
    EXPECT_EQ(b.dict.Get(b.service[i]), spans.dict.Get(spans.service[i]));
    EXPECT_EQ(b.dict.Get(b.name[i]), spans.dict.Get(spans.name[i]));
  }
  EXPECT_EQ(b.link_span_id, spans.link_span_id);
  EXPECT_TRUE(b.attrs.key.empty());
  EXPECT_TRUE(b.event_time_ns.empty());
  EXPECT_EQ(b.attr_off.off, std::vector<uint32_t>(41, 0));
  EXPECT_EQ(b.event_off.off, std::vector<uint32_t>(41, 0));
  EXPECT_EQ(b.status_message, std::vector<StrId>(40, kEmptyStr));
  EXPECT_EQ(b.resources.service.size(), spans.resources.service.size());
  for (size_t r = 0; r < b.resources.size(); ++r) {
    EXPECT_EQ(b.dict.Get(b.resources.service[r]), spans.dict.Get(spans.resources.service[r]));
  }
}

// A projected log scan: structure and template ids as written, bodies, attributes and
// template parameters left out (and their strings with them).
TEST(EmbeddedStore, ProjectedLogScanSkipsColumnGroups) {
  ScratchDir dir;
  LogBatch logs = store_test::MakeLogs(40, 0x100, 1000);
  auto s = MustOpen(dir.path());
  ASSERT_TRUE(s->AppendLogs(logs).ok());
  ScanFilter filter;
  filter.log_columns = LogColumns::kStructure;
  std::vector<LogBatch> got;
  ASSERT_TRUE(s->ScanLogs(filter, [&](const LogBatch& b) {
                 got.push_back(b);
                 return Status::Ok();
               }).ok());
  ASSERT_EQ(got.size(), 1u);
  const LogBatch& b = got[0];
  EXPECT_EQ(b.time_ns, logs.time_ns);
  EXPECT_EQ(b.severity_number, logs.severity_number);
  EXPECT_EQ(b.template_id, logs.template_id);
  EXPECT_EQ(b.trace_id, logs.trace_id);
  for (size_t i = 0; i < b.size(); ++i) {
    EXPECT_EQ(b.dict.Get(b.service[i]), logs.dict.Get(logs.service[i]));
    EXPECT_EQ(b.dict.Get(b.severity_text[i]), logs.dict.Get(logs.severity_text[i]));
    EXPECT_EQ(b.body[i], kEmptyStr);
  }
  EXPECT_TRUE(b.attrs.key.empty());
  EXPECT_TRUE(b.params.empty());
  EXPECT_EQ(b.param_off.off, std::vector<uint32_t>(41, 0));
  EXPECT_LT(b.dict.Find("user 1 logged in"), 0);
}

// Every segment reaches the parallel callback exactly once, with its scan-order ordinal.
TEST(EmbeddedStore, ParallelSpanScanVisitsEachSegmentOnceWithOrdinals) {
  ScratchDir dir;
  auto s = MustOpen(dir.path());
  for (int k = 0; k < 6; ++k) {
    ASSERT_TRUE(s->AppendSpans(store_test::MakeSpans(3 + k, 0x1000 * (k + 1), 1000 * k)).ok());
  }
  std::mutex mu;
  std::vector<std::pair<size_t, size_t>> seen;  // ordinal, rows
  ASSERT_TRUE(s->ScanSpansParallel(ScanFilter{}, 2, [&](const SpanBatch& b, size_t n) {
                 std::lock_guard<std::mutex> lock(mu);
                 seen.emplace_back(n, b.size());
                 return Status::Ok();
               }).ok());
  std::sort(seen.begin(), seen.end());
  ASSERT_EQ(seen.size(), 6u);
  for (size_t k = 0; k < 6; ++k) EXPECT_EQ(seen[k], std::make_pair(k, 3 + k));
  Status st = s->ScanSpansParallel(ScanFilter{}, 2, [](const SpanBatch&, size_t n) {
    return n == 3 ? Status::InvalidArgument("stop at 3") : Status::Ok();
  });
  EXPECT_EQ(st.message(), "stop at 3");
}

}  // namespace
}  // namespace ddbg
