// DecodeOtlpProto and the parsing half of otlp_proto_convert.h. A request that the generated
// parser refuses is walked field by field against its descriptor: that finds where truncated
// or corrupt bytes go wrong (for the error message), and rewrites string fields holding
// invalid UTF-8 (which proto3 parsing refuses) with U+FFFD so the request can be kept.
#include <fmt/format.h>
#include <google/protobuf/arena.h>
#include <google/protobuf/descriptor.h>
#include <google/protobuf/stubs/logging.h>

#include <climits>
#include <string>

#include "ddbg/decode.h"
#include "decode/otlp_common.h"
#include "decode/otlp_proto_convert.h"

namespace ddbg {
namespace otlp {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;

constexpr int kMaxDepth = 100;  // as the generated parser's recursion limit

// Walks protobuf wire format against a descriptor, copying it to *out with invalid UTF-8 in
// string fields repaired and length prefixes rewritten to match.
class WireRepair {
 public:
  explicit WireRepair(std::string_view input) : input_(input) {}

  // False with *why (naming the byte offset) when the bytes are not valid wire format.
  bool Walk(size_t begin, size_t end, const Descriptor* type, int depth, std::string* out);
  size_t repairs() const { return repairs_; }
  const std::string& why() const { return why_; }

 private:
  bool Varint(size_t* pos, size_t end, uint64_t* v) {
    uint64_t result = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (*pos >= end) return false;
      uint8_t b = static_cast<uint8_t>(input_[(*pos)++]);
      result |= static_cast<uint64_t>(b & 0x7f) << shift;
      if (b < 0x80) {
        *v = result;
        return true;
      }
    }
    return false;
  }
  static void PutVarint(uint64_t v, std::string* out) {
    while (v >= 0x80) {
      out->push_back(static_cast<char>((v & 0x7f) | 0x80));
      v >>= 7;
    }
    out->push_back(static_cast<char>(v));
  }
  bool Fail(std::string why) {
    why_ = std::move(why);
    return false;
  }

