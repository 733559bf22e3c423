// Column encodings of the segment format: how one vector of a batch becomes bytes and back
// (fixed-width raw values, LEB128 varints, zigzag deltas against the previous value or
// against another column, and string lists), plus the zstd compression and xxhash64
// checksums applied to each encoded column. Decoders check every bound and return false
// on malformed input instead of reading past it. Thread-safety: stateless functions; a
// ColumnCompressor or ColumnDecompressor belongs to one thread.
#pragma once

#include <zstd.h>

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "ddbg/string_dict.h"

namespace ddbg::store {

static_assert(std::endian::native == std::endian::little,
              "the segment format is little-endian and written with memcpy");

// How the values of a column chunk are laid out before compression. Stored in files:
// never renumber.
enum class Encoding : uint8_t {
  kRaw = 0,          // fixed-width little-endian values, as in memory
  kVarint = 1,       // unsigned LEB128 per value
  kDeltaVarint = 2,  // LEB128 of zigzag(v[i] - v[i-1]) with v[-1] = 0, wrapping in 64 bits
  kDiffVarint = 3,   // LEB128 of zigzag(v[i] - base[i]), base another column of equal length
  kStringList = 4,   // LEB128 length of every string, then all the bytes back to back
};
// How the encoded bytes are stored. Never renumber.
enum class Codec : uint8_t { kNone = 0, kZstd = 1 };

const char* EncodingName(Encoding e);

// --- Encoders: append to *out. ---

void PutVarint64(uint64_t v, std::string* out);

inline constexpr size_t kMaxVarintBytes = 10;

inline char* EncodeVarint(uint64_t v, char* p) {
  while (v >= 0x80) {
    *p++ = static_cast<char>(v | 0x80);
    v >>= 7;
  }
  *p++ = static_cast<char>(v);
  return p;
}

// Runs `emit(i) -> uint64_t` for n values, writing each as a varint at the end of *out.
// Encodes through a small stack buffer so a large column costs no zero-filling of a
// worst-case-sized output.
template <typename Fn>
void PutVarintsOf(size_t n, std::string* out, Fn emit) {
  constexpr size_t kBlock = 1024;
  char buf[kBlock * kMaxVarintBytes];
  for (size_t begin = 0; begin < n; begin += kBlock) {
    size_t end = begin + kBlock < n ? begin + kBlock : n;
    char* p = buf;
    for (size_t i = begin; i < end; ++i) p = EncodeVarint(emit(i), p);
    out->append(buf, static_cast<size_t>(p - buf));
  }
}

template <typename T>
void PutRaw(const std::vector<T>& v, std::string* out) {
  static_assert(std::is_trivially_copyable_v<T>);
  out->append(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T));
}

// T: an unsigned integer type.
void PutVarints32(const uint32_t* v, size_t n, std::string* out);
void PutVarints64(const uint64_t* v, size_t n, std::string* out);
// T: any integer type up to 64 bits; differences wrap modulo 2^64.
template <typename T>
void PutDeltas(const std::vector<T>& v, std::string* out);
void PutDiffs(const std::vector<int64_t>& v, const std::vector<int64_t>& base, std::string* out);
// Strings 1..size()-1 of the dictionary (id 0 is always "").
void PutDictStrings(const StringDict& dict, std::string* out);
// The strings `ids` of the dictionary, in that order, as a string list.
void PutDictStrings(const StringDict& dict, const std::vector<StrId>& ids, std::string* out);
void PutStringList(const std::vector<std::string>& strings, std::string* out);

// --- Decoders: parse exactly `n` values from `in` (no byte may be left over). ---

bool GetVarint64(std::string_view* in, uint64_t* v);
bool GetVarints32(std::string_view in, size_t n, std::vector<uint32_t>* out);
bool GetVarints64(std::string_view in, size_t n, std::vector<uint64_t>* out);
template <typename T>
bool GetRaw(std::string_view in, size_t n, std::vector<T>* out) {
  static_assert(std::is_trivially_copyable_v<T>);
  if (n > in.size() / sizeof(T) || in.size() != n * sizeof(T)) return false;
  out->resize(n);
  if (n > 0) std::memcpy(out->data(), in.data(), in.size());
  return true;
}
template <typename T>
bool GetDeltas(std::string_view in, size_t n, std::vector<T>* out);
bool GetDiffs(std::string_view in, const std::vector<int64_t>& base, std::vector<int64_t>* out);
// Rebuilds a dictionary from `n` strings, ids in order (no lookup table is built: see
// StringDict::AppendUnindexed).
bool GetDictStrings(std::string_view in, size_t n, StringDict* dict);
// The same without clearing *dict first: the strings get the ids after its last one.
bool AppendDictStrings(std::string_view in, size_t n, StringDict* dict);
bool GetStringList(std::string_view in, size_t n, std::vector<std::string>* out);

