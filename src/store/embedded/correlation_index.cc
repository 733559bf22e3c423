#include "store/embedded/correlation_index.h"

#include <xxhash.h>

#include <algorithm>

#include "ddbg/store.h"
#include "model/metadata_trace.h"
#include "store/embedded/file_io.h"
#include "store/embedded/segment_format.h"

namespace ddbg::store {
namespace {

struct Posting {
  uint64_t hash;
  TraceId trace;  // empty: `row` is the target
  uint32_t row;
  bool operator<(const Posting& o) const {
    if (hash != o.hash) return hash < o.hash;
    if (trace != o.trace) return trace < o.trace;
    return row < o.row;
  }
  bool SameTarget(const Posting& o) const {
    return hash == o.hash && trace == o.trace && (!trace.empty() || row == o.row);
  }
};

template <typename T>
ExtraChunk RawChunk(uint32_t column, const std::vector<T>& v) {
  ExtraChunk c;
  c.column = column;
  c.values = v.size();
  PutRaw(v, &c.raw);
  return c;
}

std::vector<ExtraChunk> Encode(std::vector<Posting> postings) {
  if (postings.empty()) return {};
  std::sort(postings.begin(), postings.end());
  std::vector<uint64_t> terms;
  std::vector<uint32_t> trace_off, row_off;
  std::vector<TraceId> traces;
  std::vector<uint32_t> rows;
  for (size_t i = 0; i < postings.size(); ++i) {
    const Posting& p = postings[i];
    if (i > 0 && p.SameTarget(postings[i - 1])) continue;
    if (terms.empty() || terms.back() != p.hash) {
      terms.push_back(p.hash);
      trace_off.push_back(static_cast<uint32_t>(traces.size()));
      row_off.push_back(static_cast<uint32_t>(rows.size()));
    }
    if (p.trace.empty()) {
      rows.push_back(p.row);
    } else {
      traces.push_back(p.trace);
    }
  }
  trace_off.push_back(static_cast<uint32_t>(traces.size()));
  row_off.push_back(static_cast<uint32_t>(rows.size()));
  trace_off.insert(trace_off.end(), row_off.begin(), row_off.end());
  return {RawChunk(kColCorrelationTerms, terms), RawChunk(kColCorrelationOffsets, trace_off),
          RawChunk(kColCorrelationTraces, traces), RawChunk(kColCorrelationRows, rows)};
}

// Postings of the string row attributes under an indexed key.
template <typename Batch>
std::vector<Posting> AttrPostings(const Batch& b) {
  const std::vector<std::string>& keys = IndexedCorrelationKeys();
  std::vector<char> indexed(b.dict.size(), 0);
  for (const std::string& k : keys) {
    int64_t id = b.dict.Find(k);
    if (id >= 0) indexed[static_cast<size_t>(id)] = 1;
  }
  std::vector<Posting> out;
  for (size_t i = 0; i < b.size(); ++i) {
    for (uint32_t a = b.attr_off.begin(i); a < b.attr_off.end(i); ++a) {
      if (b.attrs.type[a] != AttrType::kString || indexed[b.attrs.key[a]] == 0) continue;
      uint64_t h = AttrTermHash(b.dict.Get(b.attrs.key[a]),
                                b.dict.Get(static_cast<StrId>(b.attrs.value[a])));
      out.push_back({h, b.trace_id[i], static_cast<uint32_t>(i)});
    }
  }
  return out;
}

Status ReadRange(const std::string& path, uint64_t offset, uint64_t n, std::string* out) {
  DDBG_RETURN_IF_ERROR(ReadFileRange(path, offset, n, out));
  if (out->size() != n) return Status::Corruption(path + ": truncated");
  return Status::Ok();
}

}  // namespace

uint64_t AttrTermHash(std::string_view key, std::string_view value) {
  uint64_t seed = XXH3_64bits(key.data(), key.size());
  return XXH3_64bits_withSeed(value.data(), value.size(), seed);
}
uint64_t EventTermHash(char field, std::string_view value) {
  return XXH3_64bits_withSeed(value.data(), value.size(), static_cast<uint64_t>(field));
}
uint64_t TraceTermHash(TraceId id) {
  uint64_t v[2] = {id.hi, id.lo};
  return XXH3_64bits_withSeed(v, sizeof(v), 't');
}

std::vector<ExtraChunk> CorrelationChunks(const SpanBatch& b) { return Encode(AttrPostings(b)); }
std::vector<ExtraChunk> CorrelationChunks(const LogBatch& b) { return Encode(AttrPostings(b)); }

std::vector<ExtraChunk> CorrelationChunks(const EventBatch& b) {
  std::vector<Posting> out;
  for (size_t i = 0; i < b.size(); ++i) {
    uint32_t row = static_cast<uint32_t>(i);
    if (b.correlation_id[i] != kEmptyStr) {
      out.push_back({EventTermHash('c', b.dict.Get(b.correlation_id[i])), {}, row});
    }
    if (b.causation_id[i] != kEmptyStr) {
      out.push_back({EventTermHash('k', b.dict.Get(b.causation_id[i])), {}, row});
    }
    TraceId t = MetadataTrace(b.dict.Get(b.metadata[i]));
    if (!t.empty()) out.push_back({TraceTermHash(t), {}, row});
  }
  return Encode(std::move(out));
}

void CorrelationSegmentIndex::Lookup(uint64_t hash, std::vector<TraceId>* out_traces,
                                     std::vector<uint32_t>* out_rows) const {
  auto it = std::lower_bound(terms.begin(), terms.end(), hash);
  if (it == terms.end() || *it != hash) return;
  size_t t = static_cast<size_t>(it - terms.begin());
  size_t n = terms.size() + 1;
  out_traces->insert(out_traces->end(), traces.begin() + offsets[t], traces.begin() + offsets[t + 1]);
  out_rows->insert(out_rows->end(), rows.begin() + offsets[n + t], rows.begin() + offsets[n + t + 1]);
}

namespace {

Status IndexCorruption(const std::string& path, const std::string& why) {
  return Status::Corruption(path + ": correlation index: " + why);
}

// Decodes the chunks of columns first..last found back to back in `bytes`.
Status DecodeChunks(const std::string& path, std::string_view bytes, uint32_t first,
                    uint32_t last, CorrelationSegmentIndex* index) {
  ColumnDecompressor decompressor;
  std::string scratch;
  size_t pos = 0;
  for (uint32_t col = first; col <= last; ++col) {
    ChunkHeader h;
    std::string_view stored, raw;
    std::string why;
    if (!VerifyChunk(bytes.data() + pos, bytes.size() - pos, &h, &stored, &why)) {
      return IndexCorruption(path, why);
    }
    if (h.column != col || !decompressor.Decompress(h.codec, stored, h.raw_bytes, &scratch, &raw)) {
      return IndexCorruption(path, "chunk " + std::to_string(col) + " is damaged");
    }
    bool ok = col == kColCorrelationTerms     ? GetRaw(raw, h.values, &index->terms)
              : col == kColCorrelationOffsets ? GetRaw(raw, h.values, &index->offsets)
              : col == kColCorrelationTraces  ? GetRaw(raw, h.values, &index->traces)
                                              : GetRaw(raw, h.values, &index->rows);
    if (!ok) return IndexCorruption(path, "chunk " + std::to_string(col) + " does not decode");
    pos += kChunkHeaderBytes + stored.size();
  }
  return Status::Ok();
}

}  // namespace

bool CorrelationSegmentIndex::HasTerm(uint64_t hash) const {
  return std::binary_search(terms.begin(), terms.end(), hash);
}

Status ReadCorrelationTerms(const std::string& path, uint64_t file_bytes,
                            CorrelationSegmentIndex* index) {
  *index = CorrelationSegmentIndex();
  if (file_bytes < kSegmentHeaderBytes + kTrailerBytes) {
    return IndexCorruption(path, "file too short");
  }
  std::string tail;
  DDBG_RETURN_IF_ERROR(ReadRange(path, file_bytes - kTrailerBytes, kTrailerBytes, &tail));
  uint64_t dir_offset = GetFixed64(tail.data());
  uint64_t columns = GetFixed32(tail.data() + 8);
  if (dir_offset + columns * kDirectoryEntryBytes + kTrailerBytes != file_bytes) {
    return IndexCorruption(path, "directory bounds are inconsistent");
  }
  std::string dir;
  DDBG_RETURN_IF_ERROR(ReadRange(path, dir_offset, columns * kDirectoryEntryBytes, &dir));
  // The index chunks are back to back: from the terms to the next other chunk (or the
  // directory); the targets start at the offsets chunk.
  auto column = [&dir](uint64_t i) { return GetFixed32(dir.data() + i * kDirectoryEntryBytes); };
  auto offset = [&dir](uint64_t i) { return GetFixed64(dir.data() + i * kDirectoryEntryBytes + 8); };
  uint64_t begin = 0, end = dir_offset;
  for (uint64_t i = 0; i < columns; ++i) {
    if (column(i) == kColCorrelationTerms) begin = offset(i);
    if (column(i) == kColCorrelationOffsets) index->targets_begin = offset(i);
  }
  for (uint64_t i = 0; i < columns && begin != 0; ++i) {
    bool ours = column(i) >= kColCorrelationTerms && column(i) <= kColCorrelationRows;
    if (!ours && offset(i) > begin) end = std::min(end, offset(i));
  }
  if (begin == 0) return Status::Ok();
  if (index->targets_begin <= begin || index->targets_begin >= end) {
    return IndexCorruption(path, "chunk offsets are inconsistent");
  }
  index->targets_end = end;
  std::string bytes;
  DDBG_RETURN_IF_ERROR(ReadRange(path, begin, index->targets_begin - begin, &bytes));
  DDBG_RETURN_IF_ERROR(DecodeChunks(path, bytes, kColCorrelationTerms, kColCorrelationTerms, index));
  index->present = true;
  return Status::Ok();
}

Status ReadCorrelationTargets(const std::string& path, CorrelationSegmentIndex* index) {
  std::string bytes;
  DDBG_RETURN_IF_ERROR(
      ReadRange(path, index->targets_begin, index->targets_end - index->targets_begin, &bytes));
  DDBG_RETURN_IF_ERROR(
      DecodeChunks(path, bytes, kColCorrelationOffsets, kColCorrelationRows, index));
  size_t n = index->terms.size() + 1;
  const std::vector<uint32_t>& off = index->offsets;
  bool sane = off.size() == 2 * n && off[n - 1] == index->traces.size() &&
              off[2 * n - 1] == index->rows.size() && std::is_sorted(off.begin(), off.begin() + n) &&
              std::is_sorted(off.begin() + n, off.end());
  return sane ? Status::Ok() : IndexCorruption(path, "offsets do not match the targets");
}

}  // namespace ddbg::store
