#include "store/embedded/segment_rows.h"

#include <type_traits>

#include "ddbg/store.h"
#include "store/embedded/file_io.h"
#include "store/embedded/segment_columns.h"
#include "store/embedded/segment_format.h"

namespace ddbg::store {
namespace {

// The SegmentColumn bit of a stored column id (0: a column no projection reads).
uint32_t ColumnBit(uint32_t id) {
  switch (id) {
    case 1: return kSegColDict;
    case 100: case 209: return kSegColTraceId;
    case 101: case 210: return kSegColSpanId;
    case 102: return kSegColParent;
    case 105: case 206: return kSegColService;
    case 106: return kSegColName;
    case 108: case 109: case 200: return kSegColTime;
    case 202: return kSegColSeverity;
    case 207: return kSegColBody;
    default: return 0;
  }
}

template <typename T>
bool DecodeIntColumn(const ChunkHeader& h, std::string_view raw, std::vector<T>* v) {
  if (h.encoding == Encoding::kRaw) return GetRaw(raw, h.values, v);
  if (h.encoding == Encoding::kDeltaVarint) return GetDeltas(raw, h.values, v);
  if (h.encoding != Encoding::kVarint) return false;
  if constexpr (std::is_same_v<T, uint32_t>) return GetVarints32(raw, h.values, v);
  if constexpr (std::is_same_v<T, uint64_t>) return GetVarints64(raw, h.values, v);
  return false;
}

// A column visitor (segment_columns.h) that decodes the wanted columns in visit order (a
// Diff column comes after its base) and clears the others; stops at the first error.
class ColumnPicker {
 public:
  ColumnPicker(std::string_view file, const std::vector<DirectoryEntry>& dir, uint32_t wanted,
               uint64_t rows, uint32_t version)
      : file_(file), dir_(dir), wanted_(wanted), rows_(rows), version_(version) {}
  std::string error;

  void Dict(uint32_t id, const char* name, StringDict& d) {
    if (!Wanted(id)) return void(d = StringDict());
    Decode(id, name, false, [&d](const ChunkHeader& h, std::string_view raw) {
      return h.encoding == Encoding::kStringList && GetDictStrings(raw, h.values, &d);
    });
  }
  // Format 2 keeps the strings only value columns use (log bodies among them) in a second
  // dictionary chunk (dict_split.h); the body needs it, the other columns here do not.
  void DictValues(uint32_t id, const char* name, StringDict& d) {
    if (version_ < 2 || !error.empty() || (wanted_ & kSegColDict) == 0 ||
        (wanted_ & kSegColBody) == 0) {
      return;
    }
    Decode(id, name, false, [&d](const ChunkHeader& h, std::string_view raw) {
      return h.encoding == Encoding::kStringList && AppendDictStrings(raw, h.values, &d);
    });
  }
  template <typename T>
  void Raw(uint32_t id, const char* name, std::vector<T>& v) {
    if (!Wanted(id)) return v.clear();
    Decode(id, name, true, [&v](const ChunkHeader& h, std::string_view raw) {
      return h.encoding == Encoding::kRaw && GetRaw(raw, h.values, &v);
    });
  }
  template <typename T>
  void Varint(uint32_t id, const char* name, std::vector<T>& v) {
    if (!Wanted(id)) return v.clear();
    Decode(id, name, true, [&v](const ChunkHeader& h, std::string_view raw) {
      return DecodeIntColumn(h, raw, &v);
    });
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
  void Offsets(uint32_t, const char*, std::vector<uint32_t>& v) { v.clear(); }
  void Diff(uint32_t id, const char* name, std::vector<int64_t>& v, const std::vector<int64_t>& base) {
    if (!Wanted(id)) return v.clear();
    Decode(id, name, true, [&v, &base](const ChunkHeader& h, std::string_view raw) {
      if (h.encoding == Encoding::kDiffVarint) return h.values == base.size() && GetDiffs(raw, base, &v);
      return DecodeIntColumn(h, raw, &v);
    });
  }

 private:
  bool Wanted(uint32_t id) const { return error.empty() && (ColumnBit(id) & wanted_) != 0; }

  template <typename Fn>
  void Decode(uint32_t id, const char* name, bool per_row, Fn&& decode) {
    const DirectoryEntry* entry = nullptr;
    for (const DirectoryEntry& e : dir_) {
      if (e.column == id) entry = &e;
    }
    std::string why;
    ChunkHeader h;
    std::string_view stored, raw;
    if (entry == nullptr) {
      why = "missing from the segment";
    } else if (!VerifyChunk(file_.data() + entry->offset, file_.size() - entry->offset, &h, &stored, &why)) {
    } else if (h.column != id) {
      why = "directory points at the chunk of column " + std::to_string(h.column);
    } else if (per_row && h.values != rows_) {
      why = std::to_string(h.values) + " values for " + std::to_string(rows_) + " rows";
    } else if (!Decompressor().Decompress(h.codec, stored, h.raw_bytes, &Scratch(), &raw)) {
      why = "does not decompress to its recorded size";
    } else if (!decode(h, raw)) {
      why = std::string("does not decode as ") + EncodingName(h.encoding);
    }
    if (!why.empty()) error = std::string("column '") + name + "' (id " + std::to_string(id) + "): " + why;
  }
  static ColumnDecompressor& Decompressor() {
    thread_local ColumnDecompressor d;
    return d;
  }
  static std::string& Scratch() {
    thread_local std::string s;
    return s;
  }

  std::string_view file_;
  const std::vector<DirectoryEntry>& dir_;
  uint32_t wanted_;
  uint64_t rows_;
  uint32_t version_;
};

template <typename Batch>
Status ReadColumns(const std::string& path, const SegmentEntry& entry, Signal signal,
                   uint32_t columns, Batch* batch) {
  auto corrupt = [&path](const std::string& why) { return Status::Corruption(path + ": " + why); };
  if (entry.signal != signal) return Status::Internal(path + ": read as the wrong signal");
  MappedFile mapped;
  Status st = mapped.Open(path);
  if (st.code() == StatusCode::kNotFound) return corrupt("listed in the MANIFEST but missing");
  DDBG_RETURN_IF_ERROR(st);
  const std::string_view file = mapped.view();
  if (file.size() != entry.file_bytes) {
    return corrupt(std::to_string(file.size()) + " bytes, the manifest recorded " +
                   std::to_string(entry.file_bytes));
  }
  SegmentHeader header;
  std::vector<DirectoryEntry> dir;
  std::string why;
  if (!DecodeSegmentHeader(file, &header, &why) || !DecodeDirectory(file, &dir, &why)) return corrupt(why);
  if (header.signal != signal || header.rows != entry.rows) {
    return corrupt("header does not match the manifest entry");
  }
  ColumnPicker picker(file, dir, columns, header.rows, header.version);
  VisitColumns(picker, *batch);
  if (!picker.error.empty()) return corrupt(picker.error);
  return Status::Ok();
}

}  // namespace

Status ReadSegmentColumns(const std::string& path, const SegmentEntry& entry, uint32_t columns,
                          SpanBatch* batch) {
  return ReadColumns(path, entry, Signal::kSpans, columns, batch);
}
Status ReadSegmentColumns(const std::string& path, const SegmentEntry& entry, uint32_t columns,
                          LogBatch* batch) {
  return ReadColumns(path, entry, Signal::kLogs, columns, batch);
}

}  // namespace ddbg::store
