#include "store/embedded/segment_format.h"

#include <xxhash.h>

#include <charconv>
#include <cstdio>

namespace ddbg::store {

const char* SignalName(Signal s) {
  switch (s) {
    case Signal::kSpans:
      return "spans";
    case Signal::kLogs:
      return "logs";
    case Signal::kEvents:
      return "events";
  }
  return "unknown";
}

bool IsValidSignal(uint8_t s) { return s >= 1 && s <= 3; }

std::string SegmentFileName(Signal signal, uint64_t seq) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%s-%012llu.seg", SignalName(signal),
                static_cast<unsigned long long>(seq));
  return buf;
}

bool ParseSegmentFileName(std::string_view name, Signal* signal, uint64_t* seq) {
  constexpr std::string_view kSuffix = ".seg";
  if (name.size() <= kSuffix.size() || !name.ends_with(kSuffix)) return false;
  name.remove_suffix(kSuffix.size());
  size_t dash = name.find('-');
  if (dash == std::string_view::npos) return false;
  std::string_view kind = name.substr(0, dash);
  std::string_view digits = name.substr(dash + 1);
  if (digits.size() != 12) return false;
  for (Signal s : {Signal::kSpans, Signal::kLogs, Signal::kEvents}) {
    if (kind != SignalName(s)) continue;
    uint64_t v = 0;
    auto r = std::from_chars(digits.data(), digits.data() + digits.size(), v);
    if (r.ec != std::errc() || r.ptr != digits.data() + digits.size()) return false;
    *signal = s;
    *seq = v;
    return true;
  }
  return false;
}

std::string EncodeSegmentHeader(const SegmentHeader& h) {
  std::string out(kSegmentHeaderBytes, '\0');
  char* p = out.data();
  std::memcpy(p, kSegmentMagic.data(), 8);
  PutFixed32(p + 8, h.version);
  p[12] = static_cast<char>(h.signal);
  PutFixed64(p + 16, h.rows);
  PutFixed64(p + 24, static_cast<uint64_t>(h.min_time_ns));
  PutFixed64(p + 32, static_cast<uint64_t>(h.max_time_ns));
  PutFixed64(p + 40, h.index_end);
  PutFixed64(p + 56, XXH64(p, 56, 0));
  return out;
}

bool DecodeSegmentHeader(std::string_view bytes, SegmentHeader* h, std::string* why) {
  if (bytes.size() < kSegmentHeaderBytes) {
    *why = "file shorter than the segment header (" + std::to_string(bytes.size()) + " bytes)";
    return false;
  }
  const char* p = bytes.data();
  if (std::string_view(p, 8) != kSegmentMagic) {
    *why = "bad magic (not a ddbg segment)";
    return false;
  }
  if (GetFixed64(p + 56) != XXH64(p, 56, 0)) {
    *why = "segment header checksum mismatch";
    return false;
  }
  uint32_t version = GetFixed32(p + 8);
  if (version < kOldestSegmentFormatVersion || version > kSegmentFormatVersion) {
    *why = "unsupported segment format version " + std::to_string(version);
    return false;
  }
  uint8_t signal = static_cast<uint8_t>(p[12]);
  if (!IsValidSignal(signal)) {
    *why = "unknown signal " + std::to_string(signal);
    return false;
  }
  h->version = version;
  h->signal = static_cast<Signal>(signal);
  h->rows = GetFixed64(p + 16);
  h->min_time_ns = static_cast<int64_t>(GetFixed64(p + 24));
  h->max_time_ns = static_cast<int64_t>(GetFixed64(p + 32));
  h->index_end = GetFixed64(p + 40);
  if (h->index_end < kSegmentHeaderBytes) {
    *why = "index end before the header end";
    return false;
  }
  return true;
}

void AppendChunkHeader(ChunkHeader h, std::string_view stored, std::string* out) {
  char hdr[kChunkHeaderBytes] = {};
  PutFixed32(hdr, h.column);
  hdr[4] = static_cast<char>(h.encoding);
  hdr[5] = static_cast<char>(h.codec);
  PutFixed64(hdr + 8, h.values);
  PutFixed64(hdr + 16, h.raw_bytes);
  PutFixed64(hdr + 24, stored.size());
  PutFixed64(hdr + 32, ChunkChecksum(std::string_view(hdr, kChunkHeaderHashedBytes), stored));
  out->append(hdr, kChunkHeaderBytes);
}

