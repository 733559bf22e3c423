// The byte layout of one segment file, the immutable unit of the embedded store: a 64-byte
// header (magic "DDBGSEG1", signal, row count, time bounds), index chunks, column chunks
// (each with its own 40-byte header and checksum), a directory of chunk offsets and a
// 32-byte trailer. docs/storage.md describes every field. Thread-safety: plain functions.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "store/embedded/column_codec.h"

namespace ddbg::store {

// What a segment holds. Stored in files and in the manifest: never renumber.
enum class Signal : uint8_t { kSpans = 1, kLogs = 2, kEvents = 3 };
const char* SignalName(Signal s);  // "spans", "logs", "events"
bool IsValidSignal(uint8_t s);

// "spans-000000000042.seg". Sequence numbers are assigned under the store lock.
std::string SegmentFileName(Signal signal, uint64_t seq);
// Parses a name made by SegmentFileName; false for anything else.
bool ParseSegmentFileName(std::string_view name, Signal* signal, uint64_t* seq);

inline constexpr std::string_view kSegmentMagic = "DDBGSEG1";
inline constexpr std::string_view kSegmentEndMagic = "DDBGEND1";
// Version 2 splits the dictionary of span and log segments in a structure part and a value
// part (segment_columns.h); version 1 segments (one dictionary chunk) are still read.
inline constexpr uint32_t kSegmentFormatVersion = 2;
inline constexpr uint32_t kOldestSegmentFormatVersion = 1;
inline constexpr size_t kSegmentHeaderBytes = 64;
inline constexpr size_t kChunkHeaderBytes = 40;
// The chunk header bytes covered by the chunk checksum (all but the checksum itself).
inline constexpr size_t kChunkHeaderHashedBytes = 32;
inline constexpr size_t kDirectoryEntryBytes = 16;
inline constexpr size_t kTrailerBytes = 32;

// Column ids of the index chunks, which sit right after the header so that a reader gets
// them with one short read. Data column ids are listed in segment_columns.h.
inline constexpr uint32_t kColTraceIndex = 900;    // sorted distinct non-zero trace ids
inline constexpr uint32_t kColStreamIndex = 901;   // sorted distinct event streams
inline constexpr uint32_t kColServiceIndex = 902;  // sorted distinct service names

struct SegmentHeader {
  uint32_t version = kSegmentFormatVersion;
  Signal signal = Signal::kSpans;
  uint64_t rows = 0;
  int64_t min_time_ns = 0;
  int64_t max_time_ns = 0;
  uint64_t index_end = kSegmentHeaderBytes;  // offset just past the last index chunk
};
std::string EncodeSegmentHeader(const SegmentHeader& h);
// False (with *why) on a bad magic, an unknown version, a bad signal or checksum.
bool DecodeSegmentHeader(std::string_view bytes, SegmentHeader* h, std::string* why);

struct ChunkHeader {
  uint32_t column = 0;
  Encoding encoding = Encoding::kRaw;
  Codec codec = Codec::kNone;
  uint64_t values = 0;        // number of values (strings for kStringList)
  uint64_t raw_bytes = 0;     // encoded size before compression
  uint64_t stored_bytes = 0;  // size of the bytes that follow the header
  uint64_t checksum = 0;      // ChunkChecksum(header bytes [0, 32), stored bytes)
};
// Appends the 40-byte header of a chunk whose stored bytes are `stored` (the stored size and
// checksum fields are computed from them).
void AppendChunkHeader(ChunkHeader h, std::string_view stored, std::string* out);
// Reads a header from 40 bytes (no validation beyond field extraction).
ChunkHeader DecodeChunkHeader(const char* p);
// Checks a chunk whose header starts at `p` with `avail` bytes available in the file;
// on success *stored points at its stored bytes.
bool VerifyChunk(const char* p, size_t avail, ChunkHeader* h, std::string_view* stored,
                 std::string* why);

// The directory at the end of the file: one entry per chunk (index chunks included).
struct DirectoryEntry {
  uint32_t column = 0;
  uint64_t offset = 0;  // of the chunk header
};
void AppendDirectoryEntry(DirectoryEntry e, std::string* out);
// The trailer closing a file whose directory starts at `directory_offset`.
std::string EncodeTrailer(uint64_t directory_offset, std::string_view directory);
// Parses the trailer and directory of a segment file; false (with *why) when the file is
// truncated or the directory does not check out. `file` holds the bytes from offset `base`
// to the end of the file (the whole file when base is 0; at least the directory otherwise).
bool DecodeDirectory(std::string_view file, std::vector<DirectoryEntry>* dir, std::string* why,
                     uint64_t base = 0);

inline void PutFixed32(char* p, uint32_t v) { std::memcpy(p, &v, 4); }
inline void PutFixed64(char* p, uint64_t v) { std::memcpy(p, &v, 8); }
inline uint32_t GetFixed32(const char* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}
inline uint64_t GetFixed64(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

}  // namespace ddbg::store
