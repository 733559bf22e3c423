// Ingest: reads files and directories of telemetry, detects each file's format, decodes it
// and appends the records to a Store, streaming in bounded memory (a decoding thread hands
// full batches to a writing thread). Returns a per-file report with counts and rejections.
// Thread-safety: one Ingest call at a time per Store object.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "ddbg/decode.h"
#include "ddbg/status.h"
#include "ddbg/store.h"

namespace ddbg {

struct FileReport {
  std::string path;
  Format format = Format::kAuto;
  uint64_t bytes = 0;     // bytes after decompression
  DecodeStats stats;      // accepted counts and rejections
  Status status;          // not OK when the file could not be read or decoded at all
  bool skipped = false;   // recognised but deliberately not ingested (ground truth)
};

struct IngestReport {
  std::vector<FileReport> files;
  uint64_t spans = 0;
  uint64_t logs = 0;
  uint64_t events = 0;
  uint64_t rejected = 0;
  uint64_t unreadable_files = 0;
  uint64_t bytes = 0;
  // 0 when every record of every file was accepted, 2 when some records or files were
  // rejected but something was ingested, 1 when nothing could be read at all.
  int ExitCode() const;
};

struct IngestProgress {
  size_t file_index = 0;  // 0-based index of the file being read
  size_t file_count = 0;
  std::string path;
  uint64_t spans = 0;  // totals so far, over all files
  uint64_t logs = 0;
  uint64_t events = 0;
};

struct IngestOptions {
  Format format = Format::kAuto;  // force a format for every file
  // Called from the ingesting thread after each file starts and after each flushed batch.
  std::function<void(const IngestProgress&)> on_progress;
  size_t flush_bytes = 64 << 20;  // batch size handed to the store
  // Mine log templates: each log record gets its template id and parameters, and the
  // store's template table is extended (see ddbg/log_templates.h).
  bool mine_log_templates = true;
};

// Expands `paths` (files, and directories recursively, in sorted order; hidden entries
// skipped) and ingests every file. A Status error is returned only when the store fails
// (nothing more can be written); per-file problems are in the report.
Result<IngestReport> Ingest(const std::vector<std::string>& paths, Store& store,
                            const IngestOptions& options = {});

// The list of files `paths` expands to, or NotFound for a path that does not exist.
Result<std::vector<std::string>> ExpandInputPaths(const std::vector<std::string>& paths);

}  // namespace ddbg
