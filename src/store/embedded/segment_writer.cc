#include "store/embedded/segment_writer.h"

#include <unistd.h>

#include <algorithm>
#include <functional>
#include <future>
#include <limits>
#include <memory>

#include "store/embedded/batch_check.h"
#include "store/embedded/correlation_index.h"
#include "store/embedded/dict_split.h"
#include "store/embedded/file_io.h"
#include "store/embedded/job_runner.h"
#include "store/embedded/posting_lists.h"
#include "store/embedded/segment_columns.h"
#include "store/embedded/segment_format.h"

namespace ddbg::store {
namespace {

// Batches above this many bytes in memory are encoded on several threads.
constexpr size_t kParallelBytes = 1 << 20;

// One column to encode: `encode` appends the encoded bytes to *raw, sets *values and
// returns the encoding; the runner then compresses into `stored` and fills `header`.
struct EncodeJob {
  uint32_t column = 0;
  size_t size_hint = 0;  // bytes of the source vector, to start the largest jobs first
  std::function<Encoding(std::string* raw, uint64_t* values)> encode;
  std::string header;
  std::string stored;
  size_t bytes() const { return header.size() + stored.size(); }
};

// The writer's column visitor (see segment_columns.h): records one job per column. With a
// DictSplit, the dictionary is written in its two parts and every string id renumbered.
class EncodeJobs {
 public:
  std::vector<EncodeJob> jobs;
  const DictSplit* split = nullptr;

  void Dict(uint32_t id, const char* name, const StringDict& d) {
    if (split != nullptr) return DictPart(id, name, d, split->structure);
    Add(id, d.bytes() + d.size(), [&d](std::string* raw, uint64_t* n) {
      PutDictStrings(d, raw);
      *n = d.size() - 1;
      return Encoding::kStringList;
    });
  }
  void DictValues(uint32_t id, const char* name, const StringDict& d) {
    if (split != nullptr) DictPart(id, name, d, split->values);
  }
  void Strs(uint32_t id, const char* name, const std::vector<StrId>& v) {
    if (split == nullptr) return Varint(id, name, v);
    const StrId* map = split->new_id.data();
    Add(id, v.size() * sizeof(v[0]), [&v, map](std::string* raw, uint64_t* n) {
      const StrId* ids = v.data();
      PutVarintsOf(v.size(), raw, [ids, map](size_t i) { return uint64_t{map[ids[i]]}; });
      *n = v.size();
      return Encoding::kVarint;
    });
  }
  void AttrValues(uint32_t id, const char* name, const std::vector<uint64_t>& v,
                  const std::vector<AttrType>& types) {
    if (split == nullptr) return Varint(id, name, v);
    const StrId* map = split->new_id.data();
    Add(id, v.size() * sizeof(v[0]), [&v, &types, map](std::string* raw, uint64_t* n) {
      PutVarintsOf(v.size(), raw, [&v, &types, map](size_t i) {
        return IsStringAttr(types[i]) ? uint64_t{map[v[i]]} : v[i];
      });
      *n = v.size();
      return Encoding::kVarint;
    });
  }
  template <typename T>
  void Raw(uint32_t id, const char*, const std::vector<T>& v) {
    Add(id, v.size() * sizeof(v[0]), [&v](std::string* raw, uint64_t* n) {
      PutRaw(v, raw);
      *n = v.size();
      return Encoding::kRaw;
    });
  }
  void Varint(uint32_t id, const char*, const std::vector<uint32_t>& v) {
    Add(id, v.size() * sizeof(v[0]), [&v](std::string* raw, uint64_t* n) {
      PutVarints32(v.data(), v.size(), raw);
      *n = v.size();
      return Encoding::kVarint;
    });
  }
  void Varint(uint32_t id, const char*, const std::vector<uint64_t>& v) {
    Add(id, v.size() * sizeof(v[0]), [&v](std::string* raw, uint64_t* n) {
      PutVarints64(v.data(), v.size(), raw);
      *n = v.size();
      return Encoding::kVarint;
    });
  }
  template <typename T>
  void Delta(uint32_t id, const char*, const std::vector<T>& v) {
    Add(id, v.size() * sizeof(v[0]), [&v](std::string* raw, uint64_t* n) {
      PutDeltas(v, raw);
      *n = v.size();
      return Encoding::kDeltaVarint;
    });
  }
  void Offsets(uint32_t id, const char* name, const std::vector<uint32_t>& v) {
    Delta(id, name, v);
  }
  void Diff(uint32_t id, const char* name, const std::vector<int64_t>& v,
            const std::vector<int64_t>& base) {
    if (v.size() != base.size()) return Delta(id, name, v);
    Add(id, v.size() * sizeof(v[0]), [&v, &base](std::string* raw, uint64_t* n) {
      PutDiffs(v, base, raw);
      *n = v.size();
      return Encoding::kDiffVarint;
    });
  }

