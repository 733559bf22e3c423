// The manifest: the list of committed segments, the single source of truth of what a store
// holds. It is replaced as a whole (write temp, fsync, rename over MANIFEST, fsync the
// directory) by a writer holding the store LOCK, so a reader that reads it once sees one
// consistent set of immutable segment files. Thread-safety: plain values and functions.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "ddbg/status.h"
#include "store/embedded/segment_format.h"

namespace ddbg::store {

inline constexpr std::string_view kManifestName = "MANIFEST";
inline constexpr std::string_view kManifestMagic = "DDBGMAN1";
// Version 2 added the marks after the segment list; version 1 manifests (no marks) are read.
inline constexpr uint32_t kManifestFormatVersion = 2;

// What the manifest records about one segment: enough for Stats() and for pruning by time
// and service without opening the file.
struct SegmentEntry {
  uint64_t seq = 0;
  Signal signal = Signal::kSpans;
  uint64_t rows = 0;
  int64_t min_time_ns = 0;  // spans: start_ns; logs and events: time_ns
  int64_t max_time_ns = 0;
  uint64_t file_bytes = 0;
  std::vector<std::string> services;  // sorted, distinct

  std::string FileName() const { return SegmentFileName(signal, seq); }
};

struct Manifest {
  uint64_t generation = 0;  // incremented by every publication
  uint64_t next_seq = 1;    // the next segment sequence number to hand out
  std::vector<SegmentEntry> segments;
  // Named counters a writer commits together with its segments (Store::AppendMarked).
  std::map<std::string, uint64_t> marks;
};

std::string EncodeManifest(const Manifest& m);
// `name` only labels errors.
Status DecodeManifest(std::string_view bytes, const std::string& name, Manifest* m);

// Reads dir/MANIFEST; an absent manifest is an empty store (generation 0). *file_bytes
// receives the manifest's size (0 when absent).
Status LoadManifest(const std::string& dir, Manifest* m, uint64_t* file_bytes);
// Atomically replaces dir/MANIFEST. The caller holds the store lock.
Status PublishManifest(const std::string& dir, const Manifest& m, uint64_t* file_bytes);

}  // namespace ddbg::store
