// EmbeddedStore::ScanEventColumns: decodes only the requested columns of each event segment,
// with the dictionary as views into the decompressed chunk (no hashing of every string), on
// several threads when asked. The column ids are those of segment_columns.h.
#include <atomic>
#include <memory>
#include <mutex>

#include "store/embedded/embedded_store.h"
#include "store/embedded/file_io.h"
#include "store/embedded/job_runner.h"
#include "store/embedded/segment_format.h"

namespace ddbg::store {
namespace {

// Per-thread buffers: the file, the dictionary's decompressed bytes (the views point into
// them until the callback returns) and a scratch area for the other columns.
struct ColumnWorker {
  std::string file;
  std::string dict_bytes;
  std::string scratch;
  ColumnDecompressor decompressor;
};

class EventColumnDecoder {
 public:
  EventColumnDecoder(const std::string& path, ColumnWorker& w, EventColumns* out)
      : path_(path), w_(w), out_(out) {}

  Status Decode(const SegmentEntry& entry, uint32_t columns) {
    DDBG_RETURN_IF_ERROR(ReadWholeFile(path_, &w_.file));
    std::string why;
    SegmentHeader header;
    if (w_.file.size() != entry.file_bytes || !DecodeSegmentHeader(w_.file, &header, &why) ||
        header.rows != entry.rows || !DecodeDirectory(w_.file, &dir_, &why)) {
      return Corrupt(why.empty() ? "size or header does not match the manifest" : why);
    }
    out_->rows = header.rows;
    DDBG_RETURN_IF_ERROR(DecodeDict());
    DDBG_RETURN_IF_ERROR(Ids(columns, kEventColStream, 300, &out_->stream));
    DDBG_RETURN_IF_ERROR(Ints(columns, kEventColVersion, 301, &out_->version));
    DDBG_RETURN_IF_ERROR(Ids(columns, kEventColId, 302, &out_->event_id));
    DDBG_RETURN_IF_ERROR(Ids(columns, kEventColType, 303, &out_->event_type));
    DDBG_RETURN_IF_ERROR(Ints(columns, kEventColTime, 304, &out_->time_ns));
    DDBG_RETURN_IF_ERROR(Ids(columns, kEventColPayload, 305, &out_->payload));
    DDBG_RETURN_IF_ERROR(Ids(columns, kEventColMetadata, 306, &out_->metadata));
    DDBG_RETURN_IF_ERROR(Ids(columns, kEventColCorrelation, 307, &out_->correlation_id));
    DDBG_RETURN_IF_ERROR(Ids(columns, kEventColCausation, 308, &out_->causation_id));
    return Ids(columns, kEventColService, 309, &out_->service);
  }

 private:
  Status Corrupt(const std::string& why) const { return Status::Corruption(path_ + ": " + why); }

  // The checked, decompressed bytes of column `id`, in *raw (valid until the next call
  // with the same `buffer`).
  Status Chunk(uint32_t id, std::string* buffer, ChunkHeader* h, std::string_view* raw) {
    for (const DirectoryEntry& e : dir_) {
      if (e.column != id) continue;
      std::string why;
      std::string_view stored;
      if (!VerifyChunk(w_.file.data() + e.offset, w_.file.size() - e.offset, h, &stored, &why)) {
        return Corrupt("column " + std::to_string(id) + ": " + why);
      }
      if (h->column != id ||
          !w_.decompressor.Decompress(h->codec, stored, h->raw_bytes, buffer, raw)) {
        return Corrupt("column " + std::to_string(id) + " does not decompress");
      }
      return Status::Ok();
    }
    return Corrupt("column " + std::to_string(id) + " is missing from the segment");
  }

