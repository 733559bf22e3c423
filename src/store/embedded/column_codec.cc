#include "store/embedded/column_codec.h"

#include <xxhash.h>

#include <cstring>
#include <limits>

namespace ddbg::store {
namespace {

// Columns smaller than this are stored uncompressed: a zstd frame would not pay for itself.
constexpr size_t kMinCompressBytes = 64;
// A column is stored compressed only when that saves at least 1/8 of its bytes: below that
// (varint time deltas of random-looking durations save ~7 %) every read would pay zstd's
// decompression (~40 ms per 56 MB) to save a few bytes on disk.
constexpr size_t kMinSavingDivisor = 8;

inline uint64_t ZigZag(uint64_t d) {
  return (d << 1) ^ static_cast<uint64_t>(static_cast<int64_t>(d) >> 63);
}
inline uint64_t UnZigZag(uint64_t z) { return (z >> 1) ^ (~(z & 1) + 1); }

// Decodes one varint from [*p, end); false when truncated or longer than 10 bytes.
inline bool DecodeVarint(const char** p, const char* end, uint64_t* v) {
  const unsigned char* q = reinterpret_cast<const unsigned char*>(*p);
  const unsigned char* e = reinterpret_cast<const unsigned char*>(end);
  uint64_t result = 0;
  for (int shift = 0; shift < 64 && q < e; shift += 7) {
    uint64_t byte = *q++;
    if (shift == 63 && byte > 1) return false;
    result |= (byte & 0x7f) << shift;
    if (byte < 0x80) {
      *v = result;
      *p = reinterpret_cast<const char*>(q);
      return true;
    }
  }
  return false;
}

constexpr uint64_t kHighBits = 0x8080808080808080ull;

// How GetVarintsWith reads a column: kSmall for ids and offsets (mostly one-byte varints,
// taken eight at a time when eight in a row are), kWide for times and durations (three to
// six bytes each, where looking for a run of one-byte values only costs time).
// bench/column_decode_bench.cc measures both on a real segment.
enum class VarintShape { kSmall, kWide };

// Decodes exactly n varints from `in`, passing each to `take(i, v)` (false = reject).
template <VarintShape kShape, typename Fn>
bool GetVarintsWith(std::string_view in, size_t n, Fn take) {
  if (n > in.size()) return false;  // every value takes at least one byte
  const char* p = in.data();
  const char* end = p + in.size();
  size_t i = 0;
  while (i < n) {
    uint64_t word;
    if (kShape == VarintShape::kSmall && n - i >= 8 && end - p >= 8 &&
        (std::memcpy(&word, p, 8), (word & kHighBits) == 0)) {
      for (int k = 0; k < 8; ++k) {
        if (!take(i + static_cast<size_t>(k), (word >> (8 * k)) & 0xff)) return false;
      }
      p += 8;
      i += 8;
      continue;
    }
    uint64_t v;
    if (!DecodeVarint(&p, end, &v) || !take(i, v)) return false;
    ++i;
  }
  return p == end;
}

}  // namespace

const char* EncodingName(Encoding e) {
  switch (e) {
    case Encoding::kRaw:
      return "raw";
    case Encoding::kVarint:
      return "varint";
    case Encoding::kDeltaVarint:
      return "delta-varint";
    case Encoding::kDiffVarint:
      return "diff-varint";
    case Encoding::kStringList:
      return "string-list";
  }
  return "unknown";
}

void PutVarint64(uint64_t v, std::string* out) {
  char buf[kMaxVarintBytes];
  char* end = EncodeVarint(v, buf);
  out->append(buf, static_cast<size_t>(end - buf));
}

void PutVarints32(const uint32_t* v, size_t n, std::string* out) {
  PutVarintsOf(n, out, [v](size_t i) { return static_cast<uint64_t>(v[i]); });
}

void PutVarints64(const uint64_t* v, size_t n, std::string* out) {
  PutVarintsOf(n, out, [v](size_t i) { return v[i]; });
}

template <typename T>
void PutDeltas(const std::vector<T>& v, std::string* out) {
  uint64_t prev = 0;
  const T* d = v.data();
  PutVarintsOf(v.size(), out, [d, &prev](size_t i) {
    uint64_t cur = static_cast<uint64_t>(d[i]);
    uint64_t z = ZigZag(cur - prev);
    prev = cur;
    return z;
  });
}
template void PutDeltas<int64_t>(const std::vector<int64_t>&, std::string*);
template void PutDeltas<uint64_t>(const std::vector<uint64_t>&, std::string*);
template void PutDeltas<uint32_t>(const std::vector<uint32_t>&, std::string*);

void PutDiffs(const std::vector<int64_t>& v, const std::vector<int64_t>& base, std::string* out) {
  const int64_t* d = v.data();
  const int64_t* b = base.data();
  PutVarintsOf(v.size(), out, [d, b](size_t i) {
    return ZigZag(static_cast<uint64_t>(d[i]) - static_cast<uint64_t>(b[i]));
  });
}

void PutDictStrings(const StringDict& dict, std::string* out) {
  size_t n = dict.size();
  PutVarintsOf(n - 1, out, [&dict](size_t i) {
    return static_cast<uint64_t>(dict.Get(static_cast<StrId>(i + 1)).size());
  });
  out->reserve(out->size() + dict.bytes());
  for (size_t i = 1; i < n; ++i) out->append(dict.Get(static_cast<StrId>(i)));
}

void PutDictStrings(const StringDict& dict, const std::vector<StrId>& ids, std::string* out) {
  size_t bytes = 0;
  PutVarintsOf(ids.size(), out, [&dict, &ids, &bytes](size_t i) {
    size_t n = dict.Get(ids[i]).size();
    bytes += n;
    return static_cast<uint64_t>(n);
  });
  out->reserve(out->size() + bytes);
  for (StrId id : ids) out->append(dict.Get(id));
}

void PutStringList(const std::vector<std::string>& strings, std::string* out) {
  PutVarintsOf(strings.size(), out, [&strings](size_t i) { return strings[i].size(); });
  for (const std::string& s : strings) out->append(s);
}

bool GetVarint64(std::string_view* in, uint64_t* v) {
  const char* p = in->data();
  if (!DecodeVarint(&p, in->data() + in->size(), v)) return false;
  in->remove_prefix(static_cast<size_t>(p - in->data()));
  return true;
}

bool GetVarints32(std::string_view in, size_t n, std::vector<uint32_t>* out) {
  if (n > in.size()) return false;
  out->resize(n);
  uint32_t* d = out->data();
  return GetVarintsWith<VarintShape::kSmall>(in, n, [d](size_t i, uint64_t v) {
    d[i] = static_cast<uint32_t>(v);
    return v <= std::numeric_limits<uint32_t>::max();
  });
}

bool GetVarints64(std::string_view in, size_t n, std::vector<uint64_t>* out) {
  if (n > in.size()) return false;
  out->resize(n);
  uint64_t* d = out->data();
  return GetVarintsWith<VarintShape::kSmall>(in, n, [d](size_t i, uint64_t v) {
    d[i] = v;
    return true;
  });
}

template <typename T>
bool GetDeltas(std::string_view in, size_t n, std::vector<T>* out) {
  if (n > in.size()) return false;
  out->resize(n);
  T* d = out->data();
  uint64_t prev = 0;
  constexpr VarintShape kShape = std::is_signed_v<T> ? VarintShape::kWide : VarintShape::kSmall;
  return GetVarintsWith<kShape>(in, n, [d, &prev](size_t i, uint64_t z) {
    prev += UnZigZag(z);
    d[i] = static_cast<T>(prev);
    return sizeof(T) == 8 || prev <= std::numeric_limits<T>::max();
  });
}
template bool GetDeltas<int64_t>(std::string_view, size_t, std::vector<int64_t>*);
template bool GetDeltas<uint64_t>(std::string_view, size_t, std::vector<uint64_t>*);
template bool GetDeltas<uint32_t>(std::string_view, size_t, std::vector<uint32_t>*);

bool GetDiffs(std::string_view in, const std::vector<int64_t>& base, std::vector<int64_t>* out) {
  size_t n = base.size();
  if (n > in.size()) return false;
  out->resize(n);
  int64_t* d = out->data();
  const int64_t* b = base.data();
  return GetVarintsWith<VarintShape::kWide>(in, n, [d, b](size_t i, uint64_t z) {
    d[i] = static_cast<int64_t>(static_cast<uint64_t>(b[i]) + UnZigZag(z));
    return true;
  });
}

namespace {
// Splits a string-list blob into its lengths and the byte area; false when malformed.
bool SplitStringList(std::string_view in, size_t n, std::vector<uint64_t>* lengths,
                     std::string_view* bytes) {
  if (n > in.size()) return false;
  lengths->resize(n);
  const char* p = in.data();
  const char* end = p + in.size();
  uint64_t total = 0;
  for (size_t i = 0; i < n; ++i) {
    uint64_t len;
    if (!DecodeVarint(&p, end, &len)) return false;
    (*lengths)[i] = len;
    total += len;
    if (len > in.size() || total > in.size()) return false;
  }
  if (total != static_cast<uint64_t>(end - p)) return false;
  *bytes = std::string_view(p, static_cast<size_t>(end - p));
  return true;
}
}  // namespace

bool GetDictStrings(std::string_view in, size_t n, StringDict* dict) {
  dict->Clear();
  return AppendDictStrings(in, n, dict);
}

bool AppendDictStrings(std::string_view in, size_t n, StringDict* dict) {
  std::vector<uint64_t> lengths;
  std::string_view bytes;
  if (!SplitStringList(in, n, &lengths, &bytes)) return false;
  size_t pos = 0;
  for (size_t i = 0; i < n; ++i) {
    std::string_view s = bytes.substr(pos, lengths[i]);
    pos += lengths[i];
    dict->AppendUnindexed(s);
  }
  return true;
}

bool GetStringList(std::string_view in, size_t n, std::vector<std::string>* out) {
  std::vector<uint64_t> lengths;
  std::string_view bytes;
  if (!SplitStringList(in, n, &lengths, &bytes)) return false;
  out->clear();
  out->reserve(n);
  size_t pos = 0;
  for (size_t i = 0; i < n; ++i) {
    out->emplace_back(bytes.substr(pos, lengths[i]));
    pos += lengths[i];
  }
  return true;
}

uint64_t ChunkChecksum(std::string_view header_fields, std::string_view stored) {
  uint64_t seed = XXH64(header_fields.data(), header_fields.size(), 0);
  return XXH64(stored.data(), stored.size(), seed);
}

ColumnCompressor::ColumnCompressor(int level) : ctx_(ZSTD_createCCtx()), level_(level) {}
ColumnCompressor::~ColumnCompressor() { ZSTD_freeCCtx(ctx_); }

Codec ColumnCompressor::Compress(std::string_view raw, std::string* stored) {
  stored->clear();
  if (raw.size() >= kMinCompressBytes && ctx_ != nullptr) {
    stored->resize(ZSTD_compressBound(raw.size()));
    size_t n =
        ZSTD_compressCCtx(ctx_, stored->data(), stored->size(), raw.data(), raw.size(), level_);
    if (!ZSTD_isError(n) && n <= raw.size() - raw.size() / kMinSavingDivisor) {
      stored->resize(n);
      return Codec::kZstd;
    }
  }
  stored->assign(raw);
  return Codec::kNone;
}

ColumnDecompressor::ColumnDecompressor() : ctx_(ZSTD_createDCtx()) {}
ColumnDecompressor::~ColumnDecompressor() { ZSTD_freeDCtx(ctx_); }

bool ColumnDecompressor::Decompress(Codec codec, std::string_view stored, uint64_t raw_size,
                                    std::string* scratch, std::string_view* raw) {
  if (codec == Codec::kNone) {
    if (stored.size() != raw_size) return false;
    *raw = stored;
    return true;
  }
  if (codec != Codec::kZstd || ctx_ == nullptr) return false;
  unsigned long long content = ZSTD_getFrameContentSize(stored.data(), stored.size());
  if (content != raw_size) return false;
  scratch->resize(raw_size);
  size_t n =
      ZSTD_decompressDCtx(ctx_, scratch->data(), scratch->size(), stored.data(), stored.size());
  if (ZSTD_isError(n) || n != raw_size) return false;
  *raw = std::string_view(scratch->data(), scratch->size());
  return true;
}

namespace {

// Moves *p past the next k varints; false when fewer remain. Counts the bytes that end a
// varint, eight at a time where it can (a skipped varint is not checked for length).
bool SkipVarints(const char** p, const char* end, uint64_t k) {
  const char* q = *p;
  while (k > 0 && end - q >= 8) {
    uint64_t word;
    std::memcpy(&word, q, 8);
    // The stop bits moved to the bottom of each byte, summed into the top byte (a
    // multiply: no popcount instruction in the baseline target).
    uint64_t stops = (((~word & kHighBits) >> 7) * 0x0101010101010101ull) >> 56;
    if (stops >= k) break;
    k -= stops;
    q += 8;
  }
  for (; k > 0; ++q) {
    if (q == end) return false;
    if ((static_cast<unsigned char>(*q) & 0x80) == 0) --k;
  }
  *p = q;
  return true;
}

// Decodes the kept varints of `in` (exactly s.n values), passing each to `take(j, v)` with
// j its position among the kept ones (false = reject).
template <typename Fn>
bool GetSelectedVarintsWith(std::string_view in, const Selection& s, Fn take) {
  if (s.n > in.size()) return false;
  const char* p = in.data();
  const char* end = p + in.size();
  uint64_t pos = 0;
  size_t j = 0;
  for (auto [b, e] : s.runs) {
    if (!SkipVarints(&p, end, b - pos)) return false;
    for (uint32_t i = b; i < e; ++i, ++j) {
      uint64_t v;
      if (!DecodeVarint(&p, end, &v) || !take(j, v)) return false;
    }
    pos = e;
  }
  return pos <= s.n && SkipVarints(&p, end, s.n - pos) && p == end;
}

}  // namespace

bool GetSelectedVarints32(std::string_view in, const Selection& s, std::vector<uint32_t>* out) {
  out->resize(s.kept);
  uint32_t* d = out->data();
  return GetSelectedVarintsWith(in, s, [d](size_t j, uint64_t v) {
    d[j] = static_cast<uint32_t>(v);
    return v <= std::numeric_limits<uint32_t>::max();
  });
}

bool GetSelectedVarints64(std::string_view in, const Selection& s, std::vector<uint64_t>* out) {
  out->resize(s.kept);
  uint64_t* d = out->data();
  return GetSelectedVarintsWith(in, s, [d](size_t j, uint64_t v) {
    d[j] = v;
    return true;
  });
}

bool GetSelectedDiffs(std::string_view in, const Selection& s, const std::vector<int64_t>& base,
                      std::vector<int64_t>* out) {
  if (base.size() != s.kept) return false;
  out->resize(s.kept);
  int64_t* d = out->data();
  const int64_t* b = base.data();
  return GetSelectedVarintsWith(in, s, [d, b](size_t j, uint64_t z) {
    d[j] = static_cast<int64_t>(static_cast<uint64_t>(b[j]) + UnZigZag(z));
    return true;
  });
}

bool SelectOffsets(const std::vector<uint32_t>& off, const Selection& owners,
                   std::vector<uint32_t>* out, Selection* children) {
  if (off.size() != owners.n + 1 || off[0] != 0) return false;
  for (size_t i = 1; i < off.size(); ++i) {
    if (off[i] < off[i - 1]) return false;
  }
  children->Reset(off.back());
  out->resize(owners.kept + 1);
  uint32_t* d = out->data();
  *d = 0;
  for (auto [b, e] : owners.runs) {
    for (uint32_t i = b; i < e; ++i, ++d) d[1] = d[0] + (off[i + 1] - off[i]);
    children->Add(off[b], off[e]);
  }
  return true;
}

}  // namespace ddbg::store
