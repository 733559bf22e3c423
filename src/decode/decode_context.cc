// DecodeContext, rejections, format names and the DecodeBuffer dispatch.
#include <string>
#include <utility>

#include "ddbg/decode.h"

namespace ddbg {
namespace {

// A batch past this many rows is flushed whatever its size in bytes.
constexpr size_t kMaxBatchRows = 256 << 10;

struct FormatEntry {
  Format format;
  const char* name;
};
constexpr FormatEntry kFormats[] = {
    {Format::kAuto, "auto"},
    {Format::kOtlpJson, "otlp-json"},
    {Format::kOtlpProto, "otlp-proto"},
    {Format::kJaegerJson, "jaeger-json"},
    {Format::kZipkinJson, "zipkin-json"},
    {Format::kJsonLogs, "json-logs"},
    {Format::kTextLogs, "text-logs"},
    {Format::kEventsJsonl, "events-jsonl"},
    {Format::kGroundTruth, "ground-truth"},
};

}  // namespace

const char* FormatName(Format f) {
  for (const FormatEntry& e : kFormats) {
    if (e.format == f) return e.name;
  }
  return "unknown";
}

bool ParseFormatName(std::string_view name, Format* out) {
  for (const FormatEntry& e : kFormats) {
    if (name == e.name) {
      *out = e.format;
      return true;
    }
  }
  return false;
}

std::string Rejection::ToString() const {
  std::string s = source;
  if (line > 0) {
    s += ':';
    s += std::to_string(line);
  } else {
    s += '@';
    s += std::to_string(offset);
  }
  s += ": ";
  s += reason;
  return s;
}

DecodeContext::DecodeContext(std::string source, FlushFn flush, size_t flush_bytes)
    : source_(std::move(source)), flush_(std::move(flush)), flush_bytes_(flush_bytes) {}

void DecodeContext::Reject(uint64_t line, uint64_t offset, std::string reason) {
  ++stats.rejected;
  if (stats.rejections.size() < DecodeStats::kMaxKeptRejections) {
    stats.rejections.push_back(Rejection{source_, line > 0 ? line + line_base_ : 0,
                                         offset + offset_base_, std::move(reason)});
  } else {
    ++stats.rejections_dropped;
  }
}

Status DecodeContext::MaybeFlush() {
  if (!flush_) return Status::Ok();
  if (spans.size() > kMaxBatchRows || logs.size() > kMaxBatchRows ||
      events.size() > kMaxBatchRows ||
      spans.MemoryBytes() + logs.MemoryBytes() + events.MemoryBytes() > flush_bytes_) {
    return Finish();
  }
  return Status::Ok();
}

Status DecodeContext::Finish() {
  if (!flush_) {
    // Nothing ever leaves the batches, so they hold every row decoded: assigning (rather than
    // adding) keeps the counts right however often Finish is called.
    stats.spans = spans.size();
    stats.logs = logs.size();
    stats.events = events.size();
    return Status::Ok();
  }
  if (spans.empty() && logs.empty() && events.empty()) return Status::Ok();
  const size_t n_spans = spans.size();
  const size_t n_logs = logs.size();
  const size_t n_events = events.size();
  // On failure the rows stay in the batches (not counted) and the error goes to the caller.
  DDBG_RETURN_IF_ERROR(flush_(spans, logs, events));
  stats.spans += n_spans;
  stats.logs += n_logs;
  stats.events += n_events;
  spans.Clear();
  logs.Clear();
  events.Clear();
  return Status::Ok();
}

Status DecodeBuffer(Format format, std::string_view data, DecodeContext& ctx) {
  switch (format) {
    case Format::kOtlpJson:
      return DecodeOtlpJson(data, ctx);
    case Format::kOtlpProto:
      return DecodeOtlpProto(data, ctx);
    case Format::kJaegerJson:
      return DecodeJaegerJson(data, ctx);
    case Format::kZipkinJson:
      return DecodeZipkinJson(data, ctx);
    case Format::kJsonLogs:
      return DecodeJsonLogs(data, ctx);
    case Format::kTextLogs:
      return DecodeTextLogs(data, ctx);
    case Format::kEventsJsonl:
      return DecodeEventsJsonl(data, ctx);
    case Format::kGroundTruth:
      return Status::Ok();
    case Format::kAuto:
      return Status::InvalidArgument(ctx.source() +
                                     ": format must be resolved before decoding (got auto)");
  }
  return Status::InvalidArgument(ctx.source() + ": unknown format");
}

}  // namespace ddbg
