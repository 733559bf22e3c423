// Converting parsed OTLP protobuf requests into the model (see otlp_proto_convert.h).
#include "decode/otlp_proto_convert.h"

#include <fmt/format.h>

#include <cstring>
#include <limits>
#include <string>

#include "decode/otlp_common.h"

namespace ddbg::otlp {
namespace {

namespace common = opentelemetry::proto::common::v1;
namespace resource = opentelemetry::proto::resource::v1;
namespace trace = opentelemetry::proto::trace::v1;
namespace logs = opentelemetry::proto::logs::v1;
using KeyValues = google::protobuf::RepeatedPtrField<common::KeyValue>;

constexpr uint32_t kNoIndex = UINT32_MAX;

bool ReadTime(uint64_t v, const char* field, int64_t* out, std::string* why) {
  if (v > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    *why = fmt::format("{} is out of range", field);
    return false;
  }
  *out = static_cast<int64_t>(v);
  return true;
}

// A log record's time may be unknown (0); one out of range (a negative number written as
// fixed64 by some converters for a missing time) reads as unknown and counts as a fix-up.
int64_t OptionalTime(uint64_t v, bool* fixed) {
  if (v <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    return static_cast<int64_t>(v);
  }
  *fixed = true;
  return 0;
}

class ProtoConverter {
 public:
  ProtoConverter(DecodeContext& ctx, bool repaired)
      : ctx_(ctx), span_text_(&ctx.spans.dict), log_text_(&ctx.logs.dict) {
    span_text_.set_repair_mode(repaired);
    log_text_.set_repair_mode(repaired);
  }

  Status Traces(const ExportTraceRequest& request);
  Status Logs(const ExportLogsRequest& request);

 private:
  bool ConvertSpan(const trace::Span& span, SpanRow* row, bool* fixed, std::string* why);
  bool ConvertLog(const logs::LogRecord& log, LogRow* row, bool* fixed, std::string* why);
  void AddAttributes(const KeyValues& kvs, AttrColumns* out, TextInterner& text);
  void ReadAnyValue(const common::AnyValue& v, TextInterner& text, AttrType* type, uint64_t* bits);
  void AppendAnyValueJson(const common::AnyValue& v, std::string* out);

  // Commits the resource and scope of the current block unless they are committed already
  // (again after a flush cleared the batch).
  template <typename Batch>
  void EnsureBlock(const resource::Resource& res, const common::InstrumentationScope& scope,
                   Batch& batch, TextInterner& text);
  Status AfterRecord() {
    if (++since_flush_check_ < kRecordsPerFlushCheck) return Status::Ok();
    since_flush_check_ = 0;
    return ctx_.MaybeFlush();
  }