  Status DecodeDict() {
    ChunkHeader h;
    std::string_view raw;
    DDBG_RETURN_IF_ERROR(Chunk(1, &w_.dict_bytes, &h, &raw));
    std::vector<std::string_view>& dict = out_->dict;
    dict.assign(1, std::string_view());
    dict.reserve(h.values + 1);
    std::string_view lengths = raw;
    uint64_t total = 0;
    for (uint64_t i = 0; i < h.values; ++i) {
      uint64_t len = 0;
      if (!GetVarint64(&lengths, &len) || len > raw.size()) return Corrupt("dictionary is damaged");
      total += len;
      dict.emplace_back(nullptr, static_cast<size_t>(len));  // data pointers set below
    }
    if (h.encoding != Encoding::kStringList || total != lengths.size()) {
      return Corrupt("dictionary is damaged");
    }
    const char* p = lengths.data();
    for (size_t i = 1; i < dict.size(); ++i) {
      dict[i] = std::string_view(p, dict[i].size());
      p += dict[i].size();
    }
    return Status::Ok();
  }

  template <typename T>
  Status Ints(uint32_t columns, uint32_t bit, uint32_t id, std::vector<T>* v) {
    if ((columns & bit) == 0) return Status::Ok();
    ChunkHeader h;
    std::string_view raw;
    DDBG_RETURN_IF_ERROR(Chunk(id, &w_.scratch, &h, &raw));
    bool ok = false;
    if (h.encoding == Encoding::kRaw) {
      ok = GetRaw(raw, h.values, v);
    } else if (h.encoding == Encoding::kDeltaVarint) {
      ok = GetDeltas(raw, h.values, v);
    } else if (h.encoding == Encoding::kVarint) {
      if constexpr (std::is_same_v<T, uint32_t>) ok = GetVarints32(raw, h.values, v);
      if constexpr (std::is_same_v<T, uint64_t>) ok = GetVarints64(raw, h.values, v);
    }
    if (!ok || v->size() != out_->rows) {
      return Corrupt("column " + std::to_string(id) + " does not decode to one value per row");
    }
    return Status::Ok();
  }

  Status Ids(uint32_t columns, uint32_t bit, uint32_t id, std::vector<StrId>* v) {
    DDBG_RETURN_IF_ERROR(Ints(columns, bit, id, v));
    uint32_t bad = 0;
    const uint32_t limit = static_cast<uint32_t>(out_->dict.size());
    for (StrId s : *v) bad |= s >= limit ? 1u : 0u;
    return bad == 0 ? Status::Ok()
                    : Corrupt("column " + std::to_string(id) + " names a string past the dictionary");
  }

  const std::string& path_;
  ColumnWorker& w_;
  EventColumns* out_;
  std::vector<DirectoryEntry> dir_;
};

}  // namespace

Status EmbeddedStore::ScanEventColumns(const ScanFilter& filter, const EventColumnScan& scan,
                                       const EventColumnsFn& fn) {
  std::shared_ptr<const Snapshot> snapshot = Current();
  std::vector<const SegmentHandle*> segments;
  for (const auto& h : snapshot->segments()) {
    if (h->entry.signal == Signal::kEvents && MayMatch(*h, filter)) segments.push_back(h.get());
  }
  int threads = std::max(1, scan.threads);
  std::vector<std::unique_ptr<ColumnWorker>> workers;
  for (int i = 0; i < threads; ++i) workers.push_back(std::make_unique<ColumnWorker>());
  std::mutex mu;
  Status first_error;
  std::atomic<bool> failed{false};
  RunJobs(segments.size(), threads, [&](size_t j, int w) {
    if (failed.load()) return;
    EventColumns cols;
    cols.ordinal = j;
    cols.segment = segments[j]->entry.seq;
    EventColumnDecoder decoder(segments[j]->path, *workers[static_cast<size_t>(w)], &cols);
    Status st = decoder.Decode(segments[j]->entry, scan.columns);
    if (st.ok()) st = fn(cols);
    if (!st.ok() && !failed.exchange(true)) {
      std::lock_guard<std::mutex> l(mu);
      first_error = st;
    }
  });
  std::lock_guard<std::mutex> l(mu);
  return first_error;
}

}  // namespace ddbg::store
