#include "store/embedded/segment_reader.h"

#include <array>
#include <functional>
#include <memory>
#include <type_traits>

#include "store/embedded/batch_check.h"
#include "store/embedded/file_io.h"
#include "store/embedded/job_runner.h"
#include "store/embedded/segment_columns.h"
#include "store/embedded/segment_format.h"

namespace ddbg::store {
namespace {

// Segments above this size are decoded on several threads.
constexpr uint64_t kParallelBytes = 1 << 20;
// The first read of ReadSegmentIndex; most index sections fit.
constexpr size_t kIndexProbeBytes = 64 << 10;

// Decodes one chunk's bytes into its vector; false when they do not decode.
using DecodeFn = std::function<bool(const ChunkHeader& h, std::string_view raw)>;

struct DecodeJob {
  uint32_t column = 0;
  const char* name = "";
  DecodeFn decode;
  std::string error;  // set by the runner
};

// Integer columns accept any integer encoding, so the writer may change its choice later.
template <typename T>
bool DecodeInts(const ChunkHeader& h, std::string_view raw, std::vector<T>* v) {
  switch (h.encoding) {
    case Encoding::kRaw:
      return GetRaw(raw, h.values, v);
    case Encoding::kDeltaVarint:
      return GetDeltas(raw, h.values, v);
    case Encoding::kVarint:
      if constexpr (std::is_same_v<T, uint32_t>) return GetVarints32(raw, h.values, v);
      if constexpr (std::is_same_v<T, uint64_t>) return GetVarints64(raw, h.values, v);
      return false;
    default:
      return false;
  }
}

// The kept values of an integer column of s.n values in any integer encoding.
template <typename T>
bool DecodeSelectedInts(const ChunkHeader& h, std::string_view raw, const Selection& s,
                        std::vector<T>* v) {
  if (h.values != s.n) return false;
  if (h.encoding == Encoding::kRaw) return GetSelectedRaw(raw, s, v);
  if (h.encoding == Encoding::kVarint) {
    if constexpr (std::is_same_v<T, uint32_t>) return GetSelectedVarints32(raw, s, v);
    if constexpr (std::is_same_v<T, uint64_t>) return GetSelectedVarints64(raw, s, v);
    return false;
  }
  std::vector<T> full;
  if (!DecodeInts(h, raw, &full)) return false;
  GatherSelected(full, s, v);
  return true;
}

// The selections of a row-filtered span read, one per SpanLevel; an offsets column's job
// fills the selection of the level below it.
using Selections = std::array<Selection, kSpanLevels>;

// The reader's column visitor (see segment_columns.h). Diff columns depend on their base
// column and the value part of the dictionary on the structure part: they go to
// `dependent`, decoded after the others. `group` (with `wanted`) names the columns a
// projection skips. A row-filtered read (`select` set) decodes the trace ids before (column
// `done`), and the levels below the rows after the offsets that select their values:
// attributes, events and links in `children`, event and link attributes in `grandchildren`.
class DecodeJobs {
 public:
  std::vector<DecodeJob> jobs;
  std::vector<DecodeJob> dependent;
  std::vector<DecodeJob> children;
  std::vector<DecodeJob> grandchildren;
  uint32_t (*group)(uint32_t column) = nullptr;  // the column's optional group bit, 0: always
  uint32_t wanted = ~0u;  // ~0u: a full read
  bool read_dict_values = false;  // the segment has a value part and the projection needs it
  Selections* select = nullptr;   // span segments: the kept values of each level; null: all
  uint32_t done = 0;              // a column already read (0: none)