// --- Row-filtered decoders (a read that keeps only some rows, SegmentReadOptions::row_filter).

// The kept elements of a column of `n` values: sorted, disjoint, non-adjacent runs
// [begin, end), `kept` elements in all.
struct Selection {
  uint64_t n = 0;
  size_t kept = 0;
  std::vector<std::pair<uint32_t, uint32_t>> runs;
  void Reset(uint64_t values) { n = values, kept = 0, runs.clear(); }
  // Appends [begin, end) (begin at or after the last run's end; empty runs are ignored).
  void Add(uint32_t begin, uint32_t end) {
    if (begin == end) return;
    kept += end - begin;
    if (!runs.empty() && runs.back().second == begin) {
      runs.back().second = end;
    } else {
      runs.emplace_back(begin, end);
    }
  }
};

// The kept values of `in`, which holds exactly s.n values (the bytes of skipped values are
// walked, not decoded).
bool GetSelectedVarints32(std::string_view in, const Selection& s, std::vector<uint32_t>* out);
bool GetSelectedVarints64(std::string_view in, const Selection& s, std::vector<uint64_t>* out);
// A diff-varint column against `base`, which holds the base values of the kept rows only.
bool GetSelectedDiffs(std::string_view in, const Selection& s, const std::vector<int64_t>& base,
                      std::vector<int64_t>* out);
template <typename T>
bool GetSelectedRaw(std::string_view in, const Selection& s, std::vector<T>* out) {
  static_assert(std::is_trivially_copyable_v<T>);
  if (s.n > in.size() / sizeof(T) || in.size() != s.n * sizeof(T)) return false;
  out->resize(s.kept);
  char* d = reinterpret_cast<char*>(out->data());
  for (auto [b, e] : s.runs) {
    std::memcpy(d, in.data() + size_t{b} * sizeof(T), size_t{e - b} * sizeof(T));
    d += size_t{e - b} * sizeof(T);
  }
  return true;
}
// The kept values of a fully decoded column (s.n of them).
template <typename T>
void GatherSelected(const std::vector<T>& full, const Selection& s, std::vector<T>* out) {
  out->resize(s.kept);
  T* d = out->data();
  for (auto [b, e] : s.runs) d = std::copy(full.begin() + b, full.begin() + e, d);
}
// Offsets of the owners `owners` keeps, from the full offsets `off` (owners.n + 1 values,
// starting at 0, never decreasing: false otherwise): *out receives the kept owners'
// offsets rebased to their kept children, *children the selection of the child column
// (off.back() values).
bool SelectOffsets(const std::vector<uint32_t>& off, const Selection& owners,
                   std::vector<uint32_t>* out, Selection* children);

// 64-bit checksum of a chunk: XXH64 of the stored bytes, seeded with XXH64 of the chunk
// header fields so a flipped header byte is caught too.
uint64_t ChunkChecksum(std::string_view header_fields, std::string_view stored);

// Compresses encoded column bytes with zstd, or keeps them as they are when that does not
// make them smaller (random ids, tiny columns).
class ColumnCompressor {
 public:
  explicit ColumnCompressor(int level);
  ~ColumnCompressor();
  ColumnCompressor(const ColumnCompressor&) = delete;
  ColumnCompressor& operator=(const ColumnCompressor&) = delete;
  // Returns the codec used; *stored receives the bytes to write (a copy of `raw` for kNone).
  Codec Compress(std::string_view raw, std::string* stored);

 private:
  ZSTD_CCtx* ctx_;
  int level_;
};

class ColumnDecompressor {
 public:
  ColumnDecompressor();
  ~ColumnDecompressor();
  ColumnDecompressor(const ColumnDecompressor&) = delete;
  ColumnDecompressor& operator=(const ColumnDecompressor&) = delete;
  // Points *raw at the decoded bytes (into `stored` for kNone, else into *scratch), which
  // must be exactly `raw_size` bytes; false on any zstd error or size mismatch.
  bool Decompress(Codec codec, std::string_view stored, uint64_t raw_size, std::string* scratch,
                  std::string_view* raw);

 private:
  ZSTD_DCtx* ctx_;
};

}  // namespace ddbg::store