  std::string_view input_;
  size_t repairs_ = 0;
  std::string why_;
};

bool WireRepair::Walk(size_t begin, size_t end, const Descriptor* type, int depth,
                      std::string* out) {
  if (depth > kMaxDepth)
    return Fail(fmt::format("nesting deeper than {} at offset {}", kMaxDepth, begin));
  size_t pos = begin;
  while (pos < end) {
    size_t field_at = pos;
    uint64_t tag = 0;
    if (!Varint(&pos, end, &tag))
      return Fail(fmt::format("truncated field tag at offset {}", field_at));
    uint64_t number = tag >> 3;
    int wire_type = static_cast<int>(tag & 7);
    if (number == 0 || number > 536870911) {
      return Fail(fmt::format("invalid field number {} at offset {}", number, field_at));
    }
    uint64_t v = 0;
    switch (wire_type) {
      case 0:
        if (!Varint(&pos, end, &v))
          return Fail(fmt::format("truncated varint at offset {}", field_at));
        break;
      case 1:
      case 5: {
        size_t n = wire_type == 1 ? 8 : 4;
        if (end - pos < n) {
          return Fail(fmt::format("field {} at offset {} needs {} bytes, {} remain", number,
                                  field_at, n, end - pos));
        }
        pos += n;
        break;
      }
      case 2: {
        if (!Varint(&pos, end, &v))
          return Fail(fmt::format("truncated length at offset {}", field_at));
        if (v > end - pos) {
          return Fail(fmt::format(
              "field {} at offset {} has length {} but only {} bytes remain (truncated?)", number,
              field_at, v, end - pos));
        }
        const FieldDescriptor* fd =
            type ? type->FindFieldByNumber(static_cast<int>(number)) : nullptr;
        size_t payload = pos;
        pos += v;
        if (fd && fd->type() == FieldDescriptor::TYPE_MESSAGE) {
          std::string inner;
          if (!Walk(payload, pos, fd->message_type(), depth + 1, &inner)) return false;
          PutVarint(tag, out);
          PutVarint(inner.size(), out);
          out->append(inner);
          continue;
        }
        if (fd && fd->type() == FieldDescriptor::TYPE_STRING) {
          std::string text;
          repairs_ += AppendRepairedUtf8(input_.substr(payload, v), &text);
          PutVarint(tag, out);
          PutVarint(text.size(), out);
          out->append(text);
          continue;
        }
        break;
      }
      default:
        return Fail(fmt::format("unsupported wire type {} (field {}) at offset {}", wire_type,
                                number, field_at));
    }
    out->append(input_.substr(field_at, pos - field_at));
  }
  return true;
}

template <typename Request>
Status ParseRequest(std::string_view bytes, Request* out, bool* repaired) {
  *repaired = false;
  if (bytes.size() > INT_MAX) {
    return Status::InvalidArgument(
        fmt::format("protobuf message of {} bytes is larger than 2 GiB", bytes.size()));
  }
  {
    google::protobuf::LogSilencer quiet;  // the parser logs each invalid UTF-8 string
    if (out->ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) return Status::Ok();
  }
  WireRepair walker(bytes);
  std::string fixed;
  std::string_view name = out->GetDescriptor()->name();
  if (!walker.Walk(0, bytes.size(), out->GetDescriptor(), 0, &fixed)) {
    return Status::InvalidArgument(fmt::format("truncated or corrupt OTLP protobuf ({} bytes): {}",
                                               bytes.size(), walker.why()));
  }
  if (walker.repairs() == 0) {
    return Status::InvalidArgument(
        fmt::format("corrupt OTLP protobuf ({} bytes): not a valid {}", bytes.size(), name));
  }
  out->Clear();
  if (!out->ParseFromString(fixed)) {
    return Status::InvalidArgument(
        fmt::format("corrupt OTLP protobuf ({} bytes): not a valid {}", bytes.size(), name));
  }
  *repaired = true;
  return Status::Ok();
}

// A log request parses as a trace request too (same outer layout, unknown fields skipped),
// but no log record field can land in Span.trace_id: LogRecord field 1 is a fixed64.
bool HasTracedSpan(const ExportTraceRequest& request) {
  for (const auto& rs : request.resource_spans()) {
    for (const auto& ss : rs.scope_spans()) {
      for (const auto& span : ss.spans()) {
        if (!span.trace_id().empty()) return true;
      }
    }
  }
  return false;
}

size_t LogCount(const ExportLogsRequest& request) {
  size_t n = 0;
  for (const auto& rl : request.resource_logs()) {
    for (const auto& sl : rl.scope_logs()) n += sl.log_records_size();
  }
  return n;
}

}  // namespace

Status ParseTraceRequest(std::string_view bytes, ExportTraceRequest* out, bool* repaired) {
  return ParseRequest(bytes, out, repaired);
}

Status ParseLogsRequest(std::string_view bytes, ExportLogsRequest* out, bool* repaired) {
  return ParseRequest(bytes, out, repaired);
}

}  // namespace otlp

Status DecodeOtlpProto(std::string_view data, DecodeContext& ctx) {
  if (data.empty()) return Status::Ok();
  google::protobuf::Arena arena;
  auto* traces = google::protobuf::Arena::CreateMessage<otlp::ExportTraceRequest>(&arena);
  bool traces_repaired = false;
  Status traces_status = otlp::ParseTraceRequest(data, traces, &traces_repaired);
  if (traces_status.ok() && otlp::HasTracedSpan(*traces)) {
    return otlp::ConvertTraceRequest(*traces, ctx, traces_repaired);
  }
  auto* logs = google::protobuf::Arena::CreateMessage<otlp::ExportLogsRequest>(&arena);
  bool logs_repaired = false;
  Status logs_status = otlp::ParseLogsRequest(data, logs, &logs_repaired);
  if (logs_status.ok() && (otlp::LogCount(*logs) > 0 || !traces_status.ok())) {
    return otlp::ConvertLogsRequest(*logs, ctx, logs_repaired);
  }
  if (traces_status.ok() && traces->resource_spans_size() == 0) {
    return Status::InvalidArgument(
        fmt::format("{}: not OTLP protobuf: {} bytes without resource spans or logs (field 1)",
                    ctx.source(), data.size()));
  }
  if (traces_status.ok()) return otlp::ConvertTraceRequest(*traces, ctx, traces_repaired);
  return Status::InvalidArgument(fmt::format("{}: {}", ctx.source(), traces_status.message()));
}

}  // namespace ddbg