  void Dict(uint32_t id, const char* name, StringDict& d) {
    Add(id, name, [&d](const ChunkHeader& h, std::string_view raw) {
      return h.encoding == Encoding::kStringList && GetDictStrings(raw, h.values, &d);
    });
  }
  void DictValues(uint32_t id, const char* name, StringDict& d) {
    if (!read_dict_values) return;
    DecodeFn fn = [&d](const ChunkHeader& h, std::string_view raw) {
      return h.encoding == Encoding::kStringList && AppendDictStrings(raw, h.values, &d);
    };
    dependent.push_back(DecodeJob{id, name, std::move(fn), {}});
  }
  template <typename T>
  void Raw(uint32_t id, const char* name, std::vector<T>& v) {
    if (const Selection* s = Selected(id)) {
      Add(id, name, [&v, s](const ChunkHeader& h, std::string_view raw) {
        return h.encoding == Encoding::kRaw && h.values == s->n && GetSelectedRaw(raw, *s, &v);
      });
      return;
    }
    Add(id, name, [&v](const ChunkHeader& h, std::string_view raw) {
      return h.encoding == Encoding::kRaw && GetRaw(raw, h.values, &v);
    });
  }
  template <typename T>
  void Varint(uint32_t id, const char* name, std::vector<T>& v) {
    if (const Selection* s = Selected(id)) {
      Add(id, name, [&v, s](const ChunkHeader& h, std::string_view raw) {
        return DecodeSelectedInts(h, raw, *s, &v);
      });
      return;
    }
    Add(id, name,
        [&v](const ChunkHeader& h, std::string_view raw) { return DecodeInts(h, raw, &v); });
  }
  void Strs(uint32_t id, const char* name, std::vector<StrId>& v) { Varint(id, name, v); }
  void AttrValues(uint32_t id, const char* name, std::vector<uint64_t>& v,
                  const std::vector<AttrType>&) {
    Varint(id, name, v);
  }
  template <typename T>
  void Delta(uint32_t id, const char* name, std::vector<T>& v) {
    Varint(id, name, v);
  }
  void Offsets(uint32_t id, const char* name, std::vector<uint32_t>& v) {
    const Selection* s = Selected(id);
    if (s == nullptr || SpanChildLevel(id) == kWhole) return Varint(id, name, v);
    Selection* below = &(*select)[SpanChildLevel(id)];
    Add(id, name, [&v, s, below](const ChunkHeader& h, std::string_view raw) {
      std::vector<uint32_t> full;
      return h.values == s->n + 1 && DecodeInts(h, raw, &full) && SelectOffsets(full, *s, &v, below);
    });
  }
  void Diff(uint32_t id, const char* name, std::vector<int64_t>& v,
            const std::vector<int64_t>& base) {
    if (Skipped(id)) return;
    if (const Selection* s = Selected(id)) {
      DecodeFn fn = [&v, &base, s](const ChunkHeader& h, std::string_view raw) {
        if (h.encoding == Encoding::kDiffVarint) {
          return h.values == s->n && GetSelectedDiffs(raw, *s, base, &v);
        }
        return DecodeSelectedInts(h, raw, *s, &v);
      };
      dependent.push_back(DecodeJob{id, name, std::move(fn), {}});
      return;
    }
    DecodeFn fn = [&v, &base](const ChunkHeader& h, std::string_view raw) {
      if (h.encoding == Encoding::kDiffVarint) {
        return h.values == base.size() && GetDiffs(raw, base, &v);
      }
      return DecodeInts(h, raw, &v);
    };
    dependent.push_back(DecodeJob{id, name, std::move(fn), {}});
  }