  DecodeContext& ctx_;
  TextInterner span_text_;
  TextInterner log_text_;
  uint32_t resource_index_ = kNoIndex;
  uint32_t scope_index_ = kNoIndex;
  uint32_t since_flush_check_ = 0;
  std::string json_scratch_;
};

template <typename Batch>
void ProtoConverter::EnsureBlock(const resource::Resource& res,
                                 const common::InstrumentationScope& scope, Batch& batch,
                                 TextInterner& text) {
  if (resource_index_ == kNoIndex || resource_index_ >= batch.resources.size()) {
    AddAttributes(res.attributes(), &batch.resources.attrs, text);
    StrId service = kEmptyStr;
    for (const common::KeyValue& kv : res.attributes()) {
      if (kv.key() == kServiceNameKey && kv.value().has_string_value() &&
          !kv.value().string_value().empty()) {
        service = text.Text(kv.value().string_value());
      }
    }
    if (service == kEmptyStr) service = text.Text(kUnknownService);
    if (text.TakeTouched()) ctx_.Warn();
    resource_index_ = batch.CommitResource(service);
    scope_index_ = kNoIndex;
  }
  if (scope_index_ == kNoIndex || scope_index_ >= batch.scopes.size()) {
    AddAttributes(scope.attributes(), &batch.scopes.attrs, text);
    StrId name = text.Text(scope.name());
    StrId version = text.Text(scope.version());
    if (text.TakeTouched()) ctx_.Warn();
    scope_index_ = batch.CommitScope(name, version);
  }
}

Status ProtoConverter::Traces(const ExportTraceRequest& request) {
  SpanBatch& batch = ctx_.spans;
  std::string why;
  for (int r = 0; r < request.resource_spans_size(); ++r) {
    const trace::ResourceSpans& rs = request.resource_spans(r);
    resource_index_ = kNoIndex;
    for (int s = 0; s < rs.scope_spans_size(); ++s) {
      const trace::ScopeSpans& ss = rs.scope_spans(s);
      scope_index_ = kNoIndex;
      for (int i = 0; i < ss.spans_size(); ++i) {
        EnsureBlock(rs.resource(), ss.scope(), batch, span_text_);
        SpanRow row;
        row.resource = resource_index_;
        row.scope = scope_index_;
        bool fixed = false;
        span_text_.TakeTouched();
        if (!ConvertSpan(ss.spans(i), &row, &fixed, &why) || !CheckSpan(&row, &fixed, &why)) {
          batch.DiscardPending();
          ctx_.Reject(0, 0,
                      fmt::format("resourceSpans[{}].scopeSpans[{}].spans[{}]: {}", r, s, i, why));
          continue;
        }
        if (span_text_.TakeTouched()) fixed = true;
        if (fixed) ctx_.Warn();
        batch.CommitSpan(row);
        DDBG_RETURN_IF_ERROR(AfterRecord());
      }
    }
  }
  return ctx_.MaybeFlush();
}

bool ProtoConverter::ConvertSpan(const trace::Span& span, SpanRow* row, bool* fixed,
                                 std::string* why) {
  if (!TraceIdFromBytes("traceId", span.trace_id(), IdRule::kRequired, &row->trace_id, why) ||
      !SpanIdFromBytes("spanId", span.span_id(), IdRule::kRequired, &row->span_id, why) ||
      !SpanIdFromBytes("parentSpanId", span.parent_span_id(), IdRule::kOptional,
                       &row->parent_span_id, why) ||
      !ReadTime(span.start_time_unix_nano(), "startTimeUnixNano", &row->start_ns, why) ||
      !ReadTime(span.end_time_unix_nano(), "endTimeUnixNano", &row->end_ns, why)) {
    return false;
  }
  SpanBatch& batch = ctx_.spans;
  for (const trace::Span::Link& link : span.links()) {
    TraceId trace;
    SpanId id = 0;
    if (!TraceIdFromBytes("links[].traceId", link.trace_id(), IdRule::kRequired, &trace, why) ||
        !SpanIdFromBytes("links[].spanId", link.span_id(), IdRule::kRequired, &id, why)) {
      return false;
    }
    AddAttributes(link.attributes(), &batch.link_attrs, span_text_);
    batch.CommitLink(trace, id, span_text_.Text(link.trace_state()));
  }
  for (const trace::Span::Event& event : span.events()) {
    int64_t time = 0;
    if (!ReadTime(event.time_unix_nano(), "events[].timeUnixNano", &time, why)) return false;
    AddAttributes(event.attributes(), &batch.event_attrs, span_text_);
    batch.CommitEvent(time, span_text_.Text(event.name()));
  }
  row->name = span_text_.Text(span.name());
  row->kind = SpanKindFromNumber(span.kind(), fixed);
  row->status = SpanStatusFromNumber(span.status().code(), fixed);
  row->status_message = span_text_.Text(span.status().message());
  row->flags = span.flags();
  row->trace_state = span_text_.Text(span.trace_state());
  AddAttributes(span.attributes(), &batch.attrs, span_text_);
  return true;
}

Status ProtoConverter::Logs(const ExportLogsRequest& request) {
  LogBatch& batch = ctx_.logs;
  std::string why;
  for (int r = 0; r < request.resource_logs_size(); ++r) {
    const logs::ResourceLogs& rl = request.resource_logs(r);
    resource_index_ = kNoIndex;
    for (int s = 0; s < rl.scope_logs_size(); ++s) {
      const logs::ScopeLogs& sl = rl.scope_logs(s);
      scope_index_ = kNoIndex;
      for (int i = 0; i < sl.log_records_size(); ++i) {
        EnsureBlock(rl.resource(), sl.scope(), batch, log_text_);
        LogRow row;
        row.resource = resource_index_;
        row.scope = scope_index_;
        bool fixed = false;
        log_text_.TakeTouched();
        if (!ConvertLog(sl.log_records(i), &row, &fixed, &why)) {
          batch.DiscardPending();
          ctx_.Reject(
              0, 0, fmt::format("resourceLogs[{}].scopeLogs[{}].logRecords[{}]: {}", r, s, i, why));
          continue;
        }
        if (log_text_.TakeTouched()) fixed = true;
        if (fixed) ctx_.Warn();
        batch.CommitLog(row);
        DDBG_RETURN_IF_ERROR(AfterRecord());
      }
    }
  }
  return ctx_.MaybeFlush();
}

bool ProtoConverter::ConvertLog(const logs::LogRecord& log, LogRow* row, bool* fixed,
                                std::string* why) {
  if (!TraceIdFromBytes("traceId", log.trace_id(), IdRule::kOptional, &row->trace_id, why) ||
      !SpanIdFromBytes("spanId", log.span_id(), IdRule::kOptional, &row->span_id, why)) {
    return false;
  }
  row->time_ns = OptionalTime(log.time_unix_nano(), fixed);
  row->observed_ns = OptionalTime(log.observed_time_unix_nano(), fixed);
  if (row->time_ns == 0) row->time_ns = row->observed_ns;
  row->severity_number = SeverityFromNumber(log.severity_number(), fixed);
  row->severity_text = log_text_.Text(log.severity_text());
  if (row->severity_number == 0 && !log.severity_text().empty()) {
    row->severity_number = SeverityFromText(log.severity_text());
  }
  AttrType type = AttrType::kEmpty;
  uint64_t bits = 0;
  ReadAnyValue(log.body(), log_text_, &type, &bits);
  if (type == AttrType::kInt || type == AttrType::kDouble || type == AttrType::kBool) {
    row->body = log_text_.Text(ScalarText(type, bits));
  } else if (type == AttrType::kEmpty) {
    type = AttrType::kString;
    row->body = kEmptyStr;
  } else {
    row->body = static_cast<StrId>(bits);
  }
  row->body_type = type;
  row->flags = log.flags();
  row->event_name = log_text_.Text(log.event_name());
  AddAttributes(log.attributes(), &ctx_.logs.attrs, log_text_);
  return true;
}

void ProtoConverter::AddAttributes(const KeyValues& kvs, AttrColumns* out, TextInterner& text) {
  for (const common::KeyValue& kv : kvs) {
    StrId key = text.Text(kv.key());
    AttrType type = AttrType::kEmpty;
    uint64_t bits = 0;
    ReadAnyValue(kv.value(), text, &type, &bits);
    out->Add(key, type, bits);
  }
}

void ProtoConverter::ReadAnyValue(const common::AnyValue& v, TextInterner& text, AttrType* type,
                                  uint64_t* bits) {
  *bits = 0;
  switch (v.value_case()) {
    case common::AnyValue::kStringValue:
      *type = AttrType::kString;
      *bits = text.Text(v.string_value());
      return;
    case common::AnyValue::kBoolValue:
      *type = AttrType::kBool;
      *bits = v.bool_value() ? 1 : 0;
      return;
    case common::AnyValue::kIntValue:
      *type = AttrType::kInt;
      *bits = static_cast<uint64_t>(v.int_value());
      return;
    case common::AnyValue::kDoubleValue: {
      *type = AttrType::kDouble;
      double d = v.double_value();
      std::memcpy(bits, &d, sizeof(d));
      return;
    }
    case common::AnyValue::kArrayValue:
    case common::AnyValue::kKvlistValue:
      json_scratch_.clear();
      AppendAnyValueJson(v, &json_scratch_);
      *type = v.has_array_value() ? AttrType::kArray : AttrType::kKvList;
      *bits = text.Text(json_scratch_);
      return;
    case common::AnyValue::kBytesValue:
      *type = AttrType::kBytes;
      *bits = text.Bytes(v.bytes_value());
      return;
    default:
      *type = AttrType::kEmpty;
      return;
  }
}

void ProtoConverter::AppendAnyValueJson(const common::AnyValue& v, std::string* out) {
  switch (v.value_case()) {
    case common::AnyValue::kStringValue:
      AppendJsonString(v.string_value(), out);
      return;
    case common::AnyValue::kBoolValue:
      out->append(v.bool_value() ? "true" : "false");
      return;
    case common::AnyValue::kIntValue:
      AppendJsonInt(v.int_value(), out);
      return;
    case common::AnyValue::kDoubleValue:
      AppendJsonDouble(v.double_value(), out);
      return;
    case common::AnyValue::kArrayValue: {
      out->push_back('[');
      bool first = true;
      for (const common::AnyValue& item : v.array_value().values()) {
        if (!first) out->push_back(',');
        first = false;
        AppendAnyValueJson(item, out);
      }
      out->push_back(']');
      return;
    }
    case common::AnyValue::kKvlistValue: {
      out->push_back('{');
      bool first = true;
      for (const common::KeyValue& kv : v.kvlist_value().values()) {
        if (!first) out->push_back(',');
        first = false;
        AppendJsonString(kv.key(), out);
        out->push_back(':');
        if (kv.has_value()) {
          AppendAnyValueJson(kv.value(), out);
        } else {
          out->append("null");
        }
      }
      out->push_back('}');
      return;
    }
    case common::AnyValue::kBytesValue:
      out->push_back('"');
      AppendBase64(v.bytes_value(), out);
      out->push_back('"');
      return;
    default:
      out->append("null");
      return;
  }
}

}  // namespace

Status ConvertTraceRequest(const ExportTraceRequest& request, DecodeContext& ctx, bool repaired) {
  ProtoConverter converter(ctx, repaired);
  return converter.Traces(request);
}

Status ConvertLogsRequest(const ExportLogsRequest& request, DecodeContext& ctx, bool repaired) {
  ProtoConverter converter(ctx, repaired);
  return converter.Logs(request);
}

}  // namespace ddbg::otlp
