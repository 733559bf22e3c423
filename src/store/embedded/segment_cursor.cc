#include "store/embedded/segment_cursor.h"

#include <algorithm>

#include "store/embedded/file_io.h"
#include "store/embedded/segment_reader.h"
#include "store/embedded/segment_rows.h"

namespace ddbg::store {

Status EmbeddedSegmentCursor::Corrupt(const std::string& why) const {
  return Status::Corruption(h_.path + ": " + why);
}

const Status& EmbeddedSegmentCursor::LoadDirectory() const {
  if (dir_loaded_) return dir_status_;
  dir_loaded_ = true;
  uint64_t size = h_.entry.file_bytes;
  std::string trailer;
  if (size < kSegmentHeaderBytes + kTrailerBytes) {
    dir_status_ = Corrupt("truncated: " + std::to_string(size) + " bytes");
    return dir_status_;
  }
  dir_status_ = ReadFileRange(h_.path, size - kTrailerBytes, kTrailerBytes, &trailer);
  if (!dir_status_.ok()) return dir_status_;
  if (trailer.size() != kTrailerBytes) {
    dir_status_ = Corrupt("truncated: no trailer");
    return dir_status_;
  }
  dir_offset_ = GetFixed64(trailer.data());
  if (dir_offset_ < kSegmentHeaderBytes || dir_offset_ > size - kTrailerBytes) {
    dir_status_ = Corrupt("directory offset outside the file");
    return dir_status_;
  }
  std::string tail;
  dir_status_ = ReadFileRange(h_.path, dir_offset_, size - dir_offset_, &tail);
  std::string why;
  if (dir_status_.ok() && !DecodeDirectory(tail, &dir_, &why, dir_offset_)) {
    dir_status_ = Corrupt(why);
  }
  return dir_status_;
}

bool EmbeddedSegmentCursor::has_index() const {
  if (h_.entry.signal == Signal::kEvents || !LoadDirectory().ok()) return false;
  auto has = [this](uint32_t column) {
    return std::any_of(dir_.begin(), dir_.end(),
                       [column](const DirectoryEntry& e) { return e.column == column; });
  };
  return has(kColTermPostings) && (h_.entry.signal != Signal::kLogs || has(kColTokenPostings));
}

Status EmbeddedSegmentCursor::ReadChunk(uint32_t column, std::string* raw,
                                        uint64_t* values) const {
  DDBG_RETURN_IF_ERROR(LoadDirectory());
  // Chunks lie in directory order: a chunk ends where the next one (or the directory) starts.
  auto it = std::find_if(dir_.begin(), dir_.end(),
                         [column](const DirectoryEntry& e) { return e.column == column; });
  if (it == dir_.end()) return Corrupt("chunk " + std::to_string(column) + " is missing");
  uint64_t end = std::next(it) == dir_.end() ? dir_offset_ : std::next(it)->offset;
  if (end <= it->offset) return Corrupt("chunk " + std::to_string(column) + " has no extent");
  std::string bytes;
  DDBG_RETURN_IF_ERROR(ReadFileRange(h_.path, it->offset, end - it->offset, &bytes));
  ChunkHeader h;
  std::string_view stored, decoded;
  std::string why;
  if (!VerifyChunk(bytes.data(), bytes.size(), &h, &stored, &why)) {
    return Corrupt("chunk " + std::to_string(column) + ": " + why);
  }
  if (h.column != column || h.encoding != Encoding::kStringList) {
    return Corrupt("chunk " + std::to_string(column) + " has an unexpected header");
  }
  ColumnDecompressor d;
  if (!d.Decompress(h.codec, stored, h.raw_bytes, raw, &decoded)) {
    return Corrupt("chunk " + std::to_string(column) + " does not decompress");
  }
  if (decoded.data() != raw->data()) raw->assign(decoded);
  *values = h.values;
  return Status::Ok();
}

Status EmbeddedSegmentCursor::LoadTable(uint32_t terms_id, uint32_t bitmaps_id,
                                        std::shared_ptr<const PostingTable>* out) {
  if (*out) return Status::Ok();
  QueryCache::Kind kind = terms_id == kColTerms ? QueryCache::kTermTable : QueryCache::kTokenTable;
  if (cache_ != nullptr && (*out = cache_->Find<PostingTable>(h_.entry.seq, kind, 0))) {
    return Status::Ok();
  }
  std::string terms, bitmaps;
  uint64_t n_terms = 0, n_bitmaps = 0;
  DDBG_RETURN_IF_ERROR(ReadChunk(terms_id, &terms, &n_terms));
  DDBG_RETURN_IF_ERROR(ReadChunk(bitmaps_id, &bitmaps, &n_bitmaps));
  auto table = std::make_shared<PostingTable>();
  if (n_terms != n_bitmaps || !table->Parse(std::move(terms), std::move(bitmaps), n_terms)) {
    return Corrupt("posting lists " + std::to_string(terms_id) + " do not decode");
  }
  if (cache_ != nullptr) cache_->Put(h_.entry.seq, kind, 0, table, table->MemoryBytes());
  *out = std::move(table);
  return Status::Ok();
}

Status EmbeddedSegmentCursor::Postings(std::string_view term, ::Roaring* rows) {
  if (!has_index()) return Status::Unsupported(h_.path + ": no posting lists");
  if (!IsIndexedTerm(h_.entry.signal, term)) {
    *rows = Roaring();
    rows->addRange(0, h_.entry.rows);
    return Status::Ok();
  }
  DDBG_RETURN_IF_ERROR(LoadTable(kColTerms, kColTermPostings, &terms_));
  if (!terms_->Lookup(term, rows)) return Corrupt("a term's posting list does not decode");
  return Status::Ok();
}

Status EmbeddedSegmentCursor::TermsWithPrefix(std::string_view prefix,
                                              std::vector<std::string>* terms) {
  if (!has_index()) return Status::Unsupported(h_.path + ": no posting lists");
  DDBG_RETURN_IF_ERROR(LoadTable(kColTerms, kColTermPostings, &terms_));
  terms_->Prefixed(prefix, terms);
  return Status::Ok();
}

Status EmbeddedSegmentCursor::TokenRows(std::string_view piece, ::Roaring* rows) {
  if (h_.entry.signal != Signal::kLogs || !has_index()) {
    return Status::Unsupported(h_.path + ": no token index");
  }
  DDBG_RETURN_IF_ERROR(LoadTable(kColTokens, kColTokenPostings, &tokens_));
  if (!tokens_->Containing(piece, rows)) return Corrupt("a token's posting list does not decode");
  return Status::Ok();
}

Status EmbeddedSegmentCursor::ReadSpans(SpanBatch* batch) {
  return ReadSegment(h_.path, h_.entry, batch);
}

Status EmbeddedSegmentCursor::ReadLogs(LogBatch* batch) {
  return ReadSegment(h_.path, h_.entry, batch);
}

namespace {

template <typename T>
size_t VectorBytes(const std::vector<T>& v) {
  return v.size() * sizeof(T);
}

size_t ColumnBytes(const SpanColumnSet& s) {
  const SpanBatch& b = s.columns;
  return b.dict.bytes() + b.dict.size() * 24 + VectorBytes(b.trace_id) + VectorBytes(b.span_id) +
         VectorBytes(b.parent_span_id) + VectorBytes(b.service) + VectorBytes(b.name) +
         VectorBytes(b.start_ns) + VectorBytes(b.end_ns) + VectorBytes(s.traces) +
         VectorBytes(s.first) + VectorBytes(s.by_trace);
}

size_t ColumnBytes(const LogBatch& b) {
  return b.dict.bytes() + b.dict.size() * 24 + VectorBytes(b.trace_id) + VectorBytes(b.span_id) +
         VectorBytes(b.service) + VectorBytes(b.body) + VectorBytes(b.time_ns) +
         VectorBytes(b.severity_number);
}

}  // namespace

Result<std::shared_ptr<const SpanColumnSet>> EmbeddedSegmentCursor::SpanColumns(uint32_t columns) {
  std::shared_ptr<const SpanColumnSet> found;
  if (cache_ != nullptr && (found = cache_->Find<SpanColumnSet>(h_.entry.seq, QueryCache::kSpanColumns, columns))) {
    return found;
  }
  auto set = std::make_shared<SpanColumnSet>();
  DDBG_RETURN_IF_ERROR(ReadSegmentColumns(h_.path, h_.entry, columns, &set->columns));
  set->rows = h_.entry.rows;
  if ((columns & kSegColTraceId) != 0) set->GroupByTrace();
  if (cache_ != nullptr) cache_->Put(h_.entry.seq, QueryCache::kSpanColumns, columns, set, ColumnBytes(*set));
  return std::shared_ptr<const SpanColumnSet>(std::move(set));
}

Result<std::shared_ptr<const LogBatch>> EmbeddedSegmentCursor::LogColumns(uint32_t columns) {
  std::shared_ptr<const LogBatch> found;
  if (cache_ != nullptr && (found = cache_->Find<LogBatch>(h_.entry.seq, QueryCache::kLogColumns, columns))) {
    return found;
  }
  auto batch = std::make_shared<LogBatch>();
  DDBG_RETURN_IF_ERROR(ReadSegmentColumns(h_.path, h_.entry, columns, batch.get()));
  if (cache_ != nullptr) cache_->Put(h_.entry.seq, QueryCache::kLogColumns, columns, batch, ColumnBytes(*batch));
  return std::shared_ptr<const LogBatch>(std::move(batch));
}

}  // namespace ddbg::store