 private:
  bool Skipped(uint32_t id) const {
    return id == done || (group != nullptr && (group(id) & ~wanted) != 0);
  }
  // The selection of a row-filtered read's column; null for a full read or a whole column.
  const Selection* Selected(uint32_t id) const {
    if (select == nullptr || SpanColumnLevel(id) == kWhole) return nullptr;
    return &(*select)[SpanColumnLevel(id)];
  }
  void Add(uint32_t id, const char* name, DecodeFn fn) {
    if (Skipped(id)) return;
    QueueOf(id).push_back(DecodeJob{id, name, std::move(fn), {}});
  }
  std::vector<DecodeJob>& QueueOf(uint32_t id) {
    if (select == nullptr) return jobs;
    switch (SpanColumnLevel(id)) {
      case kAttrs: case kEvents: case kLinks:
        return children;
      case kEventAttrs: case kLinkAttrs:
        return grandchildren;
      default:
        return jobs;
    }
  }
};

struct DecodeWorker {
  ColumnDecompressor decompressor;
  std::string scratch;
};

// The calling thread keeps its decompression context and scratch buffer from segment to
// segment (a scan reads one segment after another on the same threads), so the buffer's
// pages are not faulted in afresh for every segment.
DecodeWorker& CallerWorker() {
  thread_local DecodeWorker worker;
  return worker;
}

// Finds, checks, decompresses and decodes each job's chunk in `file`.
void RunDecodeJobs(std::string_view file, const std::vector<DirectoryEntry>& dir,
                   std::vector<DecodeJob>& jobs, int threads) {
  std::vector<std::unique_ptr<DecodeWorker>> helpers;
  for (int i = 1; i < threads; ++i) helpers.push_back(std::make_unique<DecodeWorker>());
  RunJobs(jobs.size(), threads, [&](size_t j, int w) {
    DecodeWorker& wk = w == 0 ? CallerWorker() : *helpers[static_cast<size_t>(w - 1)];
    DecodeJob& job = jobs[j];
    const DirectoryEntry* entry = nullptr;
    for (const DirectoryEntry& e : dir) {
      if (e.column == job.column) entry = &e;
    }
    if (entry == nullptr) {
      job.error = "missing from the segment";
      return;
    }
    ChunkHeader h;
    std::string_view stored, raw;
    if (!VerifyChunk(file.data() + entry->offset, file.size() - entry->offset, &h, &stored,
                     &job.error)) {
      return;
    }
    if (h.column != job.column) {
      job.error = "directory points at the chunk of column " + std::to_string(h.column);
    } else if (!wk.decompressor.Decompress(h.codec, stored, h.raw_bytes, &wk.scratch, &raw)) {
      job.error = "does not decompress to its recorded size";
    } else if (!job.decode(h, raw)) {
      job.error = std::string("does not decode as ") + EncodingName(h.encoding) + " with " +
                  std::to_string(h.values) + " values";
    }
    if (wk.scratch.capacity() > (64u << 20)) std::string().swap(wk.scratch);
  });
}

// A segment the manifest lists must exist: its absence is damage, not "no such data".
Status MissingIsCorruption(Status st, const std::string& path) {
  if (st.code() != StatusCode::kNotFound) return st;
  return Status::Corruption(path + ": listed in the MANIFEST but missing");
}

Status ColumnError(const std::string& path, const DecodeJob& job) {
  return Status::Corruption(path + ": column '" + job.name + "' (id " + std::to_string(job.column) +
                            "): " + job.error);
}

uint32_t SpanGroupBit(uint32_t column) { return static_cast<uint32_t>(SpanColumnGroup(column)); }
uint32_t LogGroupBit(uint32_t column) { return static_cast<uint32_t>(LogColumnGroup(column)); }

// Every one of `rows` owners has no attribute.
void NoAttrs(size_t rows, Offsets* off, AttrColumns* attrs) {
  off->off.assign(rows + 1, 0);
  attrs->Clear();
}

// Gives the column groups a projected read skipped their "nothing here" values.
void EmptySkippedGroups(const SegmentReadOptions& options, SpanBatch* b) {
  const SpanColumns wanted = options.span_columns;
  const size_t rows = b->size();
  if (!Has(wanted, SpanColumns::kDetails)) {
    b->status_message.assign(rows, kEmptyStr);
    b->flags.assign(rows, 0);
    b->trace_state.assign(rows, kEmptyStr);
  }
  if (!Has(wanted, SpanColumns::kAttributes)) NoAttrs(rows, &b->attr_off, &b->attrs);
  if (!Has(wanted, SpanColumns::kEvents)) {
    b->event_off.off.assign(rows + 1, 0);
    b->event_time_ns.clear();
    b->event_name.clear();
    b->event_attr_off = Offsets();
    b->event_attrs.Clear();
  }
  if (!Has(wanted, SpanColumns::kLinks)) {
    b->link_off.off.assign(rows + 1, 0);
    b->link_trace_id.clear();
    b->link_span_id.clear();
    b->link_trace_state.clear();
    b->link_attr_off = Offsets();
    b->link_attrs.Clear();
  }
}

void EmptySkippedGroups(const SegmentReadOptions& options, LogBatch* b) {
  const LogColumns wanted = options.log_columns;
  const size_t rows = b->size();
  if (!Has(wanted, LogColumns::kBody)) {
    b->body.assign(rows, kEmptyStr);
    b->body_type.assign(rows, AttrType::kString);
  }
  if (!Has(wanted, LogColumns::kAttributes)) NoAttrs(rows, &b->attr_off, &b->attrs);
  if (!Has(wanted, LogColumns::kParams)) {
    b->param_off.off.assign(rows + 1, 0);
    b->params.clear();
  }
}

void EmptySkippedGroups(const SegmentReadOptions&, EventBatch*) {}

// Sets the column groups to skip and whether the value part of the dictionary is read:
// only a group holding value strings needs it (the span details, attributes and events;
// every optional log group).
template <typename Batch>
void ProjectColumns(const SegmentReadOptions& options, uint32_t version, DecodeJobs* jobs) {
  constexpr uint32_t kSpanValueGroups = static_cast<uint32_t>(
      SpanColumns::kDetails | SpanColumns::kAttributes | SpanColumns::kEvents);
  uint32_t value_groups = ~0u;
  if constexpr (std::is_same_v<Batch, SpanBatch>) {
    jobs->group = SpanGroupBit;
    if (options.span_columns != SpanColumns::kAll) {
      jobs->wanted = static_cast<uint32_t>(options.span_columns);
    }
    value_groups = kSpanValueGroups;
  } else if constexpr (std::is_same_v<Batch, LogBatch>) {
    jobs->group = LogGroupBit;
    if (options.log_columns != LogColumns::kAll) {
      jobs->wanted = static_cast<uint32_t>(options.log_columns);
    }
  }
  jobs->read_dict_values = version >= 2 && (jobs->wanted & value_groups) != 0;
}

// The first step of a row-filtered read: decodes the trace ids of every row, asks `filter`
// which rows to keep and leaves only theirs in *ids; *rows receives the selection.
Status SelectRows(const std::string& path, std::string_view file,
                  const std::vector<DirectoryEntry>& dir, uint64_t row_count,
                  const TraceRowFilter& filter, std::vector<TraceId>* ids, Selection* rows) {
  std::vector<DecodeJob> job;
  job.push_back(DecodeJob{kColSpanTraceId, "trace_id",
                          [ids, row_count](const ChunkHeader& h, std::string_view raw) {
                            return h.encoding == Encoding::kRaw && h.values == row_count &&
                                   GetRaw(raw, h.values, ids);
                          },
                          {}});
  RunDecodeJobs(file, dir, job, 1);
  if (!job[0].error.empty()) return ColumnError(path, job[0]);
  thread_local std::vector<uint8_t> keep;
  keep.assign(ids->size(), 0);
  filter(ids->data(), ids->size(), keep.data());
  rows->Reset(ids->size());
  size_t out = 0;
  for (size_t i = 0; i < ids->size(); ++i) {
    if (keep[i] == 0) continue;
    (*ids)[out++] = (*ids)[i];
    rows->Add(static_cast<uint32_t>(i), static_cast<uint32_t>(i + 1));
  }
  ids->resize(out);
  return Status::Ok();
}

// Runs the decode jobs phase after phase (a phase may depend on the ones before).
Status RunPhases(const std::string& path, std::string_view file,
                 const std::vector<DirectoryEntry>& dir, DecodeJobs& jobs, int threads) {
  for (std::vector<DecodeJob>* phase :
       {&jobs.jobs, &jobs.dependent, &jobs.children, &jobs.grandchildren}) {
    RunDecodeJobs(file, dir, *phase, threads);
    for (const DecodeJob& j : *phase) {
      if (!j.error.empty()) return ColumnError(path, j);
    }
  }
  return Status::Ok();
}

template <typename Batch>
Status ReadAny(const std::string& path, const SegmentEntry& entry, Signal signal, Batch* batch,
               const SegmentReadOptions& options) {
  if (entry.signal != signal) {
    return Status::Internal(path + ": a " + SignalName(entry.signal) + " segment read as " +
                            SignalName(signal));
  }
  MappedFile mapped;
  DDBG_RETURN_IF_ERROR(MissingIsCorruption(mapped.Open(path), path));
  const std::string_view file = mapped.view();
  auto corrupt = [&path](const std::string& why) { return Status::Corruption(path + ": " + why); };
  if (file.size() != entry.file_bytes) {
    return corrupt((file.size() < entry.file_bytes ? "truncated: " : "wrong size: ") +
                   std::to_string(file.size()) + " bytes, the manifest recorded " +
                   std::to_string(entry.file_bytes));
  }
  SegmentHeader header;
  std::string why;
  if (!DecodeSegmentHeader(file, &header, &why)) return corrupt(why);
  if (header.signal != signal || header.rows != entry.rows) {
    return corrupt("header says " + std::to_string(header.rows) + " " + SignalName(header.signal) +
                   ", the manifest " + std::to_string(entry.rows) + " " + SignalName(signal));
  }
  std::vector<DirectoryEntry> dir;
  if (!DecodeDirectory(file, &dir, &why)) return corrupt(why);

  // Decoding resizes every column in place, so a reused batch keeps its capacity.
  DecodeJobs jobs;
  ProjectColumns<Batch>(options, header.version, &jobs);
  uint64_t rows = header.rows;
  Selections select;
  if constexpr (std::is_same_v<Batch, SpanBatch>) {
    if (options.row_filter != nullptr) {
      DDBG_RETURN_IF_ERROR(SelectRows(path, file, dir, header.rows, *options.row_filter,
                                      &batch->trace_id, &select[kRows]));
      rows = select[kRows].kept;
      if (rows == 0) {
        batch->Clear();
        return Status::Ok();
      }
      jobs.select = &select;
      jobs.done = kColSpanTraceId;
    }
  }
  VisitColumns(jobs, *batch);
  int threads = options.threads > 0             ? options.threads
                : file.size() >= kParallelBytes ? DefaultWorkerCount()
                                                : 1;
  DDBG_RETURN_IF_ERROR(RunPhases(path, file, dir, jobs, threads));
  EmptySkippedGroups(options, batch);
  // The index chunks are not part of the batch, but a damaged one is damage all the same. A
  // projected or row-filtered read leaves them to the readers that use them (Open() checks
  // the trace and service index, queries the posting lists and correlation chunks they
  // read): checking them costs a third of a span segment's bytes.
  for (const DirectoryEntry& e : dir) {
    if (e.column < kColTraceIndex || jobs.wanted != ~0u || jobs.select != nullptr) continue;
    ChunkHeader h;
    std::string_view stored;
    if (!VerifyChunk(file.data() + e.offset, file.size() - e.offset, &h, &stored, &why)) {
      return corrupt("index chunk " + std::to_string(e.column) + ": " + why);
    }
  }
  if (batch->size() != rows) {
    return corrupt("holds " + std::to_string(batch->size()) + " rows, the header says " +
                   std::to_string(header.rows) + (jobs.select ? " (row-filtered read)" : ""));
  }
  why = CheckBatch(*batch);
  if (!why.empty()) return corrupt("malformed content: " + why);
  return Status::Ok();
}

}  // namespace

Status ReadSegment(const std::string& path, const SegmentEntry& entry, SpanBatch* batch,
                   const SegmentReadOptions& options) {
  return ReadAny(path, entry, Signal::kSpans, batch, options);
}
Status ReadSegment(const std::string& path, const SegmentEntry& entry, LogBatch* batch,
                   const SegmentReadOptions& options) {
  return ReadAny(path, entry, Signal::kLogs, batch, options);
}
Status ReadSegment(const std::string& path, const SegmentEntry& entry, EventBatch* batch,
                   const SegmentReadOptions& options) {
  return ReadAny(path, entry, Signal::kEvents, batch, options);
}

Status ReadSegmentIndex(const std::string& path, const SegmentEntry& entry, SegmentIndex* index) {
  auto corrupt = [&path](const std::string& why) { return Status::Corruption(path + ": " + why); };
  std::string head;
  DDBG_RETURN_IF_ERROR(MissingIsCorruption(ReadFileRange(path, 0, kIndexProbeBytes, &head), path));
  SegmentHeader header;
  std::string why;
  if (!DecodeSegmentHeader(head, &header, &why)) return corrupt(why);
  if (header.signal != entry.signal || header.rows != entry.rows) {
    return corrupt("header does not match the manifest entry");
  }
  if (header.index_end > entry.file_bytes) return corrupt("index runs past the end of the file");
  if (header.index_end > head.size()) {
    DDBG_RETURN_IF_ERROR(ReadFileRange(path, 0, header.index_end, &head));
    if (head.size() < header.index_end) return corrupt("truncated inside the index chunks");
  }
  *index = SegmentIndex();
  ColumnDecompressor decompressor;
  std::string scratch;
  size_t pos = kSegmentHeaderBytes;
  while (pos < header.index_end) {
    ChunkHeader h;
    std::string_view stored, raw;
    if (!VerifyChunk(head.data() + pos, header.index_end - pos, &h, &stored, &why)) {
      return corrupt("index chunk at offset " + std::to_string(pos) + ": " + why);
    }
    bool ok = decompressor.Decompress(h.codec, stored, h.raw_bytes, &scratch, &raw);
    if (ok && h.column == kColTraceIndex) {
      ok = h.encoding == Encoding::kRaw && GetRaw(raw, h.values, &index->trace_ids);
    } else if (ok && h.column == kColStreamIndex) {
      ok = h.encoding == Encoding::kStringList && GetStringList(raw, h.values, &index->streams);
    } else if (ok && h.column == kColServiceIndex) {
      ok = h.encoding == Encoding::kStringList && GetStringList(raw, h.values, &index->services);
    }
    if (!ok) return corrupt("index column " + std::to_string(h.column) + " does not decode");
    pos += kChunkHeaderBytes + stored.size();
  }
  return Status::Ok();
}

}  // namespace ddbg::store