  void Add(uint32_t id, size_t size_hint, std::function<Encoding(std::string*, uint64_t*)> fn) {
    jobs.push_back(EncodeJob{id, size_hint, std::move(fn), {}, {}});
  }

 private:
  void DictPart(uint32_t id, const char*, const StringDict& d, const std::vector<StrId>& ids) {
    Add(id, ids.size() * 16, [&d, &ids](std::string* raw, uint64_t* n) {
      PutDictStrings(d, ids, raw);
      *n = ids.size();
      return Encoding::kStringList;
    });
  }
};

// Per-thread state of the encoding jobs.
struct EncodeWorker {
  explicit EncodeWorker(int level) : compressor(level) {}
  ColumnCompressor compressor;
  std::string raw;
};

void RunEncodeJobs(std::vector<EncodeJob>& jobs, int level, int threads) {
  std::vector<std::unique_ptr<EncodeWorker>> workers;
  for (int i = 0; i < threads; ++i) workers.push_back(std::make_unique<EncodeWorker>(level));
  // Largest first, so that the long jobs do not start last.
  std::vector<size_t> order(jobs.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&jobs](size_t a, size_t b) { return jobs[a].size_hint > jobs[b].size_hint; });
  RunJobs(jobs.size(), threads, [&](size_t j, int w) {
    EncodeWorker& wk = *workers[static_cast<size_t>(w)];
    EncodeJob& job = jobs[order[j]];
    wk.raw.clear();
    ChunkHeader h;
    h.column = job.column;
    h.encoding = job.encode(&wk.raw, &h.values);
    h.raw_bytes = wk.raw.size();
    h.codec = wk.compressor.Compress(wk.raw, &job.stored);
    AppendChunkHeader(h, job.stored, &job.header);
  });
}

// Time bounds over the known times: 0 means "time unknown" in the model (a log record
// without a timestamp) and does not stretch the segment back to 1970. Pruning keeps such
// segments for any range that contains 0 (see MayMatch).
template <typename T>
void TimeBounds(const std::vector<T>& v, WrittenSegment* out) {
  bool any = false;
  T lo = 0, hi = 0;
  for (T t : v) {
    if (t == 0) continue;
    lo = any ? std::min(lo, t) : t;
    hi = any ? std::max(hi, t) : t;
    any = true;
  }
  out->entry.min_time_ns = lo;
  out->entry.max_time_ns = hi;
}

void DropEmpty(std::vector<std::string>* v) {
  if (!v->empty() && v->front().empty()) v->erase(v->begin());
}

void Summarize(const SpanBatch& b, WrittenSegment* out) {
  out->entry.signal = Signal::kSpans;
  TimeBounds(b.start_ns, out);
  out->index.trace_ids = DistinctTraceIds(b.trace_id);
  out->index.services = DistinctStrings(b.dict, b.service);
}

void Summarize(const LogBatch& b, WrittenSegment* out) {
  out->entry.signal = Signal::kLogs;
  TimeBounds(b.time_ns, out);
  out->index.trace_ids = DistinctTraceIds(b.trace_id);
  out->index.services = DistinctStrings(b.dict, b.service);
}

void Summarize(const EventBatch& b, WrittenSegment* out) {
  out->entry.signal = Signal::kEvents;
  TimeBounds(b.time_ns, out);
  out->index.streams = DistinctStrings(b.dict, b.stream);
  DropEmpty(&out->index.streams);
  out->index.services = DistinctStrings(b.dict, b.service);
}

// The index chunks: trace ids (spans, logs), streams (events), services (all).
std::vector<EncodeJob> IndexJobs(const SegmentIndex& index, Signal signal) {
  EncodeJobs v;
  if (signal != Signal::kEvents) v.Raw(kColTraceIndex, "trace_index", index.trace_ids);
  if (signal == Signal::kEvents) {
    v.Add(kColStreamIndex, 0, [&index](std::string* raw, uint64_t* n) {
      PutStringList(index.streams, raw);
      *n = index.streams.size();
      return Encoding::kStringList;
    });
  }
  v.Add(kColServiceIndex, 0, [&index](std::string* raw, uint64_t* n) {
    PutStringList(index.services, raw);
    *n = index.services.size();
    return Encoding::kStringList;
  });
  return std::move(v.jobs);
}

// The posting lists of a segment: terms (spans, logs) and body tokens (logs).
struct SegmentPostings {
  PostingLists terms, tokens;
  bool has_terms = false, has_tokens = false;
};
SegmentPostings BuildPostings(const SpanBatch& b) { return {BuildTermPostings(b), {}, true, false}; }
SegmentPostings BuildPostings(const LogBatch& b) {
  return {BuildTermPostings(b), BuildTokenPostings(b), true, true};
}
SegmentPostings BuildPostings(const EventBatch&) { return {}; }

void AddPostingJobs(const PostingLists& p, uint32_t terms_id, uint32_t bitmaps_id, EncodeJobs* v) {
  v->Add(terms_id, 0, [&p](std::string* raw, uint64_t* n) {
    PutPostingTerms(p, raw);
    *n = p.terms.size();
    return Encoding::kStringList;
  });
  v->Add(bitmaps_id, 0, [&p](std::string* raw, uint64_t* n) {
    PutPostingBitmaps(p, raw);
    *n = p.rows.size();
    return Encoding::kStringList;
  });
}

// The two-part dictionary of format 2 (dict_split.h); events keep one dictionary chunk.
std::unique_ptr<DictSplit> MaybeSplitDict(const SpanBatch& b, uint32_t version) {
  return version >= 2 ? std::make_unique<DictSplit>(SplitDict(b)) : nullptr;
}
std::unique_ptr<DictSplit> MaybeSplitDict(const LogBatch& b, uint32_t version) {
  return version >= 2 ? std::make_unique<DictSplit>(SplitDict(b)) : nullptr;
}
std::unique_ptr<DictSplit> MaybeSplitDict(const EventBatch&, uint32_t) { return nullptr; }

Status WriteFile(const std::string& path, uint32_t version, Signal signal, uint64_t rows,
                 const WrittenSegment& summary, const std::vector<EncodeJob>& index_jobs,
                 const std::vector<EncodeJob>& data_jobs, uint64_t* file_bytes) {
  SegmentHeader h;
  h.version = version;
  h.signal = signal;
  h.rows = rows;
  h.min_time_ns = summary.entry.min_time_ns;
  h.max_time_ns = summary.entry.max_time_ns;
  h.index_end = kSegmentHeaderBytes;
  for (const EncodeJob& j : index_jobs) h.index_end += j.bytes();

  WritableFile f;
  DDBG_RETURN_IF_ERROR(f.Create(path));
  auto write_all = [&]() -> Status {
    DDBG_RETURN_IF_ERROR(f.Append(EncodeSegmentHeader(h)));
    std::string directory;
    for (const auto* jobs : {&index_jobs, &data_jobs}) {
      for (const EncodeJob& j : *jobs) {
        AppendDirectoryEntry(DirectoryEntry{j.column, f.size()}, &directory);
        DDBG_RETURN_IF_ERROR(f.Append(j.header));
        DDBG_RETURN_IF_ERROR(f.Append(j.stored));
      }
    }
    uint64_t directory_offset = f.size();
    DDBG_RETURN_IF_ERROR(f.Append(directory));
    DDBG_RETURN_IF_ERROR(f.Append(EncodeTrailer(directory_offset, directory)));
    DDBG_RETURN_IF_ERROR(f.Sync());
    *file_bytes = f.size();
    return f.Close();
  };
  Status st = write_all();
  if (!st.ok()) {
    f.Close();
    ::unlink(path.c_str());
  }
  return st;
}

template <typename Batch>
Result<WrittenSegment> WriteAny(const std::string& path, const Batch& batch,
                                const SegmentWriteOptions& options) {
  if (batch.empty()) return Status::InvalidArgument("an empty batch makes no segment");
  std::string why = CheckBatch(batch);
  if (!why.empty()) return Status::InvalidArgument("malformed batch: " + why);

  WrittenSegment out;
  Summarize(batch, &out);
  out.entry.rows = batch.size();
  DropEmpty(&out.index.services);
  out.entry.services = out.index.services;

  if (options.format_version < kOldestSegmentFormatVersion ||
      options.format_version > kSegmentFormatVersion) {
    return Status::InvalidArgument("unknown segment format version " +
                                   std::to_string(options.format_version));
  }
  std::unique_ptr<DictSplit> split = MaybeSplitDict(batch, options.format_version);
  EncodeJobs data;
  data.split = split.get();
  VisitColumns(data, batch);
  // The correlation index chunks (correlation_index.h) follow the data columns.
  std::vector<ExtraChunk> extra = CorrelationChunks(batch);
  for (const ExtraChunk& c : extra) {
    data.Add(c.column, c.raw.size(), [&c](std::string* raw, uint64_t* n) {
      raw->append(c.raw);
      *n = c.values;
      return c.encoding;
    });
  }
  std::vector<EncodeJob> index_jobs = IndexJobs(out.index, out.entry.signal);
  int threads = options.threads > 0                     ? options.threads
                : batch.MemoryBytes() >= kParallelBytes ? DefaultWorkerCount()
                                                        : 1;
  // The posting lists are built beside the column encoding when there are threads to spare.
  SegmentPostings postings;
  auto build = [&postings, &batch] { postings = BuildPostings(batch); };
  if (threads > 1) {
    std::future<void> built = std::async(std::launch::async, build);
    RunEncodeJobs(data.jobs, options.zstd_level, threads);
    built.get();
  } else {
    RunEncodeJobs(data.jobs, options.zstd_level, threads);
    build();
  }
  EncodeJobs posting_jobs;
  if (postings.has_terms) AddPostingJobs(postings.terms, kColTerms, kColTermPostings, &posting_jobs);
  if (postings.has_tokens) {
    AddPostingJobs(postings.tokens, kColTokens, kColTokenPostings, &posting_jobs);
  }
  RunEncodeJobs(posting_jobs.jobs, options.zstd_level, threads);
  // Posting list chunks follow the columns: they are read one by one, when a query asks.
  for (EncodeJob& j : posting_jobs.jobs) data.jobs.push_back(std::move(j));
  // The index chunks are small: encode them on this thread once the columns are done.
  RunEncodeJobs(index_jobs, options.zstd_level, 1);

  DDBG_RETURN_IF_ERROR(WriteFile(path, options.format_version, out.entry.signal, batch.size(), out,
                                 index_jobs, data.jobs, &out.entry.file_bytes));
  return out;
}

}  // namespace

Result<WrittenSegment> WriteSegment(const std::string& path, const SpanBatch& batch,
                                    const SegmentWriteOptions& options) {
  return WriteAny(path, batch, options);
}
Result<WrittenSegment> WriteSegment(const std::string& path, const LogBatch& batch,
                                    const SegmentWriteOptions& options) {
  return WriteAny(path, batch, options);
}
Result<WrittenSegment> WriteSegment(const std::string& path, const EventBatch& batch,
                                    const SegmentWriteOptions& options) {
  return WriteAny(path, batch, options);
}

}  // namespace ddbg::store