ChunkHeader DecodeChunkHeader(const char* p) {
  ChunkHeader h;
  h.column = GetFixed32(p);
  h.encoding = static_cast<Encoding>(p[4]);
  h.codec = static_cast<Codec>(p[5]);
  h.values = GetFixed64(p + 8);
  h.raw_bytes = GetFixed64(p + 16);
  h.stored_bytes = GetFixed64(p + 24);
  h.checksum = GetFixed64(p + 32);
  return h;
}

bool VerifyChunk(const char* p, size_t avail, ChunkHeader* h, std::string_view* stored,
                 std::string* why) {
  if (avail < kChunkHeaderBytes) {
    *why = "chunk header runs past the end of the file";
    return false;
  }
  *h = DecodeChunkHeader(p);
  if (h->stored_bytes > avail - kChunkHeaderBytes) {
    *why = "chunk of " + std::to_string(h->stored_bytes) + " bytes runs past the end of the file";
    return false;
  }
  *stored = std::string_view(p + kChunkHeaderBytes, h->stored_bytes);
  if (ChunkChecksum(std::string_view(p, kChunkHeaderHashedBytes), *stored) != h->checksum) {
    *why = "checksum mismatch";
    return false;
  }
  return true;
}

void AppendDirectoryEntry(DirectoryEntry e, std::string* out) {
  char buf[kDirectoryEntryBytes] = {};
  PutFixed32(buf, e.column);
  PutFixed64(buf + 8, e.offset);
  out->append(buf, kDirectoryEntryBytes);
}

namespace {
uint64_t TrailerChecksum(std::string_view directory, const char* trailer) {
  XXH64_state_t* st = XXH64_createState();
  XXH64_reset(st, 0);
  XXH64_update(st, directory.data(), directory.size());
  XXH64_update(st, trailer, 16);
  uint64_t h = XXH64_digest(st);
  XXH64_freeState(st);
  return h;
}
}  // namespace

std::string EncodeTrailer(uint64_t directory_offset, std::string_view directory) {
  std::string out(kTrailerBytes, '\0');
  char* p = out.data();
  PutFixed64(p, directory_offset);
  PutFixed32(p + 8, static_cast<uint32_t>(directory.size() / kDirectoryEntryBytes));
  PutFixed64(p + 16, TrailerChecksum(directory, p));
  std::memcpy(p + 24, kSegmentEndMagic.data(), 8);
  return out;
}

bool DecodeDirectory(std::string_view file, std::vector<DirectoryEntry>* dir, std::string* why,
                     uint64_t base) {
  dir->clear();
  if (base + file.size() < kSegmentHeaderBytes + kTrailerBytes || file.size() < kTrailerBytes) {
    *why = "truncated: " + std::to_string(file.size()) + " bytes is too short for a segment";
    return false;
  }
  const char* t = file.data() + file.size() - kTrailerBytes;
  if (std::string_view(t + 24, 8) != kSegmentEndMagic) {
    *why = "truncated or damaged: no end marker in the last bytes";
    return false;
  }
  uint64_t dir_offset = GetFixed64(t);
  uint64_t columns = GetFixed32(t + 8);
  uint64_t dir_end = base + file.size() - kTrailerBytes;
  if (dir_offset < kSegmentHeaderBytes || dir_offset < base || dir_offset > dir_end ||
      (dir_end - dir_offset) != columns * kDirectoryEntryBytes) {
    *why = "directory bounds are inconsistent with the file size";
    return false;
  }
  std::string_view directory(file.data() + (dir_offset - base), dir_end - dir_offset);
  if (TrailerChecksum(directory, t) != GetFixed64(t + 16)) {
    *why = "directory checksum mismatch";
    return false;
  }
  dir->reserve(columns);
  for (uint64_t i = 0; i < columns; ++i) {
    const char* e = directory.data() + i * kDirectoryEntryBytes;
    DirectoryEntry d{GetFixed32(e), GetFixed64(e + 8)};
    if (d.offset < kSegmentHeaderBytes || d.offset >= dir_offset) {
      *why = "directory entry for column " + std::to_string(d.column) + " points outside the data";
      return false;
    }
    dir->push_back(d);
  }
  return true;
}

}  // namespace ddbg::store
