// Decoders turn bytes in one of the supported formats into the telemetry model. Each
// decoder appends to the batches of a DecodeContext, keeps going after a bad record, and
// reports every rejected record with its place (line or byte offset) and reason.
// Decoders call ctx.MaybeFlush() between records so a large input streams to the store in
// bounded memory. Thread-safety: a context belongs to one decoding thread.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "ddbg/model.h"
#include "ddbg/status.h"

namespace ddbg {

enum class Format : uint8_t {
  kAuto = 0,
  kOtlpJson,     // ExportTrace/LogsServiceRequest JSON, one per file or one per line
  kOtlpProto,    // ExportTrace/LogsServiceRequest protobuf (traces or logs detected)
  kJaegerJson,   // {"data":[{traceID, spans, processes}]} or a bare span list
  kZipkinJson,   // Zipkin v2: a JSON array of spans
  kJsonLogs,     // JSON-lines log records with common field names
  kTextLogs,     // plain-text log lines
  kEventsJsonl,  // JSON-lines domain events
  kGroundTruth,  // ddbg simulate's ground_truth.json: recognised and skipped
};
const char* FormatName(Format f);                 // "otlp-json", "jaeger-json", …
bool ParseFormatName(std::string_view name, Format* out);

// One rejected record: where it was and why.
struct Rejection {
  std::string source;   // file name as given
  uint64_t line = 0;    // 1-based line, 0 when not line-oriented
  uint64_t offset = 0;  // byte offset of the record (or of the error) in the decoded bytes
  std::string reason;   // e.g. "spanId must be 16 hex characters, got 15"
  std::string ToString() const;  // "traces.json:17: spanId must be …" / "x.pb@1234: …"
};

// Counts and the rejections a decoder produced for one input.
struct DecodeStats {
  uint64_t spans = 0;
  uint64_t logs = 0;
  uint64_t events = 0;
  uint64_t rejected = 0;  // records rejected (always == rejections.size() + rejections_dropped)
  uint64_t warnings = 0;  // records accepted with a fix-up (e.g. clipped end < start)
  std::vector<Rejection> rejections;
  uint64_t rejections_dropped = 0;  // beyond kMaxKeptRejections, only counted
  static constexpr size_t kMaxKeptRejections = 100000;
};

class DecodeContext {
 public:
  // `flush` is called by MaybeFlush when a batch is large; it must consume and clear the
  // batches it is given. It may be empty (everything stays in memory).
  using FlushFn = std::function<Status(SpanBatch&, LogBatch&, EventBatch&)>;
  DecodeContext(std::string source, FlushFn flush = nullptr, size_t flush_bytes = 64 << 20);

  const std::string& source() const { return source_; }
  SpanBatch spans;
  LogBatch logs;
  EventBatch events;
  DecodeStats stats;

  void Reject(uint64_t line, uint64_t offset, std::string reason);
  // For a piece of a larger input decoded on its own: rejections report line + first_line
  // (lines are 1-based within the piece) and offset + first_offset.
  void SetPosition(uint64_t first_line, uint64_t first_offset) {
    line_base_ = first_line;
    offset_base_ = first_offset;
  }
  void Warn() { ++stats.warnings; }
  // Flushes when the batches exceed the threshold. Decoders call it between records only
  // (never with a record half-appended).
  Status MaybeFlush();
  // Flushes whatever is left (called by the caller at the end of an input).
  Status Finish();

 private:
  std::string source_;
  FlushFn flush_;
  size_t flush_bytes_;
  uint64_t line_base_ = 0;
  uint64_t offset_base_ = 0;
};

// Guesses the format from the file name and the first bytes (after decompression).
Format DetectFormat(std::string_view file_name, std::string_view head);

// Decodes a whole buffer of the given format (not kAuto). Returns a non-OK status only when
// nothing in the input could be read as that format (e.g. a binary file named .json);
// individual bad records are reported through ctx.Reject and do not fail the call.
// `data` must stay valid during the call; JSON decoders may copy it into a padded buffer.
Status DecodeBuffer(Format format, std::string_view data, DecodeContext& ctx);

// The individual decoders (DecodeBuffer dispatches to them).
Status DecodeOtlpJson(std::string_view data, DecodeContext& ctx);
Status DecodeOtlpProto(std::string_view data, DecodeContext& ctx);
Status DecodeJaegerJson(std::string_view data, DecodeContext& ctx);
Status DecodeZipkinJson(std::string_view data, DecodeContext& ctx);
Status DecodeJsonLogs(std::string_view data, DecodeContext& ctx);
Status DecodeTextLogs(std::string_view data, DecodeContext& ctx);
Status DecodeEventsJsonl(std::string_view data, DecodeContext& ctx);

// Reads a file, transparently decompressing gzip or zstd (by magic bytes, not by name).
Result<std::string> ReadFileDecompressed(const std::string& path);
// Decompresses gzip or zstd bytes; returns the input unchanged when it is neither.
Result<std::string> MaybeDecompress(std::string data);

// The bytes of an input file for decoding. An uncompressed regular file is mapped read-only
// (no copy, pages come from the page cache and are dropped behind the decoder); a compressed
// file, a pipe or anything that cannot be mapped is read and decompressed into memory.
class InputFile {
 public:
  InputFile() = default;
  InputFile(InputFile&& other) noexcept;
  InputFile& operator=(InputFile&& other) noexcept;
  InputFile(const InputFile&) = delete;
  InputFile& operator=(const InputFile&) = delete;
  ~InputFile();

  std::string_view bytes() const { return map_ != nullptr ? std::string_view(map_, map_size_) : owned_; }
  bool mapped() const { return map_ != nullptr; }

  // Opens `path`; errors as ReadFileDecompressed.
  static Result<InputFile> Open(const std::string& path);

 private:
  void Release();
  const char* map_ = nullptr;
  size_t map_size_ = 0;
  std::string owned_;
};

}  // namespace ddbg
