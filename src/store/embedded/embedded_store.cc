#include "store/embedded/embedded_store.h"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <charconv>
#include <type_traits>

#include "store/embedded/file_io.h"

namespace ddbg::store {
namespace {

constexpr char kDefaultDir[] = "./ddbg-data";
std::atomic<uint64_t> g_segment_temp_counter{0};

std::string StoreMetaText() {
  return "ddbg-store\nformat " + std::to_string(kStoreFormatVersion) + "\n";
}

// Checks store.meta; *bytes receives its size.
Status CheckStoreMeta(const std::string& dir, uint64_t* bytes) {
  std::string path = JoinPath(dir, kStoreMetaName);
  std::string text;
  DDBG_RETURN_IF_ERROR(ReadWholeFile(path, &text));
  *bytes = text.size();
  constexpr std::string_view kPrefix = "ddbg-store\nformat ";
  std::string_view t = text;
  if (!t.starts_with(kPrefix)) return Status::Corruption(path + ": not a ddbg store.meta");
  t.remove_prefix(kPrefix.size());
  int version = 0;
  auto r = std::from_chars(t.data(), t.data() + t.size(), version);
  if (r.ec != std::errc()) return Status::Corruption(path + ": unreadable format version");
  if (version != kStoreFormatVersion) {
    return Status::Unsupported(path + ": store format " + std::to_string(version) +
                               ", this build reads format " + std::to_string(kStoreFormatVersion));
  }
  return Status::Ok();
}

// The pid in a temporary file name "<prefix>.tmp-<pid>-<n>", or 0.
pid_t TempOwner(std::string_view name) {
  size_t p = name.find(".tmp-");
  if (p == std::string_view::npos) return 0;
  std::string_view rest = name.substr(p + 5);
  pid_t pid = 0;
  auto r = std::from_chars(rest.data(), rest.data() + rest.size(), pid);
  if (r.ec != std::errc() || r.ptr == rest.data() + rest.size() || *r.ptr != '-') return 0;
  return pid;
}

void CopyRows(const SpanBatch& src, size_t begin, size_t end, SpanBatch* dst) {
  *dst = SpanBatch();
  SpanRowCopier copier(src, dst);
  for (size_t i = begin; i < end; ++i) copier.Copy(i);
}
void CopyRows(const LogBatch& src, size_t begin, size_t end, LogBatch* dst) {
  *dst = LogBatch();
  LogRowCopier copier(src, dst);
  for (size_t i = begin; i < end; ++i) copier.Copy(i);
}
void CopyRows(const EventBatch& src, size_t begin, size_t end, EventBatch* dst) {
  *dst = EventBatch();
  for (size_t i = begin; i < end; ++i) dst->AppendRowFrom(src, i);
}

}  // namespace

Result<std::unique_ptr<Store>> EmbeddedStore::Open(const std::string& dir_arg,
                                                   const EmbeddedStoreOptions& options) {
  std::string dir = dir_arg.empty() ? kDefaultDir : dir_arg;
  std::string meta_path = JoinPath(dir, kStoreMetaName);
  if (!PathExists(dir)) {
    if (options.read_only || !options.create_if_missing) {
      return Status::NotFound(dir + ": no store directory");
    }
    DDBG_RETURN_IF_ERROR(CreateDirectories(dir));
  }
  Manifest manifest;
  uint64_t manifest_bytes = 0;
  if (options.read_only) {
    if (!PathExists(meta_path)) return Status::NotFound(dir + ": not a ddbg store (no store.meta)");
    DDBG_RETURN_IF_ERROR(LoadManifest(dir, &manifest, &manifest_bytes));
  } else {
    FileLock lock;
    DDBG_RETURN_IF_ERROR(lock.Lock(JoinPath(dir, kLockName)));
    if (!PathExists(meta_path)) {
      if (!options.create_if_missing) {
        return Status::NotFound(dir + ": not a ddbg store (no store.meta)");
      }
      // Refuse to turn a directory of other files (say, the input files) into a store.
      std::vector<std::string> names;
      DDBG_RETURN_IF_ERROR(ListDirectory(dir, &names));
      for (const std::string& n : names) {
        if (n != kLockName) {
          return Status::InvalidArgument(dir + ": not empty and not a ddbg store (found " + n +
                                         ", no store.meta)");
        }
      }
      DDBG_RETURN_IF_ERROR(WriteFileAtomically(dir, std::string(kStoreMetaName), StoreMetaText()));
    }
    DDBG_RETURN_IF_ERROR(LoadManifest(dir, &manifest, &manifest_bytes));
    DDBG_RETURN_IF_ERROR(RemoveLeftovers(dir, manifest));
  }
  uint64_t meta_bytes = 0;
  DDBG_RETURN_IF_ERROR(CheckStoreMeta(dir, &meta_bytes));
  std::unique_ptr<EmbeddedStore> store(new EmbeddedStore(dir, options, meta_bytes));
  store->Install(std::make_shared<const Snapshot>(BuildHandles(dir, manifest, nullptr),
                                                  meta_bytes + manifest_bytes));
  return std::unique_ptr<Store>(std::move(store));
}

Status RemoveLeftovers(const std::string& dir, const Manifest& manifest) {
  std::vector<std::string> names;
  DDBG_RETURN_IF_ERROR(ListDirectory(dir, &names));
  for (const std::string& name : names) {
    Signal signal;
    uint64_t seq;
    bool orphan = false;
    if (ParseSegmentFileName(name, &signal, &seq)) {
      // Renamed into place by a writer that died before publishing the manifest: no
      // manifest ever listed it, and the next writer would reuse its number.
      orphan = seq >= manifest.next_seq;
    } else if (pid_t owner = TempOwner(name); owner > 0 && owner != ::getpid()) {
      orphan = ::kill(owner, 0) != 0 && errno == ESRCH;
    }
    if (orphan) ::unlink(JoinPath(dir, name).c_str());
  }
  return Status::Ok();
}

std::shared_ptr<const Snapshot> EmbeddedStore::Current() const {
  std::lock_guard<std::mutex> l(mu_);
  return snapshot_;
}

void EmbeddedStore::Install(std::shared_ptr<const Snapshot> snapshot) {
  std::lock_guard<std::mutex> l(mu_);
  snapshot_ = std::move(snapshot);
}

Status EmbeddedStore::Refresh() {
  // Serialised with appends so that an append's snapshot never overwrites a newer one.
  std::lock_guard<std::mutex> l(append_mu_);
  Manifest manifest;
  uint64_t manifest_bytes = 0;
  DDBG_RETURN_IF_ERROR(LoadManifest(dir_, &manifest, &manifest_bytes));
  std::shared_ptr<const Snapshot> old = Current();
  Install(std::make_shared<const Snapshot>(BuildHandles(dir_, manifest, old.get()),
                                           meta_bytes_ + manifest_bytes));
  return Status::Ok();
}

Result<StoreStats> EmbeddedStore::Stats() { return Current()->Stats(); }
Result<TimeRange> EmbeddedStore::DataTimeRange() { return Current()->TimeBounds(); }

EmbeddedStore::PendingParts::~PendingParts() {
  for (const std::string& t : temps) ::unlink(t.c_str());
}

template <typename Batch>
Status EmbeddedStore::WriteParts(const Batch& batch, PendingParts* parts) {
  SegmentWriteOptions wopts;
  wopts.zstd_level = options_.zstd_level;
  size_t max_rows =
      options_.max_rows_per_segment == 0 ? batch.size() : options_.max_rows_per_segment;
  if constexpr (std::is_same_v<Batch, EventBatch>) {
    if (options_.max_rows_per_event_segment != 0) {
      max_rows = std::min(max_rows, options_.max_rows_per_event_segment);
    }
  }
  Batch part;
  for (size_t begin = 0; begin < batch.size(); begin += max_rows) {
    size_t end = std::min(batch.size(), begin + max_rows);
    const Batch* source = &batch;
    if (end - begin < batch.size()) {
      CopyRows(batch, begin, end, &part);
      source = &part;
    }
    std::string temp = JoinPath(dir_, std::string("segment.tmp-") + std::to_string(::getpid()) +
                                          "-" + std::to_string(g_segment_temp_counter++));
    Result<WrittenSegment> w = WriteSegment(temp, *source, wopts);
    if (!w.ok()) return w.status();
    parts->temps.push_back(temp);
    parts->written.push_back(std::move(w).value());
    KeepForCache(*source, parts);
  }
  return Status::Ok();
}

template <typename Batch>
void EmbeddedStore::KeepForCache(const Batch& part, PendingParts* parts) {
  if constexpr (std::is_same_v<Batch, SpanBatch>) {
    if (cache_) parts->cached_spans.push_back(TraceRows<SpanBatch>::Build(part));
  } else if constexpr (std::is_same_v<Batch, LogBatch>) {
    if (cache_) parts->cached_logs.push_back(TraceRows<LogBatch>::Build(part));
  }
}

template <typename Batch>
Status EmbeddedStore::Append(const Batch& batch) {
  if (options_.read_only) return Status::InvalidArgument(dir_ + ": store opened read-only");
  if (batch.empty()) return Status::Ok();
  std::lock_guard<std::mutex> l(append_mu_);
  PendingParts parts;
  DDBG_RETURN_IF_ERROR(WriteParts(batch, &parts));
  return Commit(parts, nullptr);
}

Status EmbeddedStore::AppendMarked(const SpanBatch& spans, const LogBatch& logs,
                                   const std::string& name, uint64_t value) {
  if (options_.read_only) return Status::InvalidArgument(dir_ + ": store opened read-only");
  std::lock_guard<std::mutex> l(append_mu_);
  PendingParts parts;
  if (!spans.empty()) DDBG_RETURN_IF_ERROR(WriteParts(spans, &parts));
  if (!logs.empty()) DDBG_RETURN_IF_ERROR(WriteParts(logs, &parts));
  std::pair<std::string, uint64_t> mark(name, value);
  return Commit(parts, &mark);
}

Result<uint64_t> EmbeddedStore::ReadMark(const std::string& name) {
  Manifest manifest;
  uint64_t manifest_bytes = 0;
  DDBG_RETURN_IF_ERROR(LoadManifest(dir_, &manifest, &manifest_bytes));
  auto it = manifest.marks.find(name);
  return it == manifest.marks.end() ? 0 : it->second;
}

Status EmbeddedStore::Commit(PendingParts& parts, const std::pair<std::string, uint64_t>* mark) {
  std::vector<std::string>& temps = parts.temps;
  std::vector<WrittenSegment>& written = parts.written;
  FileLock lock;
  Status st = lock.Lock(JoinPath(dir_, kLockName));
  Manifest manifest;
  uint64_t manifest_bytes = 0;
  if (st.ok()) st = LoadManifest(dir_, &manifest, &manifest_bytes);
  size_t renamed = 0;
  for (; st.ok() && renamed < temps.size(); ++renamed) {
    SegmentEntry& e = written[renamed].entry;
    e.seq = manifest.next_seq++;
    st = RenameFile(temps[renamed], JoinPath(dir_, e.FileName()));
  }
  if (st.ok()) st = SyncDirectory(dir_);
  if (!st.ok()) {
    // Nothing was published: the files are not part of the store.
    for (size_t i = 0; i < renamed; ++i) {
      ::unlink(JoinPath(dir_, written[i].entry.FileName()).c_str());
    }
    return st;
  }
  temps.clear();  // renamed: no longer temp files
  for (const WrittenSegment& w : written) manifest.segments.push_back(w.entry);
  if (mark != nullptr) manifest.marks[mark->first] = mark->second;
  ++manifest.generation;
  // From here on the manifest may have been replaced even if an error comes back (e.g. the
  // directory fsync failed), so the segment files stay.
  DDBG_RETURN_IF_ERROR(PublishManifest(dir_, manifest, &manifest_bytes));
  lock.Unlock();

  std::shared_ptr<const Snapshot> old = Current();
  std::vector<std::shared_ptr<const SegmentHandle>> handles = old->segments();
  for (WrittenSegment& w : written) {
    auto h = std::make_shared<SegmentHandle>();
    h->entry = w.entry;
    h->path = JoinPath(dir_, w.entry.FileName());
    h->index = std::move(w.index);
    handles.push_back(std::move(h));
  }
  Install(std::make_shared<const Snapshot>(std::move(handles), meta_bytes_ + manifest_bytes));
  CacheCommitted(parts);
  return Status::Ok();
}

// Parts were written spans first, then logs (WriteParts order), each kept in that order.
void EmbeddedStore::CacheCommitted(const PendingParts& parts) {
  if (!cache_) return;
  size_t span_part = 0, log_part = 0;
  for (const WrittenSegment& w : parts.written) {
    if (w.entry.signal == Signal::kSpans && span_part < parts.cached_spans.size()) {
      cache_->Put(w.entry.seq, parts.cached_spans[span_part++]);
    } else if (w.entry.signal == Signal::kLogs && log_part < parts.cached_logs.size()) {
      cache_->Put(w.entry.seq, parts.cached_logs[log_part++]);
    }
  }
}

Status EmbeddedStore::AppendSpans(const SpanBatch& batch) { return Append(batch); }
Status EmbeddedStore::AppendLogs(const LogBatch& batch) { return Append(batch); }
Status EmbeddedStore::AppendEvents(const EventBatch& batch) { return Append(batch); }

}  // namespace ddbg::store

namespace ddbg {

std::shared_ptr<store::TraceLookupCache> NewTraceLookupCache(size_t budget_bytes) {
  return std::make_shared<store::TraceLookupCache>(budget_bytes);
}

std::shared_ptr<store::QueryCache> NewQueryCache(size_t budget_bytes) {
  return std::make_shared<store::QueryCache>(budget_bytes);
}

Result<std::unique_ptr<Store>> OpenEmbeddedStore(const std::string& dir,
                                                 const EmbeddedStoreOptions& options) {
  return store::EmbeddedStore::Open(dir, options);
}

}  // namespace ddbg
